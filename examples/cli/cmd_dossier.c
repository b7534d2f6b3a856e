/* dvc dossier ... and dvc statemachine: the dossier lifecycle from a shell.
 *
 *   dvc dossier submit PROCEDURE [--channel online|counter|post]
 *       [--account U | --name N --citizen-id ID --birth-date D --address A
 *        [--phone P] [--email E]] [--form JSON|@FILE] [--draft] [--officer U]
 *   dvc dossier act CODE ACTION (--officer U | --account U | --secret S)
 *       [--note T] [--target X] [--new-due INSTANT] [--expect-version N]
 *       [--delivery counter|post|online] [--payload TEXT]
 *   dvc dossier track CODE (--officer U | --account U | --secret S)
 *   dvc dossier history CODE (--officer U | --account U | --secret S)
 *   dvc dossier verify [CODE]
 *   dvc dossier list [--state S] [--unit U] [--overdue] [--stuck] [--limit N]
 *   dvc dossier attach|files|download|sign ...   (cmd_paper.c)
 *   dvc statemachine [--dot]
 *
 * Every rule (who may act, what is legal, deadlines) is the library's; this
 * file parses arguments and prints what the library answers. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTOR_OPTS "(--officer U | --account U | --secret S)"

/* Largest --form @FILE accepted. */
#define FORM_MAX (1024 * 1024)

/* ---- shared helpers (declared in cli.h) ---- */

int cli_emit_json(cJSON *o)
{
	char *s = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!s)
		return cli_fail("out of memory");
	puts(s);
	cJSON_free(s);
	return 0;
}

int cli_emit_view(int rc, char **json, const char *what)
{
	if (rc != DVC_OK)
		return cli_fail_lib(what);
	puts(*json);
	dvc_free(*json);
	return 0;
}

void cli_time_str(dvc_time t, char buf[DVC_TIME_FORMAT_SIZE])
{
	if (t == 0 || dvc_time_format(t, buf, DVC_TIME_FORMAT_SIZE) != DVC_OK)
		snprintf(buf, DVC_TIME_FORMAT_SIZE, "-");
}

void cli_duration_str(int64_t seconds, char *buf, size_t n)
{
	long long h = (long long)(seconds / 3600), m = (long long)(seconds % 3600 / 60);
	if (seconds < 0)
		snprintf(buf, n, "-");
	else if (h)
		snprintf(buf, n, "%lld h %02lld min", h, m);
	else
		snprintf(buf, n, "%lld min", m);
}

/* A note on one line: line breaks shown as " / ". */
static void print_oneline(const char *s)
{
	for (; *s; s++) {
		if (*s == '\r')
			continue;
		if (*s == '\n')
			fputs(" / ", stdout);
		else
			putchar(*s);
	}
}

static void print_entry(const dvc_journal_entry *e, const char *indent)
{
	char at[DVC_TIME_FORMAT_SIZE];
	cli_time_str(e->at, at);
	printf("%s#%lld %s %s %s %s → %s", indent, (long long)e->seq, at, e->actor,
	       dvc_action_name(e->action), dvc_state_name(e->from), dvc_state_name(e->to));
	if (e->unit)
		printf(" @%s", e->unit);
	if (e->note && *e->note) {
		fputs(" \"", stdout);
		print_oneline(e->note);
		putchar('"');
	}
	if (e->payload_digest[0])
		printf(" payload:%.12s", e->payload_digest);
	printf(" hash:%.12s\n", e->hash);
}

void cli_print_history(const dvc_tracking *t, const char *indent)
{
	for (size_t i = 0; i < t->n_history; i++)
		print_entry(&t->history[i], indent);
}

