/* dvc catalog ... and dvc procedure ... */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>



static int catalog_import(dvc_cli *cli, int argc, char **argv)
{
	dvc_import_stats st = DVC_IMPORT_STATS_INIT;
	if (cli_one_arg(cli, argc, "usage: dvc catalog import FILE"))
		return 1;
	if (dvc_catalog_import_file(cli->db, argv[1], DVC_FORMAT_AUTO, &st) != DVC_OK)
		return cli_fail_lib(argv[1]);
	if (cli->json)
		printf("{\"levels\":%zu,\"sectors\":%zu,\"agencies\":%zu,\"procedures\":%zu,"
		       "\"versions_added\":%zu,\"versions_unchanged\":%zu}\n",
		       st.levels, st.sectors, st.agencies, st.procedures, st.versions_added,
		       st.versions_same);
	else
		printf("imported %zu procedures (%zu new versions, %zu unchanged), %zu sectors, "
		       "%zu agencies, %zu levels\n", st.procedures, st.versions_added,
		       st.versions_same, st.sectors, st.agencies, st.levels);
	return 0;
}

static int catalog_export(dvc_cli *cli, int argc, char **argv)
{
	const char *fmt = cli_option(&argc, argv, "--format");
	dvc_format f = DVC_FORMAT_JSON;
	char *out;
	size_t len;
	if (fmt && strcmp(fmt, "xml") == 0)
		f = DVC_FORMAT_XML;
	else if (fmt && strcmp(fmt, "json") != 0)
		return cli_fail("--format must be json or xml");
	if (argc != 1)
		return cli_fail("usage: dvc catalog export [--format json|xml]");
	if (cli_no_json(cli, "catalog export (the document is --format json|xml)") || !cli_db(cli))
		return 1;
	if (dvc_catalog_export(cli->db, f, &out, &len) != DVC_OK)
		return cli_fail_lib("export");
	fwrite(out, 1, len, stdout);
	dvc_free(out);
	return 0;
}

static int catalog_search(dvc_cli *cli, int argc, char **argv)
{
	dvc_search_opts o = DVC_SEARCH_OPTS_INIT;
	dvc_search_result *r;
	dvc_date asof;
	const char *online, *limit, *date, *text;
	int rc = 0;
	o.sector = cli_option(&argc, argv, "--sector");
	o.level = cli_option(&argc, argv, "--level");
	o.agency = cli_option(&argc, argv, "--agency");
	online = cli_option(&argc, argv, "--online");
	limit = cli_option(&argc, argv, "--limit");
	date = cli_option(&argc, argv, "--asof");
	if (online) {
		char *end;
		long v = strtol(online, &end, 10);
		if (*end || v < 1 || v > 4)
			return cli_fail("--online must be 1, 2, 3 or 4");
		o.online_level = (int)v;
	}
	if (limit) {
		char *end;
		long v = strtol(limit, &end, 10);
		if (end == limit || *end || v < 1 || v > 1000)
			return cli_fail("--limit must be an integer from 1 to 1000");
		o.limit = (size_t)v;
	}
	if (date) {
		if (dvc_date_parse(date, &asof) != DVC_OK)
			return cli_fail_lib("--asof");
		o.asof = &asof;
	}
	if (cli_optional_arg(cli, argc, argv,
			     "usage: dvc catalog search [TEXT] [--sector S] [--level L] [--online N] "
			     "[--agency A] [--limit N] [--asof DATE]",
			     &text))
		return 1;
	if (dvc_catalog_search(cli->db, text, &o, &r) != DVC_OK)
		return cli_fail_lib("search");
	if (cli->json) {
		char *j;
		rc = cli_emit_view(dvc_search_result_json(r, text, &j), &j, "search");
	} else {
		for (size_t i = 0; i < dvc_search_result_count(r); i++) {
			const dvc_search_hit *h = dvc_search_result_at(r, i);
			printf("%-10s [%s, mức %d] %s\n", h->code, h->sector, h->online_level, h->name);
		}
		if (dvc_search_result_count(r) == 0)
			printf("no procedure found\n");
	}
	dvc_search_result_free(r);
	return rc;
}

