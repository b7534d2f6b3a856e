/* National identities linked to applicant accounts: strict claims, explicit
 * and audited links, verified profile fields (identity.h). */
#include "dvc/identity.h"
#include "dvc/validate.h"
#include "identity_internal.h"
#include "text.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

/* Lower case of the letters Vietnamese names use: ASCII, Latin-1, the
 * letters with breve, tilde and horn, đ, and Latin Extended Additional
 * (U+1EA0..U+1EF9, upper and lower case alternate). */
static uint32_t vi_lower(uint32_t c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7))
		return c + 0x20;
	if (c == 0x102 || c == 0x110 || c == 0x128 || c == 0x168 || c == 0x1A0 ||
	    (c >= 0x1EA0 && c <= 0x1EF9 && !(c & 1)))
		return c + 1;
	if (c == 0x1AF)
		return 0x1B0;
	return c;
}

/* Next code point of valid UTF-8 at *p (advanced). */
static uint32_t next_cp(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];
	int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	if (len > 1) {
		c &= 0x3F >> (len - 1);
		for (int k = 1; k < len; k++)
			c = (c << 6) | (s[k] & 0x3F);
	}
	*p = s + len;
	return c;
}

/* Two names are the same person's name when they agree after NFC, case
 * and runs of spaces: "NGUYỄN VĂN AN" is "Nguyễn  Văn An", "Nguyen Van An"
 * is not. 1 same, 0 not, DVC_ENOMEM. */
static int same_name(const char *a, const char *b)
{
	dvc_buf x = DVC_BUF_INIT, y = DVC_BUF_INIT;
	int same = 0;
	dvc__nfc(a, strlen(a), &x);
	dvc__nfc(b, strlen(b), &y);
	if (x.oom || y.oom) {
		dvc_buf_free(&x);
		dvc_buf_free(&y);
		return dvc__oom();
	}
	const unsigned char *p = (const unsigned char *)(x.ptr ? x.ptr : "");
	const unsigned char *q = (const unsigned char *)(y.ptr ? y.ptr : "");
	for (;;) {
		while (*p == ' ' && (p[1] == ' ' || p[1] == '\0'))
			p++;
		while (*q == ' ' && (q[1] == ' ' || q[1] == '\0'))
			q++;
		if (*p == ' ' && p == (const unsigned char *)x.ptr)
			p++;
		if (*q == ' ' && q == (const unsigned char *)y.ptr)
			q++;
		if (!*p || !*q) {
			same = !*p && !*q;
			break;
		}
		if (vi_lower(next_cp(&p)) != vi_lower(next_cp(&q)))
			break;
	}
	dvc_buf_free(&x);
	dvc_buf_free(&y);
	return same;
}

/* Every check of an identity that needs no store. */
static int check_identity(const dvc_national_identity *id)
{
	struct dvc_citizen_id_info info = DVC_CITIZEN_ID_INFO_INIT;
	dvc_date d;
	int rc;
	if (id->version != DVC_NATIONAL_IDENTITY_VERSION)
		return dvc__version_err("dvc_national_identity", id->version, DVC_NATIONAL_IDENTITY_VERSION);
	if ((rc = dvc__check_text(id->issuer, "issuer", DVC_NATIONAL_ISSUER_MAX, true)) != DVC_OK ||
	    (rc = dvc__check_text(id->subject, "subject", DVC_NATIONAL_SUBJECT_MAX, true)) != DVC_OK ||
	    (rc = dvc__check_text(id->full_name, "full_name", DVC_FULL_NAME_MAX, false)) != DVC_OK ||
	    (rc = dvc__check_text(id->tech_id, "tech_id", DVC_NATIONAL_TECHID_MAX, false)) != DVC_OK ||
	    (rc = dvc__check_text(id->login_idp, "login_idp", DVC_NATIONAL_IDP_MAX, false)) != DVC_OK)
		return rc;
	if (!id->personal_id || dvc_citizen_id_info(id->personal_id, &info) != DVC_OK) {
		if (!id->personal_id)
			return dvc__err(DVC_EINVAL, "personal_id", "personal_id is required");
		dvc__err_prefix_path("personal_id");
		return dvc_error_last()->code;
	}
	if (id->assurance < DVC_ASSURANCE_MIN || id->assurance > DVC_ASSURANCE_MAX)
		return dvc__err(DVC_EINVAL, "assurance",
				"assurance level %d is not 1 or 2 (Decree 69/2024/NĐ-CP)", id->assurance);
	if (id->account_type != 1)
		return dvc__err(DVC_EINVAL, "account_type",
				"account type %d is not a citizen's (1): business and organisation "
				"accounts are not linked to applicant accounts", id->account_type);
	if (id->verified_at < 0)
		return dvc__err(DVC_EINVAL, "verified_at", "verified_at is before 1970");
	if (id->birth_date) {
		if (dvc__date_parse(id->birth_date, &d) != DVC_OK)
			return dvc__err(DVC_EINVAL, "birth_date", "birth_date must be a date YYYY-MM-DD");
		if (d.year != info.birth_year)
			return dvc__err(DVC_EINVAL, "birth_date",
					"the personal ID belongs to someone born in %d, not %d",
					info.birth_year, d.year);
	}
	return DVC_OK;
}

