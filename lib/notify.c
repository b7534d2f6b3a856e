/* Notification outbox: Vietnamese templates, SMS segment budgeting, the
 * transactional enqueue used by dossier and payment actions, and the drain
 * API (lease, sent, failed with back-off). */
#include "dvc/notify.h"
#include "embedded.h"
#include "notify_internal.h"
#include "store_internal.h"
#include "text.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

/* Events and template fields, in table order. */
static const char *const events[] = {"accepted", "supplement", "rejected", "result_ready",
				     "apology", "payment"};
static const char *const fields[] = {"sms", "email_subject", "email_body"};
static const char *const placeholders[] = {"code", "procedure", "applicant", "appointment", "list",
					   "reason", "new_date", "amount", "unit"};
#define N_EVENTS DVC_ARRAY_LEN(events)
#define N_FIELDS DVC_ARRAY_LEN(fields)

struct dvc__templates {
	char *text[N_EVENTS][N_FIELDS];
};

void dvc__templates_free(struct dvc__templates *t)
{
	if (!t)
		return;
	for (size_t e = 0; e < N_EVENTS; e++)
		for (size_t f = 0; f < N_FIELDS; f++)
			dvc__free(t->text[e][f]);
	dvc__free(t);
}

static int index_of(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

/* Every {name} must be a known placeholder; braces must pair. */
static int check_template(const char *text, const char *path)
{
	for (const char *p = text; *p; p++) {
		if (*p == '}')
			return dvc__err(DVC_ETEMPLATE, path, "unmatched '}' in template");
		if (*p != '{')
			continue;
		const char *end = strchr(p, '}');
		char name[32];
		size_t n;
		if (!end)
			return dvc__err(DVC_ETEMPLATE, path, "unclosed '{' in template");
		n = (size_t)(end - p - 1);
		if (n == 0 || n >= sizeof name)
			return dvc__err(DVC_ETEMPLATE, path, "empty or overlong placeholder");
		memcpy(name, p + 1, n);
		name[n] = '\0';
		if (index_of(placeholders, DVC_ARRAY_LEN(placeholders), name) < 0)
			return dvc__err(DVC_ETEMPLATE, path, "unknown placeholder {%s}", name);
		p = end;
	}
	return DVC_OK;
}

/* Parse a template document into `t` (only the events/fields it lists). */
static int parse_templates(const char *json, size_t len, struct dvc__templates *t, bool all)
{
	/* a template set nests 3 deep, three texts for each of a dozen events */
	static const dvc__json_limits lim = {0, 16, 10000};
	cJSON *root, *tpls, *ev, *fld;
	char path[96];
	int rc = dvc__json_read(json, len, &lim, "the template document", &root);
	if (rc != DVC_OK)
		return rc;
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "format")) ||
	    strcmp(cJSON_GetObjectItemCaseSensitive(root, "format")->valuestring,
		   "dvc-notify-templates") != 0) {
		cJSON_Delete(root);
		return dvc__err(DVC_ESCHEMA, "format", "not a template document (format \"dvc-notify-templates\")");
	}
	tpls = cJSON_GetObjectItemCaseSensitive(root, "templates");
	if (!cJSON_IsObject(tpls)) {
		cJSON_Delete(root);
		return dvc__err(DVC_ESCHEMA, "templates", "templates must be an object");
	}
	cJSON_ArrayForEach(ev, tpls) {
		int e = index_of(events, N_EVENTS, ev->string);
		if (e < 0 || !cJSON_IsObject(ev)) {
			snprintf(path, sizeof path, "templates.%.40s", ev->string);
			rc = dvc__err(DVC_ESCHEMA, path, "unknown event '%.40s'", ev->string);
			break;
		}
		cJSON_ArrayForEach(fld, ev) {
			int f = index_of(fields, N_FIELDS, fld->string);
			snprintf(path, sizeof path, "templates.%s.%.40s", events[e], fld->string);
			if (f < 0 || !cJSON_IsString(fld)) {
				rc = dvc__err(DVC_ESCHEMA, path, "unknown template field or not a string");
				break;
			}
			if (!dvc__utf8_valid(fld->valuestring, strlen(fld->valuestring))) {
				rc = dvc__err(DVC_EUTF8, path, "template is not valid UTF-8");
				break;
			}
			if ((rc = check_template(fld->valuestring, path)) != DVC_OK)
				break;
			dvc__free(t->text[e][f]);
			if (!(t->text[e][f] = dvc__strdup(fld->valuestring))) {
				rc = dvc__oom();
				break;
			}
		}
		if (rc != DVC_OK)
			break;
	}
	cJSON_Delete(root);
	if (rc == DVC_OK && all)
		for (size_t e = 0; e < N_EVENTS; e++)
			for (size_t f = 0; f < N_FIELDS; f++)
				if (!t->text[e][f])
					return dvc__err(DVC_ESCHEMA, events[e], "built-in template %s.%s missing",
							events[e], fields[f]);
	return rc;
}

