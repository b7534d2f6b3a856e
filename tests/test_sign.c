/* Signed electronic results and slips: the signing leader's result wrapped
 * and signed with XML-DSig, journaled with its digest and the certificate's
 * fingerprint, downloaded by code + secret and from the account's data
 * store; the independent `xmlsec1 --verify` accepts it and refuses it after
 * one changed byte; no key, a wrong key or the wrong signer store nothing;
 * an online return needs the signed result. */
#include "testutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DESK "000.00.30.H24"
#define P4 "T.000005" /* full online, fee 50.000 */

static dvc_db *db;
static char db_path[64];
static char store[4096]; /* what dvc_open was given: db_path, or a PostgreSQL store */
static char key[512], cert[512], other_key[512], other_cert[512];

static void setup(void)
{
	dvc_applicant citizen = {"Nguyễn Văn An", "031099001234", "1999-05-12",
				 "Thôn 3, xã Thụy Hương, huyện Kiến Thụy", "0912345678", NULL};
	temp_store(db_path, sizeof db_path, "/tmp/dvc-sign-XXXXXX", store, sizeof store);
	ck_ok(dvc_open(&db, store, NULL));
	clock_now = instant("2026-12-02T09:00:00+07:00");
	document_store_init(db, &citizen);
	snprintf(key, sizeof key, "%s", src_path("data/demo-keys/demo-signing-key.pem"));
	snprintf(cert, sizeof cert, "%s", src_path("data/demo-keys/demo-signing-cert.pem"));
	snprintf(other_key, sizeof other_key, "%s", src_path("tests/data/other-signing-key.pem"));
	snprintf(other_cert, sizeof other_cert, "%s", src_path("tests/data/other-signing-cert.pem"));
}

static void teardown(void)
{
	dvc_close(db);
	temp_store_remove(db_path);
}

static dvc_actor officer(const char *name) { return (dvc_actor){DVC_ACTOR_OFFICER, name, NULL}; }
static int act(const char *code, dvc_action a, const char *who, dvc_delivery delivery)
{
	return officer_act(db, code, a, who, NULL, delivery);
}
static dvc_actor acct(const char *name) { return (dvc_actor){DVC_ACTOR_ACCOUNT, name, NULL}; }

static int attach(const char *code, dvc_actor who, int component, const char *name,
		  const unsigned char *p, size_t n, dvc_file_form form)
{
	dvc_attach_req q = DVC_ATTACH_INIT;
	dvc_mem_reader src = {p, n, 0};
	q.actor = who;
	q.component = component;
	q.name = name;
	q.form = form;
	q.read = dvc_mem_read;
	q.read_ctx = &src;
	q.declared_size = (int64_t)n;
	return dvc_dossier_attach(db, code, &q, NULL);
}

/* An online dossier (of the account, or anonymous with a tracking secret
 * when account is NULL), with every component, at the signing leader's step. */
