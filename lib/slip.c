/*
 * Official slips, Circular 01/2018/TT-VPCP forms 01-06, as printable HTML
 * and as XML (see include/dvc/slip.h for the XML vocabulary). Circular
 * 03/2025/TT-VPCP's seven forms (from 15 September 2025) are not built:
 * slip.h says why.
 *
 * How a slip is made. Every form reads the same three things: the dossier's
 * tracking view (dvc__dossier_track: applicant, dates, history), the
 * procedure version the dossier is bound to (name, documents, deadline,
 * route) and names from the catalog (agencies, officers). A form then picks
 * the journal entry that makes it apply (FORMS[] below says which) and
 * writes its content once through a small writer (`out`) whose calls do the
 * right thing for each format: prose and layout exist only in HTML, fields
 * exist in both, and XML carries every field with machine values (codes,
 * ISO 8601 instants) where HTML carries the Vietnamese reading.
 *
 * Sources for the field lists (consulted 2026; the circular's appendix
 * itself was not reachable, so each form was checked against what was):
 *
 *  - Confirmed, trangtinphapluat.com "Tổng hợp các biểu mẫu trong quy trình
 *    giải quyết thủ tục hành chính" (forms of Circular 01/2018/TT-VPCP):
 *    the six forms and their titles; forms 01-05 designed for A5 paper and
 *    form 06 for A4; form 01's header "TÊN CQ ... / TRUNG TÂM PHỤC VỤ HÀNH
 *    CHÍNH CÔNG (hoặc) BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", "Số: .../TTPVHCC"
 *    on the left, the national motto on the right.
 *  - Confirmed from templates of public one-stop systems that reproduce the
 *    forms (GitHub, e.g. Tinhtue2010/ThutucSV resources/views/document/
 *    tiepnhan, huongdanbosung, tuchoi; land-registry and provincial portals
 *    found by text search):
 *      form 01: "Mã hồ sơ" under the title; "... đã tiếp nhận hồ sơ của";
 *        name, phone, e-mail; "Nội dung yêu cầu giải quyết"; documents table
 *        "TT | Tên giấy tờ | Hình thức (bản chính, bản sao hoặc bản chụp) |
 *        Số lượng"; "Số lượng hồ sơ: 01 (bộ)"; "Thời gian nhận hồ sơ: ... giờ
 *        ... phút, ngày ..."; "Thời gian trả kết quả giải quyết hồ sơ";
 *        "Đăng ký nhận kết quả tại"; "Vào Sổ theo dõi hồ sơ, Quyển số ... Số
 *        thứ tự ..."; signatures NGƯỜI NỘP HỒ SƠ / NGƯỜI TIẾP NHẬN HỒ SƠ
 *        "(Ký và ghi rõ họ tên)".
 *      form 02: "Hồ sơ của", contact, "Nội dung yêu cầu giải quyết", the
 *        numbered list of what to supplement, "Lý do", "Xin thông báo ...
 *        được biết", signed by the officer.
 *      form 03: "Qua xem xét, ... thông báo không tiếp nhận, giải quyết hồ
 *        sơ này với lý do cụ thể như sau", signed by the receiving officer.
 *      form 04: "Kính gửi", the reception date, the dossier number, the
 *        appointment, "Lý do", the apology, the new date.
 *      form 05: "Kèm theo hồ sơ của", "Mã hồ sơ", the table "TÊN CƠ QUAN |
 *        THỜI GIAN GIAO, NHẬN HỒ SƠ (Người giao / Người nhận) | KẾT QUẢ GIẢI
 *        QUYẾT HỒ SƠ (Trước hạn/đúng hạn/quá hạn) | GHI CHÚ", rows "Giao:
 *        ... Nhận: ...".
 *  - Inferred (from the Decree 61/2018 process and the usual printed
 *    forms, not confirmed from a source): form 01 item "Thời gian giải
 *    quyết hồ sơ theo quy định"; form 02 guidance line "nếu có vướng mắc,
 *    Ông/Bà liên hệ ..." and its "NGƯỜI HƯỚNG DẪN" signature; form 04's
 *    wording "Sự chậm trễ này đã gây phiền hà ..." and its signature by the
 *    head of the agency; form 05's "Cơ quan (bộ phận) giải quyết" and
 *    "Cơ quan phối hợp" lines; every column of form 06 (Sổ theo dõi hồ sơ:
 *    TT, mã hồ sơ, tên TTHC, số lượng hồ sơ, tên cá nhân/tổ chức, địa chỉ
 *    và số điện thoại, cơ quan chủ trì, nhận hồ sơ, hẹn trả, chuyển hồ sơ
 *    đến cơ quan giải quyết, nhận kết quả từ cơ quan giải quyết, trả kết quả
 *    và ký nhận, ghi chú), which matches DOMAIN.md but no source seen.
 *  - Left out: "Chữ ký số của Tổ chức (nếu là biểu mẫu điện tử)" (a place
 *    for a digital signature, not printable) and the slip number "Số:
 *    .../TTPVHCC" (the library numbers dossiers, not slips: the dossier
 *    code stands in).
 *  - Our own data, not in the circular's wording: the supplement reason is
 *    not recorded separately from the list (the journal note holds the
 *    list), so form 02 states the general reason; the stopped clock line.
 *
 * Dates follow Decree 30/2020/NĐ-CP: day with two digits, months 1 and 2
 * with a leading zero ("ngày 05 tháng 02 năm 2026", "ngày 02 tháng 7 năm
 * 2018"), in Vietnam's time (UTC+7).
 */
#include "dvc/slip.h"
#include "dvc/privacy.h"
#include "dvc/validate.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dvc/account.h"
#include "dvc/calendar.h"
#include "dvc/catalog.h"
#include "dvc/dossier.h"
#include "store_internal.h"
#include "dossier_internal.h"
#include "text.h"

#define CIRCULAR "01/2018/TT-VPCP"
#define DESK_VI "Bộ phận Tiếp nhận và Trả kết quả"

/* ---- the forms, as data ---- */

typedef struct form_def {
	const char *name;    /* kind name (API, XML kind attribute) */
	const char *number;  /* "01" */
	const char *title;
	int needs;           /* the journal action that makes it apply, or -1 */
} form_def;

static const form_def FORMS[DVC_SLIP_KIND_COUNT] = {
	[DVC_SLIP_RECEIPT] = {"receipt", "01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", DVC_ACT_RECEIVE},
	[DVC_SLIP_SUPPLEMENT] = {"supplement", "02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
				 DVC_ACT_REQUEST_SUPPLEMENT},
	[DVC_SLIP_REFUSAL] = {"refusal", "03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", DVC_ACT_REJECT},
	[DVC_SLIP_APOLOGY] = {"apology", "04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
			      DVC_ACT_RESCHEDULE},
	/* the control sheet accompanies a received dossier: it needs the intake */
	[DVC_SLIP_CONTROL] = {"control", "05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", DVC_ACT_RECEIVE},
};

#define REGISTER_TITLE "SỔ THEO DÕI HỒ SƠ"

/* Journal actions that hand the dossier (or its result) from one holder to
 * another: the rows of the control sheet (form 05). */
static const struct {
	dvc_action action;
	const char *label;
} HANDOVERS[] = {
	{DVC_ACT_FORWARD, "Chuyển xử lý"},
	{DVC_ACT_SEND_BACK, "Trả lại bước trước"},
	{DVC_ACT_TRANSFER, "Chuyển liên thông"},
	{DVC_ACT_ASSIGN, "Phân công cán bộ xử lý"},
	{DVC_ACT_RETURN, "Trả kết quả cho tổ chức, cá nhân"},
};

static const char *const DOC_FORM_VI[] = {"Bản chính", "Bản sao", "Bản chính hoặc bản sao"};
static const char *const DOC_FORM_XML[] = {"original", "copy", "original_or_copy"};

/* Words that introduce the place name in an agency's name ("Ủy ban nhân
 * dân huyện Kiến Thụy" -> "Kiến Thụy"): the date line's place. */
static const char *const PLACE_MARKERS[] = {
	"thành phố ", "Thành phố ", "thị xã ", "Thị xã ", "thị trấn ", "Thị trấn ",
	"huyện ", "Huyện ", "quận ", "Quận ", "tỉnh ", "Tỉnh ",
	"phường ", "Phường ", "xã ", "Xã ", "đặc khu ", "Đặc khu ",
};

int dvc_slip_kind_parse(const char *name, dvc_slip_kind *out)
{
	if (!name || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_slip_kind_parse needs a name and an out pointer");
	for (int i = 0; i < DVC_SLIP_KIND_COUNT; i++)
		if (strcmp(FORMS[i].name, name) == 0) {
			*out = (dvc_slip_kind)i;
			return DVC_OK;
		}
	return dvc__err(DVC_EINVAL, "kind",
			"unknown slip kind '%.64s' (receipt, supplement, refusal, apology, control)", name);
}

static const char *const slip_format_names[] = {"html", "xml"};

DVC__ENUM_NAMES(slip_format, dvc_slip_format, slip_format_names, "slip format")

const char *dvc_slip_kind_name(dvc_slip_kind kind)
{
	return (unsigned)kind < DVC_SLIP_KIND_COUNT ? FORMS[kind].name : NULL;
}

/* ---- text: escaping, dates, places ---- */

/* Append `s` escaped for HTML and XML text and attributes alike, in NFC,
 * with invalid UTF-8 replaced by U+FFFD and C0 controls (not valid in XML
 * 1.0) by spaces. Recorded texts come from applicants: nothing passes raw. */
static void put_esc(dvc_buf *b, const char *s)
{
	dvc_buf clean = DVC_BUF_INIT, nfc = DVC_BUF_INIT;
	const char *p;
	size_t n;
	if (!s)
		return;
	n = strlen(s);
	while (n) {
		size_t ok = dvc__utf8_check(s, n);
		dvc_buf_put(&clean, s, ok);
		if (ok == n)
			break;
		dvc_buf_puts(&clean, "\xEF\xBF\xBD");
		s += ok + 1;
		n -= ok + 1;
	}
	if (clean.len)
		dvc__nfc(clean.ptr, clean.len, &nfc);
	if (clean.oom || nfc.oom)
		b->oom = true;
	p = nfc.ptr ? nfc.ptr : "";
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		switch (c) {
		case '&': dvc_buf_puts(b, "&amp;"); break;
		case '<': dvc_buf_puts(b, "&lt;"); break;
		case '>': dvc_buf_puts(b, "&gt;"); break;
		case '"': dvc_buf_puts(b, "&quot;"); break;
		case '\'': dvc_buf_puts(b, "&#39;"); break;
		default:
			dvc_buf_putc(b, c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? ' ' : (char)c);
		}
	}
	dvc_buf_free(&clean);
	dvc_buf_free(&nfc);
}