static int apply_override(void *ctx, const char *event, const char *field, const char *text)
{
	struct dvc__templates *t = ctx;
	int e = index_of(events, N_EVENTS, event), f = index_of(fields, N_FIELDS, field);
	if (e < 0 || f < 0)
		return DVC_OK; /* written by a newer libdvc: ignore */
	dvc__free(t->text[e][f]);
	return (t->text[e][f] = dvc__strdup(text)) ? DVC_OK : dvc__oom();
}

/* Built-in templates overlaid with the store's overrides, cached per handle. */
static int templates(dvc_db *db, const struct dvc__templates **out)
{
	struct dvc__templates *t;
	int rc;
	if (db->templates) {
		*out = db->templates;
		return DVC_OK;
	}
	if (!(t = dvc__calloc(1, sizeof *t)))
		return dvc__oom();
	rc = DVC_ERROR;
	for (const dvc_embedded_file *f = dvc__template_files; f->name; f++)
		if (strcmp(f->name, "notify.json") == 0)
			rc = parse_templates(f->data, f->size, t, true);
	if (rc == DVC_ERROR)
		dvc__err(DVC_ERROR, NULL, "built-in templates missing from this build");
	if (rc == DVC_OK)
		rc = dvc__store_templates_each(db, apply_override, t);
	if (rc != DVC_OK) {
		dvc__templates_free(t);
		return rc;
	}
	db->templates = t;
	*out = t;
	return DVC_OK;
}

/* Upserts: a second run writes the same rows again. */
static int templates_put(dvc_db *db, const struct dvc__templates *t)
{
	int rc = DVC_OK;
	for (size_t e = 0; e < N_EVENTS && rc == DVC_OK; e++)
		for (size_t f = 0; f < N_FIELDS && rc == DVC_OK; f++)
			if (t->text[e][f])
				rc = dvc__store_template_put(db, events[e], fields[f], t->text[e][f]);
	return rc;
}

int dvc_notify_set_templates(dvc_db *db, const char *json, size_t len)
{
	struct dvc__templates *t;
	int rc;
	if (!db || !json)
		return dvc__err(DVC_EINVAL, NULL, "dvc_notify_set_templates needs a store and a document");
	if (!(t = dvc__calloc(1, sizeof *t)))
		return dvc__oom();
	/* validate everything before writing anything */
	if ((rc = parse_templates(json, len, t, false)) == DVC_OK)
		DVC__WRITE(db, rc, templates_put(db, t));
	dvc__templates_free(t);
	if (rc == DVC_OK) {
		dvc__templates_free(db->templates); /* reload with the overrides */
		db->templates = NULL;
	}
	return rc;
}

/* ---- SMS sizing ---- */

/* GSM 03.38: ASCII characters of the basic set count 1, of the extension
 * table 2; anything else forces UCS-2. Returns -1 for "not GSM". */
static int gsm_units(uint32_t c)
{
	if (c == '\n' || c == '\r' || (c >= ' ' && c <= 'Z' && c != '`') || (c >= 'a' && c <= 'z') ||
	    c == '_')
		return 1;
	if (c == '^' || c == '{' || c == '}' || c == '\\' || c == '[' || c == ']' || c == '~' || c == '|')
		return 2;
	return -1;
}

