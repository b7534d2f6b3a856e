/* Input is refused, never altered (issue 16): every JSON input goes through
 * one strict reader (dvc/json.h) that refuses a NUL in a string, text after
 * the value, invalid UTF-8 and documents past their value budget before
 * cJSON builds anything; XML catalogs are parsed under a node and text
 * budget, and libxml2 never prints. Each refusal leaves the store as it was. */
#include "testutil.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- dvc_json_check ------------------------------------------------------ */

static void ck_check(const char *text, int depth, size_t values, int code, const char *path,
		     const char *msg)
{
	const dvc_error *e;
	ck_dvc(dvc_json_check(text, strlen(text), depth, values), code);
	if (code == DVC_OK)
		return;
	e = dvc_error_last();
	if (path)
		ck_assert_msg(e->path && strcmp(e->path, path) == 0, "%s: path '%s', want '%s'",
			      text, e->path ? e->path : "(null)", path);
	else
		ck_assert_msg(!e->path, "%s: path '%s', want none", text, e->path);
	ck_assert_msg(strstr(e->message, msg), "%s: message '%s' lacks '%s'", text, e->message, msg);
}

START_TEST(json_check_accepts_strict_json)
{
	ck_check("{\"a\": [1, -0.5e+3, 0, 1E9, true, false, null, "
		 "\"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\"], \"b\": {}}",
		 8, 0, DVC_OK, NULL, "");
	ck_check("\xEF\xBB\xBF \"x\" \r\n\t", 1, 1, DVC_OK, NULL, "");
	ck_check("[[[]]]", 3, 3, DVC_OK, NULL, "");
	ck_check("{\"Tên\": \"Nguyễn Văn An\"}", 1, 2, DVC_OK, NULL, "");
	/* an escaped backslash before u0000 is text, not a NUL */
	ck_check("[\"a\\\\u0000\"]", 1, 0, DVC_OK, NULL, "");
	ck_check("[123456789012345678901234567890123456789012345678901234567890123]", 1, 0, DVC_OK,
		 NULL, "");
}
END_TEST

START_TEST(json_check_refuses_with_code_place_and_position)
{
	ck_check("{\n  \"a\": \"x\\u0000\"\n}", 4, 0, DVC_EUTF8, "a",
		 "NUL character (\\u0000) at line 2, column 10");
	ck_check("{\"a\": [\"ok\", \"ab\\u0000cd\"]}", 4, 0, DVC_EUTF8, "a[1]", "NUL character");
	ck_check("{\"k\\u0000\": 1}", 4, 0, DVC_EUTF8, NULL, "NUL character");
	ck_check("{\"a\": 1} {}", 4, 0, DVC_EPARSE, NULL, "text after the JSON value at line 1, column 10");
	ck_check("[1] x", 4, 0, DVC_EPARSE, NULL, "text after the JSON value");
	ck_check("{\"n\": \"Nguy\xE1\xBB\"}", 4, 0, DVC_EUTF8, "n", "not valid UTF-8 at line 1, column 12");
	ck_check("[\"\xC0\x80\"]", 4, 0, DVC_EUTF8, "[0]", "not valid UTF-8");
	ck_check("[\"\\ud800\"]", 4, 0, DVC_EPARSE, "[0]", "lone surrogate");
	ck_check("[\"\\udc00\\ud800\"]", 4, 0, DVC_EPARSE, "[0]", "lone surrogate");
	ck_check("[\"\\ud800\\u0041\"]", 4, 0, DVC_EPARSE, "[0]", "lone surrogate");
	ck_check("[\"a\x01\"]", 4, 0, DVC_EPARSE, "[0]", "control character");
	ck_check("[\"a\tb\"]", 4, 0, DVC_EPARSE, "[0]", "control character");
	ck_check("[\"\\x\"]", 4, 0, DVC_EPARSE, "[0]", "unknown escape");
	ck_check("[\"\\u12G4\"]", 4, 0, DVC_EPARSE, "[0]", "malformed \\u escape");
	ck_check("[\"abc", 4, 0, DVC_EPARSE, "[0]", "never ends");
	static const char *const malformed[] = {
		"", " ", "{", "[", "[01]", "[1.]", "[1e]", "[-]", "[+1]", "[.5]", "{\"a\" 1}",
		"{\"a\":1,}", "[1,]", "[,1]", "[tru]", "[nulll]", "{'a':1}", "{a:1}", "[1 2]",
		"{\"a\":1]", "[1}", "NaN", "[Infinity]", "\"a\"\"b\"",
	};
	for (size_t i = 0; i < sizeof malformed / sizeof *malformed; i++)
		ck_dvc(dvc_json_check(malformed[i], strlen(malformed[i]), 4, 0), DVC_EPARSE);
	ck_dvc(dvc_json_check("{\"a\":\0}", 7, 4, 0), DVC_EUTF8);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "NUL byte"));
	/* limits */
	ck_check("[[[]]]", 2, 0, DVC_ETOOBIG, "[0][0]", "nests deeper than 2 levels at line 1, column 3");
	ck_check("[1,2,3]", 4, 3, DVC_ETOOBIG, "[2]", "more than 3 values");
	ck_check("[1,2,3]", 4, 4, DVC_OK, NULL, "");
	ck_check("[1234567890123456789012345678901234567890123456789012345678901234]", 1, 0,
		 DVC_ETOOBIG, "[0]", "number longer than 63");
	ck_dvc(dvc_json_check("[]", 2, 0, 1), DVC_EINVAL);
	ck_dvc(dvc_json_check("[]", 2, DVC_JSON_MAX_DEPTH + 1, 1), DVC_EINVAL);
	ck_dvc(dvc_json_check(NULL, 0, 4, 0), DVC_EINVAL);
	/* the length is honoured */
	ck_dvc(dvc_json_check("[1] trailing", 3, 4, 0), DVC_OK);
}
END_TEST

