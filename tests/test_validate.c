/* Applicant field validators: citizen ID, phone number, e-mail address. */
#include "testutil.h"
#include "dvc/validate.h"

#include <stdlib.h>
#include <string.h>

/* Assert DVC_EINVAL and that the message mentions `part`. */
#define ck_refused(expr, part)                                                             \
	do {                                                                               \
		ck_dvc(expr, DVC_EINVAL);                                                  \
		ck_assert_msg(strstr(dvc_error_last()->message, part) != NULL,             \
			      "%s: message '%s' lacks '%s'", #expr,                        \
			      dvc_error_last()->message, part);                            \
	} while (0)

/* An input a validator refuses, and a part of the reason it gives. */
typedef struct refusal {
	const char *in, *part;
} refusal;

/* Each of `r` (ending with a NULL part) refused by `validate` with
 * DVC_EINVAL and a message that mentions its part; a failure names the
 * input. */
static void ck_refusals(int (*validate)(const char *), const refusal *r)
{
	for (; r->part; r++) {
		int rc = validate(r->in);
		const char *in = r->in ? r->in : "(null)";
		ck_assert_msg(rc == DVC_EINVAL, "'%.60s': %s (%s), want DVC_EINVAL", in,
			      dvc_status_name(rc), dvc_error_last()->message);
		ck_assert_msg(strstr(dvc_error_last()->message, r->part) != NULL,
			      "'%.60s': message '%s' lacks '%s'", in, dvc_error_last()->message,
			      r->part);
	}
}

/* dvc_validate_phone, the number only. */
static int phone_valid(const char *s)
{
	return dvc_validate_phone(s, NULL);
}

START_TEST(citizen_id_decodes_province_gender_and_birth_year)
{
	struct dvc_citizen_id_info info = DVC_CITIZEN_ID_INFO_INIT;
	ck_ok(dvc_validate_citizen_id("031099001234"));
	ck_ok(dvc_citizen_id_info("031099001234", &info));
	ck_assert_int_eq(info.province, 31); /* Hải Phòng */
	ck_assert_int_eq(info.gender, 0);    /* 0: male, 20th century */
	ck_assert_int_eq(info.birth_year, 1999);

	ck_ok(dvc_citizen_id_info("001204012345", &info));
	ck_assert_int_eq(info.province, 1); /* Hà Nội */
	ck_assert_int_eq(info.gender, 0);   /* 2: male, 21st century */
	ck_assert_int_eq(info.birth_year, 2004);

	ck_ok(dvc_citizen_id_info("079301000001", &info));
	ck_assert_int_eq(info.province, 79); /* TP Hồ Chí Minh */
	ck_assert_int_eq(info.gender, 1);    /* 3: female, 21st century */
	ck_assert_int_eq(info.birth_year, 2001);

	ck_ok(dvc_citizen_id_info("096185123456", &info));
	ck_assert_int_eq(info.province, 96); /* Cà Mau */
	ck_assert_int_eq(info.gender, 1);    /* 1: female, 20th century */
	ck_assert_int_eq(info.birth_year, 1985);
}
END_TEST

START_TEST(citizen_id_refuses_wrong_length_letters_and_unknown_provinces)
{
	static const refusal refusals[] = {
		{"03109900123", "must have 12 digits"},
		{"0310990012345", "must have 12 digits"},
		{"", "must have 12 digits"},
		{"03109900123A", "only digits"},
		{"031 099 001 234", "only digits"},
		{"099099001234", "unknown province code 099"},
		{"000099001234", "unknown province code 000"},
		{"003099001234", "unknown province code 003"},
		{NULL, "missing"},
		{NULL, NULL},
	};
	struct dvc_citizen_id_info info = {DVC_CITIZEN_ID_INFO_VERSION, 7, 7, 7};
	ck_refusals(dvc_validate_citizen_id, refusals);
	/* a failed decode leaves no stale data behind */
	ck_dvc(dvc_citizen_id_info("099099001234", &info), DVC_EINVAL);
	ck_assert_int_eq(info.province, 0);
	ck_assert_int_eq(info.birth_year, 0);
	ck_dvc(dvc_citizen_id_info("031099001234", NULL), DVC_EINVAL);
}
END_TEST

static const char *phone(const char *s)
{
	static char out[DVC_PHONE_E164_SIZE];
	ck_ok(dvc_validate_phone(s, out));
	return out;
}

START_TEST(phone_normalises_every_accepted_spelling_to_e164)
{
	ck_assert_str_eq(phone("0912345678"), "+84912345678");
	ck_assert_str_eq(phone("+84912345678"), "+84912345678");
	ck_assert_str_eq(phone("84912345678"), "+84912345678");
	ck_assert_str_eq(phone("091 234 5678"), "+84912345678");
	ck_assert_str_eq(phone("0912.345.678"), "+84912345678");
	ck_assert_str_eq(phone("0912-345-678"), "+84912345678");
	ck_assert_str_eq(phone("+84 91 234 5678"), "+84912345678");
	ck_assert_str_eq(phone("0387654321"), "+84387654321"); /* ex-0168 Viettel */
	ck_assert_str_eq(phone("0561234567"), "+84561234567");
	ck_assert_str_eq(phone("0701234567"), "+84701234567");
	ck_assert_str_eq(phone("0861234567"), "+84861234567");
	ck_ok(dvc_validate_phone("0912345678", NULL)); /* output optional */
}
END_TEST