typedef struct local_tm {
	int y, mo, d, h, mi;
} local_tm;

static int to_local(dvc_time t, local_tm *lt)
{
	dvc_date date;
	int sec;
	int rc = dvc_time_to_local(t, &date, &sec);
	if (rc != DVC_OK)
		return rc;
	lt->y = date.year;
	lt->mo = date.month;
	lt->d = date.day;
	lt->h = sec / 3600;
	lt->mi = sec / 60 % 60;
	return DVC_OK;
}

/* "ngày 05 tháng 3 năm 2026" (months 1-2 with a leading zero, Decree 30). */
static void vi_date(dvc_time t, char *out, size_t n)
{
	local_tm lt;
	if (!t || to_local(t, &lt) != DVC_OK) {
		snprintf(out, n, "ngày ... tháng ... năm ...");
		return;
	}
	snprintf(out, n, lt.mo < 3 ? "ngày %02d tháng %02d năm %d" : "ngày %02d tháng %d năm %d", lt.d,
		 lt.mo, lt.y);
}

/* "10 giờ 15 phút, ngày 05 tháng 3 năm 2026" */
static void vi_time(dvc_time t, char *out, size_t n)
{
	local_tm lt;
	char day[48];
	if (!t || to_local(t, &lt) != DVC_OK) {
		snprintf(out, n, "... giờ ... phút, ngày ... tháng ... năm ...");
		return;
	}
	vi_date(t, day, sizeof day);
	snprintf(out, n, "%02d giờ %02d phút, %s", lt.h, lt.mi, day);
}

/* "05/03/2026 10:15", for the register's narrow columns. */
static void short_time(dvc_time t, char *out, size_t n)
{
	local_tm lt;
	if (!t || to_local(t, &lt) != DVC_OK) {
		snprintf(out, n, "%s", "");
		return;
	}
	snprintf(out, n, "%02d/%02d/%04d %02d:%02d", lt.d, lt.mo, lt.y, lt.h, lt.mi);
}

static void iso(dvc_time t, char out[DVC_TIME_FORMAT_SIZE])
{
	if (!t || dvc_time_format(t, out, DVC_TIME_FORMAT_SIZE) != DVC_OK)
		out[0] = '\0';
}

static int same_local_day(dvc_time a, dvc_time b)
{
	local_tm x, y;
	return to_local(a, &x) == DVC_OK && to_local(b, &y) == DVC_OK && x.y == y.y && x.mo == y.mo &&
	       x.d == y.d;
}

/* The place in an agency's name: what follows the last administrative word. */
static const char *place_of(const char *agency)
{
	const char *best = "";
	size_t best_end = 0;
	if (!agency)
		return best;
	for (size_t i = 0; i < DVC_ARRAY_LEN(PLACE_MARKERS); i++) {
		const char *m = PLACE_MARKERS[i], *p = agency;
		size_t ml = strlen(m);
		while ((p = strstr(p, m)) != NULL) {
			size_t end = (size_t)(p - agency) + ml;
			if ((p == agency || p[-1] == ' ') && end >= best_end && agency[end]) {
				best_end = end;
				best = agency + end;
			}
			p += ml;
		}
	}
	return best;
}

/* ---- names: agencies and officers, loaded once per render ---- */

typedef struct officer_cache {
	struct officer_cache *next;
	char *username;
	dvc_officer *o; /* NULL: not an officer of this store */
} officer_cache;

typedef struct names {
	dvc_db *db;
	dvc_arena arena; /* agency names read during this render */
	officer_cache *officers;
} names;

static void names_free(names *n)
{
	dvc_arena_free(&n->arena);
	while (n->officers) {
		officer_cache *next = n->officers->next;
		dvc_officer_free(n->officers->o);
		dvc__free(n->officers->username);
		dvc__free(n->officers);
		n->officers = next;
	}
}

/* The agency's name, or its code when the catalog does not know it. */
static int agency_name(names *n, const char *code, const char **out)
{
	int rc;
	*out = code ? code : "";
	if (!code)
		return DVC_OK;
	rc = dvc__store_agency_name(n->db, code, &n->arena, out);
	if (rc == DVC_ENOTFOUND) {
		*out = code;
		return DVC_OK;
	}
	return rc;
}

/* The officer behind a journal actor label ("officer:le.tiep.nhan"), or
 * NULL for applicants and officers no longer in the store. */
static int officer_of(names *n, const char *actor, const dvc_officer **out)
{
	static const char prefix[] = "officer:";
	const char *username;
	officer_cache *c;
	int rc;
	*out = NULL;
	if (!actor || strncmp(actor, prefix, sizeof prefix - 1) != 0)
		return DVC_OK;
	username = actor + sizeof prefix - 1;
	for (c = n->officers; c; c = c->next)
		if (strcmp(c->username, username) == 0) {
			*out = c->o;
			return DVC_OK;
		}
	if (!(c = dvc__calloc(1, sizeof *c)) || !(c->username = dvc__strdup(username))) {
		dvc__free(c);
		return dvc__oom();
	}
	c->next = n->officers;
	n->officers = c;
	rc = dvc_officer_get(n->db, username, &c->o);
	if (rc == DVC_ENOTFOUND) {
		c->o = NULL;
		dvc_error_clear();
		return DVC_OK;
	}
	if (rc != DVC_OK)
		return rc;
	*out = c->o;
	return DVC_OK;
}

/* ---- the writer: one call per content item, both formats ---- */

typedef struct sink {
	dvc_buf b;
	int xml;
} sink;

#define H(o, s) ((o)->xml ? (void)0 : dvc_buf_puts(&(o)->b, (s)))     /* HTML markup */
#define HT(o, s) ((o)->xml ? (void)0 : put_esc(&(o)->b, (s)))         /* HTML text */

/* HTML prose: a paragraph of escaped pieces, NULL-terminated. */
static void prose(sink *o, const char *cls, ...)
{
	va_list ap;
	const char *s;
	if (o->xml)
		return;
	dvc_buf_printf(&o->b, "<p class=\"%s\">", cls ? cls : "t");
	va_start(ap, cls);
	while ((s = va_arg(ap, const char *)) != NULL)
		put_esc(&o->b, s);
	va_end(ap);
	dvc_buf_puts(&o->b, "</p>\n");
}

/* XML: <name a1="v1" ...>text</name>; attributes as NULL-terminated pairs.
 * `text` NULL writes an empty element. */
static void xel(sink *o, int depth, const char *name, const char *text, ...)
{
	va_list ap;
	const char *k;
	if (!o->xml)
		return;
	for (int i = 0; i < depth; i++)
		dvc_buf_puts(&o->b, "  ");
	dvc_buf_printf(&o->b, "<%s", name);
	va_start(ap, text);
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);
		if (!v)
			continue;
		dvc_buf_printf(&o->b, " %s=\"", k);
		put_esc(&o->b, v);
		dvc_buf_putc(&o->b, '"');
	}
	va_end(ap);
	if (text && *text) {
		dvc_buf_putc(&o->b, '>');
		put_esc(&o->b, text);
		dvc_buf_printf(&o->b, "</%s>\n", name);
	} else {
		dvc_buf_puts(&o->b, "/>\n");
	}
}

/* XML: an opening (`end` "") or closing (`end` "/") tag on its own line. */
static void xtag(sink *o, int depth, const char *end, const char *tag)
{
	if (!o->xml)
		return;
	for (int i = 0; i < depth; i++)
		dvc_buf_puts(&o->b, "  ");
	dvc_buf_printf(&o->b, "<%s%s>\n", end, tag);
}

static void xopen(sink *o, int depth, const char *tag_and_attrs)
{
	xtag(o, depth, "", tag_and_attrs);
}

static void xclose(sink *o, int depth, const char *tag)
{
	xtag(o, depth, "/", tag);
}

static void xtime(sink *o, int depth, const char *name, dvc_time t)
{
	char s[DVC_TIME_FORMAT_SIZE];
	iso(t, s);
	xel(o, depth, name, s, NULL);
}

/* HTML: "Label: value" on its own line. */
static void hfield(sink *o, const char *label, const char *value)
{
	if (o->xml)
		return;
	dvc_buf_puts(&o->b, "<p class=\"f\">");
	put_esc(&o->b, label);
	dvc_buf_puts(&o->b, ": <span class=\"v\">");
	put_esc(&o->b, value && *value ? value : "...");
	dvc_buf_puts(&o->b, "</span></p>\n");
}

