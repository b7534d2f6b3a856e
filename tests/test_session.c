/* Portal sessions (session.h): a session started by one handle is found by
 * another on the same store (two portal processes); the store keeps only a
 * token's hash; a visitor costs no row and cannot push a signed-in session
 * out; a user's oldest session goes when the user starts one too many,
 * nobody else's; idle sessions expire and say so; sign-out ends one;
 * CSRF tokens are the session's and compared as such; malformed tokens,
 * unknown users and bad requests are refused with their own error and
 * store nothing. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static dvc_db *db;
static char file[64], store_buf[512];
static const char *store = store_buf;

static dvc_db *open_store(void)
{
	dvc_db *d;
	ck_ok(dvc_open(&d, store, NULL));
	dvc_set_clock(d, test_clock, NULL);
	return d;
}

static void setup(void)
{
	temp_store(file, sizeof file, "/tmp/dvc-session-XXXXXX", store_buf, sizeof store_buf);
	db = open_store();
	clock_now = instant("2026-03-02T09:00:00+07:00");
	dossier_store_init(db, test_clock);
	ck_ok(dvc_account_register(db, "an.nv", "mat-khau-dai", &an_nguyen));
}

static void teardown(void)
{
	dvc_close(db);
	temp_store_remove(file);
}

static long long sessions_stored(void)
{
	return store_value(store, "SELECT COUNT(*) FROM session");
}

static dvc_session *start(dvc_session_kind kind, const char *user, const char *replaces)
{
	dvc_session_req q = DVC_SESSION_REQ_INIT;
	dvc_session *s;
	q.kind = kind;
	q.username = user;
	q.replaces = replaces;
	ck_ok(dvc_session_start(db, &q, &s));
	return s;
}

START_TEST(signed_in_session_shared_by_processes)
{
	dvc_session *s = start(DVC_SESSION_ACCOUNT, "an.nv", NULL), *f;
	dvc_db *other = open_store();
	char *j, hash_sql[200];
	ck_assert_uint_eq(strlen(dvc_session_token(s)), DVC_SESSION_TOKEN_LEN);
	ck_assert_uint_eq(strlen(dvc_session_csrf(s)), DVC_SESSION_TOKEN_LEN);
	ck_assert_str_ne(dvc_session_token(s), dvc_session_csrf(s));
	/* another process finds it, with the same CSRF token */
	ck_ok(dvc_session_find(other, dvc_session_token(s), &f));
	ck_assert_int_eq(dvc_session_kind_of(f), DVC_SESSION_ACCOUNT);
	ck_assert_str_eq(dvc_session_username(f), "an.nv");
	ck_assert_str_eq(dvc_session_csrf(f), dvc_session_csrf(s));
	ck_ok(dvc_session_csrf_check(f, dvc_session_csrf(s)));
	ck_assert_int_eq(dvc_session_actor(f).kind, DVC_ACTOR_ACCOUNT);
	ck_assert_str_eq(dvc_session_actor(f).name, "an.nv");
	ck_ok(dvc_session_json(f, &j));
	snprintf(hash_sql, sizeof hash_sql,
		 "{\"csrf\":\"%s\",\"actor\":{\"kind\":\"account\",\"username\":\"an.nv\"}}", dvc_session_csrf(s));
	ck_assert_str_eq(j, hash_sql);
	dvc_free(j);
	/* the token itself is nowhere in the store */
	snprintf(hash_sql, sizeof hash_sql, "SELECT COUNT(*) FROM session WHERE token_hash = '%s'",
		 dvc_session_token(s));
	ck_assert_int_eq(store_value(store, hash_sql), 0);
	ck_assert_int_eq(sessions_stored(), 1);
	dvc_session_free(f);
	dvc_session_free(s);
	dvc_close(other);
}
END_TEST

