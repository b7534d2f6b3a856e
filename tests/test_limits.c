/* Input limits: every documented maximum (docs/robustness.md, "Limits") is
 * enforced with its own error, DVC_ETOOBIG, at the limit + 1 — and the limit
 * itself is accepted — without changing the store.
 *
 * Tests whose name starts with bug_ are regression tests for reported
 * library defects (docs/robustness.md, "Findings"): they fail until fixed. */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DESK "000.00.30.H24"

static dvc_db *db;

static void setup(void)
{
	ck_ok(dvc_time_parse("2026-03-02T09:00:00+07:00", &clock_now));
	db = mem_db();
	dvc_set_clock(db, test_clock, NULL);
	ck_ok(dvc_catalog_import_file(db, src_path("tests/data/dossier_catalog.json"), DVC_FORMAT_AUTO, NULL));
	ck_ok(dvc_officer_add(db, "le.tiep.nhan", "Lê Tiếp Nhận", DESK, DVC_ROLE_RECEPTION));
	ck_ok(dvc_officer_add(db, "quan.tri", "Quản Trị", DESK, DVC_ROLE_ADMIN));
}

static void teardown(void) { dvc_close(db); }

/* n copies of byte c, NUL-terminated. */
static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static char *catalog_export(void)
{
	char *out;
	ck_ok(dvc_catalog_export(db, DVC_FORMAT_JSON, &out, NULL));
	return out;
}

/* A one-procedure catalog document with `name` and `code`. */
static char *catalog_doc(const char *code, const char *name, const char *extra)
{
	static const char fmt[] =
		"{\"format\":\"dvc-catalog\",\"format_version\":1,\"levels\":[],\"sectors\":[],"
		"\"agencies\":[],\"procedures\":[{\"code\":\"%s\",\"versions\":[{\"version\":1,"
		"\"valid_from\":\"2018-07-01\",\"name\":\"%s\",\"sector\":\"TP\","
		"\"levels\":[\"district\"],\"agency\":\"000.01.30.H24\",\"online_level\":3,"
		"\"online_mode\":\"none\",\"deadline\":{\"value\":2,\"unit\":\"days\"},"
		"\"result_type\":\"Văn bản\",\"legal_basis\":[\"Luật\"],\"documents\":[],"
		"\"fees\":[],\"unconfirmed\":[]%s}]}]}";
	size_t n = strlen(fmt) + strlen(code) + strlen(name) + strlen(extra) + 1;
	char *s = malloc(n);
	ck_assert_ptr_nonnull(s);
	snprintf(s, n, fmt, code, name, extra);
	return s;
}

static void import_limit(const char *code, const char *name, const char *extra, int want,
			 const char *path)
{
	char *before = catalog_export(), *after, *doc = catalog_doc(code, name, extra);
	int rc = dvc_catalog_import(db, doc, strlen(doc), DVC_FORMAT_JSON, NULL);
	ck_assert_msg(rc == want, "got %s (%s), want %s", dvc_status_name(rc), dvc_error_last()->message,
		      dvc_status_name(want));
	if (want != DVC_OK) {
		if (path)
			ck_assert_str_eq(dvc_error_last()->path, path);
		after = catalog_export();
		ck_assert_str_eq(after, before);
		dvc_free(after);
	}
	dvc_free(before);
	free(doc);
}

START_TEST(catalog_text_field_limit)
{
	char *ok = repeat('a', DVC_CATALOG_MAX_TEXT), *big = repeat('a', DVC_CATALOG_MAX_TEXT + 1);
	import_limit("L.000001", ok, "", DVC_OK, NULL);
	import_limit("L.000002", big, "", DVC_ETOOBIG, "procedures[0].versions[0].name");
	free(ok);
	free(big);
}
END_TEST

START_TEST(catalog_code_limit)
{
	char *ok = repeat('7', DVC_CATALOG_CODE_MAX), *big = repeat('7', DVC_CATALOG_CODE_MAX + 1);
	import_limit(ok, "Tên", "", DVC_OK, NULL);
	import_limit(big, "Tên", "", DVC_ETOOBIG, NULL);
	free(ok);
	free(big);
}
END_TEST