static void htime(sink *o, const char *label, dvc_time t)
{
	char s[96];
	vi_time(t, s, sizeof s);
	hfield(o, label, s);
}

/* ---- page frame ---- */

static const char CSS_COMMON[] =
	"body{font-family:\"Times New Roman\",Times,\"Liberation Serif\",serif;font-size:13pt;"
	"line-height:1.35;color:#000;background:#fff;margin:0}\n"
	".form-no{text-align:right;font-weight:bold;font-size:11pt}\n"
	".hdr{display:table;width:100%;table-layout:fixed}\n"
	".hdr>div{display:table-cell;text-align:center;vertical-align:top}\n"
	".hdr .l{width:42%}.hdr .r{width:58%}\n"
	".agency{text-transform:uppercase}.unit{font-weight:bold;text-transform:uppercase}\n"
	".nation{font-weight:bold}.motto{font-weight:bold}\n"
	".rule{border-top:1px solid #000;width:45%;margin:1pt auto 4pt}\n"
	".date{font-style:italic;margin-top:6pt}\n"
	"h1{font-size:14pt;text-align:center;margin:14pt 0 2pt}\n"
	".sub{text-align:center;font-weight:bold;margin:0 0 8pt}\n"
	"p{margin:3pt 0;text-align:justify}.t{text-indent:1cm}.v{font-weight:bold}\n"
	"table.grid{border-collapse:collapse;width:100%;margin:4pt 0}\n"
	".grid th,.grid td{border:1px solid #000;padding:2pt 4pt;vertical-align:top}\n"
	".grid th{text-align:center;font-weight:bold}.c{text-align:center}\n"
	".sig{display:table;width:100%;table-layout:fixed;margin-top:14pt}\n"
	".sig>div{display:table-cell;text-align:center;vertical-align:top}\n"
	".sig .role{font-weight:bold}.sig .hint{font-style:italic}\n"
	".sig .name{margin-top:54pt;font-weight:bold}\n"
	"ol{margin:2pt 0 2pt 1cm;padding:0}\n";

/* Open the page. `page` is the @page size ("A5", "A4 landscape"). */
static void html_begin(sink *o, const char *title, const char *page)
{
	dvc_buf_puts(&o->b, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
	put_esc(&o->b, title);
	dvc_buf_printf(&o->b, "</title>\n<style>\n@page{size:%s;margin:15mm 15mm 15mm 20mm}\n%s</style>\n"
			      "</head>\n<body>\n",
		       page, CSS_COMMON);
}

/* The letterhead: agency (and unit) on the left with a reference line,
 * the nation and motto on the right with the place and date. */
static void html_letterhead(sink *o, const char *form_no, const char *agency, const char *unit,
			    const char *place, dvc_time date)
{
	char day[48];
	vi_date(date, day, sizeof day);
	dvc_buf_puts(&o->b, "<div class=\"form-no\">Mẫu số ");
	put_esc(&o->b, form_no);
	dvc_buf_puts(&o->b, "</div>\n<div class=\"hdr\">\n<div class=\"l\">");
	if (agency && *agency) {
		dvc_buf_puts(&o->b, unit ? "<div class=\"agency\">" : "<div class=\"unit\">");
		put_esc(&o->b, agency);
		dvc_buf_puts(&o->b, "</div>");
	}
	if (unit) {
		dvc_buf_puts(&o->b, "<div class=\"unit\">");
		put_esc(&o->b, unit);
		dvc_buf_puts(&o->b, "</div>");
	}
	dvc_buf_puts(&o->b, "<div class=\"rule\"></div></div>\n<div class=\"r\">"
			    "<div class=\"nation\">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>"
			    "<div class=\"motto\">Độc lập - Tự do - Hạnh phúc</div>"
			    "<div class=\"rule\"></div><div class=\"date\">");
	if (place && *place) {
		put_esc(&o->b, place);
		dvc_buf_puts(&o->b, ", ");
	}
	put_esc(&o->b, day);
	dvc_buf_puts(&o->b, "</div></div>\n</div>\n");
}

typedef struct sig {
	const char *role, *hint, *name;
} sig;

static void html_sigs(sink *o, const sig *left, const sig *right)
{
	const sig *s[2] = {left, right};
	if (o->xml)
		return;
	dvc_buf_puts(&o->b, "<div class=\"sig\">\n");
	for (int i = 0; i < 2; i++) {
		dvc_buf_puts(&o->b, "<div>");
		if (s[i]) {
			dvc_buf_puts(&o->b, "<div class=\"role\">");
			put_esc(&o->b, s[i]->role);
			dvc_buf_puts(&o->b, "</div><div class=\"hint\">");
			put_esc(&o->b, s[i]->hint);
			dvc_buf_puts(&o->b, "</div><div class=\"name\">");
			put_esc(&o->b, s[i]->name ? s[i]->name : "");
			dvc_buf_puts(&o->b, "</div>");
		}
		dvc_buf_puts(&o->b, "</div>\n");
	}
	dvc_buf_puts(&o->b, "</div>\n");
}

static void html_end(sink *o) { dvc_buf_puts(&o->b, "</body>\n</html>\n"); }

/* ---- one slip ---- */

typedef struct slip {
	dvc_db *db;
	const form_def *form;
	dvc_slip_kind kind;
	dvc_tracking *t;
	dvc_procedure *p;
	const dvc_journal_entry *entry; /* the entry the form needs, or NULL */
	const char *desk;               /* reception desk's agency code */
	const char *desk_name;
	names nm;
	dvc_file_list *files;           /* receipt: the files received, or NULL */
} slip;

static const dvc_journal_entry *last_entry(const dvc_tracking *t, dvc_action a)
{
	for (size_t i = t->n_history; i-- > 0;)
		if (t->history[i].action == a)
			return &t->history[i];
	return NULL;
}

int dvc_slip_available(const dvc_tracking *t, dvc_slip_kind kind)
{
	if (!t || (unsigned)kind >= DVC_SLIP_KIND_COUNT)
		return 0;
	return FORMS[kind].needs < 0 || last_entry(t, (dvc_action)FORMS[kind].needs) != NULL;
}

static const char *or_empty(const char *s) { return s ? s : ""; }

static const char *officer_name(const dvc_officer *o, const char *actor)
{
	if (o)
		return o->full_name ? o->full_name : o->username;
	return or_empty(actor);
}

/* Common XML head of forms 01-05 (root opened by the caller). */
static void xml_head(sink *o, const slip *s, const char *issuer_code, const char *issuer,
		     dvc_time issued)
{
	const dvc_tracking *t = s->t;
	char ver[16];
	snprintf(ver, sizeof ver, "%d", t->procedure_version);
	xel(o, 1, "title", s->form->title, NULL);
	xel(o, 1, "issuer", issuer, "code", issuer_code, NULL);
	xel(o, 1, "place", place_of(issuer), NULL);
	xtime(o, 1, "issued_at", issued);
	xel(o, 1, "dossier_code", t->code, NULL);
	xel(o, 1, "procedure", t->procedure_name, "code", t->procedure, "version", ver, NULL);
	xopen(o, 1, "applicant");
	xel(o, 2, "name", t->applicant.full_name, NULL);
	xel(o, 2, "address", t->applicant.address, NULL);
	xel(o, 2, "phone", t->applicant.phone, NULL);
	xel(o, 2, "email", t->applicant.email, NULL);
	xclose(o, 1, "applicant");
}

/* The head of a slip the receiving desk issues at `at`: in HTML the
 * letterhead, the title and the dossier code, in XML xml_head(). */
static void desk_head(sink *o, const slip *s, dvc_time at)
{
	if (!o->xml) {
		html_letterhead(o, s->form->number, s->desk_name, DESK_VI, place_of(s->desk_name), at);
		dvc_buf_puts(&o->b, "<h1>");
		put_esc(&o->b, s->form->title);
		dvc_buf_puts(&o->b, "</h1>\n<p class=\"sub\">Mã hồ sơ: ");
		put_esc(&o->b, s->t->code);
		dvc_buf_puts(&o->b, "</p>\n");
	}
	xml_head(o, s, s->desk, s->desk_name, at);
}

/* "Hồ sơ của / Địa chỉ / Số điện thoại / Email / Nội dung yêu cầu giải quyết" */
static void html_applicant(sink *o, const slip *s, const char *lead)
{
	const dvc_tracking *t = s->t;
	hfield(o, lead, t->applicant.full_name);
	hfield(o, "Địa chỉ", t->applicant.address);
	if (!o->xml) {
		dvc_buf_puts(&o->b, "<p class=\"f\">Số điện thoại: <span class=\"v\">");
		put_esc(&o->b, t->applicant.phone && *t->applicant.phone ? t->applicant.phone : "...");
		dvc_buf_puts(&o->b, "</span>; Email: <span class=\"v\">");
		put_esc(&o->b, t->applicant.email && *t->applicant.email ? t->applicant.email : "...");
		dvc_buf_puts(&o->b, "</span></p>\n");
	}
	hfield(o, "Nội dung yêu cầu giải quyết", t->procedure_name);
}

/* The documents as received: per component, its current files (an
 * online dossier, or paper scanned at the desk). 0 when the dossier has
 * no files: the desk then checked paper, listed from the catalog. */
static int receipt_files(slip *s, sink *o)
{
	static const char *const FILE_FORM_VI[] = {"Bản chính (bản chụp)", "Bản sao (bản chụp)",
						   "Bản sao điện tử"};
	static const char *const FILE_FORM_XML[] = {"original", "copy", "ecopy"};
	const dvc_procedure *p = s->p;
	size_t row = 0, n = dvc_file_list_count(s->files);
	int any = 0;
	for (size_t k = 0; k < n; k++)
		if (dvc_file_list_at(s->files, k)->component >= 0 && !dvc_file_list_at(s->files, k)->replaced_by)
			any = 1;
	if (!any)
		return 0;
	for (size_t i = 0; i < p->n_documents; i++) {
		if (p->documents[i].submission == DVC_SUBMIT_EFORM && s->t->form_data) {
			row++;
			if (!o->xml) {
				dvc_buf_printf(&o->b, "<tr><td class=\"c\">%zu</td><td>", row);
				put_esc(&o->b, p->documents[i].name);
				dvc_buf_puts(&o->b, " (biểu mẫu điện tử)</td><td class=\"c\">Bản điện tử</td>"
						    "<td class=\"c\">01</td></tr>\n");
			}
			xel(o, 2, "document", p->documents[i].name, "form", "eform", "count", "1", NULL);
		}
		for (size_t k = 0; k < n; k++) {
			const dvc_file_info *f = dvc_file_list_at(s->files, k);
			unsigned ff = (unsigned)f->form < 3 ? (unsigned)f->form : 0;
			if (f->component != (int)i || f->replaced_by)
				continue;
			row++;
			if (!o->xml) {
				dvc_buf_printf(&o->b, "<tr><td class=\"c\">%zu</td><td>", row);
				put_esc(&o->b, p->documents[i].name);
				dvc_buf_puts(&o->b, ": tệp ");
				put_esc(&o->b, f->name);
				dvc_buf_puts(&o->b, "</td><td class=\"c\">");
				put_esc(&o->b, FILE_FORM_VI[ff]);
				dvc_buf_puts(&o->b, "</td><td class=\"c\">01</td></tr>\n");
			}
			xel(o, 2, "document", p->documents[i].name, "form", FILE_FORM_XML[ff], "count", "1",
			    "file", f->name, "sha256", f->sha256, NULL);
		}
	}
	return 1;
}

/* The declaration (tờ khai) filled in as an e-form, field by field in the
 * form's order with the form's labels: what the applicant declared is on
 * the receipt they sign. XML: declaration/field(name, title). */
static int receipt_declaration(slip *s, sink *o)
{
	unsigned long failures = dvc__alloc_failures();
	cJSON *schema = NULL, *data = NULL, *f;
	if (!s->t->form_data || !s->p->form_schema)
		return DVC_OK;
	if (!(schema = cJSON_Parse(s->p->form_schema)) || !(data = cJSON_Parse(s->t->form_data))) {
		cJSON_Delete(schema);
		return dvc__alloc_failures() != failures
			       ? dvc__oom()
			       : dvc__err(DVC_ECORRUPT, "form_data", "the stored form data is not JSON");
	}
	H(o, "<p class=\"f\">Nội dung tờ khai (biểu mẫu điện tử):</p>\n<table class=\"grid\"><tr>"
	     "<th>Mục</th><th>Nội dung khai</th></tr>\n");
	xopen(o, 1, "declaration");
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(schema, "properties"))
	{
		const cJSON *title = cJSON_GetObjectItemCaseSensitive(f, "title");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(data, f->string);
		const char *label = cJSON_IsString(title) ? title->valuestring : f->string;
		char num[32], *printed = NULL;
		const char *text;
		if (!v)
			continue; /* an optional field left out */
		if (cJSON_IsString(v)) {
			text = v->valuestring;
		} else if (cJSON_IsBool(v)) {
			text = cJSON_IsTrue(v) ? "Có" : "Không";
		} else if (cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble) {
			snprintf(num, sizeof num, "%lld", (long long)v->valuedouble);
			text = num;
		} else if (!(printed = cJSON_PrintUnformatted(v))) {
			cJSON_Delete(schema);
			cJSON_Delete(data);
			return dvc__oom();
		} else {
			text = printed;
		}
		if (!o->xml) {
			dvc_buf_puts(&o->b, "<tr><td>");
			put_esc(&o->b, label);
			dvc_buf_puts(&o->b, "</td><td>");
			put_esc(&o->b, text);
			dvc_buf_puts(&o->b, "</td></tr>\n");
		}
		xel(o, 2, "field", text, "name", f->string, "title", label, NULL);
		cJSON_free(printed);
	}
	H(o, "</table>\n");
	xclose(o, 1, "declaration");
	cJSON_Delete(schema);
	cJSON_Delete(data);
	return DVC_OK;
}