START_TEST(visitors_cost_no_row)
{
	dvc_session *v = start(DVC_SESSION_VISITOR, NULL, NULL), *f, *v2;
	dvc_db *other = open_store();
	ck_assert_int_eq(sessions_stored(), 0);
	ck_assert_int_eq(dvc_session_expires(v), 0);
	ck_assert_ptr_null(dvc_session_username(v));
	ck_assert_int_eq(dvc_session_actor(v).kind, DVC_ACTOR_ANONYMOUS);
	/* its CSRF token holds in another process too */
	ck_ok(dvc_session_find(other, dvc_session_token(v), &f));
	ck_assert_int_eq(dvc_session_kind_of(f), DVC_SESSION_VISITOR);
	ck_ok(dvc_session_csrf_check(f, dvc_session_csrf(v)));
	/* another visitor's CSRF token is not this one's */
	v2 = start(DVC_SESSION_VISITOR, NULL, NULL);
	ck_assert_str_ne(dvc_session_token(v2), dvc_session_token(v));
	ck_dvc(dvc_session_csrf_check(f, dvc_session_csrf(v2)), DVC_EPERM);
	ck_dvc(dvc_session_csrf_check(f, NULL), DVC_EPERM);
	ck_dvc(dvc_session_csrf_check(f, ""), DVC_EPERM);
	/* ten thousand visitors later a signed-in session is still there */
	{
		dvc_session *s = start(DVC_SESSION_ACCOUNT, "an.nv", NULL), *g;
		for (int i = 0; i < 10000; i++) {
			dvc_session *x = start(DVC_SESSION_VISITOR, NULL, NULL);
			dvc_session_free(x);
		}
		ck_ok(dvc_session_find(db, dvc_session_token(s), &g));
		ck_assert_int_eq(dvc_session_kind_of(g), DVC_SESSION_ACCOUNT);
		ck_assert_int_eq(sessions_stored(), 1);
		dvc_session_free(g);
		dvc_session_free(s);
	}
	dvc_session_free(v2);
	dvc_session_free(f);
	dvc_session_free(v);
	dvc_close(other);
}
END_TEST

START_TEST(sign_in_replaces_and_sign_out_ends)
{
	dvc_session *v = start(DVC_SESSION_VISITOR, NULL, NULL), *s, *o, *f;
	char *j;
	s = start(DVC_SESSION_ACCOUNT, "an.nv", dvc_session_token(v));
	ck_assert_str_ne(dvc_session_token(s), dvc_session_token(v));
	ck_assert_str_ne(dvc_session_csrf(s), dvc_session_csrf(v));
	/* the officer's unit and role come from the officer table */
	o = start(DVC_SESSION_OFFICER, "le.tiep.nhan", NULL);
	ck_assert_str_eq(dvc_session_unit(o), "000.00.30.H24");
	ck_assert_int_eq(dvc_session_role(o), DVC_ROLE_RECEPTION);
	ck_ok(dvc_session_json(o, &j));
	ck_assert_ptr_nonnull(strstr(j, "\"actor\":{\"kind\":\"officer\",\"username\":\"le.tiep.nhan\","
					"\"unit\":\"000.00.30.H24\",\"role\":\"reception\",\"role_label\":\"Cán bộ tiếp nhận\"}"));
	ck_assert_ptr_null(strstr(j, dvc_session_token(o)));
	dvc_free(j);
	ck_assert_int_eq(sessions_stored(), 2);
	/* an account signed in with the national identity says so */
	{
		dvc_session_req q = DVC_SESSION_REQ_INIT;
		dvc_session *n, *g;
		q.kind = DVC_SESSION_ACCOUNT;
		q.username = "an.nv";
		q.national = 1;
		ck_ok(dvc_session_start(db, &q, &n));
		ck_ok(dvc_session_find(db, dvc_session_token(n), &g));
		ck_assert_int_eq(dvc_session_national(g), 1);
		ck_ok(dvc_session_end(db, dvc_session_token(n)));
		dvc_session_free(g);
		dvc_session_free(n);
	}
	/* sign-out: the session is gone; the token is a visitor's from then on
	 * and its old CSRF token no longer holds */
	ck_ok(dvc_session_end(db, dvc_session_token(s)));
	ck_assert_int_eq(sessions_stored(), 1);
	ck_ok(dvc_session_find(db, dvc_session_token(s), &f));
	ck_assert_int_eq(dvc_session_kind_of(f), DVC_SESSION_VISITOR);
	ck_assert_str_eq(dvc_session_csrf(f), dvc_session_csrf(s)); /* derived from the token */
	dvc_session_free(f);
	/* signing out of a session replaced by a new one ends the old one */
	f = start(DVC_SESSION_VISITOR, NULL, dvc_session_token(o));
	ck_assert_int_eq(sessions_stored(), 0);
	dvc_session_free(f);
	ck_ok(dvc_session_end(db, dvc_session_token(v))); /* a visitor's: nothing to end */
	dvc_session_free(o);
	dvc_session_free(s);
	dvc_session_free(v);
}
END_TEST

