/* Dossiers: submission, the generic action entry point, tracking, listing
 * and journal verification. Legality comes from the lifecycle table alone;
 * this file applies it: actor, preconditions, effects, journal. */
#include "dvc/dossier.h"
#include "dvc/eform.h"
#include "dvc/payment.h"
#include "dvc/privacy.h"
#include "dvc/validate.h"
#include "notify_internal.h"
#include "agency_internal.h"
#include "store_internal.h"
#include "throttle_internal.h"
#include "dossier_internal.h"
#include "identity_internal.h"
#include "national_internal.h"
#include "proof_internal.h"
#include "text.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int dvc__applicant_check(const dvc_applicant *a, char phone_out[DVC_PHONE_E164_SIZE]);

static const char *const channel_names[] = {"online", "counter", "post"};
static const char *const delivery_names[] = {"counter", "post", "online"};

static const char *const actor_kind_names[] = {"account", "anonymous", "officer"};

DVC__ENUM_NAMES(delivery, dvc_delivery, delivery_names, "delivery")
DVC__ENUM_NAMES(channel, dvc_channel, channel_names, "channel")
DVC__ENUM_NAMES(actor_kind, dvc_actor_kind, actor_kind_names, "actor kind")

/* ---- deadlines ---- */

static int64_t deadline_seconds(const dvc_calendar *cal, const dvc__proc_rt *rt)
{
	return rt->deadline_unit == DVC_DEADLINE_DAYS
		       ? (int64_t)rt->deadline_value * dvc_calendar_day_seconds(cal)
		       : (int64_t)rt->deadline_value * 3600;
}

/* The due instant of step `i` entered at `now` (0 when it has no share). */
static int step_due(const dvc_calendar *cal, const dvc__proc_rt *rt, int i, dvc_time now,
		    dvc_time *out)
{
	int64_t secs = deadline_seconds(cal, rt) * rt->steps[i].share / 100;
	*out = 0;
	return secs > 0 ? dvc_calendar_add_seconds(cal, now, secs, out) : DVC_OK;
}

/* Stop the clock: keep the working time left, overall and on the step. */
static int stop_clock(const dvc_calendar *cal, dvc__dossier *d, dvc_time now)
{
	int rc;
	d->remaining = d->step_remaining = 0;
	if (d->due_at && (rc = dvc_calendar_between(cal, now, d->due_at, &d->remaining)) != DVC_OK)
		return rc;
	if (d->step_due_at &&
	    (rc = dvc_calendar_between(cal, now, d->step_due_at, &d->step_remaining)) != DVC_OK)
		return rc;
	d->stopped_at = now;
	d->flags |= DVC__F_STOPPED;
	return DVC_OK;
}

/* Restart it: the same working time is left from now on (negative stays late). */
static int restart_clock(const dvc_calendar *cal, dvc__dossier *d, dvc_time now)
{
	int rc;
	if (!(d->flags & DVC__F_STOPPED))
		return DVC_OK;
	if (d->due_at && (rc = dvc_calendar_add_seconds(cal, now, d->remaining, &d->due_at)) != DVC_OK)
		return rc;
	if (d->step_due_at &&
	    (rc = dvc_calendar_add_seconds(cal, now, d->step_remaining, &d->step_due_at)) != DVC_OK)
		return rc;
	d->flags &= ~DVC__F_STOPPED;
	d->stopped_at = 0;
	d->remaining = d->step_remaining = 0;
	return DVC_OK;
}

/* Derived lateness: a finished dossier was late if its result came after the
 * due instant; a stopped one if no time was left; else compare with now. */
static int is_overdue(const dvc__dossier *d, dvc_time now)
{
	if (!d->due_at)
		return 0;
	if (d->result_at)
		return d->result_at > d->due_at;
	if (dvc_state_is_final(d->state))
		return d->finished_at > d->due_at;
	if (d->flags & DVC__F_STOPPED)
		return d->remaining < 0;
	return now > d->due_at;
}

static int is_step_overdue(const dvc__dossier *d, dvc_time now)
{
	if (!d->step_due_at || dvc_state_is_final(d->state) || d->state == DVC_STATE_RESULT_READY)
		return 0;
	if (d->flags & DVC__F_STOPPED)
		return d->step_remaining < 0;
	return now > d->step_due_at;
}

/* ---- journal ---- */

/* The next journal entry, with the dossier's chain head advanced in memory;
 * the caller stores the entry and the row (in the same transaction). The
 * entry records the row's version and fees after it and is sealed (hashed,
 * and signed with the handle's journal key) by proof.c. */
typedef struct pending_entry {
	dvc__journal_row j;
	unsigned char digest[32];
	dvc__seal seal;
	int have_digest;
} pending_entry;

static void journal_prepare(dvc_db *db, dvc__dossier *d, pending_entry *p, dvc_time at,
			    const char *actor, dvc_action action, dvc_state from, const char *note,
			    const char *payload)
{
	dvc__journal_row *j = &p->j;
	j->seq = d->journal_seq + 1;
	j->at = at;
	j->actor = actor;
	j->unit = d->unit[0] ? d->unit : NULL;
	j->action = action;
	j->from = from;
	j->to = d->state;
	j->note = note && *note ? note : NULL;
	j->payload_digest = NULL;
	if (p->have_digest) {
		j->payload_digest = p->digest; /* a file's SHA-256, computed while it streamed */
	} else if (payload) {
		crypto_hash_sha256(p->digest, (const unsigned char *)payload, strlen(payload));
		j->payload_digest = p->digest;
	}
	j->rev = d->rev;
	j->fee_due = d->fee_due;
	j->fee_paid = d->fee_paid;
	j->fee_refunded = d->fee_refunded;
	dvc__journal_seal(db->proof, d->code, j, d->journal_head, &p->seal);
	d->journal_seq = j->seq;
	memcpy(d->journal_head, p->seal.hash, 32);
}

/* Append one entry, advance the dossier's chain head and write the row
 * (expected at version rev) with it: one round trip where the store can. */
static int journal_update(dvc_db *db, dvc__dossier *d, int64_t rev, dvc_time at, const char *actor,
			  dvc_action action, dvc_state from, const char *note, const char *payload)
{
	pending_entry pe;
	pe.have_digest = 0;
	journal_prepare(db, d, &pe, at, actor, action, from, note, payload);
	return dvc__journal_append_update(db, d, rev, &pe.j);
}

/* ---- actors ---- */

/* "officer:<username>" or "account:<username>", as journaled. */
#define ACTOR_LABEL_SIZE (sizeof "officer:" + DVC_USERNAME_MAX)
/* A dossier code: desk agency code, "-yymmdd-", a sequence of at most 19 digits. */
_Static_assert(DVC_CODE_MAX >= DVC_CATALOG_CODE_MAX + sizeof "-yymmdd-" + 19,
	       "DVC_CODE_MAX holds every dossier code");
_Static_assert(DVC_PAYMENT_REF_SIZE >= sizeof "DVCR" + 2 * 19, "references of any row id fit");

typedef struct actor {
	dvc_role role;
	int is_officer;
	int owner;          /* applicant of this dossier */
	int bad_secret;     /* anonymous with a wrong secret */
	dvc__officer_row off;
	int64_t account_id;
	char label[ACTOR_LABEL_SIZE]; /* as journaled: "officer:le.van.b" */
} actor;

static void secret_hash(const char *secret, unsigned char out[32])
{
	crypto_hash_sha256(out, (const unsigned char *)secret, strlen(secret));
}

static int resolve_actor(dvc_db *db, const dvc__dossier *d, const dvc_actor *a, actor *out)
{
	int rc;
	memset(out, 0, sizeof *out);
	if (!a)
		return dvc__err(DVC_EINVAL, "actor", "an action needs an actor");
	switch (a->kind) {
	case DVC_ACTOR_OFFICER: {
		if (!a->name)
			return dvc__err(DVC_EINVAL, "actor", "an officer actor needs a username");
		if ((rc = dvc__store_officer_get(db, a->name, &out->off, NULL, NULL)) != DVC_OK)
			return rc;
		out->is_officer = 1;
		out->role = out->off.role;
		snprintf(out->label, sizeof out->label, "officer:%s", out->off.username);
		return DVC_OK;
	}
	case DVC_ACTOR_ACCOUNT: {
		dvc_arena ar = DVC_ARENA_INIT;
		dvc__account_row row;
		if (!a->name)
			return dvc__err(DVC_EINVAL, "actor", "an account actor needs a username");
		rc = dvc__store_account_get(db, a->name, &ar, &row);
		dvc_arena_free(&ar);
		if (rc != DVC_OK)
			return rc;
		out->role = DVC_ROLE_APPLICANT;
		out->account_id = row.id;
		out->owner = d && d->account_id == row.id;
		snprintf(out->label, sizeof out->label, "account:%s", a->name); /* a stored username: fits */
		return DVC_OK;
	}
	case DVC_ACTOR_ANONYMOUS: {
		unsigned char h[32];
		out->role = DVC_ROLE_APPLICANT;
		snprintf(out->label, sizeof out->label, "applicant");
		if (!a->secret || !d || !d->has_secret) {
			out->bad_secret = 1;
			return DVC_OK;
		}
		secret_hash(a->secret, h);
		out->owner = crypto_verify_32(h, d->secret_hash) == 0; /* constant time */
		out->bad_secret = !out->owner;
		return DVC_OK;
	}
	}
	return dvc__err(DVC_EINVAL, "actor", "unknown actor kind %d", (int)a->kind);
}

