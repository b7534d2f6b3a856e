/* Personal data (Decree 13/2023/NĐ-CP): the officers' access log, listed
 * for the applicant, an inspector or the officer (privacy.h). The log is
 * written by the read paths themselves (dvc__officer_read in dossier.c). */
#include "dossier_internal.h"
#include "dvc/privacy.h"
#include "dvc/rating.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *const access_kinds[] = {"track", "files", "download", "slip"};
_Static_assert(sizeof access_kinds / sizeof access_kinds[0] == DVC_ACCESS_KIND_COUNT,
	       "a name per access kind");

DVC__ENUM_NAMES(access_kind, dvc_access_kind, access_kinds, "access kind")

/* May `who` read these entries? NULL is the trusted side. */
static int may_list(dvc_db *db, const dvc_access_query *q, const dvc_actor *who,
		    const dvc_caller *from)
{
	dvc__officer_row off;
	dvc_tracking *t;
	int rc;
	if (!who)
		return DVC_OK;
	if (who->kind != DVC_ACTOR_OFFICER) {
		if (!q->dossier || q->officer)
			return dvc__err(DVC_EPERM, "officer",
					"an applicant reads the access log of their own dossier only");
		/* the owner, as tracking decides (and throttles a guesser) */
		if ((rc = dvc_dossier_track_from(db, q->dossier, who, from, &t)) != DVC_OK)
			return rc;
		dvc_tracking_free(t);
		return DVC_OK;
	}
	if (!who->name)
		return dvc__err(DVC_EINVAL, "actor", "an officer actor needs a username");
	if ((rc = dvc__store_officer_get(db, who->name, &off, NULL, NULL)) != DVC_OK)
		return rc;
	if (off.role == DVC_ROLE_ADMIN || (q->officer && strcmp(q->officer, off.username) == 0))
		return DVC_OK;
	return dvc__err(DVC_EPERM, "actor", "officer %s may read only their own accesses",
			off.username);
}

typedef struct log_build {
	cJSON *arr;
	size_t n, limit;
	int more;
} log_build;

static int on_access(void *ctx, const char *dossier, const char *officer, const char *full_name,
		     const char *unit, dvc_time at, int kind, const char *detail)
{
	log_build *b = ctx;
	cJSON *o;
	char when[DVC_TIME_FORMAT_SIZE];
	const char *view = dvc_access_kind_name((dvc_access_kind)kind);
	if (b->n == b->limit) {
		b->more = 1; /* the one row asked past the limit */
		return DVC_OK;
	}
	if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(b->arr, o)) {
		cJSON_Delete(o);
		return dvc__oom();
	}
	b->n++;
	if (!cJSON_AddStringToObject(o, "dossier", dossier) ||
	    !cJSON_AddStringToObject(o, "officer", officer) ||
	    !cJSON_AddStringToObject(o, "officer_name", full_name) ||
	    !cJSON_AddStringToObject(o, "unit", unit) ||
	    dvc_time_format(at, when, sizeof when) != DVC_OK ||
	    !cJSON_AddStringToObject(o, "at", when) ||
	    !cJSON_AddStringToObject(o, "view", view) ||
	    !(detail ? cJSON_AddStringToObject(o, "detail", detail)
		     : cJSON_AddNullToObject(o, "detail")))
		return dvc__oom();
	return DVC_OK;
}

static int list(dvc_db *db, const dvc_access_query *q, log_build *b)
{
	dvc__dossier d;
	dvc__officer_row off;
	int64_t dossier_id = 0, officer_id = 0;
	int rc;
	if (q->dossier) {
		if ((rc = dvc__store_dossier_load(db, q->dossier, &d)) != DVC_OK)
			return rc;
		dossier_id = d.id;
	}
	if (q->officer) {
		if ((rc = dvc__store_officer_get(db, q->officer, &off, NULL, NULL)) != DVC_OK)
			return rc;
		officer_id = off.id;
	}
	return dvc__store_access_each(db, dossier_id, officer_id, q->from, q->to ? q->to : INT64_MAX,
				      (int64_t)b->limit + 1, on_access, b);
}