/* Form 01. XML: receiving_desk, documents/document(form, count), sets,
 * deadline(unit), received_at, due_at, result_place, receiving_officer,
 * lookup. */
static int form_receipt(slip *s, sink *o)
{
	const dvc_tracking *t = s->t;
	const dvc_procedure *p = s->p;
	const dvc_officer *off;
	const char *officer;
	char buf[160];
	int rc;
	if ((rc = officer_of(&s->nm, s->entry->actor, &off)) != DVC_OK)
		return rc;
	officer = officer_name(off, s->entry->actor);

	desk_head(o, s, t->received_at);
	prose(o, "t", DESK_VI, " – ", s->desk_name, " tiếp nhận hồ sơ của:", NULL);
	xel(o, 1, "receiving_desk", s->desk_name, "code", s->desk, NULL);
	html_applicant(o, s, "Ông/Bà (tổ chức)");

	/* 1. documents */
	H(o, "<p class=\"f\">1. Thành phần hồ sơ nộp gồm:</p>\n<table class=\"grid\"><tr><th>TT</th>"
	     "<th>Tên giấy tờ</th><th>Hình thức (bản chính, bản sao hoặc bản chụp)</th>"
	     "<th>Số lượng</th></tr>\n");
	xopen(o, 1, "documents");
	if (receipt_files(s, o))
		goto listed;
	for (size_t i = 0; i < p->n_documents; i++) {
		const dvc_document *d = &p->documents[i];
		unsigned f = (unsigned)d->form < DVC_ARRAY_LEN(DOC_FORM_VI) ? (unsigned)d->form : 0;
		char count[16];
		snprintf(count, sizeof count, "%d", d->count);
		if (!o->xml) {
			dvc_buf_printf(&o->b, "<tr><td class=\"c\">%zu</td><td>", i + 1);
			put_esc(&o->b, d->name);
			dvc_buf_puts(&o->b, "</td><td class=\"c\">");
			put_esc(&o->b, DOC_FORM_VI[f]);
			dvc_buf_printf(&o->b, "</td><td class=\"c\">%02d</td></tr>\n", d->count);
		}
		xel(o, 2, "document", d->name, "form", DOC_FORM_XML[f], "count", count, NULL);
	}
	if (!p->n_documents)
		H(o, "<tr><td class=\"c\">-</td><td>Không yêu cầu giấy tờ</td><td></td><td></td></tr>\n");
listed:
	H(o, "</table>\n");
	xclose(o, 1, "documents");
	if ((rc = receipt_declaration(s, o)) != DVC_OK)
		return rc;

	/* 2-6 */
	hfield(o, "2. Số lượng hồ sơ", "01 (bộ)");
	xel(o, 1, "sets", "1", NULL);
	snprintf(buf, sizeof buf, "%d %s làm việc", p->deadline_value,
		 p->deadline_unit == DVC_DEADLINE_HOURS ? "giờ" : "ngày");
	hfield(o, "3. Thời gian giải quyết hồ sơ theo quy định", buf);
	{
		char v[16];
		snprintf(v, sizeof v, "%d", p->deadline_value);
		xel(o, 1, "deadline", v, "unit", p->deadline_unit == DVC_DEADLINE_HOURS ? "hours" : "days",
		    NULL);
	}
	htime(o, "4. Thời gian nhận hồ sơ", t->received_at);
	xtime(o, 1, "received_at", t->received_at);
	/* The appointment as it stands: the intake's, moved by any period the
	 * clock stood still (supplement, pause). A rescheduled date is the
	 * apology slip's business. */
	htime(o, "5. Thời gian trả kết quả giải quyết hồ sơ", t->due_at);
	xtime(o, 1, "due_at", t->due_at);
	snprintf(buf, sizeof buf, "%s – %s", DESK_VI, s->desk_name);
	hfield(o, "6. Đăng ký nhận kết quả tại", buf);
	xel(o, 1, "result_place", s->desk_name, "code", s->desk, NULL);
	H(o, "<p class=\"f\">Vào Sổ theo dõi hồ sơ, Quyển số: ........ Số thứ tự: ........</p>\n");
	/* The tracking secret is stored hashed: it cannot be printed. */
	prose(o, "t", "Tra cứu tình trạng giải quyết hồ sơ: theo mã hồ sơ ", t->code,
	      " tại ", DESK_VI, " hoặc trên Cổng Dịch vụ công (kèm mã tra cứu đã được cấp khi nộp hồ sơ"
	      " trực tuyến, hoặc đăng nhập tài khoản).", NULL);
	xel(o, 1, "lookup",
	    "Look the dossier up by its code at the desk or on the portal, with the tracking secret issued at"
	    " submission or by logging in; the secret is not printed (stored hashed).",
	    NULL);
	xel(o, 1, "receiving_officer", officer, "username", off ? off->username : NULL, NULL);
	{
		sig l = {"NGƯỜI NỘP HỒ SƠ", "(Ký và ghi rõ họ tên)", t->applicant.full_name};
		sig r = {"NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", officer};
		html_sigs(o, &l, &r);
	}
	return DVC_OK;
}

/* Split a recorded list on new lines and semicolons into trimmed items. */
typedef struct items {
	char *buf;
	const char *v[64];
	size_t n;
} items;

