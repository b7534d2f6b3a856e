/* dvc account ... and dvc officer ...
 *
 *   dvc account register USERNAME --password P --name N --citizen-id ID
 *       --birth-date D --address A [--phone P] [--email E]
 *   dvc account show USERNAME
 *   dvc account login USERNAME --password P      exit 0 when the password is right
 *   dvc officer add USERNAME --name N --unit AGENCY-CODE --role ROLE
 *   dvc officer show USERNAME
 *   dvc officer secret USERNAME  < SECRET   give the officer a credential (first line of stdin)
 *   dvc officer login USERNAME   < SECRET   exit 0 when it is right
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#define ACCOUNT_USAGE                                                                          \
	"usage: dvc account register USERNAME --password P --name N --citizen-id ID "          \
	"--birth-date YYYY-MM-DD --address A [--phone P] [--email E] | show USERNAME | "       \
	"login USERNAME --password P"
#define OFFICER_USAGE                                                                          \
	"usage: dvc officer add USERNAME --name N --unit AGENCY-CODE "                         \
	"--role reception|specialist|unit_leader|signing_leader|admin | show USERNAME | "          \
	"secret USERNAME < SECRET | login USERNAME < SECRET"

/* register's and login's --json answer: {"username": U, "<what>": true} */
static int emit_done(const char *username, const char *what)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "username", username);
	cJSON_AddBoolToObject(o, what, 1);
	return cli_emit_json(o);
}

static int account_register(dvc_cli *cli, int argc, char **argv)
{
	dvc_applicant a = {0};
	const char *password = cli_option(&argc, argv, "--password");
	cli_take_applicant(&argc, argv, &a);
	if (argc != 2 || !password || !a.full_name || !a.citizen_id || !a.birth_date || !a.address)
		return cli_fail(ACCOUNT_USAGE);
	if (!cli_db(cli))
		return 1;
	if (dvc_account_register(cli->db, argv[1], password, &a) != DVC_OK)
		return cli_fail_lib(argv[1]);
	if (cli->json)
		return emit_done(argv[1], "registered");
	printf("account %s registered\n", argv[1]);
	return 0;
}

static int account_show(dvc_cli *cli, int argc, char **argv)
{
	dvc_account *a;
	char created[DVC_TIME_FORMAT_SIZE];
	int rc = 0;
	if (cli_one_arg(cli, argc, ACCOUNT_USAGE))
		return 1;
	if (dvc_account_get(cli->db, argv[1], &a) != DVC_OK)
		return cli_fail_lib(argv[1]);
	cli_time_str(a->created_at, created);
	if (cli->json) {
		char *j;
		rc = cli_emit_view(dvc_account_json(a, &j), &j, argv[1]);
	} else {
		printf("account %s (created %s)\n", a->username, created);
		printf("  name:       %s\n", a->profile.full_name ? a->profile.full_name : "-");
		printf("  citizen ID: %s\n", a->profile.citizen_id ? a->profile.citizen_id : "-");
		printf("  born:       %s\n", a->profile.birth_date ? a->profile.birth_date : "-");
		printf("  address:    %s\n", a->profile.address ? a->profile.address : "-");
		printf("  phone:      %s\n", a->profile.phone ? a->profile.phone : "-");
		printf("  e-mail:     %s\n", a->profile.email ? a->profile.email : "-");
	}
	dvc_account_free(a);
	return rc;
}

static int account_login(dvc_cli *cli, int argc, char **argv)
{
	const char *password = cli_option(&argc, argv, "--password");
	if (argc != 2 || !password)
		return cli_fail(ACCOUNT_USAGE);
	if (!cli_db(cli))
		return 1;
	if (dvc_account_login(cli->db, argv[1], password) != DVC_OK)
		return cli_fail_lib(argv[1]);
	if (cli->json)
		return emit_done(argv[1], "authenticated");
	printf("login ok: %s\n", argv[1]);
	return 0;
}

