/* dvc report: the manager's reports (report.h) on the --db store.
 *
 *   dvc report [--from DATE] [--to DATE] [--group G] [--asof INSTANT] [--json]
 *   dvc report bottlenecks [--asof INSTANT] [--json]
 *   dvc report index [--from DATE] [--to DATE] [--asof INSTANT] [--json]
 *   dvc report register [--from DATE] [--to DATE]        (CSV on stdout)
 *       every dossier as recorded (no --asof: the register has no "as of")
 *
 * DATE is a local Vietnam date, YYYY-MM-DD, meaning 00:00 +07:00 that day
 * (so --to is exclusive: --from 2019-01-01 --to 2020-01-01 is the year
 * 2019); an ISO 8601 instant with its offset is accepted too. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* Take --from/--to/--asof/--group out of argv into opts. */
static int period_opts(int *argc, char **argv, dvc_report_opts *o, bool grouping)
{
	const char *from = cli_option(argc, argv, "--from");
	const char *to = cli_option(argc, argv, "--to");
	const char *asof = cli_option(argc, argv, "--asof");
	const char *group = grouping ? cli_option(argc, argv, "--group") : NULL;
	if ((from && cli_parse_instant(from, "--from", &o->from)) || (to && cli_parse_instant(to, "--to", &o->to)) ||
	    (asof && cli_parse_instant(asof, "--asof", &o->asof)))
		return 1;
	if (group && dvc_report_group_parse(group, &o->group) != DVC_OK)
		return cli_fail_lib("--group");
	return 0;
}

static int extra_args(int argc, char **argv, const char *usage)
{
	if (argc > 1)
		return cli_fail("unexpected argument '%s' (usage: %s)", argv[1], usage);
	return 0;
}

/* Each result as the library's JSON with --json, else as a table. */

static int show_rows(const dvc_cli *cli, const dvc_report *r)
{
	char *j;
	if (cli->json)
		return cli_emit_view(dvc_report_json(r, &j), &j, "report");
	/* the Vietnamese label goes last: printf pads bytes, not characters */
	printf("%-14s %8s %7s %7s %5s %8s %6s %8s %7s %5s %5s %5s %8s %7s %7s %6s %6s  %s\n", "key",
	       "received", "online", "counter", "post", "on_time", "late", "pending", "overdue",
	       "withd", "rej", "canc", "returned", "online%", "ontime%", "days", "p90", "label");
	for (size_t i = 0; i < dvc_report_count(r); i++) {
		const dvc_report_row *w = dvc_report_at(r, i);
		printf("%-14s %8lld %7lld %7lld %5lld %8lld %6lld %8lld %7lld %5lld %5lld %5lld %8lld "
		       "%6.1f%% %6.1f%% %6.2f %6.2f  %s\n",
		       w->key[0] ? w->key : "-", (long long)w->received, (long long)w->received_online,
		       (long long)w->received_counter, (long long)w->received_post,
		       (long long)w->settled_on_time, (long long)w->settled_late,
		       (long long)w->pending_on_time, (long long)w->pending_overdue,
		       (long long)w->withdrawn, (long long)w->rejected, (long long)w->cancelled,
		       (long long)w->returned, w->online_rate * 100, w->on_time_rate * 100,
		       w->avg_days_to_settle, w->p90_days_to_settle, w->label);
	}
	if (dvc_report_count(r) == 0)
		printf("(no dossier submitted in the period)\n");
	return 0;
}

static int show_bottlenecks(const dvc_cli *cli, const dvc_bottlenecks *b)
{
	char *j;
	if (cli->json)
		return cli_emit_view(dvc_bottlenecks_json(b, &j), &j, "bottlenecks");
	printf("%-10s %4s %-14s %-14s %7s %10s %10s  %s\n", "procedure", "step", "role", "unit",
	       "waiting", "median_h", "max_h", "unit_name");
	for (size_t i = 0; i < dvc_bottlenecks_count(b); i++) {
		const dvc_bottleneck_row *w = dvc_bottlenecks_at(b, i);
		printf("%-10s %4d %-14s %-14s %7lld %10.1f %10.1f  %s\n", w->procedure, w->step + 1,
		       w->role, w->unit, (long long)w->waiting, w->median_dwell_hours,
		       w->max_dwell_hours, w->unit_name);
	}
	if (dvc_bottlenecks_count(b) == 0)
		printf("(no dossier waiting)\n");
	return 0;
}

