/* Dossier sync to the National Public Service Portal (national.h): the
 * mapping read from data/national/dvcqg-status.json, the payload built in
 * the dossier's transaction, and the ordered, leased, retried outbox. */
#include "dvc/national.h"
#include "dvc/catalog.h"
#include "dvc/document.h"
#include "dvc/lifecycle.h"
#include "embedded.h"
#include "national_internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static const char *const sync_state_names[] = {"pending", "sending", "sent", "failed", "dead",
					       "blocked"};
DVC__ENUM_NAMES(sync_state, dvc_sync_state, sync_state_names, "sync state")

/* ---- the mapping (data, with its sources) ---- */

typedef struct national_map {
	int status[DVC_STATE_COUNT][2]; /* [state][received]: TrangThaiHoSo, 0 unmapped */
	const char *channel[DVC_CHANNEL_POST + 1];
	const char *applicant_type;
	const char *fee[DVC_FEE_PER_PAGE + 1];
	const char *role[DVC_ROLE_COUNT];
	const char *action[DVC_ACTION_COUNT];
	cJSON *root; /* owns the strings above */
} national_map;

static int map_err(const char *path, const char *what)
{
	return dvc__err(DVC_ESCHEMA, path, "data/national/dvcqg-status.json: %s", what);
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int load_map(national_map *m)
{
	static const dvc__json_limits lim = {0, 8, 10000};
	const dvc_embedded_file *f = dvc__national_files;
	const cJSON *e;
	int rc;
	memset(m, 0, sizeof *m);
	while (f->name && strcmp(f->name, "dvcqg-status.json") != 0)
		f++;
	if (!f->name)
		return dvc__err(DVC_ERROR, NULL, "the national mapping is missing from this build");
	if ((rc = dvc__json_read(f->data, f->size, &lim, "the national mapping", &m->root)) != DVC_OK)
		return rc;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(m->root, "states")) {
		dvc_state s;
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "status");
		const cJSON *rcv = cJSON_GetObjectItemCaseSensitive(e, "received");
		if (!str_of(e, "state") || dvc_state_parse(str_of(e, "state"), &s) != DVC_OK ||
		    !cJSON_IsNumber(st) || st->valuedouble < 1 || st->valuedouble > 10)
			return map_err("states", "a state row names no libdvc state or no status 1..10");
		for (int r = 0; r < 2; r++)
			if (!rcv || cJSON_IsTrue(rcv) == (r == 1))
				m->status[s][r] = (int)st->valuedouble;
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(m->root, "channels")) {
		/* dvc_channel_name()'s names; dossier.c sits above this module */
		static const char *const channels[] = {"online", "counter", "post"};
		const char *name = str_of(e, "channel");
		size_t c = 0;
		while (name && c < DVC_ARRAY_LEN(channels) && strcmp(channels[c], name) != 0)
			c++;
		if (!name || c == DVC_ARRAY_LEN(channels) || !str_of(e, "code"))
			return map_err("channels", "a channel row names no libdvc channel or no code");
		m->channel[c] = str_of(e, "code");
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(m->root, "fees")) {
		dvc_fee_kind k;
		if (!str_of(e, "kind") || dvc_fee_kind_parse(str_of(e, "kind"), &k) != DVC_OK || !str_of(e, "name"))
			return map_err("fees", "a fee row names no fee kind or no name");
		m->fee[k] = str_of(e, "name");
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(m->root, "roles")) {
		dvc_role r;
		if (!str_of(e, "role") || dvc_role_parse(str_of(e, "role"), &r) != DVC_OK || !str_of(e, "title"))
			return map_err("roles", "a role row names no role or no title");
		m->role[r] = str_of(e, "title");
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(m->root, "actions")) {
		dvc_action a;
		if (!str_of(e, "action") || dvc_action_parse(str_of(e, "action"), &a) != DVC_OK || !str_of(e, "text"))
			return map_err("actions", "an action row names no action or no text");
		m->action[a] = str_of(e, "text");
	}
	m->applicant_type = str_of(cJSON_GetObjectItemCaseSensitive(m->root, "applicant_type"), "code");
	/* whole, or not at all: every non-draft state, channel, fee and role */
	for (int s = DVC_STATE_SUBMITTED; s < DVC_STATE_COUNT; s++)
		if (!m->status[s][0] || !m->status[s][1])
			return map_err("states", "a libdvc state has no national status");
	for (int c = 0; c <= DVC_CHANNEL_POST; c++)
		if (!m->channel[c])
			return map_err("channels", "a channel has no KenhThucHien code");
	for (int k = 0; k <= DVC_FEE_PER_PAGE; k++)
		if (!m->fee[k])
			return map_err("fees", "a fee kind has no name");
	for (int r = 0; r < DVC_ROLE_COUNT; r++)
		if (!m->role[r])
			return map_err("roles", "a role has no title");
	if (!m->applicant_type)
		return map_err("applicant_type", "no LoaiDoiTuong code");
	return DVC_OK;
}

