/*
 * libdvc — official slips of the one-stop shop (phiếu, giấy của Bộ phận
 * Tiếp nhận và Trả kết quả), Circular 01/2018/TT-VPCP, forms 01-06:
 *
 *   01  Giấy tiếp nhận hồ sơ và hẹn trả kết quả     DVC_SLIP_RECEIPT
 *   02  Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ      DVC_SLIP_SUPPLEMENT
 *   03  Phiếu từ chối tiếp nhận giải quyết hồ sơ     DVC_SLIP_REFUSAL
 *   04  Phiếu xin lỗi và hẹn lại ngày trả kết quả    DVC_SLIP_APOLOGY
 *   05  Phiếu kiểm soát quá trình giải quyết hồ sơ   DVC_SLIP_CONTROL
 *   06  Sổ theo dõi hồ sơ                            dvc_register_render()
 *
 * Circular 03/2025/TT-VPCP (15 September 2025), which guides Decree
 * 118/2025/NĐ-CP (its art. 35(1)(b), (c) and (h): forms, dossier code, sector
 * codes), has seven forms in its Appendix I: 01 receipt, 02 supplement, 03
 * refusal, 04 apology and request to extend the time (Văn bản xin lỗi và đề
 * nghị gia hạn thời gian giải quyết), 05 a new notice that processing stops
 * (Thông báo dừng giải quyết hồ sơ), 06 control sheet, 07 register. Their
 * field lists were not read, so every dossier, also one received after that
 * date, gets the 2018 set above (data/catalog/SOURCES.md).
 *
 * Every slip is computed from what the library recorded: the dossier's
 * tracking view, its journal (the entry that makes the slip apply: receive,
 * request_supplement, reject, reschedule), the bound procedure version and
 * the catalog's agency and officer names. Nothing is typed in twice.
 *
 * Two renderings of the same content:
 *
 *  - DVC_SLIP_HTML: one self-contained printable page (UTF-8, inline CSS,
 *    no external resources, serif font, @page A5 for forms 01-05 and A4
 *    landscape for form 06 as the circular prints them). The official
 *    layout: agency and desk on the left, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT
 *    NAM / Độc lập - Tự do - Hạnh phúc" on the right, the place and date
 *    line, "Mẫu số 0N", the title, the body, the signature blocks. Times
 *    read "10 giờ 15 phút, ngày 05 tháng 3 năm 2026" in Vietnam's time
 *    (UTC+7). Every recorded text is HTML-escaped and NFC-normalised.
 *
 *  - DVC_SLIP_XML: the fields alone, for archives and other systems.
 *    Vocabulary (no namespace; text content escaped; instants ISO 8601 with
 *    +07:00):
 *
 *      <slip kind="receipt|supplement|refusal|apology|control" form="01".."05"
 *            circular="01/2018/TT-VPCP">
 *        <title/>                      the form's title
 *        <issuer code=""/>             agency issuing the slip (its name)
 *        <place/>                      place of the date line (may be empty)
 *        <issued_at/>                  the slip's date
 *        <dossier_code/>
 *        <procedure code="" version=""/>   name of the procedure
 *        <applicant><name/><address/><phone/><email/></applicant>
 *        ...kind-specific elements, documented in lib/slip.c next to the
 *           table that drives each form...
 *      </slip>
 *
 *    and for form 06:
 *
 *      <register form="06" circular="01/2018/TT-VPCP" [unit=""]>
 *        <title/> <from/> <to/> <issued_at/>
 *        <entries count="N"><entry n="1"> ...one element per column... </entry></entries>
 *      </register>
 *
 * The tracking secret of an anonymous applicant is stored hashed: no slip
 * can print it. The receipt tells how to look the dossier up by its code.
 */
#ifndef DVC_SLIP_H
#define DVC_SLIP_H

#include "dvc/catalog.h"
#include "dvc/common.h"
#include "dvc/dossier.h"
#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dvc_slip_kind {
	DVC_SLIP_RECEIPT = 0,    /**< form 01: needs the receive entry */
	DVC_SLIP_SUPPLEMENT = 1, /**< form 02: needs a request_supplement entry (the latest is used) */
	DVC_SLIP_REFUSAL = 2,    /**< form 03: needs the reject entry (its note = reasons) */
	DVC_SLIP_APOLOGY = 3,    /**< form 04: needs the reschedule entry (note = reason) */
	DVC_SLIP_CONTROL = 4     /**< form 05: needs the receive entry; one row per handover */
} dvc_slip_kind;
#define DVC_SLIP_KIND_COUNT 5