int dvc_access_log_json(dvc_db *db, const dvc_access_query *q, const dvc_actor *who,
			const dvc_caller *from, char **out)
{
	log_build b;
	cJSON *root;
	int rc;
	if (!db || !q || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_access_log_json needs a store, a query and an out pointer");
	*out = NULL;
	if (q->version != DVC_ACCESS_QUERY_VERSION)
		return dvc__version_err("dvc_access_query", q->version, DVC_ACCESS_QUERY_VERSION);
	if (!q->dossier && !q->officer)
		return dvc__err(DVC_EINVAL, "dossier", "the access log is listed by dossier or by officer");
	if (q->to && q->to < q->from)
		return dvc__err(DVC_EINVAL, "to", "the period ends before it starts");
	if (from && from->version != DVC_CALLER_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "unsupported dvc_caller version %u", from->version);
	if ((rc = may_list(db, q, who, from)) != DVC_OK)
		return rc;
	b.limit = q->limit ? q->limit : DVC_ACCESS_LIMIT_DEFAULT;
	if (b.limit > INT64_MAX - 1)
		b.limit = INT64_MAX - 1;
	b.n = 0;
	b.more = 0;
	if (!(root = cJSON_CreateObject()) || !(b.arr = cJSON_AddArrayToObject(root, "entries"))) {
		cJSON_Delete(root);
		return dvc__oom();
	}
	if ((rc = dvc__read_begin(db)) == DVC_OK) {
		rc = list(db, q, &b);
		dvc__read_end(db);
	}
	if (rc == DVC_OK && !cJSON_AddBoolToObject(root, "more", b.more))
		rc = dvc__oom();
	if (rc == DVC_OK) {
		char *text = cJSON_PrintUnformatted(root);
		if (!text || !(*out = dvc__strdup(text)))
			rc = dvc__oom();
		cJSON_free(text);
	}
	cJSON_Delete(root);
	return rc;
}

/* ---- retention and erasure ---- */

int dvc_privacy_set_retention(dvc_db *db, int days)
{
	if (!db)
		return dvc__err(DVC_EINVAL, NULL, "dvc_privacy_set_retention needs a store");
	if (days < 1 || days > DVC_RETENTION_DAYS_MAX)
		return dvc__err(DVC_ERANGE, "days", "a retention period is 1..%d days, not %d",
				DVC_RETENTION_DAYS_MAX, days);
	db->retention_days = days;
	return DVC_OK;
}

int dvc_privacy_retention(const dvc_db *db)
{
	return db && db->retention_days ? db->retention_days : DVC_RETENTION_DAYS_DEFAULT;
}

/* One line of what is erased: name TAB length (or "-") TAB bytes LF. */
static void erased_field(dvc_buf *b, const char *name, const char *value)
{
	if (value)
		dvc_buf_printf(b, "%s\t%zu\t%s\n", name, strlen(value), value);
	else
		dvc_buf_printf(b, "%s\t-\t\n", name);
}

static int on_erased_file(void *ctx, const dvc__file_row *f)
{
	dvc_buf *b = ctx;
	char hex[DVC_HASH_HEX_SIZE], line[DVC_HASH_HEX_SIZE + 24];
	sodium_bin2hex(hex, sizeof hex, f->blob.sha, 32);
	/* the name too: a file name often carries the applicant's */
	snprintf(line, sizeof line, "%lld %s", (long long)f->id, hex);
	erased_field(b, "file", line);
	erased_field(b, "file_name", f->name);
	return b->oom ? dvc__oom() : DVC_OK;
}

static int erase(dvc_db *db, const char *code, const dvc_actor *who, unsigned char sha[32])
{
	dvc__dossier d;
	dvc__who w;
	dvc_arena a = DVC_ARENA_INIT;
	dvc_applicant app;
	const char *handler, *unit_name, *exemption, *form_data;
	dvc_buf b = DVC_BUF_INIT, comment = DVC_BUF_INIT;
	int scores[DVC_RATING_CRITERIA];
	dvc_time now, rated_at;
	int rc, bad_secret = 0, days = dvc_privacy_retention(db);
	char closed[DVC_TIME_FORMAT_SIZE], until[DVC_TIME_FORMAT_SIZE], note[256];

	if ((rc = dvc__now(db, &now)) != DVC_OK ||
	    (rc = dvc__dossier_open(db, code, who, &d, &w, &bad_secret)) != DVC_OK)
		return bad_secret ? dvc__err(DVC_EPERM, "actor", "only an officer of role admin erases "
					     "personal data") : rc;
	if (!w.is_officer || w.role != DVC_ROLE_ADMIN)
		return dvc__err(DVC_EPERM, "actor", "only an officer of role admin erases personal data");
	if (!dvc_state_is_final(d.state))
		return dvc__err(DVC_ETRANSITION, "code", "dossier %s is %s: the personal data of an open "
				"dossier is never erased", d.code, dvc_state_name(d.state));
	if (d.flags & DVC__F_ERASED)
		return dvc__err(DVC_ETRANSITION, "code", "the personal data of dossier %s is already erased",
				d.code);
	if (d.finished_at > INT64_MAX - (int64_t)days * 86400 || now < d.finished_at + (int64_t)days * 86400) {
		dvc_time_format(d.finished_at, closed, sizeof closed);
		dvc_time_format(d.finished_at + (int64_t)days * 86400, until, sizeof until);
		return dvc__err(DVC_ERETAINED, "code", "dossier %s closed on %s: its personal data is "
				"kept until %s (retention %d days)", d.code, closed, until, days);
	}
	/* What is erased, in the documented order (privacy.h): its SHA-256 goes
	 * into the journal, so whoever kept a copy can show it was this. */
	dvc_buf_printf(&b, "dvc-erasure\t1\n");
	erased_field(&b, "code", d.code);
	if ((rc = dvc__store_dossier_details(db, d.id, &a, &app, &handler, &unit_name, &exemption,
					     &form_data)) != DVC_OK)
		goto out;
	erased_field(&b, "full_name", app.full_name);
	erased_field(&b, "citizen_id", app.citizen_id);
	erased_field(&b, "birth_date", app.birth_date);
	erased_field(&b, "address", app.address);
	erased_field(&b, "phone", app.phone);
	erased_field(&b, "email", app.email);
	erased_field(&b, "form_data", form_data);
	if ((rc = dvc__store_file_each(db, d.id, 0, on_erased_file, &b)) != DVC_OK)
		goto out;
	if ((rc = dvc__store_rating_get(db, d.id, &rated_at, scores, DVC_RATING_CRITERIA, &comment)) < 0)
		goto out;
	erased_field(&b, "rating_comment", rc == 1 && comment.len ? comment.ptr : NULL);
	if (b.oom || comment.oom) {
		rc = dvc__oom();
		goto out;
	}
	crypto_hash_sha256(sha, (const unsigned char *)b.ptr, b.len);
	if ((rc = dvc__store_dossier_erase(db, d.id, DVC_ERASED_NAME)) != DVC_OK)
		goto out;
	d.flags |= DVC__F_ERASED;
	snprintf(note, sizeof note, "Xóa dữ liệu cá nhân của người nộp hồ sơ sau thời hạn lưu trữ %d "
		 "ngày (Nghị định 13/2023/NĐ-CP)", days);
	rc = dvc__dossier_record_digest(db, &d, w.label, DVC_ACT_ERASE, note, sha);
out:
	dvc_buf_free(&b);
	dvc_buf_free(&comment);
	dvc_arena_free(&a);
	return rc;
}

int dvc_dossier_erase_personal(dvc_db *db, const char *code, const dvc_actor *who,
			       char digest[DVC_HASH_HEX_SIZE])
{
	unsigned char sha[32];
	int rc;
	if (!db || !code || !who)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_erase_personal needs a store, a code and who acts");
	if (who->kind != DVC_ACTOR_OFFICER)
		return dvc__err(DVC_EPERM, "actor", "only an officer of role admin erases personal data");
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	DVC__WRITE(db, rc, erase(db, code, who, sha));
	if (rc != DVC_OK)
		return rc;
	if (digest)
		sodium_bin2hex(digest, DVC_HASH_HEX_SIZE, sha, 32);
	return DVC_OK;
}
