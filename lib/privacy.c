/* Personal data (Decree 13/2023/NĐ-CP): the officers' access log, listed
 * for the applicant, an inspector or the officer (privacy.h). The log is
 * written by the read paths themselves (dvc__officer_read in dossier.c). */
#include "dossier_internal.h"
#include "dvc/privacy.h"

#include <cjson/cJSON.h>
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