void cli_print_tracking(const dvc_tracking *t, const char *in)
{
	char a[DVC_TIME_FORMAT_SIZE], d[32];

	printf("%sdossier %s: %s (%s)\n", in, t->code, dvc_state_label_vi(t->state),
	       dvc_state_name(t->state));
	printf("%s  procedure:   %s v%d %s\n", in, t->procedure, t->procedure_version,
	       t->procedure_name ? t->procedure_name : "");
	printf("%s  applicant:   %s (%s)\n", in, t->applicant_name ? t->applicant_name : "-",
	       dvc_channel_name(t->channel));
	printf("%s  lodged at:   %s, competent: %s\n", in, t->desk ? t->desk : "-",
	       t->competent ? t->competent : "-");
	if (!dvc_state_is_final(t->state) && t->n_steps > 0) {
		printf("%s  unit:        %s %s\n", in, t->unit ? t->unit : "-",
		       t->unit_name ? t->unit_name : "");
		printf("%s  step:        %d/%d %s, handler %s\n", in, t->step + 1, t->n_steps,
		       dvc_role_name(t->step_role), t->handler ? t->handler : "-");
		cli_duration_str(t->seconds_in_step, d, sizeof d);
		cli_time_str(t->step_since, a);
		printf("%s  in step:     %s of working time, since %s\n", in, d, a);
		if (t->step_due_at) {
			cli_time_str(t->step_due_at, a);
			printf("%s  step due:    %s%s\n", in, a, t->step_overdue ? " (overdue)" : "");
		}
	}
	cli_time_str(t->submitted_at, a);
	printf("%s  submitted:   %s\n", in, a);
	if (t->received_at) {
		cli_time_str(t->received_at, a);
		printf("%s  received:    %s\n", in, a);
	}
	if (t->due_at) {
		cli_time_str(t->due_at, a);
		printf("%s  appointment: %s%s\n", in, a, t->overdue ? " (overdue)" : "");
	}
	if (t->rescheduled_due_at) {
		cli_time_str(t->rescheduled_due_at, a);
		printf("%s  new date:    %s (rescheduled with an apology)\n", in, a);
	}
	if (t->result_at) {
		cli_time_str(t->result_at, a);
		printf("%s  result:      %s\n", in, a);
	}
	if (t->finished_at) {
		cli_time_str(t->finished_at, a);
		printf("%s  finished:    %s", in, a);
		if (t->state == DVC_STATE_RETURNED)
			printf(", delivered %s", dvc_delivery_name(t->delivery));
		putchar('\n');
	}
	if (t->fee_due || t->fee_paid || t->fee_refunded || t->fee_exemption) {
		char v[48];
		cli_vnd_str(t->fee_due, v, sizeof v);
		printf("%s  fee:         due %s", in, v);
		cli_vnd_str(t->fee_paid, v, sizeof v);
		printf(", paid %s", v);
		if (t->fee_refunded) {
			cli_vnd_str(t->fee_refunded, v, sizeof v);
			printf(", refunded %s", v);
		}
		if (t->fee_exemption)
			printf(", exempt: %s", t->fee_exemption);
		putchar('\n');
	}
	printf("%s  flags:       overdue %s, step overdue %s, clock %s\n", in,
	       t->overdue ? "yes" : "no", t->step_overdue ? "yes" : "no",
	       t->clock_stopped ? "stopped" : "running");
	printf("%s  version:     %lld\n", in, (long long)t->version);
	printf("%s  history:\n", in);
	{
		char deeper[64];
		snprintf(deeper, sizeof deeper, "%s    ", in);
		cli_print_history(t, deeper);
	}
}

/* ---- argument helpers ---- */

/* Take the actor options out of argv. 0 when one was given, -1 when none
 * (after printing nothing), 1 after printing an error. */
int cli_take_actor(int *argc, char **argv, dvc_actor *who)
{
	const char *officer = cli_option(argc, argv, "--officer");
	const char *account = cli_option(argc, argv, "--account");
	const char *secret = cli_option(argc, argv, "--secret");
	int n = !!officer + !!account + !!secret;
	if (n > 1)
		return cli_fail("give only one of --officer, --account and --secret");
	if (n == 0)
		return -1;
	who->kind = officer ? DVC_ACTOR_OFFICER : account ? DVC_ACTOR_ACCOUNT : DVC_ACTOR_ANONYMOUS;
	who->name = officer ? officer : account;
	who->secret = secret;
	return 0;
}

