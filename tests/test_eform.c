/* E-form schemas: compiling the JSON-Schema subset and validating form data. */
#include "testutil.h"
#include "dvc/eform.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the form asks of each parent, the father and the mother alike. */
#define PARENT                                                                                 \
	"    \"additionalProperties\": false, \"required\": [\"full_name\", \"citizen_id\"],"  \
	"    \"properties\": {"                                                                 \
	"      \"full_name\": {\"type\": \"string\", \"title\": \"Họ và tên\", \"minLength\": 1," \
	"                      \"maxLength\": 100},"                                            \
	"      \"citizen_id\": {\"type\": \"string\", \"title\": \"Số định danh cá nhân\","     \
	"                       \"format\": \"citizen_id\"},"                                   \
	"      \"birth_year\": {\"type\": \"integer\", \"minimum\": 1900}}},"

/* Tờ khai đăng ký khai sinh: the birth-registration form. */
static const char birth_schema[] =
	"{"
	" \"type\": \"object\","
	" \"title\": \"Tờ khai đăng ký khai sinh\","
	" \"additionalProperties\": false,"
	" \"required\": [\"child_name\", \"birth_date\", \"gender\", \"place_of_birth\","
	"                \"mother\", \"applicant\", \"attachments\"],"
	" \"properties\": {"
	"  \"child_name\": {\"type\": \"string\", \"title\": \"Họ, chữ đệm, tên\","
	"                   \"minLength\": 1, \"maxLength\": 100},"
	"  \"birth_date\": {\"type\": \"string\", \"title\": \"Ngày, tháng, năm sinh\","
	"                   \"format\": \"date\"},"
	"  \"gender\": {\"type\": \"string\", \"title\": \"Giới tính\", \"enum\": [\"Nam\", \"Nữ\"]},"
	"  \"ethnicity\": {\"type\": \"string\", \"title\": \"Dân tộc\", \"maxLength\": 50},"
	"  \"place_of_birth\": {\"type\": \"string\", \"title\": \"Nơi sinh\","
	"                       \"description\": \"Tên cơ sở y tế hoặc địa chỉ nơi sinh\","
	"                       \"minLength\": 1, \"maxLength\": 200},"
	"  \"birth_order\": {\"type\": \"integer\", \"title\": \"Con thứ mấy\","
	"                    \"minimum\": 1, \"maximum\": 20},"
	"  \"marriage_registered\": {\"type\": \"boolean\", \"title\": \"Cha mẹ đã đăng ký kết hôn\"},"
	"  \"father\": {\"type\": \"object\", \"title\": \"Thông tin người cha\","
	PARENT
	"  \"mother\": {\"type\": \"object\", \"title\": \"Thông tin người mẹ\","
	PARENT
	"  \"applicant\": {\"type\": \"object\", \"title\": \"Người đi đăng ký\","
	"    \"required\": [\"full_name\", \"phone\"],"
	"    \"properties\": {"
	"      \"full_name\": {\"type\": \"string\", \"minLength\": 1},"
	"      \"relationship\": {\"type\": \"string\", \"title\": \"Quan hệ với người được khai sinh\","
	"                         \"enum\": [\"Cha\", \"Mẹ\", \"Ông\", \"Bà\", \"Người thân thích\"]},"
	"      \"phone\": {\"type\": \"string\", \"title\": \"Số điện thoại\", \"format\": \"phone\"},"
	"      \"email\": {\"type\": \"string\", \"title\": \"Thư điện tử\", \"format\": \"email\"}}},"
	"  \"attachments\": {\"type\": \"array\", \"title\": \"Giấy tờ kèm theo\","
	"    \"minItems\": 1, \"maxItems\": 10,"
	"    \"items\": {\"type\": \"object\", \"additionalProperties\": false,"
	"      \"required\": [\"code\", \"file_id\"],"
	"      \"properties\": {"
	"        \"code\": {\"type\": \"string\", \"title\": \"Loại giấy tờ\","
	"                   \"enum\": [\"GIAY_CHUNG_SINH\", \"VAN_BAN_CAM_DOAN\","
	"                              \"GIAY_CHUNG_NHAN_KET_HON\"]},"
	"        \"file_id\": {\"type\": \"string\", \"pattern\": \"[0-9a-f]{32}\"},"
	"        \"pages\": {\"type\": \"number\", \"minimum\": 1}}}}"
	" }"
	"}";