/* ---- switch and codes ---- */

int dvc_national_sync_enable(dvc_db *db, int on)
{
	int rc;
	if (!db)
		return dvc__err(DVC_EINVAL, NULL, "no store");
	DVC__WRITE(db, rc, dvc__store_national_setting_put(db, "sync", on ? "1" : "0"));
	return rc;
}

int dvc_national_sync_enabled(dvc_db *db)
{
	if (!db)
		return dvc__err(DVC_EINVAL, NULL, "no store");
	return dvc__store_sync_switch(db);
}

/* "D.DDDDDD" (the national database's procedure code) or the longer
 * "D.DDDDDD.DDD.DD.DD.XDD" seen in provincial configurations. */
static bool national_code_valid(const char *s)
{
	static const char *const shapes[] = {"9.999999", "9.999999.999.99.99.A99"};
	size_t n = strlen(s);
	for (size_t k = 0; k < DVC_ARRAY_LEN(shapes); k++) {
		const char *p = shapes[k];
		bool ok = strlen(p) == n;
		for (size_t i = 0; ok && i < n; i++)
			ok = p[i] == '9' ? (s[i] >= '0' && s[i] <= '9')
			     : p[i] == 'A' ? (s[i] >= 'A' && s[i] <= 'Z') : s[i] == p[i];
		if (ok)
			return true;
	}
	return false;
}

static int code_set(dvc_db *db, const char *procedure, int version, const char *national_code)
{
	int rc = dvc__store_national_version_exists(db, procedure, version);
	if (rc == 0)
		return dvc__err(DVC_ENOTFOUND, "procedure", "no procedure %.64s%s", procedure,
				version ? " in that version" : "");
	return rc == 1 ? dvc__store_national_code_put(db, procedure, version, national_code) : rc;
}

int dvc_national_code_set(dvc_db *db, const char *procedure, int version, const char *national_code)
{
	int rc;
	if (!db || !procedure)
		return dvc__err(DVC_EINVAL, NULL, "dvc_national_code_set needs a store and a procedure");
	if (version < 0)
		return dvc__err(DVC_EINVAL, "version", "version must be 0 (every version) or a version number");
	if (national_code && !national_code_valid(national_code))
		return dvc__err(DVC_EINVAL, "national_code",
				"'%.40s' is not a national procedure code (1.001193 or "
				"1.001193.000.00.00.H24)", national_code);
	DVC__WRITE(db, rc, code_set(db, procedure, version, national_code));
	return rc;
}

/* ---- the payload ---- */

/* yyyyMMddHHmmss in Vietnam's time (UTC+7, no daylight saving); "" for 0. */
#define NATIONAL_TIME_SIZE 32 /* yyyyMMddHHmmss and room the compiler can prove */
static void national_time(dvc_time t, char out[NATIONAL_TIME_SIZE])
{
	int64_t local = t + 7 * 3600, day = local / 86400, sec = local % 86400;
	int y, m, d;
	if (!t) {
		out[0] = '\0';
		return;
	}
	if (sec < 0) {
		sec += 86400;
		day--;
	}
	dvc__civil_from_days(day, &y, &m, &d);
	snprintf(out, NATIONAL_TIME_SIZE, "%04d%02d%02d%02d%02d%02d", y % 10000, m, d, (int)(sec / 3600),
		 (int)(sec / 60 % 60), (int)(sec % 60));
}

/* the shared cJSON builders (internal.h), under short names */
static cJSON *put(cJSON *p, const char *key, cJSON *item) { return dvc__json_put(p, key, item); }