/* ---- linking ---- */

static int link(dvc_db *db, const char *username, const dvc_national_identity *in,
		const char *actor, dvc_time now)
{
	dvc_arena a = DVC_ARENA_INIT;
	dvc__account_row acc;
	dvc_national_identity cur, id = *in;
	char fields[64] = "";
	int64_t other;
	int rc, linked, same;

	if ((rc = dvc__store_account_get(db, username, &a, &acc)) != DVC_OK)
		goto out;
	memset(&cur, 0, sizeof cur);
	if ((linked = rc = dvc__store_identity_of_account(db, acc.id, &a, &cur)) < 0)
		goto out;
	if (linked && (strcmp(cur.issuer, id.issuer) != 0 || strcmp(cur.subject, id.subject) != 0)) {
		rc = dvc__err(DVC_EEXISTS, "subject", "account %s is linked to another national identity: "
			      "unlink it first", username);
		goto out;
	}
	if ((rc = dvc__store_identity_account_of(db, id.issuer, id.subject, &other)) < 0)
		goto out;
	if (rc == 1 && other != acc.id) {
		rc = dvc__err(DVC_EEXISTS, "subject", "this national identity is linked to another account");
		goto out;
	}
	if ((rc = dvc__store_identity_account_of_pid(db, id.personal_id, &other)) < 0)
		goto out;
	if (rc == 1 && other != acc.id) {
		rc = dvc__err(DVC_EEXISTS, "personal_id", "this personal ID is linked to another account");
		goto out;
	}
	/* what the claims vouch for must be what the profile says */
	id.verified_fields = DVC_VERIFIED_CITIZEN_ID;
	if (strcmp(acc.profile.citizen_id, id.personal_id) != 0)
		strcat(fields, "citizen_id");
	if (id.full_name) {
		if ((same = same_name(acc.profile.full_name, id.full_name)) < 0) {
			rc = same;
			goto out;
		}
		if (!same)
			strcat(strcat(fields, *fields ? "," : ""), "full_name");
		id.verified_fields |= DVC_VERIFIED_FULL_NAME;
	}
	if (id.birth_date) {
		if (strcmp(acc.profile.birth_date, id.birth_date) != 0)
			strcat(strcat(fields, *fields ? "," : ""), "birth_date");
		id.verified_fields |= DVC_VERIFIED_BIRTH_DATE;
	}
	if (*fields) {
		rc = dvc__err(DVC_EMISMATCH, fields,
			      "the national identity's verified claims contradict the profile of account "
			      "%s in %s: nothing was linked; correct the profile or the identity first",
			      username, fields);
		goto out;
	}
	if (!id.verified_at)
		id.verified_at = now;
	id.linked_at = linked ? cur.linked_at : now;
	if ((rc = dvc__store_identity_put(db, acc.id, &id)) == DVC_EEXISTS)
		rc = dvc__err(DVC_EEXISTS, "subject", "this national identity is linked to another account");
	if (rc == DVC_OK) {
		char detail[96];
		snprintf(detail, sizeof detail, "assurance %d, verified %s%s%s", id.assurance,
			 "citizen_id", id.full_name ? ",full_name" : "", id.birth_date ? ",birth_date" : "");
		rc = dvc__store_identity_audit_add(db, acc.id, now, linked ? "refresh" : "link", actor,
						   id.issuer, id.subject, detail);
	}
out:
	dvc_arena_free(&a);
	return rc < 0 ? rc : DVC_OK;
}

static int check_actor(const char *actor)
{
	return dvc__check_text(actor, "actor", DVC_USERNAME_MAX + 16, true);
}

