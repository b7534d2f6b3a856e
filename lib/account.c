/* Applicant accounts (Argon2id via libsodium) and officers. */
#include "dvc/account.h"
#include "dvc/validate.h"
#include "store_internal.h"
#include "text.h"
#include "throttle_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Validate an applicant and write the normalised phone into phone_out. */
int dvc__applicant_check(const dvc_applicant *a, char phone_out[DVC_PHONE_E164_SIZE]);
int dvc__applicant_check(const dvc_applicant *a, char phone_out[DVC_PHONE_E164_SIZE])
{
	dvc_date d;
	int rc;
	struct dvc_citizen_id_info info = DVC_CITIZEN_ID_INFO_INIT;
	if (!a)
		return dvc__err(DVC_EINVAL, "applicant", "applicant details are required");
	if ((rc = dvc__check_text(a->full_name, "full_name", DVC_FULL_NAME_MAX, true)) != DVC_OK ||
	    (rc = dvc__check_text(a->address, "address", DVC_ADDRESS_MAX, true)) != DVC_OK)
		return rc;
	if (!a->citizen_id || dvc_citizen_id_info(a->citizen_id, &info) != DVC_OK) {
		dvc__err_prefix_path("citizen_id");
		return a->citizen_id ? dvc_error_last()->code
				     : dvc__err(DVC_EINVAL, "citizen_id", "citizen_id is required");
	}
	if (!a->birth_date || dvc__date_parse(a->birth_date, &d) != DVC_OK)
		return dvc__err(DVC_EINVAL, "birth_date", "birth_date must be a date YYYY-MM-DD");
	/* the ID encodes the birth year: a mismatch is a typo in one of them */
	if (d.year != info.birth_year)
		return dvc__err(DVC_EINVAL, "citizen_id",
				"citizen ID %s belongs to someone born in %d, not %d", a->citizen_id,
				info.birth_year, d.year);
	phone_out[0] = '\0';
	if (a->phone && *a->phone && dvc_validate_phone(a->phone, phone_out) != DVC_OK) {
		dvc__err_prefix_path("phone");
		return DVC_EINVAL;
	}
	if (a->email && *a->email && dvc_validate_email(a->email) != DVC_OK) {
		dvc__err_prefix_path("email");
		return DVC_EINVAL;
	}
	if ((!a->phone || !*a->phone) && (!a->email || !*a->email))
		return dvc__err(DVC_EINVAL, "phone", "a phone number or an e-mail address is required "
				"(the applicant is told of every step)");
	return DVC_OK;
}