static void put_str(cJSON *o, const char *key, const char *v)
{
	put(o, key, cJSON_CreateString(v ? v : ""));
}

static void put_time(cJSON *o, const char *key, dvc_time t)
{
	char buf[NATIONAL_TIME_SIZE];
	national_time(t, buf);
	put_str(o, key, buf);
}

static void put_int(cJSON *o, const char *key, int64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%lld", (long long)v);
	put_str(o, key, buf);
}

struct files_ctx {
	cJSON *submitted, *results;
	int digital;
};

static int on_file(void *ctx, int component, const char *name)
{
	struct files_ctx *c = ctx;
	cJSON *f;
	if (component == DVC_FILE_RESULT) {
		f = put(c->results, NULL, cJSON_CreateObject());
		put_str(f, "TenGiayTo", name);
		return DVC_OK;
	}
	f = put(c->submitted, NULL, cJSON_CreateObject());
	put_str(f, "TenTepDinhKem", name);
	put_int(f, "MaThanhPhanHoSo", component + 1);
	put_str(f, "DuocSoHoa", "1");
	c->digital = 1;
	return DVC_OK;
}

/* The actor's name, title and unit for a progress entry. */
static int actor_of(dvc_db *db, const national_map *m, const char *label,
		    const dvc__national_facts *f, dvc_arena *a, const char **name, const char **title,
		    const char **unit)
{
	*name = f->applicant_name;
	*title = m->role[DVC_ROLE_APPLICANT];
	*unit = "";
	if (strncmp(label, "officer:", 8) == 0) {
		dvc__officer_row off;
		const char *full = NULL;
		int rc = dvc__store_officer_get(db, label + 8, &off, a, &full);
		if (rc != DVC_OK)
			return rc;
		*name = full ? full : label + 8;
		*title = m->role[off.role];
		if (dvc__store_agency_name(db, off.unit, a, unit) != DVC_OK)
			*unit = off.unit;
	}
	return DVC_OK;
}

