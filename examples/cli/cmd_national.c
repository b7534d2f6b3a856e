/* dvc national ...: dossier sync to the National Public Service Portal
 * (national.h).
 *
 *   dvc national enable | disable
 *   dvc national code PROCEDURE [--version N] (NATIONAL-CODE | --remove)
 *   dvc national list [DOSSIER-CODE]        the queue, in order
 *   dvc national report                     what the portal has not acknowledged
 *   dvc national replay [--id N | DOSSIER-CODE]   send dead and blocked messages again
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NATIONAL_USAGE                                                                         \
	"usage: dvc national enable | disable | code PROCEDURE [--version N] "                 \
	"(NATIONAL-CODE | --remove) | list [DOSSIER-CODE] | report | replay [--id N | DOSSIER-CODE]"

static int national_switch(dvc_cli *cli, int argc, char **argv)
{
	int on = strcmp(argv[0], "enable") == 0;
	if (argc != 1)
		return cli_fail(NATIONAL_USAGE);
	if (!cli_db(cli))
		return 1;
	if (dvc_national_sync_enable(cli->db, on) != DVC_OK)
		return cli_fail_lib(argv[0]);
	if (cli->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "sync", on);
		return cli_emit_json(o);
	}
	printf("national sync %s\n", on ? "on" : "off");
	return 0;
}

static int national_code(dvc_cli *cli, int argc, char **argv)
{
	const char *version = cli_option(&argc, argv, "--version");
	bool remove = cli_flag(&argc, argv, "--remove");
	char *end = NULL;
	long v = version ? strtol(version, &end, 10) : 0;
	if ((remove ? argc != 2 : argc != 3) || (version && (*end || v < 1 || v > 1000000)))
		return cli_fail(NATIONAL_USAGE);
	if (!cli_db(cli))
		return 1;
	if (dvc_national_code_set(cli->db, argv[1], (int)v, remove ? NULL : argv[2]) != DVC_OK)
		return cli_fail_lib(argv[1]);
	if (cli->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "procedure", argv[1]);
		cJSON_AddNumberToObject(o, "version", (double)v);
		if (remove)
			cJSON_AddNullToObject(o, "national_code");
		else
			cJSON_AddStringToObject(o, "national_code", argv[2]);
		return cli_emit_json(o);
	}
	printf("%s%s%s: %s\n", argv[1], version ? " version " : "", version ? version : "",
	       remove ? "no national code" : argv[2]);
	return 0;
}

static int national_list(dvc_cli *cli, int argc, char **argv)
{
	dvc_sync_batch *b;
	const char *code;
	cJSON *arr = NULL;
	if (cli_optional_arg(cli, argc, argv, NATIONAL_USAGE, &code))
		return 1;
	if (dvc_sync_list(cli->db, code, &b) != DVC_OK)
		return cli_fail_lib(code ? code : "national list");
	if (cli->json)
		arr = cJSON_CreateArray();
	for (size_t i = 0; i < dvc_sync_batch_count(b); i++) {
		const dvc_sync_message *m = dvc_sync_batch_at(b, i);
		if (arr) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "id", (double)m->id);
			cJSON_AddStringToObject(o, "idempotency_key", m->idempotency_key);
			cJSON_AddStringToObject(o, "dossier", m->dossier);
			cJSON_AddNumberToObject(o, "status", m->status);
			cJSON_AddStringToObject(o, "state", dvc_sync_state_name(m->state));
			cJSON_AddNumberToObject(o, "attempts", m->attempts);
			cJSON_AddItemToObject(o, "payload", cJSON_Parse(m->payload));
			if (m->last_error)
				cJSON_AddStringToObject(o, "last_error", m->last_error);
			else
				cJSON_AddNullToObject(o, "last_error");
			cJSON_AddItemToArray(arr, o);
		} else {
			printf("%lld %s status %d %s (%d attempts)%s%s\n", (long long)m->id, m->dossier,
			       m->status, dvc_sync_state_name(m->state), m->attempts,
			       m->last_error ? ": " : "", m->last_error ? m->last_error : "");
		}
	}
	dvc_sync_batch_free(b);
	return arr ? cli_emit_json(arr) : 0;
}

static int national_report(dvc_cli *cli, int argc, char **argv)
{
	char *json;
	if (argc != 1)
		return cli_fail(NATIONAL_USAGE);
	if (!cli_db(cli))
		return 1;
	if (cli->json)
		return cli_emit_view(dvc_sync_report_json(cli->db, &json), &json, argv[0]);
	if (dvc_sync_report_json(cli->db, &json) != DVC_OK)
		return cli_fail_lib(argv[0]);
	/* the text form: the same facts, one line each */
	cJSON *r = cJSON_Parse(json), *m;
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(r, "counts"), *e;
	dvc_free(json);
	printf("not acknowledged by the national portal:");
	cJSON_ArrayForEach(e, c)
		printf(" %s %d", e->string, (int)e->valuedouble);
	printf("\n");
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(r, "messages")) {
		const cJSON *err = cJSON_GetObjectItemCaseSensitive(m, "last_error");
		printf("  %d %s status %d %s%s%s\n",
		       (int)cJSON_GetObjectItemCaseSensitive(m, "id")->valuedouble,
		       cJSON_GetObjectItemCaseSensitive(m, "dossier")->valuestring,
		       (int)cJSON_GetObjectItemCaseSensitive(m, "status")->valuedouble,
		       cJSON_GetObjectItemCaseSensitive(m, "state")->valuestring,
		       cJSON_IsString(err) ? ": " : "", cJSON_IsString(err) ? err->valuestring : "");
	}
	cJSON_Delete(r);
	return 0;
}

static int national_replay(dvc_cli *cli, int argc, char **argv)
{
	const char *id_s = cli_option(&argc, argv, "--id");
	char *end = NULL;
	long long id = id_s ? strtoll(id_s, &end, 10) : 0;
	size_t n = 0;
	if (argc > 2 || (id_s && (*end || id < 1 || argc != 1)))
		return cli_fail(NATIONAL_USAGE);
	if (!cli_db(cli))
		return 1;
	if (dvc_sync_replay(cli->db, id, argc == 2 ? argv[1] : NULL, &n) != DVC_OK)
		return cli_fail_lib("national replay");
	if (cli->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "replayed", (double)n);
		return cli_emit_json(o);
	}
	printf("%zu message%s queued again\n", n, n == 1 ? "" : "s");
	return 0;
}

int cmd_national(dvc_cli *cli, int argc, char **argv)
{
	static const cli_sub subs[] = {{"enable", national_switch}, {"disable", national_switch},
		{"code", national_code}, {"list", national_list}, {"report", national_report},
		{"replay", national_replay}, {NULL, NULL}};
	return cli_subcommand(cli, argc, argv, "national", subs);
}
