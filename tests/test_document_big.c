/* Streaming proof: a file far larger than the process may hold in memory is
 * stored and read back intact. The work runs in a child process whose
 * address space is capped (RLIMIT_AS, counted above what is mapped when the
 * child starts) well below the file's size; the file
 * is generated while it streams in and hashed while it streams out, so any
 * whole-file buffer in the library would fail the allocation and the test.
 * Not for sanitizer builds (their shadow memory needs terabytes of address
 * space): tests/meson.build registers it in the normal build only.
 * With DVC_TEST_DB_URI the store is a schema of its own on that PostgreSQL
 * server (store_at), under the same cap: libpq's libraries are mapped
 * before the cap is counted, its connection's buffers are not.
 *
 * usage: test_document_big [MB] [CAP_MB]   (defaults 200 and 64) */
#include "testutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct gen {
	uint64_t left, x;
	int header;
	crypto_hash_sha256_state h;
} gen;

static int64_t gen_read(void *ctx, void *buf, size_t cap)
{
	gen *g = ctx;
	unsigned char *b = buf;
	size_t n = cap < g->left ? cap : (size_t)g->left;
	size_t i = 0;
	if (g->header && n >= 9) {
		memcpy(b, "%PDF-1.7\n", 9);
		i = 9;
		g->header = 0;
	}
	for (; i < n; i++) { /* xorshift: incompressible, reproducible */
		g->x ^= g->x << 13;
		g->x ^= g->x >> 7;
		g->x ^= g->x << 17;
		b[i] = (unsigned char)g->x;
	}
	crypto_hash_sha256_update(&g->h, b, n);
	g->left -= n;
	return (int64_t)n;
}

typedef struct check {
	crypto_hash_sha256_state h;
	uint64_t n;
} check;

static int check_write(void *ctx, const void *buf, size_t n)
{
	check *c = ctx;
	crypto_hash_sha256_update(&c->h, buf, n);
	c->n += n;
	return 0;
}

static int refused(const char *what)
{
	fprintf(stderr, "%s: %s (%s)\n", what, dvc_status_name(dvc_error_last()->code),
		dvc_error_last()->message);
	return 1;
}

/* The address space mapped before the work starts (the executable and its
 * shared libraries, which grow with optional backends such as libpq): the
 * cap is counted above it, so it measures what the work allocates. */
static uint64_t mapped_now(void)
{
	unsigned long long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%llu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

static int child(const char *dbpath, const char *catalog, uint64_t bytes, uint64_t cap)
{
	uint64_t base = mapped_now();
	struct rlimit rl = {base + cap, base + cap};
	dvc_db *db;
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_applicant who = {"Nguyễn Văn An", "031099001234", "1999-05-12",
			     "Thôn 3, xã Thụy Hương, huyện Kiến Thụy", "0912345678", NULL};
	dvc_procedure_policy pol = DVC_PROCEDURE_POLICY_INIT;
	dvc_attach_req q = DVC_ATTACH_INIT;
	dvc_file_info fi;
	gen g;
	check c;
	unsigned char want[32], got[32];
	struct rusage ru;
	struct timespec t0, t1, t2;

	g.left = bytes;
	g.x = 0x9E3779B97F4A7C15ull;
	g.header = 1;
	if (setrlimit(RLIMIT_AS, &rl) != 0) {
		perror("setrlimit");
		return 1;
	}
	if (sodium_init() < 0)
		return 1;
	if (dvc_open(&db, dbpath, NULL) != DVC_OK)
		return refused("open");
	if (dvc_catalog_import_file(db, catalog, DVC_FORMAT_AUTO, NULL) != DVC_OK)
		return refused("import");
	pol.max_file_bytes = (int64_t)bytes + 1;
	if (dvc_procedure_policy_set(db, "T.000005", &pol) != DVC_OK)
		return refused("policy");
	s.procedure = "T.000005";
	s.applicant = &who;
	if (dvc_dossier_submit(db, &s, &r) != DVC_OK)
		return refused("submit");
	q.actor = (dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, r.secret};
	q.component = 1;
	q.name = "ban-scan-rat-lon.pdf";
	q.declared_size = (int64_t)bytes;
	q.read = gen_read;
	q.read_ctx = &g;
	crypto_hash_sha256_init(&g.h);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (dvc_dossier_attach(db, r.code, &q, &fi) != DVC_OK)
		return refused("attach");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	crypto_hash_sha256_final(&g.h, want);
	crypto_hash_sha256_init(&c.h);
	c.n = 0;
	if (dvc_dossier_download(db, r.code, &q.actor, fi.id, check_write, &c) != DVC_OK)
		return refused("download");
	clock_gettime(CLOCK_MONOTONIC, &t2);
	crypto_hash_sha256_final(&c.h, got);
	dvc_close(db);
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"bytes\": %llu, \"address_space_cap_mb\": %llu, \"max_rss_kb\": %ld, "
	       "\"upload_s\": %.2f, \"download_s\": %.2f, \"media_type\": \"%s\"}\n",
	       (unsigned long long)bytes, (unsigned long long)(cap >> 20), ru.ru_maxrss,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       (double)(t2.tv_sec - t1.tv_sec) + (double)(t2.tv_nsec - t1.tv_nsec) / 1e9, fi.media_type);
	if (c.n != bytes || memcmp(want, got, 32) != 0 || (uint64_t)fi.size != bytes) {
		fprintf(stderr, "the file came back different (%llu bytes)\n", (unsigned long long)c.n);
		return 1;
	}
	if ((uint64_t)ru.ru_maxrss * 1024 >= bytes / 2) {
		fprintf(stderr, "resident memory %ld kB is not far below the file's size\n", ru.ru_maxrss);
		return 1;
	}
	return 0;
}

static uint64_t mb = 200, cap_mb = 64;

START_TEST(a_file_far_larger_than_memory_streams_in_and_out)
{
	const char *root = getenv("DVC_SOURCE_ROOT");
	char catalog[4096], dbpath[64], store[4096];
	int status = 1;
	pid_t pid;
	if (!root)
		root = ".";
	snprintf(catalog, sizeof catalog, "%s/tests/data/document_catalog.json", root);
	/* taken once, before the fork: the child opens this very store */
	temp_store(dbpath, sizeof dbpath, "/tmp/dvc-big-XXXXXX", store, sizeof store);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		int rc = child(store, catalog, mb << 20, cap_mb << 20);
		fflush(stdout);
		fflush(stderr);
		_exit(rc);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	temp_store_remove(dbpath);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "a %llu MB file under a %llu MB address-space cap failed (see above)",
		      (unsigned long long)mb, (unsigned long long)cap_mb);
}
END_TEST

int main(int argc, char **argv)
{
	const TTest *const tests[] = {a_file_far_larger_than_memory_streams_in_and_out, NULL};
	if (argc > 1)
		mb = strtoull(argv[1], NULL, 10);
	if (argc > 2)
		cap_mb = strtoull(argv[2], NULL, 10);
	return run_tests("document_big", NULL, NULL, 600, tests);
}