int dvc_identity_link(dvc_db *db, const char *username, const dvc_national_identity *id,
		      const char *actor)
{
	dvc_time now;
	int rc;
	if (!db || !username || !id)
		return dvc__err(DVC_EINVAL, NULL, "dvc_identity_link needs a store, a username and an identity");
	if ((rc = check_identity(id)) != DVC_OK || (rc = check_actor(actor)) != DVC_OK)
		return rc;
	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	DVC__WRITE(db, rc, link(db, username, id, actor, now));
	return rc;
}

static int unlink_account(dvc_db *db, const char *username, const char *actor, const char *reason,
			  dvc_time now)
{
	dvc_arena a = DVC_ARENA_INIT;
	dvc__account_row acc;
	dvc_national_identity cur;
	int rc;
	if ((rc = dvc__store_account_get(db, username, &a, &acc)) == DVC_OK &&
	    (rc = dvc__store_identity_of_account(db, acc.id, &a, &cur)) >= 0) {
		if (rc == 0)
			rc = dvc__err(DVC_ENOTFOUND, "username", "account %s has no linked national identity",
				      username);
		else if ((rc = dvc__store_identity_delete(db, acc.id)) == DVC_OK)
			rc = dvc__store_identity_audit_add(db, acc.id, now, "unlink", actor, cur.issuer,
							   cur.subject, reason);
	}
	dvc_arena_free(&a);
	return rc;
}

int dvc_identity_unlink(dvc_db *db, const char *username, const char *actor, const char *reason)
{
	dvc_time now;
	int rc;
	if (!db || !username)
		return dvc__err(DVC_EINVAL, NULL, "dvc_identity_unlink needs a store and a username");
	if ((rc = check_actor(actor)) != DVC_OK ||
	    (rc = dvc__check_text(reason, "reason", 500, true)) != DVC_OK)
		return rc;
	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	DVC__WRITE(db, rc, unlink_account(db, username, actor, reason, now));
	return rc;
}

/* ---- reading ---- */

/* The record and its strings share one arena stored right after it. */
static int identity_of(dvc_db *db, int64_t account_id, const char *username,
		       dvc_national_identity **out)
{
	dvc_arena a = DVC_ARENA_INIT;
	dvc__account_row acc;
	dvc_national_identity *id;
	int rc;
	if (!(id = dvc_arena_alloc(&a, sizeof *id + sizeof(dvc_arena))))
		return dvc__oom();
	rc = username ? dvc__store_account_get(db, username, &a, &acc)
		      : dvc__store_account_by_id(db, account_id, &a, &acc);
	if (rc == DVC_OK && (rc = dvc__store_identity_of_account(db, acc.id, &a, id)) == 0)
		rc = dvc__err(DVC_ENOTFOUND, "username", "account %s has no linked national identity",
			      acc.username);
	if (rc < 0) {
		dvc_arena_free(&a);
		return rc;
	}
	id->version = DVC_NATIONAL_IDENTITY_VERSION;
	id->username = acc.username;
	*(dvc_arena *)(id + 1) = a;
	*out = id;
	return DVC_OK;
}