/* Whatever the checker accepts, cJSON reads whole: the readers never find
 * cJSON refusing (or stopping short in) a document the checker let through.
 * Random documents from JSON's own tokens and a few troublemakers. */
START_TEST(whatever_the_check_accepts_cjson_reads_whole)
{
	static const char *const tok[] = {
		"{", "}", "[", "]", ",", ":", "\"a\"", "\"\\u00e9\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\"",
		"1", "-0", "0.5", "1e5", "01", "true", "null", " ", "\n", "\"\\u0000\"", "\"\x01\"",
		"\xC3\xA9", "\"\\/\"", "\"\\q\"", "-", "1.", "\"", "\\",
	};
	unsigned seed = 16;
	size_t accepted = 0;
	for (int round = 0; round < 200000; round++) {
		char doc[256];
		size_t n = 0;
		int k = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 12;
		for (int i = 0; i < k; i++) {
			const char *t = tok[((seed = seed * 1103515245u + 12345u) >> 16) %
					    (sizeof tok / sizeof *tok)];
			size_t l = strlen(t);
			if (n + l >= sizeof doc)
				break;
			memcpy(doc + n, t, l);
			n += l;
		}
		doc[n] = '\0';
		if (dvc_json_check(doc, n, 64, 0) == DVC_OK) {
			const char *end = NULL;
			cJSON *j = cJSON_ParseWithLengthOpts(doc, n, &end, 0);
			ck_assert_msg(j != NULL, "cJSON refuses accepted '%s'", doc);
			while (end < doc + n && strchr(" \t\r\n", *end))
				end++;
			ck_assert_msg(end == doc + n, "cJSON stops short in accepted '%s'", doc);
			cJSON_Delete(j);
			accepted++;
		}
	}
	ck_assert_uint_gt(accepted, 1000);
}
END_TEST

/* ---- catalog JSON --------------------------------------------------------- */

static char *export_json(dvc_db *db)
{
	char *out;
	size_t len;
	ck_ok(dvc_catalog_export(db, DVC_FORMAT_JSON, &out, &len));
	return out;
}

/* `text` with the first `from` replaced by `to` (malloc'd). */
static char *edit(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t a, f = strlen(from), t = strlen(to), n = strlen(text);
	char *out;
	ck_assert_msg(at != NULL, "'%s' not found", from);
	a = (size_t)(at - text);
	out = malloc(n - f + t + 1);
	memcpy(out, text, a);
	memcpy(out + a, to, t);
	memcpy(out + a + t, at + f, n - a - f + 1);
	return out;
}

/* Import `doc` into `db`: `code`, a message containing `msg`, store unchanged. */
static void ck_refused(dvc_db *db, const char *doc, size_t len, dvc_format f, int code,
		       const char *path, const char *msg)
{
	char *before = export_json(db), *after;
	const dvc_error *e;
	ck_dvc(dvc_catalog_import(db, doc, len, f, NULL), code);
	e = dvc_error_last();
	ck_assert_msg(strstr(e->message, msg), "message '%s' lacks '%s'", e->message, msg);
	if (path)
		ck_assert_msg(e->path && strstr(e->path, path), "path '%s' lacks '%s' (%s)",
			      e->path ? e->path : "(null)", path, e->message);
	after = export_json(db);
	ck_assert_str_eq(before, after);
	dvc_free(before);
	dvc_free(after);
}