/* Anonymous access is throttled per guesser: failures count against the
 * client and against the (client, code) pair, whether or not the code
 * exists, so that neither the answer nor the lock-out tells which codes are
 * real (codes are sequential), and a stranger's failures never lock the
 * owner out. Shapes are checked first: a code or secret that cannot exist
 * is refused without a write (a 30 KB made-up code used to store a 30 KB
 * row). */
typedef dvc__guesser guesser; /* dossier_internal.h: document.c guards files with it */

static int guesser_init(guesser *g, const char *client, const char *code, const char *secret)
{
	int rc;
	if ((rc = dvc__client_check(client)) != DVC_OK)
		return rc;
	if (!dvc_dossier_code_valid(code) || !dvc_tracking_secret_valid(secret))
		return dvc__err(DVC_EAUTH, "secret", "wrong dossier code or tracking secret");
	g->n = 0;
	g->failures = 0;
	dvc__throttle_key_make(&g->keys[g->n++], DVC__THR_TRACK_CODE, client, code);
	if (client && *client)
		dvc__throttle_key_make(&g->keys[g->n++], DVC__THR_TRACK_CLIENT, client, NULL);
	return DVC_OK;
}

/* A failure is counted outside the failed call's rollback; the caller then
 * answers DVC_EAUTH. */
static int count_bad_secret(dvc_db *db, const guesser *g)
{
	dvc_time now;
	int rc;
	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	DVC__WRITE(db, rc, dvc__throttle_fail(db, g->keys, g->n, now));
	if (rc != DVC_OK)
		return rc;
	return dvc__err(DVC_EAUTH, "secret", "wrong dossier code or tracking secret");
}

/* Before anything is looked up: is this client locked, for this code or all? */
static int throttled(dvc_db *db, guesser *g)
{
	dvc_time now;
	int rc = dvc__now(db, &now);
	if (rc != DVC_OK)
		return rc;
	rc = dvc__throttle_check(db, g->keys, g->n, now, &g->failures);
	if (rc == DVC_ETHROTTLED)
		dvc__err_prefix_path("secret");
	return rc;
}

/* After a success the client's failures on this code are forgotten (not
 * its failures overall: a guesser must not reset them with its own code). */
static void forget_failures(dvc_db *db, const guesser *g)
{
	int rc;
	if (g->failures)
		DVC__WRITE(db, rc, dvc__store_throttle_clear(db, &g->keys[0]));
}