static int split_items(const char *note, items *it)
{
	char *p;
	it->n = 0;
	if (!(it->buf = dvc__strdup(note ? note : "")))
		return dvc__oom();
	p = it->buf;
	while (*p && it->n < DVC_ARRAY_LEN(it->v)) {
		char *end = p + strcspn(p, ";\n"), *e = end;
		int last = *end == '\0' || it->n + 1 == DVC_ARRAY_LEN(it->v);
		if (last)
			e = end = p + strlen(p); /* the last slot takes the rest */
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '.'))
			e--;
		if (!last)
			*end = '\0';
		*e = '\0';
		if (*p)
			it->v[it->n++] = p;
		if (last)
			break;
		p = end + 1;
	}
	return DVC_OK;
}

/* Form 02. XML: requested_at, requested_by(username, unit), items/item,
 * reason, guidance, clock_stopped_at. */
static int form_supplement(slip *s, sink *o)
{
	const dvc_tracking *t = s->t;
	const dvc_journal_entry *e = s->entry;
	const dvc_officer *off;
	const char *officer, *unit_name = "";
	items it;
	char since[96], day[48];
	int rc, at_intake = e->from == DVC_STATE_SUBMITTED;
	static const char reason[] = "Hồ sơ chưa đầy đủ, hợp lệ theo quy định của thủ tục hành chính.";
	if ((rc = officer_of(&s->nm, e->actor, &off)) != DVC_OK ||
	    (off && (rc = agency_name(&s->nm, off->unit, &unit_name)) != DVC_OK))
		return rc;
	officer = officer_name(off, e->actor);
	if ((rc = split_items(e->note, &it)) != DVC_OK)
		return rc;

	desk_head(o, s, e->at);
	html_applicant(o, s, "Hồ sơ của");
	vi_date(at_intake ? t->submitted_at : t->received_at, day, sizeof day);
	prose(o, "t", "Ngày ", day + strlen("ngày "), ", ", DESK_VI, " – ", s->desk_name,
	      at_intake ? " đã nhận hồ sơ của Ông/Bà." : " đã tiếp nhận hồ sơ của Ông/Bà.",
	      " Qua nghiên cứu, xem xét hồ sơ, đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:",
	      NULL);
	H(o, "<ol>\n");
	xopen(o, 1, "items");
	for (size_t i = 0; i < it.n; i++) {
		H(o, "<li>");
		HT(o, it.v[i]);
		H(o, "</li>\n");
		xel(o, 2, "item", it.v[i], NULL);
	}
	H(o, "</ol>\n");
	xclose(o, 1, "items");
	hfield(o, "Lý do", reason);
	xel(o, 1, "reason", reason, NULL);
	vi_time(e->at, since, sizeof since);
	prose(o, "t", "Thời hạn giải quyết hồ sơ tạm dừng từ ", since,
	      " và tiếp tục khi Ông/Bà nộp đủ hồ sơ bổ sung.", NULL);
	prose(o, "t", "Trong quá trình bổ sung, hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ với ",
	      officer, *unit_name ? " – " : "", unit_name, " để được hướng dẫn.", NULL);
	prose(o, "t", "Xin thông báo để Ông/Bà được biết và thực hiện./.", NULL);
	xel(o, 1, "guidance", "Contact the requesting officer for guidance; processing time is stopped until the"
			      " supplement arrives.", NULL);
	xtime(o, 1, "requested_at", e->at);
	xtime(o, 1, "clock_stopped_at", e->at);
	xel(o, 1, "requested_by", officer, "username", off ? off->username : NULL, "unit",
	    off ? off->unit : NULL, NULL);
	{
		sig r = {"NGƯỜI HƯỚNG DẪN", "(Ký và ghi rõ họ tên)", officer};
		html_sigs(o, NULL, &r);
	}
	dvc__free(it.buf);
	return DVC_OK;
}

/* Form 03. XML: refused_at, refused_by(username, unit), reasons. */
static int form_refusal(slip *s, sink *o)
{
	const dvc_journal_entry *e = s->entry;
	const dvc_officer *off;
	const char *officer;
	int rc;
	if ((rc = officer_of(&s->nm, e->actor, &off)) != DVC_OK)
		return rc;
	officer = officer_name(off, e->actor);
	desk_head(o, s, e->at);
	prose(o, "t", DESK_VI, " – ", s->desk_name, " tiếp nhận hồ sơ của:", NULL);
	html_applicant(o, s, "Ông/Bà (tổ chức)");
	prose(o, "t", "Qua xem xét, ", s->desk_name,
	      " thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:", NULL);
	prose(o, "t", or_empty(e->note), NULL);
	prose(o, "t", "Xin thông báo cho Ông/Bà được biết và thực hiện./.", NULL);
	xel(o, 1, "reasons", e->note, NULL);
	xtime(o, 1, "refused_at", e->at);
	xel(o, 1, "refused_by", officer, "username", off ? off->username : NULL, "unit",
	    off ? off->unit : NULL, NULL);
	{
		sig r = {off && off->role != DVC_ROLE_RECEPTION ? "NGƯỜI GIẢI QUYẾT HỒ SƠ"
							       : "NGƯỜI TIẾP NHẬN HỒ SƠ",
			 "(Ký và ghi rõ họ tên)", officer};
		html_sigs(o, NULL, &r);
	}
	return DVC_OK;
}

/* Form 04, issued by the agency where the dossier is late (the unit of the
 * reschedule entry). XML: received_at, due_at, reason, new_due_at,
 * recorded_at, recorded_by(username, unit). */
static int form_apology(slip *s, sink *o)
{
	const dvc_tracking *t = s->t;
	const dvc_journal_entry *e = s->entry;
	const dvc_officer *off;
	const char *officer, *agency, *code = e->unit ? e->unit : s->desk;
	char day[48], due[96], again[96];
	int rc;
	if ((rc = officer_of(&s->nm, e->actor, &off)) != DVC_OK ||
	    (rc = agency_name(&s->nm, code, &agency)) != DVC_OK)
		return rc;
	officer = officer_name(off, e->actor);
	vi_date(t->received_at, day, sizeof day);
	vi_time(t->due_at, due, sizeof due);
	vi_time(t->rescheduled_due_at, again, sizeof again);
	if (!o->xml) {
		html_letterhead(o, s->form->number, agency, NULL, place_of(agency), e->at);
		dvc_buf_puts(&o->b, "<h1>");
		put_esc(&o->b, s->form->title);
		dvc_buf_puts(&o->b, "</h1>\n");
		prose(o, "sub", "Kính gửi: ", t->applicant.full_name, NULL);
	}
	xml_head(o, s, code, agency, e->at);
	prose(o, "t", "Ngày ", day + strlen("ngày "), ", ", DESK_VI, " – ", s->desk_name,
	      " tiếp nhận hồ sơ của Ông/Bà, mã hồ sơ: ", t->code, "; nội dung yêu cầu giải quyết: ",
	      t->procedure_name, ".", NULL);
	hfield(o, "Thời gian hẹn trả kết quả giải quyết hồ sơ", due);
	prose(o, "t", "Tuy nhiên đến nay, ", agency, " chưa trả kết quả giải quyết hồ sơ của Ông/Bà.", NULL);
	hfield(o, "Lý do", e->note);
	prose(o, "t", "Sự chậm trễ này đã gây phiền hà cho Ông/Bà. ", agency,
	      " xin lỗi Ông/Bà và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào lúc ", again, ".", NULL);
	prose(o, "t", "Xin trân trọng cảm ơn./.", NULL);
	xtime(o, 1, "received_at", t->received_at);
	xtime(o, 1, "due_at", t->due_at);
	xel(o, 1, "reason", e->note, NULL);
	xtime(o, 1, "new_due_at", t->rescheduled_due_at);
	xtime(o, 1, "recorded_at", e->at);
	xel(o, 1, "recorded_by", officer, "username", off ? off->username : NULL, "unit",
	    off ? off->unit : NULL, NULL);
	{
		sig r = {"THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", "(Ký, ghi rõ họ tên và đóng dấu)", ""};
		html_sigs(o, NULL, &r);
		prose(o, "t", "Người lập phiếu: ", officer, NULL);
	}
	return DVC_OK;
}

static int is_handover(dvc_action a, const char **label)
{
	for (size_t i = 0; i < DVC_ARRAY_LEN(HANDOVERS); i++)
		if (HANDOVERS[i].action == a) {
			*label = HANDOVERS[i].label;
			return 1;
		}
	return 0;
}

/* Form 05: one row per handover. The journal does not keep each step's
 * own deadline (only the current step's is live), so "on time / late"
 * compares the handover with the dossier's appointment (due_at, which
 * already includes stopped-clock periods): later than it is late (quá
 * hạn), on its day is on time (đúng hạn), before its day is early (trước
 * hạn). The receiving officer is the next officer of the receiving unit
 * who acted on the dossier (blank until one has). XML: received_at,
 * due_at, lead_agency, coordinating/agency, handovers(count)/handover(n,
 * action)/{at, from_unit, from_officer, to_unit, to_officer, result
 * (early|on_time|late|unknown), note}. */