START_TEST(catalog_json_nul_trailing_and_bad_utf8_are_refused_not_altered)
{
	dvc_db *db = mem_db();
	char *ref = slurp(src_path("tests/data/dossier_catalog.json"), NULL), *bad;
	size_t n = strlen(ref);
	/* "ab\u0000cd" used to be stored as "ab" */
	bad = edit(ref, "Mục đích", "Mục\\u0000đích");
	ck_refused(db, bad, strlen(bad), DVC_FORMAT_JSON, DVC_EUTF8, "form_schema.properties.purpose.title",
		   "NUL character");
	free(bad);
	bad = edit(ref, "\"Cấp huyện\"", "\"Cấp\\u0000 huyện\"");
	ck_refused(db, bad, strlen(bad), DVC_FORMAT_JSON, DVC_EUTF8, "levels[0].name", "NUL character");
	free(bad);
	/* "{...} {}" used to import */
	bad = malloc(n + 4);
	memcpy(bad, ref, n);
	memcpy(bad + n, " {}", 4);
	ck_refused(db, bad, n + 3, DVC_FORMAT_JSON, DVC_EPARSE, NULL, "text after the JSON value");
	free(bad);
	bad = edit(ref, "Cấp huyện", "C\xE1p huyện");
	ck_refused(db, bad, strlen(bad), DVC_FORMAT_JSON, DVC_EUTF8, "levels[0].name", "not valid UTF-8");
	free(bad);
	/* the untouched document imports */
	ck_ok(dvc_catalog_import(db, ref, n, DVC_FORMAT_JSON, NULL));
	free(ref);
	dvc_close(db);
}
END_TEST

/* {"format":..,"format_version":1,"x":[0,0,...]}: 4 + zeros values. */
static char *zeros_doc(size_t zeros, size_t *len)
{
	static const char head[] = "{\"format\":\"dvc-catalog\",\"format_version\":1,\"x\":[";
	size_t n = sizeof head - 1;
	char *d = malloc(n + 2 * zeros + 3);
	memcpy(d, head, n);
	for (size_t i = 0; i < zeros; i++) {
		d[n++] = '0';
		d[n++] = ',';
	}
	d[n - 1] = ']';
	d[n++] = '}';
	d[n] = '\0';
	*len = n;
	return d;
}

START_TEST(catalog_json_past_its_value_budget_is_refused_before_parsing)
{
	dvc_db *db = mem_db();
	size_t len;
	char *d = zeros_doc(DVC_CATALOG_MAX_VALUES - 4, &len);
	/* at the limit the reader sees the document, and refuses the key */
	ck_refused(db, d, len, DVC_FORMAT_JSON, DVC_ESCHEMA, "x", "unknown key");
	free(d);
	d = zeros_doc(DVC_CATALOG_MAX_VALUES - 3, &len);
	ck_refused(db, d, len, DVC_FORMAT_JSON, DVC_ETOOBIG, "x[", "more than 600000 values");
	free(d);
	dvc_close(db);
}
END_TEST

/* ---- catalog XML ---------------------------------------------------------- */

/* fd 2 goes to a temporary file while `on`; off returns what was written. */
static int saved_fd = -1;
static char err_path[] = "/tmp/dvc-test-json-stderr-XXXXXX";

static void capture_stderr(void)
{
	int fd = mkstemp(err_path);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved_fd = dup(2);
	dup2(fd, 2);
	close(fd);
}

static long captured_stderr(void)
{
	struct stat st;
	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	ck_assert_int_eq(stat(err_path, &st), 0);
	unlink(err_path);
	return (long)st.st_size;
}

