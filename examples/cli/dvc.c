/* dvc — command-line front end of libdvc. Thin: parsing arguments and
 * printing; every rule lives in the library. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("dvc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int cli_fail_lib(const char *what)
{
	const dvc_error *e = dvc_error_last();
	if (e->path)
		return cli_fail("%s: %s (%s, at %s)", what, e->message, dvc_status_name(e->code), e->path);
	return cli_fail("%s: %s (%s)", what, e->message, dvc_status_name(e->code));
}

dvc_db *cli_db(dvc_cli *cli)
{
	if (!cli->db && dvc_open(&cli->db, cli->db_path, NULL) != DVC_OK) {
		cli_fail_lib("cannot open the store");
		return NULL;
	}
	return cli->db;
}

static void remove_args(int *argc, char **argv, int at, int count)
{
	memmove(argv + at, argv + at + count, (size_t)(*argc - at - count + 1) * sizeof *argv);
	*argc -= count;
}

bool cli_flag(int *argc, char **argv, const char *name)
{
	for (int i = 1; i < *argc; i++)
		if (strcmp(argv[i], name) == 0) {
			remove_args(argc, argv, i, 1);
			return true;
		}
	return false;
}

const char *cli_option(int *argc, char **argv, const char *name)
{
	size_t n = strlen(name);
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], name) == 0 && i + 1 < *argc) {
			const char *v = argv[i + 1];
			remove_args(argc, argv, i, 2);
			return v;
		}
		if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') {
			const char *v = argv[i] + n + 1;
			remove_args(argc, argv, i, 1);
			return v;
		}
	}
	return NULL;
}

static int cmd_version(dvc_cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (cli->json)
		printf("{\"version\":\"%s\",\"schema\":%d}\n", dvc_version(), DVC_SCHEMA_VERSION);
	else
		printf("dvc %s (schema %d)\n", dvc_version(), DVC_SCHEMA_VERSION);
	return 0;
}

int cmd_init(dvc_cli *cli, int argc, char **argv)
{
	int v = 0;
	(void)argc;
	(void)argv;
	if (!cli_db(cli))
		return 1;
	if (dvc_schema_version(cli->db, &v) != DVC_OK)
		return cli_fail_lib("init");
	if (cli->json)
		printf("{\"db\":\"%s\",\"schema\":%d}\n", cli->db_path, v);
	else
		printf("store %s ready (schema version %d)\n", cli->db_path, v);
	return 0;
}

/* The command table: add a row to add a command group. */
static const struct command {
	const char *name;
	dvc_cli_fn fn;
	const char *usage;
} commands[] = {
	{"init", cmd_init, "init                      create or migrate the store"},
	{"catalog", cmd_catalog, "catalog import FILE | export --format json|xml | search TEXT"
				 " [--sector S] [--level L] [--online N] [--agency A] | stats"},
	{"procedure", cmd_procedure, "procedure show CODE [--version N] [--asof DATE]"},
	{"calendar", cmd_calendar, "calendar lunar DATE | solar LUNAR-DATE [--leap] | holidays YEAR"
				   " | add INSTANT N(d|h) | between INSTANT INSTANT"},
	{"account", cmd_account, "account register USERNAME --password P --name N --citizen-id ID"
				 " --birth-date D --address A [--phone P] [--email E]"
				 " | show USERNAME | login USERNAME --password P"},
	{"officer", cmd_officer, "officer add USERNAME --name N --unit AGENCY-CODE"
				 " --role reception|specialist|unit_leader|signing_leader|admin"
				 " | show USERNAME"},
	{"dossier", cmd_dossier, "dossier submit PROCEDURE [--channel online|counter|post]"
				 " [--account U | --name N --citizen-id ID --birth-date D --address A"
				 " [--phone P] [--email E]] [--form JSON|@FILE] [--draft] [--officer U]\n"
				 "  dossier act CODE ACTION (--officer U | --account U | --secret S)"
				 " [--note T] [--target X] [--new-due INSTANT] [--expect-version N]"
				 " [--delivery counter|post|online] [--payload TEXT]\n"
				 "  dossier track|history CODE (--officer U | --account U | --secret S)\n"
				 "  dossier verify [CODE]\n"
				 "  dossier list [--state S] [--unit U] [--overdue] [--stuck] [--limit N]"},
	{"payment", cmd_payment, "payment request CODE | callback QUERY-STRING | sign QUERY-STRING\n"
				 "                            (gateway secret from DVC_GATEWAY_SECRET,"
				 " name from DVC_GATEWAY)"},
	{"outbox", cmd_outbox, "outbox list [CODE] | drain [--limit N] [--fail]"},
	{"slip", cmd_slip, "slip CODE receipt|supplement|refusal|apology|control --format html|xml"
			   "   forms 01-05 of Circular 01/2018/TT-VPCP"},
	{"register", cmd_register, "register [--from DATE --to DATE] [--unit AGENCY] --format html|xml"
				   "   the tracking register, form 06"},
	{"report", cmd_report, "report [--from DATE] [--to DATE] [--group none|sector|agency|procedure|channel"
			       "|level|month] [--asof INSTANT]\n"
			       "  report bottlenecks [--asof INSTANT] | index [--from DATE] [--to DATE]"
			       " | register [--from DATE] [--to DATE]   (CSV)"},
	{"gen", cmd_gen, "gen --year YEAR [--scale N] [--seed S] [--data DIR]   a simulated year of dossiers"},
	{"statemachine", cmd_statemachine, "statemachine [--dot]       the lifecycle table, or a Graphviz digraph"},
	{"demo", cmd_demo, "demo [DATA-DIR]            the Kiến Thụy seed story on the --db store"},
	{"version", cmd_version, "version"},
};

static void usage(FILE *f)
{
	fputs("usage: dvc [--db FILE] [--json] COMMAND ...\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %s\n", commands[i].usage);
}

int main(int argc, char **argv)
{
	dvc_cli cli = {"./dvc.db", false, NULL};
	const char *db;
	int rc;

	if ((db = cli_option(&argc, argv, "--db")))
		cli.db_path = db;
	cli.json = cli_flag(&argc, argv, "--json");
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			rc = commands[i].fn(&cli, argc - 1, argv + 1);
			dvc_close(cli.db);
			return rc;
		}
	}
	cli_fail("unknown command '%s' (try dvc --help)", argv[1]);
	return 2;
}