int dvc__national_sync(dvc_db *db, const dvc__dossier *d, dvc_action action, const char *actor,
		       const char *note, dvc_time now)
{
	national_map m;
	dvc_arena a = DVC_ARENA_INIT;
	dvc__national_facts f;
	dvc__sync_row row;
	struct files_ctx files;
	unsigned long failures = dvc__alloc_failures();
	char code[DVC_NATIONAL_CODE_MAX + 1], idem[DVC_CODE_MAX + 32], err[256];
	const char *who, *title, *unit;
	cJSON *root = NULL, *h, *p, *fees;
	char *payload = NULL;
	int rc, status;
	const dvc__proc_rt *rt;

	if ((rc = dvc_national_sync_enabled(db)) <= 0)
		return rc; /* off (0), or the error */
	if ((rc = load_map(&m)) != DVC_OK)
		goto out;
	if ((rc = dvc__store_national_facts(db, d->id, &a, &f)) != DVC_OK ||
	    (rc = dvc__store_national_code_get(db, f.procedure, f.version, code)) != DVC_OK ||
	    (rc = dvc__rt_get(db, d->version_id, &rt)) != DVC_OK ||
	    (rc = actor_of(db, &m, actor, &f, &a, &who, &title, &unit)) != DVC_OK)
		goto out;
	status = m.status[d->state][d->received_at != 0];
	root = cJSON_CreateObject();
	h = put(root, "hoSo", cJSON_CreateObject());
	put_str(h, "MaHoSo", d->code);
	put(h, "MaTTHC", code[0] ? cJSON_CreateString(code) : cJSON_CreateNull());
	put_str(h, "TenTTHC", f.procedure_name);
	put_str(h, "MaLinhVuc", f.sector);
	put_str(h, "KenhThucHien", m.channel[d->channel >= 0 && d->channel <= DVC_CHANNEL_POST ? d->channel : 0]);
	put_str(h, "ChuHoSo", f.applicant_name);
	put_str(h, "LoaiDoiTuong", m.applicant_type);
	put_str(h, "SoGiayToChuHoSo", f.citizen_id);
	put_time(h, "NgayNopHoSo", d->submitted_at);
	put_time(h, "NgayTiepNhan", d->received_at);
	put_time(h, "NgayHenTra", d->rescheduled_due_at ? d->rescheduled_due_at : d->due_at);
	put_time(h, "NgayKetThucXuLy", d->result_at);
	put_time(h, "NgayTra", d->state == DVC_STATE_RETURNED ? d->finished_at : 0);
	put_int(h, "TrangThaiHoSo", status);
	put_str(h, "HinhThuc", d->delivery == DVC_DELIVERY_POST ? "1" : "0");
	put_str(h, "DonViXuLy", f.agency_name);
	fees = put(h, "DanhSachLePhi", cJSON_CreateArray());
	for (size_t i = 0; i < rt->n_fees; i++) {
		cJSON *fe = put(fees, NULL, cJSON_CreateObject());
		put_str(fe, "TenPhiLePhi", m.fee[rt->fees[i].kind]);
		put_int(fe, "Gia", rt->fees[i].amount);
		put_int(fe, "LoaiPhiLePhi", (int)rt->fees[i].kind + 1);
	}
	files.submitted = cJSON_CreateArray();
	files.results = cJSON_CreateArray();
	files.digital = 0;
	if ((rc = dvc__store_national_files_each(db, d->id, on_file, &files)) != DVC_OK) {
		cJSON_Delete(files.submitted);
		cJSON_Delete(files.results);
		goto out;
	}
	put_str(h, "HoSoCoThanhPhanSoHoa", files.digital ? "1" : "0");
	put_str(h, "TaiKhoanDuocXacThucVoiVNeID", f.assurance ? "1" : "0");
	put_str(h, "DuocThanhToanTrucTuyen",
		d->fee_due == 0 ? "0" : d->fee_paid >= d->fee_due ? "1" : "3");
	put(h, "TaiLieuNop", files.submitted);
	put(h, "DanhSachGiayToKetQua", files.results);
	p = put(put(root, "tienTrinh", cJSON_CreateArray()), NULL, cJSON_CreateObject());
	put_str(p, "MaHoSo", d->code);
	put_str(p, "NguoiXuLy", who);
	put_str(p, "ChucDanh", title);
	put_time(p, "ThoiDiemXuLy", now);
	put_str(p, "PhongBanXuLy", unit);
	{
		/* the whole note (up to DVC_NOTE_MAX): the portal's limit on this
		 * field is not published, and a cut could split a character */
		const char *what = m.action[action] ? m.action[action] : dvc_action_name(action);
		const char *sep = note && *note ? ": " : "", *rest = note && *note ? note : "";
		size_t n = strlen(what) + strlen(sep) + strlen(rest) + 1;
		char *text = dvc__malloc(n);
		if (text) {
			snprintf(text, n, "%s%s%s", what, sep, rest);
			put_str(p, "NoiDungXuLy", text);
			dvc__free(text);
		}
	}
	put_int(p, "TrangThai", status);
	put_time(p, "NgayBatDau", d->step_since);
	put_time(p, "NgayKetThucTheoQuyDinh", d->step_due_at);
	if (dvc__alloc_failures() == failures)
		payload = cJSON_PrintUnformatted(root);
	if (!payload || dvc__alloc_failures() != failures) {
		rc = dvc__oom();
		goto out;
	}
	snprintf(idem, sizeof idem, "%s/%lld/dvcqg", d->code, (long long)d->journal_seq);
	memset(&row, 0, sizeof row);
	row.dossier_id = d->id;
	row.seq = d->journal_seq;
	row.idem = idem;
	row.status = status;
	row.procedure = f.procedure;
	row.version = f.version;
	row.payload = payload;
	row.created_at = now;
	if (!code[0]) {
		/* the dossier goes on; the message waits for its code */
		snprintf(err, sizeof err, "procedure %s version %d has no national procedure code "
			 "(MaTTHC): set one with dvc_national_code_set, then replay", f.procedure, f.version);
		row.state = DVC_SYNC_BLOCKED;
		row.last_error = err;
	}
	rc = dvc__store_sync_insert(db, &row);
out:
	dvc__free(payload);
	cJSON_Delete(root);
	cJSON_Delete(m.root);
	dvc_arena_free(&a);
	return rc;
}

/* ---- draining ---- */

struct dvc_sync_batch {
	DVC__LIST_MEMBERS(dvc_sync_message, items);
};