/* --form: inline JSON, or @FILE. *owned receives a buffer to free(). */
static int read_form(const char *arg, const char **out, char **owned)
{
	FILE *f;
	size_t n;
	char *buf;
	*owned = NULL;
	if (arg[0] != '@') {
		*out = arg;
		return 0;
	}
	if (!(f = fopen(arg + 1, "rb")))
		return cli_fail("cannot read %s: %s", arg + 1, strerror(errno));
	if (!(buf = malloc(FORM_MAX + 1))) {
		fclose(f);
		return cli_fail("out of memory");
	}
	n = fread(buf, 1, FORM_MAX + 1, f);
	if (ferror(f) || n > FORM_MAX) {
		fclose(f);
		free(buf);
		return cli_fail("cannot read %s (or larger than %d bytes)", arg + 1, FORM_MAX);
	}
	fclose(f);
	buf[n] = '\0';
	*out = *owned = buf;
	return 0;
}

/* ---- commands ---- */

static int dossier_submit(dvc_cli *cli, int argc, char **argv)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_applicant a = {0};
	dvc_receipt r = DVC_RECEIPT_INIT;
	const char *channel = cli_option(&argc, argv, "--channel");
	const char *form = cli_option(&argc, argv, "--form");
	char *form_buf = NULL;
	int rc, have_applicant;

	s.account = cli_option(&argc, argv, "--account");
	s.officer = cli_option(&argc, argv, "--officer");
	s.draft = cli_flag(&argc, argv, "--draft");
	s.desk = cli_option(&argc, argv, "--desk");
	s.place = cli_option(&argc, argv, "--place");
	s.national_signin = cli_flag(&argc, argv, "--national-signin");
	have_applicant = cli_take_applicant(&argc, argv, &a);
	if (argc != 2)
		return cli_fail("usage: dvc dossier submit PROCEDURE [--channel online|counter|post] "
				"[--account U | --name N --citizen-id ID --birth-date D --address A "
				"[--phone P] [--email E]] [--form JSON|@FILE] [--draft] [--officer U] "
				"[--desk AGENCY] [--place AGENCY|ADDRESS] [--national-signin]");
	s.procedure = argv[1];
	if (channel && dvc_channel_parse(channel, &s.channel) != DVC_OK)
		return cli_fail_lib("--channel");
	if (have_applicant)
		s.applicant = &a;
	if (form && read_form(form, &s.form_data, &form_buf))
		return 1;
	if (!cli_db(cli)) {
		free(form_buf);
		return 1;
	}
	rc = dvc_dossier_submit(cli->db, &s, &r);
	free(form_buf);
	if (rc != DVC_OK)
		return cli_fail_lib(argv[1]);
	if (cli->json) {
		char *j;
		return cli_emit_view(dvc_receipt_json(&r, s.draft, &j), &j, argv[1]);
	}
	printf("dossier %s %s\n", r.code, s.draft ? "saved as a draft" : "submitted");
	if (r.secret[0])
		printf("tracking secret: %s (keep it: it is shown only once)\n", r.secret);
	return 0;
}

