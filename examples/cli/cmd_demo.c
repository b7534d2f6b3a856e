/* dvc demo: the seed case end to end on a store of its own. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static int search(dvc_db *db, const char *text)
{
	dvc_search_result *r;
	if (dvc_catalog_search(db, text, NULL, &r) != DVC_OK)
		return cli_fail_lib("search");
	printf("\n$ dvc catalog search \"%s\"\n", text);
	for (size_t i = 0; i < dvc_search_result_count(r) && i < 3; i++) {
		const dvc_search_hit *h = dvc_search_result_get(r, i);
		printf("  %-10s [%s, mức %d] %s\n", h->code, h->sector, h->online_level, h->name);
	}
	if (dvc_search_result_count(r) == 0)
		printf("  (no procedure found)\n");
	dvc_search_result_free(r);
	return 0;
}

int cmd_demo(dvc_cli *cli, int argc, char **argv)
{
	char path[4096];
	const char *datadir = argc > 1 ? argv[1] : "data";
	dvc_import_stats st;
	dvc_catalog_stats *s;
	dvc_date seed = {2018, 7, 1};
	int rc = 0;

	if (!cli_db(cli))
		return 1;
	snprintf(path, sizeof path, "%s/catalog/kien-thuy-2018.json", datadir);
	printf("libdvc %s — Kiến Thụy district, Hải Phòng, from 1 July 2018\n", dvc_version());
	printf("\n$ dvc catalog import %s\n", path);
	if (dvc_catalog_import_file(cli->db, path, DVC_FORMAT_AUTO, &st) != DVC_OK)
		return cli_fail_lib(path);
	printf("  %zu procedures, %zu sectors, %zu agencies (%zu new versions)\n", st.procedures,
	       st.sectors, st.agencies, st.versions_added);
	if ((rc = search(cli->db, "dang ky khai sinh")) || (rc = search(cli->db, "ĐĂNG KÝ KẾT HÔN")) ||
	    (rc = search(cli->db, "chung thuc ban sao")) || (rc = search(cli->db, "ho kinh doan")))
		return rc;
	if (dvc_catalog_stats_get(cli->db, &seed, &s) != DVC_OK)
		return cli_fail_lib("stats");
	printf("\n$ dvc catalog stats --asof 2018-07-01\n  procedures in force: %lld\n",
	       (long long)dvc_catalog_stats_total(s));
	for (size_t i = 0; i < dvc_catalog_stats_count(s); i++) {
		const dvc_stat_row *r = dvc_catalog_stats_row(s, i);
		printf("  %-12s %-8s %-36s %lld\n", r->dimension, r->key, r->label, (long long)r->count);
	}
	dvc_catalog_stats_free(s);
	return 0;
}