START_TEST(catalog_form_schema_limit)
{
	/* a form schema is kept as text of at most 256 KiB */
	size_t n = 256u * 1024u;
	char *desc = repeat('d', n), *extra = malloc(n + 200);
	snprintf(extra, n + 200, ",\"form_schema\":{\"type\":\"object\",\"description\":\"%s\"}", desc);
	import_limit("L.000003", "Tên", extra, DVC_ETOOBIG, NULL);
	free(desc);
	free(extra);
}
END_TEST

START_TEST(catalog_input_limit)
{
	/* 64 MiB + 1: refused before it is parsed (calloc: untouched zero pages) */
	size_t n = DVC_CATALOG_MAX_INPUT + 1u;
	char *big = calloc(n, 1), path[64] = "/tmp/dvc-limits-XXXXXX";
	int fd;
	ck_assert_ptr_nonnull(big);
	ck_dvc(dvc_catalog_import(db, big, n, DVC_FORMAT_JSON, NULL), DVC_ETOOBIG);
	ck_dvc(dvc_catalog_import(db, big, n, DVC_FORMAT_XML, NULL), DVC_ETOOBIG);
	free(big);
	/* the same from a (sparse) file, refused without reading it */
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)n), 0);
	close(fd);
	ck_dvc(dvc_catalog_import_file(db, path, DVC_FORMAT_JSON, NULL), DVC_ETOOBIG);
	unlink(path);
}
END_TEST

START_TEST(search_text_limit)
{
	dvc_search_result *r;
	char *ok = repeat('x', DVC_CATALOG_MAX_TEXT), *big = repeat('x', DVC_CATALOG_MAX_TEXT + 1);
	ck_ok(dvc_catalog_search(db, ok, NULL, &r));
	dvc_search_result_free(r);
	ck_dvc(dvc_catalog_search(db, big, NULL, &r), DVC_ETOOBIG);
	free(ok);
	free(big);
}
END_TEST

/* "[[[...1...]]]" nested `depth` levels inside {"a": ...}. */
static char *nested(int depth)
{
	size_t n = (size_t)depth * 2 + 16;
	char *s = malloc(n), *p = s;
	p += sprintf(p, "{\"a\":");
	for (int i = 1; i < depth; i++)
		*p++ = '[';
	*p++ = '1';
	for (int i = 1; i < depth; i++)
		*p++ = ']';
	strcpy(p, "}");
	return s;
}

START_TEST(form_nesting_depth_limit)
{
	static const char any[] = "{\"type\":\"object\",\"additionalProperties\":true}";
	char *ok = nested(DVC_EFORM_MAX_DEPTH), *big = nested(DVC_EFORM_MAX_DEPTH + 1);
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT;
	ck_ok(dvc_eform_check(any, sizeof any - 1, ok, strlen(ok)));
	ck_dvc(dvc_eform_check(any, sizeof any - 1, big, strlen(big)), DVC_ETOOBIG);
	/* through a submission (T.000004 has no form schema: any object) */
	s = citizen_submission("T.000004", big);
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_ETOOBIG);
	s.form_data = ok;
	ck_ok(dvc_dossier_submit(db, &s, &r));
	ck_assert_str_eq(r.code, DESK "-260302-0001"); /* the refusal used no number */
	free(ok);
	free(big);
}
END_TEST

START_TEST(form_string_and_document_limits)
{
	static const char any[] = "{\"type\":\"object\",\"additionalProperties\":true}";
	size_t n = DVC_EFORM_MAX_STRING;
	char *v = repeat('v', n + 1), *doc = malloc(n + 16);
	snprintf(doc, n + 16, "{\"a\":\"%.*s\"}", (int)n, v);
	ck_ok(dvc_eform_check(any, sizeof any - 1, doc, strlen(doc)));
	snprintf(doc, n + 16, "{\"a\":\"%s\"}", v);
	ck_dvc(dvc_eform_check(any, sizeof any - 1, doc, strlen(doc)), DVC_ETOOBIG);
	free(doc);
	free(v);
	/* a whole document over 8 MiB (valid JSON: whitespace) */
	size_t big = DVC_EFORM_MAX_INPUT + 1u;
	doc = repeat(' ', big);
	doc[0] = '{';
	doc[big - 1] = '}';
	ck_dvc(dvc_eform_check(any, sizeof any - 1, doc, big), DVC_ETOOBIG);
	ck_dvc(dvc_eform_check(doc, big, "{}", 2), DVC_ETOOBIG);
	free(doc);
}
END_TEST