static int on_row(void *ctx, const dvc__sync_row *r)
{
	dvc_sync_batch *b = ctx;
	dvc_sync_message *m = DVC__LIST_NEXT(b, items);
	if (!m)
		return dvc__oom();
	m->id = r->id;
	m->idempotency_key = dvc_arena_strdup(&b->arena, r->idem);
	m->dossier = dvc_arena_strdup(&b->arena, r->dossier);
	m->seq = r->seq;
	m->status = r->status;
	m->payload = dvc_arena_strdup(&b->arena, r->payload);
	m->state = (dvc_sync_state)r->state;
	m->attempts = r->attempts;
	m->created_at = r->created_at;
	m->next_attempt_at = r->next_attempt_at;
	m->last_error = dvc_arena_strdup(&b->arena, r->last_error);
	if (!m->idempotency_key || !m->dossier || !m->payload || (r->last_error && !m->last_error))
		return dvc__oom();
	b->n++;
	return DVC_OK;
}

static int lease_check(int lease_seconds)
{
	if (lease_seconds < 0 || lease_seconds > 86400)
		return dvc__err(DVC_ERANGE, "lease_seconds", "a lease lasts 1 s to a day (0: the default)");
	return DVC_OK;
}

/* A lease into an empty batch: a run again after a deadlock starts over. */
static int lease(dvc_db *db, dvc_time now, int lease_seconds, size_t max, dvc_sync_batch *b)
{
	dvc_arena_free(&b->arena);
	b->items = NULL;
	b->n = b->cap = 0;
	return dvc__store_sync_lease(db, now, now + (lease_seconds ? lease_seconds : DVC_SYNC_LEASE_SECONDS),
				     max, on_row, b);
}

int dvc_sync_fetch(dvc_db *db, size_t max, int lease_seconds, dvc_sync_batch **out)
{
	dvc_sync_batch *b;
	dvc_time now;
	int rc;
	if (!db || !out || max == 0)
		return dvc__err(DVC_EINVAL, NULL, "dvc_sync_fetch needs a store, a batch size and an out pointer");
	if ((rc = lease_check(lease_seconds)) != DVC_OK)
		return rc;
	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	if (!(b = dvc__calloc(1, sizeof *b)))
		return dvc__oom();
	DVC__WRITE(db, rc, lease(db, now, lease_seconds, max, b));
	if (rc != DVC_OK) {
		dvc_sync_batch_free(b);
		return rc;
	}
	*out = b;
	return DVC_OK;
}

int dvc_sync_list(dvc_db *db, const char *code, dvc_sync_batch **out)
{
	dvc_sync_batch *b;
	int rc;
	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_sync_list needs a store and an out pointer");
	if (!(b = dvc__calloc(1, sizeof *b)))
		return dvc__oom();
	if ((rc = dvc__store_sync_each(db, code, 0, on_row, b)) != DVC_OK) {
		dvc_sync_batch_free(b);
		return rc;
	}
	*out = b;
	return DVC_OK;
}

DVC__LIST_ACCESSORS(sync_batch, dvc_sync_batch, dvc_sync_message, items)

int dvc_sync_hold(dvc_db *db, int64_t id, dvc_time lease_until, int lease_seconds, dvc_time *renewed)
{
	dvc_time now;
	int rc;
	if (renewed)
		*renewed = 0;
	if ((rc = lease_check(lease_seconds)) != DVC_OK)
		return rc;
	DVC__WRITE_AT(db, rc, now, dvc__store_lease_hold(db, DVC__LEASE_SYNC, id, lease_until, now,
							  now + (lease_seconds ? lease_seconds : DVC_SYNC_LEASE_SECONDS),
							  renewed));
	return rc;
}

static int mark_sent(dvc_db *db, int64_t id, dvc_time now)
{
	dvc_arena a = DVC_ARENA_INIT;
	dvc__sync_row r;
	int rc = dvc__store_sync_get(db, id, &a, &r);
	if (rc == DVC_OK && r.state == DVC_SYNC_BLOCKED)
		rc = dvc__err(DVC_ETRANSITION, "id", "sync message %lld is blocked: it was never sent",
			      (long long)id);
	if (rc == DVC_OK && r.state != DVC_SYNC_SENT)
		rc = dvc__store_sync_mark(db, id, DVC_SYNC_SENT, r.attempts + 1, 0, NULL, now);
	dvc_arena_free(&a);
	return rc;
}