static int show_index(const dvc_cli *cli, const dvc_index_row *rows, size_t n)
{
	dvc_index_group_total t[DVC_INDEX_GROUPS];
	double total = 0, computable = 0;
	char *j;
	if (cli->json)
		return cli_emit_view(dvc_index_json(rows, n, &j), &j, "index");
	if (dvc_index_totals(rows, n, t) != DVC_OK)
		return cli_fail_lib("index");
	for (int g = 0; g < DVC_INDEX_GROUPS; g++) {
		printf("%-13s %6.2f / %5.2f of %2.0f points  %s\n", t[g].code, t[g].points,
		       t[g].computable_points, t[g].max_points, t[g].name);
		for (size_t i = 0; i < n; i++)
			if (rows[i].group == t[g].group && rows[i].computable)
				printf("  %-18s %6.1f%% %8lld / %-8lld %5.2f of %5.2f%s  %s\n", rows[i].code,
				       rows[i].value * 100, (long long)rows[i].numerator,
				       (long long)rows[i].denominator, rows[i].points, rows[i].max_points,
				       rows[i].max_points_confirmed ? "" : "*", rows[i].name);
		total += t[g].points;
		computable += t[g].computable_points;
	}
	printf("total         %6.2f / %5.2f of 100 points  (* share of the group unconfirmed)\n",
	       total, computable);
	printf("not computable:\n");
	for (size_t i = 0; i < n; i++)
		if (!rows[i].computable)
			printf("  %-18s %5.2f points  %s\n", rows[i].code, rows[i].max_points,
			       rows[i].formula);
	return 0;
}

static int report_rows(dvc_cli *cli, int argc, char **argv)
{
	static const char usage[] = "dvc report [--from DATE] [--to DATE] [--group G] [--asof INSTANT]";
	dvc_report_opts o = DVC_REPORT_OPTS_INIT;
	dvc_report *r;
	int rc;
	if (period_opts(&argc, argv, &o, true) || extra_args(argc, argv, usage))
		return 1;
	if (dvc_report_compute(cli->db, &o, &r) != DVC_OK)
		return cli_fail_lib("report");
	rc = show_rows(cli, r);
	dvc_report_free(r);
	return rc;
}

static int report_bottlenecks(dvc_cli *cli, int argc, char **argv)
{
	const char *asof_s = cli_option(&argc, argv, "--asof");
	dvc_time asof = 0;
	dvc_bottlenecks *b;
	int rc;
	if ((asof_s && cli_parse_instant(asof_s, "--asof", &asof)) ||
	    extra_args(argc, argv, "dvc report bottlenecks [--asof INSTANT]"))
		return 1;
	if (dvc_report_bottlenecks(cli->db, asof, &b) != DVC_OK)
		return cli_fail_lib("bottlenecks");
	rc = show_bottlenecks(cli, b);
	dvc_bottlenecks_free(b);
	return rc;
}

static int report_index(dvc_cli *cli, int argc, char **argv)
{
	dvc_report_opts o = DVC_REPORT_OPTS_INIT;
	dvc_index_row *rows;
	size_t n;
	int rc;
	if (period_opts(&argc, argv, &o, false) ||
	    extra_args(argc, argv, "dvc report index [--from DATE] [--to DATE] [--asof INSTANT]"))
		return 1;
	if (dvc_report_index(cli->db, &o, &rows, &n) != DVC_OK)
		return cli_fail_lib("index");
	rc = show_index(cli, rows, n);
	dvc_free(rows);
	return rc;
}

static int report_register(dvc_cli *cli, int argc, char **argv)
{
	dvc_report_opts o = DVC_REPORT_OPTS_INIT;
	char *csv;
	size_t len = 0;
	/* the library lists each dossier's recorded state: an "as of" would be
	 * silently ignored, so it is refused */
	if (cli_option(&argc, argv, "--asof"))
		return cli_fail("report register has no --asof: it lists every dossier as recorded, "
				"results and closures included whenever they happened (figures as of an "
				"instant: dvc report --asof)");
	if (cli_no_json(cli, "report register (CSV)") || period_opts(&argc, argv, &o, false) ||
	    extra_args(argc, argv, "dvc report register [--from DATE] [--to DATE]"))
		return 1;
	if (dvc_report_register_csv(cli->db, &o, &csv, &len) != DVC_OK)
		return cli_fail_lib("register");
	if (fwrite(csv, 1, len, stdout) != len || fflush(stdout) != 0) {
		dvc_free(csv);
		return cli_fail("writing the register failed");
	}
	dvc_free(csv);
	return 0;
}

int cmd_report(dvc_cli *cli, int argc, char **argv)
{
	if (!cli_db(cli))
		return 1;
	if (argc > 1 && strcmp(argv[1], "bottlenecks") == 0)
		return report_bottlenecks(cli, argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "index") == 0)
		return report_index(cli, argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "register") == 0)
		return report_register(cli, argc - 1, argv + 1);
	return report_rows(cli, argc, argv);
}
