/* Personal data (Decree 13/2023/NĐ-CP): every officer read of a dossier's
 * personal data through the library is in the access log before the data
 * is read (who, when, which dossier, which view), one row per read; the
 * applicant's own reads and anonymous traffic write nothing; the log is
 * listed for the dossier's applicant, the officer and an admin, and to
 * nobody else. */
#include "testutil.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DESK "000.00.30.H24"
#define P3 "T.000006" /* level 3, fee 30.000 */

static dvc_db *db;

static const dvc_applicant citizen = {
	"Nguyễn Văn An", "031099001234", "1999-05-12", "Thôn 3, xã Thụy Hương, huyện Kiến Thụy",
	"0912345678", "an.nguyen@example.vn"};

static const dvc_actor desk = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
static const dvc_actor specialist = {DVC_ACTOR_OFFICER, "do.chuyen.vien", NULL};
static const dvc_actor admin = {DVC_ACTOR_OFFICER, "quan.tri", NULL};

/* Every store signs its journal, so that erasure is shown to keep the
 * signatures verifying. */
static char keydir[64], keyfile[128], pubkey[DVC_PROOF_KEY_HEX_SIZE];

static void setup(void)
{
	dvc_open_opts o = DVC_OPEN_OPTS_INIT;
	char id[DVC_PROOF_KEY_ID_SIZE];
	snprintf(keydir, sizeof keydir, "/tmp/dvc-privacy-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(keydir));
	snprintf(keyfile, sizeof keyfile, "%s/journal.key", keydir);
	ck_ok(dvc_proof_keygen(keyfile, pubkey, id));
	o.journal_key_file = keyfile;
	ck_ok(dvc_open(&db, fresh_store(), &o)); /* PostgreSQL with DVC_TEST_DB_URI */
	clock_now = instant("2026-03-02T09:00:00+07:00");
	dvc_set_clock(db, test_clock, NULL);
	ck_ok(dvc_catalog_import_file(db, src_path("tests/data/document_catalog.json"), DVC_FORMAT_AUTO, NULL));
	ck_ok(dvc_officer_add(db, "le.tiep.nhan", "Lê Tiếp Nhận", DESK, DVC_ROLE_RECEPTION));
	ck_ok(dvc_officer_add(db, "do.chuyen.vien", "Đỗ Chuyên Viên", "000.08.30.H24", DVC_ROLE_SPECIALIST));
	ck_ok(dvc_officer_add(db, "quan.tri", "Quản Trị", DESK, DVC_ROLE_ADMIN));
	ck_ok(dvc_account_register(db, "an.nguyen", "mat-khau-du-dai-1", &citizen));
	ck_ok(dvc_account_register(db, "binh.tran", "mat-khau-du-dai-2", &tran_thi_binh));
}

static void teardown(void)
{
	dvc_close(db);
	unlink(keyfile);
	rmdir(keydir);
}

typedef struct mem_src {
	const unsigned char *p;
	size_t n, off;
} mem_src;

static int64_t mem_read(void *ctx, void *buf, size_t cap)
{
	mem_src *s = ctx;
	size_t k = s->n - s->off;
	if (k > cap)
		k = cap;
	memcpy(buf, s->p + s->off, k);
	s->off += k;
	return (int64_t)k;
}

static int discard(void *ctx, const void *p, size_t n)
{
	(void)p;
	*(size_t *)ctx += n;
	return 0;
}

typedef struct erased_text {
	char p[4096];
	size_t n;
} erased_text;

static const char tiny_pdf[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
			  "trailer\n<< /Root 1 0 R >>\n%%EOF\n";

/* A received dossier of `account` (NULL: anonymous) with one document. */
static dvc_receipt dossier_with_file(const char *account, int64_t *file_id)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_attach_req q = DVC_ATTACH_INIT;
	dvc_action_req a = DVC_ACTION_INIT;
	dvc_file_info f;
	mem_src src = {(const unsigned char *)tiny_pdf, sizeof tiny_pdf - 1, 0};
	s.procedure = P3;
	s.account = account;
	s.applicant = account ? NULL : &citizen;
	ck_ok(dvc_dossier_submit(db, &s, &r));
	q.actor = account ? (dvc_actor){DVC_ACTOR_ACCOUNT, account, NULL}
			  : (dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, r.secret};
	q.component = 0;
	q.name = "to-khai.pdf";
	q.read = mem_read;
	q.read_ctx = &src;
	q.declared_size = (int64_t)src.n;
	ck_ok(dvc_dossier_attach(db, r.code, &q, &f));
	*file_id = f.id;
	a.action = DVC_ACT_RECEIVE;
	a.actor = desk;
	ck_ok(dvc_dossier_act(db, r.code, &a, NULL));
	return r;
}

static cJSON *access_log(const char *code, const char *officer, const dvc_actor *who, size_t limit)
{
	dvc_access_query q = DVC_ACCESS_QUERY_INIT;
	char *json;
	cJSON *o;
	q.dossier = code;
	q.officer = officer;
	q.limit = limit;
	ck_ok(dvc_access_log_json(db, &q, who, NULL, &json));
	ck_assert_ptr_nonnull(o = cJSON_Parse(json));
	dvc_free(json);
	return o;
}

static int n_entries(const char *code)
{
	cJSON *o = access_log(code, NULL, NULL, 0);
	int n = cJSON_GetArraySize(cJSON_GetObjectItem(o, "entries"));
	cJSON_Delete(o);
	return n;
}

static const char *field(cJSON *log, int i, const char *name)
{
	cJSON *v = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(log, "entries"), i), name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

START_TEST(every_officer_read_is_logged_once_before_it_is_made)
{
	int64_t fid;
	dvc_receipt r = dossier_with_file(NULL, &fid);
	dvc_tracking *t;
	dvc_file_list *l;
	char *doc;
	size_t got = 0, len;
	cJSON *log;
	static const char *const views[] = {"track", "track", "files", "download", "slip"};
	ck_assert_int_eq(n_entries(r.code), 0); /* the receive action is journaled, not logged */
	clock_now += 60;
	ck_ok(dvc_dossier_track(db, r.code, &desk, &t));
	ck_assert_str_eq(t->applicant.full_name, citizen.full_name);
	dvc_tracking_free(t);
	clock_now += 60;
	ck_ok(dvc_dossier_view_json(db, r.code, &specialist, NULL, &doc));
	dvc_free(doc);
	ck_ok(dvc_dossier_files(db, r.code, &desk, &l));
	dvc_file_list_free(l);
	ck_ok(dvc_dossier_download(db, r.code, &desk, fid, discard, &got));
	ck_assert_uint_eq(got, sizeof tiny_pdf - 1);
	ck_ok(dvc_slip_render_for(db, r.code, &desk, NULL, DVC_SLIP_RECEIPT, DVC_SLIP_HTML, &doc, &len));
	dvc_free(doc);

	log = access_log(r.code, NULL, NULL, 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(log, "entries")), 5);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(log, "more")));
	for (int i = 0; i < 5; i++) {
		ck_assert_str_eq(field(log, i, "view"), views[i]);
		ck_assert_str_eq(field(log, i, "dossier"), r.code);
	}
	ck_assert_str_eq(field(log, 0, "officer"), "le.tiep.nhan");
	ck_assert_str_eq(field(log, 0, "officer_name"), "Lê Tiếp Nhận");
	ck_assert_str_eq(field(log, 0, "unit"), DESK);
	ck_assert_str_eq(field(log, 0, "at"), "2026-03-02T09:01:00+07:00");
	ck_assert_ptr_null(field(log, 0, "detail"));
	ck_assert_str_eq(field(log, 1, "officer"), "do.chuyen.vien");
	ck_assert_str_eq(field(log, 1, "at"), "2026-03-02T09:02:00+07:00");
	{
		char want[32];
		snprintf(want, sizeof want, "file %lld", (long long)fid);
		ck_assert_str_eq(field(log, 3, "detail"), want);
	}
	ck_assert_str_eq(field(log, 4, "detail"), "receipt");
	cJSON_Delete(log);

	/* by officer: the specialist's one read */
	log = access_log(NULL, "do.chuyen.vien", NULL, 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(log, "entries")), 1);
	ck_assert_str_eq(field(log, 0, "view"), "track");
	cJSON_Delete(log);

	/* a list with `who` shows each dossier's personal data: one row each */
	{
		dvc_dossier_filter f = DVC_DOSSIER_FILTER_INIT;
		ck_ok(dvc_dossier_list_json(db, &f, &desk, 0, &doc));
		dvc_free(doc);
		ck_assert_int_eq(n_entries(r.code), 6);
	}
	/* a limit says there is more */
	log = access_log(r.code, NULL, NULL, 2);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(log, "entries")), 2);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(log, "more")));
	cJSON_Delete(log);
}
END_TEST