#define FILE_A "0123456789abcdef0123456789abcdef"
#define FILE_B "fedcba9876543210fedcba9876543210"

/* A valid submission; tests replace one piece of it with `old` -> `new`. */
static const char birth_data[] =
	"{"
	" \"child_name\": \"Nguyễn Thị Minh Anh\","
	" \"birth_date\": \"2024-02-29\","
	" \"gender\": \"Nữ\","
	" \"ethnicity\": \"Kinh\","
	" \"place_of_birth\": \"Bệnh viện Phụ sản Hải Phòng\","
	" \"birth_order\": 2,"
	" \"marriage_registered\": true,"
	" \"father\": {\"full_name\": \"Nguyễn Văn Bình\", \"citizen_id\": \"031099001234\","
	"              \"birth_year\": 1999},"
	" \"mother\": {\"full_name\": \"Trần Thị Cúc\", \"citizen_id\": \"031301004321\"},"
	" \"applicant\": {\"full_name\": \"Nguyễn Văn Bình\", \"relationship\": \"Cha\","
	"                 \"phone\": \"0912 345 678\", \"email\": \"binh.nv@example.vn\","
	"                 \"note\": \"gọi sau 17h\"},"
	" \"attachments\": ["
	"   {\"code\": \"GIAY_CHUNG_SINH\", \"file_id\": \"" FILE_A "\", \"pages\": 1},"
	"   {\"code\": \"GIAY_CHUNG_NHAN_KET_HON\", \"file_id\": \"" FILE_B "\"}"
	" ]"
	"}";

static dvc_eform *form;

static void setup(void)
{
	ck_ok(dvc_eform_compile(&form, birth_schema, strlen(birth_schema)));
	ck_assert_ptr_nonnull(form);
}

static void teardown(void)
{
	dvc_eform_free(form);
	form = NULL;
}

/* birth_data with the first occurrence of `from` replaced by `to`. */
static char *edit(const char *from, const char *to)
{
	const char *at = strstr(birth_data, from);
	size_t n = strlen(birth_data) - strlen(from) + strlen(to);
	char *out = malloc(n + 1);
	ck_assert_msg(at != NULL, "'%s' not in the sample data", from);
	ck_assert_ptr_nonnull(out);
	snprintf(out, n + 1, "%.*s%s%s", (int)(at - birth_data), birth_data, to, at + strlen(from));
	return out;
}

/* Validate the sample data with `from` replaced by `to`; expect `code`, the
 * exact `path` (NULL: none) and a message containing `msg`. A failure names
 * the edit. */
static void ck_data(const char *from, const char *to, int code, const char *path, const char *msg)
{
	char *data = edit(from, to);
	const dvc_error *e;
	int rc = dvc_eform_validate(form, data, strlen(data));
	free(data);
	ck_assert_msg(rc == code, "'%s' as '%s': %s (%s), want %s", from, to, dvc_status_name(rc),
		      dvc_error_last()->message, dvc_status_name(code));
	if (code == DVC_OK)
		return;
	e = dvc_error_last();
	if (path)
		ck_assert_msg(e->path && strcmp(e->path, path) == 0,
			      "'%s' as '%s': path '%s', want '%s' (%s)", from, to,
			      e->path ? e->path : "(null)", path, e->message);
	else
		ck_assert_msg(e->path == NULL, "'%s' as '%s': path '%s', want none", from, to,
			      e->path);
	ck_assert_msg(strstr(e->message, msg) != NULL, "'%s' as '%s': message '%s' lacks '%s'",
		      from, to, e->message, msg);
}

/* One ck_data: an edit of the sample data and what validating it gives. */
typedef struct data_case {
	const char *from, *to;
	int code;
	const char *path, *msg;
} data_case;

