/*
 * libdvc — validators for applicant fields: citizen ID (CCCD / số định danh
 * cá nhân), telephone numbers and e-mail addresses.
 *
 * Every validator accepts any C string (or NULL) and never reads more than a
 * small bounded prefix of it, so huge or non-UTF-8 input is simply refused.
 * On refusal it returns DVC_EINVAL and dvc_error_last()->message says why in
 * English ("citizen ID must have 12 digits", "unknown province code 099").
 * The functions keep no state and may be called from several threads at once.
 */
#ifndef DVC_VALIDATE_H
#define DVC_VALIDATE_H

#include "dvc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Length of a citizen ID (số định danh cá nhân). */
#define DVC_CITIZEN_ID_LEN 12

/** Size of the buffer dvc_validate_phone() writes: "+84" + 10 digits + NUL fits. */
#define DVC_PHONE_E164_SIZE 16

/**
 * What a citizen ID says about its holder. Like `struct stat` and stat(), the
 * structure shares its name with the function that fills it, so it has no
 * typedef: write `struct dvc_citizen_id_info`.
 */
/** Caller-allocated: initialise with DVC_CITIZEN_ID_INFO_INIT. */
struct dvc_citizen_id_info {
	unsigned int version;
	int province;   /**< province code of the birth registration (1..96, e.g. 31 = Hải Phòng) */
	int gender;     /**< 0 male, 1 female */
	int birth_year; /**< century from the 4th digit + the 5th-6th digits (1900..2399) */
};

#define DVC_CITIZEN_ID_INFO_VERSION 1
#define DVC_CITIZEN_ID_INFO_INIT {DVC_CITIZEN_ID_INFO_VERSION, 0, 0, 0}

/**
 * Check a 12-digit citizen ID (structure of Decree 137/2015/NĐ-CP, province
 * codes of Circular 07/2016/TT-BCA):
 *
 *   PPP G YY RRRRRR
 *   PPP    province code of the birth registration (the 63 codes of Appendix I,
 *          001 Hà Nội .. 096 Cà Mau; see the table in lib/validate.c)
 *   G      gender and century of birth: 0/1 male/female born 1900-1999,
 *          2/3 2000-2099, 4/5 2100-2199, 6/7 2200-2299, 8/9 2300-2399
 *   YY     last two digits of the year of birth
 *   RRRRRR random
 *
 * Only the structure is checked (the number has no check digit); whether the
 * birth year is plausible for the applicant is the caller's cross-check, see
 * dvc_citizen_id_info().
 *
 * @param s  the ID: exactly 12 ASCII digits, no separators or spaces
 * @return DVC_OK, or DVC_EINVAL (NULL, wrong length, non-digits, unknown province)
 */
DVC_API int dvc_validate_citizen_id(const char *s);

/**
 * Validate `s` like dvc_validate_citizen_id() and decode it into `out`.
 * @return DVC_OK, or DVC_EINVAL (invalid ID, `out` NULL or not initialised with
 *   DVC_CITIZEN_ID_INFO_INIT; the fields after the version are then zeroed)
 */
DVC_API int dvc_citizen_id_info(const char *s, struct dvc_citizen_id_info *out);

/**
 * Check a Vietnamese telephone number and normalise it to E.164.
 *
 * Accepted forms: national "0912345678", international "+84912345678" or
 * "84912345678"; single spaces, dots or dashes may separate digit groups
 * ("091 234 5678", "+84 91-234-5678", "0225.3842.123").
 *
 *  - mobile: 10 national digits beginning 03, 05, 07, 08 or 09 (the plan
 *    since the 2018 renumbering). The old 11-digit 01x mobile numbers were
 *    converted in 2018; they are refused with a message giving the new prefix
 *    ("0168" became "038").
 *  - landline: 11 national digits beginning with a 02x area code of the
 *    2017 plan (024 Hà Nội and 028 TP HCM with 8-digit subscriber numbers,
 *    0225 Hải Phòng etc. with 7-digit ones).
 *
 * @param s    the number as typed
 * @param out  receives the E.164 form ("+84912345678"), or "" on failure; may be NULL
 * @return DVC_OK or DVC_EINVAL
 */
DVC_API int dvc_validate_phone(const char *s, char out[DVC_PHONE_E164_SIZE]);

/**
 * A practical e-mail address check: ASCII only; local part a dot-atom of at
 * most 64 characters (letters, digits and !#$%&'*+-/=?^_`{|}~, dots neither
 * first, last nor doubled; no quoted local parts); domain of at least two
 * labels of letters, digits and hyphens (1..63 characters, no hyphen first or
 * last) whose last label (the TLD) is alphabetic and at least 2 long; whole
 * address at most 254 characters. No address literals ("user@[10.0.0.1]").
 *
 * @return DVC_OK or DVC_EINVAL
 */
DVC_API int dvc_validate_email(const char *s);

#ifdef __cplusplus
}
#endif
#endif
