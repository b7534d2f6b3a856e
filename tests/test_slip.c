/* Official slips (Circular 01/2018/TT-VPCP forms 01-06): each form carries
 * the recorded facts that make it, in HTML and in well-formed XML; hostile
 * applicant data comes out escaped; slips that do not apply are refused;
 * the register lists exactly the dossiers of its period and desk. */
#include "testutil.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dvc/slip.h"

#define DESK "000.00.30.H24"
#define JUSTICE "000.01.30.H24"
#define CITY "000.00.00.H24"
#define P3 "T.000003"
#define FORM3 "{\"purpose\":\"Xin cấp bản sao\",\"copies\":2}"

static dvc_db *db;

static dvc_time at(const char *iso)
{
	dvc_time t;
	ck_ok(dvc_time_parse(iso, &t));
	return t;
}

static void setup(void)
{
	clock_now = at("2026-03-02T09:00:00+07:00"); /* a Monday */
	db = mem_db();
	dvc_set_clock(db, test_clock, NULL);
	ck_ok(dvc_catalog_import_file(db, src_path("tests/data/dossier_catalog.json"), DVC_FORMAT_AUTO, NULL));
	ck_ok(dvc_officer_add(db, "le.tiep.nhan", "Lê Tiếp Nhận", DESK, DVC_ROLE_RECEPTION));
	ck_ok(dvc_officer_add(db, "tran.chuyen.vien", "Trần Chuyên Viên", JUSTICE, DVC_ROLE_SPECIALIST));
	ck_ok(dvc_officer_add(db, "pham.chuyen.vien", "Phạm Chuyên Viên", JUSTICE, DVC_ROLE_SPECIALIST));
	ck_ok(dvc_officer_add(db, "nguyen.truong.phong", "Nguyễn Trưởng Phòng", JUSTICE, DVC_ROLE_UNIT_LEADER));
	ck_ok(dvc_officer_add(db, "hoang.lanh.dao", "Hoàng Lãnh Đạo", DESK, DVC_ROLE_SIGNING_LEADER));
	ck_ok(dvc_officer_add(db, "vu.so.tu.phap", "Vũ Sở Tư Pháp", CITY, DVC_ROLE_SPECIALIST));
}

static void teardown(void) { dvc_close(db); }

static dvc_receipt submit_as(const char *proc, const char *form, const dvc_applicant *who)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT;
	s.procedure = proc;
	s.applicant = who;
	s.form_data = form;
	ck_ok(dvc_dossier_submit(db, &s, &r));
	return r;
}

static dvc_receipt submit3(void) { return submit_as(P3, FORM3, &an_nguyen); }

/* A province-level procedure on the default route: its desk is the city's
 * department, not the district's one-stop desk. */
static const char CITY_CATALOG[] =
	"{\"format\":\"dvc-catalog\",\"format_version\":1,"
	"\"levels\":[{\"code\":\"province\",\"name\":\"Cấp tỉnh\",\"rank\":1}],"
	"\"sectors\":[{\"code\":\"TP\",\"name\":\"Tư pháp\"}],"
	"\"agencies\":[{\"code\":\"" CITY "\",\"name\":\"Sở Tư pháp thành phố Hải Phòng\","
	"\"level\":\"province\",\"parent\":null,\"valid_from\":\"2018-07-01\",\"valid_to\":null}],"
	"\"procedures\":[{\"code\":\"T.000009\",\"versions\":[{\"version\":1,\"valid_from\":\"2018-07-01\","
	"\"name\":\"Thủ tục cấp tỉnh\",\"sector\":\"TP\",\"levels\":[\"province\"],\"agency\":\"" CITY "\","
	"\"online_level\":4,\"online_mode\":\"full\",\"deadline\":{\"value\":5,\"unit\":\"days\"},"
	"\"result_type\":\"Văn bản\",\"legal_basis\":[\"Nghị định số 61/2018/NĐ-CP\"],"
	"\"documents\":[],\"fees\":[],\"unconfirmed\":[]}]}]}";

static void act(const char *code, dvc_action a, const char *officer, const char *note, const char *target)
{
	dvc_action_req r = officer_req(a, officer, note);
	r.target = target;
	ck_ok(dvc_dossier_act(db, code, &r, NULL));
}