typedef enum dvc_slip_format {
	DVC_SLIP_HTML = 0,
	DVC_SLIP_XML = 1
} dvc_slip_format;

/**
 * Parse a kind name: "receipt", "supplement", "refusal", "apology", "control".
 * @return DVC_OK; DVC_EINVAL (unknown name or NULL argument; the message
 *   lists the valid names).
 */
DVC_API int dvc_slip_kind_parse(const char *name, dvc_slip_kind *out);

/** The name of a kind ("receipt"), or NULL when out of range. Static. */
DVC_API const char *dvc_slip_kind_name(dvc_slip_kind kind);

/**
 * 1 when the dossier's journal has the entry slip `kind` is made from (a
 * receive entry for the receipt and the control sheet, a request for the
 * supplement slip...), so dvc_slip_render can print it; else 0.
 */
DVC_API int dvc_slip_available(const dvc_tracking *t, dvc_slip_kind kind);

/** "html", "xml"; "?" out of range. */
DVC_API const char *dvc_slip_format_name(dvc_slip_format f);
DVC_API int dvc_slip_format_parse(const char *name, dvc_slip_format *out);

/**
 * Render one slip of dossier `code`. The caller is the library's trusted
 * side (an officer's desk application): no actor is checked here.
 *
 * @param out  receives a NUL-terminated document; free it with dvc_free()
 * @param len  optional, receives its length in bytes
 * @return DVC_OK; DVC_EINVAL (NULL argument, unknown kind or format);
 *   DVC_ENOTFOUND (no such dossier); DVC_ETRANSITION (the slip does not
 *   apply: no receive entry for a receipt, no supplement request, no
 *   refusal, no reschedule; a control sheet needs the intake too); DVC_ENOMEM; DVC_EIO.
 */
DVC_API int dvc_slip_render(dvc_db *db, const char *code, dvc_slip_kind kind,
			    dvc_slip_format fmt, char **out, size_t *len);

/**
 * Render one slip of dossier `code` for `who`, who must be allowed to track
 * it (an officer, the dossier's account, or the anonymous applicant with
 * the secret, throttled per `from`'s client as tracking is). An officer's
 * read is recorded in the access log first (privacy.h, view "slip").
 * @return as dvc_slip_render(), and as dvc_dossier_track_from() for `who`.
 */
DVC_API int dvc_slip_render_for(dvc_db *db, const char *code, const dvc_actor *who,
				const dvc_caller *from, dvc_slip_kind kind, dvc_slip_format fmt,
				char **out, size_t *len);

/** What the tracking register (form 06) covers. Initialise with DVC_REGISTER_OPTS_INIT. */
typedef struct dvc_register_opts {
	unsigned int version;
	const char *unit; /**< receiving desk (agency code of the route's first step), or NULL for all */
	dvc_time from;    /**< dossiers submitted at or after this instant (0: from the start) */
	dvc_time to;      /**< ... and strictly before this one (0: no end) */
} dvc_register_opts;

#define DVC_REGISTER_OPTS_VERSION 1
#define DVC_REGISTER_OPTS_INIT {DVC_REGISTER_OPTS_VERSION, NULL, 0, 0}

/**
 * Render the tracking register (Sổ theo dõi hồ sơ, form 06): one row per
 * submitted dossier in the period (drafts are not in it), oldest first,
 * with code, procedure, number of sets, applicant, address and phone,
 * lead agency, received, appointment, transferred to the processing
 * agency, result received back, returned, notes.
 *
 * @param opts  NULL for every dossier
 * @param out   receives the document; free it with dvc_free()
 * @param len   optional, receives its length
 * @return DVC_OK (also with no rows); DVC_EINVAL (NULL argument, unknown
 *   opts version or format, to <= from when both are set); DVC_ENOMEM; DVC_EIO.
 */
DVC_API int dvc_register_render(dvc_db *db, const dvc_register_opts *opts,
				dvc_slip_format fmt, char **out, size_t *len);

/**
 * A printable blank form (HTML, A4) for document `document` (1-based) of
 * procedure version `p`, when that document is filled in as an e-form: the
 * applicant's fields, the e-form's field titles, the declaration and the
 * signature block, for procedures below online level 3 where the applicant
 * prints it and brings it to the desk.
 * @param out  receives the document; free it with dvc_free()
 * @param len  optional, receives its length
 * @return DVC_OK; DVC_ENOTFOUND (no such document, or not an e-form);
 *   DVC_EINVAL; DVC_ENOMEM.
 */
DVC_API int dvc_form_render(const dvc_procedure *p, size_t document, char **out, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