START_TEST(catalog_xml_budgets_give_etoobig_and_libxml2_stays_silent)
{
	dvc_db *src = mem_db(), *db = mem_db();
	char *xml, *bad, *big;
	size_t n;
	ck_ok(dvc_catalog_import_file(src, src_path("tests/data/dossier_catalog.json"),
				      DVC_FORMAT_AUTO, NULL));
	ck_ok(dvc_catalog_export(src, DVC_FORMAT_XML, &xml, &n));
	capture_stderr();
	/* a 10 MB text node: DVC_ETOOBIG (libxml2 said "huge text node" on
	 * stderr and the import said DVC_EPARSE) */
	big = malloc(10 * 1024 * 1024 + 16);
	memset(big, 'A', 10 * 1024 * 1024);
	big[10 * 1024 * 1024] = '\0';
	bad = edit(xml, "Cấp huyện", big);
	ck_refused(db, bad, strlen(bad), DVC_FORMAT_XML, DVC_ETOOBIG, NULL,
		   "a text is longer than 1048576 bytes");
	free(bad);
	/* exactly at the limit the text is read, and the XSD refuses it */
	big[DVC_CATALOG_MAX_XML_TEXT] = '\0';
	bad = edit(xml, "Cấp huyện", big);
	ck_refused(db, bad, strlen(bad), DVC_FORMAT_XML, DVC_ESCHEMA, NULL, "maxLength");
	free(bad);
	big[DVC_CATALOG_MAX_XML_TEXT] = 'A';
	big[DVC_CATALOG_MAX_XML_TEXT + 1] = '\0';
	{
		char *attr = malloc(DVC_CATALOG_MAX_XML_TEXT + 32);
		sprintf(attr, "code=\"%s\"", big);
		bad = edit(xml, "code=\"district\"", attr);
		free(attr);
	}
	ck_refused(db, bad, strlen(bad), DVC_FORMAT_XML, DVC_ETOOBIG, NULL, "attribute code is longer");
	free(bad);
	free(big);
	/* 600,001 empty elements: refused as they are counted */
	{
		const char *root = strstr(xml, "<catalog");
		size_t at = (size_t)(strchr(root, '>') + 1 - xml), k = DVC_CATALOG_MAX_VALUES + 1;
		bad = malloc(n + 4 * k + 1);
		memcpy(bad, xml, at);
		for (size_t i = 0; i < k; i++)
			memcpy(bad + at + 4 * i, "<a/>", 4);
		memcpy(bad + at + 4 * k, xml + at, n - at + 1);
		ck_refused(db, bad, n + 4 * k, DVC_FORMAT_XML, DVC_ETOOBIG, NULL,
			   "more than 600000 nodes");
		free(bad);
	}
	/* malformed: the error is the call's, with libxml2's words */
	bad = edit(xml, "</name>", "</nam>");
	ck_refused(db, bad, strlen(bad), DVC_FORMAT_XML, DVC_EPARSE, NULL, "Opening and ending tag mismatch");
	ck_assert_ptr_null(strchr(dvc_error_last()->message, '\n'));
	free(bad);
	bad = edit(xml, "<catalog", "<!DOCTYPE catalog [<!ENTITY e \"x\">]><catalog");
	ck_refused(db, bad, strlen(bad), DVC_FORMAT_XML, DVC_ESCHEMA, NULL, "DOCTYPE");
	free(bad);
	/* a form schema's JSON goes through the same reader */
	bad = edit(xml, "Mục đích", "Mục\\u0000đích");
	ck_refused(db, bad, strlen(bad), DVC_FORMAT_XML, DVC_EUTF8,
		   "form_schema.properties.purpose.title", "NUL character");
	free(bad);
	bad = edit(xml, "</form_schema>", " {}</form_schema>");
	ck_refused(db, bad, strlen(bad), DVC_FORMAT_XML, DVC_EPARSE, "form_schema",
		   "text after the JSON value");
	free(bad);
	ck_dvc(dvc_catalog_validate_xml("<a>\x01</a>", 8), DVC_EPARSE);
	ck_assert_int_eq(captured_stderr(), 0);
	/* the untouched export imports */
	ck_ok(dvc_catalog_import(db, xml, n, DVC_FORMAT_XML, NULL));
	dvc_free(xml);
	dvc_close(src);
	dvc_close(db);
}
END_TEST

/* ---- form data, schedules, templates ------------------------------------ */

static size_t dossiers(dvc_db *db)
{
	dvc_dossier_filter f = DVC_DOSSIER_FILTER_INIT;
	dvc_dossier_list *l;
	size_t n;
	ck_ok(dvc_dossier_find(db, &f, &l));
	n = dvc_dossier_list_count(l);
	dvc_dossier_list_free(l);
	return n;
}

