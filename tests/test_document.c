/* Dossier documents: components received as files, streamed in and out,
 * content-addressed, typed by content, limited per procedure, journaled;
 * receipt blocked while a required component is missing; the account's data
 * store reused by its owner only; counter payments and the fee-before-result
 * rule. */
#include "testutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DESK "000.00.30.H24"
#define P4 "T.000005" /* full online, fee 50.000 */
#define P3 "T.000006" /* level 3, fee 30.000 */

static dvc_db *db;
static char db_path[64];
static char store[4096]; /* what dvc_open was given: db_path, or a PostgreSQL store */

static const dvc_applicant citizen = {
	"Nguyễn Văn An", "031099001234", "1999-05-12", "Thôn 3, xã Thụy Hương, huyện Kiến Thụy",
	"0912345678", "an.nguyen@example.vn"};

static void setup(void)
{
	dvc_procedure_policy pol = DVC_PROCEDURE_POLICY_INIT;
	temp_store(db_path, sizeof db_path, "/tmp/dvc-doc-XXXXXX", store, sizeof store);
	ck_ok(dvc_open(&db, store, NULL));
	clock_now = instant("2026-03-02T09:00:00+07:00");
	document_store_init(db, &citizen);
	ck_ok(dvc_account_register(db, "binh.tran", "mat-khau-du-dai-2", &tran_thi_binh));
	pol.require_files = 1;
	pol.pay_before_return = 1;
	ck_ok(dvc_procedure_policy_set(db, P3, &pol));
}

static void teardown(void)
{
	dvc_close(db);
	temp_store_remove(db_path);
}

/* ---- content sources ---- */

typedef struct mem_src {
	const unsigned char *p;
	size_t n, off, step;
	int fail_at; /* return -1 once off reaches this (if > 0) */
} mem_src;

static int64_t mem_read(void *ctx, void *buf, size_t cap)
{
	mem_src *s = ctx;
	size_t k = s->n - s->off;
	if (s->fail_at > 0 && s->off >= (size_t)s->fail_at)
		return -1;
	if (k > cap)
		k = cap;
	if (s->step && k > s->step)
		k = s->step; /* short reads, as a socket gives them */
	memcpy(buf, s->p + s->off, k);
	s->off += k;
	return (int64_t)k;
}

/* A PDF header, then zeros, up to `total` bytes: a 2 GB upload without 2 GB. */
typedef struct zero_src {
	int64_t total, sent;
} zero_src;

static int64_t zero_read(void *ctx, void *buf, size_t cap)
{
	static const char head[] = "%PDF-1.4\n";
	zero_src *z = ctx;
	size_t k = (int64_t)cap < z->total - z->sent ? cap : (size_t)(z->total - z->sent);
	memset(buf, 0, k);
	if (z->sent == 0 && k >= sizeof head - 1)
		memcpy(buf, head, sizeof head - 1);
	z->sent += (int64_t)k;
	return (int64_t)k;
}

static const unsigned char png[] = {
	0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
	0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xde};

/* ---- helpers ---- */

static dvc_receipt submit(const char *proc, const char *account, dvc_channel ch)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT;
	s.procedure = proc;
	s.account = account;
	s.applicant = account ? NULL : &citizen;
	s.channel = ch;
	if (ch == DVC_CHANNEL_COUNTER)
		s.officer = "le.tiep.nhan";
	ck_ok(dvc_dossier_submit(db, &s, &r));
	return r;
}

static dvc_actor anon(const dvc_receipt *r) { return (dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, r->secret}; }
static dvc_actor acct(const char *name) { return (dvc_actor){DVC_ACTOR_ACCOUNT, name, NULL}; }
static dvc_actor officer(const char *name) { return (dvc_actor){DVC_ACTOR_OFFICER, name, NULL}; }
static int act(const char *code, dvc_action a, const char *who, dvc_delivery delivery)
{
	return officer_act(db, code, a, who, NULL, delivery);
}