int cmd_account(dvc_cli *cli, int argc, char **argv)
{
	static const cli_sub subs[] = {{"register", account_register}, {"show", account_show},
		{"login", account_login}, {"files", cli_account_files}, {NULL, NULL}};
	return cli_subcommand(cli, argc, argv, "account", subs);
}

static int officer_add(dvc_cli *cli, int argc, char **argv)
{
	const char *name = cli_option(&argc, argv, "--name");
	const char *unit = cli_option(&argc, argv, "--unit");
	const char *role_s = cli_option(&argc, argv, "--role");
	dvc_role role;
	if (argc != 2 || !name || !unit || !role_s)
		return cli_fail(OFFICER_USAGE);
	if (dvc_role_parse(role_s, &role) != DVC_OK)
		return cli_fail_lib("--role");
	if (!cli_db(cli))
		return 1;
	if (dvc_officer_add(cli->db, argv[1], name, unit, role) != DVC_OK)
		return cli_fail_lib(argv[1]);
	if (cli->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "username", argv[1]);
		cJSON_AddStringToObject(o, "unit", unit);
		cJSON_AddStringToObject(o, "role", dvc_role_name(role));
		return cli_emit_json(o);
	}
	printf("officer %s added: %s at %s\n", argv[1], dvc_role_name(role), unit);
	return 0;
}

static int officer_show(dvc_cli *cli, int argc, char **argv)
{
	dvc_officer *o;
	int rc = 0;
	if (cli_one_arg(cli, argc, OFFICER_USAGE))
		return 1;
	if (dvc_officer_get(cli->db, argv[1], &o) != DVC_OK)
		return cli_fail_lib(argv[1]);
	if (cli->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "username", o->username);
		cJSON_AddStringToObject(j, "full_name", o->full_name);
		cJSON_AddStringToObject(j, "unit", o->unit);
		cJSON_AddStringToObject(j, "role", dvc_role_name(o->role));
		rc = cli_emit_json(j);
	} else {
		printf("officer %s: %s, %s at %s\n", o->username, o->full_name,
		       dvc_role_name(o->role), o->unit);
	}
	dvc_officer_free(o);
	return rc;
}

/* The officer's credential from the first line of stdin, never from the
 * command line (which other users of the machine can read). */
static int read_secret(char *buf, size_t n)
{
	size_t len;
	if (!fgets(buf, (int)n, stdin))
		return cli_fail("the secret is read from the first line of standard input");
	len = strcspn(buf, "\r\n");
	if (buf[len] == '\0' && len == n - 1)
		return cli_fail("the secret is longer than %zu bytes", n - 2);
	buf[len] = '\0';
	return 0;
}

/* secret and login: both read the secret and then call `fn`. */
static int officer_secret_call(dvc_cli *cli, int argc, char **argv, int login)
{
	char secret[1026];
	int rc;
	if (cli_one_arg(cli, argc, OFFICER_USAGE) || read_secret(secret, sizeof secret))
		return 1;
	rc = login ? dvc_officer_login_from(cli->db, argv[1], secret, NULL)
		   : dvc_officer_set_secret(cli->db, argv[1], secret);
	memset(secret, 0, sizeof secret);
	if (rc != DVC_OK)
		return cli_fail_lib(argv[1]);
	if (cli->json)
		return emit_done(argv[1], login ? "authenticated" : "secret_set");
	printf(login ? "login ok: %s\n" : "credential set: %s\n", argv[1]);
	return 0;
}

static int officer_secret(dvc_cli *cli, int argc, char **argv)
{
	return officer_secret_call(cli, argc, argv, 0);
}

static int officer_login(dvc_cli *cli, int argc, char **argv)
{
	return officer_secret_call(cli, argc, argv, 1);
}

int cmd_officer(dvc_cli *cli, int argc, char **argv)
{
	static const cli_sub subs[] = {{"add", officer_add}, {"show", officer_show},
		{"secret", officer_secret}, {"login", officer_login}, {NULL, NULL}};
	return cli_subcommand(cli, argc, argv, "officer", subs);
}