START_TEST(idle_sessions_expire)
{
	dvc_session_req q = DVC_SESSION_REQ_INIT;
	dvc_session *s, *f;
	q.kind = DVC_SESSION_ACCOUNT;
	q.username = "an.nv";
	q.ttl = 600;
	ck_ok(dvc_session_start(db, &q, &s));
	ck_assert_int_eq(dvc_session_expires(s), clock_now + 600);
	/* used within its lifetime, it lives on from the last use */
	clock_now += 500;
	ck_ok(dvc_session_find(db, dvc_session_token(s), &f));
	ck_assert_int_eq(dvc_session_expires(f), clock_now + 600);
	dvc_session_free(f);
	clock_now += 599;
	ck_ok(dvc_session_find(db, dvc_session_token(s), &f));
	dvc_session_free(f);
	/* idle past it: expired, and said so for a day, then forgotten */
	clock_now += 601;
	ck_dvc(dvc_session_find(db, dvc_session_token(s), &f), DVC_EEXPIRED);
	ck_assert_ptr_null(f);
	clock_now += DVC_SESSION_GRACE_SECONDS + 1;
	dvc_session_free(start(DVC_SESSION_ACCOUNT, "an.nv", NULL)); /* purges */
	ck_assert_int_eq(sessions_stored(), 1);
	ck_ok(dvc_session_find(db, dvc_session_token(s), &f));
	ck_assert_int_eq(dvc_session_kind_of(f), DVC_SESSION_VISITOR);
	dvc_session_free(f);
	dvc_session_free(s);
}
END_TEST

START_TEST(a_users_oldest_session_goes_nobody_elses)
{
	dvc_session *mine[DVC_SESSION_MAX_PER_USER + 1], *officer, *f;
	officer = start(DVC_SESSION_OFFICER, "le.tiep.nhan", NULL);
	for (int i = 0; i <= DVC_SESSION_MAX_PER_USER; i++) {
		mine[i] = start(DVC_SESSION_ACCOUNT, "an.nv", NULL);
		clock_now += 1;
	}
	ck_assert_int_eq(sessions_stored(), DVC_SESSION_MAX_PER_USER + 1);
	ck_ok(dvc_session_find(db, dvc_session_token(mine[0]), &f));
	ck_assert_int_eq(dvc_session_kind_of(f), DVC_SESSION_VISITOR); /* the oldest went */
	dvc_session_free(f);
	for (int i = 1; i <= DVC_SESSION_MAX_PER_USER; i++) {
		ck_ok(dvc_session_find(db, dvc_session_token(mine[i]), &f));
		ck_assert_int_eq(dvc_session_kind_of(f), DVC_SESSION_ACCOUNT);
		dvc_session_free(f);
	}
	ck_ok(dvc_session_find(db, dvc_session_token(officer), &f));
	ck_assert_int_eq(dvc_session_kind_of(f), DVC_SESSION_OFFICER);
	dvc_session_free(f);
	for (int i = 0; i <= DVC_SESSION_MAX_PER_USER; i++)
		dvc_session_free(mine[i]);
	dvc_session_free(officer);
}
END_TEST

START_TEST(bad_requests_refused_and_store_nothing)
{
	dvc_session_req q = DVC_SESSION_REQ_INIT;
	dvc_session *s = (dvc_session *)&q, *f;
	const char *bad[] = {"", "abc", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ABCDEF",
			     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
			     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\xc3"};
	q.kind = DVC_SESSION_ACCOUNT;
	q.username = "nobody";
	ck_dvc(dvc_session_start(db, &q, &s), DVC_ENOTFOUND);
	ck_assert_ptr_null(s);
	q.kind = DVC_SESSION_OFFICER;
	q.username = "an.nv"; /* an account, not an officer */
	ck_dvc(dvc_session_start(db, &q, &s), DVC_ENOTFOUND);
	q.username = NULL;
	ck_dvc(dvc_session_start(db, &q, &s), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "username");
	q.kind = DVC_SESSION_VISITOR;
	q.username = "an.nv";
	ck_dvc(dvc_session_start(db, &q, &s), DVC_EINVAL);
	q.kind = (dvc_session_kind)7;
	q.username = NULL;
	ck_dvc(dvc_session_start(db, &q, &s), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "kind");
	q.kind = DVC_SESSION_ACCOUNT;
	q.username = "an.nv";
	q.ttl = DVC_SESSION_TTL_MAX + 1;
	ck_dvc(dvc_session_start(db, &q, &s), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "ttl");
	q.ttl = -1;
	ck_dvc(dvc_session_start(db, &q, &s), DVC_EINVAL);
	q.ttl = 0;
	q.replaces = "not a token";
	ck_dvc(dvc_session_start(db, &q, &s), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "replaces");
	q.replaces = NULL;
	q.version = 99;
	ck_dvc(dvc_session_start(db, &q, &s), DVC_EINVAL);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_dvc(dvc_session_find(db, bad[i], &f), DVC_EINVAL);
		ck_assert_ptr_null(f);
		ck_dvc(dvc_session_end(db, bad[i]), DVC_EINVAL);
	}
	ck_dvc(dvc_session_find(db, NULL, &f), DVC_EINVAL);
	ck_dvc(dvc_session_start(NULL, &q, &s), DVC_EINVAL);
	ck_assert_int_eq(sessions_stored(), 0);
}
END_TEST