static char *render(const char *code, dvc_slip_kind k, dvc_slip_format f)
{
	char *doc = NULL;
	size_t len = 0;
	ck_ok(dvc_slip_render(db, code, k, f, &doc, &len));
	ck_assert_ptr_nonnull(doc);
	ck_assert_uint_eq(strlen(doc), len);
	return doc;
}

#define ck_has(doc, s) ck_assert_msg(strstr((doc), (s)) != NULL, "missing: %s", (s))
#define ck_hasnt(doc, s) ck_assert_msg(strstr((doc), (s)) == NULL, "unexpected: %s", (s))

static size_t occurrences(const char *doc, const char *s)
{
	size_t n = 0;
	for (const char *p = doc; (p = strstr(p, s)) != NULL; p += strlen(s))
		n++;
	return n;
}

/* The official frame every HTML slip has: self-contained, printable, the
 * national header and the form number. */
static void ck_html_frame(const char *html, const char *form_no)
{
	char no[32];
	ck_has(html, "<!DOCTYPE html>");
	ck_has(html, "<meta charset=\"utf-8\">");
	ck_has(html, "@page{size:");
	ck_has(html, "serif");
	ck_has(html, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
	ck_has(html, "Độc lập - Tự do - Hạnh phúc");
	snprintf(no, sizeof no, "Mẫu số %s", form_no);
	ck_has(html, no);
	ck_hasnt(html, "<link");
	ck_hasnt(html, "src=");
	ck_hasnt(html, "http://");
	ck_hasnt(html, "https://");
	ck_hasnt(html, "<script");
}

/* ---- XML through libxml2 ---- */

static xmlDocPtr parse_xml(const char *xml)
{
	xmlDocPtr d = xmlReadMemory(xml, (int)strlen(xml), "slip.xml", "UTF-8", XML_PARSE_NONET);
	ck_assert_msg(d != NULL, "not well-formed XML:\n%s", xml);
	return d;
}

/* The string value of an XPath expression (static buffer). */
static const char *xp(xmlDocPtr d, const char *expr)
{
	static char buf[1024];
	char full[512];
	xmlXPathContextPtr ctx = xmlXPathNewContext(d);
	xmlXPathObjectPtr r;
	snprintf(full, sizeof full, "string(%s)", expr);
	r = xmlXPathEvalExpression((const xmlChar *)full, ctx);
	ck_assert_ptr_nonnull(r);
	snprintf(buf, sizeof buf, "%s", r->stringval ? (const char *)r->stringval : "");
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	return buf;
}

static int xp_count(xmlDocPtr d, const char *expr)
{
	char full[512];
	xmlXPathContextPtr ctx = xmlXPathNewContext(d);
	xmlXPathObjectPtr r;
	int n;
	snprintf(full, sizeof full, "count(%s)", expr);
	r = xmlXPathEvalExpression((const xmlChar *)full, ctx);
	ck_assert_ptr_nonnull(r);
	n = (int)r->floatval;
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	return n;
}

/* Slip `k` of dossier `code` in HTML: it has the frame of form `form_no` and
 * each string of `has` (ending with NULL). Free with dvc_free(). */
static char *ck_html(const char *code, dvc_slip_kind k, const char *form_no, const char *const *has)
{
	char *doc = render(code, k, DVC_SLIP_HTML);
	ck_html_frame(doc, form_no);
	for (; *has; has++)
		ck_has(doc, *has);
	return doc;
}

/* Slip `k` of dossier `code` in XML: each XPath expression of `xml` (path and
 * value pairs, ending with NULL) has the value beside it. Free with
 * xmlFreeDoc(). */
static xmlDocPtr ck_xml(const char *code, dvc_slip_kind k, const char *const *xml)
{
	char *doc = render(code, k, DVC_SLIP_XML);
	xmlDocPtr d = parse_xml(doc);
	dvc_free(doc);
	for (; *xml; xml += 2)
		ck_assert_msg(strcmp(xp(d, xml[0]), xml[1]) == 0, "%s is '%s', want '%s'", xml[0],
			      xp(d, xml[0]), xml[1]);
	return d;
}

/* Both, for a slip that needs no other check. */
static void ck_slip(const char *code, dvc_slip_kind k, const char *form_no,
		    const char *const *has, const char *const *xml)
{
	dvc_free(ck_html(code, k, form_no, has));
	xmlFreeDoc(ck_xml(code, k, xml));
}

/* The register for `o` (NULL: everything) in XML, parsed. Free with
 * xmlFreeDoc(). */
static xmlDocPtr register_xml(const dvc_register_opts *o)
{
	char *doc;
	xmlDocPtr d;
	ck_ok(dvc_register_render(db, o, DVC_SLIP_XML, &doc, NULL));
	d = parse_xml(doc);
	dvc_free(doc);
	return d;
}

/* ---- form 01 ---- */

START_TEST(receipt_carries_intake_appointment_documents_and_officer)
{
	dvc_receipt r = submit3();
	const char *const has[] = {
		"GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
		"Ủy ban nhân dân huyện Kiến Thụy",
		"Kiến Thụy, ngày 02 tháng 3 năm 2026",
		r.code,
		"Nguyễn Văn An",
		"Thôn 3, xã Thụy Hương, huyện Kiến Thụy",
		"+84912345678",
		"an.nguyen@example.vn",
		"Thủ tục thử nghiệm mức độ 3 qua hai đơn vị",
		"<td>Tờ khai</td><td class=\"c\">Bản chính</td><td class=\"c\">01</td>",
		"3 ngày làm việc",
		"10 giờ 15 phút, ngày 02 tháng 3 năm 2026", /* received */
		"10 giờ 15 phút, ngày 05 tháng 3 năm 2026", /* appointment: 3 working days */
		"Lê Tiếp Nhận",
		"NGƯỜI TIẾP NHẬN HỒ SƠ",
		"Tra cứu",
		NULL};
	const char *const xml[] = {
		"/slip/@kind", "receipt",
		"/slip/@form", "01",
		"/slip/@circular", "01/2018/TT-VPCP",
		"/slip/dossier_code", r.code,
		"/slip/applicant/name", "Nguyễn Văn An",
		"/slip/received_at", "2026-03-02T10:15:00+07:00",
		"/slip/due_at", "2026-03-05T10:15:00+07:00",
		"count(/slip/documents/document)", "1",
		"/slip/documents/document[1]", "Tờ khai",
		"/slip/documents/document[1]/@form", "original",
		"/slip/documents/document[1]/@count", "1",
		"/slip/receiving_desk/@code", DESK,
		"/slip/receiving_officer/@username", "le.tiep.nhan",
		"/slip/place", "Kiến Thụy",
		NULL};
	char *html;
	clock_now = at("2026-03-02T10:15:00+07:00");
	act(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL, NULL);

	html = ck_html(r.code, DVC_SLIP_RECEIPT, "01", has);
	ck_hasnt(html, r.secret); /* stored hashed: never printed */
	dvc_free(html);
	xmlFreeDoc(ck_xml(r.code, DVC_SLIP_RECEIPT, xml));
}
END_TEST

START_TEST(hostile_applicant_data_is_escaped_and_nfc)
{
	dvc_applicant evil = an_nguyen;
	dvc_receipt r = DVC_RECEIPT_INIT;
	char *html, *xml;
	xmlDocPtr d;
	evil.full_name = "<script>alert(1)</script>";
	/* NFD: "Thôn" with U+006F U+0302 */
	evil.address = "Tho\xcc\x82n 3 & \"ngõ\" <b>5</b>";
	r = submit_as(P3, FORM3, &evil);
	act(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL, NULL);
	for (int k = 0; k < 2; k++) {
		dvc_slip_kind kind = k ? DVC_SLIP_CONTROL : DVC_SLIP_RECEIPT;
		html = render(r.code, kind, DVC_SLIP_HTML);
		ck_hasnt(html, "<script");
		ck_hasnt(html, "<b>5");
		ck_has(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
		ck_has(html, "Thôn 3 &amp; &quot;ngõ&quot; &lt;b&gt;5&lt;/b&gt;"); /* composed */
		ck_hasnt(html, "o\xcc\x82");
		dvc_free(html);
		xml = render(r.code, kind, DVC_SLIP_XML);
		d = parse_xml(xml);
		ck_assert_str_eq(xp(d, "/slip/applicant/name"), "<script>alert(1)</script>");
		ck_assert_str_eq(xp(d, "/slip/applicant/address"), "Thôn 3 & \"ngõ\" <b>5</b>");
		ck_assert_int_eq(xp_count(d, "//script"), 0);
		xmlFreeDoc(d);
		dvc_free(xml);
	}
}
END_TEST

/* ---- form 02 ---- */

START_TEST(supplement_slip_lists_what_to_supply)
{
	static const char *const has[] = {
		"PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
		"<li>Bổ sung: bản sao giấy khai sinh</li>",
		"<li>tờ khai có chữ ký</li>",
		"Lý do",
		"Lê Tiếp Nhận",
		"14 giờ 30 phút, ngày 02 tháng 3 năm 2026",
		"Kiến Thụy, ngày 02 tháng 3 năm 2026",
		NULL};
	static const char *const xml[] = {
		"/slip/@form", "02",
		"count(/slip/items/item)", "2",
		"/slip/items/item[2]", "tờ khai có chữ ký",
		"/slip/requested_at", "2026-03-02T14:30:00+07:00",
		"/slip/requested_by/@username", "le.tiep.nhan",
		NULL};
	dvc_receipt r = submit3();
	char *doc;
	xmlDocPtr d;
	dvc_slip_kind none = DVC_SLIP_SUPPLEMENT;
	/* never asked: the slip does not apply */
	ck_dvc(dvc_slip_render(db, r.code, none, DVC_SLIP_HTML, &doc, NULL), DVC_ETRANSITION);
	ck_assert_ptr_null(doc);
	clock_now = at("2026-03-02T14:30:00+07:00");
	act(r.code, DVC_ACT_REQUEST_SUPPLEMENT, "le.tiep.nhan",
	    "Bổ sung: bản sao giấy khai sinh; tờ khai có chữ ký", NULL);

	dvc_free(ck_html(r.code, DVC_SLIP_SUPPLEMENT, "02", has));
	d = ck_xml(r.code, DVC_SLIP_SUPPLEMENT, xml);
	ck_assert(strlen(xp(d, "/slip/reason")) > 0);
	xmlFreeDoc(d);
}
END_TEST

/* ---- form 03 ---- */

START_TEST(refusal_slip_gives_the_reasons)
{
	static const char *const has[] = {
		"PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
		"không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau",
		"Hồ sơ không thuộc thẩm quyền giải quyết của huyện", "Nguyễn Văn An", NULL};
	static const char *const xml[] = {
		"/slip/reasons", "Hồ sơ không thuộc thẩm quyền giải quyết của huyện",
		"/slip/refused_by", "Lê Tiếp Nhận", NULL};
	dvc_receipt r = submit3();
	char *doc = NULL;
	ck_dvc(dvc_slip_render(db, r.code, DVC_SLIP_REFUSAL, DVC_SLIP_XML, &doc, NULL), DVC_ETRANSITION);
	act(r.code, DVC_ACT_REJECT, "le.tiep.nhan", "Hồ sơ không thuộc thẩm quyền giải quyết của huyện", NULL);
	ck_slip(r.code, DVC_SLIP_REFUSAL, "03", has, xml);
}
END_TEST

/* ---- form 04 ---- */

START_TEST(apology_slip_gives_the_reason_and_the_new_date)
{
	static const char *const has[] = {
		"PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
		"Phòng Tư pháp huyện Kiến Thụy", /* the late agency apologises */
		"Kiến Thụy, ngày 09 tháng 3 năm 2026", "Kính gửi: Nguyễn Văn An",
		"Phải xác minh thêm với cơ quan khác",
		"10 giờ 15 phút, ngày 05 tháng 3 năm 2026", /* the missed appointment */
		"16 giờ 00 phút, ngày 12 tháng 3 năm 2026", /* the new one */
		"xin lỗi Ông/Bà", NULL};
	static const char *const xml[] = {
		"/slip/@kind", "apology",
		"/slip/reason", "Phải xác minh thêm với cơ quan khác",
		"/slip/new_due_at", "2026-03-12T16:00:00+07:00",
		"/slip/due_at", "2026-03-05T10:15:00+07:00",
		"/slip/issuer/@code", JUSTICE, NULL};
	dvc_receipt r = submit3();
	dvc_action_req q = DVC_ACTION_INIT;
	char *doc = NULL;
	clock_now = at("2026-03-02T10:15:00+07:00");
	act(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL, NULL);
	act(r.code, DVC_ACT_FORWARD, "le.tiep.nhan", NULL, NULL);
	ck_dvc(dvc_slip_render(db, r.code, DVC_SLIP_APOLOGY, DVC_SLIP_HTML, &doc, NULL), DVC_ETRANSITION);
	clock_now = at("2026-03-09T08:00:00+07:00");
	q.action = DVC_ACT_RESCHEDULE;
	q.actor = (dvc_actor){DVC_ACTOR_OFFICER, "tran.chuyen.vien", NULL};
	q.note = "Phải xác minh thêm với cơ quan khác";
	q.new_due = at("2026-03-12T16:00:00+07:00");
	ck_ok(dvc_dossier_act(db, r.code, &q, NULL));

	ck_slip(r.code, DVC_SLIP_APOLOGY, "04", has, xml);
}
END_TEST

/* ---- form 05 ---- */

START_TEST(control_sheet_has_one_row_per_handover)
{
	static const char *const has[] = {
		"PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
		"Sở Tư pháp thành phố Hải Phòng", /* coordinating agency */
		"Đề nghị Sở xác minh",
		"Trước hạn",
		"Đúng hạn",
		"Quá hạn",
		NULL};
	static const char *const xml[] = {
		"/slip/handovers/@count", "7",
		"count(/slip/handovers/handover)", "7",
		"/slip/handovers/handover[1]/@action", "forward",
		"/slip/handovers/handover[1]/from_unit/@code", DESK,
		"/slip/handovers/handover[1]/to_unit/@code", JUSTICE,
		"/slip/handovers/handover[1]/from_officer", "Lê Tiếp Nhận",
		"/slip/handovers/handover[1]/to_officer", "Nguyễn Trưởng Phòng",
		"/slip/handovers/handover[1]/result", "early",
		"/slip/handovers/handover[3]/to_unit/@code", CITY,
		"/slip/handovers/handover[3]/to_officer", "Vũ Sở Tư Pháp",
		"/slip/handovers/handover[4]/result", "on_time",
		"/slip/handovers/handover[6]/result", "late",
		"/slip/handovers/handover[7]/@action", "return",
		"/slip/handovers/handover[7]/to_officer", "Nguyễn Văn An",
		"/slip/coordinating/agency/@code", CITY,
		"/slip/lead_agency/@code", JUSTICE,
		NULL};
	dvc_receipt r = submit3();
	char *doc = NULL;
	xmlDocPtr d;
	ck_dvc(dvc_slip_render(db, r.code, DVC_SLIP_CONTROL, DVC_SLIP_HTML, &doc, NULL), DVC_ETRANSITION);
	clock_now = at("2026-03-02T10:15:00+07:00");
	act(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL, NULL);
	doc = render(r.code, DVC_SLIP_CONTROL, DVC_SLIP_XML); /* received, nothing handed over yet */
	d = parse_xml(doc);
	ck_assert_int_eq(xp_count(d, "/slip/handovers/handover"), 0);
	xmlFreeDoc(d);
	dvc_free(doc);

	act(r.code, DVC_ACT_FORWARD, "le.tiep.nhan", NULL, NULL);                    /* 1 desk -> justice */
	act(r.code, DVC_ACT_ASSIGN, "nguyen.truong.phong", NULL, "pham.chuyen.vien"); /* 2 */
	act(r.code, DVC_ACT_TRANSFER, "pham.chuyen.vien", "Đề nghị Sở xác minh", CITY); /* 3 */
	clock_now = at("2026-03-05T09:00:00+07:00");
	act(r.code, DVC_ACT_FORWARD, "vu.so.tu.phap", NULL, NULL);       /* 4 city -> justice leader */
	act(r.code, DVC_ACT_FORWARD, "nguyen.truong.phong", NULL, NULL); /* 5 -> desk signing leader */
	clock_now = at("2026-03-06T09:00:00+07:00");
	act(r.code, DVC_ACT_FORWARD, "hoang.lanh.dao", NULL, NULL);      /* 6 result back to the desk */
	act(r.code, DVC_ACT_RETURN, "le.tiep.nhan", NULL, NULL);         /* 7 to the applicant */

	doc = ck_html(r.code, DVC_SLIP_CONTROL, "05", has);
	ck_assert_uint_eq(occurrences(doc, ". Giao: "), 7);
	dvc_free(doc);
	xmlFreeDoc(ck_xml(r.code, DVC_SLIP_CONTROL, xml));
}
END_TEST

/* ---- errors and names ---- */

START_TEST(unknown_dossiers_kinds_and_formats_are_refused)
{
	dvc_receipt r = submit3();
	dvc_slip_kind k;
	char *doc = (char *)1;
	ck_dvc(dvc_slip_render(db, DESK "-260302-9999", DVC_SLIP_RECEIPT, DVC_SLIP_HTML, &doc, NULL),
	       DVC_ENOTFOUND);
	ck_assert_ptr_null(doc);
	ck_dvc(dvc_slip_render(db, DESK "-260302-9999", DVC_SLIP_CONTROL, DVC_SLIP_XML, &doc, NULL),
	       DVC_ENOTFOUND);
	ck_dvc(dvc_slip_render(db, r.code, (dvc_slip_kind)99, DVC_SLIP_HTML, &doc, NULL), DVC_EINVAL);
	ck_dvc(dvc_slip_render(db, r.code, (dvc_slip_kind)-1, DVC_SLIP_HTML, &doc, NULL), DVC_EINVAL);
	ck_dvc(dvc_slip_render(db, r.code, DVC_SLIP_RECEIPT, (dvc_slip_format)7, &doc, NULL), DVC_EINVAL);
	ck_dvc(dvc_slip_render(db, r.code, DVC_SLIP_RECEIPT, DVC_SLIP_HTML, NULL, NULL), DVC_EINVAL);
	ck_dvc(dvc_slip_render(db, NULL, DVC_SLIP_RECEIPT, DVC_SLIP_HTML, &doc, NULL), DVC_EINVAL);
	/* submitted, not received: no receipt yet */
	ck_dvc(dvc_slip_render(db, r.code, DVC_SLIP_RECEIPT, DVC_SLIP_HTML, &doc, NULL), DVC_ETRANSITION);

	static const char *const names[] = {"receipt", "supplement", "refusal", "apology", "control"};
	for (int i = 0; i < 5; i++) {
		ck_ok(dvc_slip_kind_parse(names[i], &k));
		ck_assert_int_eq(k, i);
		ck_assert_str_eq(dvc_slip_kind_name(k), names[i]);
	}
	ck_dvc(dvc_slip_kind_parse("register", &k), DVC_EINVAL);
	ck_dvc(dvc_slip_kind_parse("Receipt", &k), DVC_EINVAL);
	ck_dvc(dvc_slip_kind_parse(NULL, &k), DVC_EINVAL);
	ck_assert_ptr_null(dvc_slip_kind_name((dvc_slip_kind)5));
}
END_TEST

/* ---- form 06 ---- */

START_TEST(register_lists_the_period_and_desk_and_only_those)
{
	dvc_receipt a = DVC_RECEIPT_INIT, b = DVC_RECEIPT_INIT, c = DVC_RECEIPT_INIT, other = DVC_RECEIPT_INIT;
	dvc_register_opts o = DVC_REGISTER_OPTS_INIT;
	char *doc;
	xmlDocPtr d;
	size_t len;
	clock_now = at("2026-03-02T09:00:00+07:00");
	a = submit3();
	clock_now = at("2026-03-03T09:00:00+07:00");
	b = submit3();
	ck_ok(dvc_catalog_import(db, CITY_CATALOG, strlen(CITY_CATALOG), DVC_FORMAT_JSON, NULL));
	clock_now = at("2026-03-03T09:30:00+07:00");
	other = submit_as("T.000009", NULL, &an_nguyen); /* another desk: the city's department */
	ck_assert_str_eq(other.code, CITY "-260303-0001");
	clock_now = at("2026-03-03T10:00:00+07:00");
	act(b.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL, NULL);
	act(b.code, DVC_ACT_FORWARD, "le.tiep.nhan", NULL, NULL);
	clock_now = at("2026-03-05T09:00:00+07:00");
	c = submit3();

	o.unit = DESK;
	o.from = at("2026-03-03T00:00:00+07:00");
	o.to = at("2026-03-05T00:00:00+07:00");
	ck_ok(dvc_register_render(db, &o, DVC_SLIP_XML, &doc, &len));
	ck_assert_uint_eq(strlen(doc), len);
	d = parse_xml(doc);
	ck_assert_str_eq(xp(d, "/register/@form"), "06");
	ck_assert_str_eq(xp(d, "/register/entries/@count"), "1");
	ck_assert_int_eq(xp_count(d, "/register/entries/entry"), 1);
	ck_assert_str_eq(xp(d, "/register/entries/entry[1]/code"), b.code);
	ck_assert_str_eq(xp(d, "/register/entries/entry[1]/received_at"), "2026-03-03T10:00:00+07:00");
	ck_assert_str_eq(xp(d, "/register/entries/entry[1]/transferred_at"), "2026-03-03T10:00:00+07:00");
	ck_assert_str_eq(xp(d, "/register/entries/entry[1]/lead_agency/@code"), JUSTICE);
	xmlFreeDoc(d);
	dvc_free(doc);

	ck_ok(dvc_register_render(db, &o, DVC_SLIP_HTML, &doc, NULL));
	ck_html_frame(doc, "06");
	ck_has(doc, "SỔ THEO DÕI HỒ SƠ");
	ck_has(doc, "size:A4 landscape");
	ck_has(doc, b.code);
	ck_hasnt(doc, a.code);
	ck_hasnt(doc, c.code);
	ck_hasnt(doc, other.code);
	ck_has(doc, "Từ ngày 03 tháng 3 năm 2026 đến ngày 04 tháng 3 năm 2026");
	dvc_free(doc);

	/* every desk: the other desk's dossier of that day too, oldest first */
	o.unit = NULL;
	d = register_xml(&o);
	ck_assert_int_eq(xp_count(d, "/register/entries/entry"), 2);
	ck_assert_str_eq(xp(d, "/register/entries/entry[1]/code"), b.code);
	ck_assert_str_eq(xp(d, "/register/entries/entry[2]/code"), other.code);
	xmlFreeDoc(d);

	/* no options: everything, oldest first */
	d = register_xml(NULL);
	ck_assert_int_eq(xp_count(d, "/register/entries/entry"), 4);
	ck_assert_str_eq(xp(d, "/register/entries/entry[1]/code"), a.code);
	ck_assert_str_eq(xp(d, "/register/entries/entry[4]/code"), c.code);
	xmlFreeDoc(d);

	/* an empty period is an empty register, not an error */
	o.from = at("2027-01-01T00:00:00+07:00");
	o.to = 0;
	ck_ok(dvc_register_render(db, &o, DVC_SLIP_HTML, &doc, NULL));
	ck_has(doc, "Không có hồ sơ trong kỳ");
	dvc_free(doc);

	o.to = o.from;
	ck_dvc(dvc_register_render(db, &o, DVC_SLIP_XML, &doc, NULL), DVC_EINVAL);
	o = (dvc_register_opts)DVC_REGISTER_OPTS_INIT;
	o.version = 99;
	ck_dvc(dvc_register_render(db, &o, DVC_SLIP_XML, &doc, NULL), DVC_EINVAL);
	ck_dvc(dvc_register_render(db, NULL, (dvc_slip_format)3, &doc, NULL), DVC_EINVAL);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		receipt_carries_intake_appointment_documents_and_officer,
		hostile_applicant_data_is_escaped_and_nfc, supplement_slip_lists_what_to_supply,
		refusal_slip_gives_the_reasons, apology_slip_gives_the_reason_and_the_new_date,
		control_sheet_has_one_row_per_handover,
		unknown_dossiers_kinds_and_formats_are_refused,
		register_lists_the_period_and_desk_and_only_those, NULL};
	return run_tests("slip", setup, teardown, 120, tests);
}
