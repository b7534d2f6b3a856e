/* Applicant field validators: citizen ID, telephone number, e-mail address.
 *
 * The rules live in the tables below so that a reader can check them against
 * the regulations in one place. Input is read through a bounded prefix only:
 * every accepted value is short, so anything longer is refused without
 * scanning it, and bytes >= 0x80 (UTF-8 or not) are never accepted. */
#include "dvc/validate.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Length of s, but at most `max` (the caller treats `max` as "too long"). */
static size_t bounded_len(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* ---- citizen ID ---------------------------------------------------------- */

/* Province codes of Appendix I to Circular 07/2016/TT-BCA (codes of the place
 * of birth registration), sorted for bsearch. The 2025 merger of provinces
 * does not renumber identification numbers already issued and the merged
 * provinces register births under codes of this same list, so the 63
 * historical codes are the set a valid number can carry. Re-check this table
 * whenever the Ministry of Public Security publishes a new appendix. */
typedef struct province {
	int code;
	const char *name;
} province;

static const province provinces[] = {
	{1, "Hà Nội"},           {2, "Hà Giang"},        {4, "Cao Bằng"},
	{6, "Bắc Kạn"},          {8, "Tuyên Quang"},     {10, "Lào Cai"},
	{11, "Điện Biên"},       {12, "Lai Châu"},       {14, "Sơn La"},
	{15, "Yên Bái"},         {17, "Hòa Bình"},       {19, "Thái Nguyên"},
	{20, "Lạng Sơn"},        {22, "Quảng Ninh"},     {24, "Bắc Giang"},
	{25, "Phú Thọ"},         {26, "Vĩnh Phúc"},      {27, "Bắc Ninh"},
	{30, "Hải Dương"},       {31, "Hải Phòng"},      {33, "Hưng Yên"},
	{34, "Thái Bình"},       {35, "Hà Nam"},         {36, "Nam Định"},
	{37, "Ninh Bình"},       {38, "Thanh Hóa"},      {40, "Nghệ An"},
	{42, "Hà Tĩnh"},         {44, "Quảng Bình"},     {45, "Quảng Trị"},
	{46, "Thừa Thiên Huế"},  {48, "Đà Nẵng"},        {49, "Quảng Nam"},
	{51, "Quảng Ngãi"},      {52, "Bình Định"},      {54, "Phú Yên"},
	{56, "Khánh Hòa"},       {58, "Ninh Thuận"},     {60, "Bình Thuận"},
	{62, "Kon Tum"},         {64, "Gia Lai"},        {66, "Đắk Lắk"},
	{67, "Đắk Nông"},        {68, "Lâm Đồng"},       {70, "Bình Phước"},
	{72, "Tây Ninh"},        {74, "Bình Dương"},     {75, "Đồng Nai"},
	{77, "Bà Rịa - Vũng Tàu"}, {79, "TP Hồ Chí Minh"}, {80, "Long An"},
	{82, "Tiền Giang"},      {83, "Bến Tre"},        {84, "Trà Vinh"},
	{86, "Vĩnh Long"},       {87, "Đồng Tháp"},      {89, "An Giang"},
	{91, "Kiên Giang"},      {92, "Cần Thơ"},        {93, "Hậu Giang"},
	{94, "Sóc Trăng"},       {95, "Bạc Liêu"},       {96, "Cà Mau"},
};

static int cmp_province(const void *key, const void *elem)
{
	int k = *(const int *)key, c = ((const province *)elem)->code;
	return (k > c) - (k < c);
}

static const province *find_province(int code)
{
	return bsearch(&code, provinces, DVC_ARRAY_LEN(provinces), sizeof provinces[0],
		       cmp_province);
}

int dvc_citizen_id_info(const char *s, struct dvc_citizen_id_info *out)
{
	size_t n;
	int code, g;
	if (out && out->version != DVC_CITIZEN_ID_INFO_VERSION)
		return dvc__version_err("dvc_citizen_id_info", out->version, DVC_CITIZEN_ID_INFO_VERSION);
	if (out)
		DVC__CLEAR_OUT(out, DVC_CITIZEN_ID_INFO_VERSION);
	if (!s)
		return dvc__err(DVC_EINVAL, NULL, "citizen ID is missing");
	n = bounded_len(s, DVC_CITIZEN_ID_LEN + 1);
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return dvc__err(DVC_EINVAL, NULL,
					"citizen ID must contain only digits, without spaces or separators");
	if (n != DVC_CITIZEN_ID_LEN)
		return dvc__err(DVC_EINVAL, NULL, "citizen ID must have 12 digits");
	code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	if (!find_province(code))
		return dvc__err(DVC_EINVAL, NULL, "unknown province code %03d in citizen ID", code);
	if (!out)
		return dvc__err(DVC_EINVAL, NULL, "no output for the citizen ID information");
	g = s[3] - '0';
	out->province = code;
	out->gender = g % 2;
	out->birth_year = 1900 + g / 2 * 100 + (s[4] - '0') * 10 + (s[5] - '0');
	return DVC_OK;
}

int dvc_validate_citizen_id(const char *s)
{
	struct dvc_citizen_id_info info = DVC_CITIZEN_ID_INFO_INIT;
	return dvc_citizen_id_info(s, &info);
}

/* ---- telephone numbers --------------------------------------------------- */

/* The 2018 conversion of 11-digit mobile numbers (Ministry of Information
 * and Communications, September-November 2018):
 * the old 4-digit prefix became the new 3-digit one, the subscriber digits
 * stayed. Used to tell the applicant their number's current form. */
static const struct {
	const char *old_prefix, *new_prefix;
} mobile_2018[] = {
	{"0120", "070"}, {"0121", "079"}, {"0122", "077"}, {"0123", "083"}, {"0124", "084"},
	{"0125", "085"}, {"0126", "076"}, {"0127", "081"}, {"0128", "078"}, {"0129", "082"},
	{"0162", "032"}, {"0163", "033"}, {"0164", "034"}, {"0165", "035"}, {"0166", "036"},
	{"0167", "037"}, {"0168", "038"}, {"0169", "039"}, {"0186", "056"}, {"0188", "058"},
	{"0199", "059"},
};

/* Fixed-line area codes since the 2017 renumbering of landlines, after the
 * trunk 0. Every fixed-line number has 11 digits with the 0: 024/028 take
 * 8-digit subscriber numbers, the 4-digit codes 7-digit ones. */
static const char *const area_codes[] = {
	"203", "204", "205", "206", "207", "208", "209", "210", "211", "212", "213",
	"214", "215", "216", "218", "219", "220", "221", "222", "225", "226", "227",
	"228", "229", "232", "233", "234", "235", "236", "237", "238", "239", "24",
	"251", "252", "254", "255", "256", "257", "258", "259", "260", "261", "262",
	"263", "269", "270", "271", "272", "273", "274", "275", "276", "277", "28",
	"290", "291", "292", "293", "294", "296", "297", "299",
};

/* Mobile prefixes after the trunk 0, since the 2018 renumbering. */
static const char mobile_prefixes[] = "35789";

#define PHONE_MAX_INPUT 40 /* longest accepted spelling, separators included */
#define PHONE_MAX_DIGITS 15 /* E.164 */

/* `nat` is the national form: "0" then the national significant number. */
static int classify_national(const char *nat, size_t n)
{
	if (nat[1] == '1') {
		if (n == 11) {
			for (size_t i = 0; i < DVC_ARRAY_LEN(mobile_2018); i++)
				if (memcmp(nat, mobile_2018[i].old_prefix, 4) == 0)
					return dvc__err(DVC_EINVAL, NULL,
							"11-digit mobile numbers were converted to 10 digits "
							"in 2018: %s numbers now begin %s",
							mobile_2018[i].old_prefix, mobile_2018[i].new_prefix);
			return dvc__err(DVC_EINVAL, NULL,
					"11-digit 01x mobile numbers were converted to 10 digits in 2018");
		}
		return dvc__err(DVC_EINVAL, NULL,
				"numbers beginning 01 are no longer in use since the 2018 renumbering");
	}
	if (nat[1] == '2') {
		for (size_t i = 0; i < DVC_ARRAY_LEN(area_codes); i++) {
			size_t k = strlen(area_codes[i]);
			if (strncmp(nat + 1, area_codes[i], k) == 0) {
				if (n != 11)
					return dvc__err(DVC_EINVAL, NULL,
							"landline numbers have 11 digits with the area code "
							"(0%s and %zu digits)",
							area_codes[i], 10 - k);
				return DVC_OK;
			}
		}
		return dvc__err(DVC_EINVAL, NULL, "unknown landline area code beginning %.4s", nat);
	}
	if (nat[1] != '\0' && strchr(mobile_prefixes, nat[1])) {
		if (n != 10)
			return dvc__err(DVC_EINVAL, NULL, "mobile numbers have 10 digits (0%c and 8 more)",
					nat[1]);
		return DVC_OK;
	}
	return dvc__err(DVC_EINVAL, NULL,
			"0%c is not a Vietnamese mobile (03, 05, 07, 08, 09) or landline (02x) prefix",
			nat[1]);
}

int dvc_validate_phone(const char *s, char out[DVC_PHONE_E164_SIZE])
{
	char digits[PHONE_MAX_DIGITS + 1], nat[PHONE_MAX_DIGITS + 2];
	size_t nd = 0, i = 0, n;
	bool after_sep = true; /* refuses a leading, trailing or doubled separator */
	int rc;
	if (out)
		out[0] = '\0';
	if (!s)
		return dvc__err(DVC_EINVAL, NULL, "phone number is missing");
	if (bounded_len(s, PHONE_MAX_INPUT + 1) > PHONE_MAX_INPUT)
		return dvc__err(DVC_EINVAL, NULL, "phone number is too long");
	if (s[0] == '+')
		i = 1;
	for (; s[i]; i++) {
		char c = s[i];
		if (is_digit(c)) {
			if (nd == PHONE_MAX_DIGITS)
				return dvc__err(DVC_EINVAL, NULL, "phone number has too many digits");
			digits[nd++] = c;
			after_sep = false;
		} else if (c == ' ' || c == '.' || c == '-') {
			if (after_sep)
				return dvc__err(DVC_EINVAL, NULL,
						"a separator in a phone number must stand between two digits");
			after_sep = true;
		} else {
			return dvc__err(DVC_EINVAL, NULL,
					"phone number may contain only digits, a leading +, "
					"and spaces, dots or dashes between digits");
		}
	}
	digits[nd] = '\0';
	if (nd == 0)
		return dvc__err(DVC_EINVAL, NULL, "phone number has no digits");
	if (after_sep)
		return dvc__err(DVC_EINVAL, NULL,
				"a separator in a phone number must stand between two digits");

	/* To the national form "0..." */
	if (s[0] == '+' || (digits[0] == '8' && digits[1] == '4' && (nd == 11 || nd == 12))) {
		if (digits[0] != '8' || digits[1] != '4')
			return dvc__err(DVC_EINVAL, NULL,
					"only Vietnamese numbers (+84) are accepted");
		if (digits[2] == '0')
			return dvc__err(DVC_EINVAL, NULL,
					"drop the leading 0 after the country code +84");
		nat[0] = '0';
		memcpy(nat + 1, digits + 2, nd - 1); /* with the NUL */
		n = nd - 1;
	} else if (digits[0] == '0') {
		memcpy(nat, digits, nd + 1);
		n = nd;
	} else {
		return dvc__err(DVC_EINVAL, NULL, "phone number must begin with 0, +84 or 84");
	}
	if (n < 2)
		return dvc__err(DVC_EINVAL, NULL, "phone number is too short");
	rc = classify_national(nat, n);
	if (rc != DVC_OK)
		return rc;
	if (out) {
		memcpy(out, "+84", 3);
		memcpy(out + 3, nat + 1, n); /* n - 1 digits and the NUL; n <= 11 */
	}
	return DVC_OK;
}

/* ---- e-mail addresses ---------------------------------------------------- */

#define EMAIL_MAX 254
#define EMAIL_LOCAL_MAX 64
#define EMAIL_LABEL_MAX 63

static bool is_atext(char c)
{
	return is_alpha(c) || is_digit(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int email_char_err(char c, const char *where)
{
	if (c > ' ' && c < 0x7F)
		return dvc__err(DVC_EINVAL, NULL, "character '%c' is not allowed in the %s of an e-mail address",
				c, where);
	return dvc__err(DVC_EINVAL, NULL,
			"character 0x%02X is not allowed in the %s of an e-mail address",
			(unsigned)(unsigned char)c, where);
}

int dvc_validate_email(const char *s)
{
	size_t n, at = 0, ats = 0, local_len, label_len = 0, labels = 0;
	const char *dom, *label;
	if (!s)
		return dvc__err(DVC_EINVAL, NULL, "e-mail address is missing");
	n = bounded_len(s, EMAIL_MAX + 1);
	if (n > EMAIL_MAX)
		return dvc__err(DVC_EINVAL, NULL, "e-mail address is longer than %d characters",
				EMAIL_MAX);
	if (n == 0)
		return dvc__err(DVC_EINVAL, NULL, "e-mail address is empty");
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return dvc__err(DVC_EINVAL, NULL,
					"e-mail address must be ASCII (internationalised addresses "
					"are not accepted)");
		if (s[i] == '@') {
			at = i;
			ats++;
		}
	}
	if (ats == 0)
		return dvc__err(DVC_EINVAL, NULL, "e-mail address has no @");
	if (ats > 1)
		return dvc__err(DVC_EINVAL, NULL, "e-mail address has more than one @");

	local_len = at;
	if (local_len == 0)
		return dvc__err(DVC_EINVAL, NULL, "e-mail address has nothing before the @");
	if (local_len > EMAIL_LOCAL_MAX)
		return dvc__err(DVC_EINVAL, NULL,
				"the part of an e-mail address before the @ is longer than %d characters",
				EMAIL_LOCAL_MAX);
	if (s[0] == '.' || s[at - 1] == '.')
		return dvc__err(DVC_EINVAL, NULL,
				"the part of an e-mail address before the @ must not begin or end with a dot");
	for (size_t i = 0; i < at; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return dvc__err(DVC_EINVAL, NULL,
						"e-mail address has two consecutive dots");
		} else if (!is_atext(s[i])) {
			return email_char_err(s[i], "part before the @");
		}
	}

	dom = s + at + 1;
	if (*dom == '\0')
		return dvc__err(DVC_EINVAL, NULL, "e-mail address has no domain after the @");
	label = dom;
	for (const char *p = dom;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label_len == 0)
				return dvc__err(DVC_EINVAL, NULL,
						*p == '.' && p > dom && p[-1] == '.'
							? "e-mail address has two consecutive dots"
							: "e-mail domain must not begin or end with a dot");
			if (label[0] == '-' || p[-1] == '-')
				return dvc__err(DVC_EINVAL, NULL,
						"e-mail domain labels must not begin or end with a hyphen");
			if (label_len > EMAIL_LABEL_MAX)
				return dvc__err(DVC_EINVAL, NULL,
						"e-mail domain label longer than %d characters",
						EMAIL_LABEL_MAX);
			labels++;
			if (*p == '\0')
				break;
			label = p + 1;
			label_len = 0;
		} else if (is_alpha(*p) || is_digit(*p) || *p == '-') {
			label_len++;
		} else {
			return email_char_err(*p, "domain");
		}
	}
	if (labels < 2)
		return dvc__err(DVC_EINVAL, NULL,
				"e-mail domain must have at least two parts (like example.vn)");
	if (label_len < 2)
		return dvc__err(DVC_EINVAL, NULL,
				"e-mail top-level domain must have at least 2 letters");
	for (size_t i = 0; i < label_len; i++)
		if (!is_alpha(label[i]))
			return dvc__err(DVC_EINVAL, NULL,
					"e-mail top-level domain must contain only letters");
	return DVC_OK;
}