int dvc_sms_segments(const char *text, int *ascii_only)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n, gsm = 0, ucs = 0;
	int is_gsm = 1;
	if (!text)
		return 0;
	n = strlen(text);
	if (!dvc__utf8_valid(text, n))
		return dvc__err(DVC_EUTF8, NULL, "SMS text is not valid UTF-8");
	while (i < n) {
		uint32_t c = s[i];
		int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		if (len > 1) {
			c &= 0x3F >> (len - 1);
			for (int k = 1; k < len; k++)
				c = (c << 6) | (s[i + (size_t)k] & 0x3F);
		}
		i += (size_t)len;
		int u = gsm_units(c);
		if (u < 0)
			is_gsm = 0;
		else
			gsm += (size_t)u;
		ucs += c > 0xFFFF ? 2 : 1;
	}
	if (ascii_only)
		*ascii_only = is_gsm;
	if (is_gsm)
		return gsm <= 160 ? 1 : (int)((gsm + 152) / 153);
	return ucs <= 70 ? 1 : (int)((ucs + 66) / 67);
}

/* ---- rendering ---- */

/* A free-text value (a list, a reason) without its trailing full stop and
 * spaces: the templates end their own sentences. */
static void put_value(dvc_buf *out, const char *v, bool trim)
{
	size_t n = strlen(v);
	while (trim && n && (v[n - 1] == '.' || v[n - 1] == ' ' || v[n - 1] == '\n'))
		n--;
	dvc_buf_put(out, v, n);
}

static void render(const char *tpl, const dvc__notify_values *v, dvc_buf *out)
{
	const char *vals[DVC_ARRAY_LEN(placeholders)] = {v->code, v->procedure, v->applicant,
		v->appointment, v->list, v->reason, v->new_date, v->amount, v->unit};
	for (const char *p = tpl; *p; p++) {
		const char *end;
		if (*p == '{' && (end = strchr(p, '}'))) {
			char name[32];
			size_t n = (size_t)(end - p - 1);
			if (n < sizeof name) {
				memcpy(name, p + 1, n);
				name[n] = '\0';
				int i = index_of(placeholders, DVC_ARRAY_LEN(placeholders), name);
				if (i >= 0) {
					put_value(out, vals[i] ? vals[i] : "",
						  strcmp(name, "list") == 0 || strcmp(name, "reason") == 0);
					p = end;
					continue;
				}
			}
		}
		dvc_buf_putc(out, *p);
	}
}

/* Two segments at most: accented if it fits, else unaccented (GSM-7), cut
 * with "..." as a last resort (only a very long free-text list does that). */
static int sms_text(const char *tpl, const dvc__notify_values *v, dvc_buf *out, int *ascii,
		    int *segments)
{
	dvc_buf acc = DVC_BUF_INIT, plain = DVC_BUF_INIT;
	int gsm;
	render(tpl, v, &acc);
	if (acc.oom) {
		dvc_buf_free(&acc);
		return dvc__oom();
	}
	*segments = dvc_sms_segments(acc.ptr ? acc.ptr : "", &gsm);
	if (*segments <= 2) {
		*ascii = gsm;
		dvc_buf_puts(out, acc.ptr ? acc.ptr : "");
		dvc_buf_free(&acc);
		return out->oom ? dvc__oom() : DVC_OK;
	}
	dvc__unaccent(acc.ptr, acc.len, &plain);
	dvc_buf_free(&acc);
	if (plain.oom) {
		dvc_buf_free(&plain);
		return dvc__oom();
	}
	*ascii = 1;
	/* anything outside GSM-7 that survived unaccenting becomes '?' */
	for (size_t i = 0; i < plain.len; i++)
		if ((unsigned char)plain.ptr[i] >= 0x80 || plain.ptr[i] == '`')
			plain.ptr[i] = '?';
	size_t keep = plain.len;
	while ((*segments = dvc_sms_segments(plain.ptr, &gsm)) > 2 && keep > 0) {
		/* cut from the end (extension characters count double) and mark it */
		keep = keep > 303 ? 303 : keep - 1;
		plain.len = keep;
		plain.ptr[keep] = '\0';
		dvc_buf_puts(&plain, "...");
	}
	dvc_buf_puts(out, plain.ptr ? plain.ptr : "");
	dvc_buf_free(&plain);
	return out->oom ? dvc__oom() : DVC_OK;
}