START_TEST(applicants_and_anonymous_traffic_write_nothing)
{
	int64_t fid, fid2;
	dvc_receipt r = dossier_with_file(NULL, &fid), mine = dossier_with_file("an.nguyen", &fid2);
	dvc_actor owner = {DVC_ACTOR_ANONYMOUS, NULL, r.secret};
	dvc_actor wrong = {DVC_ACTOR_ANONYMOUS, NULL, "AAAAAAAAAAAAAAAAAAAA"};
	dvc_actor account = {DVC_ACTOR_ACCOUNT, "an.nguyen", NULL};
	dvc_actor ghost = {DVC_ACTOR_OFFICER, "khong.co", NULL};
	dvc_tracking *t;
	dvc_file_list *l;
	char *doc;
	size_t got = 0, len;
	ck_ok(dvc_dossier_track(db, r.code, &owner, &t));
	dvc_tracking_free(t);
	ck_ok(dvc_dossier_files(db, r.code, &owner, &l));
	dvc_file_list_free(l);
	ck_ok(dvc_dossier_download(db, r.code, &owner, fid, discard, &got));
	ck_ok(dvc_slip_render_for(db, r.code, &owner, NULL, DVC_SLIP_RECEIPT, DVC_SLIP_HTML, &doc, &len));
	dvc_free(doc);
	ck_ok(dvc_dossier_track(db, mine.code, &account, &t));
	dvc_tracking_free(t);
	for (int i = 0; i < 2; i++) { /* 4 failures: under the throttle's 5 */
		ck_dvc(dvc_dossier_track(db, r.code, &wrong, &t), DVC_EAUTH);
		ck_dvc(dvc_slip_render_for(db, r.code, &wrong, NULL, DVC_SLIP_RECEIPT, DVC_SLIP_HTML,
					   &doc, &len), DVC_EAUTH);
	}
	/* an officer the store does not know is refused, and not logged */
	ck_dvc(dvc_dossier_track(db, r.code, &ghost, &t), DVC_ENOTFOUND);
	ck_dvc(dvc_dossier_download(db, r.code, &ghost, fid, discard, &got), DVC_ENOTFOUND);
	ck_assert_int_eq(n_entries(r.code), 0);
	ck_assert_int_eq(n_entries(mine.code), 0);
}
END_TEST