/* ck_data for each row of the array `cases`. */
#define ck_data_cases(cases)                                                              \
	for (size_t i_ = 0; i_ < sizeof(cases) / sizeof *(cases); i_++)                   \
	ck_data((cases)[i_].from, (cases)[i_].to, (cases)[i_].code, (cases)[i_].path,     \
		(cases)[i_].msg)

/* Compile a schema; expect `code`, the exact schema `path` and `msg`. */
static void ck_schema(const char *schema, int code, const char *path, const char *msg)
{
	dvc_eform *f = (dvc_eform *)1;
	const dvc_error *e;
	ck_dvc(dvc_eform_compile(&f, schema, strlen(schema)), code);
	ck_assert_ptr_null(f);
	e = dvc_error_last();
	if (path)
		ck_assert_msg(e->path && strcmp(e->path, path) == 0, "path '%s', want '%s' (%s)",
			      e->path ? e->path : "(null)", path, e->message);
	ck_assert_msg(strstr(e->message, msg) != NULL, "message '%s' lacks '%s'", e->message, msg);
}

START_TEST(valid_birth_registration_passes)
{
	/* optional fields may be left out: the father, the birth order (and the
	 * second attachment has no pages) */
	const char *father = strstr(birth_data, "\"father\""), *mother = strstr(birth_data, "\"mother\"");
	char *data = malloc(sizeof birth_data);
	ck_assert_ptr_nonnull(data);
	ck_ok(dvc_eform_validate(form, birth_data, strlen(birth_data)));
	snprintf(data, sizeof birth_data, "%.*s%s", (int)(father - birth_data), birth_data, mother);
	ck_ok(dvc_eform_validate(form, data, strlen(data)));
	free(data);
	ck_data("\"birth_order\": 2,", "", DVC_OK, NULL, "");
	ck_ok(dvc_eform_check(birth_schema, strlen(birth_schema), birth_data, strlen(birth_data)));
}
END_TEST

START_TEST(missing_required_fields_are_named)
{
	static const data_case cases[] = {
		{"\"mother\": {\"full_name\": \"Trần Thị Cúc\", ", "\"mother\": {",
		 DVC_ESCHEMA, "mother.full_name", "mother.full_name is required"},
		{"\"attachments\"", "\"attachments_\"",
		 DVC_ESCHEMA, "attachments_", "is not a field of this form"},
		{"\"code\": \"GIAY_CHUNG_NHAN_KET_HON\", ", "",
		 DVC_ESCHEMA, "attachments[1].code", "is required"},
		{"\"phone\": \"0912 345 678\", ", "",
		 DVC_ESCHEMA, "applicant.phone", "is required"},
	};
	ck_data_cases(cases);
}
END_TEST

START_TEST(wrong_types_are_named)
{
	static const data_case cases[] = {
		{"\"birth_order\": 2", "\"birth_order\": \"2\"",
		 DVC_ESCHEMA, "birth_order", "birth_order must be an integer"},
		{"\"birth_order\": 2", "\"birth_order\": 2.5",
		 DVC_ESCHEMA, "birth_order", "must be an integer"},
		{"\"birth_order\": 2", "\"birth_order\": 1e400",
		 DVC_ESCHEMA, "birth_order", "must be an integer"},
		{"\"marriage_registered\": true", "\"marriage_registered\": \"có\"",
		 DVC_ESCHEMA, "marriage_registered", "must be true or false"},
		{"\"ethnicity\": \"Kinh\"", "\"ethnicity\": null",
		 DVC_ESCHEMA, "ethnicity", "must be a string"},
		{"\"father\": {", "\"father\": [], \"x\": {",
		 DVC_ESCHEMA, "father", "must be an object"},
		{"\"attachments\": [", "\"attachments\": {\"a\": 1}, \"y\": [",
		 DVC_ESCHEMA, "attachments", "must be an array"},
		{"\"pages\": 1", "\"pages\": true",
		 DVC_ESCHEMA, "attachments[0].pages", "must be a number"},
		{"\"pages\": 1", "\"pages\": 1.5", DVC_OK, NULL, ""},
	};
	ck_data_cases(cases);
}
END_TEST