int dvc_identity_get(dvc_db *db, const char *username, dvc_national_identity **out)
{
	if (!db || !username || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_identity_get needs a store, a username and an out pointer");
	return identity_of(db, 0, username, out);
}

int dvc_identity_find(dvc_db *db, const char *issuer, const char *subject,
		      dvc_national_identity **out)
{
	int64_t account_id;
	int rc;
	if (!db || !issuer || !subject || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_identity_find needs a store, an issuer, a subject and an out pointer");
	if ((rc = dvc__store_identity_account_of(db, issuer, subject, &account_id)) < 0)
		return rc;
	if (rc == 0)
		return dvc__err(DVC_ENOTFOUND, "subject", "no account is linked to this national identity");
	return identity_of(db, account_id, NULL, out);
}

void dvc_identity_free(dvc_national_identity *id)
{
	if (id) {
		dvc_arena a = *(dvc_arena *)(id + 1);
		dvc_arena_free(&a);
	}
}

/* ---- userinfo claims ---- */

/* A claim that must be a string (required or not); DVC_ESCHEMA for another
 * JSON type. *out NULL when absent. */
static int claim_str(const cJSON *root, const char *name, bool required, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, name);
	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return required ? dvc__err(DVC_EINVAL, name, "claim %s is missing", name) : DVC_OK;
	if (!cJSON_IsString(v))
		return dvc__err(DVC_ESCHEMA, name, "claim %s is not a string", name);
	if (required && !*v->valuestring)
		return dvc__err(DVC_EINVAL, name, "claim %s is empty", name);
	*out = v->valuestring;
	return DVC_OK;
}

static int parse_claims(const cJSON *root, const dvc_claims_opts *o, dvc_arena *a,
			dvc_national_identity *id)
{
	const char *sub, *pid, *name, *dob, *tech, *idp, *type_s = NULL;
	const cJSON *type;
	char date[DVC__DATE_SIZE];
	int rc;
	if (!cJSON_IsObject(root))
		return dvc__err(DVC_ESCHEMA, NULL, "userinfo claims must be a JSON object");
	if ((rc = claim_str(root, "sub", true, &sub)) != DVC_OK ||
	    (rc = claim_str(root, "SoDinhDanh", true, &pid)) != DVC_OK ||
	    (rc = claim_str(root, "HoVaTen", true, &name)) != DVC_OK ||
	    (rc = claim_str(root, "NgayThangNamSinh", true, &dob)) != DVC_OK ||
	    (rc = claim_str(root, "TechID", false, &tech)) != DVC_OK ||
	    (rc = claim_str(root, "loginIdp", false, &idp)) != DVC_OK)
		return rc;
	/* seen as a string in one public implementation and a number in another */
	type = cJSON_GetObjectItemCaseSensitive(root, "LoaiTaiKhoan");
	if (!type)
		return dvc__err(DVC_EINVAL, "LoaiTaiKhoan", "claim LoaiTaiKhoan is missing");
	if (cJSON_IsString(type))
		type_s = type->valuestring;
	else if (!cJSON_IsNumber(type))
		return dvc__err(DVC_ESCHEMA, "LoaiTaiKhoan", "claim LoaiTaiKhoan is not a string or a number");
	if (type_s ? (strlen(type_s) != 1 || type_s[0] < '1' || type_s[0] > '3')
		   : (type->valuedouble != 1 && type->valuedouble != 2 && type->valuedouble != 3))
		return dvc__err(DVC_EINVAL, "LoaiTaiKhoan",
				"LoaiTaiKhoan must be 1 (citizen), 2 (business) or 3 (organisation)");
	id->account_type = type_s ? type_s[0] - '0' : (int)type->valuedouble;
	/* yyyyMMdd, exactly */
	if (strlen(dob) != 8 || strspn(dob, "0123456789") != 8)
		return dvc__err(DVC_EINVAL, "NgayThangNamSinh", "NgayThangNamSinh must be yyyyMMdd");
	snprintf(date, sizeof date, "%.4s-%.2s-%.2s", dob, dob + 4, dob + 6);
	{
		dvc_date d;
		if (dvc__date_parse(date, &d) != DVC_OK)
			return dvc__err(DVC_EINVAL, "NgayThangNamSinh", "NgayThangNamSinh %s is not a date", dob);
	}
	if (strlen(pid) != 12 || strspn(pid, "0123456789") != 12)
		return dvc__err(DVC_EINVAL, "SoDinhDanh", "SoDinhDanh must be 12 digits");
	id->issuer = dvc_arena_strdup(a, o->issuer);
	id->subject = dvc_arena_strdup(a, sub);
	id->personal_id = dvc_arena_strdup(a, pid);
	id->full_name = dvc_arena_strdup(a, name);
	id->birth_date = dvc_arena_strdup(a, date);
	id->tech_id = dvc_arena_strdup(a, tech);
	id->login_idp = dvc_arena_strdup(a, idp);
	if (!id->issuer || !id->subject || !id->personal_id || !id->full_name || !id->birth_date ||
	    (tech && !id->tech_id) || (idp && !id->login_idp))
		return dvc__oom();
	id->assurance = o->assurance;
	id->verified_at = o->verified_at;
	/* the claim names replace the struct's in messages */
	if ((rc = check_identity(id)) != DVC_OK) {
		const dvc_error *e = dvc_error_last();
		static const char *const names[][2] = {
			{"subject", "sub"}, {"personal_id", "SoDinhDanh"}, {"full_name", "HoVaTen"},
			{"birth_date", "NgayThangNamSinh"}, {"tech_id", "TechID"}, {"login_idp", "loginIdp"},
			{"account_type", "LoaiTaiKhoan"}};
		for (size_t i = 0; e->path && i < DVC_ARRAY_LEN(names); i++)
			if (strcmp(e->path, names[i][0]) == 0) {
				char msg[256];
				snprintf(msg, sizeof msg, "%s", e->message);
				return dvc__err(rc, names[i][1], "claim %s: %s", names[i][1], msg);
			}
	}
	return rc;
}

int dvc_identity_parse_claims(const char *json, size_t len, const dvc_claims_opts *o,
			      dvc_national_identity **out)
{
	/* userinfo is a flat object of a few dozen claims */
	static const dvc__json_limits lim = {DVC_NATIONAL_CLAIMS_MAX, 8, 1000};
	dvc_arena a = DVC_ARENA_INIT;
	dvc_national_identity *id;
	cJSON *root;
	int rc;
	if (!json || !o || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_identity_parse_claims needs claims, options and an out pointer");
	if (o->version != DVC_CLAIMS_OPTS_VERSION)
		return dvc__version_err("dvc_claims_opts", o->version, DVC_CLAIMS_OPTS_VERSION);
	if (!o->issuer || !*o->issuer)
		return dvc__err(DVC_EINVAL, "issuer", "the issuer the token was checked against is required");
	if ((rc = dvc__json_read(json, len, &lim, "the userinfo document", &root)) != DVC_OK)
		return rc;
	if (!(id = dvc_arena_alloc(&a, sizeof *id + sizeof(dvc_arena)))) {
		cJSON_Delete(root);
		return dvc__oom();
	}
	id->version = DVC_NATIONAL_IDENTITY_VERSION;
	rc = parse_claims(root, o, &a, id);
	cJSON_Delete(root);
	if (rc != DVC_OK) {
		dvc_arena_free(&a);
		return rc;
	}
	*(dvc_arena *)(id + 1) = a;
	*out = id;
	return DVC_OK;
}

int dvc_identity_link_claims(dvc_db *db, const char *username, const char *json, size_t len,
			     const dvc_claims_opts *o, const char *actor)
{
	dvc_national_identity *id;
	int rc = dvc_identity_parse_claims(json, len, o, &id);
	if (rc != DVC_OK)
		return rc;
	rc = dvc_identity_link(db, username, id, actor);
	dvc_identity_free(id);
	return rc;
}

/* ---- submission ---- */

int dvc__identity_for_submission(dvc_db *db, int64_t account_id, const dvc_applicant *profile,
				 dvc_applicant *app, int national, dvc_arena *a, dvc__signin *out)
{
	dvc_national_identity cur;
	char fields[64] = "";
	int rc;
	memset(out, 0, sizeof *out);
	if ((rc = dvc__store_identity_of_account(db, account_id, a, &cur)) < 0)
		return rc;
	if (rc == 0) {
		if (national)
			return dvc__err(DVC_EINVAL, "national_signin",
					"the account has no linked national identity to sign in with");
		return DVC_OK;
	}
	/* verified fields fill what was left empty and must match what was typed */
	if (cur.verified_fields & DVC_VERIFIED_FULL_NAME) {
		if (!app->full_name || !*app->full_name)
			app->full_name = profile->full_name;
		else if ((rc = same_name(app->full_name, profile->full_name)) <= 0) {
			if (rc < 0)
				return rc;
			strcat(fields, "full_name");
		}
	}
	if (cur.verified_fields & DVC_VERIFIED_CITIZEN_ID) {
		if (!app->citizen_id || !*app->citizen_id)
			app->citizen_id = profile->citizen_id;
		else if (strcmp(app->citizen_id, profile->citizen_id) != 0)
			strcat(strcat(fields, *fields ? "," : ""), "citizen_id");
	}
	if (cur.verified_fields & DVC_VERIFIED_BIRTH_DATE) {
		if (!app->birth_date || !*app->birth_date)
			app->birth_date = profile->birth_date;
		else if (strcmp(app->birth_date, profile->birth_date) != 0)
			strcat(strcat(fields, *fields ? "," : ""), "birth_date");
	}
	if (*fields)
		return dvc__err(DVC_EMISMATCH, fields,
				"the applicant typed in differs from the account's verified national "
				"identity in %s", fields);
	if (!app->address || !*app->address)
		app->address = profile->address;
	if ((!app->phone || !*app->phone) && (!app->email || !*app->email)) {
		app->phone = profile->phone;
		app->email = profile->email;
	}
	if (national) {
		out->assurance = cur.assurance;
		snprintf(out->issuer, sizeof out->issuer, "%s", cur.issuer);
		snprintf(out->subject, sizeof out->subject, "%s", cur.subject);
	}
	return DVC_OK;
}

int dvc_dossier_national_signin(dvc_db *db, const char *code, int *assurance)
{
	dvc__dossier d;
	int rc;
	if (!db || !code || !assurance)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_national_signin needs a store, a code and an out pointer");
	*assurance = 0;
	if ((rc = dvc__store_dossier_load(db, code, &d)) != DVC_OK)
		return rc;
	rc = dvc__store_dossier_identity_get(db, d.id, assurance);
	return rc < 0 ? rc : DVC_OK;
}

/* ---- the JSON view ---- */

/* the shared cJSON builders (internal.h), under short names */
static cJSON *put(cJSON *p, const char *key, cJSON *item) { return dvc__json_put(p, key, item); }

static void put_str(cJSON *o, const char *key, const char *v) { dvc__json_put_str(o, key, v); }

static void put_time(cJSON *o, const char *key, dvc_time t)
{
	char buf[DVC_TIME_FORMAT_SIZE];
	put_str(o, key, t && dvc_time_format(t, buf, sizeof buf) == DVC_OK ? buf : NULL);
}

static void put_field(cJSON *profile, const char *key, const char *v, int verified)
{
	cJSON *f = put(profile, key, cJSON_CreateObject());
	put_str(f, "value", v);
	put(f, "verified", cJSON_CreateBool(verified));
}

static int on_audit(void *ctx, const dvc__identity_audit_row *r)
{
	cJSON *e = put(ctx, NULL, cJSON_CreateObject());
	put_time(e, "at", r->at);
	put_str(e, "event", r->event);
	put_str(e, "actor", r->actor);
	put_str(e, "issuer", r->issuer);
	put_str(e, "subject", r->subject);
	put_str(e, "detail", r->detail);
	return DVC_OK;
}

int dvc_identity_json(dvc_db *db, const char *username, char **out)
{
	dvc_arena a = DVC_ARENA_INIT;
	dvc__account_row acc;
	dvc_national_identity cur;
	unsigned long failures = dvc__alloc_failures();
	cJSON *root = NULL, *p, *id;
	char *s = NULL;
	int rc, linked;
	if (!db || !username || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_identity_json needs a store, a username and an out pointer");
	*out = NULL;
	if ((rc = dvc__read_begin(db)) != DVC_OK)
		return rc;
	if ((rc = dvc__store_account_get(db, username, &a, &acc)) != DVC_OK ||
	    (linked = rc = dvc__store_identity_of_account(db, acc.id, &a, &cur)) < 0)
		goto out;
	unsigned v = linked ? cur.verified_fields : 0;
	root = cJSON_CreateObject();
	put_str(root, "username", acc.username);
	put(root, "linked", cJSON_CreateBool(linked));
	if (linked) {
		id = put(root, "identity", cJSON_CreateObject());
		put_str(id, "issuer", cur.issuer);
		put_str(id, "subject", cur.subject);
		put_str(id, "personal_id", cur.personal_id);
		put(id, "assurance", cJSON_CreateNumber(cur.assurance));
		put_time(id, "verified_at", cur.verified_at);
		put_time(id, "linked_at", cur.linked_at);
		put_str(id, "tech_id", cur.tech_id);
		put_str(id, "login_idp", cur.login_idp);
		put(id, "account_type", cJSON_CreateNumber(cur.account_type));
	} else {
		put(root, "identity", cJSON_CreateNull());
	}
	p = put(root, "profile", cJSON_CreateObject());
	put_field(p, "full_name", acc.profile.full_name, !!(v & DVC_VERIFIED_FULL_NAME));
	put_field(p, "citizen_id", acc.profile.citizen_id, !!(v & DVC_VERIFIED_CITIZEN_ID));
	put_field(p, "birth_date", acc.profile.birth_date, !!(v & DVC_VERIFIED_BIRTH_DATE));
	put_field(p, "address", acc.profile.address, 0);
	put_field(p, "phone", acc.profile.phone, 0);
	put_field(p, "email", acc.profile.email, 0);
	rc = dvc__store_identity_audit_each(db, acc.id, on_audit, put(root, "audit", cJSON_CreateArray()));
	if (rc == DVC_OK) {
		rc = dvc__json_print(root, failures, &s); /* frees root */
		root = NULL;
	}
out:
	dvc__read_end(db);
	cJSON_Delete(root);
	dvc_arena_free(&a);
	if (rc < 0)
		return rc;
	*out = s;
	return DVC_OK;
}