int dvc_dossier_code_valid(const char *code)
{
	size_t n, i, digits = 0;
	if (!code || (n = strlen(code)) >= DVC_CODE_MAX)
		return 0;
	/* from the end: at least 4 digits, '-', 6 digits, '-', an agency code */
	for (i = n; i > 0 && code[i - 1] >= '0' && code[i - 1] <= '9'; i--)
		digits++;
	if (digits < 4 || i == 0 || code[--i] != '-')
		return 0;
	for (digits = 0; i > 0 && code[i - 1] >= '0' && code[i - 1] <= '9'; i--)
		digits++;
	if (digits != 6 || i < 2 || code[--i] != '-' || i > 64)
		return 0;
	while (i > 0) {
		char c = code[--i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* 31 symbols without look-alikes (0/O, 1/I/L). */
static const char secret_alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

int dvc_tracking_secret_valid(const char *secret)
{
	size_t n;
	if (!secret || (n = strlen(secret)) != DVC_SECRET_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr(secret_alphabet, secret[i]))
			return 0;
	return 1;
}

/* ---- submission ---- */

static void base32(const unsigned char *in, size_t n, char *out)
{
	/* the caller draws bytes below 248 = 8 * 31, so `% 31` is uniform */
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		out[k++] = secret_alphabet[in[i] % 31];
	out[k] = '\0';
}

static void random_secret(char out[DVC_SECRET_MAX])
{
	/* One draw for all symbols (each randombytes_buf is a getrandom() system
	 * call); rejected bytes are replaced from the same pool. */
	unsigned char b[DVC_SECRET_LEN], pool[64];
	size_t used = sizeof pool;
	for (size_t i = 0; i < sizeof b; i++) {
		unsigned char c;
		do {
			if (used == sizeof pool) {
				randombytes_buf(pool, sizeof pool);
				used = 0;
			}
			c = pool[used++];
		} while (c >= 248); /* 248 = 8 * 31 keeps c % 31 uniform */
		b[i] = c;
	}
	sodium_memzero(pool, sizeof pool);
	base32(b, sizeof b, out); /* 20 symbols of ~4.95 bits: ~99 bits */
	sodium_memzero(b, sizeof b);
}

static void local_day(dvc_time t, char out[7])
{
	int y, m, d;
	dvc__civil_from_days((t + 7 * 3600) / 86400, &y, &m, &d); /* Vietnam's date */
	unsigned v[3] = {(unsigned)y % 100u, (unsigned)m, (unsigned)d};
	for (int i = 0; i < 3; i++) {
		out[2 * i] = (char)('0' + v[i] / 10 % 10);
		out[2 * i + 1] = (char)('0' + v[i] % 10);
	}
	out[6] = '\0';
}

/* The local day as "YYYY-MM-DD", how agencies' validity is stored. */
static void local_iso_day(dvc_time t, char out[11])
{
	int y, m, d;
	dvc__civil_from_days((t + 7 * 3600) / 86400, &y, &m, &d);
	unsigned v[3] = {(unsigned)y % 10000u, (unsigned)m, (unsigned)d};
	out[0] = (char)('0' + v[0] / 1000);
	out[1] = (char)('0' + v[0] / 100 % 10);
	out[2] = (char)('0' + v[0] / 10 % 10);
	out[3] = (char)('0' + v[0] % 10);
	out[4] = out[7] = '-';
	out[5] = (char)('0' + v[1] / 10 % 10);
	out[6] = (char)('0' + v[1] % 10);
	out[8] = (char)('0' + v[2] / 10 % 10);
	out[9] = (char)('0' + v[2] % 10);
	out[10] = '\0';
}

/* An agency that has ceased (administrative units are merged and abolished:
 * districts on 1 July 2025) or not yet started cannot receive a dossier.
 * Days compare as "YYYY-MM-DD" text; "" is an open bound. */
static int check_agency_in_force(const char *field, const char *what, const char *agency,
				 const char *day, const char *from, const char *to)
{
	if (*to && strcmp(day, to) > 0)
		return dvc__err(DVC_EEXPIRED, field, "%s %s ceased after %s: it cannot receive dossiers on %s",
				what, agency, to, day);
	if (*from && strcmp(day, from) < 0)
		return dvc__err(DVC_EEXPIRED, field, "%s %s only starts on %s: it cannot receive dossiers on %s",
				what, agency, from, day);
	return DVC_OK;
}

/* Free text kept in the journal or on the dossier: UTF-8, bounded. */
static int check_note(const char *s, const char *field, size_t max)
{
	size_t n = strlen(s);
	if (n > max)
		return dvc__err(DVC_ETOOBIG, field, "%s is %zu bytes; the limit is %zu", field, n, max);
	if (!dvc__utf8_valid(s, n))
		return dvc__err(DVC_EUTF8, field, "%s is not valid UTF-8", field);
	return DVC_OK;
}

static int check_form(const dvc__proc_rt *rt, const char *form_data)
{
	int rc;
	if (rt->form_schema) {
		const char *data = form_data ? form_data : "{}";
		/* compiled once per handle; recompiled here only to report a broken schema */
		rc = rt->form ? dvc_eform_validate(rt->form, data, strlen(data))
			      : dvc_eform_check(rt->form_schema, strlen(rt->form_schema), data, strlen(data));
		if (rc != DVC_OK)
			dvc__err_prefix_path("form_data");
		return rc;
	}
	if (form_data) {
		/* no schema: still a JSON object, validated by an empty schema */
		static const char any[] = "{\"type\":\"object\",\"additionalProperties\":true}";
		if ((rc = dvc_eform_check(any, sizeof any - 1, form_data, strlen(form_data))) != DVC_OK)
			dvc__err_prefix_path("form_data");
		return rc;
	}
	return DVC_OK;
}

/* Copies and pages named in the (already validated) form data, else 1 each. */
static int form_counts(const char *form_data, int *copies, int *pages)
{
	unsigned long failures = dvc__alloc_failures();
	static const char *const fields[] = {"copies", "pages"};
	int *out[] = {copies, pages};
	cJSON *root;
	*copies = *pages = 1;
	if (!form_data)
		return DVC_OK;
	if (!(root = cJSON_Parse(form_data)))
		return dvc__alloc_failures() != failures ? dvc__oom() : DVC_OK;
	for (int i = 0; i < 2; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, fields[i]);
		if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= 100000)
			*out[i] = (int)v->valuedouble;
	}
	cJSON_Delete(root);
	return DVC_OK;
}

/* The fee total for the dossier's copies and pages: DVC_ERANGE past
 * DVC_AMOUNT_MAX (a per-copy fee of up to 10^15 VND times copies would wrap
 * int64). Checked at submission, so the intake's computation always fits. */
static int fee_total(const dvc__proc_rt *rt, const dvc__dossier *d, int64_t *out)
{
	int64_t sum = 0, part;
	int by_copy = 0, by_page = 0;
	for (size_t i = 0; i < rt->n_fees; i++) {
		int64_t times = rt->fees[i].kind == DVC_FEE_PER_COPY ? d->copies
				: rt->fees[i].kind == DVC_FEE_PER_PAGE ? d->pages : 1;
		by_copy |= rt->fees[i].kind == DVC_FEE_PER_COPY && d->copies > 1;
		by_page |= rt->fees[i].kind == DVC_FEE_PER_PAGE && d->pages > 1;
		if (__builtin_mul_overflow(rt->fees[i].amount, times, &part) ||
		    __builtin_add_overflow(sum, part, &sum) || sum > DVC_AMOUNT_MAX)
			return dvc__err(DVC_ERANGE, by_copy ? "copies" : by_page ? "pages" : "fees",
					"the fees of procedure %s come to more than %lld VND for %d "
					"copies and %d pages", rt->code, (long long)DVC_AMOUNT_MAX,
					d->copies, d->pages);
	}
	*out = sum;
	return DVC_OK;
}

/* After DVC_EEXPIRED for `unit`: add the units that carry it on today to the
 * message, so that the applicant knows where to go. */
static void name_successors(dvc_db *db, const char *field, const char *unit, const char *asof)
{
	char succ[8][65], list[8 * 66] = "", msg[512];
	dvc_date day;
	size_t n = 0, l = 0;
	int rc = dvc_error_last()->code;
	snprintf(msg, sizeof msg, "%s", dvc_error_last()->message);
	if (dvc__date_parse(asof, &day) != DVC_OK ||
	    dvc__agency_resolve(db, unit, &day, NULL, succ, 8, &n) != DVC_OK || n == 0) {
		dvc__err(rc, field, "%s", msg); /* the resolution's own error is not the news */
		return;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(list + l, sizeof list - l, "%s%.64s", i ? ", " : "", succ[i]);
		l = strlen(list);
	}
	dvc__err(rc, field, "%s; its successor%s on %s: %s", msg, n > 1 ? "s" : "", asof, list);
}

/* The desk and the competent agency of a new dossier, when they are not
 * those of the version's route: a procedure served by every agency of a
 * level goes to the one at the applicant's place, received at that
 * agency's desk (its Public Administration Service Centre) unless the
 * applicant lodges it at another centre of the province (Decree
 * 118/2025/NĐ-CP art. 14(2), as a secondary source reports it). */
static int route_for(dvc_db *db, const dvc__proc_rt *rt, const dvc_submission *s,
		     const dvc_applicant *app, const char *asof, dvc__dossier *d)
{
	const char *desk = s->version >= 2 ? s->desk : NULL;
	const char *place = s->version >= 2 && s->place ? s->place : app->address;
	char root_desk[65], root_route[65];
	dvc_date day;
	int rc;
	if ((rc = dvc__date_parse(asof, &day)) != DVC_OK)
		return rc;
	if (s->version >= 2 && s->place && !dvc__utf8_valid(s->place, strlen(s->place)))
		return dvc__err(DVC_EUTF8, "place", "place is not valid UTF-8");
	if (rt->served_level[0]) {
		if ((rc = dvc__agency_served(db, rt->agency, rt->served_level,
					     rt->served_kind[0] ? rt->served_kind : NULL, place, &day,
					     d->competent)) != DVC_OK)
			return rc;
		if (!desk && (rc = dvc__agency_desk(db, d->competent, &day, d->desk)) != DVC_OK)
			return rc;
	}
	if (desk) {
		dvc_arena a = DVC_ARENA_INIT;
		dvc_agency row;
		bool ok;
		if (strlen(desk) > 64)
			return dvc__err(DVC_ETOOBIG, "desk", "agency code longer than 64 bytes");
		if ((rc = dvc__store_agency_row(db, desk, &a, &row)) != DVC_OK) {
			dvc_arena_free(&a);
			return dvc__err(rc, "desk", "no agency %.64s to lodge the dossier at", desk);
		}
		ok = dvc_agency_in_force(&row, day);
		rc = !ok ? dvc__err(DVC_EEXPIRED, "desk", "desk %.64s is not in force on %s", desk, asof)
		     : !row.kind || (strcmp(row.kind, DVC_KIND_CENTRE) != 0 &&
				     strcmp(row.kind, DVC_KIND_COMMITTEE) != 0)
			 ? dvc__err(DVC_EINVAL, "desk", "%.64s is not a service centre or a People's "
				    "Committee desk", desk)
			 : DVC_OK;
		dvc_arena_free(&a);
		if (rc == DVC_EEXPIRED)
			name_successors(db, "desk", desk, asof);
		if (rc != DVC_OK)
			return rc;
		/* anywhere in the province, not beyond it */
		if ((rc = dvc__agency_root(db, desk, root_desk)) != DVC_OK ||
		    (rc = dvc__agency_root(db, d->competent[0] ? d->competent : rt->steps[0].unit,
					   root_route)) != DVC_OK)
			return rc;
		if (strcmp(root_desk, root_route) != 0)
			return dvc__err(DVC_EINVAL, "desk", "desk %.64s belongs to %.64s, not to %.64s "
					"where the procedure is handled", desk, root_desk, root_route);
		snprintf(d->desk, sizeof d->desk, "%s", desk);
	}
	return DVC_OK;
}

static int submit(dvc_db *db, const dvc_submission *s, dvc_receipt *out)
{
	const dvc__proc_rt *rt;
	dvc_arena ar = DVC_ARENA_INIT;
	dvc__account_row acc;
	dvc_applicant app;
	dvc__signin signin;
	dvc__dossier d;
	char asof[DVC__DATE_SIZE], day[7], phone[DVC_PHONE_E164_SIZE], label[ACTOR_LABEL_SIZE];
	dvc_time now;
	int64_t seq;
	int rc;

	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	memset(&d, 0, sizeof d);
	memset(&signin, 0, sizeof signin);
	local_iso_day(now, asof); /* the handle's day, not the wall clock's */
	if ((rc = dvc__rt_by_code(db, s->procedure, asof, &rt)) != DVC_OK)
		return rc;
	/* Decree 43/2011 & 42/2022: online submission needs level 3+ or an online mode. */
	if (s->channel == DVC_CHANNEL_ONLINE && rt->online_level < 3 && rt->online_mode == DVC_ONLINE_NONE)
		return dvc__err(DVC_ESERVICELEVEL, "channel",
				"procedure %s is offered at online level %d: it cannot be submitted online",
				rt->code, rt->online_level);
	if (s->draft && s->channel != DVC_CHANNEL_ONLINE)
		return dvc__err(DVC_EINVAL, "draft", "only online dossiers can be saved as drafts");
	if (s->account) {
		if ((rc = dvc__store_account_get(db, s->account, &ar, &acc)) != DVC_OK)
			goto out;
		d.account_id = acc.id;
		app = s->applicant ? *s->applicant : acc.profile;
		if ((rc = dvc__identity_for_submission(db, acc.id, &acc.profile, &app,
						       s->version >= 3 && s->national_signin, &ar,
						       &signin)) != DVC_OK)
			goto out;
	} else if (s->version >= 3 && s->national_signin) {
		rc = dvc__err(DVC_EINVAL, "national_signin",
			      "a national sign-in belongs to an account: name the account");
		goto out;
	} else if (s->applicant) {
		app = *s->applicant;
	} else {
		rc = dvc__err(DVC_EINVAL, "applicant",
			      "without an account every applicant field must be typed in");
		goto out;
	}
	if ((rc = dvc__applicant_check(&app, phone)) != DVC_OK)
		goto out;
	if (phone[0])
		app.phone = phone;
	/* who is competent, where it is lodged, and that all of them are in force */
	if ((rc = route_for(db, rt, s, &app, asof, &d)) != DVC_OK)
		goto out;
	for (size_t i = 0; i < rt->n_steps; i++) {
		if (rt->steps[i].role == DVC_ROLE_RECEPTION ? d.desk[0] : d.competent[0])
			continue; /* replaced: checked by route_for */
		if ((rc = check_agency_in_force("procedure", "the route's unit", rt->steps[i].unit, asof,
						rt->steps[i].valid_from, rt->steps[i].valid_to)) != DVC_OK) {
			name_successors(db, "procedure", rt->steps[i].unit, asof);
			goto out;
		}
	}
	d.version_id = rt->version_id;
	if ((rc = dvc__dossier_rt(db, &d, &rt)) != DVC_OK)
		goto out;
	if (s->channel != DVC_CHANNEL_ONLINE) {
		dvc__officer_row off;
		if (!s->officer) {
			rc = dvc__err(DVC_EPERM, "officer", "a %s dossier is entered by a reception officer",
				      dvc_channel_name(s->channel));
			goto out;
		}
		if ((rc = dvc__store_officer_get(db, s->officer, &off, NULL, NULL)) != DVC_OK)
			goto out;
		if (off.role != DVC_ROLE_ADMIN &&
		    (off.role != DVC_ROLE_RECEPTION || strcmp(off.unit, rt->steps[0].unit) != 0)) {
			rc = dvc__err(DVC_EPERM, "officer", "officer %s is not at the reception desk %s",
				      off.username, rt->steps[0].unit);
			goto out;
		}
		snprintf(label, sizeof label, "officer:%s", off.username);
	} else {
		snprintf(label, sizeof label, "%s%.*s", s->account ? "account:" : "applicant",
			 DVC_USERNAME_MAX, s->account ? s->account : "");
	}
	if ((rc = check_form(rt, s->form_data)) != DVC_OK)
		goto out;

	if ((rc = form_counts(s->form_data, &d.copies, &d.pages)) != DVC_OK)
		goto out;
	if (s->copies > 0)
		d.copies = s->copies;
	if (s->pages > 0)
		d.pages = s->pages;
	{
		int64_t total;
		if ((rc = fee_total(rt, &d, &total)) != DVC_OK)
			goto out;
	}
	if (s->fee_exemption && (rc = check_note(s->fee_exemption, "fee_exemption",
						 DVC_EXEMPTION_MAX)) != DVC_OK)
		goto out;
	if (s->fee_exemption && !*s->fee_exemption) {
		rc = dvc__err(DVC_EINVAL, "fee_exemption", "a fee exemption states its legal reason");
		goto out;
	}

	/* The national sync switch is read (once per transaction) before the
	 * desk's code counter is taken: from the number to the commit, every
	 * other submission at this desk waits, so nothing is read in between. */
	if (!s->draft && (rc = dvc_national_sync_enabled(db)) < 0)
		goto out;
	/* Every check is made: from here on only storage can fail (the caller
	 * uses dvc__write_begin_lean). The code: desk agency, local day,
	 * gap-free sequence inside this transaction. */
	local_day(now, day);
	if ((rc = dvc__store_next_seq(db, rt->steps[0].unit, day, &seq)) != DVC_OK)
		goto out;
	/* Circular 01/2018/TT-VPCP art. 19: four digits. The 10,000th dossier of a
	 * desk's day is refused (and the count rolled back with the rest) rather
	 * than given a five-digit code no other system expects. Circular
	 * 03/2025/TT-VPCP also rules on the dossier code since 15 September 2025;
	 * whether it changed this structure is unconfirmed (SOURCES.md). */
	if (seq > DVC_CODE_SEQ_MAX) {
		rc = dvc__err(DVC_ERANGE, "code",
			      "desk %s has already numbered %d dossiers on %s: the 4-digit sequence of "
			      "Circular 01/2018/TT-VPCP art. 19 is exhausted; lodge it at another desk "
			      "or on the next day",
			      rt->steps[0].unit, DVC_CODE_SEQ_MAX, asof);
		goto out;
	}
	snprintf(d.code, sizeof d.code, "%s-%s-%04lld", rt->steps[0].unit, day, (long long)seq);
	out->secret[0] = '\0';
	if (!s->account) {
		random_secret(out->secret);
		secret_hash(out->secret, d.secret_hash);
		d.has_secret = 1;
	}
	d.version_id = rt->version_id;
	d.channel = (int)s->channel;
	d.state = s->draft ? DVC_STATE_DRAFT : DVC_STATE_SUBMITTED;
	d.rev = 1;
	d.submitted_at = now;
	d.step = 0;
	snprintf(d.unit, sizeof d.unit, "%s", rt->steps[0].unit);
	d.step_since = now;
	d.delivery = -1;
	{
		/* the row is inserted once, already carrying its chain head */
		pending_entry pe;
		pe.have_digest = 0;
		journal_prepare(db, &d, &pe, now, label, DVC_ACT_SUBMIT, DVC_STATE_DRAFT,
				s->draft ? "Lưu nháp" : NULL, s->form_data);
		if ((rc = dvc__journal_append_insert(db, &d, &app, s->form_data, s->fee_exemption, &pe.j)) !=
		    DVC_OK)
			goto out;
		if (signin.assurance &&
		    (rc = dvc__store_dossier_identity_put(db, d.id, signin.assurance, signin.issuer,
							  signin.subject)) != DVC_OK)
			goto out;
		/* a draft is the applicant's own until it is submitted */
		if (!s->draft && (rc = dvc__national_sync(db, &d, DVC_ACT_SUBMIT, label, NULL, now)) != DVC_OK)
			goto out;
	}
	snprintf(out->code, sizeof out->code, "%s", d.code);
out:
	dvc_arena_free(&ar);
	return rc;
}

/* submit() with a clean receipt: a run again after a deadlock starts over. */
static int submit_afresh(dvc_db *db, const dvc_submission *s, dvc_receipt *out)
{
	DVC__CLEAR_OUT(out, DVC_RECEIPT_VERSION);
	return submit(db, s, out);
}

int dvc_dossier_submit(dvc_db *db, const dvc_submission *s, dvc_receipt *out)
{
	int rc;
	if (!db || !s || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_submit needs a store, a submission and a receipt");
	if (s->version < 1 || s->version > DVC_SUBMISSION_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "unsupported dvc_submission version %u", s->version);
	if (out->version != DVC_RECEIPT_VERSION)
		return dvc__version_err("dvc_receipt", out->version, DVC_RECEIPT_VERSION);
	if (!s->procedure)
		return dvc__err(DVC_EINVAL, "procedure", "a submission names its procedure");
	if ((unsigned)s->channel > DVC_CHANNEL_POST)
		return dvc__err(DVC_EINVAL, "channel", "unknown channel %d", (int)s->channel);
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	DVC__WRITE_RETRYING(db, rc, dvc__write_begin_lean, submit_afresh(db, s, out));
	if (rc != DVC_OK)
		DVC__CLEAR_OUT(out, DVC_RECEIPT_VERSION);
	return rc;
}

/* ---- actions ---- */

static bool structural_ok(const dvc_transition *t, const dvc__dossier *d, const dvc__proc_rt *rt)
{
	int last = d->step == (int)rt->n_steps - 1;
	if ((t->requires & DVC_REQ_LAST_STEP) && !last)
		return false;
	if ((t->requires & DVC_REQ_NOT_LAST_STEP) && last)
		return false;
	if ((t->requires & DVC_REQ_FROM_INTAKE) && !(d->flags & DVC__F_SUPP_FROM_INTAKE))
		return false;
	if ((t->requires & DVC_REQ_FROM_PROCESSING) && (d->flags & DVC__F_SUPP_FROM_INTAKE))
		return false;
	return true;
}

static const dvc_transition *find_transition(const dvc__dossier *d, dvc_action a,
					     const dvc__proc_rt *rt)
{
	size_t n;
	const dvc_transition *t = dvc_lifecycle_table(&n);
	for (size_t i = 0; i < n; i++)
		if (t[i].from == d->state && t[i].action == a && structural_ok(&t[i], d, rt))
			return &t[i];
	return NULL;
}

/* The role the current step asks for: the desk while the result waits there. */
static dvc_role step_role(const dvc__dossier *d, const dvc__proc_rt *rt)
{
	if (d->state == DVC_STATE_RESULT_READY || d->step <= 0 || d->step >= (int)rt->n_steps)
		return DVC_ROLE_RECEPTION;
	return rt->steps[d->step].role;
}

static int check_actor(const dvc_transition *t, const dvc__dossier *d, const dvc__proc_rt *rt,
		       const actor *ac, dvc_action action)
{
	if (!(t->roles & DVC_ROLE_BIT(ac->role)))
		return dvc__err(DVC_EPERM, "actor", "a %s may not %s a dossier that is %s",
				dvc_role_name(ac->role), dvc_action_name(action), dvc_state_name(d->state));
	if (ac->role == DVC_ROLE_APPLICANT)
		return ac->owner ? DVC_OK
				 : dvc__err(DVC_EPERM, "actor", "only the dossier's own applicant may %s it",
					    dvc_action_name(action));
	if (ac->role == DVC_ROLE_ADMIN)
		return DVC_OK; /* supervisors act wherever the table lets them */
	if ((t->requires & (DVC_REQ_AT_STEP | DVC_REQ_AT_UNIT)) && strcmp(ac->off.unit, d->unit) != 0)
		return dvc__err(DVC_EPERM, "actor", "dossier %s is held by %s, not by officer %s's unit %s",
				d->code, d->unit, ac->off.username, ac->off.unit);
	if ((t->requires & DVC_REQ_AT_STEP) && ac->role != step_role(d, rt))
		return dvc__err(DVC_EPERM, "actor", "the current step of %s is for a %s, not a %s",
				d->code, dvc_role_name(step_role(d, rt)), dvc_role_name(ac->role));
	if ((t->requires & DVC_REQ_AT_DESK) && strcmp(ac->off.unit, rt->steps[0].unit) != 0)
		return dvc__err(DVC_EPERM, "actor", "only the reception desk %s may do this",
				rt->steps[0].unit);
	if ((t->requires & DVC_REQ_AT_STEP) && d->handler_id && d->handler_id != ac->off.id)
		return dvc__err(DVC_EPERM, "actor", "dossier %s is assigned to another officer", d->code);
	return DVC_OK;
}

/* With `needs` (a dry run), inputs the request does not carry yet (note,
 * target, new due date) are reported there instead of failing. */
static int check_preconditions(dvc_db *db, const dvc_transition *t, const dvc__dossier *d,
			       const dvc_action_req *r, dvc_time now, dvc__officer_row *target_officer,
			       unsigned int *needs)
{
	int rc;
	if (needs && (t->requires & DVC_REQ_NOTE) && !r->note)
		*needs |= DVC_NEED_NOTE;
	else if ((t->requires & DVC_REQ_NOTE) && (!r->note || !*r->note))
		return dvc__err(DVC_EINVAL, "note", "%s needs a note (%s)", dvc_action_name(r->action),
				r->action == DVC_ACT_REQUEST_SUPPLEMENT ? "the full list of what is missing"
				: r->action == DVC_ACT_RESCHEDULE     ? "the apology and reason"
								      : "the reasons");
	if (r->note && (rc = check_note(r->note, "note", DVC_NOTE_MAX)) != DVC_OK)
		return rc;
	if ((t->requires & DVC_REQ_NOT_FIRST) && d->step <= 1)
		return dvc__err(DVC_ETRANSITION, "action", "dossier %s is on the first processing step: "
				"there is no step to send it back to", d->code);
	if ((t->requires & DVC_REQ_ONCE)) {
		int flag = r->action == DVC_ACT_RESCHEDULE ? DVC__F_RESCHEDULED
			   : d->state == DVC_STATE_SUBMITTED ? DVC__F_SUPP_INTAKE : DVC__F_SUPP_PROCESSING;
		if (d->flags & flag)
			return dvc__err(DVC_ETRANSITION, "action",
					r->action == DVC_ACT_RESCHEDULE
						? "dossier %s was already rescheduled once"
						: "a supplement was already requested for %s in this phase: "
						  "the applicant is guided once, completely",
					d->code);
	}
	if ((t->requires & DVC_REQ_OVERDUE) && !is_overdue(d, now))
		return dvc__err(DVC_ETRANSITION, "action", "dossier %s is not late: nothing to reschedule",
				d->code);
	if (needs && (t->requires & DVC_REQ_NEW_DUE) && !r->new_due)
		*needs |= DVC_NEED_NEW_DUE;
	else if ((t->requires & DVC_REQ_NEW_DUE) && r->new_due <= now)
		return dvc__err(DVC_EINVAL, "new_due", "the new appointment must be in the future");
	if (needs && (t->requires & DVC_REQ_TARGET) && !r->target) {
		*needs |= DVC_NEED_TARGET;
	} else if (t->requires & DVC_REQ_TARGET) {
		if (!r->target)
			return dvc__err(DVC_EINVAL, "target", "%s needs a target", dvc_action_name(r->action));
		if (r->action == DVC_ACT_ASSIGN) {
			if ((rc = dvc__store_officer_get(db, r->target, target_officer, NULL, NULL)) != DVC_OK)
				return rc;
			if (strcmp(target_officer->unit, d->unit) != 0)
				return dvc__err(DVC_EINVAL, "target", "officer %s is not at unit %s",
						target_officer->username, d->unit);
		} else {
			char day[11], from[11] = "", to[11] = "";
			int found = dvc__store_agency_validity(db, r->target, from, to);
			if (found < 0)
				return found;
			if (!found)
				return dvc__err(DVC_ENOTFOUND, "target", "no agency %.64s", r->target);
			local_iso_day(now, day);
			if ((rc = check_agency_in_force("target", "agency", r->target, day, from, to)) != DVC_OK)
				return rc;
			if (strcmp(r->target, d->unit) == 0)
				return dvc__err(DVC_EINVAL, "target", "dossier %s is already at %s",
						d->code, d->unit);
		}
	}
	return DVC_OK;
}

/* Decree 42/2022: online delivery of results is for level 4 / full online. */
static bool delivery_allowed(const dvc__proc_rt *rt, dvc_delivery m)
{
	return m != DVC_DELIVERY_ONLINE || rt->online_level >= 4 || rt->online_mode == DVC_ONLINE_FULL;
}

/* The whole policy of one action on a loaded dossier by a resolved actor:
 * the transition table, the actor's role, unit, step and assignment, the
 * preconditions (once-only, overdue, route position, target, new date) and
 * the service-level rules. dvc_dossier_act and the dry run of
 * dvc_dossier_allowed_actions both call it, so they cannot disagree. With
 * `needs` (dry run), inputs the request lacks are reported there as
 * DVC_NEED_* bits instead of failing; every other check is made. */
/* The fee before the result: always for an online return (nobody is at the
 * counter to take it), and at the counter too where the procedure says so. */
static int check_paid(dvc_db *db, const dvc__dossier *d, const dvc__proc_rt *rt,
		      dvc_delivery delivery)
{
	dvc_procedure_policy pol;
	char types[DVC__TYPES_MAX], due[DVC_VND_SIZE];
	int64_t owed = d->fee_due - (d->fee_paid - d->fee_refunded);
	int rc;
	if (owed <= 0)
		return DVC_OK;
	if ((rc = dvc__policy(db, rt->code, &pol, types, sizeof types)) != DVC_OK)
		return rc;
	if (delivery != DVC_DELIVERY_ONLINE && !pol.pay_before_return)
		return DVC_OK;
	dvc_vnd_format(owed, due);
	return dvc__err(DVC_ETRANSITION, "fee",
			"dossier %s still owes %s đồng: the fee is paid before the result is returned%s",
			d->code, due, delivery == DVC_DELIVERY_ONLINE ? " online" : "");
}

/* An online return hands over the signed electronic result (sign.h) where
 * the procedure takes its documents online (policy require_files); stores
 * made before documents existed keep returning online without one. */
static int check_signed(dvc_db *db, const dvc__dossier *d, const dvc__proc_rt *rt)
{
	dvc_procedure_policy pol;
	char types[DVC__TYPES_MAX];
	int rc;
	if ((rc = dvc__policy(db, rt->code, &pol, types, sizeof types)) != DVC_OK)
		return rc;
	if (!pol.require_files)
		return DVC_OK;
	if ((rc = dvc__dossier_has_signed_result(db, d->id)) < 0)
		return rc;
	if (rc == 0)
		return dvc__err(DVC_EINCOMPLETE, "result",
				"dossier %s has no signed electronic result to return online: the "
				"signing leader attaches the result and signs it (dvc_dossier_sign_result)",
				d->code);
	return DVC_OK;
}

static int check_action(dvc_db *db, const dvc__dossier *d, const dvc__proc_rt *rt,
			const actor *ac, const dvc_action_req *r, dvc_time now,
			const dvc_transition **tp, dvc__officer_row *target, unsigned int *needs)
{
	const dvc_transition *t;
	int rc;
	if (!(t = find_transition(d, r->action, rt)))
		return dvc__err(DVC_ETRANSITION, "action", "cannot %s dossier %s: it is %s",
				dvc_action_name(r->action), d->code, dvc_state_name(d->state));
	if ((rc = check_actor(t, d, rt, ac, r->action)) != DVC_OK ||
	    (rc = check_preconditions(db, t, d, r, now, target, needs)) != DVC_OK)
		return rc;
	if (r->action == DVC_ACT_RETURN && needs) {
		*needs |= DVC_NEED_DELIVERY;
	} else if (r->action == DVC_ACT_RETURN) {
		if ((unsigned)r->delivery > DVC_DELIVERY_ONLINE)
			return dvc__err(DVC_EINVAL, "delivery", "unknown delivery %d", (int)r->delivery);
		if (!delivery_allowed(rt, r->delivery))
			return dvc__err(DVC_ESERVICELEVEL, "delivery",
					"procedure %s (online level %d) cannot deliver results online",
					rt->code, rt->online_level);
	}
	if (r->action == DVC_ACT_RECEIVE && (rc = dvc__documents_check_receipt(db, d, rt)) != DVC_OK)
		return rc;
	if (r->action == DVC_ACT_RETURN &&
	    (rc = check_paid(db, d, rt, needs ? DVC_DELIVERY_COUNTER : r->delivery)) != DVC_OK)
		return rc;
	if (r->action == DVC_ACT_RETURN && !needs && r->delivery == DVC_DELIVERY_ONLINE &&
	    (rc = check_signed(db, d, rt)) != DVC_OK)
		return rc;
	*tp = t;
	return DVC_OK;
}

/* Enter route step `i` now. */
static int enter_step(const dvc_calendar *cal, const dvc__proc_rt *rt, dvc__dossier *d, int i,
		      dvc_time now)
{
	d->step = i;
	snprintf(d->unit, sizeof d->unit, "%s", rt->steps[i].unit);
	d->handler_id = 0;
	d->step_since = now;
	return step_due(cal, rt, i, now, &d->step_due_at);
}

static int apply(const dvc_calendar *cal, const dvc__proc_rt *rt, dvc__dossier *d,
		 const dvc_transition *t, const dvc_action_req *r, dvc_time now,
		 const dvc__officer_row *target_officer)
{
	int rc = DVC_OK;
	dvc_state from = d->state;
	d->state = t->to;
	switch (r->action) {
	case DVC_ACT_SUBMIT:
		d->submitted_at = now;
		d->step_since = now;
		break;
	case DVC_ACT_RECEIVE:
		d->received_at = now;
		d->fee_due = 0;
		if (!d->fee_exempt && (rc = fee_total(rt, d, &d->fee_due)) != DVC_OK)
			return rc;
		rc = rt->deadline_unit == DVC_DEADLINE_DAYS
			     ? dvc_calendar_add_days(cal, now, rt->deadline_value, &d->due_at)
			     : dvc_calendar_add_hours(cal, now, rt->deadline_value, &d->due_at);
		if (rc == DVC_OK)
			rc = step_due(cal, rt, 0, now, &d->step_due_at);
		d->step_since = now;
		break;
	case DVC_ACT_REQUEST_SUPPLEMENT:
		if (from == DVC_STATE_SUBMITTED)
			d->flags |= DVC__F_SUPP_INTAKE | DVC__F_SUPP_FROM_INTAKE;
		else
			d->flags = (d->flags | DVC__F_SUPP_PROCESSING) & ~DVC__F_SUPP_FROM_INTAKE;
		rc = stop_clock(cal, d, now);
		break;
	case DVC_ACT_SUPPLY:
	case DVC_ACT_RESUME:
		rc = restart_clock(cal, d, now);
		break;
	case DVC_ACT_PAUSE:
		rc = stop_clock(cal, d, now);
		break;
	case DVC_ACT_FORWARD:
		if (t->to == DVC_STATE_RESULT_READY) {
			/* the signed result goes back to the desk that returns it */
			d->result_at = now;
			d->step = 0;
			snprintf(d->unit, sizeof d->unit, "%s", rt->steps[0].unit);
			d->handler_id = 0;
			d->step_since = now;
			d->step_due_at = 0;
		} else {
			rc = enter_step(cal, rt, d, d->step + 1, now);
		}
		break;
	case DVC_ACT_SEND_BACK:
		rc = enter_step(cal, rt, d, d->step - 1, now);
		break;
	case DVC_ACT_TRANSFER:
		snprintf(d->unit, sizeof d->unit, "%s", r->target);
		d->handler_id = 0;
		d->step_since = now;
		break;
	case DVC_ACT_ASSIGN:
		d->handler_id = target_officer->id;
		break;
	case DVC_ACT_RESCHEDULE:
		d->rescheduled_due_at = r->new_due;
		d->flags |= DVC__F_RESCHEDULED;
		break;
	case DVC_ACT_RETURN:
		d->delivery = (int)r->delivery;
		d->finished_at = now;
		break;
	case DVC_ACT_REJECT:
	case DVC_ACT_WITHDRAW:
	case DVC_ACT_CANCEL:
		d->finished_at = now;
		break;
	case DVC_ACT_PAY:
	case DVC_ACT_REFUND:
	case DVC_ACT_ATTACH:
	case DVC_ACT_SIGN:
	case DVC_ACT_RATE:
	case DVC_ACT_ERASE:
		break; /* refused before we get here */
	}
	return rc;
}

/* Rejected after payment: record the refund owed (paid out by the agency). */
static int refund(dvc_db *db, dvc__dossier *d, dvc_time now)
{
	char ref[DVC_PAYMENT_REF_SIZE];
	int64_t n, amount = d->fee_paid - d->fee_refunded;
	int rc;
	if ((rc = dvc__store_payment_count(db, d->id, &n)) != DVC_OK)
		return rc;
	snprintf(ref, sizeof ref, "DVC%lldR%lld", (long long)d->id, (long long)(n + 1));
	if ((rc = dvc__store_payment_insert(db, d->id, ref, DVC__PAY_KIND_REFUND, amount,
					    DVC__PAY_REFUND_PENDING, NULL, now, 0)) != DVC_OK)
		return rc;
	d->fee_refunded += amount;
	return DVC_OK;
}

/* The applicant is told of every step that concerns them (Decree 61/2018). */
static int notify(dvc_db *db, const dvc__dossier *d, const dvc__proc_rt *rt,
		  const dvc_action_req *r, const dvc_transition *t)
{
	dvc__notify_values v;
	char when[DVC__LOCAL_TIME_SIZE];
	const char *event = NULL;
	memset(&v, 0, sizeof v);
	v.procedure = rt->name;
	switch (r->action) {
	case DVC_ACT_RECEIVE:
		event = "accepted";
		dvc__format_local(d->due_at, when);
		v.appointment = when;
		break;
	case DVC_ACT_REQUEST_SUPPLEMENT:
		event = "supplement";
		v.list = r->note;
		break;
	case DVC_ACT_REJECT:
		event = "rejected";
		v.reason = r->note;
		break;
	case DVC_ACT_FORWARD:
		if (t->to == DVC_STATE_RESULT_READY)
			event = "result_ready";
		break;
	case DVC_ACT_RESCHEDULE:
		event = "apology";
		dvc__format_local(r->new_due, when);
		v.new_date = when;
		v.reason = r->note;
		break;
	default:
		break;
	}
	return event ? dvc__notify(db, d->id, d->code, d->journal_seq, event, &v) : DVC_OK;
}

/* Load a dossier, its procedure and who asks (NULL: the library itself).
 * An anonymous caller with a wrong secret, or asking for a code that does
 * not exist, gets DVC_EAUTH with *bad_secret set (the caller counts it); a
 * stranger learns nothing, not even the state. */
static int load_for(dvc_db *db, const char *code, const dvc_actor *who, dvc__dossier *d,
		    const dvc__proc_rt **rt, actor *ac, int *bad_secret)
{
	int rc;
	if ((rc = dvc__store_dossier_load(db, code, d)) != DVC_OK) {
		if (rc == DVC_ENOTFOUND && who && who->kind == DVC_ACTOR_ANONYMOUS) {
			*bad_secret = 1; /* the same answer, and count, as a wrong secret */
			return DVC_EAUTH;
		}
		return rc;
	}
	if (who) {
		if ((rc = resolve_actor(db, d, who, ac)) != DVC_OK)
			return rc;
		if (who->kind == DVC_ACTOR_ANONYMOUS && ac->bad_secret) {
			*bad_secret = 1;
			return DVC_EAUTH;
		}
		if (ac->role == DVC_ROLE_APPLICANT && !ac->owner)
			return dvc__err(DVC_EPERM, "actor", "dossier %s belongs to another applicant",
					d->code);
	}
	return dvc__dossier_rt(db, d, rt);
}

static int act(dvc_db *db, const char *code, const dvc_action_req *r, int64_t *new_version,
	       int *bad_secret, dvc__dossier *d)
{
	const dvc__proc_rt *rt;
	const dvc_transition *t;
	const dvc_calendar *cal;
	dvc__officer_row target;
	actor ac;
	dvc_time now;
	int64_t rev;
	dvc_state from;
	int rc;

	if ((rc = dvc__now(db, &now)) != DVC_OK || (rc = load_for(db, code, &r->actor, d, &rt, &ac, bad_secret)) != DVC_OK ||
	    (rc = dvc__calendar(db, &cal)) != DVC_OK)
		return rc;
	if (r->expected_version >= 0 && r->expected_version != d->rev)
		return dvc__err(DVC_ECONFLICT, "expected_version",
				"dossier %s is at version %lld, not %lld: reload it", d->code,
				(long long)d->rev, (long long)r->expected_version);
	if ((rc = check_action(db, d, rt, &ac, r, now, &t, &target, NULL)) != DVC_OK)
		return rc;
	rev = d->rev;
	from = d->state;
	if ((rc = apply(cal, rt, d, t, r, now, &target)) != DVC_OK)
		return rc;
	/* Every check is made: from here on only storage can fail (the caller
	 * uses dvc__write_begin_lean). */
	d->rev = rev + 1;
	/* the refund owed first: the entry records the fees after it */
	if (r->action == DVC_ACT_REJECT && d->fee_paid > d->fee_refunded &&
	    (rc = refund(db, d, now)) != DVC_OK)
		return rc;
	if ((rc = journal_update(db, d, rev, now, ac.label, r->action, from, r->note, r->payload)) != DVC_OK ||
	    (r->action == DVC_ACT_SUBMIT &&
	     (rc = dvc__store_dossier_set_submitted(db, d->id, d->submitted_at)) != DVC_OK) ||
	    (rc = notify(db, d, rt, r, t)) != DVC_OK ||
	    (rc = dvc__national_sync(db, d, r->action, ac.label, r->note, now)) != DVC_OK)
		return rc;
	if (new_version)
		*new_version = d->rev;
	return DVC_OK;
}

/* A record's entry: the clock's now, and d moved on from revision *rev. */
static int next_rev(dvc_db *db, dvc__dossier *d, int64_t *rev, dvc_time *now)
{
	int rc = dvc__now(db, now);
	if (rc != DVC_OK)
		return rc;
	*rev = d->rev++;
	return DVC_OK;
}

int dvc__dossier_record(dvc_db *db, dvc__dossier *d, const char *who, dvc_action action,
			const char *note, const char *payload)
{
	int64_t rev;
	dvc_time now;
	int rc;
	if ((rc = next_rev(db, d, &rev, &now)) != DVC_OK)
		return rc;
	return journal_update(db, d, rev, now, who, action, d->state, note, payload);
}

int dvc__dossier_record_digest(dvc_db *db, dvc__dossier *d, const char *who, dvc_action action,
			       const char *note, const unsigned char digest[32])
{
	pending_entry pe;
	int64_t rev;
	dvc_time now;
	int rc;
	if ((rc = next_rev(db, d, &rev, &now)) != DVC_OK)
		return rc;
	pe.have_digest = 1;
	memcpy(pe.digest, digest, 32);
	journal_prepare(db, d, &pe, now, who, action, d->state, note, NULL);
	return dvc__journal_append_update(db, d, rev, &pe.j);
}

int dvc__dossier_open(dvc_db *db, const char *code, const dvc_actor *a, dvc__dossier *d,
		      dvc__who *w, int *bad_secret)
{
	const dvc__proc_rt *rt;
	actor ac;
	int rc;
	*bad_secret = 0;
	if (!a)
		return dvc__err(DVC_EINVAL, "actor", "who asks is required");
	if ((rc = load_for(db, code, a, d, &rt, &ac, bad_secret)) != DVC_OK)
		return rc;
	w->role = ac.role;
	w->is_officer = ac.is_officer;
	w->owner = ac.owner;
	w->account_id = ac.account_id;
	w->off = ac.off;
	_Static_assert(sizeof w->label == sizeof ac.label, "one label size");
	memcpy(w->label, ac.label, sizeof w->label);
	return DVC_OK;
}

int dvc__anon_check(dvc_db *db, dvc__guesser *g, const char *client, const char *code,
		    const char *secret)
{
	int rc;
	if ((rc = guesser_init(g, client, code, secret)) != DVC_OK)
		return rc;
	return throttled(db, g);
}

int dvc__caller_check(dvc_db *db, dvc__guesser *g, const char *code, const dvc_actor *who,
		      const dvc_caller *from)
{
	if (from && from->version != DVC_CALLER_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "unsupported dvc_caller version %u", from->version);
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	if (who->kind != DVC_ACTOR_ANONYMOUS)
		return DVC_OK;
	return dvc__anon_check(db, g, from ? from->client : NULL, code, who->secret);
}

int dvc__caller_done(dvc_db *db, const dvc__guesser *g, const dvc_actor *who, int rc, int bad_secret)
{
	if (bad_secret)
		return count_bad_secret(db, g);
	if (rc == DVC_OK && who->kind == DVC_ACTOR_ANONYMOUS)
		forget_failures(db, g);
	return rc;
}

int dvc__anon_failed(dvc_db *db, const dvc__guesser *g)
{
	return count_bad_secret(db, g);
}

void dvc__anon_ok(dvc_db *db, const dvc__guesser *g)
{
	forget_failures(db, g);
}

int dvc_dossier_act(dvc_db *db, const char *code, const dvc_action_req *r, int64_t *new_version)
{
	dvc__dossier d;
	guesser g;
	int rc, bad_secret = 0;
	int anonymous;
	if (!db || !code || !r)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_act needs a store, a code and a request");
	if (r->version < 1 || r->version > DVC_ACTION_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "unsupported dvc_action_req version %u", r->version);
	if ((unsigned)r->action >= DVC_ACTION_COUNT)
		return dvc__err(DVC_EINVAL, "action", "unknown action %d", (int)r->action);
	if (dvc_action_is_record(r->action))
		return dvc__err(DVC_EINVAL, "action", "%s is recorded by its own module (payments, "
				"documents, signatures, ratings, erasure), not as a dossier action",
				dvc_action_name(r->action));
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	anonymous = r->actor.kind == DVC_ACTOR_ANONYMOUS;
	if (anonymous &&
	    ((rc = guesser_init(&g, r->version >= 2 ? r->client : NULL, code, r->actor.secret)) != DVC_OK ||
	     (rc = throttled(db, &g)) != DVC_OK))
		return rc;
	DVC__WRITE_RETRYING(db, rc, dvc__write_begin_lean,
			    (bad_secret = 0, act(db, code, r, new_version, &bad_secret, &d)));
	if (bad_secret)
		return count_bad_secret(db, &g);
	if (rc == DVC_OK && anonymous)
		forget_failures(db, &g);
	return rc;
}

/* ---- the dry run ---- */

struct dvc_allowed_actions {
	dvc_arena arena;
	dvc_allowed_action items[DVC_ACTION_COUNT];
	size_t n;
	char code[DVC_CODE_MAX];
	dvc_state state;
	int64_t version;
};

/* Every action but the journal-only payment entries, through check_action
 * as dvc_dossier_act would run it, with the inputs left out. */
static int dry_run(dvc_db *db, const char *code, const dvc_actor *who, dvc_allowed_actions *l,
		   int *bad_secret)
{
	const dvc__proc_rt *rt;
	dvc__dossier d;
	actor ac;
	dvc_time now;
	int rc;
	if ((rc = dvc__now(db, &now)) != DVC_OK ||
	    (rc = load_for(db, code, who, &d, &rt, &ac, bad_secret)) != DVC_OK)
		return rc;
	snprintf(l->code, sizeof l->code, "%s", d.code);
	l->state = d.state;
	l->version = d.rev;
	for (int a = 0; a < DVC_ACTION_COUNT; a++) {
		dvc_action_req r = DVC_ACTION_INIT;
		dvc_allowed_action *x = &l->items[l->n];
		const dvc_transition *t;
		dvc__officer_row target;
		if (dvc_action_is_record((dvc_action)a))
			continue;
		r.action = (dvc_action)a;
		r.actor = *who;
		memset(x, 0, sizeof *x);
		x->action = r.action;
		rc = check_action(db, &d, rt, &ac, &r, now, &t, &target, &x->needs);
		if (rc == DVC_OK) {
			x->allowed = 1;
			if (x->needs & DVC_NEED_DELIVERY)
				for (int m = 0; m <= DVC_DELIVERY_ONLINE; m++)
					x->deliveries |= delivery_allowed(rt, (dvc_delivery)m) ? 1u << m : 0;
		} else if (rc == DVC_ENOMEM || rc == DVC_EIO || rc == DVC_EBUSY || rc == DVC_ECORRUPT) {
			return rc; /* the store failed, not the policy */
		} else {
			x->needs = 0;
			x->error = rc;
			if (!(x->message = dvc_arena_strdup(&l->arena, dvc_error_last()->message)))
				return dvc__oom();
		}
		l->n++;
	}
	return DVC_OK;
}

int dvc_dossier_allowed_actions(dvc_db *db, const char *code, const dvc_actor *who,
				const dvc_caller *from, dvc_allowed_actions **out)
{
	dvc_allowed_actions *l;
	guesser g;
	int rc, bad_secret = 0;
	if (out)
		*out = NULL;
	if (!db || !code || !who || !out)
		return dvc__err(DVC_EINVAL, NULL,
				"dvc_dossier_allowed_actions needs a store, a code, who asks and an out pointer");
	/* anonymous callers are throttled and counted as tracking counts them */
	if ((rc = dvc__caller_check(db, &g, code, who, from)) != DVC_OK)
		return rc;
	if (!(l = dvc__calloc(1, sizeof *l)))
		return dvc__oom();
	if ((rc = dvc__read_begin(db)) == DVC_OK) {
		rc = dry_run(db, code, who, l, &bad_secret);
		dvc__read_end(db);
	}
	if (rc != DVC_OK) {
		dvc_allowed_actions_free(l);
		return bad_secret ? count_bad_secret(db, &g) : rc;
	}
	if (who->kind == DVC_ACTOR_ANONYMOUS)
		forget_failures(db, &g);
	*out = l;
	return DVC_OK;
}

DVC__LIST_ACCESSORS(allowed_actions, dvc_allowed_actions, dvc_allowed_action, items)

const dvc_allowed_action *dvc_allowed_actions_find(const dvc_allowed_actions *l, dvc_action a)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (l->items[i].action == a)
			return &l->items[i];
	return NULL;
}

const char *dvc_allowed_actions_code(const dvc_allowed_actions *l) { return l ? l->code : NULL; }
dvc_state dvc_allowed_actions_state(const dvc_allowed_actions *l) { return l ? l->state : DVC_STATE_DRAFT; }
int64_t dvc_allowed_actions_version(const dvc_allowed_actions *l) { return l ? l->version : -1; }

/* ---- tracking ---- */

typedef struct track_build {
	dvc_arena *a;
	dvc_journal_entry *items;
	size_t n, cap;
} track_build;

static void hex(const unsigned char *b, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[64] = '\0';
}

static int on_entry(void *ctx, const dvc__journal_row *j)
{
	track_build *tb = ctx;
	dvc_journal_entry *e;
	/* on failure the caller drops the whole result */
	if (!(tb->items = dvc_arena_grow(tb->a, tb->items, tb->n, &tb->cap, sizeof *tb->items)))
		return dvc__oom();
	e = &tb->items[tb->n];
	e->seq = j->seq;
	e->at = j->at;
	e->actor = dvc_arena_strdup(tb->a, j->actor);
	e->unit = dvc_arena_strdup(tb->a, j->unit);
	e->note = dvc_arena_strdup(tb->a, j->note);
	e->action = j->action;
	e->from = j->from;
	e->to = j->to;
	if (j->payload_digest)
		hex(j->payload_digest, e->payload_digest);
	else
		e->payload_digest[0] = '\0';
	hex(j->hash, e->hash);
	if (!e->actor || (j->unit && !e->unit) || (j->note && !e->note))
		return dvc__oom();
	tb->n++;
	return DVC_OK;
}

static int track(dvc_db *db, const char *code, const dvc_actor *who, dvc_tracking **out,
		 int *bad_secret, dvc__dossier *d)
{
	const dvc__proc_rt *rt;
	const dvc_calendar *cal;
	dvc_arena a = DVC_ARENA_INIT;
	dvc_tracking *t;
	track_build tb;
	actor ac;
	dvc_time now, until;
	int rc;

	/* who == NULL: a library-internal read (slips, notifications) */
	if ((rc = dvc__now(db, &now)) != DVC_OK || (rc = load_for(db, code, who, d, &rt, &ac, bad_secret)) != DVC_OK ||
	    (rc = dvc__calendar(db, &cal)) != DVC_OK)
		return rc;
	if (!(t = dvc_arena_alloc(&a, sizeof *t + sizeof(dvc_arena))))
		return dvc__oom();
	t->code = dvc_arena_strdup(&a, d->code);
	t->procedure = dvc_arena_strdup(&a, rt->code);
	t->procedure_version = rt->version;
	t->channel = (dvc_channel)d->channel;
	t->state = d->state;
	t->version = d->rev;
	t->step = d->step;
	t->n_steps = (int)rt->n_steps;
	t->unit = dvc_arena_strdup(&a, d->unit);
	/* lodged at one desk, handled by one agency (Decree 118/2025: not always
	 * the same commune) */
	t->desk = dvc_arena_strdup(&a, rt->steps[0].unit);
	t->competent = dvc_arena_strdup(&a, d->competent[0] ? d->competent : rt->agency);
	t->step_role = step_role(d, rt);
	t->submitted_at = d->submitted_at;
	t->received_at = d->received_at;
	t->due_at = d->due_at;
	t->rescheduled_due_at = d->rescheduled_due_at;
	t->step_since = d->step_since;
	t->step_due_at = d->step_due_at;
	t->result_at = d->result_at;
	t->finished_at = d->finished_at;
	t->overdue = is_overdue(d, now);
	t->step_overdue = is_step_overdue(d, now);
	t->clock_stopped = (d->flags & DVC__F_STOPPED) != 0;
	t->delivery = d->delivery < 0 ? DVC_DELIVERY_COUNTER : (dvc_delivery)d->delivery;
	t->fee_due = d->fee_due;
	t->fee_paid = d->fee_paid;
	t->fee_refunded = d->fee_refunded;
	until = d->finished_at ? d->finished_at : t->clock_stopped ? d->stopped_at : now;
	t->seconds_in_step = 0;
	if (until > d->step_since &&
	    (rc = dvc_calendar_between(cal, d->step_since, until, &t->seconds_in_step)) != DVC_OK)
		goto fail;
	if ((rc = dvc__store_dossier_details(db, d->id, &a, &t->applicant, &t->handler,
					     &t->unit_name, &t->fee_exemption, &t->form_data)) != DVC_OK)
		goto fail;
	t->applicant_name = t->applicant.full_name;
	{
		dvc_procedure *p;
		if ((rc = dvc__store_version_get(db, rt->code, rt->version, NULL, &p)) != DVC_OK)
			goto fail;
		t->procedure_name = dvc_arena_strdup(&a, p->name);
		dvc_procedure_free(p);
	}
	tb.a = &a;
	tb.items = NULL;
	tb.n = tb.cap = 0;
	if ((rc = dvc__store_journal_each(db, d->id, on_entry, &tb)) != DVC_OK)
		goto fail;
	t->history = tb.items;
	t->n_history = tb.n;
	if (!t->code || !t->procedure || !t->unit || !t->procedure_name || !t->desk || !t->competent) {
		rc = dvc__oom();
		goto fail;
	}
	*(dvc_arena *)(t + 1) = a;
	*out = t;
	return DVC_OK;
fail:
	dvc_arena_free(&a);
	return rc;
}

/* The row that records an officer's read (inside a write). */
static int record_read(dvc_db *db, const char *code, const dvc_actor *who, int kind,
		       const char *detail, dvc_time now)
{
	dvc__dossier d;
	actor ac;
	int rc;
	if ((rc = dvc__store_dossier_load(db, code, &d)) == DVC_OK &&
	    (rc = resolve_actor(db, &d, who, &ac)) == DVC_OK)
		rc = dvc__store_access_insert(db, d.id, ac.off.id, now, kind, detail);
	return rc;
}

/* Decree 13/2023/NĐ-CP: an officer's read of the dossier's personal data is
 * recorded before it happens (privacy.h): the officer and the dossier are
 * resolved and one row inserted, in one short write. No record, no read. */
int dvc__officer_read(dvc_db *db, const char *code, const dvc_actor *who, int kind,
		      const char *detail)
{
	dvc_time now;
	int rc;
	if (!who || who->kind != DVC_ACTOR_OFFICER)
		return DVC_OK;
	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	DVC__WRITE(db, rc, record_read(db, code, who, kind, detail, now));
	return rc;
}

int dvc__read_open(dvc_db *db, const char *code, const dvc_actor *who, int kind,
		   const char *detail, int *writing)
{
	dvc_time now;
	int rc;
	*writing = who && who->kind == DVC_ACTOR_OFFICER;
	if (!*writing)
		return dvc__read_begin(db);
	/* the record, then the read: the read sees one moment of the dossier;
	 * not run again after a deadlock: the transaction goes on with the
	 * caller's reads, to dvc__read_close (the caller gets DVC_EBUSY) */
	if ((rc = dvc__now(db, &now)) != DVC_OK || (rc = dvc__write_begin_snapshot(db)) != DVC_OK)
		return rc;
	if ((rc = record_read(db, code, who, kind, detail, now)) != DVC_OK)
		dvc__write_end(db, rc);
	return rc;
}

int dvc__read_close(dvc_db *db, int writing, int rc)
{
	if (writing)
		return dvc__write_end(db, rc);
	dvc__read_end(db);
	return rc;
}

int dvc_dossier_track_from(dvc_db *db, const char *code, const dvc_actor *who,
			   const dvc_caller *from, dvc_tracking **out)
{
	dvc__dossier d;
	guesser g;
	int rc, bad_secret = 0, writing;
	if (!db || !code || !who || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_track needs a store, a code, who asks and an out pointer");
	*out = NULL;
	if ((rc = dvc__caller_check(db, &g, code, who, from)) != DVC_OK)
		return rc;
	if ((rc = dvc__read_open(db, code, who, DVC_ACCESS_TRACK, NULL, &writing)) != DVC_OK)
		return rc;
	rc = dvc__read_close(db, writing, track(db, code, who, out, &bad_secret, &d));
	if (rc != DVC_OK && *out) { /* read, but its record could not be committed */
		dvc_tracking_free(*out);
		*out = NULL;
	}
	return dvc__caller_done(db, &g, who, rc, bad_secret);
}

int dvc_dossier_track(dvc_db *db, const char *code, const dvc_actor *who, dvc_tracking **out)
{
	return dvc_dossier_track_from(db, code, who, NULL, out);
}

int dvc__dossier_track(dvc_db *db, const char *code, dvc_tracking **out)
{
	dvc__dossier d;
	int bad_secret = 0;
	*out = NULL;
	return track(db, code, NULL, out, &bad_secret, &d);
}

void dvc_tracking_free(dvc_tracking *t)
{
	if (t) {
		dvc_arena a = *(dvc_arena *)(t + 1);
		dvc_arena_free(&a);
	}
}

/* ---- listing ---- */

struct dvc_dossier_list {
	dvc_arena arena;
	dvc_dossier_row *rows;
	size_t n, cap, limit;
	const dvc_dossier_filter *f;
	dvc_time now;
};

static int on_row(void *ctx, const dvc__dossier *d, const char *procedure, const char *handler)
{
	dvc_dossier_list *l = ctx;
	dvc_dossier_row *r;
	int over = is_overdue(d, l->now), step_over = is_step_overdue(d, l->now);
	if ((l->f->overdue && !over) || (l->f->step_overdue && !step_over))
		return DVC_OK;
	if (l->n == l->limit)
		return 1;
	r = DVC__LIST_NEXT(l, rows);
	if (!r)
		return dvc__oom();
	r->code = dvc_arena_strdup(&l->arena, d->code);
	r->procedure = dvc_arena_strdup(&l->arena, procedure);
	r->unit = dvc_arena_strdup(&l->arena, d->unit);
	r->handler = dvc_arena_strdup(&l->arena, handler);
	r->state = d->state;
	r->due_at = d->due_at;
	r->step_due_at = d->step_due_at;
	r->step_since = d->step_since;
	r->overdue = over;
	r->step_overdue = step_over;
	if (!r->code || !r->unit)
		return dvc__oom();
	l->n++;
	return DVC_OK;
}

int dvc_dossier_find(dvc_db *db, const dvc_dossier_filter *f, dvc_dossier_list **out)
{
	dvc_dossier_filter def = DVC_DOSSIER_FILTER_INIT;
	dvc_dossier_list *l;
	int rc;
	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_find needs a store and an out pointer");
	if (!f)
		f = &def;
	if (f->version != DVC_DOSSIER_FILTER_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "unsupported dvc_dossier_filter version %u", f->version);
	if (f->state < -1 || f->state >= DVC_STATE_COUNT)
		return dvc__err(DVC_EINVAL, "state", "unknown state %d", f->state);
	if (!(l = dvc__calloc(1, sizeof *l)))
		return dvc__oom();
	l->f = f;
	l->limit = f->limit ? f->limit : 1000;
	if ((rc = dvc__now(db, &l->now)) != DVC_OK) {
		dvc_dossier_list_free(l);
		return rc;
	}
	/* overdue filters are derived in C, so the store is asked for every row
	 * of the state/unit and the limit applies after filtering */
	rc = dvc__store_dossier_each(db, f->state, f->unit,
				     f->overdue || f->step_overdue ? (size_t)INT64_MAX : l->limit, on_row, l);
	if (rc != DVC_OK) {
		dvc_dossier_list_free(l);
		return rc;
	}
	l->f = NULL;
	*out = l;
	return DVC_OK;
}

DVC__LIST_ACCESSORS(dossier_list, dvc_dossier_list, dvc_dossier_row, rows)

/* ---- verification (proof.c) ---- */

int dvc_dossier_verify(dvc_db *db, const char *code, size_t *checked)
{
	dvc_journal_report r = DVC_JOURNAL_REPORT_INIT;
	int rc = dvc_journal_verify(db, code, &r);
	if (checked)
		*checked = r.dossiers;
	return rc;
}
