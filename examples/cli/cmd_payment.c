/* dvc payment ...: online payment of fees (level 4) from a shell.
 *
 *   dvc payment request CODE          ask the gateway to collect what is due
 *   dvc payment callback QUERY        process the gateway's signed callback
 *   dvc payment sign QUERY            sign parameters as the gateway would
 *                                     (a gateway simulator for demos and tests)
 *
 * The gateway's shared secret comes from the environment, never from the
 * command line (where `ps` and shell histories would show it):
 * DVC_GATEWAY_SECRET, and DVC_GATEWAY for the gateway's name (default
 * "vnpay"). Checking signatures, amounts, expiry and replays is the
 * library's job; this file parses arguments and prints what it answers. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_GATEWAY "vnpay"

void cli_vnd_str(int64_t amount, char *buf, size_t n)
{
	char grouped[DVC_VND_SIZE];
	dvc_vnd_format(amount, grouped);
	snprintf(buf, n, "%s đồng", grouped);
}

static const char *gateway_secret(void)
{
	const char *s = getenv("DVC_GATEWAY_SECRET");
	return s && *s ? s : NULL;
}

int cli_gateway(dvc_cli *cli)
{
	const char *secret = gateway_secret(), *name = getenv("DVC_GATEWAY");
	if (!secret)
		return cli_fail("no payment gateway: set DVC_GATEWAY_SECRET (and DVC_GATEWAY, default "
				"\"" DEFAULT_GATEWAY "\") in the environment");
	if (!cli_db(cli))
		return 1;
	if (dvc_payment_set_gateway(cli->db, name && *name ? name : DEFAULT_GATEWAY, secret) != DVC_OK)
		return cli_fail_lib("gateway");
	return 0;
}

static int payment_request(dvc_cli *cli, int argc, char **argv)
{
	dvc_payment_request_info r = DVC_PAYMENT_REQUEST_INFO_INIT;
	char amount[48], expires[DVC_TIME_FORMAT_SIZE];
	if (argc != 2)
		return cli_fail("usage: dvc payment request CODE");
	if (cli_gateway(cli))
		return 1;
	if (dvc_payment_request(cli->db, argv[1], &r) != DVC_OK)
		return cli_fail_lib(argv[1]);
	cli_vnd_str(r.amount, amount, sizeof amount);
	cli_time_str(r.expires_at, expires);
	if (cli->json) {
		char *j;
		return cli_emit_view(dvc_payment_request_json(argv[1], &r, &j), &j, argv[1]);
	}
	printf("payment requested for dossier %s\n", argv[1]);
	printf("  reference: %s\n", r.reference);
	printf("  amount:    %s\n", amount);
	printf("  expires:   %s\n", expires);
	return 0;
}

static int payment_callback(dvc_cli *cli, int argc, char **argv)
{
	dvc_payment_result r = DVC_PAYMENT_RESULT_INIT;
	char amount[48];
	if (argc != 2)
		return cli_fail("usage: dvc payment callback QUERY-STRING");
	if (cli_gateway(cli))
		return 1;
	if (dvc_payment_callback(cli->db, argv[1], &r) != DVC_OK)
		return cli_fail_lib("callback");
	cli_vnd_str(r.amount, amount, sizeof amount);
	if (cli->json) {
		char *j;
		return cli_emit_view(dvc_payment_result_json(&r, &j), &j, "callback");
	}
	printf("%s: dossier %s, %s, reference %s\n", dvc_payment_outcome_name(r.outcome), r.dossier, amount,
	       r.reference);
	return 0;
}

static int payment_sign(dvc_cli *cli, int argc, char **argv)
{
	const char *secret = gateway_secret();
	char *signed_q;
	if (argc != 2)
		return cli_fail("usage: dvc payment sign QUERY-STRING");
	if (cli->now)
		return cli_fail("payment sign reads no clock: --now does not apply");
	if (!secret)
		return cli_fail("no payment gateway: set DVC_GATEWAY_SECRET in the environment");
	if (dvc_payment_sign(argv[1], secret, &signed_q) != DVC_OK)
		return cli_fail_lib("sign");
	if (cli->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "query", signed_q);
		dvc_free(signed_q);
		return cli_emit_json(o);
	}
	puts(signed_q);
	dvc_free(signed_q);
	return 0;
}

/* Requests the gateway was paid for but the dossier could not take. */
static int payment_review(dvc_cli *cli, int argc, char **argv)
{
	char *json;
	cJSON *arr, *it;
	(void)argv;
	if (argc != 1)
		return cli_fail("usage: dvc payment review");
	if (!cli_db(cli))
		return 1;
	if (dvc_payment_review_json(cli->db, &json) != DVC_OK)
		return cli_fail_lib("review");
	if (cli->json) {
		puts(json);
		dvc_free(json);
		return 0;
	}
	arr = cJSON_Parse(json);
	dvc_free(json);
	if (!arr)
		return cli_fail("out of memory");
	cJSON_ArrayForEach(it, arr)
	{
		char amount[48];
		const cJSON *txn = cJSON_GetObjectItemCaseSensitive(it, "gateway_txn");
		const cJSON *dossier = cJSON_GetObjectItemCaseSensitive(it, "dossier");
		cli_vnd_str((int64_t)cJSON_GetObjectItemCaseSensitive(it, "amount")->valuedouble, amount,
			    sizeof amount);
		printf("%s  dossier %s  %s  %s  transaction %s  at %s\n",
		       cJSON_GetObjectItemCaseSensitive(it, "reference")->valuestring,
		       cJSON_IsString(dossier) ? dossier->valuestring : "-",
		       cJSON_GetObjectItemCaseSensitive(it, "reason")->valuestring, amount,
		       cJSON_IsString(txn) ? txn->valuestring : "-",
		       cJSON_GetObjectItemCaseSensitive(it, "received_at")->valuestring);
	}
	if (!cJSON_GetArraySize(arr))
		puts("no payment to refund or review");
	cJSON_Delete(arr);
	return 0;
}

int cmd_payment(dvc_cli *cli, int argc, char **argv)
{
	static const cli_sub subs[] = {{"request", payment_request}, {"review", payment_review},
		{"callback", payment_callback}, {"sign", payment_sign},
		{"counter", cli_payment_counter}, {"refund", cli_payment_refund}, {NULL, NULL}};
	return cli_subcommand(cli, argc, argv, "payment", subs);
}