static int dossier_act(dvc_cli *cli, int argc, char **argv)
{
	dvc_action_req q = DVC_ACTION_INIT;
	const char *new_due = cli_option(&argc, argv, "--new-due");
	const char *expect = cli_option(&argc, argv, "--expect-version");
	const char *delivery = cli_option(&argc, argv, "--delivery");
	dvc_tracking *t = NULL;
	int64_t version = -1;
	int rc;

	q.note = cli_option(&argc, argv, "--note");
	q.target = cli_option(&argc, argv, "--target");
	q.payload = cli_option(&argc, argv, "--payload");
	if ((rc = cli_take_actor(&argc, argv, &q.actor)) > 0)
		return rc;
	if (rc < 0 || argc != 3)
		return cli_fail("usage: dvc dossier act CODE ACTION " ACTOR_OPTS " [--note T] "
				"[--target X] [--new-due INSTANT] [--expect-version N] "
				"[--delivery counter|post|online] [--payload TEXT]");
	if (dvc_action_parse(argv[2], &q.action) != DVC_OK)
		return cli_fail_lib("action");
	if (new_due && dvc_time_parse(new_due, &q.new_due) != DVC_OK)
		return cli_fail_lib("--new-due");
	if (expect && (cli_parse_int64(expect, &q.expected_version) || q.expected_version < 0))
		return cli_fail("--expect-version must be a non-negative integer");
	if (delivery && dvc_delivery_parse(delivery, &q.delivery) != DVC_OK)
		return cli_fail_lib("--delivery");
	if (!cli_db(cli))
		return 1;
	if (dvc_dossier_act(cli->db, argv[1], &q, &version) != DVC_OK)
		return cli_fail_lib(argv[1]);
	/* Show where the dossier is now, as the actor sees it. */
	if (cli->json) {
		char *j;
		return cli_emit_view(dvc_dossier_view_json(cli->db, argv[1], &q.actor, NULL, &j), &j, argv[1]);
	}
	if (dvc_dossier_track(cli->db, argv[1], &q.actor, &t) != DVC_OK)
		t = NULL;
	if (t) {
		char due[DVC_TIME_FORMAT_SIZE];
		printf("%s: %s (%s), version %lld\n", argv[1], dvc_state_name(t->state),
		       dvc_state_label_vi(t->state), (long long)version);
		if (t->due_at && (q.action == DVC_ACT_RECEIVE || q.action == DVC_ACT_SUPPLY ||
				  q.action == DVC_ACT_RESCHEDULE)) {
			cli_time_str(t->rescheduled_due_at ? t->rescheduled_due_at : t->due_at, due);
			printf("appointment: %s\n", due);
		}
		dvc_tracking_free(t);
	} else {
		printf("%s: %s done, version %lld\n", argv[1], dvc_action_name(q.action),
		       (long long)version);
	}
	return 0;
}

static int dossier_show(dvc_cli *cli, int argc, char **argv, bool history_only);

static int dossier_track(dvc_cli *cli, int argc, char **argv)
{
	return dossier_show(cli, argc, argv, false);
}

static int dossier_history(dvc_cli *cli, int argc, char **argv)
{
	return dossier_show(cli, argc, argv, true);
}

/* track and history share everything but the printing. */
static int dossier_show(dvc_cli *cli, int argc, char **argv, bool history_only)
{
	dvc_actor who = {DVC_ACTOR_OFFICER, NULL, NULL};
	dvc_tracking *t;
	int rc;
	if ((rc = cli_take_actor(&argc, argv, &who)) > 0)
		return rc;
	if (rc < 0 || argc != 2)
		return cli_fail("usage: dvc dossier %s CODE " ACTOR_OPTS,
				history_only ? "history" : "track");
	if (!cli_db(cli))
		return 1;
	if (cli->json && !history_only) {
		char *j;
		return cli_emit_view(dvc_dossier_view_json(cli->db, argv[1], &who, NULL, &j), &j, argv[1]);
	}
	if (dvc_dossier_track(cli->db, argv[1], &who, &t) != DVC_OK)
		return cli_fail_lib(argv[1]);
	if (cli->json) {
		char *j;
		rc = cli_emit_view(dvc_history_json(t, &j), &j, argv[1]);
	} else if (history_only)
		cli_print_history(t, "");
	else
		cli_print_tracking(t, "");
	dvc_tracking_free(t);
	return rc;
}

int cli_print_journal_report(dvc_cli *cli, const dvc_journal_report *r, const char *what)
{
	char *json;
	if (cli->json) {
		if (dvc_journal_report_json(r, &json) != DVC_OK)
			return cli_fail_lib(what);
		puts(json);
		dvc_free(json);
		return 0;
	}
	printf("%zu dossier%s verified, journal chains intact\n", r->dossiers, r->dossiers == 1 ? "" : "s");
	printf("%zu journal entr%s (%zu signed, %zu legacy, %zu unsigned), "
	       "%zu signed checkpoint%s, %zu dossier%s without\n",
	       r->entries, r->entries == 1 ? "y" : "ies",
	       r->signed_entries, r->legacy_entries, r->unsigned_entries, r->checkpoints,
	       r->checkpoints == 1 ? "" : "s", r->uncheckpointed, r->uncheckpointed == 1 ? "" : "s");
	for (size_t i = 0; i < r->n_keys && i < DVC_PROOF_REPORT_KEYS; i++)
		printf("signed by key %s\n", r->keys[i]);
	if (r->n_keys && !r->anchored)
		printf("no trusted keys given (DVC_JOURNAL_TRUST, --trust): compare the key ids above "
		       "with the agency's published ones\n");
	if (r->unsigned_entries || r->legacy_entries)
		printf("unsigned and legacy entries are chained, not signed: they prove nothing "
		       "against whoever can write the store\n");
	return 0;
}