static int form_control(slip *s, sink *o)
{
	const dvc_tracking *t = s->t;
	const char *lead, *prev_unit = s->desk;
	size_t count = 0;
	dvc_time issued = t->received_at;
	int rc;
	char due[96];
	if ((rc = agency_name(&s->nm, s->p->agency, &lead)) != DVC_OK)
		return rc;
	for (size_t i = 0; i < t->n_history; i++) {
		const char *label;
		if (is_handover(t->history[i].action, &label))
			count++;
	}
	vi_time(t->due_at, due, sizeof due);
	desk_head(o, s, issued);
	hfield(o, "Kèm theo hồ sơ của", t->applicant.full_name);
	hfield(o, "Địa chỉ", t->applicant.address);
	hfield(o, "Số điện thoại", t->applicant.phone);
	hfield(o, "Nội dung yêu cầu giải quyết", t->procedure_name);
	htime(o, "Ngày nhận hồ sơ", t->received_at);
	hfield(o, "Ngày hẹn trả kết quả", due);
	hfield(o, "Cơ quan (bộ phận) giải quyết hồ sơ", lead);
	xtime(o, 1, "received_at", t->received_at);
	xtime(o, 1, "due_at", t->due_at);
	xel(o, 1, "lead_agency", lead, "code", s->p->agency, NULL);

	/* coordinating agencies: units the dossier went through, other than
	 * the desk and the lead agency, once each */
	{
		dvc_buf line = DVC_BUF_INIT;
		xopen(o, 1, "coordinating");
		for (size_t i = 0; i < t->n_history; i++) {
			const char *u = t->history[i].unit, *nm;
			int seen = !u || strcmp(u, s->desk) == 0 || strcmp(u, s->p->agency) == 0;
			for (size_t j = 0; !seen && j < i; j++)
				seen = t->history[j].unit && strcmp(t->history[j].unit, u) == 0;
			if (seen)
				continue;
			if ((rc = agency_name(&s->nm, u, &nm)) != DVC_OK) {
				dvc_buf_free(&line);
				return rc;
			}
			if (line.len)
				dvc_buf_puts(&line, "; ");
			dvc_buf_puts(&line, nm);
			xel(o, 2, "agency", nm, "code", u, NULL);
		}
		xclose(o, 1, "coordinating");
		if (line.oom)
			o->b.oom = true;
		hfield(o, "Cơ quan phối hợp giải quyết hồ sơ", line.len ? line.ptr : "Không");
		dvc_buf_free(&line);
	}

	H(o, "<table class=\"grid\"><tr><th>TÊN CƠ QUAN</th><th>THỜI GIAN GIAO, NHẬN HỒ SƠ</th>"
	     "<th>KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/đúng hạn/quá hạn)</th><th>GHI CHÚ</th></tr>\n");
	if (o->xml)
		dvc_buf_printf(&o->b, "  <handovers count=\"%zu\">\n", count);
	count = 0;
	for (size_t i = 0; i < t->n_history; i++) {
		const dvc_journal_entry *e = &t->history[i];
		const dvc_officer *giver, *taker = NULL;
		const char *label, *from_name, *to_name, *taker_name = "", *result_vi, *result_x;
		const char *to_unit = e->unit ? e->unit : prev_unit;
		char when[96], iso_at[DVC_TIME_FORMAT_SIZE], n[24];
		int returned = e->action == DVC_ACT_RETURN;
		if (!is_handover(e->action, &label)) {
			if (e->unit)
				prev_unit = e->unit;
			continue;
		}
		if (e->action == DVC_ACT_FORWARD && e->to == DVC_STATE_RESULT_READY)
			label = "Chuyển kết quả về Bộ phận Tiếp nhận và Trả kết quả";
		if ((rc = officer_of(&s->nm, e->actor, &giver)) != DVC_OK ||
		    (rc = agency_name(&s->nm, prev_unit, &from_name)) != DVC_OK ||
		    (rc = agency_name(&s->nm, to_unit, &to_name)) != DVC_OK)
			return rc;
		if (returned) {
			to_name = "Tổ chức, cá nhân";
			taker_name = or_empty(t->applicant.full_name);
		} else {
			for (size_t j = i + 1; j < t->n_history && !taker; j++) {
				const dvc_officer *c;
				if ((rc = officer_of(&s->nm, t->history[j].actor, &c)) != DVC_OK)
					return rc;
				if (c && strcmp(c->unit, to_unit) == 0)
					taker = c;
			}
			taker_name = taker ? officer_name(taker, NULL) : "";
		}
		if (!t->due_at) {
			result_vi = "";
			result_x = "unknown";
		} else if (e->at > t->due_at) {
			result_vi = "Quá hạn";
			result_x = "late";
		} else if (same_local_day(e->at, t->due_at)) {
			result_vi = "Đúng hạn";
			result_x = "on_time";
		} else {
			result_vi = "Trước hạn";
			result_x = "early";
		}
		count++;
		vi_time(e->at, when, sizeof when);
		iso(e->at, iso_at);
		if (!o->xml) {
			dvc_buf_puts(&o->b, "<tr><td>");
			dvc_buf_printf(&o->b, "%zu. Giao: ", count);
			put_esc(&o->b, from_name);
			dvc_buf_puts(&o->b, "<br>Nhận: ");
			put_esc(&o->b, to_name);
			dvc_buf_puts(&o->b, "</td><td>");
			put_esc(&o->b, when);
			dvc_buf_puts(&o->b, "<br>Người giao: <b>");
			put_esc(&o->b, officer_name(giver, e->actor));
			dvc_buf_puts(&o->b, "</b><br>Người nhận: <b>");
			put_esc(&o->b, taker_name);
			dvc_buf_puts(&o->b, "</b></td><td class=\"c\">");
			put_esc(&o->b, result_vi);
			dvc_buf_puts(&o->b, "</td><td>");
			put_esc(&o->b, label);
			if (e->note) {
				dvc_buf_puts(&o->b, ": ");
				put_esc(&o->b, e->note);
			}
			dvc_buf_puts(&o->b, "</td></tr>\n");
		} else {
			snprintf(n, sizeof n, "%zu", count);
			dvc_buf_printf(&o->b, "    <handover n=\"%s\" action=\"%s\">\n", n,
				       dvc_action_name(e->action));
			xel(o, 3, "at", iso_at, NULL);
			xel(o, 3, "from_unit", from_name, "code", prev_unit, NULL);
			xel(o, 3, "from_officer", officer_name(giver, e->actor), "username",
			    giver ? giver->username : NULL, NULL);
			xel(o, 3, "to_unit", to_name, "code", returned ? NULL : to_unit, NULL);
			xel(o, 3, "to_officer", taker_name, "username", taker ? taker->username : NULL, NULL);
			xel(o, 3, "result", result_x, NULL);
			xel(o, 3, "note", e->note, NULL);
			xclose(o, 2, "handover");
		}
		if (e->unit)
			prev_unit = e->unit;
	}
	if (!count)
		H(o, "<tr><td colspan=\"4\" class=\"c\">Chưa có lần giao, nhận hồ sơ</td></tr>\n");
	H(o, "</table>\n");
	xclose(o, 1, "handovers");
	H(o, "<p class=\"f\"><i>Ghi chú: Kết quả giải quyết hồ sơ so với thời gian hẹn trả kết quả của hồ sơ.</i></p>\n");
	return DVC_OK;
}

static int render_slip(slip *s, sink *o)
{
	int rc;
	if (o->xml)
		dvc_buf_printf(&o->b,
			       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			       "<slip kind=\"%s\" form=\"%s\" circular=\"" CIRCULAR "\">\n",
			       s->form->name, s->form->number);
	else
		html_begin(o, s->form->title, "A5");
	switch (s->kind) {
	case DVC_SLIP_RECEIPT: rc = form_receipt(s, o); break;
	case DVC_SLIP_SUPPLEMENT: rc = form_supplement(s, o); break;
	case DVC_SLIP_REFUSAL: rc = form_refusal(s, o); break;
	case DVC_SLIP_APOLOGY: rc = form_apology(s, o); break;
	case DVC_SLIP_CONTROL: rc = form_control(s, o); break;
	default: rc = dvc__err(DVC_EINVAL, "kind", "unknown slip kind");
	}
	if (rc != DVC_OK)
		return rc;
	if (o->xml)
		dvc_buf_puts(&o->b, "</slip>\n");
	else
		html_end(o);
	return DVC_OK;
}

/* The reception desk: the unit of the first journal entry (submission
 * binds the dossier to the route's first step, also for the default route
 * whose desk is the root of the implementing agency). The fallbacks only
 * serve a dossier without journal, which the lifecycle never leaves. */
static const char *desk_of(const dvc_tracking *t, const dvc_procedure *p)
{
	if (t->desk)
		return t->desk;
	if (t->n_history && t->history[0].unit)
		return t->history[0].unit;
	if (p->n_route)
		return p->route[0].unit;
	return p->agency;
}

static int finish(sink *o, int rc, char **out_doc, size_t *len)
{
	if (rc == DVC_OK && o->b.oom)
		rc = dvc__oom();
	if (rc != DVC_OK) {
		dvc_buf_free(&o->b);
		return rc;
	}
	if (len)
		*len = o->b.len;
	if (!(*out_doc = dvc_buf_detach(&o->b)))
		return dvc__oom();
	return DVC_OK;
}

static const char *const SLIP_NEEDS[DVC_SLIP_KIND_COUNT] = {
	"it was never received at the desk",
	"no supplement was ever requested",
	"it was not refused",
	"it was never rescheduled with an apology",
	"it was never received at the desk",
};