/* Officers' credentials (account.h): hashed, checked with the login
 * throttles, counted apart from accounts' of the same name. */
START_TEST(officer_credentials_checked_and_throttled)
{
	const char *token = "desk-token-aaaaaaaaaaaaaaaaaaaaaaaa";
	dvc_caller guesser = DVC_CALLER_INIT, desk = DVC_CALLER_INIT;
	guesser.client = "198.51.100.7";
	desk.client = "203.0.113.9";
	ck_ok(dvc_officer_add(db, "an.nv", "Nguyễn Văn An (cán bộ)", "000.00.30.H24",
			      DVC_ROLE_SPECIALIST));
	ck_ok(dvc_officer_set_secret(db, "le.tiep.nhan", token));
	ck_ok(dvc_officer_set_secret(db, "an.nv", "mat-khau-can-bo"));
	ck_assert_int_eq(store_value(store, "SELECT COUNT(*) FROM officer WHERE secret_hash LIKE"
					    " '$argon2id$%' AND secret_hash NOT LIKE '%desk-token%'"), 2);
	ck_ok(dvc_officer_login_from(db, "le.tiep.nhan", token, &desk));
	ck_dvc(dvc_officer_login_from(db, "le.tiep.nhan", "desk-token-b", &desk), DVC_EAUTH);
	/* the account's password is not the officer's, nor the other way */
	ck_dvc(dvc_officer_login_from(db, "an.nv", "mat-khau-dai", &desk), DVC_EAUTH);
	ck_dvc(dvc_account_login_from(db, "an.nv", "mat-khau-can-bo", &desk), DVC_EAUTH);
	/* a guesser locks itself out, not the officer at the desk, nor the
	 * account of the same name */
	for (int i = 0; i < DVC_LOGIN_MAX_FAILURES; i++)
		ck_dvc(dvc_officer_login_from(db, "an.nv", "doan-mo-mat-khau", &guesser), DVC_EAUTH);
	ck_dvc(dvc_officer_login_from(db, "an.nv", "mat-khau-can-bo", &guesser), DVC_ETHROTTLED);
	ck_ok(dvc_officer_login_from(db, "an.nv", "mat-khau-can-bo", &desk));
	ck_ok(dvc_account_login_from(db, "an.nv", "mat-khau-dai", &guesser));
	/* no credential, no such officer, bad input */
	ck_ok(dvc_officer_add(db, "chua.co", "Chưa Có", "000.00.30.H24", DVC_ROLE_SPECIALIST));
	ck_dvc(dvc_officer_login_from(db, "chua.co", "bat-ky-gi-do", &desk), DVC_EAUTH);
	ck_dvc(dvc_officer_login_from(db, "khong.co", "bat-ky-gi-do", &desk), DVC_EAUTH);
	ck_dvc(dvc_officer_set_secret(db, "khong.co", token), DVC_ENOTFOUND);
	ck_dvc(dvc_officer_set_secret(db, "le.tiep.nhan", "short"), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "secret");
	ck_dvc(dvc_officer_set_secret(db, "Bad Name", token), DVC_EINVAL);
	ck_ok(dvc_officer_login_from(db, "le.tiep.nhan", token, &desk)); /* unchanged */
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {signed_in_session_shared_by_processes, visitors_cost_no_row,
				      sign_in_replaces_and_sign_out_ends, idle_sessions_expire,
				      a_users_oldest_session_goes_nobody_elses,
				      bad_requests_refused_and_store_nothing,
				      officer_credentials_checked_and_throttled, NULL};
	return run_tests("session", setup, teardown, 0, tests);
}
