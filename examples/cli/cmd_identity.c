/* dvc identity ...: national identities linked to accounts (identity.h).
 *
 *   dvc identity link USERNAME --claims FILE|- --issuer URL --assurance 1|2 [--actor A]
 *   dvc identity unlink USERNAME --reason R [--actor A]
 *   dvc identity show USERNAME
 *
 * --claims is the userinfo document the front end received after checking
 * the ID token; the library validates it and links it, or names what is
 * wrong. The default actor is "cli".
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDENTITY_USAGE                                                                         \
	"usage: dvc identity link USERNAME --claims FILE|- --issuer URL --assurance 1|2 "      \
	"[--actor A] | unlink USERNAME --reason R [--actor A] | show USERNAME"

/* The whole of FILE (or stdin for "-"), at most DVC_NATIONAL_CLAIMS_MAX + 1
 * bytes so that the library refuses an oversized one itself. */
static char *read_claims(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf;
	if (!f) {
		cli_fail("cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	if (!(buf = malloc(DVC_NATIONAL_CLAIMS_MAX + 2))) {
		cli_fail("out of memory");
	} else {
		*len = fread(buf, 1, DVC_NATIONAL_CLAIMS_MAX + 1, f);
		if (ferror(f)) {
			cli_fail("cannot read %s", path);
			free(buf);
			buf = NULL;
		} else {
			buf[*len] = '\0';
		}
	}
	if (f != stdin)
		fclose(f);
	return buf;
}

static int identity_link(dvc_cli *cli, int argc, char **argv)
{
	const char *claims = cli_option(&argc, argv, "--claims");
	const char *issuer = cli_option(&argc, argv, "--issuer");
	const char *assurance = cli_option(&argc, argv, "--assurance");
	const char *actor = cli_option(&argc, argv, "--actor");
	dvc_claims_opts o = DVC_CLAIMS_OPTS_INIT;
	char *buf, *json;
	size_t len;
	int rc;
	if (argc != 2 || !claims || !issuer || !assurance)
		return cli_fail(IDENTITY_USAGE);
	if (strcmp(assurance, "1") != 0 && strcmp(assurance, "2") != 0)
		return cli_fail("--assurance must be 1 or 2 (Decree 69/2024/NĐ-CP)");
	o.issuer = issuer;
	o.assurance = assurance[0] - '0';
	if (!cli_db(cli) || !(buf = read_claims(claims, &len)))
		return 1;
	rc = dvc_identity_link_claims(cli->db, argv[1], buf, len, &o, actor ? actor : "cli");
	free(buf);
	if (rc != DVC_OK)
		return cli_fail_lib(argv[1]);
	if (cli->json)
		return cli_emit_view(dvc_identity_json(cli->db, argv[1], &json), &json, argv[1]);
	printf("account %s linked to national identity (assurance level %c)\n", argv[1], assurance[0]);
	return 0;
}

static int identity_unlink(dvc_cli *cli, int argc, char **argv)
{
	const char *reason = cli_option(&argc, argv, "--reason");
	const char *actor = cli_option(&argc, argv, "--actor");
	char *json;
	if (argc != 2 || !reason)
		return cli_fail(IDENTITY_USAGE);
	if (!cli_db(cli))
		return 1;
	if (dvc_identity_unlink(cli->db, argv[1], actor ? actor : "cli", reason) != DVC_OK)
		return cli_fail_lib(argv[1]);
	if (cli->json)
		return cli_emit_view(dvc_identity_json(cli->db, argv[1], &json), &json, argv[1]);
	printf("account %s unlinked from its national identity\n", argv[1]);
	return 0;
}

static int identity_show(dvc_cli *cli, int argc, char **argv)
{
	dvc_national_identity *id;
	char *json, when[DVC_TIME_FORMAT_SIZE];
	int rc;
	if (cli_one_arg(cli, argc, IDENTITY_USAGE))
		return 1;
	if (cli->json)
		return cli_emit_view(dvc_identity_json(cli->db, argv[1], &json), &json, argv[1]);
	rc = dvc_identity_get(cli->db, argv[1], &id);
	if (rc == DVC_ENOTFOUND) {
		printf("account %s: no linked national identity\n", argv[1]);
		return 0;
	}
	if (rc != DVC_OK)
		return cli_fail_lib(argv[1]);
	cli_time_str(id->verified_at, when);
	printf("account %s: national identity %s (issuer %s)\n", argv[1], id->subject, id->issuer);
	printf("  personal ID: %s\n", id->personal_id);
	printf("  assurance:   level %d, verified %s\n", id->assurance, when);
	printf("  verified:    %s%s%s\n", id->verified_fields & DVC_VERIFIED_FULL_NAME ? "full_name " : "",
	       id->verified_fields & DVC_VERIFIED_CITIZEN_ID ? "citizen_id " : "",
	       id->verified_fields & DVC_VERIFIED_BIRTH_DATE ? "birth_date" : "");
	dvc_identity_free(id);
	return 0;
}

int cmd_identity(dvc_cli *cli, int argc, char **argv)
{
	static const cli_sub subs[] = {{"link", identity_link}, {"unlink", identity_unlink},
		{"show", identity_show}, {NULL, NULL}};
	return cli_subcommand(cli, argc, argv, "identity", subs);
}