int dvc_slip_render(dvc_db *db, const char *code, dvc_slip_kind kind, dvc_slip_format fmt, char **out_doc,
		    size_t *len)
{
	slip s;
	sink o = {DVC_BUF_INIT, 0};
	int rc;
	if (!db || !code || !out_doc)
		return dvc__err(DVC_EINVAL, NULL, "dvc_slip_render needs a store, a code and an out pointer");
	*out_doc = NULL;
	if ((unsigned)kind >= DVC_SLIP_KIND_COUNT)
		return dvc__err(DVC_EINVAL, "kind", "unknown slip kind %d", (int)kind);
	if (fmt != DVC_SLIP_HTML && fmt != DVC_SLIP_XML)
		return dvc__err(DVC_EINVAL, "format", "unknown slip format %d", (int)fmt);
	memset(&s, 0, sizeof s);
	s.db = db;
	s.kind = kind;
	s.form = &FORMS[kind];
	s.nm.db = db;
	o.xml = fmt == DVC_SLIP_XML;
	if ((rc = dvc__dossier_track(db, code, &s.t)) != DVC_OK)
		return rc;
	if (s.form->needs >= 0 && !(s.entry = last_entry(s.t, (dvc_action)s.form->needs))) {
		rc = dvc__err(DVC_ETRANSITION, "kind", "no %s slip for dossier %s: %s", s.form->name, s.t->code,
			      SLIP_NEEDS[kind]);
		goto done;
	}
	if ((rc = dvc_procedure_get_version(db, s.t->procedure, s.t->procedure_version, &s.p)) != DVC_OK)
		goto done;
	if (kind == DVC_SLIP_RECEIPT && (rc = dvc__dossier_files_all(db, code, &s.files)) != DVC_OK)
		goto done;
	s.desk = desk_of(s.t, s.p);
	if ((rc = agency_name(&s.nm, s.desk, &s.desk_name)) != DVC_OK)
		goto done;
	rc = render_slip(&s, &o);
done:
	rc = finish(&o, rc, out_doc, len);
	names_free(&s.nm);
	dvc_file_list_free(s.files);
	dvc_procedure_free(s.p);
	dvc_tracking_free(s.t);
	return rc;
}

/* ---- form 06: the tracking register ---- */

typedef struct reg_row {
	dvc_tracking *t;
	const char *desk;
} reg_row;

static int cmp_rows(const void *a, const void *b)
{
	const reg_row *x = a, *y = b;
	if (x->t->submitted_at != y->t->submitted_at)
		return x->t->submitted_at < y->t->submitted_at ? -1 : 1;
	return strcmp(x->t->code, y->t->code);
}

/* Procedure versions read for the register, by (code, version). */
typedef struct proc_cache {
	struct proc_cache *next;
	dvc_procedure *p;
} proc_cache;

static int proc_get(dvc_db *db, proc_cache **cache, const char *code, int version,
		    const dvc_procedure **out)
{
	proc_cache *c;
	int rc;
	for (c = *cache; c; c = c->next)
		if (c->p->version == version && strcmp(c->p->code, code) == 0) {
			*out = c->p;
			return DVC_OK;
		}
	if (!(c = dvc__calloc(1, sizeof *c)))
		return dvc__oom();
	if ((rc = dvc_procedure_get_version(db, code, version, &c->p)) != DVC_OK) {
		dvc__free(c);
		return rc;
	}
	c->next = *cache;
	*cache = c;
	*out = c->p;
	return DVC_OK;
}

/* The moment the desk handed the dossier to the processing agency: the
 * first forward out of the received state. */
static dvc_time transferred_at(const dvc_tracking *t)
{
	for (size_t i = 0; i < t->n_history; i++)
		if (t->history[i].action == DVC_ACT_FORWARD && t->history[i].from == DVC_STATE_RECEIVED)
			return t->history[i].at;
	return 0;
}

static void td(sink *o, const char *text, const char *cls)
{
	dvc_buf_puts(&o->b, cls ? "<td class=\"c\">" : "<td>");
	put_esc(&o->b, text);
	dvc_buf_puts(&o->b, "</td>");
}

static int register_row(sink *o, names *nm, const reg_row *r, const dvc_procedure *p, size_t n)
{
	const dvc_tracking *t = r->t;
	const char *lead;
#define PHONE_SEP "; ĐT: "
	char recv[32], due[64], moved[32], result[32], returned[48], resched[32], note[160];
	char addr[DVC_ADDRESS_MAX + sizeof PHONE_SEP + DVC_PHONE_E164_SIZE]; /* address; phone */
	dvc_time moved_at = transferred_at(t);
	dvc_time returned_at = t->state == DVC_STATE_RETURNED ? t->finished_at : 0;
	int rc;
	if ((rc = agency_name(nm, p->agency, &lead)) != DVC_OK)
		return rc;
	short_time(t->received_at, recv, sizeof recv);
	short_time(t->due_at, due, sizeof due);
	short_time(t->rescheduled_due_at, resched, sizeof resched);
	if (t->rescheduled_due_at) {
		size_t l = strlen(due);
		snprintf(due + l, sizeof due - l, "; hẹn lại %s", resched);
	}
	short_time(moved_at, moved, sizeof moved);
	short_time(t->result_at, result, sizeof result);
	short_time(returned_at, returned, sizeof returned);
	snprintf(addr, sizeof addr, "%s%s%s", or_empty(t->applicant.address),
		 t->applicant.phone && *t->applicant.phone ? PHONE_SEP : "", or_empty(t->applicant.phone));
	snprintf(note, sizeof note, "%s%s%s", dvc_state_label_vi(t->state),
		 t->overdue ? "; quá hạn" : "", t->rescheduled_due_at ? "; đã xin lỗi, hẹn lại" : "");
	if (!o->xml) {
		char num[24];
		snprintf(num, sizeof num, "%zu", n);
		dvc_buf_puts(&o->b, "<tr>");
		td(o, num, "c");
		td(o, t->code, NULL);
		td(o, t->procedure_name, NULL);
		td(o, "01", "c");
		td(o, t->applicant.full_name, NULL);
		td(o, addr, NULL);
		td(o, lead, NULL);
		td(o, recv, "c");
		td(o, due, "c");
		td(o, moved, "c");
		td(o, result, "c");
		td(o, returned, "c");
		td(o, "", NULL); /* Ký nhận: signed on paper */
		td(o, note, NULL);
		dvc_buf_puts(&o->b, "</tr>\n");
	} else {
		char ver[16], num[24];
		snprintf(ver, sizeof ver, "%d", t->procedure_version);
		snprintf(num, sizeof num, "%zu", n);
		dvc_buf_printf(&o->b, "    <entry n=\"%s\">\n", num);
		xel(o, 3, "code", t->code, NULL);
		xel(o, 3, "procedure", t->procedure_name, "code", t->procedure, "version", ver, NULL);
		xel(o, 3, "sets", "1", NULL);
		xel(o, 3, "applicant", t->applicant.full_name, NULL);
		xel(o, 3, "address", t->applicant.address, NULL);
		xel(o, 3, "phone", t->applicant.phone, NULL);
		xel(o, 3, "lead_agency", lead, "code", p->agency, NULL);
		xel(o, 3, "receiving_desk", NULL, "code", r->desk, NULL);
		xtime(o, 3, "submitted_at", t->submitted_at);
		xtime(o, 3, "received_at", t->received_at);
		xtime(o, 3, "due_at", t->due_at);
		xtime(o, 3, "rescheduled_due_at", t->rescheduled_due_at);
		xtime(o, 3, "transferred_at", moved_at);
		xtime(o, 3, "result_at", t->result_at);
		xtime(o, 3, "returned_at", returned_at);
		xel(o, 3, "state", dvc_state_name(t->state), NULL);
		xel(o, 3, "overdue", t->overdue ? "true" : "false", NULL);
		xclose(o, 2, "entry");
	}
	return DVC_OK;
}