START_TEST(data_that_is_not_an_object_is_refused_without_a_path)
{
	ck_dvc(dvc_eform_validate(form, "[1,2]", 5), DVC_ESCHEMA);
	ck_assert_ptr_null(dvc_error_last()->path);
	ck_assert_str_eq(dvc_error_last()->message, "form data must be an object");
}
END_TEST

START_TEST(enum_violation_lists_the_allowed_values)
{
	static const data_case cases[] = {
		{"\"gender\": \"Nữ\"", "\"gender\": \"nữ\"",
		 DVC_ESCHEMA, "gender", "gender must be one of Nam, Nữ"},
		{"\"relationship\": \"Cha\"", "\"relationship\": \"Chú\"",
		 DVC_ESCHEMA, "applicant.relationship",
		 "must be one of Cha, Mẹ, Ông, Bà, Người thân thích"},
	};
	ck_data_cases(cases);
}
END_TEST

START_TEST(formats_date_citizen_id_phone_email_are_checked)
{
	static const data_case cases[] = {
		{"2024-02-29", "2023-02-29",
		 DVC_ESCHEMA, "birth_date", "birth_date is not a valid date (YYYY-MM-DD)"},
		{"2024-02-29", "29/02/2024", DVC_ESCHEMA, "birth_date", "not a valid date"},
		{"031099001234", "099099001234",
		 DVC_ESCHEMA, "father.citizen_id",
		 "is not a valid citizen ID: unknown province code 099"},
		{"031301004321", "03130100432",
		 DVC_ESCHEMA, "mother.citizen_id", "must have 12 digits"},
		{"0912 345 678", "01681234567",
		 DVC_ESCHEMA, "applicant.phone", "converted to 10 digits in 2018"},
		{"binh.nv@example.vn", "binh..nv@example.vn",
		 DVC_ESCHEMA, "applicant.email", "consecutive dots"},
	};
	ck_data_cases(cases);
}
END_TEST

START_TEST(pattern_must_match_the_whole_value)
{
	static const data_case cases[] = {
		{FILE_B, "not-a-file-id",
		 DVC_ESCHEMA, "attachments[1].file_id", "must match pattern [0-9a-f]{32}"},
		/* anchored: a valid id with something before or after is refused */
		{FILE_B, FILE_B "0", DVC_ESCHEMA, "attachments[1].file_id", "must match pattern"},
		{FILE_B, "x" FILE_B, DVC_ESCHEMA, "attachments[1].file_id", "must match pattern"},
	};
	ck_data_cases(cases);
}
END_TEST

START_TEST(array_bounds_and_element_paths)
{
	static const data_case cases[] = {
		{"\"attachments\": [", "\"attachments\": [], \"z\": [",
		 DVC_ESCHEMA, "attachments", "must have at least 1 item"},
		{"\"code\": \"GIAY_CHUNG_SINH\"", "\"code\": \"GIAY_KHAC\"",
		 DVC_ESCHEMA, "attachments[0].code",
		 "must be one of GIAY_CHUNG_SINH, VAN_BAN_CAM_DOAN"},
		{"\"pages\": 1", "\"pages\": 1, \"scan\": true",
		 DVC_ESCHEMA, "attachments[0].scan", "is not a field of this form"},
		{"\"pages\": 1", "\"pages\": 0",
		 DVC_ESCHEMA, "attachments[0].pages", "must be at least 1"},
	};
	ck_data_cases(cases);
}
END_TEST

START_TEST(number_bounds_and_additional_properties)
{
	static const data_case cases[] = {
		{"\"birth_order\": 2", "\"birth_order\": 0",
		 DVC_ESCHEMA, "birth_order", "must be at least 1"},
		{"\"birth_order\": 2", "\"birth_order\": 21",
		 DVC_ESCHEMA, "birth_order", "must be at most 20"},
		{"\"birth_year\": 1999", "\"birth_year\": 1899",
		 DVC_ESCHEMA, "father.birth_year", "must be at least 1900"},
		/* additionalProperties false at the root and in father; applicant allows extras */
		{"\"ethnicity\"", "\"nickname\": \"Bé Na\", \"ethnicity\"",
		 DVC_ESCHEMA, "nickname", "nickname is not a field of this form"},
		{"\"birth_year\": 1999", "\"birth_year\": 1999, \"job\": \"kỹ sư\"",
		 DVC_ESCHEMA, "father.job", "is not a field of this form"},
		{"\"note\"", "\"anything\": {\"deep\": [1, {\"x\": null}]}, \"note\"",
		 DVC_OK, NULL, ""},
	};
	ck_data_cases(cases);
}
END_TEST