START_TEST(calendar_schedule_limit)
{
	dvc_calendar *cal;
	char path[64] = "/tmp/dvc-limits-XXXXXX";
	size_t n = (1u << 20) + 1u;
	char *big = repeat(' ', n);
	int fd;
	ck_ok(dvc_calendar_new(&cal, NULL));
	ck_dvc(dvc_calendar_load_schedule(cal, big, n), DVC_ETOOBIG);
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_int_eq(write(fd, big, n), (ssize_t)n);
	close(fd);
	ck_dvc(dvc_calendar_load_schedule_file(cal, path), DVC_ETOOBIG);
	unlink(path);
	free(big);
	dvc_calendar_free(cal);
}
END_TEST

START_TEST(payment_callback_limits)
{
	dvc_payment_result res = DVC_PAYMENT_RESULT_INIT;
	char *q = repeat('a', 8193), many[2048] = "";
	ck_ok(dvc_payment_set_gateway(db, "vnpay", "bi-mat"));
	q[0] = 'x';
	q[1] = '=';
	ck_dvc(dvc_payment_callback(db, q, &res), DVC_ETOOBIG);
	free(q);
	for (int i = 0; i < 65; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "%sp%d=1", i ? "&" : "", i);
	ck_dvc(dvc_payment_callback(db, many, &res), DVC_ETOOBIG);
}
END_TEST

START_TEST(applicant_and_officer_text_limits)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_applicant a = an_nguyen;
	char *name = repeat('n', 201), *addr = repeat('d', 501);
	s.procedure = "T.000004";
	s.applicant = &a;
	a.full_name = name;
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_ETOOBIG);
	ck_assert_str_eq(dvc_error_last()->path, "full_name");
	name[200] = '\0';
	ck_ok(dvc_dossier_submit(db, &s, &r));
	a.full_name = an_nguyen.full_name;
	a.address = addr;
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_ETOOBIG);
	ck_assert_str_eq(dvc_error_last()->path, "address");
	name[200] = 'n';
	ck_dvc(dvc_officer_add(db, "can.bo.dai", name, DESK, DVC_ROLE_SPECIALIST), DVC_ETOOBIG);
	ck_dvc(dvc_account_register(db, "nguoi.dai", "mat-khau-du-dai", &a), DVC_ETOOBIG);
	free(name);
	free(addr);
}
END_TEST

/* BUG(robustness-7): an action note over 8192 bytes and a fee exemption over
 * 500 bytes are refused with DVC_EINVAL (lib/dossier.c check_preconditions()
 * and submit()), and neither limit is in a header: a size limit answers
 * DVC_ETOOBIG ("a value or input exceeds a size limit"), like every other. */
START_TEST(bug_note_and_exemption_limits_answer_etoobig)
{
	dvc_submission s = citizen_submission("T.000004", NULL);
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_action_req q = DVC_ACTION_INIT;
	char *note = repeat('n', 8193), *why = repeat('w', 501);
	ck_ok(dvc_dossier_submit(db, &s, &r));
	q.action = DVC_ACT_REJECT;
	q.actor = (dvc_actor){DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	q.note = note;
	ck_dvc(dvc_dossier_act(db, r.code, &q, NULL), DVC_ETOOBIG);
	note[8192] = '\0';
	ck_ok(dvc_dossier_act(db, r.code, &q, NULL));
	s.fee_exemption = why;
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_ETOOBIG);
	free(note);
	free(why);
}
END_TEST

