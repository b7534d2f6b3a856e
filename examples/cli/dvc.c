/* dvc — command-line front end of libdvc. Thin: parsing arguments and
 * printing; every rule lives in the library. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

const char cli_name[] = "dvc";

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
				 " [--sector S] [--level L] [--online N] [--agency A] [--limit N] [--asof DATE]"
				 " | stats [--asof DATE]"},
	{"agency", cmd_agency, "agency list [--asof DATE] [--level L] | show CODE | cutover [--asof DATE]"},
	{"procedure", cmd_procedure, "procedure show CODE [--version N] [--asof DATE]"},
	{"calendar", cmd_calendar, "calendar lunar DATE | solar LUNAR-DATE [--leap] | holidays YEAR"
				   " | add INSTANT N(d|h) | between INSTANT INSTANT"},
	{"account", cmd_account, "account register USERNAME --password P --name N --citizen-id ID"
				 " --birth-date D --address A [--phone P] [--email E]"
				 " | show USERNAME | login USERNAME --password P"},
	{"identity", cmd_identity, "identity link USERNAME --claims FILE|- --issuer URL --assurance 1|2"
				   " [--actor A] | unlink USERNAME --reason R [--actor A] | show USERNAME"},
	{"national", cmd_national, "national enable | disable | code PROCEDURE [--version N]"
				   " (NATIONAL-CODE | --remove) | list [DOSSIER] | report"
				   " | replay [--id N | DOSSIER]"},
	{"officer", cmd_officer, "officer add USERNAME --name N --unit AGENCY-CODE"
				 " --role reception|specialist|unit_leader|signing_leader|admin"
				 " | show USERNAME | secret USERNAME < SECRET | login USERNAME < SECRET"},
	{"dossier", cmd_dossier, "dossier submit PROCEDURE [--channel online|counter|post]"
				 " [--account U | --name N --citizen-id ID --birth-date D --address A"
				 " [--phone P] [--email E]] [--form JSON|@FILE] [--draft] [--officer U]"
				 " [--desk AGENCY] [--place AGENCY|ADDRESS] [--national-signin]\n"
				 "  dossier act CODE ACTION (--officer U | --account U | --secret S)"
				 " [--note T] [--target X] [--new-due INSTANT] [--expect-version N]"
				 " [--delivery counter|post|online] [--payload TEXT]\n"
				 "  dossier track|history CODE (--officer U | --account U | --secret S)\n"
				 "  dossier verify [CODE]\n"
				 "  dossier list [--state S] [--unit U] [--overdue] [--stuck] [--limit N]\n"
				 "  dossier attach CODE COMPONENT FILE ACTOR [--name N] [--form original|copy|ecopy]"
				 " [--replace ID | --supplement] [--result] | CODE COMPONENT --reuse ID --account U\n"
				 "  dossier files CODE ACTOR | download CODE FILE-ID ACTOR [--out PATH]\n"
				 "  dossier sign CODE --officer U [--key FILE --cert FILE]   the result, XML-DSig\n"
				 "  dossier rate CODE (--account U | --secret S) --score overall=N"
				 " [--score CRITERION=N ...] [--comment T]\n"
				 "  dossier rating CODE (--officer U | --account U | --secret S)\n"
				 "  dossier access-log [CODE] [--officer U] [--from INSTANT] [--to INSTANT]"
				 " [--limit N]   officers' reads of personal data\n"
				 "  dossier erase CODE --officer ADMIN [--retention-days N]"
				 "   a closed dossier's personal data, past retention"},
	{"payment", cmd_payment, "payment request CODE | callback QUERY-STRING | sign QUERY-STRING | review\n"
				 "                            (gateway secret from DVC_GATEWAY_SECRET,"
				 " name from DVC_GATEWAY)"},
	{"outbox", cmd_outbox, "outbox list [CODE] | drain [--limit N] [--fail]"},
	{"slip", cmd_slip, "slip CODE receipt|supplement|refusal|apology|control --format html|xml"
			   " [--sign [--key FILE --cert FILE]]   forms 01-05 of Circular 01/2018/TT-VPCP"},
	{"register", cmd_register, "register [--from DATE --to DATE] [--unit AGENCY] --format html|xml"
				   "   the tracking register, form 06"},
	{"report", cmd_report, "report [--from DATE] [--to DATE] [--group none|sector|agency|procedure|channel"
			       "|level|month] [--asof INSTANT]\n"
			       "  report bottlenecks [--asof INSTANT] | index [--from DATE] [--to DATE]"
			       " | register [--from DATE] [--to DATE]   (CSV)"},
	{"proof", cmd_proof, "proof keygen FILE | key FILE        a journal key (DVC_JOURNAL_KEY), its public half\n"
			     "  proof export CODE > FILE          the dossier's proof bundle\n"
			     "  proof seal [CODE]                 sign checkpoints over unsigned or legacy journals\n"
			     "  proof verify FILE [--trust FILE] [--require-signed]   offline, no store\n"
			     "                            (journal key from DVC_JOURNAL_KEY, trusted keys from"
			     " DVC_JOURNAL_TRUST)"},
	{"statemachine", cmd_statemachine, "statemachine [--dot]       the lifecycle table, or a Graphviz digraph"},
	{"demo", cmd_demo, "demo [DATA-DIR]            the Kiến Thụy seed story on the --db store\n"
			   "                            (data: DATA-DIR, else $DVC_DATA_DIR, else the installed one)"},
	{"version", cmd_version, "version"},
};

/* Commands that open no store: nothing in them reads the clock --now sets. */
static bool clockless(const char *command)
{
	static const char *const names[] = {"calendar", "statemachine", "version"};
	/* proof keygen/key/verify open no store either; export does */
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(command, names[i]) == 0)
			return true;
	return false;
}

static void usage(FILE *f)
{
	fputs("usage: dvc [--db FILE] [--json] [--now INSTANT] COMMAND ...\n"
	      "  --now INSTANT   the store's clock stands still at INSTANT (2018-07-02T08:00:00+07:00,\n"
	      "                  or a date: 00:00 +07:00) for every command that reads it\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %s\n", commands[i].usage);
}

int main(int argc, char **argv)
{
	dvc_cli cli = {"./dvc.db", false, NULL, 0};
	const char *db, *now;
	int rc;

	if ((db = cli_option(&argc, argv, "--db")))
		cli.db_path = db;
	cli.json = cli_flag(&argc, argv, "--json");
	if ((now = cli_option(&argc, argv, "--now"))) {
		if (cli_parse_instant(now, "--now", &cli.now))
			return 2;
		if (cli.now <= 0)
			return cli_fail("--now must be after 1970-01-01T00:00:00Z"), 2;
	}
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			if (cli.now && clockless(argv[1]))
				return cli_fail("%s reads no clock: --now does not apply", argv[1]), 2;
			rc = commands[i].fn(&cli, argc - 1, argv + 1);
			dvc_close(cli.db);
			return rc;
		}
	}
	cli_fail("unknown command '%s' (try dvc --help)", argv[1]);
	return 2;
}