static int catalog_stats(dvc_cli *cli, int argc, char **argv)
{
	dvc_catalog_stats *s;
	dvc_date asof;
	const char *date = cli_option(&argc, argv, "--asof");
	int rc = 0;
	(void)argv;
	if (date && dvc_date_parse(date, &asof) != DVC_OK)
		return cli_fail_lib("--asof");
	if (argc != 1)
		return cli_fail("usage: dvc catalog stats [--asof DATE]");
	if (!cli_db(cli))
		return 1;
	if (dvc_catalog_stats_compute(cli->db, date ? &asof : NULL, &s) != DVC_OK)
		return cli_fail_lib("stats");
	if (cli->json) {
		char *j;
		rc = cli_emit_view(dvc_catalog_stats_json(s, &j), &j, "stats");
	} else {
		const char *last = "";
		printf("procedures in force: %lld\n", (long long)dvc_catalog_stats_total(s));
		for (size_t i = 0; i < dvc_catalog_stats_count(s); i++) {
			const dvc_stat_row *r = dvc_catalog_stats_at(s, i);
			if (strcmp(last, r->dimension) != 0)
				printf("by %s:\n", r->dimension);
			last = r->dimension;
			printf("  %-8s ", r->key);
			cli_pad(r->label, 40); /* by columns: sector names carry diacritics */
			printf(" %lld\n", (long long)r->count);
		}
	}
	dvc_catalog_stats_free(s);
	return rc;
}

int cmd_catalog(dvc_cli *cli, int argc, char **argv)
{
	static const cli_sub subs[] = {{"import", catalog_import}, {"export", catalog_export},
		{"search", catalog_search}, {"stats", catalog_stats}, {NULL, NULL}};
	return cli_subcommand(cli, argc, argv, "catalog", subs);
}

static const char *form_name(dvc_doc_form f)
{
	return f == DVC_DOC_ORIGINAL ? "bản chính" : f == DVC_DOC_COPY ? "bản sao"
						     : "bản chính hoặc bản sao";
}

static const char *fee_kind(dvc_fee_kind k)
{
	return k == DVC_FEE_FIXED ? "" : k == DVC_FEE_PER_COPY ? "/bản" : "/trang";
}

static void procedure_print(const dvc_procedure *p)
{
	printf("%s (phiên bản %d, từ %04d-%02d-%02d)\n%s\n", p->code, p->version,
	       p->valid_from.year, p->valid_from.month, p->valid_from.day, p->name);
	printf("  lĩnh vực: %s   cơ quan: %s   mức độ: %d%s%s\n", p->sector, p->agency,
	       p->online_level, p->online_mode ? " / " : "",
	       p->online_mode == DVC_ONLINE_FULL ? "toàn trình"
	       : p->online_mode == DVC_ONLINE_PARTIAL ? "một phần" : "");
	printf("  thời hạn: %d %s   kết quả: %s\n", p->deadline_value,
	       p->deadline_unit == DVC_DEADLINE_DAYS ? "ngày làm việc" : "giờ làm việc",
	       p->result_type);
	printf("  thành phần hồ sơ:\n");
	for (size_t i = 0; i < p->n_documents; i++)
		printf("    - %s (%s, %d)\n", p->documents[i].name, form_name(p->documents[i].form),
		       p->documents[i].count);
	printf("  phí, lệ phí:\n");
	for (size_t i = 0; i < p->n_fees; i++)
		printf("    - %s: %lld đồng%s\n", p->fees[i].name, (long long)p->fees[i].amount,
		       fee_kind(p->fees[i].kind));
	printf("  căn cứ pháp lý:\n");
	for (size_t i = 0; i < p->n_legal_basis; i++)
		printf("    - %s\n", p->legal_basis[i]);
	if (p->n_unconfirmed) {
		printf("  chưa xác minh:");
		for (size_t i = 0; i < p->n_unconfirmed; i++)
			printf(" %s", p->unconfirmed[i]);
		printf("\n");
	}
}

int cmd_procedure(dvc_cli *cli, int argc, char **argv)
{
	const char *ver, *date;
	dvc_procedure *p;
	dvc_date asof;
	int rc;
	if (argc < 2 || strcmp(argv[1], "show") != 0)
		return cli_fail("usage: dvc procedure show CODE [--version N] [--asof DATE]");
	argc--;
	argv++;
	ver = cli_option(&argc, argv, "--version");
	date = cli_option(&argc, argv, "--asof");
	if (argc != 2)
		return cli_fail("usage: dvc procedure show CODE [--version N] [--asof DATE]");
	if (date && dvc_date_parse(date, &asof) != DVC_OK)
		return cli_fail_lib("--asof");
	if (!cli_db(cli))
		return 1;
	rc = ver ? dvc_procedure_get_version(cli->db, argv[1], atoi(ver), &p)
		 : dvc_procedure_get(cli->db, argv[1], date ? &asof : NULL, &p);
	if (rc != DVC_OK)
		return cli_fail_lib(argv[1]);
	if (cli->json) {
		char *j;
		rc = cli_emit_view(dvc_procedure_json(p, &j), &j, argv[1]);
	} else {
		procedure_print(p);
	}
	dvc_procedure_free(p);
	return rc;
}
