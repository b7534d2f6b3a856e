/* Catalog benchmark: import of a synthetic 10,000-procedure catalog and search
 * latency (median, p99) over mixed queries. Prints JSON lines; asserts nothing
 * about time. Usage: bench_catalog [N_PROCEDURES] [N_QUERIES] */
#include "bench_util.h"
#include "dvc/dvc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Words that make plausible procedure names. */
static const char *const words[] = {
	"đăng ký", "cấp", "giấy phép", "khai sinh", "kết hôn", "khai tử", "chứng thực",
	"bản sao", "hộ kinh doanh", "thay đổi", "nội dung", "thu hồi", "gia hạn", "điều chỉnh",
	"xác nhận", "tình trạng", "hôn nhân", "nuôi con nuôi", "giám hộ", "trợ cấp", "xã hội",
	"người có công", "bảo trợ", "môi trường", "đất đai", "xây dựng", "nhà ở", "kinh doanh",
	"bán lẻ", "rượu", "thuốc lá", "chuyển trường", "học sinh", "trung học", "tôn giáo",
	"thi đua", "khen thưởng", "hợp tác xã", "điểm cung cấp", "trò chơi", "công cộng",
	"phương án", "bảo vệ", "giấy chứng nhận", "quyết định", "thành lập", "giải thể",
	"tạm ngừng", "chấm dứt", "quyền sử dụng", "lao động", "việc làm", "thương binh",
};
#define NW (sizeof words / sizeof words[0])

static unsigned long rng = 88172645463325252UL;
static unsigned long next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static char *synthetic(int n)
{
	size_t cap = (size_t)n * 1200 + 4096, len = 0;
	char *b = malloc(cap);
	static const char *const sectors[] = {"TP", "NV", "CT", "LD", "TT", "GD", "KH", "TN"};
	len += (size_t)sprintf(b + len,
		"{\"format\":\"dvc-catalog\",\"format_version\":1,"
		"\"levels\":[{\"code\":\"province\",\"name\":\"Cấp tỉnh\",\"rank\":1},"
		"{\"code\":\"district\",\"name\":\"Cấp huyện\",\"rank\":2},"
		"{\"code\":\"commune\",\"name\":\"Cấp xã\",\"rank\":3}],\"sectors\":[");
	for (int s = 0; s < 8; s++)
		len += (size_t)sprintf(b + len, "%s{\"code\":\"%s\",\"name\":\"Lĩnh vực %d\"}",
				       s ? "," : "", sectors[s], s);
	len += (size_t)sprintf(b + len, "],\"agencies\":[{\"code\":\"A.1\",\"name\":\"UBND\","
		"\"level\":\"district\",\"parent\":null,\"valid_from\":\"2018-01-01\",\"valid_to\":null}],"
		"\"procedures\":[");
	for (int i = 0; i < n; i++) {
		char name[400] = "Thủ tục";
		int k = 3 + (int)(next_rand() % 5);
		for (int w = 0; w < k; w++) {
			strcat(name, " ");
			strcat(name, words[next_rand() % NW]);
		}
		len += (size_t)sprintf(b + len,
			"%s{\"code\":\"9.%06d\",\"versions\":[{\"version\":1,\"valid_from\":\"2018-07-01\","
			"\"name\":\"%s\",\"sector\":\"%s\",\"levels\":[\"%s\"],\"agency\":\"A.1\","
			"\"online_level\":%d,\"online_mode\":\"none\",\"deadline\":{\"value\":%d,\"unit\":\"days\"},"
			"\"result_type\":\"Giấy chứng nhận\",\"legal_basis\":[\"Nghị định 61/2018/NĐ-CP\"],"
			"\"documents\":[{\"name\":\"Tờ khai\",\"form\":\"original\",\"count\":1,\"submission\":\"eform\"},"
			"{\"name\":\"Bản sao giấy tờ tùy thân\",\"form\":\"copy\",\"count\":1,\"submission\":\"upload\"}],"
			"\"fees\":[{\"name\":\"Lệ phí\",\"kind\":\"fixed\",\"amount\":%d}],\"unconfirmed\":[]}]}",
			i ? "," : "", i, name, sectors[next_rand() % 8],
			next_rand() % 4 ? "district" : "commune", 3 + (int)(next_rand() % 2),
			1 + (int)(next_rand() % 20), (int)(next_rand() % 100) * 1000);
	}
	len += (size_t)sprintf(b + len, "]}");
	return b;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000;
	int q = argc > 2 ? atoi(argv[2]) : 2000;
	static const char *const queries[] = {
		"dang ky khai sinh", "ĐĂNG KÝ KẾT HÔN", "chung thuc ban sao", "ho kinh doanh",
		"giay phep ban le ruou", "tro cap xa hoi", "chuyen truong hoc sinh",
		"dang ky kinh doan", "thay doi noi dung", "cap giay chung nhan quyen su dung",
	};
	char *doc = synthetic(n);
	char path[] = "/tmp/dvc-bench-XXXXXX";
	char dbpath[300];
	double t0, t1, *lat = malloc(sizeof(double) * (size_t)q);
	dvc_db *db;
	dvc_import_stats st = DVC_IMPORT_STATS_INIT;
	size_t hits = 0;

	if (!mkdtemp(path))
		return 1;
	snprintf(dbpath, sizeof dbpath, "%s/bench.db", path);
	if (dvc_open(&db, dbpath, NULL) != DVC_OK) {
		fprintf(stderr, "%s\n", dvc_error_last()->message);
		return 1;
	}
	t0 = now();
	if (dvc_catalog_import(db, doc, strlen(doc), DVC_FORMAT_JSON, &st) != DVC_OK) {
		fprintf(stderr, "import: %s\n", dvc_error_last()->message);
		return 1;
	}
	t1 = now();
	printf("{\"bench\":\"catalog_import\",\"procedures\":%d,\"bytes\":%zu,\"seconds\":%.3f,"
	       "\"procedures_per_sec\":%.0f}\n", n, strlen(doc), t1 - t0, n / (t1 - t0));

	for (int i = 0; i < q; i++) {
		dvc_search_result *r;
		dvc_search_opts o = DVC_SEARCH_OPTS_INIT;
		if (i % 4 == 3)
			o.sector = "TP";
		o.limit = 20;
		t0 = now();
		if (dvc_catalog_search(db, queries[i % (int)(sizeof queries / sizeof queries[0])], &o, &r) != DVC_OK)
			return 1;
		lat[i] = now() - t0;
		hits += dvc_search_result_count(r);
		dvc_search_result_free(r);
	}
	qsort(lat, (size_t)q, sizeof *lat, cmp_double);
	printf("{\"bench\":\"catalog_search\",\"procedures\":%d,\"queries\":%d,\"median_ms\":%.3f,"
	       "\"p99_ms\":%.3f,\"max_ms\":%.3f,\"mean_hits\":%.1f}\n", n, q, lat[q / 2] * 1e3,
	       lat[(int)(q * 0.99)] * 1e3, lat[q - 1] * 1e3, (double)hits / q);
	dvc_close(db);
	free(doc);
	free(lat);
	snprintf(dbpath, sizeof dbpath, "rm -rf '%s'", path);
	return system(dbpath) == 0 ? 0 : 1;
}