START_TEST(string_lengths_count_code_points_not_bytes)
{
	static const char schema[] =
		"{\"type\": \"object\", \"properties\": {"
		" \"ho\": {\"type\": \"string\", \"minLength\": 6, \"maxLength\": 6}}}";
	dvc_eform *f;
	ck_ok(dvc_eform_compile(&f, schema, strlen(schema)));
	ck_ok(dvc_eform_validate(f, "{\"ho\": \"Nguyễn\"}", strlen("{\"ho\": \"Nguyễn\"}")));
	ck_assert_uint_eq(strlen("Nguyễn"), 8); /* bytes */
	ck_dvc(dvc_eform_validate(f, "{\"ho\": \"Nguyễnn\"}", strlen("{\"ho\": \"Nguyễnn\"}")),
	       DVC_ESCHEMA);
	ck_assert_str_eq(dvc_error_last()->message, "ho must have at most 6 characters");
	ck_dvc(dvc_eform_validate(f, "{\"ho\": \"Trần\"}", strlen("{\"ho\": \"Trần\"}")),
	       DVC_ESCHEMA);
	ck_assert_str_eq(dvc_error_last()->message, "ho must have at least 6 characters");
	/* \u escapes count as the characters they stand for */
	ck_ok(dvc_eform_validate(f, "{\"ho\": \"Nguy\\u1ec5n\"}", strlen("{\"ho\": \"Nguy\\u1ec5n\"}")));
	dvc_eform_free(f);
	ck_data("\"child_name\": \"Nguyễn Thị Minh Anh\"", "\"child_name\": \"\"", DVC_ESCHEMA,
		"child_name", "must have at least 1 character");
}
END_TEST

