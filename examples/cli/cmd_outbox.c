/* dvc outbox ...: the notification outbox (SMS and e-mail to applicants).
 *
 *   dvc outbox list [CODE]              every message (of one dossier), any state
 *   dvc outbox drain [--limit N] [--fail]
 *       lease the messages due now, print each in full and mark it sent, or
 *       failed with --fail (to show the back-off without a real gateway)
 *
 * A real sender is examples/notify/dvc-notify-send; `drain` is the same loop
 * with stdout as the gateway. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRAIN_DEFAULT 10
#define DRAIN_MAX 1000
#define FAIL_NOTE "simulated gateway failure (dvc outbox drain --fail)"

/* What identifies a message in a list: the SMS text, or the e-mail subject. */
static const char *headline(const dvc_message *m)
{
	return m->channel == DVC_NOTIFY_EMAIL && m->subject ? m->subject : m->body ? m->body : "";
}

/* Each line of `text` after `bar` ("  |"), with a space before non-empty lines. */
static void print_indented(const char *text, const char *bar)
{
	const char *line = text;
	for (;;) {
		size_t n = strcspn(line, "\n");
		size_t shown = n && line[n - 1] == '\r' ? n - 1 : n;
		printf("%s%s%.*s\n", bar, shown ? " " : "", (int)shown, line);
		if (!line[n])
			break;
		line += n + 1;
	}
}

void cli_print_message(const dvc_message *m, bool full, const char *in)
{
	char at[DVC_TIME_FORMAT_SIZE], deeper[64];
	/* padded columns are ASCII; the Vietnamese text goes last, unpadded */
	printf("%s%-5lld %-7s %-5s %-24s %-12s %d  ", in, (long long)m->id,
	       dvc_message_state_name(m->state), dvc_notify_channel_name(m->channel),
	       m->recipient ? m->recipient : "-", m->event ? m->event : "-", m->attempts);
	for (const char *s = headline(m); *s; s++) {
		if (*s == '\n')
			fputs(" / ", stdout);
		else if (*s != '\r')
			putchar(*s);
	}
	putchar('\n');
	if (!full)
		return;
	printf("%s  dossier:         %s\n", in, m->dossier ? m->dossier : "-");
	printf("%s  idempotency key: %s\n", in, m->idempotency_key ? m->idempotency_key : "-");
	if (m->channel == DVC_NOTIFY_SMS)
		printf("%s  segments:        %d (%s)\n", in, m->segments,
		       m->ascii ? "without diacritics, GSM-7" : "UCS-2");
	if (m->next_attempt_at && m->state == DVC_MSG_FAILED) {
		cli_time_str(m->next_attempt_at, at);
		printf("%s  next attempt:    %s\n", in, at);
	}
	if (m->last_error)
		printf("%s  last error:      %s\n", in, m->last_error);
	if (m->subject)
		printf("%s  subject:         %s\n", in, m->subject);
	snprintf(deeper, sizeof deeper, "%s  |", in);
	print_indented(m->body ? m->body : "", deeper);
}

cJSON *cli_message_json(const dvc_message *m)
{
	cJSON *o = cJSON_CreateObject();
	char at[DVC_TIME_FORMAT_SIZE];
	cJSON_AddNumberToObject(o, "id", (double)m->id);
	cJSON_AddStringToObject(o, "state", dvc_message_state_name(m->state));
	cJSON_AddStringToObject(o, "channel", dvc_notify_channel_name(m->channel));
	cJSON_AddStringToObject(o, "recipient", m->recipient ? m->recipient : "");
	cJSON_AddStringToObject(o, "event", m->event ? m->event : "");
	cJSON_AddStringToObject(o, "dossier", m->dossier ? m->dossier : "");
	cJSON_AddStringToObject(o, "idempotency_key", m->idempotency_key ? m->idempotency_key : "");
	cJSON_AddNumberToObject(o, "attempts", m->attempts);
	if (m->subject)
		cJSON_AddStringToObject(o, "subject", m->subject);
	else
		cJSON_AddNullToObject(o, "subject");
	cJSON_AddStringToObject(o, "text", headline(m));
	cJSON_AddStringToObject(o, "body", m->body ? m->body : "");
	if (m->channel == DVC_NOTIFY_SMS) {
		cJSON_AddNumberToObject(o, "segments", m->segments);
		cJSON_AddBoolToObject(o, "ascii", m->ascii);
	}
	if (m->next_attempt_at) {
		cli_time_str(m->next_attempt_at, at);
		cJSON_AddStringToObject(o, "next_attempt_at", at);
	} else {
		cJSON_AddNullToObject(o, "next_attempt_at");
	}
	if (m->last_error)
		cJSON_AddStringToObject(o, "last_error", m->last_error);
	else
		cJSON_AddNullToObject(o, "last_error");
	return o;
}