START_TEST(the_log_is_shown_to_the_applicant_the_officer_and_an_admin_only)
{
	int64_t fid, fid2;
	dvc_receipt r = dossier_with_file(NULL, &fid), mine = dossier_with_file("an.nguyen", &fid2);
	dvc_actor owner = {DVC_ACTOR_ANONYMOUS, NULL, r.secret};
	dvc_actor wrong = {DVC_ACTOR_ANONYMOUS, NULL, "AAAAAAAAAAAAAAAAAAAA"};
	dvc_actor account = {DVC_ACTOR_ACCOUNT, "an.nguyen", NULL};
	dvc_actor stranger = {DVC_ACTOR_ACCOUNT, "binh.tran", NULL};
	dvc_access_query q = DVC_ACCESS_QUERY_INIT;
	dvc_tracking *t;
	char *json;
	cJSON *log;
	ck_ok(dvc_dossier_track(db, r.code, &desk, &t));
	dvc_tracking_free(t);
	ck_ok(dvc_dossier_track(db, mine.code, &specialist, &t));
	dvc_tracking_free(t);
	/* the applicant, by code and secret or by account */
	log = access_log(r.code, NULL, &owner, 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(log, "entries")), 1);
	cJSON_Delete(log);
	log = access_log(mine.code, NULL, &account, 0);
	ck_assert_str_eq(field(log, 0, "officer"), "do.chuyen.vien");
	cJSON_Delete(log);
	/* the officer, their own; an admin, anything */
	log = access_log(NULL, "le.tiep.nhan", &desk, 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(log, "entries")), 1);
	cJSON_Delete(log);
	log = access_log(r.code, NULL, &admin, 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(log, "entries")), 1);
	cJSON_Delete(log);
	/* refusals */
	q.dossier = r.code;
	ck_dvc(dvc_access_log_json(db, &q, &wrong, NULL, &json), DVC_EAUTH);
	q.dossier = mine.code;
	ck_dvc(dvc_access_log_json(db, &q, &stranger, NULL, &json), DVC_EPERM);
	ck_dvc(dvc_access_log_json(db, &q, &desk, NULL, &json), DVC_EPERM);
	q.dossier = NULL;
	q.officer = "do.chuyen.vien";
	ck_dvc(dvc_access_log_json(db, &q, &desk, NULL, &json), DVC_EPERM);
	ck_dvc(dvc_access_log_json(db, &q, &account, NULL, &json), DVC_EPERM);
	q.officer = NULL;
	ck_dvc(dvc_access_log_json(db, &q, NULL, NULL, &json), DVC_EINVAL);
	q.officer = "khong.co";
	ck_dvc(dvc_access_log_json(db, &q, NULL, NULL, &json), DVC_ENOTFOUND);
	q.officer = NULL;
	q.dossier = "000.00.30.H24-260302-9999";
	ck_dvc(dvc_access_log_json(db, &q, NULL, NULL, &json), DVC_ENOTFOUND);
	q.dossier = r.code;
	q.from = 10;
	q.to = 5;
	ck_dvc(dvc_access_log_json(db, &q, NULL, NULL, &json), DVC_EINVAL);
	/* listing is not itself logged */
	ck_assert_int_eq(n_entries(r.code), 1);
	ck_assert_str_eq(dvc_access_kind_name(DVC_ACCESS_DOWNLOAD), "download");
	ck_assert_str_eq(dvc_access_kind_name((dvc_access_kind)DVC_ACCESS_KIND_COUNT), "?");
}
END_TEST