START_TEST(malformed_data_is_a_parse_error)
{
	static const char *const bad[] = {
		"", "{", "{\"gender\": }", "{\"gender\": \"Nam\",}", "{'gender': 'Nam'}",
		"{\"a\": 1} {\"b\": 2}", "{\"a\": 1} x", "nul", "{\"a\": \"\\uD800\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_dvc(dvc_eform_validate(form, bad[i], strlen(bad[i])), DVC_EPARSE);
	/* the length is honoured: the document ends where the caller says */
	ck_dvc(dvc_eform_validate(form, birth_data, strlen(birth_data) - 1), DVC_EPARSE);
	/* white space after the value is fine */
	{
		char *data = edit("\"child_name\"", "\"child_name\"");
		size_t n = strlen(data);
		data = realloc(data, n + 4);
		memcpy(data + n, " \n\t", 4);
		ck_ok(dvc_eform_validate(form, data, n + 3));
		free(data);
	}
}
END_TEST

START_TEST(invalid_utf8_and_nul_escapes_in_data_are_refused)
{
	/* the raw text is checked before any field, yet the error names the place */
	ck_data("Kinh", "Ki\xC3nh", DVC_EUTF8, "ethnicity", "not valid UTF-8 at line 1, column");
	ck_data("Kinh", "Ki\xED\xA0\x80nh", DVC_EUTF8, "ethnicity", "not valid UTF-8");
	ck_data("Kinh", "Kinh\\u0000Tày", DVC_EUTF8, "ethnicity", "NUL character");
	/* in a key: the object holding it (the root here) */
	ck_data("\"ethnicity\"", "\"ethnicity\\u0000x\"", DVC_EUTF8, NULL, "NUL character");
	/* an escaped backslash followed by "u0000" is just text */
	ck_data("Kinh", "Kinh\\\\u0000", DVC_OK, NULL, "");
	ck_dvc(dvc_eform_validate(form, "{\"a\":\0}", 7), DVC_EUTF8);
}
END_TEST

START_TEST(duplicate_fields_in_data_are_refused)
{
	ck_data("\"gender\": \"Nữ\"", "\"gender\": \"Nữ\", \"gender\": \"Nam\"", DVC_EDUPLICATE,
		"gender", "gender appears twice");
	ck_data("\"note\"", "\"x\": 1, \"x\": 2, \"note\"", DVC_EDUPLICATE, "applicant.x",
		"appears twice");
}
END_TEST

/* A free-form field holding `arrays` nested arrays, then the "note" key. */
static char *nested(int arrays)
{
	char *s = malloc(32 + 2 * (size_t)arrays);
	size_t n;
	ck_assert_ptr_nonnull(s);
	n = (size_t)sprintf(s, "\"anything\": ");
	for (int i = 0; i < arrays; i++)
		s[n++] = '[';
	for (int i = 0; i < arrays; i++)
		s[n++] = ']';
	strcpy(s + n, ", \"note\"");
	return s;
}

START_TEST(nesting_and_string_limits_give_etoobig)
{
	char *deep, *data, *long_field;
	static char big[DVC_EFORM_MAX_STRING + 2];
	/* the root object, applicant, and 31 arrays: 33 levels */
	deep = nested(31);
	{
		char want[256] = "applicant.anything";
		for (int i = 0; i < 30; i++)
			strcat(want, "[0]");
		ck_data("\"note\"", deep, DVC_ETOOBIG, want, "nests deeper than 32 levels");
	}
	free(deep);
	deep = nested(30);
	ck_data("\"note\"", deep, DVC_OK, NULL, "");
	free(deep);

	memset(big, 'a', DVC_EFORM_MAX_STRING + 1);
	long_field = malloc(sizeof big + 64);
	ck_assert_ptr_nonnull(long_field);
	sprintf(long_field, "\"ethnicity\": \"%s\"", big);
	ck_data("\"ethnicity\": \"Kinh\"", long_field, DVC_ETOOBIG, "ethnicity",
		"longer than 65536 bytes");
	big[DVC_EFORM_MAX_STRING] = '\0';
	sprintf(long_field, "\"note\": \"%s\"", big); /* exactly the limit: the schema decides */
	data = edit("\"note\": \"gọi sau 17h\"", long_field);
	ck_ok(dvc_eform_validate(form, data, strlen(data)));
	free(data);
	free(long_field);
}
END_TEST

START_TEST(invalid_schemas_are_refused_with_the_keyword_path)
{
	/* a typo in a keyword */
	ck_schema("{\"type\": \"object\", \"properties\": {\"child_name\": "
		  "{\"type\": \"string\", \"maxLenght\": 100}}}",
		  DVC_ESCHEMA, "properties.child_name.maxLenght", "is not a known keyword");
	ck_schema("{\"type\": \"object\", \"properties\": {\"birth_date\": "
		  "{\"type\": \"string\", \"format\": \"dob\"}}}",
		  DVC_ESCHEMA, "properties.birth_date.format", "must be one of \"date\"");
	ck_schema("{\"type\": \"object\", \"properties\": {\"a\": "
		  "{\"type\": \"string\", \"pattern\": \"[0-9\"}}}",
		  DVC_ESCHEMA, "properties.a.pattern", "unterminated bracket");
	ck_schema("{\"type\": \"object\", \"properties\": {\"a\": "
		  "{\"type\": \"string\", \"pattern\": \"a{2,1}\"}}}",
		  DVC_ESCHEMA, "properties.a.pattern", "does not compile");
	ck_schema("{\"type\": \"object\", \"properties\": {\"a\": "
		  "{\"type\": \"string\", \"pattern\": \"\\\\d{12}\"}}}",
		  DVC_ESCHEMA, "properties.a.pattern", "write [0-9] for \\d");
	/* a ')' that would close the ^( )$ wrapper early */
	ck_schema("{\"type\": \"object\", \"properties\": {\"a\": "
		  "{\"type\": \"string\", \"pattern\": \"[0-9]{3})|(x\"}}}",
		  DVC_ESCHEMA, "properties.a.pattern", "unmatched )");
	ck_schema("{\"type\": \"object\", \"required\": \"child_name\", \"properties\": "
		  "{\"child_name\": {\"type\": \"string\"}}}",
		  DVC_ESCHEMA, "required", "must be an array of field names");
	ck_schema("{\"type\": \"object\", \"required\": [\"child_nam\"], \"properties\": "
		  "{\"child_name\": {\"type\": \"string\"}}}",
		  DVC_ESCHEMA, "required[0]", "not in properties");
	ck_schema("{\"type\": \"object\", \"required\": [1], \"properties\": {}}",
		  DVC_ESCHEMA, "required[0]", "must be a field name");
	ck_schema("{\"type\": \"object\", \"properties\": {\"n\": "
		  "{\"type\": \"integer\", \"minLength\": 1}}}",
		  DVC_ESCHEMA, "properties.n.minLength", "does not apply to type integer");
	ck_schema("{\"type\": \"object\", \"properties\": {\"n\": {\"title\": \"Số\"}}}",
		  DVC_ESCHEMA, "properties.n.type", "is missing");
	ck_schema("{\"type\": \"object\", \"properties\": {\"n\": {\"type\": \"text\"}}}",
		  DVC_ESCHEMA, "properties.n.type", "must be one of");
	ck_schema("{\"type\": \"object\", \"properties\": {\"g\": "
		  "{\"type\": \"string\", \"enum\": [\"Nam\", 1]}}}",
		  DVC_ESCHEMA, "properties.g.enum[1]", "must be a string");
	ck_schema("{\"type\": \"object\", \"properties\": {\"g\": "
		  "{\"type\": \"string\", \"enum\": []}}}",
		  DVC_ESCHEMA, "properties.g.enum", "non-empty array");
	ck_schema("{\"type\": \"object\", \"properties\": {\"s\": "
		  "{\"type\": \"string\", \"minLength\": 5, \"maxLength\": 2}}}",
		  DVC_ESCHEMA, "properties.s.maxLength", "is less than minLength");
	ck_schema("{\"type\": \"object\", \"properties\": {\"s\": "
		  "{\"type\": \"string\", \"maxLength\": -1}}}",
		  DVC_ESCHEMA, "properties.s.maxLength", "non-negative integer");
	ck_schema("{\"type\": \"object\", \"properties\": {\"l\": {\"type\": \"array\"}}}",
		  DVC_ESCHEMA, "properties.l.items", "is missing");
	ck_schema("{\"type\": \"object\", \"properties\": {\"l\": {\"type\": \"array\", "
		  "\"items\": {\"type\": \"object\", \"properties\": {\"x\": 5}}}}}",
		  DVC_ESCHEMA, "properties.l.items.properties.x", "must be an object");
	ck_schema("{\"type\": \"object\", \"additionalProperties\": \"no\"}",
		  DVC_ESCHEMA, "additionalProperties", "must be true or false");
	ck_schema("{\"type\": \"array\", \"items\": {\"type\": \"string\"}}",
		  DVC_ESCHEMA, "type", "must be \"object\" at the root");
	ck_schema("{\"type\": \"object\", \"type\": \"object\"}", DVC_EDUPLICATE, "type",
		  "appears twice");
	ck_schema("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}, "
		  "\"a\": {\"type\": \"integer\"}}}",
		  DVC_EDUPLICATE, "properties.a", "is declared twice");
	ck_schema("{\"type\": \"object\",", DVC_EPARSE, NULL, "malformed JSON");
	ck_schema("{\"type\": \"object\", \"title\": \"Tờ khai\xC3\"}", DVC_EUTF8, NULL,
		  "not valid UTF-8");
}
END_TEST

START_TEST(schema_nesting_is_limited)
{
	/* 33 nested object schemas */
	size_t cap = 33 * 64 + 64, n = 0;
	char *s = malloc(cap);
	dvc_eform *f;
	ck_assert_ptr_nonnull(s);
	for (int i = 0; i < 33; i++)
		n += (size_t)sprintf(s + n, "{\"type\": \"object\", \"properties\": {\"a\": ");
	n += (size_t)sprintf(s + n, "{\"type\": \"string\"}");
	for (int i = 0; i < 33; i++)
		n += (size_t)sprintf(s + n, "}}");
	ck_dvc(dvc_eform_compile(&f, s, n), DVC_ETOOBIG);
	free(s);
	ck_dvc(dvc_eform_compile(NULL, "{}", 2), DVC_EINVAL);
	ck_dvc(dvc_eform_compile(&f, NULL, 0), DVC_EINVAL);
	ck_dvc(dvc_eform_validate(NULL, "{}", 2), DVC_EINVAL);
	dvc_eform_free(NULL);
}
END_TEST

/* Several threads validating with one compiled form get independent results. */
typedef struct worker {
	const char *data;
	int want;
	int failures;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	for (int i = 0; i < 300; i++)
		if (dvc_eform_validate(form, w->data, strlen(w->data)) != w->want)
			w->failures++;
	return NULL;
}

START_TEST(one_compiled_form_serves_several_threads)
{
	pthread_t t[4];
	worker w[4];
	char *bad_pattern = edit(FILE_B, "ZZZ");
	char *bad_date = edit("2024-02-29", "2024-13-01");
	w[0] = (worker){birth_data, DVC_OK, 0};
	w[1] = (worker){bad_pattern, DVC_ESCHEMA, 0};
	w[2] = (worker){birth_data, DVC_OK, 0};
	w[3] = (worker){bad_date, DVC_ESCHEMA, 0};
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].failures, 0);
	}
	free(bad_pattern);
	free(bad_date);
}
END_TEST