/* BUG(robustness-8): a procedure version with more than 16 route steps or 16
 * fees imports fine, but the dossier module keeps only the first 16
 * (lib/store_internal.h dvc__proc_rt steps[16], fees[16]; lib/store_dossier.c
 * load_rt() stops reading silently): the dossier skips the last steps (the
 * signing leader) and is charged only 16 fees. Either the import refuses it
 * (DVC_ETOOBIG) or the dossier follows the whole route and fee list. */
START_TEST(bug_long_routes_and_fee_lists_are_refused_or_followed_whole)
{
	char route[4096] = ",\"route\":[{\"unit\":\"000.00.30.H24\",\"role\":\"reception\",\"share\":4}",
	     fees[4096] = "";
	const int steps = 18, nfees = 18;
	for (int i = 1; i < steps; i++)
		snprintf(route + strlen(route), sizeof route - strlen(route),
			 ",{\"unit\":\"000.01.30.H24\",\"role\":\"%s\",\"share\":%d}",
			 i == steps - 1 ? "unit_leader" : "specialist", i == steps - 1 ? 32 : 4);
	strcat(route, "]");
	for (int i = 0; i < nfees; i++)
		snprintf(fees + strlen(fees), sizeof fees - strlen(fees), "%s{\"name\":\"Phí %d\","
			 "\"kind\":\"fixed\",\"amount\":1000}", i ? "," : "", i);
	char *doc = catalog_doc("L.000017", "Thủ tục dài", route);
	/* put the fees in, and make it level 4 so that fees are charged */
	char *f = strstr(doc, "\"fees\":[]");
	ck_assert_ptr_nonnull(f);
	size_t n = strlen(doc) + strlen(fees) + 64;
	char *full = malloc(n);
	snprintf(full, n, "%.*s\"fees\":[%s]%s", (int)(f - doc), doc, fees, f + strlen("\"fees\":[]"));
	int rc = dvc_catalog_import(db, full, strlen(full), DVC_FORMAT_JSON, NULL);
	free(doc);
	free(full);
	if (rc == DVC_ETOOBIG)
		return; /* refused: fine */
	ck_ok(rc);
	ck_ok(dvc_officer_add(db, "chuyen.vien", "Chuyên Viên", "000.01.30.H24", DVC_ROLE_SPECIALIST));
	ck_ok(dvc_officer_add(db, "truong.phong", "Trưởng Phòng", "000.01.30.H24", DVC_ROLE_UNIT_LEADER));
	dvc_submission s = citizen_submission("L.000017", NULL);
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_action_req q = DVC_ACTION_INIT;
	dvc_tracking *t;
	dvc_actor admin = {DVC_ACTOR_OFFICER, "quan.tri", NULL};
	ck_ok(dvc_dossier_submit(db, &s, &r));
	q.actor = (dvc_actor){DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	q.action = DVC_ACT_RECEIVE;
	ck_ok(dvc_dossier_act(db, r.code, &q, NULL));
	ck_ok(dvc_dossier_track(db, r.code, &admin, &t));
	ck_assert_int_eq(t->n_steps, steps);
	ck_assert_int_eq(t->fee_due, nfees * 1000);
	dvc_tracking_free(t);
}
END_TEST

/* Issue 16: the fee total is computed in int64 from amounts of up to 10^15
 * VND times copies (any int) and pages: it wrapped. A version whose fees add
 * up past DVC_AMOUNT_MAX is refused at import (DVC_ERANGE, naming the fee);
 * a per-copy fee times the copies asked for, at submission, and nothing is
 * stored either time. */
static char *with_fees(const char *code, const char *fees)
{
	char *doc = catalog_doc(code, "Thủ tục phí lớn", "");
	char *f = strstr(doc, "\"fees\":[]");
	size_t n;
	char *full;
	ck_assert_ptr_nonnull(f);
	n = strlen(doc) + strlen(fees) + 64;
	full = malloc(n);
	snprintf(full, n, "%.*s\"fees\":[%s]%s", (int)(f - doc), doc, fees, f + strlen("\"fees\":[]"));
	free(doc);
	return full;
}

START_TEST(fee_totals_past_the_amount_limit_are_refused)
{
	char *doc, *before, *after;
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_dossier_list *l;
	/* two fees of 6 x 10^14: each in range, their sum not */
	doc = with_fees("L.000020", "{\"name\":\"Phí\",\"kind\":\"fixed\",\"amount\":600000000000000},"
			"{\"name\":\"Lệ phí\",\"kind\":\"fixed\",\"amount\":600000000000000}");
	before = catalog_export();
	ck_dvc(dvc_catalog_import(db, doc, strlen(doc), DVC_FORMAT_JSON, NULL), DVC_ERANGE);
	ck_assert_str_eq(dvc_error_last()->path, "procedures[0].versions[0].fees[1].amount");
	after = catalog_export();
	ck_assert_str_eq(before, after);
	free(doc);
	dvc_free(after);
	/* at the limit exactly it imports */
	doc = with_fees("L.000021", "{\"name\":\"Phí\",\"kind\":\"per_copy\",\"amount\":500000000000000},"
			"{\"name\":\"Lệ phí\",\"kind\":\"fixed\",\"amount\":500000000000000}");
	ck_ok(dvc_catalog_import(db, doc, strlen(doc), DVC_FORMAT_JSON, NULL));
	free(doc);
	s = citizen_submission("L.000021", NULL);
	s.copies = 1;
	ck_ok(dvc_dossier_submit(db, &s, &r)); /* 10^15 */
	/* two copies: 1.5 x 10^15; INT32_MAX copies: past int64 when multiplied */
	for (int i = 0; i < 2; i++) {
		size_t n0, n1;
		ck_ok(dvc_dossier_find(db, NULL, &l));
		n0 = dvc_dossier_list_count(l);
		dvc_dossier_list_free(l);
		s.copies = i == 0 ? 2 : INT32_MAX;
		ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_ERANGE);
		ck_assert_str_eq(dvc_error_last()->path, "copies");
		ck_ok(dvc_dossier_find(db, NULL, &l));
		n1 = dvc_dossier_list_count(l);
		dvc_dossier_list_free(l);
		ck_assert_uint_eq(n0, n1);
	}
	dvc_free(before);
}
END_TEST