START_TEST(phone_accepts_landlines_with_02x_area_codes)
{
	ck_assert_str_eq(phone("0225 3842 123"), "+842253842123"); /* Hải Phòng */
	ck_assert_str_eq(phone("024 3825 1234"), "+842438251234"); /* Hà Nội */
	ck_assert_str_eq(phone("028.3829.1234"), "+842838291234"); /* TP HCM */
	ck_assert_str_eq(phone("+84 236 3821 234"), "+842363821234"); /* Đà Nẵng */
	ck_refused(dvc_validate_phone("0225384212", NULL), "landline numbers have 11 digits");
	ck_refused(dvc_validate_phone("02003842123", NULL), "unknown landline area code");
}
END_TEST

START_TEST(phone_refuses_the_old_11_digit_mobile_prefixes)
{
	char out[DVC_PHONE_E164_SIZE] = "x";
	ck_refused(dvc_validate_phone("01681234567", out), "converted to 10 digits in 2018");
	ck_assert_str_eq(out, "");
	ck_refused(dvc_validate_phone("0168 123 4567", NULL), "0168 numbers now begin 038");
	ck_refused(dvc_validate_phone("+841231234567", NULL), "0123 numbers now begin 083");
	ck_refused(dvc_validate_phone("01991234567", NULL), "now begin 059");
}
END_TEST

START_TEST(phone_refuses_garbage_with_a_reason)
{
	char huge[100000];
	const refusal refusals[] = {
		{NULL, "missing"},
		{"", "no digits"},
		{"hello", "only digits"},
		{"091234567", "mobile numbers have 10 digits"},
		{"09123456789", "mobile numbers have 10 digits"},
		{"0612345678", "not a Vietnamese mobile"},
		{"+1 212 555 0100", "only Vietnamese numbers"},
		{"+840912345678", "drop the leading 0"},
		{"912345678", "must begin with 0, +84 or 84"},
		{"091  234 5678", "between two digits"},
		{" 0912345678", "between two digits"},
		{"0912345678 ", "between two digits"},
		{"09123+45678", "only digits"},
		{"0912\xC3\xA9" "45678", "only digits"},
		{"\xFF\xFE", "only digits"},
		{huge, "too long"},
		{NULL, NULL},
	};
	memset(huge, '9', sizeof huge - 1);
	huge[sizeof huge - 1] = '\0';
	ck_refusals(phone_valid, refusals);
}
END_TEST

START_TEST(email_accepts_practical_addresses)
{
	ck_ok(dvc_validate_email("nguyen.van.a@gmail.com"));
	ck_ok(dvc_validate_email("tiep-nhan@haiphong.gov.vn"));
	ck_ok(dvc_validate_email("a+tag_1@sub-domain.example.vn"));
	ck_ok(dvc_validate_email("o'brien!#$%&*/=?^`{|}~@x1.io"));
	ck_ok(dvc_validate_email("USER@EXAMPLE.COM"));
}
END_TEST

START_TEST(email_refuses_malformed_addresses_with_a_reason)
{
	char local[80], big[400];
	const refusal refusals[] = {
		{NULL, "missing"},
		{"", "empty"},
		{"nguyenvana.gmail.com", "no @"},
		{"a@b@example.vn", "more than one @"},
		{"@example.vn", "nothing before the @"},
		{"a@", "no domain"},
		{local, "longer than 64"},
		{big, "longer than 254"},
		{"nguyen..a@example.vn", "consecutive dots"},
		{"a@example..vn", "consecutive dots"},
		{".a@example.vn", "begin or end with a dot"},
		{"a.@example.vn", "begin or end with a dot"},
		{"a@.example.vn", "begin or end with a dot"},
		{"a@example.vn.", "begin or end with a dot"},
		{"a@localhost", "at least two parts"},
		{"a@-example.vn", "hyphen"},
		{"a@example-.vn", "hyphen"},
		{"a@example.v", "at least 2 letters"},
		{"a@example.123", "only letters"},
		{"a@exa_mple.vn", "'_' is not allowed in the domain"},
		{"nguyen van@example.vn", "0x20 is not allowed"},
		{"\"quoted\"@example.vn", "'\"' is not allowed"},
		{"a@[10.0.0.1]", "not allowed in the domain"},
		{"nguyễn@example.vn", "must be ASCII"},
		{"a@b\xFF.vn", "must be ASCII"}, /* not even UTF-8 */
		{NULL, NULL},
	};
	memset(local, 'a', 65);
	strcpy(local + 65, "@example.vn");
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ck_refusals(dvc_validate_email, refusals);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		citizen_id_decodes_province_gender_and_birth_year,
		citizen_id_refuses_wrong_length_letters_and_unknown_provinces,
		phone_normalises_every_accepted_spelling_to_e164,
		phone_accepts_landlines_with_02x_area_codes,
		phone_refuses_the_old_11_digit_mobile_prefixes, phone_refuses_garbage_with_a_reason,
		email_accepts_practical_addresses, email_refuses_malformed_addresses_with_a_reason,
		NULL};
	return run_tests("validate", NULL, NULL, 0, tests);
}