int dvc_sync_mark_sent(dvc_db *db, int64_t id)
{
	dvc_time now;
	int rc;
	DVC__WRITE_AT(db, rc, now, mark_sent(db, id, now));
	return rc;
}

static int mark_failed(dvc_db *db, int64_t id, const char *error, int permanent, dvc_time now)
{
	dvc_arena a = DVC_ARENA_INIT;
	dvc__sync_row r;
	int rc = dvc__store_sync_get(db, id, &a, &r);
	if (rc == DVC_OK && (r.state == DVC_SYNC_SENT || r.state == DVC_SYNC_BLOCKED))
		rc = dvc__err(DVC_ETRANSITION, "id", "sync message %lld is %s", (long long)id,
			      dvc_sync_state_name((dvc_sync_state)r.state));
	if (rc == DVC_OK) {
		int attempts = r.attempts + 1;
		int dead = permanent || attempts >= DVC_SYNC_MAX_ATTEMPTS;
		char err[512];
		snprintf(err, sizeof err, "%s", error && *error ? error : "failed");
		rc = dvc__store_sync_mark(db, id, dead ? DVC_SYNC_DEAD : DVC_SYNC_FAILED, attempts,
					  dead ? 0 : now + ((int64_t)DVC_SYNC_BACKOFF_SECONDS << (attempts - 1)),
					  err, 0);
	}
	dvc_arena_free(&a);
	return rc;
}

int dvc_sync_mark_failed(dvc_db *db, int64_t id, const char *error, int permanent)
{
	dvc_time now;
	int rc;
	DVC__WRITE_AT(db, rc, now, mark_failed(db, id, error, permanent, now));
	return rc;
}

/* ---- replay ---- */

struct replay_ctx {
	int64_t ids[256];
	size_t n;
	int more;
};

static int on_stuck(void *ctx, const dvc__sync_row *r)
{
	struct replay_ctx *c = ctx;
	if (r->state != DVC_SYNC_DEAD && r->state != DVC_SYNC_BLOCKED)
		return DVC_OK;
	if (c->n == DVC_ARRAY_LEN(c->ids)) {
		c->more = 1;
		return DVC_OK;
	}
	c->ids[c->n++] = r->id;
	return DVC_OK;
}

/* A blocked message gets its MaTTHC now; 1 replayed, 0 still blocked. */
static int replay_one(dvc_db *db, int64_t id, dvc_time now)
{
	dvc_arena a = DVC_ARENA_INIT;
	dvc__sync_row r;
	char code[DVC_NATIONAL_CODE_MAX + 1];
	int rc = dvc__store_sync_get(db, id, &a, &r);
	if (rc == DVC_OK && r.state != DVC_SYNC_DEAD && r.state != DVC_SYNC_BLOCKED)
		rc = dvc__err(DVC_ETRANSITION, "id", "sync message %lld is %s, not dead or blocked",
			      (long long)id, dvc_sync_state_name((dvc_sync_state)r.state));
	if (rc == DVC_OK && r.state == DVC_SYNC_BLOCKED) {
		cJSON *root = NULL, *h;
		char *text = NULL;
		if ((rc = dvc__store_national_code_get(db, r.procedure, r.version, code)) != DVC_OK)
			goto out;
		if (!code[0]) {
			rc = 0;
			goto out;
		}
		static const dvc__json_limits lim = {0, 16, 0};
		if ((rc = dvc__json_read(r.payload, strlen(r.payload), &lim, "a sync message", &root)) == DVC_OK) {
			h = cJSON_GetObjectItemCaseSensitive(root, "hoSo");
			if (!h || !cJSON_ReplaceItemInObjectCaseSensitive(h, "MaTTHC", cJSON_CreateString(code)) ||
			    !(text = cJSON_PrintUnformatted(root)))
				rc = dvc__oom();
			else
				rc = dvc__store_sync_set_payload(db, id, text);
		}
		dvc__free(text);
		cJSON_Delete(root);
		if (rc != DVC_OK)
			goto out;
	}
	if (rc == DVC_OK)
		rc = dvc__store_sync_mark(db, id, DVC_SYNC_PENDING, 0, now, NULL, 0) == DVC_OK ? 1 : dvc_error_last()->code;
out:
	dvc_arena_free(&a);
	return rc;
}