/* BUG(issue 13): a procedure code of 33..64 bytes imports (the limit is
 * DVC_CATALOG_CODE_MAX), but the dossier module copied it into a 32-byte
 * field: its dossiers could not be tracked and no slip printed. Codes and
 * texts at their limits everywhere — procedure and agency codes of
 * DVC_CATALOG_CODE_MAX bytes, a name of DVC_CATALOG_MAX_TEXT bytes, an
 * address of DVC_ADDRESS_MAX bytes — work end to end, untruncated. */
static void limit_dossier(const char *proc, const char *agency)
{
	static const char fmt[] =
		"{\"format\":\"dvc-catalog\",\"format_version\":1,\"levels\":[],\"sectors\":[],"
		"\"agencies\":[{\"code\":\"%s\",\"name\":\"Ủy ban nhân dân xã có mã dài\","
		"\"level\":\"district\",\"parent\":null,\"valid_from\":\"2018-07-01\",\"valid_to\":null}],"
		"\"procedures\":[{\"code\":\"%s\",\"versions\":[{\"version\":1,"
		"\"valid_from\":\"2018-07-01\",\"name\":\"%s\",\"sector\":\"TP\","
		"\"levels\":[\"district\"],\"agency\":\"%s\",\"online_level\":3,"
		"\"online_mode\":\"none\",\"deadline\":{\"value\":2,\"unit\":\"days\"},"
		"\"result_type\":\"Văn bản\",\"legal_basis\":[\"Luật\"],\"documents\":[],"
		"\"fees\":[],\"unconfirmed\":[]}]}]}";
	char *name = repeat('t', DVC_CATALOG_MAX_TEXT), *addr = repeat('d', DVC_ADDRESS_MAX);
	size_t n = strlen(fmt) + strlen(proc) + 2 * strlen(agency) + strlen(name) + 1;
	char *doc = malloc(n), *slip;
	char officer[3][40];
	const dvc_role roles[3] = {DVC_ROLE_RECEPTION, DVC_ROLE_SPECIALIST, DVC_ROLE_SIGNING_LEADER};
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_action_req q = DVC_ACTION_INIT;
	dvc_applicant a = an_nguyen;
	dvc_tracking *t;
	dvc_actor admin = {DVC_ACTOR_OFFICER, "quan.tri", NULL};
	size_t checked;
	ck_assert_ptr_nonnull(doc);
	snprintf(doc, n, fmt, agency, proc, name, agency);
	ck_ok(dvc_catalog_import(db, doc, strlen(doc), DVC_FORMAT_JSON, NULL));
	for (int i = 0; i < 3; i++) {
		snprintf(officer[i], sizeof officer[i], "can.bo.%zu.%d", strlen(proc), i);
		ck_ok(dvc_officer_add(db, officer[i], "Cán Bộ", agency, roles[i]));
	}
	a.address = addr;
	s.procedure = proc;
	s.applicant = &a;
	ck_ok(dvc_dossier_submit(db, &s, &r));
	ck_assert_ptr_nonnull(strstr(r.code, agency));
	q.actor = (dvc_actor){DVC_ACTOR_OFFICER, officer[0], NULL};
	q.action = DVC_ACT_RECEIVE;
	ck_ok(dvc_dossier_act(db, r.code, &q, NULL));
	ck_ok(dvc_dossier_track(db, r.code, &admin, &t));
	ck_assert_str_eq(t->procedure, proc);
	ck_assert_str_eq(t->procedure_name, name);
	ck_assert_str_eq(t->applicant.address, addr);
	ck_assert_int_eq(t->n_steps, 3);
	dvc_tracking_free(t);
	for (int f = DVC_SLIP_HTML; f <= DVC_SLIP_XML; f++) {
		ck_ok(dvc_slip_render(db, r.code, DVC_SLIP_RECEIPT, (dvc_slip_format)f, &slip, NULL));
		ck_assert_ptr_nonnull(strstr(slip, name));
		ck_assert_ptr_nonnull(strstr(slip, addr));
		ck_assert(f == DVC_SLIP_HTML || strstr(slip, proc));
		dvc_free(slip);
		ck_ok(dvc_slip_render(db, r.code, DVC_SLIP_CONTROL, (dvc_slip_format)f, &slip, NULL));
		dvc_free(slip);
		ck_ok(dvc_register_render(db, NULL, (dvc_slip_format)f, &slip, NULL));
		ck_assert_ptr_nonnull(strstr(slip, addr));
		ck_assert_ptr_nonnull(strstr(slip, "+84912345678"));
		dvc_free(slip);
	}
	ck_ok(dvc_dossier_verify(db, r.code, &checked));
	ck_assert_uint_eq(checked, 1);
	free(doc);
	free(name);
	free(addr);
}

START_TEST(bug_codes_at_their_limit_work_end_to_end)
{
	char *c45 = repeat('Q', 45), *c64 = repeat('P', DVC_CATALOG_CODE_MAX),
	     *a64 = repeat('9', DVC_CATALOG_CODE_MAX);
	limit_dossier(c45, "000.77.30.H24");
	limit_dossier(c64, a64);
	free(c45);
	free(c64);
	free(a64);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		catalog_text_field_limit, catalog_code_limit, catalog_form_schema_limit,
		catalog_input_limit, search_text_limit, form_nesting_depth_limit,
		form_string_and_document_limits, calendar_schedule_limit, payment_callback_limits,
		applicant_and_officer_text_limits, bug_note_and_exemption_limits_answer_etoobig,
		bug_long_routes_and_fee_lists_are_refused_or_followed_whole,
		bug_codes_at_their_limit_work_end_to_end,
		fee_totals_past_the_amount_limit_are_refused, NULL};
	return run_tests("limits", setup, teardown, 300, tests);
}
