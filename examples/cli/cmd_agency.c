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

/* What list and cutover share: no argument but --asof DATE (taken out of
 * argv into *asof when given) and the store open; 0, or 1 when refused. */
static int asof_only(dvc_cli *cli, int argc, const char *date, const char *usage, dvc_date *asof)
{
	if (argc != 1)
		return cli_fail("usage: %s", usage);
	if (date && dvc_date_parse(date, asof) != DVC_OK)
		return cli_fail_lib("--asof");
	return cli_db(cli) ? 0 : 1;
}

/* Each result as the library's JSON with --json, else as text. */

static int show_list(const dvc_cli *cli, const dvc_agency_list *l)
{
	char *j;
	if (cli->json)
		return cli_emit_view(dvc_agency_list_json(l, &j), &j, "agency list");
	for (size_t i = 0; i < dvc_agency_list_count(l); i++) {
		const dvc_agency *a = dvc_agency_list_at(l, i);
		printf("%-20s %-9s %-10s ", a->code, a->level, a->kind ? a->kind : "-");
		print_validity(a);
		printf("  %s\n", a->name);
	}
	printf("%zu agencies\n", dvc_agency_list_count(l));
	return 0;
}

static int agency_list(dvc_cli *cli, int argc, char **argv)
{
	const char *date = cli_option(&argc, argv, "--asof");
	const char *level = cli_option(&argc, argv, "--level");
	dvc_agency_list *l;
	dvc_date asof;
	int rc;
	if (asof_only(cli, argc, date, "dvc agency list [--asof DATE] [--level L]", &asof))
		return 1;
	if (dvc_agency_find(cli->db, date ? &asof : NULL, level, &l) != DVC_OK)
		return cli_fail_lib("agency list");
	rc = show_list(cli, l);
	dvc_agency_list_free(l);
	return rc;
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

static int show_agency(const dvc_cli *cli, const dvc_agency *a, const char *code)
{
	char *j;
	if (cli->json)
		return cli_emit_view(dvc_agency_json(a, &j), &j, code);
	printf("%s  %s\n", a->code, a->name);
	printf("level %s, kind %s, parent %s\nin force ", a->level, a->kind ? a->kind : "-",
	       a->parent ? a->parent : "-");
	print_validity(a);
	printf("\n");
	print_links("predecessors", a->predecessors, a->n_predecessors, 0);
	print_links("successors", a->successors, a->n_successors, 1);
	return 0;
}

static int agency_show(dvc_cli *cli, int argc, char **argv)
{
	dvc_agency *a;
	int rc;
	if (cli_one_arg(cli, argc, "usage: dvc agency show CODE"))
		return 1;
	if (dvc_agency_get(cli->db, argv[1], &a) != DVC_OK)
		return cli_fail_lib(argv[1]);
	rc = show_agency(cli, a, argv[1]);
	dvc_agency_free(a);
	return rc;
}

void cli_print_cutover_moves(const dvc_cutover_report *r, const char *indent)
{
	for (size_t i = 0; i < dvc_cutover_report_count(r); i++) {
		const dvc_cutover_move *m = dvc_cutover_report_at(r, i);
		if (m->to)
			printf("%smoved %s: %s -> %s (desk %s; %s)\n", indent, m->dossier, m->from, m->to,
			       m->desk, m->act ? m->act : "act unknown");
		else
			printf("%sNOT moved %s: %s\n", indent, m->dossier, m->reason);
	}
}

static int show_cutover(const dvc_cli *cli, const dvc_cutover_report *r)
{
	const size_t n = dvc_cutover_report_count(r), moved = dvc_cutover_report_moved(r);
	dvc_date asof;
	char *j;
	if (cli->json)
		return cli_emit_view(dvc_cutover_report_json(r, &j), &j, "agency cutover");
	cli_print_cutover_moves(r, "");
	printf("cutover as of ");
	asof = dvc_cutover_report_asof(r);
	print_date(&asof);
	printf(": %zu moved, %zu not moved\n", moved, n - moved);
	return 0;
}

static int agency_cutover(dvc_cli *cli, int argc, char **argv)
{
	const char *date = cli_option(&argc, argv, "--asof");
	dvc_cutover_report *r;
	dvc_date asof;
	int rc;
	if (asof_only(cli, argc, date, "dvc agency cutover [--asof DATE]", &asof))
		return 1;
	if (dvc_agency_cutover(cli->db, date ? &asof : NULL, &r) != DVC_OK)
		return cli_fail_lib("agency cutover");
	rc = show_cutover(cli, r);
	dvc_cutover_report_free(r);
	return rc;
}

int cmd_agency(dvc_cli *cli, int argc, char **argv)
{
	static const cli_sub subs[] = {{"list", agency_list}, {"show", agency_show},
		{"cutover", agency_cutover}, {NULL, NULL}};
	return cli_subcommand(cli, argc, argv, "agency", subs);
}