/* ---- retention and erasure ---- */

static int act_as(const char *code, dvc_action a, const dvc_actor *who, const char *note)
{
	dvc_action_req q = DVC_ACTION_INIT;
	q.action = a;
	q.actor = *who;
	q.note = note;
	return dvc_dossier_act(db, code, &q, NULL);
}

static char *view_of(const char *code)
{
	char *j;
	dvc_actor owner = {DVC_ACTOR_ACCOUNT, "an.nguyen", NULL};
	ck_ok(dvc_dossier_view_json(db, code, &owner, NULL, &j));
	return j;
}

static void line(erased_text *b, const char *name, const char *v)
{
	char head[64];
	if (v)
		snprintf(head, sizeof head, "%s\t%zu\t", name, strlen(v));
	else
		snprintf(head, sizeof head, "%s\t-\t", name);
	b->n += (size_t)snprintf(b->p + b->n, sizeof b->p - b->n, "%s%s\n", head, v ? v : "");
}

START_TEST(closed_dossiers_past_retention_are_erased_and_still_verify)
{
	int64_t fid, shared;
	dvc_receipt r = dossier_with_file("an.nguyen", &fid), keep = dossier_with_file(NULL, &shared);
	dvc_actor owner = {DVC_ACTOR_ACCOUNT, "an.nguyen", NULL};
	dvc_tracking *t;
	dvc_file_list *l;
	char digest[DVC_HASH_HEX_SIZE], *before, *after, *bundle;
	size_t got = 0;
	erased_text want = {{0}, 0};
	unsigned char sha[32];
	char hex[65], fileline[128];
	const dvc_file_info *f;

	/* open: refused, nothing changed */
	before = view_of(r.code);
	ck_dvc(dvc_dossier_erase_personal(db, r.code, &admin, NULL), DVC_ETRANSITION);
	after = view_of(r.code);
	ck_assert_str_eq(before, after);
	dvc_free(after);
	dvc_free(before);

	/* withdrawn today: inside retention */
	ck_ok(act_as(r.code, DVC_ACT_WITHDRAW, &owner, "Không cần nữa"));
	before = view_of(r.code);
	ck_dvc(dvc_dossier_erase_personal(db, r.code, &admin, NULL), DVC_ERETAINED);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "kept until 2036-02-28"));
	ck_dvc(dvc_privacy_set_retention(db, 0), DVC_ERANGE);
	ck_dvc(dvc_privacy_set_retention(db, DVC_RETENTION_DAYS_MAX + 1), DVC_ERANGE);
	ck_assert_int_eq(dvc_privacy_retention(db), DVC_RETENTION_DAYS_DEFAULT);
	ck_ok(dvc_privacy_set_retention(db, 30));
	clock_now += 29 * 86400;
	ck_dvc(dvc_dossier_erase_personal(db, r.code, &admin, NULL), DVC_ERETAINED);
	clock_now += 86400;
	/* only an admin */
	ck_dvc(dvc_dossier_erase_personal(db, r.code, &desk, NULL), DVC_EPERM);
	ck_dvc(dvc_dossier_erase_personal(db, r.code, &owner, NULL), DVC_EPERM);
	after = view_of(r.code);
	ck_assert_str_eq(before, after);
	dvc_free(after);
	dvc_free(before);

	/* the digest the library must journal, computed here from what it holds */
	ck_ok(dvc_dossier_track(db, r.code, &owner, &t));
	ck_ok(dvc_dossier_files(db, r.code, &owner, &l));
	want.n = (size_t)snprintf(want.p, sizeof want.p, "dvc-erasure\t1\n");
	line(&want, "code", r.code);
	line(&want, "full_name", t->applicant.full_name);
	line(&want, "citizen_id", t->applicant.citizen_id);
	line(&want, "birth_date", t->applicant.birth_date);
	line(&want, "address", t->applicant.address);
	line(&want, "phone", t->applicant.phone);
	line(&want, "email", t->applicant.email);
	line(&want, "form_data", t->form_data);
	f = dvc_file_list_at(l, 0);
	snprintf(fileline, sizeof fileline, "%lld %s", (long long)f->id, f->sha256);
	line(&want, "file", fileline);
	line(&want, "file_name", f->name);
	line(&want, "rating_comment", NULL);
	ck_assert_uint_eq(dvc_file_list_count(l), 1);
	dvc_file_list_free(l);
	dvc_tracking_free(t);
	crypto_hash_sha256(sha, (const unsigned char *)want.p, want.n);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", sha[i]);

	ck_ok(dvc_dossier_erase_personal(db, r.code, &admin, digest));
	ck_assert_str_eq(digest, hex);
	ck_ok(dvc_dossier_track(db, r.code, &owner, &t));
	ck_assert_str_eq(t->applicant.full_name, "");
	ck_assert_str_eq(t->applicant.citizen_id, "");
	ck_assert_ptr_null(t->applicant.phone);
	ck_assert_ptr_null(t->form_data);
	ck_assert_int_eq(t->state, DVC_STATE_WITHDRAWN);
	ck_assert_int_eq(t->history[t->n_history - 1].action, DVC_ACT_ERASE);
	ck_assert_str_eq(t->history[t->n_history - 1].payload_digest, hex);
	ck_assert_str_eq(t->history[t->n_history - 1].actor, "officer:quan.tri");
	dvc_tracking_free(t);
	ck_ok(dvc_dossier_files(db, r.code, &owner, &l));
	ck_assert_str_eq(dvc_file_list_at(l, 0)->name, DVC_ERASED_NAME);
	dvc_file_list_free(l);
	ck_dvc(dvc_dossier_download(db, r.code, &owner, fid, discard, &got), DVC_ENOTFOUND);
	/* the same content in another dossier is that dossier's: kept */
	ck_ok(dvc_dossier_download(db, keep.code, &admin, shared, discard, &got));
	ck_assert_uint_eq(got, sizeof tiny_pdf - 1);
	/* the journal, its signatures and the proof bundle still verify */
	ck_ok(dvc_dossier_verify(db, NULL, NULL));
	ck_ok(dvc_proof_export(db, r.code, &bundle));
	{
		dvc_proof_verify_opts o = DVC_PROOF_VERIFY_OPTS_INIT;
		dvc_journal_report rep = DVC_JOURNAL_REPORT_INIT;
		o.trusted_keys = pubkey;
		o.require_signed = 1;
		ck_ok(dvc_proof_verify(bundle, strlen(bundle), &o, &rep));
		ck_assert_uint_eq(rep.dossiers, 1);
		ck_assert_uint_eq(rep.signed_entries, rep.entries);
	}
	dvc_free(bundle);
	/* once only */
	ck_dvc(dvc_dossier_erase_personal(db, r.code, &admin, NULL), DVC_ETRANSITION);
	ck_assert_int_eq(DVC_ERETAINED, -34);
	ck_assert_str_eq(dvc_status_name(DVC_ERETAINED), "DVC_ERETAINED");
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		every_officer_read_is_logged_once_before_it_is_made,
		applicants_and_anonymous_traffic_write_nothing,
		the_log_is_shown_to_the_applicant_the_officer_and_an_admin_only,
		closed_dossiers_past_retention_are_erased_and_still_verify, NULL};
	return run_tests("privacy", setup, teardown, 0, tests);
}