static dvc_receipt at_signing_step(const char *account)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_actor me;
	unsigned char *a = pdf(5000, 'a');
	s.procedure = P4;
	s.account = account;
	s.applicant = account ? NULL : &tran_thi_binh;
	s.channel = DVC_CHANNEL_ONLINE;
	ck_ok(dvc_dossier_submit(db, &s, &r));
	me = account ? acct(account) : (dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, r.secret};
	for (int i = 0; i < 3; i++)
		ck_ok(attach(r.code, me, i, "giay-to.pdf", a, 5000, DVC_FILE_ORIGINAL));
	free(a);
	ck_ok(act(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan", 0));
	ck_ok(act(r.code, DVC_ACT_FORWARD, "le.tiep.nhan", 0));
	ck_ok(act(r.code, DVC_ACT_FORWARD, "do.chuyen.vien", 0));
	return r;
}

/* Exit status of the independent verifier on `xml`, or -1 when it is not installed. */
static int xmlsec1_verify(const unsigned char *xml, size_t n, const char *trusted)
{
	const char *tool = getenv("XMLSEC1");
	char path[64], cmd[1400];
	FILE *f;
	int fd, st;
	if (!tool || !*tool)
		return -1;
	snprintf(path, sizeof path, "/tmp/dvc-signed-XXXXXX");
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(f = fdopen(fd, "wb"));
	ck_assert_uint_eq(fwrite(xml, 1, n, f), n);
	fclose(f);
	snprintf(cmd, sizeof cmd, "'%s' --verify --trusted-pem '%s' '%s' >/dev/null 2>&1", tool,
		 trusted, path);
	st = system(cmd);
	unlink(path);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void sha_hex(const unsigned char *p, size_t n, char out[65])
{
	unsigned char d[32];
	crypto_hash_sha256(d, p, n);
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

START_TEST(signed_result_verifies_and_a_changed_byte_fails)
{
	dvc_receipt r = at_signing_step(NULL);
	dvc_sign_opts o = DVC_SIGN_OPTS_INIT;
	dvc_actor leader = officer("hoang.lanh.dao"), anon = {DVC_ACTOR_ANONYMOUS, NULL, r.secret};
	unsigned char *result = pdf(70000, 'k'), *decoded, *copy;
	dvc_file_info fi;
	dvc_tracking *t;
	mem_sink by_secret = {NULL, 0, 0};
	char fp[DVC_CERT_FINGERPRINT_SIZE], got_fp[DVC_CERT_FINGERPRINT_SIZE], want[65], *b, *e;
	size_t dn;
	int st;

	ck_ok(attach(r.code, leader, DVC_FILE_RESULT, "quyet-dinh.pdf", result, 70000, DVC_FILE_ORIGINAL));
	o.key_file = key;
	o.cert_file = cert;
	ck_ok(dvc_dossier_sign_result(db, r.code, &leader, &o, &fi));
	ck_assert_int_eq(fi.component, DVC_FILE_RESULT);
	ck_assert_int_eq(fi.form, DVC_FILE_ECOPY);
	ck_assert_str_eq(fi.media_type, "application/xml");
	ck_dvc(dvc_dossier_sign_result(db, r.code, &leader, &o, NULL), DVC_EEXISTS);

	/* the applicant downloads it by code + secret */
	ck_ok(dvc_dossier_download(db, r.code, &anon, fi.id, mem_write, &by_secret));
	ck_assert_int_eq((int64_t)by_secret.n, fi.size);
	copy = malloc(by_secret.n);
	memcpy(copy, by_secret.p, by_secret.n);

	/* the envelope carries the result byte for byte */
	ck_assert_ptr_nonnull(b = strstr((char *)by_secret.p, "<noiDung encoding=\"base64\">"));
	b += strlen("<noiDung encoding=\"base64\">");
	ck_assert_ptr_nonnull(e = strchr(b, '<'));
	decoded = malloc(70000);
	ck_assert_int_eq(sodium_base642bin(decoded, 70000, b, (size_t)(e - b), "\n", &dn, NULL,
					   sodium_base64_VARIANT_ORIGINAL), 0);
	ck_assert_uint_eq(dn, 70000);
	ck_assert(memcmp(decoded, result, 70000) == 0);
	free(decoded);
	ck_assert_ptr_nonnull(strstr((char *)by_secret.p, "<maHoSo>"));
	ck_assert_ptr_nonnull(strstr((char *)by_secret.p, r.code));

	/* the library's verifier and the independent one accept it */
	ck_ok(dvc_cert_fingerprint(cert, fp));
	ck_ok(dvc_sign_verify((char *)by_secret.p, by_secret.n, cert, got_fp));
	ck_assert_str_eq(got_fp, fp);
	st = xmlsec1_verify(by_secret.p, by_secret.n, cert);
	if (st >= 0)
		ck_assert_int_eq(st, 0);
	/* a signer the trusted certificate does not vouch for */
	ck_dvc(dvc_sign_verify((char *)by_secret.p, by_secret.n, other_cert, NULL), DVC_ESIGNATURE);
	if (st >= 0)
		ck_assert_int_ne(xmlsec1_verify(by_secret.p, by_secret.n, other_cert), 0);
	/* one changed byte, in the embedded result and in the dossier code */
	b[100] = b[100] == 'A' ? 'B' : 'A';
	ck_dvc(dvc_sign_verify((char *)by_secret.p, by_secret.n, cert, NULL), DVC_ESIGNATURE);
	if (st >= 0)
		ck_assert_int_ne(xmlsec1_verify(by_secret.p, by_secret.n, cert), 0);
	memcpy(by_secret.p, copy, by_secret.n);
	b = strstr((char *)by_secret.p, "<maHoSo>") + strlen("<maHoSo>");
	b[0] = b[0] == '0' ? '1' : '0';
	ck_dvc(dvc_sign_verify((char *)by_secret.p, by_secret.n, cert, NULL), DVC_ESIGNATURE);
	if (st >= 0)
		ck_assert_int_ne(xmlsec1_verify(by_secret.p, by_secret.n, cert), 0);

	/* the journal: the signed file's digest, the certificate's fingerprint */
	sha_hex(copy, by_secret.n, want);
	ck_ok(dvc_dossier_track(db, r.code, &anon, &t));
	ck_assert_int_eq(t->history[t->n_history - 1].action, DVC_ACT_SIGN);
	ck_assert_str_eq(t->history[t->n_history - 1].payload_digest, want);
	ck_assert_ptr_nonnull(strstr(t->history[t->n_history - 1].note, fp));
	ck_assert_ptr_nonnull(strstr(t->history[t->n_history - 1].note, "DEMO KEY"));
	dvc_tracking_free(t);
	ck_ok(dvc_dossier_verify(db, r.code, NULL));

	/* returned online: only once paid */
	ck_ok(act(r.code, DVC_ACT_FORWARD, "hoang.lanh.dao", 0));
	ck_dvc(act(r.code, DVC_ACT_RETURN, "le.tiep.nhan", DVC_DELIVERY_ONLINE), DVC_ETRANSITION);
	{
		dvc_counter_payment cp = DVC_COUNTER_PAYMENT_INIT;
		cp.officer = "le.tiep.nhan";
		cp.receipt_no = "BL-0007";
		cp.amount = 50000;
		ck_ok(dvc_payment_counter(db, r.code, &cp));
	}
	ck_ok(act(r.code, DVC_ACT_RETURN, "le.tiep.nhan", DVC_DELIVERY_ONLINE));
	free(by_secret.p);
	free(copy);
	free(result);
}
END_TEST

START_TEST(the_account_keeps_its_signed_result)
{
	dvc_receipt r = at_signing_step("an.nguyen");
	dvc_sign_opts o = DVC_SIGN_OPTS_INIT;
	dvc_actor leader = officer("hoang.lanh.dao"), me = acct("an.nguyen");
	unsigned char *result = pdf(9000, 'z');
	dvc_file_info fi;
	dvc_file_list *l;
	mem_sink by_dossier = {NULL, 0, 0}, by_store = {NULL, 0, 0};
	int64_t stored = 0;
	o.key_file = key;
	o.cert_file = cert;
	ck_ok(attach(r.code, leader, DVC_FILE_RESULT, "giay-phep.pdf", result, 9000, DVC_FILE_ORIGINAL));
	ck_ok(dvc_dossier_sign_result(db, r.code, &leader, &o, &fi));
	ck_ok(dvc_dossier_download(db, r.code, &me, fi.id, mem_write, &by_dossier));
	ck_ok(dvc_account_files(db, "an.nguyen", &l));
	for (size_t i = 0; i < dvc_file_list_count(l); i++)
		if (dvc_file_list_at(l, i)->component == DVC_FILE_RESULT) {
			ck_assert_str_eq(dvc_file_list_at(l, i)->sha256, fi.sha256);
			ck_assert_int_eq(dvc_file_list_at(l, i)->form, DVC_FILE_ECOPY);
			stored = dvc_file_list_at(l, i)->id;
		}
	dvc_file_list_free(l);
	ck_assert_int_gt(stored, 0);
	ck_ok(dvc_account_download(db, "an.nguyen", stored, mem_write, &by_store));
	ck_assert_uint_eq(by_store.n, by_dossier.n);
	ck_assert(memcmp(by_store.p, by_dossier.p, by_dossier.n) == 0);
	ck_ok(dvc_sign_verify((char *)by_store.p, by_store.n, cert, NULL));
	/* the leader replaces the result: the new one is signed, the old envelope superseded */
	{
		dvc_attach_req q = DVC_ATTACH_INIT;
		dvc_mem_reader src = {result, 8000, 0};
		q.actor = leader;
		q.component = DVC_FILE_RESULT;
		q.name = "giay-phep-sua.pdf";
		q.mode = DVC_ATTACH_REPLACE;
		q.replaces = fi.id - 1;
		q.read = dvc_mem_read;
		q.read_ctx = &src;
		ck_ok(dvc_dossier_attach(db, r.code, &q, NULL));
	}
	/* the old envelope wraps the old result: not returnable online until signed again */
	ck_ok(act(r.code, DVC_ACT_FORWARD, "hoang.lanh.dao", 0));
	{
		dvc_counter_payment cp = DVC_COUNTER_PAYMENT_INIT;
		cp.officer = "le.tiep.nhan";
		cp.receipt_no = "BL-0009";
		cp.amount = 50000;
		ck_ok(dvc_payment_counter(db, r.code, &cp));
	}
	ck_dvc(act(r.code, DVC_ACT_RETURN, "le.tiep.nhan", DVC_DELIVERY_ONLINE), DVC_EINCOMPLETE);
	/* and the leader no longer signs once the result went to the desk */
	ck_dvc(dvc_dossier_sign_result(db, r.code, &leader, &o, NULL), DVC_ETRANSITION);
	free(by_dossier.p);
	free(by_store.p);
	free(result);
}
END_TEST

/* 1 when `needle` is anywhere in the store: on SQLite in the bytes of the
 * file and its WAL (freed pages too); on PostgreSQL in any text or bytea
 * value of any table of the store's schema (the server's files compress). */
static int db_contains(const char *needle)
{
	size_t n, k = strlen(needle);
	char *all, p[96];
	int found = 0;
	if (store_is_pg(store)) {
		char sql[1024];
		ck_assert_ptr_null(strchr(needle, '\''));
		snprintf(sql, sizeof sql,
			 "SELECT count(*) FROM information_schema.columns c"
			 " WHERE c.table_schema = current_schema() AND c.data_type IN ('bytea', 'text', 'character varying')"
			 " AND (xpath('/row/n/text()', query_to_xml(format("
			 "'SELECT count(*) AS n FROM %%I WHERE position(convert_to(%%L, ''UTF8'') IN %%s) > 0',"
			 " c.table_name, '%s', CASE WHEN c.data_type = 'bytea' THEN quote_ident(c.column_name)"
			 " ELSE format('convert_to(%%I, ''UTF8'')', c.column_name) END), false, true, '')))[1]::text::int > 0",
			 needle);
		return store_value(store, sql) > 0;
	}
	all = slurp(db_path, &n);
	for (size_t i = 0; i + k <= n && !found; i++)
		found = memcmp(all + i, needle, k) == 0;
	free(all);
	snprintf(p, sizeof p, "%s-wal", db_path);
	if (!found && access(p, F_OK) == 0) {
		all = slurp(p, &n);
		for (size_t i = 0; i + k <= n && !found; i++)
			found = memcmp(all + i, needle, k) == 0;
		free(all);
	}
	return found;
}

START_TEST(no_key_wrong_key_or_wrong_signer_store_nothing)
{
	dvc_receipt r = at_signing_step("an.nguyen");
	dvc_sign_opts o = DVC_SIGN_OPTS_INIT;
	dvc_actor leader = officer("hoang.lanh.dao");
	unsigned char *result = pdf(3000, 'q');
	size_t files, hist, klen;
	char *pem, line[65];

	/* nothing attached yet */
	o.key_file = key;
	o.cert_file = cert;
	ck_dvc(dvc_dossier_sign_result(db, r.code, &leader, &o, NULL), DVC_ENOTFOUND);
	o = (dvc_sign_opts)DVC_SIGN_OPTS_INIT;
	ck_ok(attach(r.code, leader, DVC_FILE_RESULT, "quyet-dinh.pdf", result, 3000, DVC_FILE_ORIGINAL));
	/* a signed copy is made by the library, not uploaded */
	ck_dvc(attach(r.code, leader, DVC_FILE_RESULT, "ky-so.xml", result, 3000, DVC_FILE_ECOPY), DVC_EINVAL);
	files = file_count(db, r.code);
	hist = history_count(db, r.code);
	/* no key: a clear error */
	ck_dvc(dvc_dossier_sign_result(db, r.code, &leader, NULL, NULL), DVC_EINVAL);
	ck_dvc(dvc_dossier_sign_result(db, r.code, &leader, &o, NULL), DVC_EINVAL);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "no signing key"));
	o.key_file = "/nonexistent/key.pem";
	o.cert_file = cert;
	ck_dvc(dvc_dossier_sign_result(db, r.code, &leader, &o, NULL), DVC_EIO);
	/* a certificate given as the key */
	o.key_file = cert;
	ck_dvc(dvc_dossier_sign_result(db, r.code, &leader, &o, NULL), DVC_EIO);
	/* a key that does not belong to the certificate */
	o.key_file = other_key;
	ck_dvc(dvc_dossier_sign_result(db, r.code, &leader, &o, NULL), DVC_ESIGNATURE);
	/* not the signing leader */
	o.key_file = key;
	ck_dvc(dvc_dossier_sign_result(db, r.code, &(dvc_actor){DVC_ACTOR_OFFICER, "do.chuyen.vien", NULL},
					&o, NULL), DVC_EPERM);
	ck_dvc(dvc_dossier_sign_result(db, r.code, &(dvc_actor){DVC_ACTOR_ACCOUNT, "an.nguyen", NULL},
					&o, NULL), DVC_EPERM);
	ck_assert_uint_eq(file_count(db, r.code), files);
	ck_assert_uint_eq(history_count(db, r.code), hist);
	/* no online return without the signed result, paid or not */
	ck_ok(act(r.code, DVC_ACT_FORWARD, "hoang.lanh.dao", 0));
	{
		dvc_counter_payment cp = DVC_COUNTER_PAYMENT_INIT;
		cp.officer = "le.tiep.nhan";
		cp.receipt_no = "BL-0008";
		cp.amount = 50000;
		ck_ok(dvc_payment_counter(db, r.code, &cp));
	}
	ck_dvc(act(r.code, DVC_ACT_RETURN, "le.tiep.nhan", DVC_DELIVERY_ONLINE), DVC_EINCOMPLETE);
	/* after signing: the key never reached the store */
	pem = slurp(key, &klen);
	ck_assert_ptr_nonnull(strstr(pem, "\n"));
	memcpy(line, strchr(pem, '\n') + 1, 64);
	line[64] = '\0';
	free(pem);
	ck_assert(db_contains("quyet-dinh.pdf")); /* the search finds a name, */
	ck_assert(db_contains("%PDF-1.4")); /* and a stored file's bytes */
	ck_assert(!db_contains("PRIVATE KEY"));
	ck_assert(!db_contains(line));
	free(result);
}
END_TEST

START_TEST(signed_receipt_slip)
{
	dvc_receipt r = at_signing_step("an.nguyen");
	dvc_sign_opts o = DVC_SIGN_OPTS_INIT;
	char *xml = NULL, *plain;
	size_t n = 0;
	int st;
	ck_dvc(dvc_slip_render_signed(db, r.code, DVC_SLIP_RECEIPT, &o, &xml, &n), DVC_EINVAL);
	ck_assert_ptr_null(xml);
	o.key_file = key;
	o.cert_file = cert;
	ck_ok(dvc_slip_render_signed(db, r.code, DVC_SLIP_RECEIPT, &o, &xml, &n));
	ck_ok(dvc_slip_render(db, r.code, DVC_SLIP_RECEIPT, DVC_SLIP_XML, &plain, NULL));
	/* the slip's fields are all there, the signature appended */
	ck_assert_ptr_nonnull(strstr(xml, "giay-to.pdf"));
	ck_assert_ptr_nonnull(strstr(xml, "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">"));
	ck_ok(dvc_sign_verify(xml, n, cert, NULL));
	st = xmlsec1_verify((unsigned char *)xml, n, cert);
	if (st >= 0)
		ck_assert_int_eq(st, 0);
	dvc_free(plain);
	dvc_free(xml);
	ck_dvc(dvc_slip_render_signed(db, r.code, DVC_SLIP_REFUSAL, &o, &xml, &n), DVC_ETRANSITION);
}
END_TEST

START_TEST(verify_refuses_what_we_never_sign)
{
	dvc_sign_opts o = DVC_SIGN_OPTS_INIT;
	const char *doc = "<a><b>một</b></a>";
	char *s;
	size_t n;
	o.key_file = key;
	o.cert_file = cert;
	ck_dvc(dvc_sign_verify(doc, strlen(doc), cert, NULL), DVC_ESIGNATURE);
	ck_dvc(dvc_sign_verify("<a>", 3, cert, NULL), DVC_EPARSE);
	ck_dvc(dvc_sign_xml("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", 40, &o, &s, &n), DVC_EPARSE);
	ck_ok(dvc_sign_xml(doc, strlen(doc), &o, &s, &n));
	ck_ok(dvc_sign_verify(s, n, cert, NULL));
	ck_dvc(dvc_sign_verify(s, n, "/nonexistent.pem", NULL), DVC_EIO);
	/* a signature moved under another element no longer covers "the document" */
	{
		char *moved = malloc(n + 16), *sig = strstr(s, "<Signature"), *end = strstr(s, "</a>");
		ck_assert_ptr_nonnull(sig);
		ck_assert_ptr_nonnull(end);
		/* <a><b>một</b><ds:Signature.../></a> -> <a><b>một<ds:Signature.../></b></a> */
		{
			char *close_b = strstr(s, "</b>");
			size_t pre = (size_t)(close_b - s), siglen = (size_t)(end - sig);
			memcpy(moved, s, pre);
			memcpy(moved + pre, sig, siglen);
			memcpy(moved + pre + siglen, "</b></a>", 9);
			ck_dvc(dvc_sign_verify(moved, strlen(moved), cert, NULL), DVC_ESIGNATURE);
		}
		free(moved);
	}
	dvc_free(s);
}
END_TEST

/* The envelope names its signer "Full Name (username)" and the journal
 * quotes the result's file name, each at its longest, whole: a 200-byte
 * Vietnamese name (DVC_FULL_NAME_MAX), a 64-byte username and a 255-byte
 * file name (DVC_FILE_NAME_MAX) are never cut. */
START_TEST(the_longest_signer_and_file_names_are_signed_whole)
{
	dvc_receipt r = at_signing_step(NULL);
	dvc_sign_opts o = DVC_SIGN_OPTS_INIT;
	dvc_actor anon = {DVC_ACTOR_ANONYMOUS, NULL, r.secret}, leader;
	unsigned char *result = pdf(3000, 'q');
	char full[DVC_FULL_NAME_MAX + 1] = "", user[DVC_USERNAME_MAX + 1], fname[DVC_FILE_NAME_MAX + 1];
	char want[DVC_FULL_NAME_MAX + DVC_USERNAME_MAX + 32];
	mem_sink xml = {NULL, 0, 0};
	dvc_file_info fi;
	dvc_tracking *t;

	for (int i = 0; i < 33; i++)
		strcat(full, "Đỗ "); /* 6 bytes each */
	strcat(full, "An");
	ck_assert_uint_eq(strlen(full), DVC_FULL_NAME_MAX);
	memset(user, 'x', DVC_USERNAME_MAX);
	memcpy(user, "lanh.dao.", 9);
	user[DVC_USERNAME_MAX] = '\0';
	strcpy(fname, "a");
	for (int i = 0; i < 125; i++)
		strcat(fname, "đ"); /* 2 bytes each */
	strcat(fname, ".pdf");
	ck_assert_uint_eq(strlen(fname), DVC_FILE_NAME_MAX);
	ck_ok(dvc_officer_add(db, user, full, DESK, DVC_ROLE_SIGNING_LEADER));
	leader = officer(user);
	/* one byte past the limit is refused when the officer is added */
	snprintf(want, sizeof want, "%sn", full);
	ck_dvc(dvc_officer_add(db, "qua.dai", want, DESK, DVC_ROLE_SIGNING_LEADER), DVC_ETOOBIG);

	ck_ok(attach(r.code, leader, DVC_FILE_RESULT, fname, result, 3000, DVC_FILE_ORIGINAL));
	o.key_file = key;
	o.cert_file = cert;
	ck_ok(dvc_dossier_sign_result(db, r.code, &leader, &o, &fi));
	ck_ok(dvc_dossier_download(db, r.code, &anon, fi.id, mem_write, &xml));
	snprintf(want, sizeof want, "<nguoiKy>%s (%s)</nguoiKy>", full, user);
	ck_assert_ptr_nonnull(strstr((char *)xml.p, want));
	ck_assert_ptr_nonnull(strstr((char *)xml.p, fname));
	ck_ok(dvc_sign_verify((char *)xml.p, xml.n, cert, NULL));
	ck_ok(dvc_dossier_track(db, r.code, &anon, &t));
	ck_assert_int_eq(t->history[t->n_history - 1].action, DVC_ACT_SIGN);
	ck_assert_ptr_nonnull(strstr(t->history[t->n_history - 1].note, fname));
	dvc_tracking_free(t);
	free(xml.p);
	free(result);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		signed_result_verifies_and_a_changed_byte_fails,
		the_account_keeps_its_signed_result,
		the_longest_signer_and_file_names_are_signed_whole,
		no_key_wrong_key_or_wrong_signer_store_nothing, signed_receipt_slip,
		verify_refuses_what_we_never_sign, NULL};
	return run_tests("sign", setup, teardown, 120, tests);
}