static int dossier_verify(dvc_cli *cli, int argc, char **argv)
{
	dvc_journal_report r = DVC_JOURNAL_REPORT_INIT;
	const char *code;
	if (cli_optional_arg(cli, argc, argv, "usage: dvc dossier verify [CODE]", &code))
		return 1;
	if (dvc_journal_verify(cli->db, code, &r) != DVC_OK)
		return cli_fail_lib("verify");
	return cli_print_journal_report(cli, &r, "verify");
}

static int dossier_list(dvc_cli *cli, int argc, char **argv)
{
	dvc_dossier_filter f = DVC_DOSSIER_FILTER_INIT;
	dvc_dossier_list *l;
	const char *state = cli_option(&argc, argv, "--state");
	const char *limit = cli_option(&argc, argv, "--limit");
	int64_t lim;
	size_t n;

	f.unit = cli_option(&argc, argv, "--unit");
	f.overdue = cli_flag(&argc, argv, "--overdue");
	f.step_overdue = cli_flag(&argc, argv, "--stuck");
	if (argc != 1)
		return cli_fail("usage: dvc dossier list [--state S] [--unit U] [--overdue] [--stuck] "
				"[--limit N]");
	if (state) {
		dvc_state s;
		if (dvc_state_parse(state, &s) != DVC_OK)
			return cli_fail_lib("--state");
		f.state = (int)s;
	}
	if (limit) {
		if (cli_parse_int64(limit, &lim) || lim < 1)
			return cli_fail("--limit must be a positive integer");
		f.limit = (size_t)lim;
	}
	if (!cli_db(cli))
		return 1;
	if (cli->json) {
		char *j;
		return cli_emit_view(dvc_dossier_list_json(cli->db, &f, NULL, 0, &j), &j, "list");
	}
	if (dvc_dossier_find(cli->db, &f, &l) != DVC_OK)
		return cli_fail_lib("list");
	n = dvc_dossier_list_count(l);
	/* Padded columns are ASCII (codes, names): printf pads bytes. The handler
	 * may be a Vietnamese name, so it comes last, unpadded. */
	for (size_t i = 0; i < n; i++) {
		const dvc_dossier_row *r = dvc_dossier_list_at(l, i);
		char due[DVC_TIME_FORMAT_SIZE];
		cli_time_str(r->due_at, due);
		printf("%-26s %-9s %-20s %-14s due %-25s%s%s", r->code, r->procedure,
		       dvc_state_name(r->state), r->unit ? r->unit : "-", due,
		       r->overdue ? " OVERDUE" : "", r->step_overdue ? " STUCK" : "");
		if (r->handler)
			printf(" handler %s", r->handler);
		putchar('\n');
	}
	if (n == 0)
		printf("no dossier found\n");
	dvc_dossier_list_free(l);
	return 0;
}

/* Officers' reads of the dossier's personal data (privacy.h); the CLI is
 * the trusted side: an inspector's or the applicant's request, answered. */