START_TEST(regex_bombs_are_refused_at_compile)
{
	/* glibc's regcomp() would take gigabytes for these (found by fuzz_eform) */
	static const char *const bombs[] = {"[a-z]+++++++++", "((a{99}){99}){99}", "a{1000}", "a{2,x}"};
	char schema[256];
	dvc_eform *f;
	for (size_t i = 0; i < sizeof bombs / sizeof bombs[0]; i++) {
		snprintf(schema, sizeof schema,
			 "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\",\"pattern\":\"%s\"}}}",
			 bombs[i]);
		ck_assert_int_eq(dvc_eform_compile(&f, schema, strlen(schema)), DVC_ESCHEMA);
		ck_assert_str_eq(dvc_error_last()->path, "properties.x.pattern");
	}
	/* ordinary counted repetition still works */
	snprintf(schema, sizeof schema, "{\"type\":\"object\",\"properties\":{\"x\":"
		 "{\"type\":\"string\",\"pattern\":\"[0-9]{12}\"}}}");
	ck_assert_int_eq(dvc_eform_compile(&f, schema, strlen(schema)), DVC_OK);
	ck_assert_int_eq(dvc_eform_validate(f, "{\"x\":\"031099001234\"}", 20), DVC_OK);
	ck_assert_int_eq(dvc_eform_validate(f, "{\"x\":\"03109900123\"}", 19), DVC_ESCHEMA);
	dvc_eform_free(f);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		regex_bombs_are_refused_at_compile, valid_birth_registration_passes,
		missing_required_fields_are_named, wrong_types_are_named,
		data_that_is_not_an_object_is_refused_without_a_path,
		enum_violation_lists_the_allowed_values,
		formats_date_citizen_id_phone_email_are_checked, pattern_must_match_the_whole_value,
		array_bounds_and_element_paths, number_bounds_and_additional_properties,
		string_lengths_count_code_points_not_bytes, malformed_data_is_a_parse_error,
		invalid_utf8_and_nul_escapes_in_data_are_refused,
		duplicate_fields_in_data_are_refused, nesting_and_string_limits_give_etoobig,
		invalid_schemas_are_refused_with_the_keyword_path, schema_nesting_is_limited,
		one_compiled_form_serves_several_threads, NULL};
	return run_tests("eform", setup, teardown, 0, tests);
}