static int check_username(const char *u)
{
	size_t n = u ? strlen(u) : 0;
	if (n < 3 || n > DVC_USERNAME_MAX)
		return dvc__err(DVC_EINVAL, "username", "username must have 3 to %d characters",
				DVC_USERNAME_MAX);
	for (size_t i = 0; i < n; i++) {
		char c = u[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return dvc__err(DVC_EINVAL, "username",
					"username may hold lower-case ASCII letters, digits, '.', '_' and '-'");
	}
	return DVC_OK;
}

static int sodium_ready(void)
{
	/* sodium_init() is idempotent and thread-safe; it picks CPU features. */
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	return DVC_OK;
}

/* Registration costs an Argon2id hash (64 MiB, ~0.1 s): per client it is
 * counted before the hash, successful or not. */
static int register_slot(dvc_db *db, const dvc_caller *from)
{
	dvc__throttle_key k;
	dvc_time now;
	int rc;
	if (!from || !from->client || !*from->client)
		return DVC_OK;
	dvc__throttle_key_make(&k, DVC__THR_REGISTER_CLIENT, from->client, NULL);
	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	DVC__WRITE(db, rc, dvc__throttle_reserve(db, &k, 1, now));
	return rc;
}

int dvc_account_register_from(dvc_db *db, const char *username, const char *password,
			      const dvc_applicant *profile, const dvc_caller *from)
{
	char hash[crypto_pwhash_STRBYTES];
	char phone[DVC_PHONE_E164_SIZE];
	dvc_applicant p;
	dvc_time now;
	int rc;
	if (!db)
		return dvc__err(DVC_EINVAL, NULL, "no store");
	if (from && from->version != DVC_CALLER_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "unsupported dvc_caller version %u", from->version);
	if ((rc = dvc__client_check(from ? from->client : NULL)) != DVC_OK)
		return rc;
	if ((rc = check_username(username)) != DVC_OK)
		return rc;
	if (!password || strlen(password) < DVC_PASSWORD_MIN || strlen(password) > 1024)
		return dvc__err(DVC_EINVAL, "password", "password must have %d to 1024 bytes",
				DVC_PASSWORD_MIN);
	if ((rc = dvc__applicant_check(profile, phone)) != DVC_OK)
		return rc;
	if ((rc = sodium_ready()) != DVC_OK)
		return rc;
	if ((rc = register_slot(db, from)) != DVC_OK)
		return rc;
	/* Argon2id, interactive limits (64 MiB): memory-hard against GPU guessing. */
	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return dvc__oom();
	p = *profile;
	if (phone[0])
		p.phone = phone;
	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	DVC__WRITE(db, rc, dvc__store_account_insert(db, username, hash, &p, now));
	return rc;
}

int dvc_account_register(dvc_db *db, const char *username, const char *password,
			 const dvc_applicant *profile)
{
	return dvc_account_register_from(db, username, password, profile, NULL);
}

/* Verified in place of a missing account's hash, so that an unknown
 * username costs the same Argon2id work as a wrong password (same
 * parameters as crypto_pwhash_str above; the password is not secret). */
static const char dummy_hash[crypto_pwhash_STRBYTES] =
	"$argon2id$v=19$m=65536,t=2,p=1$UVdrhnXUOGAlNHsY4mlR/w$4Q3E7vups0xitl1F+X1VHJFyPWdGSorMbXFkoHFuQEE";

/* A success takes its attempt back and clears this client's count. */
static int login_ok(dvc_db *db, const dvc__throttle_key *keys, size_t n)
{
	int rc = dvc__store_throttle_clear(db, &keys[0]);
	for (size_t i = 1; rc == DVC_OK && i < n; i++)
		rc = dvc__store_throttle_uncount(db, &keys[i]);
	return rc;
}

/* Where a credential is kept: accounts' passwords or officers'
 * credentials. Their throttles are the same rules over apart names. */
typedef enum login_kind { LOGIN_ACCOUNT, LOGIN_OFFICER } login_kind;

/* The stored hash of `username`: 1 found, 0 none, negative on error. */
static int stored_hash(dvc_db *db, login_kind kind, const char *username,
		       char out[crypto_pwhash_STRBYTES])
{
	dvc_arena a = DVC_ARENA_INIT;
	dvc__account_row row;
	int rc;
	if (kind == LOGIN_OFFICER)
		return dvc__store_officer_secret_get(db, username, out, crypto_pwhash_STRBYTES);
	if ((rc = dvc__store_account_get(db, username, &a, &row)) == DVC_OK) {
		rc = strlen(row.pwhash) < crypto_pwhash_STRBYTES ? 1 : dvc__err(DVC_ECORRUPT, NULL,
			"account %s has a password hash longer than any Argon2id one", username);
		if (rc == 1)
			memcpy(out, row.pwhash, strlen(row.pwhash) + 1);
	}
	dvc_arena_free(&a);
	return rc == DVC_ENOTFOUND ? 0 : rc;
}

/* The attempt is counted before the password is checked, in one guarded
 * update per key (dvc__throttle_reserve): however many logins run in
 * parallel, at most the limit of them reach the Argon2id check. */
static int login(dvc_db *db, login_kind kind, const char *username, const char *password,
		 const dvc_caller *from)
{
	char hash[crypto_pwhash_STRBYTES], name[DVC_USERNAME_MAX + 16];
	dvc__throttle_key keys[3];
	const char *client = from ? from->client : NULL;
	size_t n = 0;
	dvc_time now;
	int rc, ok;
	if (!db || !username || !password)
		return dvc__err(DVC_EINVAL, NULL, "login needs a store, a username and a password");
	if (from && from->version != DVC_CALLER_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "unsupported dvc_caller version %u", from->version);
	if ((rc = dvc__client_check(client)) != DVC_OK)
		return rc;
	if ((rc = sodium_ready()) != DVC_OK)
		return rc;
	/* no such account can exist: nothing to count, nothing to hide */
	if (check_username(username) != DVC_OK || strlen(password) > 1024)
		return dvc__err(DVC_EAUTH, NULL, "wrong username or password");
	/* '/' is in no username: an officer's count is never an account's */
	snprintf(name, sizeof name, "%s%s", kind == LOGIN_OFFICER ? "officer/" : "", username);
	dvc__throttle_key_make(&keys[n++], DVC__THR_LOGIN_USER, client, name);
	if (client && *client)
		dvc__throttle_key_make(&keys[n++], DVC__THR_LOGIN_CLIENT, client, NULL);
	dvc__throttle_key_make(&keys[n++], DVC__THR_LOGIN_ACCOUNT, NULL, name);
	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	DVC__WRITE(db, rc, dvc__throttle_reserve(db, keys, n, now));
	if (rc != DVC_OK)
		return rc;
	if ((rc = stored_hash(db, kind, username, hash)) < 0)
		return rc;
	/* an unknown username costs the same Argon2id work as a wrong password */
	ok = crypto_pwhash_str_verify(rc ? hash : dummy_hash, password, strlen(password)) == 0 && rc;
	sodium_memzero(hash, sizeof hash);
	if (!ok)
		return dvc__err(DVC_EAUTH, NULL, "wrong username or password");
	DVC__WRITE(db, rc, login_ok(db, keys, n));
	return rc;
}

int dvc_account_login_from(dvc_db *db, const char *username, const char *password,
			   const dvc_caller *from)
{
	return login(db, LOGIN_ACCOUNT, username, password, from);
}

int dvc_officer_login_from(dvc_db *db, const char *username, const char *secret,
			   const dvc_caller *from)
{
	return login(db, LOGIN_OFFICER, username, secret, from);
}

int dvc_officer_set_secret(dvc_db *db, const char *username, const char *secret)
{
	char hash[crypto_pwhash_STRBYTES];
	int rc;
	if (!db || !secret)
		return dvc__err(DVC_EINVAL, NULL, "dvc_officer_set_secret needs a store and a secret");
	if ((rc = check_username(username)) != DVC_OK)
		return rc;
	if (strlen(secret) < DVC_PASSWORD_MIN || strlen(secret) > 1024)
		return dvc__err(DVC_EINVAL, "secret", "a credential must have %d to 1024 bytes",
				DVC_PASSWORD_MIN);
	if ((rc = sodium_ready()) != DVC_OK)
		return rc;
	if (crypto_pwhash_str(hash, secret, strlen(secret), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return dvc__oom();
	DVC__WRITE(db, rc, dvc__store_officer_secret_set(db, username, hash));
	return rc;
}

int dvc_account_login(dvc_db *db, const char *username, const char *password)
{
	return dvc_account_login_from(db, username, password, NULL);
}

/* The record and its strings share one arena stored right after it. */
int dvc_account_get(dvc_db *db, const char *username, dvc_account **out)
{
	dvc_arena a = DVC_ARENA_INIT;
	dvc__account_row row;
	dvc_account *acc;
	int rc;
	if (!db || !username || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_account_get needs a store, a username and an out pointer");
	if (!(acc = dvc_arena_alloc(&a, sizeof *acc + sizeof(dvc_arena))))
		return dvc__oom();
	if ((rc = dvc__store_account_get(db, username, &a, &row)) != DVC_OK) {
		dvc_arena_free(&a);
		return rc;
	}
	acc->username = row.username;
	acc->profile = row.profile;
	acc->created_at = row.created_at;
	*(dvc_arena *)(acc + 1) = a;
	*out = acc;
	return DVC_OK;
}

void dvc_account_free(dvc_account *acc)
{
	if (acc) {
		dvc_arena a = *(dvc_arena *)(acc + 1);
		dvc_arena_free(&a);
	}
}

int dvc_officer_add(dvc_db *db, const char *username, const char *full_name, const char *unit,
		    dvc_role role)
{
	int rc;
	if (!db || !unit)
		return dvc__err(DVC_EINVAL, NULL, "dvc_officer_add needs a store and a unit");
	if ((rc = check_username(username)) != DVC_OK ||
	    (rc = dvc__check_text(full_name, "full_name", DVC_FULL_NAME_MAX, true)) != DVC_OK)
		return rc;
	if (role == DVC_ROLE_APPLICANT || (unsigned)role >= DVC_ROLE_COUNT)
		return dvc__err(DVC_EINVAL, "role", "an officer's role is reception, specialist, "
				"unit_leader, signing_leader or admin");
	DVC__WRITE(db, rc, dvc__store_officer_insert(db, username, full_name, unit, role));
	return rc;
}

int dvc_officer_get(dvc_db *db, const char *username, dvc_officer **out)
{
	dvc_arena a = DVC_ARENA_INIT;
	dvc__officer_row row;
	dvc_officer *o;
	const char *full_name = NULL;
	int rc;
	if (!db || !username || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_officer_get needs a store, a username and an out pointer");
	if (!(o = dvc_arena_alloc(&a, sizeof *o + sizeof(dvc_arena))))
		return dvc__oom();
	if ((rc = dvc__store_officer_get(db, username, &row, &a, &full_name)) != DVC_OK) {
		dvc_arena_free(&a);
		return rc;
	}
	o->username = dvc_arena_strdup(&a, row.username);
	o->unit = dvc_arena_strdup(&a, row.unit);
	o->full_name = full_name;
	o->role = row.role;
	if (!o->username || !o->unit) {
		dvc_arena_free(&a);
		return dvc__oom();
	}
	*(dvc_arena *)(o + 1) = a;
	*out = o;
	return DVC_OK;
}

void dvc_officer_free(dvc_officer *o)
{
	if (o) {
		dvc_arena a = *(dvc_arena *)(o + 1);
		dvc_arena_free(&a);
	}
}