static int outbox_list(dvc_cli *cli, int argc, char **argv)
{
	dvc_message_batch *b;
	const char *code;
	size_t n;
	if (cli_optional_arg(cli, argc, argv, "usage: dvc outbox list [CODE]", &code))
		return 1;
	if (dvc_outbox_list(cli->db, code, &b) != DVC_OK)
		return cli_fail_lib("outbox");
	n = dvc_message_batch_count(b);
	if (cli->json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, cli_message_json(dvc_message_batch_at(b, i)));
		dvc_message_batch_free(b);
		return cli_emit_json(arr);
	}
	if (n == 0)
		printf("no message\n");
	else
		printf("%-5s %-7s %-5s %-24s %-12s %s  %s\n", "ID", "STATE", "CHAN", "RECIPIENT", "EVENT",
		       "N", "TEXT (SMS) / SUBJECT (E-MAIL)");
	for (size_t i = 0; i < n; i++)
		cli_print_message(dvc_message_batch_at(b, i), false, "");
	dvc_message_batch_free(b);
	return 0;
}

static int outbox_drain(dvc_cli *cli, int argc, char **argv)
{
	const char *limit = cli_option(&argc, argv, "--limit");
	bool fail = cli_flag(&argc, argv, "--fail");
	dvc_message_batch *b;
	cJSON *arr = NULL;
	size_t max = DRAIN_DEFAULT, n;
	int rc = 0;

	if (argc != 1)
		return cli_fail("usage: dvc outbox drain [--limit N] [--fail]");
	if (limit) {
		char *end;
		long v;
		errno = 0;
		v = strtol(limit, &end, 10);
		if (errno || end == limit || *end || v < 1 || v > DRAIN_MAX)
			return cli_fail("--limit must be an integer from 1 to %d", DRAIN_MAX);
		max = (size_t)v;
	}
	if (!cli_db(cli))
		return 1;
	if (dvc_outbox_fetch(cli->db, max, &b) != DVC_OK)
		return cli_fail_lib("outbox");
	n = dvc_message_batch_count(b);
	if (cli->json)
		arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		const dvc_message *m = dvc_message_batch_at(b, i);
		int mrc = fail ? dvc_outbox_mark_failed(cli->db, m->id, FAIL_NOTE)
			       : dvc_outbox_mark_sent(cli->db, m->id);
		if (mrc != DVC_OK) {
			rc = cli_fail_lib("outbox");
			break;
		}
		if (arr) {
			cJSON *o = cli_message_json(m);
			cJSON_AddStringToObject(o, "marked", fail ? "failed" : "sent");
			cJSON_AddItemToArray(arr, o);
		} else {
			cli_print_message(m, true, "");
			printf("  → marked %s\n", fail ? "failed (retried later with back-off)" : "sent");
		}
	}
	dvc_message_batch_free(b);
	if (arr)
		return rc ? (cJSON_Delete(arr), rc) : cli_emit_json(arr);
	if (!rc)
		printf("%zu message%s %s\n", n, n == 1 ? "" : "s", fail ? "marked failed" : "sent");
	return rc;
}

int cmd_outbox(dvc_cli *cli, int argc, char **argv)
{
	static const cli_sub subs[] = {{"list", outbox_list}, {"drain", outbox_drain},
		{NULL, NULL}};
	return cli_subcommand(cli, argc, argv, "outbox", subs);
}