static int dossier_access_log(dvc_cli *cli, int argc, char **argv)
{
	dvc_access_query q = DVC_ACCESS_QUERY_INIT;
	const char *since = cli_option(&argc, argv, "--from");
	const char *until = cli_option(&argc, argv, "--to");
	const char *limit = cli_option(&argc, argv, "--limit");
	char *json;
	cJSON *root, *it;
	int64_t lim;
	q.officer = cli_option(&argc, argv, "--officer");
	if (argc > 2 || (argc == 1 && !q.officer))
		return cli_fail("usage: dvc dossier access-log CODE [--officer U] [--from INSTANT] "
				"[--to INSTANT] [--limit N] | dvc dossier access-log --officer U ...");
	q.dossier = argc == 2 ? argv[1] : NULL;
	if (since && dvc_time_parse(since, &q.from) != DVC_OK)
		return cli_fail_lib("--from");
	if (until && dvc_time_parse(until, &q.to) != DVC_OK)
		return cli_fail_lib("--to");
	if (limit) {
		if (cli_parse_int64(limit, &lim) || lim < 1)
			return cli_fail("--limit must be a positive integer");
		q.limit = (size_t)lim;
	}
	if (!cli_db(cli))
		return 1;
	if (cli->json)
		return cli_emit_view(dvc_access_log_json(cli->db, &q, NULL, NULL, &json), &json, "access-log");
	if (dvc_access_log_json(cli->db, &q, NULL, NULL, &json) != DVC_OK)
		return cli_fail_lib("access-log");
	root = cJSON_Parse(json);
	dvc_free(json);
	if (!root)
		return cli_fail("out of memory");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(root, "entries"))
	{
		const cJSON *detail = cJSON_GetObjectItemCaseSensitive(it, "detail");
		printf("%s  %s  %s (%s, %s)  %s%s%s\n",
		       cJSON_GetObjectItemCaseSensitive(it, "at")->valuestring,
		       cJSON_GetObjectItemCaseSensitive(it, "dossier")->valuestring,
		       cJSON_GetObjectItemCaseSensitive(it, "officer")->valuestring,
		       cJSON_GetObjectItemCaseSensitive(it, "officer_name")->valuestring,
		       cJSON_GetObjectItemCaseSensitive(it, "unit")->valuestring,
		       cJSON_GetObjectItemCaseSensitive(it, "view")->valuestring,
		       cJSON_IsString(detail) ? " " : "", cJSON_IsString(detail) ? detail->valuestring : "");
	}
	if (!cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "entries")))
		puts("no officer has read this dossier's personal data");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "more")))
		puts("(more: ask again with --from the last instant, or a larger --limit)");
	cJSON_Delete(root);
	return 0;
}

/* Erase a closed dossier's personal data past retention (privacy.h). */
static int dossier_erase(dvc_cli *cli, int argc, char **argv)
{
	dvc_actor who = {DVC_ACTOR_OFFICER, NULL, NULL};
	const char *days = cli_option(&argc, argv, "--retention-days");
	char digest[DVC_HASH_HEX_SIZE];
	int64_t n;
	who.name = cli_option(&argc, argv, "--officer");
	if (argc != 2 || !who.name)
		return cli_fail("usage: dvc dossier erase CODE --officer ADMIN [--retention-days N]");
	if (!cli_db(cli))
		return 1;
	if (days && (cli_parse_int64(days, &n) || n < 1 || n > DVC_RETENTION_DAYS_MAX ||
		     dvc_privacy_set_retention(cli->db, (int)n) != DVC_OK))
		return cli_fail("--retention-days must be 1..%d", DVC_RETENTION_DAYS_MAX);
	if (dvc_dossier_erase_personal(cli->db, argv[1], &who, digest) != DVC_OK)
		return cli_fail_lib(argv[1]);
	if (cli->json) {
		cJSON *o = cJSON_CreateObject();
		char *text;
		cJSON_AddStringToObject(o, "dossier", argv[1]);
		cJSON_AddStringToObject(o, "erased_sha256", digest);
		text = cJSON_PrintUnformatted(o);
		if (text)
			puts(text);
		cJSON_free(text);
		cJSON_Delete(o);
		return text ? 0 : cli_fail("out of memory");
	}
	printf("%s: personal data erased, SHA-256 of what was erased %s (journaled)\n", argv[1], digest);
	return 0;
}

int cmd_dossier(dvc_cli *cli, int argc, char **argv)
{
	static const cli_sub subs[] = {{"submit", dossier_submit}, {"act", dossier_act},
		{"track", dossier_track}, {"history", dossier_history},
		{"verify", dossier_verify}, {"list", dossier_list},
		{"attach", cli_dossier_attach}, {"files", cli_dossier_files},
		{"download", cli_dossier_download}, {"sign", cli_dossier_sign},
		{"rate", cli_dossier_rate}, {"rating", cli_dossier_rating},
		{"access-log", dossier_access_log}, {"erase", dossier_erase}, {NULL, NULL}};
	return cli_subcommand(cli, argc, argv, "dossier", subs);
}

/* ---- the state machine ---- */