int dvc__notify(dvc_db *db, int64_t dossier_id, const char *code, int64_t seq, const char *event,
		dvc__notify_values *v)
{
	const struct dvc__templates *t = NULL;
	dvc_arena a = DVC_ARENA_INIT;
	const char *name = NULL, *phone = NULL, *email = NULL, *unit_name = NULL;
	/* "<code>/<journal seq>/<event>/<channel>": events are short names of ours */
	char idem[DVC_CODE_MAX + sizeof "/-9223372036854775808/result_ready/email"];
	dvc_time now;
	int e = index_of(events, N_EVENTS, event), rc;
	if (e < 0)
		return dvc__err(DVC_ERROR, NULL, "unknown notification event %s", event);
	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	if ((rc = templates(db, &t)) != DVC_OK || !t)
		return rc;
	if (!*t->text[e][0] && !*t->text[e][2])
		return DVC_OK; /* both channels off for this event: no lookup */
	if ((rc = dvc__store_dossier_contact(db, dossier_id, &a, &name, &phone, &email, &unit_name)) != DVC_OK)
		goto out;
	v->code = code;
	v->applicant = name;
	if (!v->unit)
		v->unit = unit_name;
	/* an empty template switches that channel off for the event */
	if (phone && *phone && *t->text[e][0]) {
		dvc_buf body = DVC_BUF_INIT;
		int ascii = 0, segments = 0;
		if ((rc = sms_text(t->text[e][0], v, &body, &ascii, &segments)) == DVC_OK) {
			snprintf(idem, sizeof idem, "%s/%lld/%s/sms", code, (long long)seq, event);
			rc = dvc__store_outbox_insert(db, dossier_id, idem, event, DVC_NOTIFY_SMS, phone,
						      NULL, body.ptr ? body.ptr : "", ascii, segments, now);
		}
		dvc_buf_free(&body);
		if (rc != DVC_OK)
			goto out;
	}
	if (email && *email && *t->text[e][2]) {
		dvc_buf subject = DVC_BUF_INIT, body = DVC_BUF_INIT;
		render(t->text[e][1], v, &subject);
		render(t->text[e][2], v, &body);
		if (subject.oom || body.oom) {
			rc = dvc__oom();
		} else {
			snprintf(idem, sizeof idem, "%s/%lld/%s/email", code, (long long)seq, event);
			rc = dvc__store_outbox_insert(db, dossier_id, idem, event, DVC_NOTIFY_EMAIL,
						      email, subject.ptr ? subject.ptr : "",
						      body.ptr ? body.ptr : "", 0, 0, now);
		}
		dvc_buf_free(&subject);
		dvc_buf_free(&body);
	}
out:
	dvc_arena_free(&a);
	return rc;
}


static const char *const notify_channel_names[] = {"sms", "email"};
static const char *const message_state_names[] = {"pending", "sending", "sent", "failed", "dead"};

DVC__ENUM_NAMES(notify_channel, dvc_notify_channel, notify_channel_names, "notification channel")
DVC__ENUM_NAMES(message_state, dvc_message_state, message_state_names, "message state")

/* ---- draining ---- */

struct dvc_message_batch {
	DVC__LIST_MEMBERS(dvc_message, items);
};

static int on_message(void *ctx, const dvc__outbox_row *r)
{
	dvc_message_batch *b = ctx;
	dvc_message *m = DVC__LIST_NEXT(b, items);
	if (!m)
		return dvc__oom();
	m->id = r->id;
	m->idempotency_key = dvc_arena_strdup(&b->arena, r->idem);
	m->dossier = dvc_arena_strdup(&b->arena, r->dossier);
	m->event = dvc_arena_strdup(&b->arena, r->event);
	m->channel = (dvc_notify_channel)r->channel;
	m->recipient = dvc_arena_strdup(&b->arena, r->recipient);
	m->subject = dvc_arena_strdup(&b->arena, r->subject);
	m->body = dvc_arena_strdup(&b->arena, r->body);
	m->ascii = r->ascii;
	m->segments = r->segments;
	m->state = (dvc_message_state)r->state;
	m->attempts = r->attempts;
	m->next_attempt_at = r->next_attempt_at;
	m->last_error = dvc_arena_strdup(&b->arena, r->last_error);
	if (!m->idempotency_key || !m->event || !m->recipient || !m->body)
		return dvc__oom();
	b->n++;
	return DVC_OK;
}