START_TEST(form_data_with_a_nul_or_trailing_text_submits_nothing)
{
	static const dvc_applicant citizen = {
		"Nguyễn Văn An", "031099001234", "1999-05-12",
		"Thôn 3, xã Thụy Hương, huyện Kiến Thụy", "0912 345 678", NULL};
	static const char *const bad[] = {
		"{\"purpose\": \"xin\\u0000 cấp\", \"copies\": 1}",
		"{\"purpose\": \"xin cấp\", \"copies\": 1} {}",
		"{\"purpose\": \"xin c\xE1p\", \"copies\": 1}",
	};
	static const int want[] = {DVC_EUTF8, DVC_EPARSE, DVC_EUTF8};
	dvc_db *db = dossier_db();
	for (size_t i = 0; i < 3; i++) {
		dvc_submission s = DVC_SUBMISSION_INIT;
		dvc_receipt r = DVC_RECEIPT_INIT;
		s.procedure = "T.000003";
		s.applicant = &citizen;
		s.form_data = bad[i];
		ck_dvc(dvc_dossier_submit(db, &s, &r), want[i]);
		ck_assert_uint_eq(dossiers(db), 0);
	}
	submit_as_citizen(db, "T.000003", "{\"purpose\": \"xin cấp\", \"copies\": 1}");
	ck_assert_uint_eq(dossiers(db), 1);
	dvc_close(db);
}
END_TEST

START_TEST(form_data_past_its_value_budget_is_refused)
{
	dvc_eform *f;
	size_t n = 0;
	char *d = malloc(2 * DVC_EFORM_MAX_VALUES + 64);
	ck_ok(dvc_eform_compile(&f, "{\"type\":\"object\"}", 17));
	n += (size_t)sprintf(d, "{\"a\":[");
	/* root + array + zeros */
	for (size_t i = 0; i < DVC_EFORM_MAX_VALUES - 1; i++)
		n += (size_t)sprintf(d + n, "0,");
	d[n - 1] = ']';
	d[n++] = '}';
	ck_dvc(dvc_eform_validate(f, d, n), DVC_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "more than 100000 values"));
	/* one zero fewer is read (and is fine for a schema without properties) */
	memmove(d + 6, d + 8, n - 8);
	n -= 2;
	ck_ok(dvc_eform_validate(f, d, n));
	free(d);
	dvc_eform_free(f);
}
END_TEST

START_TEST(schedules_and_templates_are_read_by_the_same_reader)
{
	dvc_calendar *cal;
	dvc_db *db = mem_db();
	char *y = slurp(src_path("data/calendar/2025.json"), NULL), *bad;
	size_t n = strlen(y);
	ck_ok(dvc_calendar_new(&cal, NULL));
	bad = malloc(n + 4);
	memcpy(bad, y, n);
	memcpy(bad + n, "{}", 3);
	ck_dvc(dvc_calendar_load_schedule(cal, bad, n + 2), DVC_EPARSE);
	free(bad);
	bad = edit(y, "Tết Dương lịch", "Tết\\u0000 Dương lịch");
	ck_dvc(dvc_calendar_load_schedule(cal, bad, strlen(bad)), DVC_EUTF8);
	ck_assert_str_eq(dvc_error_last()->path, "days_off[0].name");
	free(bad);
	ck_ok(dvc_calendar_load_schedule(cal, y, n));
	free(y);
	dvc_calendar_free(cal);

	static const char *const tpl =
		"{\"format\":\"dvc-notify-templates\",\"format_version\":1,"
		"\"templates\":{\"accepted\":{\"sms\":\"Hồ sơ {code} đã nhận\\u0000xyz\"}}}";
	ck_dvc(dvc_notify_set_templates(db, tpl, strlen(tpl)), DVC_EUTF8);
	ck_assert_str_eq(dvc_error_last()->path, "templates.accepted.sms");
	static const char *const tpl2 =
		"{\"format\":\"dvc-notify-templates\",\"format_version\":1,"
		"\"templates\":{\"accepted\":{\"sms\":\"Hồ sơ {code} đã nhận\"}}} []";
	ck_dvc(dvc_notify_set_templates(db, tpl2, strlen(tpl2)), DVC_EPARSE);
	ck_ok(dvc_notify_set_templates(db, tpl2, strlen(tpl2) - 3));
	dvc_close(db);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		json_check_accepts_strict_json,
		json_check_refuses_with_code_place_and_position,
		whatever_the_check_accepts_cjson_reads_whole,
		catalog_json_nul_trailing_and_bad_utf8_are_refused_not_altered,
		catalog_json_past_its_value_budget_is_refused_before_parsing,
		catalog_xml_budgets_give_etoobig_and_libxml2_stays_silent,
		form_data_with_a_nul_or_trailing_text_submits_nothing,
		form_data_past_its_value_budget_is_refused,
		schedules_and_templates_are_read_by_the_same_reader,
		NULL,
	};
	return run_tests("json", NULL, NULL, 0, tests);
}