static const struct {
	unsigned int bit;
	const char *name;
} req_names[] = {
	{DVC_REQ_NOTE, "note"},           {DVC_REQ_AT_STEP, "at_step"},
	{DVC_REQ_NOT_FIRST, "not_first"}, {DVC_REQ_LAST_STEP, "last_step"},
	{DVC_REQ_NOT_LAST_STEP, "not_last_step"}, {DVC_REQ_FROM_INTAKE, "from_intake"},
	{DVC_REQ_FROM_PROCESSING, "from_processing"}, {DVC_REQ_ONCE, "once"},
	{DVC_REQ_OVERDUE, "overdue"},     {DVC_REQ_TARGET, "target"},
	{DVC_REQ_NEW_DUE, "new_due"},     {DVC_REQ_OWNER, "owner"},
	{DVC_REQ_AT_UNIT, "at_unit"},     {DVC_REQ_AT_DESK, "at_desk"},
};

static void print_roles(unsigned int roles)
{
	const char *sep = "";
	for (int r = 0; r < DVC_ROLE_COUNT; r++)
		if (roles & DVC_ROLE_BIT(r)) {
			printf("%s%s", sep, dvc_role_name((dvc_role)r));
			sep = ",";
		}
}

static void print_requires(unsigned int req)
{
	const char *sep = "";
	for (size_t i = 0; i < sizeof req_names / sizeof req_names[0]; i++)
		if (req & req_names[i].bit) {
			printf("%s%s", sep, req_names[i].name);
			sep = ",";
		}
	if (!req)
		fputs("-", stdout);
}

int cmd_statemachine(dvc_cli *cli, int argc, char **argv)
{
	bool dot = cli_flag(&argc, argv, "--dot");
	const dvc_transition *tt;
	size_t n;
	(void)argv;
	if (argc != 1)
		return cli_fail("usage: dvc statemachine [--dot]");
	if (dot) {
		char *s;
		if (cli_no_json(cli, "statemachine --dot"))
			return 1;
		if (dvc_lifecycle_dot(&s) != DVC_OK)
			return cli_fail_lib("statemachine");
		fputs(s, stdout);
		dvc_free(s);
		return 0;
	}
	tt = dvc_lifecycle_table(&n);
	if (cli->json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			cJSON *x = cJSON_CreateObject(), *a;
			cJSON_AddStringToObject(x, "from", dvc_state_name(tt[i].from));
			cJSON_AddStringToObject(x, "action", dvc_action_name(tt[i].action));
			cJSON_AddStringToObject(x, "to", dvc_state_name(tt[i].to));
			a = cJSON_AddArrayToObject(x, "roles");
			for (int r = 0; r < DVC_ROLE_COUNT; r++)
				if (tt[i].roles & DVC_ROLE_BIT(r))
					cJSON_AddItemToArray(a, cJSON_CreateString(dvc_role_name((dvc_role)r)));
			a = cJSON_AddArrayToObject(x, "requires");
			for (size_t k = 0; k < sizeof req_names / sizeof req_names[0]; k++)
				if (tt[i].requires & req_names[k].bit)
					cJSON_AddItemToArray(a, cJSON_CreateString(req_names[k].name));
			cJSON_AddBoolToObject(x, "stops_clock", tt[i].stops_clock);
			cJSON_AddItemToArray(arr, x);
		}
		return cli_emit_json(arr);
	}
	printf("%-21s %-19s %-21s %s\n", "FROM", "ACTION", "TO", "ROLES / REQUIRES");
	for (size_t i = 0; i < n; i++) {
		printf("%-21s %-19s %-21s ", dvc_state_name(tt[i].from),
		       dvc_action_name(tt[i].action), dvc_state_name(tt[i].to));
		print_roles(tt[i].roles);
		fputs(" / ", stdout);
		print_requires(tt[i].requires);
		if (tt[i].stops_clock)
			fputs(" (stops the clock)", stdout);
		putchar('\n');
	}
	printf("final states:");
	for (int s = 0; s < DVC_STATE_COUNT; s++)
		if (dvc_state_is_final((dvc_state)s))
			printf(" %s", dvc_state_name((dvc_state)s));
	putchar('\n');
	return 0;
}