/* A lease into an empty batch: a run again after a deadlock starts over. */
static int lease(dvc_db *db, dvc_time now, size_t max, dvc_message_batch *b)
{
	dvc_arena_free(&b->arena);
	b->items = NULL;
	b->n = b->cap = 0;
	return dvc__store_outbox_lease(db, now, now + DVC_OUTBOX_LEASE_SECONDS, max, on_message, b);
}

int dvc_outbox_fetch(dvc_db *db, size_t max, dvc_message_batch **out)
{
	dvc_message_batch *b;
	dvc_time now;
	int rc;
	if (!db || !out || max == 0)
		return dvc__err(DVC_EINVAL, NULL, "dvc_outbox_fetch needs a store, a batch size and an out pointer");
	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	if (!(b = dvc__calloc(1, sizeof *b)))
		return dvc__oom();
	DVC__WRITE(db, rc, lease(db, now, max, b));
	if (rc != DVC_OK) {
		dvc_message_batch_free(b);
		return rc;
	}
	*out = b;
	return DVC_OK;
}

int dvc_outbox_list(dvc_db *db, const char *code, dvc_message_batch **out)
{
	dvc_message_batch *b;
	int rc;
	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_outbox_list needs a store and an out pointer");
	if (!(b = dvc__calloc(1, sizeof *b)))
		return dvc__oom();
	if ((rc = dvc__store_outbox_list(db, code, on_message, b)) != DVC_OK) {
		dvc_message_batch_free(b);
		return rc;
	}
	*out = b;
	return DVC_OK;
}

DVC__LIST_ACCESSORS(message_batch, dvc_message_batch, dvc_message, items)

int dvc_outbox_hold(dvc_db *db, int64_t id, dvc_time lease_until, dvc_time *renewed)
{
	dvc_time now;
	int rc;
	if (renewed)
		*renewed = 0;
	DVC__WRITE_AT(db, rc, now, dvc__store_lease_hold(db, DVC__LEASE_OUTBOX, id, lease_until, now,
							  now + DVC_OUTBOX_LEASE_SECONDS, renewed));
	return rc;
}

static int mark_sent(dvc_db *db, int64_t id, dvc_time now)
{
	int state, attempts;
	int rc = dvc__store_outbox_get_attempts(db, id, &state, &attempts);
	if (rc == DVC_OK && state != DVC_MSG_SENT)
		rc = dvc__store_outbox_mark(db, id, DVC_MSG_SENT, attempts + 1, 0, NULL, now);
	return rc;
}

int dvc_outbox_mark_sent(dvc_db *db, int64_t id)
{
	dvc_time now;
	int rc;
	DVC__WRITE_AT(db, rc, now, mark_sent(db, id, now));
	return rc;
}

static int mark_failed(dvc_db *db, int64_t id, const char *error, dvc_time now)
{
	int state, attempts;
	int rc = dvc__store_outbox_get_attempts(db, id, &state, &attempts);
	if (rc == DVC_OK && state == DVC_MSG_SENT)
		rc = dvc__err(DVC_ETRANSITION, "id", "message %lld was already sent", (long long)id);
	if (rc == DVC_OK) {
		attempts++;
		/* 60 s, 120 s, 240 s, ... then dead */
		int dead = attempts >= DVC_OUTBOX_MAX_ATTEMPTS;
		dvc_time next = now + ((int64_t)DVC_OUTBOX_BACKOFF_SECONDS << (attempts - 1));
		char err[512];
		snprintf(err, sizeof err, "%s", error ? error : "failed");
		rc = dvc__store_outbox_mark(db, id, dead ? DVC_MSG_DEAD : DVC_MSG_FAILED, attempts,
					    dead ? 0 : next, err, 0);
	}
	return rc;
}

int dvc_outbox_mark_failed(dvc_db *db, int64_t id, const char *error)
{
	dvc_time now;
	int rc;
	DVC__WRITE_AT(db, rc, now, mark_failed(db, id, error, now));
	return rc;
}