static int attach_mem(const char *code, dvc_actor who, int component, const char *name,
		      const unsigned char *p, size_t n, dvc_file_info *out)
{
	dvc_attach_req q = DVC_ATTACH_INIT;
	mem_src src = {p, n, 0, 1000, 0};
	q.actor = who;
	q.component = component;
	q.name = name;
	q.read = mem_read;
	q.read_ctx = &src;
	q.declared_size = (int64_t)n;
	return dvc_dossier_attach(db, code, &q, out);
}

static void hex(const unsigned char *b, char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

START_TEST(receipt_waits_for_every_component_then_lists_what_came)
{
	dvc_receipt r = submit(P4, NULL, DVC_CHANNEL_ONLINE);
	dvc_actor me = anon(&r);
	unsigned char *a = pdf(150000, 'a'), digest[32];
	char want[65];
	dvc_file_info fi;
	dvc_missing *m;
	mem_sink out = {NULL, 0, 0};
	dvc_tracking *t;

	ck_dvc(act(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan", 0), DVC_EINCOMPLETE);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "Giấy chứng sinh"));
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "Tờ khai theo mẫu"));
	ck_ok(dvc_dossier_missing(db, r.code, &m));
	ck_assert_uint_eq(m->n, 3);
	dvc_missing_free(m);

	ck_ok(attach_mem(r.code, me, 1, "giấy chứng sinh.pdf", a, 150000, &fi));
	ck_assert_str_eq(fi.media_type, "application/pdf");
	ck_assert_int_eq(fi.size, 150000);
	crypto_hash_sha256(digest, a, 150000);
	hex(digest, want);
	ck_assert_str_eq(fi.sha256, want);
	ck_assert_str_eq(fi.added_by, "applicant");
	ck_assert_str_eq(fi.component_name, "Giấy chứng sinh");
	/* the hash of the file is in the journal chain */
	ck_ok(dvc_dossier_track(db, r.code, &me, &t));
	ck_assert_int_eq(t->history[t->n_history - 1].action, DVC_ACT_ATTACH);
	ck_assert_str_eq(t->history[t->n_history - 1].payload_digest, want);
	dvc_tracking_free(t);
	ck_ok(dvc_dossier_verify(db, r.code, NULL));

	ck_ok(attach_mem(r.code, me, 2, "cccd.png", png, sizeof png, &fi));
	ck_assert_str_eq(fi.media_type, "image/png");
	ck_dvc(act(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan", 0), DVC_EINCOMPLETE);
	ck_assert_ptr_null(strstr(dvc_error_last()->message, "Giấy chứng sinh"));
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "Tờ khai"));
	ck_ok(attach_mem(r.code, me, 0, "to-khai.pdf", a, 1000, NULL));
	ck_ok(act(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan", 0));

	/* streamed back byte for byte */
	ck_ok(dvc_dossier_download(db, r.code, &me, 1, mem_write, &out));
	ck_assert_uint_eq(out.n, 150000);
	ck_assert(memcmp(out.p, a, 150000) == 0);
	free(out.p);
	/* the receipt slip lists what was received, not the catalog */
	{
		char *html;
		ck_ok(dvc_slip_render(db, r.code, DVC_SLIP_RECEIPT, DVC_SLIP_HTML, &html, NULL));
		ck_assert_ptr_nonnull(strstr(html, "giấy chứng sinh.pdf"));
		ck_assert_ptr_nonnull(strstr(html, "cccd.png"));
		dvc_free(html);
	}
	/* after receipt the applicant adds nothing */
	ck_dvc(attach_mem(r.code, me, 1, "late.pdf", a, 2000, NULL), DVC_ETRANSITION);
	free(a);
}
END_TEST

START_TEST(bad_uploads_are_refused_and_store_nothing)
{
	dvc_receipt r = submit(P4, NULL, DVC_CHANNEL_ONLINE);
	dvc_actor me = anon(&r);
	unsigned char *a = pdf(4096, 'b');
	size_t hist = history_count(db, r.code);
	dvc_attach_req q = DVC_ATTACH_INIT;
	mem_src src;
	char self[256];
	ssize_t k;
	FILE *f;
	unsigned char *exe;
	size_t exe_n;
	dvc_procedure_policy pol = DVC_PROCEDURE_POLICY_INIT;

	/* an executable named .pdf: the content decides */
	k = readlink("/proc/self/exe", self, sizeof self - 1);
	ck_assert_int_gt(k, 0);
	self[k] = '\0';
	f = fopen(self, "rb");
	ck_assert_ptr_nonnull(f);
	exe = malloc(200000);
	exe_n = fread(exe, 1, 200000, f);
	fclose(f);
	ck_dvc(attach_mem(r.code, me, 1, "giay-chung-sinh.pdf", exe, exe_n, NULL), DVC_EMEDIATYPE);
	ck_assert_msg(strstr(dvc_error_last()->message, "application/x-") != NULL, "%s",
		      dvc_error_last()->message);
	free(exe);
	/* zero bytes */
	ck_dvc(attach_mem(r.code, me, 1, "empty.pdf", a, 0, NULL), DVC_EINVAL);
	/* 2 GB announced: refused before a byte is read */
	q.actor = me;
	q.component = 1;
	q.name = "big.pdf";
	q.declared_size = (int64_t)2 * 1024 * 1024 * 1024;
	src = (mem_src){a, 4096, 0, 0, 0};
	q.read = mem_read;
	q.read_ctx = &src;
	ck_dvc(dvc_dossier_attach(db, r.code, &q, NULL), DVC_ETOOBIG);
	ck_assert_uint_eq(src.off, 0);
	/* 2 GB streamed without a declared size: read only up to the default
	 * 20 MiB limit (plus at most one chunk), then refused */
	{
		zero_src z = {(int64_t)2 * 1024 * 1024 * 1024, 0};
		q.declared_size = -1;
		q.read = zero_read;
		q.read_ctx = &z;
		ck_dvc(dvc_dossier_attach(db, r.code, &q, NULL), DVC_ETOOBIG);
		ck_assert_int_le(z.sent, DVC_FILE_DEFAULT_MAX_BYTES + DVC_FILE_CHUNK);
		ck_assert_int_gt(z.sent, DVC_FILE_DEFAULT_MAX_BYTES);
		q.read = mem_read;
		q.read_ctx = &src;
		q.declared_size = (int64_t)2 * 1024 * 1024 * 1024;
	}
	/* a stream longer than the limit, undeclared: stopped at the limit */
	pol.max_file_bytes = 3000;
	ck_ok(dvc_procedure_policy_set(db, P4, &pol));
	q.declared_size = -1;
	ck_dvc(dvc_dossier_attach(db, r.code, &q, NULL), DVC_ETOOBIG);
	pol.max_file_bytes = DVC_FILE_DEFAULT_MAX_BYTES;
	pol.require_files = 1;
	pol.pay_before_return = 1;
	ck_ok(dvc_procedure_policy_set(db, P4, &pol));
	/* truncated: fewer bytes than announced */
	src = (mem_src){a, 4096, 0, 0, 0};
	q.declared_size = 10000;
	ck_dvc(dvc_dossier_attach(db, r.code, &q, NULL), DVC_ETRUNCATED);
	/* the connection broke */
	src = (mem_src){a, 4096, 0, 0, 1000};
	q.declared_size = -1;
	ck_dvc(dvc_dossier_attach(db, r.code, &q, NULL), DVC_EIO);
	/* paths and control characters in the name */
	ck_dvc(attach_mem(r.code, me, 1, "../../etc/passwd", a, 4096, NULL), DVC_EINVAL);
	ck_dvc(attach_mem(r.code, me, 1, "C:\\Users\\an\\cmnd.pdf", a, 4096, NULL), DVC_EINVAL);
	ck_dvc(attach_mem(r.code, me, 1, "a\nb.pdf", a, 4096, NULL), DVC_EINVAL);
	ck_dvc(attach_mem(r.code, me, 1, "\xc3\x28.pdf", a, 4096, NULL), DVC_EUTF8);
	ck_dvc(attach_mem(r.code, me, 1, "", a, 4096, NULL), DVC_EINVAL);
	/* no such component */
	ck_dvc(attach_mem(r.code, me, 7, "x.pdf", a, 4096, NULL), DVC_ENOTFOUND);
	/* a stranger, a wrong secret */
	ck_dvc(attach_mem(r.code, acct("binh.tran"), 1, "x.pdf", a, 4096, NULL), DVC_EPERM);
	ck_dvc(attach_mem(r.code, (dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, "WRONG"}, 1, "x.pdf", a, 4096, NULL),
	       DVC_EAUTH);
	/* an officer away from the desk */
	ck_dvc(attach_mem(r.code, officer("do.chuyen.vien"), 1, "x.pdf", a, 4096, NULL), DVC_EPERM);
	/* nothing of all that was stored or journaled */
	ck_assert_uint_eq(file_count(db, r.code), 0);
	ck_assert_uint_eq(history_count(db, r.code), hist);
	ck_assert_int_eq(store_value(store, "SELECT (SELECT count(*) FROM blob) + (SELECT count(*) FROM blob_chunk)"), 0);
	free(a);
}
END_TEST

START_TEST(replace_and_supplement_are_journaled)
{
	dvc_receipt r = submit(P4, NULL, DVC_CHANNEL_ONLINE);
	dvc_actor me = anon(&r);
	unsigned char *a = pdf(5000, 'c'), *b = pdf(6000, 'd');
	dvc_attach_req q = DVC_ATTACH_INIT;
	dvc_file_info first, second;
	dvc_file_list *l;
	mem_src src = {b, 6000, 0, 0, 0};
	dvc_action_req sup = DVC_ACTION_INIT;

	ck_ok(attach_mem(r.code, me, 1, "v1.pdf", a, 5000, &first));
	q.actor = me;
	q.component = 1;
	q.name = "v2.pdf";
	q.mode = DVC_ATTACH_REPLACE;
	q.replaces = first.id;
	q.read = mem_read;
	q.read_ctx = &src;
	ck_ok(dvc_dossier_attach(db, r.code, &q, &second));
	ck_ok(dvc_dossier_files(db, r.code, &me, &l));
	ck_assert_uint_eq(dvc_file_list_count(l), 2);
	ck_assert_int_eq(dvc_file_list_at(l, 0)->replaced_by, second.id);
	ck_assert_int_eq(dvc_file_list_at(l, 1)->replaced_by, 0);
	ck_assert_int_eq(dvc_file_list_at(l, 1)->mode, DVC_ATTACH_REPLACE);
	ck_assert_ptr_eq(dvc_file_list_find(l, second.id), dvc_file_list_at(l, 1));
	ck_assert_ptr_eq(dvc_file_list_find(l, first.id), dvc_file_list_at(l, 0));
	ck_assert_ptr_null(dvc_file_list_find(l, second.id + 1000));
	ck_assert_ptr_null(dvc_file_list_find(NULL, first.id));
	dvc_file_list_free(l);
	/* a replaced file cannot be replaced again */
	src.off = 0;
	ck_dvc(dvc_dossier_attach(db, r.code, &q, NULL), DVC_ENOTFOUND);
	/* supplements answer a request, only then */
	q.mode = DVC_ATTACH_SUPPLEMENT;
	q.component = 2;
	q.name = "bo-sung.pdf";
	src.off = 0;
	ck_dvc(dvc_dossier_attach(db, r.code, &q, NULL), DVC_ETRANSITION);
	sup.action = DVC_ACT_REQUEST_SUPPLEMENT;
	sup.actor = officer("le.tiep.nhan");
	sup.note = "Bổ sung giấy tờ tùy thân";
	ck_ok(dvc_dossier_act(db, r.code, &sup, NULL));
	src.off = 0;
	ck_ok(dvc_dossier_attach(db, r.code, &q, NULL));
	{
		dvc_tracking *t;
		ck_ok(dvc_dossier_track(db, r.code, &me, &t));
		ck_assert_int_eq(t->history[t->n_history - 1].action, DVC_ACT_ATTACH);
		ck_assert_ptr_nonnull(strstr(t->history[t->n_history - 1].note, "Bổ sung"));
		ck_assert_ptr_nonnull(strstr(t->history[t->n_history - 3].note, "Thay"));
		dvc_tracking_free(t);
	}
	ck_ok(dvc_dossier_verify(db, r.code, NULL));
	free(a);
	free(b);
}
END_TEST

START_TEST(data_store_reuse_only_by_its_owner)
{
	dvc_receipt r1 = submit(P4, "an.nguyen", DVC_CHANNEL_ONLINE);
	dvc_receipt r2 = submit(P4, "an.nguyen", DVC_CHANNEL_ONLINE);
	dvc_receipt r3 = submit(P4, "binh.tran", DVC_CHANNEL_ONLINE);
	unsigned char *a = pdf(7000, 'e');
	dvc_file_list *mine;
	dvc_file_info fi, again;
	dvc_attach_req q = DVC_ATTACH_INIT;
	int64_t kept;

	ck_ok(attach_mem(r1.code, acct("an.nguyen"), 2, "cccd.pdf", a, 7000, &fi));
	ck_ok(dvc_account_files(db, "an.nguyen", &mine));
	ck_assert_uint_eq(dvc_file_list_count(mine), 1);
	kept = dvc_file_list_at(mine, 0)->id;
	ck_assert_str_eq(dvc_file_list_at(mine, 0)->sha256, fi.sha256);
	ck_assert_str_eq(dvc_file_list_at(mine, 0)->dossier, r1.code);
	dvc_file_list_free(mine);

	/* a later submission reuses it by reference: same content, no upload */
	q.actor = acct("an.nguyen");
	q.component = 2;
	q.reuse = kept;
	ck_ok(dvc_dossier_attach(db, r2.code, &q, &again));
	ck_assert_str_eq(again.sha256, fi.sha256);
	ck_assert_str_eq(again.name, "cccd.pdf");
	/* another account cannot, nor can an anonymous applicant or an officer */
	q.actor = acct("binh.tran");
	ck_dvc(dvc_dossier_attach(db, r3.code, &q, NULL), DVC_ENOTFOUND);
	{
		dvc_receipt r4 = submit(P4, NULL, DVC_CHANNEL_ONLINE);
		q.actor = anon(&r4);
		ck_dvc(dvc_dossier_attach(db, r4.code, &q, NULL), DVC_EPERM);
	}
	ck_assert_uint_eq(file_count(db, r3.code), 0);
	ck_assert_int_eq(store_value(store, "SELECT count(*) FROM blob"), 1); /* stored once */
	free(a);
}
END_TEST

START_TEST(a_damaged_chunk_is_detected_on_download)
{
	dvc_receipt r = submit(P4, NULL, DVC_CHANNEL_ONLINE);
	dvc_actor me = anon(&r);
	unsigned char *a = pdf(200000, 'f');
	dvc_file_info fi;
	mem_sink out = {NULL, 0, 0};
	ck_ok(attach_mem(r.code, me, 1, "x.pdf", a, 200000, &fi));
	/* the second chunk zeroed behind the library's back, same length */
	store_exec(store, store_is_pg(store)
		? "UPDATE blob_chunk SET data = decode(repeat('00', length(data)), 'hex') WHERE seq = 2"
		: "UPDATE blob_chunk SET data = zeroblob(length(data)) WHERE seq = 2");
	ck_assert_int_eq(store_value(store, "SELECT count(*) FROM blob_chunk WHERE seq = 2"), 1);
	ck_dvc(dvc_dossier_download(db, r.code, &me, fi.id, mem_write, &out), DVC_ECORRUPT);
	free(out.p);
	ck_dvc(dvc_dossier_download(db, r.code, &me, fi.id + 99, mem_write, &out), DVC_ENOTFOUND);
	free(a);
}
END_TEST

static void to_result_ready(const char *code)
{
	ck_ok(act(code, DVC_ACT_RECEIVE, "le.tiep.nhan", 0));
	ck_ok(act(code, DVC_ACT_FORWARD, "le.tiep.nhan", 0));
	ck_ok(act(code, DVC_ACT_FORWARD, "do.chuyen.vien", 0));
	ck_ok(act(code, DVC_ACT_FORWARD, "hoang.lanh.dao", 0));
}

START_TEST(counter_payment_recorded_and_required_before_return)
{
	dvc_receipt r = submit(P3, NULL, DVC_CHANNEL_COUNTER); /* paper at the desk: no files needed */
	dvc_counter_payment cp = DVC_COUNTER_PAYMENT_INIT;
	dvc_tracking *t;
	dvc_actor o = officer("le.tiep.nhan");

	cp.officer = "le.tiep.nhan";
	cp.receipt_no = "BL-0001";
	cp.amount = 30000;
	ck_dvc(dvc_payment_counter(db, r.code, &cp), DVC_ETRANSITION); /* before intake: nothing due yet */
	to_result_ready(r.code);
	ck_dvc(act(r.code, DVC_ACT_RETURN, "le.tiep.nhan", DVC_DELIVERY_COUNTER), DVC_ETRANSITION);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "30.000 đồng"));
	cp.amount = 40000;
	ck_dvc(dvc_payment_counter(db, r.code, &cp), DVC_EAMOUNT);
	cp.amount = 30000;
	cp.officer = "do.chuyen.vien";
	ck_dvc(dvc_payment_counter(db, r.code, &cp), DVC_EPERM);
	cp.officer = "le.tiep.nhan";
	cp.receipt_no = "BL 1";
	ck_dvc(dvc_payment_counter(db, r.code, &cp), DVC_EINVAL);
	cp.receipt_no = "BL-0001";
	cp.method = DVC_PAY_CARD;
	ck_ok(dvc_payment_counter(db, r.code, &cp));
	ck_dvc(dvc_payment_counter(db, r.code, &cp), DVC_ETRANSITION); /* owes nothing now */
	ck_ok(dvc_dossier_track(db, r.code, &o, &t));
	ck_assert_int_eq(t->fee_paid, 30000);
	ck_assert_int_eq(t->history[t->n_history - 1].action, DVC_ACT_PAY);
	ck_assert_ptr_nonnull(strstr(t->history[t->n_history - 1].note, "BL-0001"));
	ck_assert_ptr_nonnull(strstr(t->history[t->n_history - 1].note, "thẻ"));
	dvc_tracking_free(t);
	ck_ok(act(r.code, DVC_ACT_RETURN, "le.tiep.nhan", DVC_DELIVERY_COUNTER));
	/* refunds: up to what was paid, with a reason, under a new receipt number */
	cp.note = NULL;
	cp.receipt_no = "HT-0001";
	ck_dvc(dvc_payment_counter_refund(db, r.code, &cp), DVC_EINVAL);
	cp.note = "Thu nhầm";
	cp.amount = 30001;
	ck_dvc(dvc_payment_counter_refund(db, r.code, &cp), DVC_EAMOUNT);
	cp.amount = 10000;
	ck_ok(dvc_payment_counter_refund(db, r.code, &cp));
	ck_dvc(dvc_payment_counter_refund(db, r.code, &cp), DVC_EEXISTS);
	ck_ok(dvc_dossier_track(db, r.code, &o, &t));
	ck_assert_int_eq(t->fee_refunded, 10000);
	ck_assert_int_eq(t->history[t->n_history - 1].action, DVC_ACT_REFUND);
	dvc_tracking_free(t);
	ck_ok(dvc_dossier_verify(db, r.code, NULL));
}
END_TEST

START_TEST(policies_are_checked_and_default)
{
	dvc_procedure_policy p = DVC_PROCEDURE_POLICY_INIT, got;
	char types[256];
	ck_ok(dvc_procedure_policy_get(db, "T.000005", &got, types, sizeof types));
	ck_assert_int_eq(got.require_files, 1);
	p.media_types = "application/pdf,,image/png";
	ck_dvc(dvc_procedure_policy_set(db, P4, &p), DVC_EINVAL);
	p.media_types = "PDF";
	ck_dvc(dvc_procedure_policy_set(db, P4, &p), DVC_EINVAL);
	p.media_types = "application/pdf";
	p.max_file_bytes = 0;
	ck_dvc(dvc_procedure_policy_set(db, P4, &p), DVC_EINVAL);
	p.max_file_bytes = 1000;
	ck_dvc(dvc_procedure_policy_set(db, "X.404", &p), DVC_ENOTFOUND);
	ck_ok(dvc_procedure_policy_get(db, P4, &got, types, sizeof types));
	ck_assert_str_eq(got.media_types, DVC_FILE_DEFAULT_TYPES); /* unchanged by the refusals */
}
END_TEST

/* The portal's JSON wire form: the dossier and its inline files in one
 * transaction; every refusal names its field and stores nothing. */
static int submit_json(const char *json, const char *account, dvc_receipt *r, char **out)
{
	dvc_submit_json_opts o = DVC_SUBMIT_JSON_INIT;
	o.account = account;
	*r = (dvc_receipt)DVC_RECEIPT_INIT;
	return dvc_dossier_submit_json(db, json, strlen(json), &o, r, out);
}

#define APPLICANT_JSON                                                                             \
	"\"applicant\":{\"full_name\":\"Nguyễn Văn An\",\"citizen_id\":\"031099001234\","             \
	"\"birth_date\":\"1999-05-12\",\"address\":\"Thôn 3, xã Thụy Hương, huyện Kiến Thụy\","       \
	"\"phone\":\"0912345678\",\"email\":\"\"}"

/* A submission of P4 with two inline files: the first by index with
 * `data`, the second by the name `doc`. */
static void two_files(char *json, size_t size, const char *data, const char *doc)
{
	snprintf(json, size,
		 "{\"procedure\":\"" P4 "\"," APPLICANT_JSON ",\"attachments\":["
		 "{\"component\":1,\"name\":\"giay-chung-sinh.pdf\",\"data\":\"%s\"},"
		 "{\"document\":\"%s\",\"name\":\"cccd.pdf\",\"data\":\"%s\"}]}",
		 data, doc, data);
}

START_TEST(json_submission_stores_dossier_and_inline_files_or_nothing)
{
	static const char id_doc[] = "Giấy tờ tùy thân của người yêu cầu";
	unsigned char *a = pdf(3000, 'a');
	char b64[4200], json[16384], *out = NULL;
	dvc_receipt r;
	long long before;
	sodium_bin2base64(b64, sizeof b64, a, 3000, sodium_base64_VARIANT_ORIGINAL);
	free(a);
	two_files(json, sizeof json, b64, id_doc);
	ck_ok(submit_json(json, NULL, &r, &out));
	ck_assert_ptr_nonnull(strstr(out, r.code));
	ck_assert_ptr_nonnull(strstr(out, "\"files\":[{"));
	ck_assert_ptr_nonnull(strstr(out, "cccd.pdf"));
	ck_assert_uint_eq(file_count(db, r.code), 2);
	dvc_free(out);

	before = store_value(store, "SELECT count(*) FROM dossier");
	/* a file refused after the dossier was stored: none of it stays */
	two_files(json, sizeof json, "not base64!!", id_doc);
	ck_dvc(submit_json(json, NULL, &r, &out), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "attachments[0].data");
	ck_assert_ptr_null(out);
	ck_assert_str_eq(r.code, "");
	two_files(json, sizeof json, b64, "Giấy đăng ký xe"); /* not one of P4's */
	ck_dvc(submit_json(json, NULL, &r, &out), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "attachments[1].document");
	ck_assert_int_eq(store_value(store, "SELECT count(*) FROM dossier"), before);

	/* members of the wrong type are refused, never skipped */
	ck_dvc(submit_json("{\"procedure\":\"" P4 "\"," APPLICANT_JSON ",\"desk\":7}", NULL, &r, &out),
	       DVC_ESCHEMA);
	ck_assert_str_eq(dvc_error_last()->path, "desk");
	ck_dvc(submit_json("{\"procedure\":\"" P4 "\",\"applicant\":{\"full_name\":1}}", NULL, &r, &out),
	       DVC_ESCHEMA);
	ck_assert_str_eq(dvc_error_last()->path, "applicant.full_name");
	ck_dvc(submit_json("{\"procedure\":\"" P4 "\"}", NULL, &r, &out), DVC_ESCHEMA);
	ck_assert_str_eq(dvc_error_last()->path, "applicant");
	ck_dvc(submit_json("{\"procedure\":\"" P4 "\"," APPLICANT_JSON ",\"form_data\":{\"attachments\":[]}}",
			   NULL, &r, &out),
	       DVC_ESCHEMA);
	ck_dvc(submit_json("{\"procedure\":\"" P4 "\"," APPLICANT_JSON ",\"attachments\":[{},{},{},{},{},{},"
			   "{},{},{},{},{}]}",
			   NULL, &r, &out),
	       DVC_ESCHEMA);
	ck_assert_str_eq(dvc_error_last()->path, "attachments");
	ck_dvc(submit_json("{\"procedure\":\"" P4 "\"," APPLICANT_JSON "", NULL, &r, &out), DVC_EPARSE);
	ck_dvc(submit_json("[1]", NULL, &r, &out), DVC_ESCHEMA);
	ck_dvc(submit_json("{\"procedure\":\"9.999999\"," APPLICANT_JSON "}", NULL, &r, &out), DVC_ENOTFOUND);
	ck_assert_int_eq(store_value(store, "SELECT count(*) FROM dossier"), before);

	/* too many decoded bytes: refused before decoding */
	{
		dvc_submit_json_opts o = DVC_SUBMIT_JSON_INIT;
		o.max_attachment_bytes = 1000;
		ck_dvc(dvc_dossier_submit_json(db, json, strlen(json), &o, &r, &out), DVC_ETOOBIG);
		ck_assert_str_eq(dvc_error_last()->path, "attachments[0]");
	}
	/* its own transaction, so not inside the caller's */
	ck_ok(dvc_begin(db));
	ck_dvc(submit_json("{\"procedure\":\"" P4 "\"," APPLICANT_JSON "}", NULL, &r, &out), DVC_ETXN);
	ck_ok(dvc_rollback(db));
	/* an account's profile fills the applicant; null members are absent ones */
	ck_ok(dvc_account_register(db, "nguyenvanan", "mật-khẩu-dài", &citizen));
	ck_ok(submit_json("{\"procedure\":\"" P4 "\",\"applicant\":null,\"draft\":true,\"desk\":null}",
			  "nguyenvanan", &r, &out));
	ck_assert_ptr_nonnull(strstr(out, "\"state\":\"draft\""));
	ck_assert_ptr_nonnull(strstr(out, "\"files\":[]"));
	dvc_free(out);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		receipt_waits_for_every_component_then_lists_what_came,
		bad_uploads_are_refused_and_store_nothing, replace_and_supplement_are_journaled,
		data_store_reuse_only_by_its_owner, a_damaged_chunk_is_detected_on_download,
		counter_payment_recorded_and_required_before_return,
		policies_are_checked_and_default,
		json_submission_stores_dossier_and_inline_files_or_nothing, NULL};
	return run_tests("document", setup, teardown, 120, tests);
}