/* One round in one write: `id`, or the stuck messages (of `code`) taken
 * afresh, each replayed; *done counts from zero, so a run again after a
 * deadlock counts once. */
static int replay_round(dvc_db *db, int64_t id, const char *code, dvc_time now,
			struct replay_ctx *c, size_t *done)
{
	int rc = DVC_OK;
	c->n = 0;
	c->more = 0;
	*done = 0;
	if (id)
		c->ids[c->n++] = id;
	else if ((rc = dvc__store_sync_each(db, code, 1, on_stuck, c)) != DVC_OK)
		return rc;
	for (size_t i = 0; rc >= 0 && i < c->n; i++)
		if ((rc = replay_one(db, c->ids[i], now)) == 1)
			(*done)++;
	return rc < 0 ? rc : DVC_OK;
}

int dvc_sync_replay(dvc_db *db, int64_t id, const char *code, size_t *replayed)
{
	struct replay_ctx *c;
	dvc_time now;
	size_t n = 0;
	int rc;
	if (!db)
		return dvc__err(DVC_EINVAL, NULL, "no store");
	if (replayed)
		*replayed = 0;
	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	if (!(c = dvc__calloc(1, sizeof *c)))
		return dvc__oom();
	do {
		size_t done = 0;
		DVC__WRITE(db, rc, replay_round(db, id, code, now, c, &done));
		if (rc == DVC_OK)
			n += done;
		/* another round only if this one made progress (blocked ones stay) */
		if (!done)
			break;
	} while (rc == DVC_OK && c->more);
	dvc__free(c);
	if (rc == DVC_OK && replayed)
		*replayed = n;
	return rc;
}

/* ---- report ---- */

struct report_ctx {
	cJSON *messages;
	int counts[DVC_SYNC_BLOCKED + 1];
};

static void put_iso(cJSON *o, const char *key, dvc_time t)
{
	char buf[DVC_TIME_FORMAT_SIZE];
	put(o, key, t && dvc_time_format(t, buf, sizeof buf) == DVC_OK ? cJSON_CreateString(buf)
									  : cJSON_CreateNull());
}

static int on_unsent(void *ctx, const dvc__sync_row *r)
{
	struct report_ctx *c = ctx;
	cJSON *m = put(c->messages, NULL, cJSON_CreateObject());
	if (r->state >= 0 && r->state <= DVC_SYNC_BLOCKED)
		c->counts[r->state]++;
	put(m, "id", cJSON_CreateNumber((double)r->id));
	put(m, "dossier", cJSON_CreateString(r->dossier));
	put(m, "seq", cJSON_CreateNumber((double)r->seq));
	put(m, "status", cJSON_CreateNumber(r->status));
	put(m, "state", cJSON_CreateString(dvc_sync_state_name((dvc_sync_state)r->state)));
	put(m, "attempts", cJSON_CreateNumber(r->attempts));
	put_iso(m, "created_at", r->created_at);
	put_iso(m, "next_attempt_at", r->state == DVC_SYNC_DEAD || r->state == DVC_SYNC_BLOCKED ? 0 : r->next_attempt_at);
	put(m, "last_error", r->last_error ? cJSON_CreateString(r->last_error) : cJSON_CreateNull());
	return DVC_OK;
}

int dvc_sync_report_json(dvc_db *db, char **out)
{
	struct report_ctx c;
	unsigned long failures = dvc__alloc_failures();
	cJSON *root, *counts;
	int rc;
	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_sync_report_json needs a store and an out pointer");
	*out = NULL;
	memset(&c, 0, sizeof c);
	root = cJSON_CreateObject();
	counts = put(root, "counts", cJSON_CreateObject());
	c.messages = put(root, "messages", cJSON_CreateArray());
	if ((rc = dvc__read_begin(db)) != DVC_OK) {
		cJSON_Delete(root);
		return rc;
	}
	rc = dvc__store_sync_each(db, NULL, 1, on_unsent, &c);
	dvc__read_end(db);
	for (int i = 0; i <= DVC_SYNC_BLOCKED; i++)
		if (i != DVC_SYNC_SENT)
			put(counts, sync_state_names[i], cJSON_CreateNumber(c.counts[i]));
	if (rc != DVC_OK) {
		cJSON_Delete(root);
		return rc;
	}
	return dvc__json_print(root, failures, out);
}