int dvc_register_render(dvc_db *db, const dvc_register_opts *opts, dvc_slip_format fmt, char **out_doc,
			size_t *len)
{
	dvc_register_opts def = DVC_REGISTER_OPTS_INIT;
	dvc_dossier_filter f = DVC_DOSSIER_FILTER_INIT;
	dvc_dossier_list *l = NULL;
	reg_row *rows = NULL;
	size_t n = 0;
	proc_cache *procs = NULL;
	names nm;
	sink o = {DVC_BUF_INIT, 0};
	const char *unit_name = NULL;
	dvc_time now;
	int rc;

	if (!db || !out_doc)
		return dvc__err(DVC_EINVAL, NULL, "dvc_register_render needs a store and an out pointer");
	*out_doc = NULL;
	if (!opts)
		opts = &def;
	if (opts->version != DVC_REGISTER_OPTS_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "unsupported dvc_register_opts version %u", opts->version);
	if (fmt != DVC_SLIP_HTML && fmt != DVC_SLIP_XML)
		return dvc__err(DVC_EINVAL, "format", "unknown slip format %d", (int)fmt);
	if (opts->from && opts->to && opts->to <= opts->from)
		return dvc__err(DVC_EINVAL, "to", "the register's period ends before it starts");
	if ((rc = dvc_now(db, &now)) != DVC_OK)
		return rc;
	memset(&nm, 0, sizeof nm);
	nm.db = db;
	o.xml = fmt == DVC_SLIP_XML;

	/* Every dossier, then the period and the desk in C: the list filters
	 * on the current unit, not on the receiving desk. */
	f.limit = (size_t)INT64_MAX;
	if ((rc = dvc_dossier_find(db, &f, &l)) != DVC_OK)
		goto done;
	if (dvc_dossier_list_count(l) &&
	    !(rows = dvc__calloc(dvc_dossier_list_count(l), sizeof *rows))) {
		rc = dvc__oom();
		goto done;
	}
	for (size_t i = 0; i < dvc_dossier_list_count(l); i++) {
		dvc_tracking *t;
		const dvc_procedure *p;
		const char *desk;
		if ((rc = dvc__dossier_track(db, dvc_dossier_list_at(l, i)->code, &t)) != DVC_OK)
			goto done;
		if (!t->submitted_at || t->state == DVC_STATE_DRAFT ||
		    (opts->from && t->submitted_at < opts->from) || (opts->to && t->submitted_at >= opts->to)) {
			dvc_tracking_free(t);
			continue;
		}
		if ((rc = proc_get(db, &procs, t->procedure, t->procedure_version, &p)) != DVC_OK) {
			dvc_tracking_free(t);
			goto done;
		}
		desk = desk_of(t, p);
		if (opts->unit && strcmp(desk, opts->unit) != 0) {
			dvc_tracking_free(t);
			continue;
		}
		rows[n].t = t;
		rows[n].desk = desk;
		n++;
	}
	if (n)
		qsort(rows, n, sizeof *rows, cmp_rows);
	if (opts->unit && (rc = agency_name(&nm, opts->unit, &unit_name)) != DVC_OK)
		goto done;

	if (o.xml) {
		char from[DVC_TIME_FORMAT_SIZE], to[DVC_TIME_FORMAT_SIZE];
		iso(opts->from, from);
		iso(opts->to, to);
		dvc_buf_puts(&o.b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<register form=\"06\" circular=\"" CIRCULAR "\"");
		if (opts->unit) {
			dvc_buf_puts(&o.b, " unit=\"");
			put_esc(&o.b, opts->unit);
			dvc_buf_putc(&o.b, '"');
		}
		dvc_buf_puts(&o.b, ">\n");
		xel(&o, 1, "title", REGISTER_TITLE, NULL);
		xel(&o, 1, "issuer", unit_name, "code", opts->unit, NULL);
		xel(&o, 1, "from", from, NULL);
		xel(&o, 1, "to", to, NULL);
		xtime(&o, 1, "issued_at", now);
		dvc_buf_printf(&o.b, "  <entries count=\"%zu\">\n", n);
	} else {
		char a[48], b[48];
		html_begin(&o, REGISTER_TITLE, "A4 landscape");
		html_letterhead(&o, "06", unit_name, DESK_VI, place_of(unit_name), now);
		dvc_buf_puts(&o.b, "<h1>" REGISTER_TITLE "</h1>\n");
		vi_date(opts->from, a, sizeof a);
		vi_date(opts->to ? opts->to - 1 : 0, b, sizeof b);
		if (opts->from || opts->to)
			prose(&o, "sub", "Từ ", opts->from ? a : "đầu sổ", " đến ", opts->to ? b : "nay", NULL);
		dvc_buf_puts(&o.b,
			     "<table class=\"grid\" style=\"font-size:10pt\"><tr><th rowspan=\"2\">TT</th>"
			     "<th rowspan=\"2\">Mã hồ sơ</th><th rowspan=\"2\">Tên thủ tục hành chính</th>"
			     "<th rowspan=\"2\">Số lượng hồ sơ (bộ)</th><th rowspan=\"2\">Tên cá nhân, tổ chức</th>"
			     "<th rowspan=\"2\">Địa chỉ, số điện thoại</th><th rowspan=\"2\">Cơ quan chủ trì giải quyết</th>"
			     "<th colspan=\"2\">Nhận hồ sơ</th><th rowspan=\"2\">Chuyển hồ sơ đến cơ quan giải quyết</th>"
			     "<th rowspan=\"2\">Nhận kết quả từ cơ quan giải quyết</th>"
			     "<th colspan=\"2\">Trả kết quả cho cá nhân, tổ chức</th><th rowspan=\"2\">Ghi chú</th></tr>\n"
			     "<tr><th>Ngày, giờ nhận</th><th>Hẹn trả kết quả</th><th>Ngày, giờ</th><th>Ký nhận</th></tr>\n");
	}
	for (size_t i = 0; i < n; i++) {
		const dvc_procedure *p;
		if ((rc = proc_get(db, &procs, rows[i].t->procedure, rows[i].t->procedure_version, &p)) != DVC_OK ||
		    (rc = register_row(&o, &nm, &rows[i], p, i + 1)) != DVC_OK)
			goto done;
	}
	if (o.xml) {
		dvc_buf_puts(&o.b, "  </entries>\n</register>\n");
	} else {
		if (!n)
			dvc_buf_puts(&o.b, "<tr><td colspan=\"14\" class=\"c\">Không có hồ sơ trong kỳ</td></tr>\n");
		dvc_buf_puts(&o.b, "</table>\n");
		html_end(&o);
	}
done:
	rc = finish(&o, rc, out_doc, len);
	for (size_t i = 0; i < n; i++)
		dvc_tracking_free(rows[i].t);
	dvc__free(rows);
	while (procs) {
		proc_cache *next = procs->next;
		dvc_procedure_free(procs->p);
		dvc__free(procs);
		procs = next;
	}
	names_free(&nm);
	dvc_dossier_list_free(l);
	return rc;
}

/* ---- blank forms (level 2: print, fill in by hand, bring to the desk) ---- */

int dvc_form_render(const dvc_procedure *p, size_t document, char **out, size_t *len)
{
	static const char *const applicant_fields[] = {
		"Họ, chữ đệm, tên", "Số định danh cá nhân", "Ngày, tháng, năm sinh",
		"Nơi cư trú", "Số điện thoại", "Thư điện tử"};
	sink o = {DVC_BUF_INIT, 0};
	const dvc_document *d;
	cJSON *schema = NULL, *f;
	unsigned long failures = dvc__alloc_failures();
	if (!p || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_form_render needs a procedure and an out pointer");
	*out = NULL;
	if (document < 1 || document > p->n_documents ||
	    p->documents[document - 1].submission != DVC_SUBMIT_EFORM)
		return dvc__err(DVC_ENOTFOUND, "document",
				"procedure %s has no document %zu filled in as a form", p->code, document);
	d = &p->documents[document - 1];
	if (p->form_schema && !(schema = cJSON_Parse(p->form_schema)) &&
	    dvc__alloc_failures() != failures)
		return dvc__oom();
	html_begin(&o, d->name, "A4");
	dvc_buf_puts(&o.b, "<p class=\"c\"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>"
			   "<b>Độc lập - Tự do - Hạnh phúc</b></p>\n<h1 class=\"c\">");
	put_esc(&o.b, d->name);
	dvc_buf_puts(&o.b, "</h1>\n<p class=\"c\">Thủ tục: ");
	put_esc(&o.b, p->name);
	dvc_buf_puts(&o.b, " (mã ");
	put_esc(&o.b, p->code);
	dvc_buf_puts(&o.b, ")</p>\n");
	for (size_t i = 0; i < DVC_ARRAY_LEN(applicant_fields); i++)
		dvc_buf_printf(&o.b, "<p>%s: ......................................................</p>\n",
			       applicant_fields[i]);
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(schema, "properties"))
	{
		const cJSON *title = cJSON_GetObjectItemCaseSensitive(f, "title");
		dvc_buf_puts(&o.b, "<p>");
		put_esc(&o.b, cJSON_IsString(title) ? title->valuestring : f->string);
		dvc_buf_puts(&o.b, ": ......................................................</p>\n");
	}
	cJSON_Delete(schema);
	dvc_buf_puts(&o.b, "<p>Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách "
			   "nhiệm trước pháp luật về lời khai của mình.</p>\n<p style=\"text-align:right\">......, ngày "
			   "..... tháng ..... năm ........<br><b>Người yêu cầu</b><br><i>(Ký, ghi rõ họ, "
			   "chữ đệm, tên)</i></p>\n");
	html_end(&o);
	if (len)
		*len = o.b.len;
	if (o.b.oom) {
		dvc_buf_free(&o.b);
		return dvc__oom();
	}
	return (*out = dvc_buf_detach(&o.b)) ? DVC_OK : dvc__oom();
}

int dvc_slip_render_signed(dvc_db *db, const char *code, dvc_slip_kind kind,
			   const dvc_sign_opts *opts, char **out, size_t *out_len)
{
	char *xml = NULL;
	size_t n = 0;
	int rc;
	if (!out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_slip_render_signed needs an out pointer");
	*out = NULL;
	/* no key, no slip: checked before anything is rendered */
	if ((rc = dvc__sign_ready(opts)) != DVC_OK)
		return rc;
	if ((rc = dvc_slip_render(db, code, kind, DVC_SLIP_XML, &xml, &n)) != DVC_OK)
		return rc;
	rc = dvc_sign_xml(xml, n, opts, out, out_len);
	dvc_free(xml);
	return rc;
}

int dvc_slip_render_for(dvc_db *db, const char *code, const dvc_actor *who, const dvc_caller *from,
			dvc_slip_kind kind, dvc_slip_format fmt, char **out_doc, size_t *len)
{
	int rc;
	if (!db || !code || !who || !out_doc)
		return dvc__err(DVC_EINVAL, NULL,
				"dvc_slip_render_for needs a store, a code, who asks and an out pointer");
	*out_doc = NULL;
	if ((unsigned)kind >= DVC_SLIP_KIND_COUNT)
		return dvc__err(DVC_EINVAL, "kind", "unknown slip kind %d", (int)kind);
	if (who->kind == DVC_ACTOR_OFFICER) {
		/* recorded before the slip is read (privacy.h) */
		rc = dvc__officer_read(db, code, who, DVC_ACCESS_SLIP, FORMS[kind].name);
	} else {
		/* the applicant: tracking's rules and throttle decide */
		dvc_tracking *t;
		if ((rc = dvc_dossier_track_from(db, code, who, from, &t)) == DVC_OK)
			dvc_tracking_free(t);
	}
	if (rc != DVC_OK)
		return rc;
	return dvc_slip_render(db, code, kind, fmt, out_doc, len);
}
