/* dvc agency list|show|cutover: the administrative map as history and the
 * reform cutover, through the library's agency API and its views. */
#include "cli.h"

#include <dvc/agency.h>
#include <dvc/view.h>

#include <stdio.h>

static void print_date(const dvc_date *d)
{
	printf("%04d-%02d-%02d", d->year, d->month, d->day);
}

static void print_validity(const dvc_agency *a)
{
	print_date(&a->valid_from);
	printf(" .. ");
	if (a->has_valid_to)
		print_date(&a->valid_to);
	else
		printf("(in force)");
}

static int agency_list(dvc_cli *cli, int argc, char **argv)
{
	const char *date = cli_option(&argc, argv, "--asof");
	const char *level = cli_option(&argc, argv, "--level");
	dvc_agency_list *l;
	dvc_date asof;
	(void)argv;
	if (argc != 1)
		return cli_fail("usage: dvc agency list [--asof DATE] [--level L]");
	if (date && dvc_date_parse(date, &asof) != DVC_OK)
		return cli_fail_lib("--asof");
	if (!cli_db(cli))
		return 1;
	if (dvc_agency_find(cli->db, date ? &asof : NULL, level, &l) != DVC_OK)
		return cli_fail_lib("agency list");
	if (cli->json) {
		char *j;
		int rc = cli_emit_view(dvc_agency_list_json(l, &j), &j, "agency list");
		dvc_agency_list_free(l);
		return rc;
	}
	for (size_t i = 0; i < dvc_agency_list_count(l); i++) {
		const dvc_agency *a = dvc_agency_list_at(l, i);
		printf("%-20s %-9s %-10s ", a->code, a->level, a->kind ? a->kind : "-");
		print_validity(a);
		printf("  %s\n", a->name);
	}
	printf("%zu agencies\n", dvc_agency_list_count(l));
	dvc_agency_list_free(l);
	return 0;
}

static void print_links(const char *title, const dvc_succession *l, size_t n, int successors)
{
	printf("%s:%s\n", title, n ? "" : " none");
	for (size_t i = 0; i < n; i++) {
		printf("  %s  from ", successors ? l[i].successor : l[i].predecessor);
		print_date(&l[i].date);
		printf("  %s\n", l[i].act);
		if (l[i].note)
			printf("    %s\n", l[i].note);
	}
}

static int agency_show(dvc_cli *cli, int argc, char **argv)
{
	dvc_agency *a;
	if (argc != 2)
		return cli_fail("usage: dvc agency show CODE");
	if (!cli_db(cli))
		return 1;
	if (dvc_agency_get(cli->db, argv[1], &a) != DVC_OK)
		return cli_fail_lib(argv[1]);
	if (cli->json) {
		char *j;
		int rc = cli_emit_view(dvc_agency_json(a, &j), &j, argv[1]);
		dvc_agency_free(a);
		return rc;
	}
	printf("%s  %s\n", a->code, a->name);
	printf("level %s, kind %s, parent %s\nin force ", a->level, a->kind ? a->kind : "-",
	       a->parent ? a->parent : "-");
	print_validity(a);
	printf("\n");
	print_links("predecessors", a->predecessors, a->n_predecessors, 0);
	print_links("successors", a->successors, a->n_successors, 1);
	dvc_agency_free(a);
	return 0;
}

static int agency_cutover(dvc_cli *cli, int argc, char **argv)
{
	const char *date = cli_option(&argc, argv, "--asof");
	dvc_cutover_report *r;
	dvc_date asof;
	size_t n;
	(void)argv;
	if (argc != 1)
		return cli_fail("usage: dvc agency cutover [--asof DATE]");
	if (date && dvc_date_parse(date, &asof) != DVC_OK)
		return cli_fail_lib("--asof");
	if (!cli_db(cli))
		return 1;
	if (dvc_agency_cutover(cli->db, date ? &asof : NULL, &r) != DVC_OK)
		return cli_fail_lib("agency cutover");
	if (cli->json) {
		char *j;
		int rc = cli_emit_view(dvc_cutover_report_json(r, &j), &j, "agency cutover");
		dvc_cutover_report_free(r);
		return rc;
	}
	n = dvc_cutover_report_count(r);
	for (size_t i = 0; i < n; i++) {
		const dvc_cutover_move *m = dvc_cutover_report_at(r, i);
		if (m->to)
			printf("moved %s: %s -> %s (desk %s; %s)\n", m->dossier, m->from, m->to, m->desk,
			       m->act ? m->act : "act unknown");
		else
			printf("NOT moved %s: %s\n", m->dossier, m->reason);
	}
	printf("cutover as of ");
	asof = dvc_cutover_report_asof(r);
	print_date(&asof);
	printf(": %zu moved, %zu not moved\n", dvc_cutover_report_moved(r), n - dvc_cutover_report_moved(r));
	dvc_cutover_report_free(r);
	return 0;
}

int cmd_agency(dvc_cli *cli, int argc, char **argv)
{
	static const cli_sub subs[] = {{"list", agency_list}, {"show", agency_show},
		{"cutover", agency_cutover}, {NULL, NULL}};
	return cli_subcommand(cli, argc, argv, "agency", subs);
}
