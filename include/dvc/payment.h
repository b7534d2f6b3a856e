/*
 * libdvc — fees and online payment (level 4 / full online).
 *
 * The fee due is computed at intake from the procedure version's fees
 * (fixed, per copy, per page; VND integers) unless the dossier carries an
 * exemption with its legal reason. A payment request gives the gateway a
 * unique reference, the amount and an expiry. The gateway confirms with a
 * callback whose parameters are signed with a shared secret: HMAC-SHA512
 * over the parameters sorted by name and joined as a query string, the
 * scheme Vietnamese gateways use (VNPay's vnp_SecureHash). The library checks
 * the signature in constant time, then the reference, amount and expiry; a
 * replayed callback is answered again without paying twice. A dossier
 * rejected after payment gets a refund record. Secrets live only in the
 * handle's memory: they are never written to the store or to exports.
 */
#ifndef DVC_PAYMENT_H
#define DVC_PAYMENT_H

#include "dvc/common.h"
#include "dvc/dossier.h"
#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of a gateway name, and of the gateway's transaction number in a
 * callback (vnp_TransactionNo); longer ones are refused with DVC_EINVAL
 * and DVC_ETOOBIG respectively. */
#define DVC_PAYMENT_GATEWAY_MAX 31
#define DVC_PAYMENT_TXN_MAX 64

/** Configure the gateway for this handle. The secret is copied and kept in
 * memory only (wiped on dvc_close). name is a short label ("vnpay"). */
DVC_API int dvc_payment_set_gateway(dvc_db *db, const char *name, const char *secret);

/** Longest expiry of a payment request, in seconds (30 days). */
#define DVC_PAYMENT_EXPIRY_MAX (30 * 86400)
/** Largest amount, in VND, a payment request or callback may carry (the
 * catalog's bound on one fee). */
#define DVC_AMOUNT_MAX 1000000000000000LL

/** Seconds a payment request stays valid (default 900).
 * @return DVC_OK; DVC_ERANGE (outside 1..DVC_PAYMENT_EXPIRY_MAX: the
 *   expiry is unchanged); DVC_EINVAL (db NULL). */
DVC_API int dvc_payment_set_expiry(dvc_db *db, int64_t seconds);

/** Bytes of a payment reference buffer, NUL included: "DVC", the dossier's
 * row id, "T" (payment) or "R" (refund) and a count, each id at most 19 digits. */
#define DVC_PAYMENT_REF_SIZE 48

/** A payment request. Caller-allocated: initialise with DVC_PAYMENT_REQUEST_INFO_INIT. */
typedef struct dvc_payment_request_info {
	unsigned int version;
	char reference[DVC_PAYMENT_REF_SIZE]; /**< what the gateway sends back as vnp_TxnRef */
	int64_t amount;     /**< VND */
	dvc_time expires_at;
} dvc_payment_request_info;

#define DVC_PAYMENT_REQUEST_INFO_VERSION 1
#define DVC_PAYMENT_REQUEST_INFO_INIT {DVC_PAYMENT_REQUEST_INFO_VERSION, "", 0, 0}

/**
 * Ask for online payment of what is still due on a dossier.
 * @return DVC_OK; DVC_ENOTFOUND; DVC_ESERVICELEVEL (not level 4 / full
 *   online); DVC_ETRANSITION (not received yet, finished, exempt, or nothing
 *   due); DVC_EINVAL (no gateway configured, or `out` not initialised
 *   with DVC_PAYMENT_REQUEST_INFO_INIT).
 */
DVC_API int dvc_payment_request(dvc_db *db, const char *code, dvc_payment_request_info *out);

typedef enum dvc_payment_outcome {
	DVC_PAYMENT_PAID = 0,      /**< confirmed now */
	DVC_PAYMENT_DUPLICATE = 1, /**< a replay of an already confirmed payment */
	DVC_PAYMENT_DECLINED = 2   /**< the gateway reports a failed payment (recorded) */
} dvc_payment_outcome;

/** What a callback did. Caller-allocated: initialise with DVC_PAYMENT_RESULT_INIT. */
typedef struct dvc_payment_result {
	unsigned int version;
	dvc_payment_outcome outcome;
	char reference[DVC_PAYMENT_REF_SIZE];
	char dossier[DVC_CODE_MAX];
	int64_t amount;
} dvc_payment_result;

#define DVC_PAYMENT_RESULT_VERSION 1
#define DVC_PAYMENT_RESULT_INIT {DVC_PAYMENT_RESULT_VERSION, DVC_PAYMENT_PAID, "", "", 0}

/**
 * Process a gateway callback: the raw query string as the gateway sent it
 * ("vnp_Amount=5000000&vnp_TxnRef=...&vnp_SecureHash=..."), percent-encoded.
 * Amounts are in VND x 100 (vnp_Amount), the gateway's convention.
 * A new request for a dossier supersedes its earlier open ones: only the
 * latest can be paid.
 * @return DVC_OK (see out->outcome); DVC_ESIGNATURE (missing or forged
 *   signature); DVC_ENOTFOUND (unknown reference); DVC_EAMOUNT (the amount is
 *   not the one requested); DVC_EINVAL (malformed parameters); DVC_EEXPIRED
 *   (request expired); DVC_ESERVICELEVEL (dossier of a procedure below level
 *   4); DVC_ETRANSITION (request superseded or declined, dossier closed or
 *   already paid); DVC_ETOOBIG (query over 8 KiB or 64 parameters);
 *   DVC_ERANGE (vnp_Amount beyond DVC_AMOUNT_MAX). Nothing is paid on
 *   error.
 *
 * A signed success the dossier cannot take (the request superseded,
 * expired or declined before, the dossier closed or already paid) is still
 * refused with DVC_ETRANSITION or DVC_EEXPIRED, but the money is not lost
 * from sight: the request keeps the gateway's transaction number
 * (vnp_TransactionNo), its amount and the time, and is marked for refund or
 * review (dvc_payment_review_json()); the error message says so. A replay
 * of it changes nothing more. A signed success naming no request of this
 * store (DVC_ENOTFOUND, or DVC_ESERVICELEVEL for a dossier code of a
 * procedure without online payment) is kept the same way, with its
 * reference, the gateway's transaction number, amount and time; an unsigned
 * or forged callback is refused before anything is looked up, so only the
 * gateway can add to that list.
 */
DVC_API int dvc_payment_callback(dvc_db *db, const char *query, dvc_payment_result *out);

/**
 * The payment requests kept for refund or review, oldest first, as a JSON
 * array: [{"reference", "dossier" (null for an unknown reference), "reason"
 * ("superseded", "expired", "declined", "dossier_closed", "already_paid",
 * "unknown_reference"), "amount" (VND),
 * "gateway_txn" (or null), "received_at" (ISO 8601)}]. Free with dvc_free().
 * @return DVC_OK; DVC_EINVAL; DVC_ENOMEM; DVC_EIO.
 */
DVC_API int dvc_payment_review_json(dvc_db *db, char **out);

/**
 * Sign parameters the way the gateway does, for gateway simulators and tests:
 * returns `query` with "&vnp_SecureHash=<hex>" appended (free with dvc_free).
 */
DVC_API int dvc_payment_sign(const char *query, const char *secret, char **out);

/**
 * The national payment platform's messages (DVCQG), beside the VNPay-style
 * query strings above. JSON messages whose check value MaXacThuc is the
 * SHA-256, in lower-case hex, of the message's fields joined with '|' and
 * the secret appended (not an HMAC). The field lists, their order, PhienBan
 * "1.0.6" and MaLoi "00" come from ONE public implementation (see
 * docs/national.md, section 3): unconfirmed against the platform's own
 * specification, which was not found. The secret is the handle's gateway
 * secret (dvc_payment_set_gateway(db, "dvcqg", secret)); a confirmation goes
 * through the same rules as dvc_payment_callback (reference, amount,
 * expiry, replay, traces kept for review; refunds on rejection).
 */
#define DVC_PAYMENT_CHECK_SIZE 65 /**< MaXacThuc: 64 hex digits and the NUL */

/** What the library does not know about the deployment. Initialise with
 * DVC_PAYMENT_NATIONAL_OPTS_INIT. */
typedef struct dvc_payment_national_opts {
	unsigned int version;
	const char *partner;     /**< MaDoiTac, the portal's partner code: required */
	const char *client_ip;   /**< Ip of the paying citizen: required */
	const char *description; /**< ThongTinGiaoDich; NULL: "THANH TOAN HO SO <code>" */
} dvc_payment_national_opts;

#define DVC_PAYMENT_NATIONAL_OPTS_VERSION 1
#define DVC_PAYMENT_NATIONAL_OPTS_INIT {DVC_PAYMENT_NATIONAL_OPTS_VERSION, NULL, NULL, NULL}

/**
 * MaXacThuc of `n` fields: hex(SHA-256(f[0] "|" f[1] "|" ... "|" f[n-1] "|" secret)).
 * @return DVC_OK; DVC_EINVAL (a NULL argument, or a field holding '|',
 *   which would make the joined text ambiguous).
 */
DVC_API int dvc_payment_national_check(const char *const *fields, size_t n, const char *secret,
				       char out[DVC_PAYMENT_CHECK_SIZE]);

/**
 * Ask for payment like dvc_payment_request() and write the INIT message
 * for the platform into *json (free with dvc_free()): LoaiBanTin "INIT",
 * PhienBan, MaDoiTac, MaThamChieu (the reference), SoTien, LoaiHinhThanhToan
 * "PAY", MaKenhThanhToan, MaThietBi, NgonNgu, MaTienTe "VND", MaNganHang,
 * ThongTinGiaoDich, ThoiGianGD (yyyyMMddHHmmss, UTC+7), Ip, MaXacThuc and
 * ThongTinBienLai (MaHoSo, MaTTHC, TenTTHC, HoTenNguoiNop, SoCMNDNguoiNop).
 * Nothing is requested when the message cannot be built.
 * @return as dvc_payment_request(); DVC_EINVAL (options missing, or a '|'
 *   in a field).
 */
DVC_API int dvc_payment_national_init(dvc_db *db, const char *code,
				      const dvc_payment_national_opts *o,
				      dvc_payment_request_info *info, char **json);

/** The QUERY message asking the platform about `reference` (LoaiBanTin,
 * PhienBan, MaDoiTac, MaThamChieu, ThoiGianGD, MaXacThuc). DVC_ENOTFOUND
 * for a reference this store never issued. */
DVC_API int dvc_payment_national_query(dvc_db *db, const char *reference,
				       const dvc_payment_national_opts *o, char **json);

/**
 * The platform's confirmation, a JSON object: LoaiBanTin, MaLoi ("00":
 * paid), MaDoiTac, MaThamChieu, SoTien (VND, a number or digits), MaTienTe
 * ("VND"), MaGiaoDich, MaNganHang, ThoiGianGD, ThongTinGiaoDich, MaXacThuc
 * over those ten in that order. Read by the strict JSON reader; then the
 * rules and returns of dvc_payment_callback(), error paths naming
 * MaThamChieu, SoTien and MaGiaoDich; DVC_ESIGNATURE for a missing or
 * wrong MaXacThuc (compared in constant time).
 */
DVC_API int dvc_payment_national_callback(dvc_db *db, const char *json, size_t len,
					  dvc_payment_result *out);

/** How a fee was paid at the counter. */
typedef enum dvc_pay_method {
	DVC_PAY_CASH = 0,     /**< tiền mặt */
	DVC_PAY_CARD = 1,     /**< thẻ (POS at the desk) */
	DVC_PAY_TRANSFER = 2  /**< chuyển khoản */
} dvc_pay_method;

/** "cash", "card", "transfer". */
DVC_API const char *dvc_pay_method_name(dvc_pay_method m);
DVC_API int dvc_pay_method_parse(const char *name, dvc_pay_method *out);

/** Bytes in a counter receipt number (số biên lai), the NUL not counted. */
#define DVC_RECEIPT_NO_MAX 40

/** A payment taken at the reception desk. Initialise with DVC_COUNTER_PAYMENT_INIT. */
typedef struct dvc_counter_payment {
	unsigned int version;
	const char *officer;    /**< the desk officer who took it (reception at the route's desk) */
	const char *receipt_no; /**< the receipt (biên lai) number: printable, unique in the store */
	int64_t amount;         /**< VND, 1..what is still owed (refund: ..what was paid) */
	dvc_pay_method method;
	const char *note;       /**< refunds: the reason (required); payments: optional */
} dvc_counter_payment;

#define DVC_COUNTER_PAYMENT_VERSION 1
#define DVC_COUNTER_PAYMENT_INIT {DVC_COUNTER_PAYMENT_VERSION, NULL, NULL, 0, DVC_PAY_CASH, NULL}

/**
 * Record a fee paid at the counter, at any service level. Journaled
 * (action pay, the receipt number's digest in the chain); counted in
 * dvc_tracking.fee_paid and on the slips.
 * @return DVC_OK; DVC_ENOTFOUND (dossier or officer); DVC_EPERM (not an
 *   officer of the dossier's reception desk); DVC_ETRANSITION (not received
 *   yet, closed, exempt, or nothing owed); DVC_EAMOUNT (zero, negative or
 *   more than owed); DVC_EINVAL (receipt number empty, too long or not
 *   printable; unknown method); DVC_EEXISTS (receipt number already used).
 */
DVC_API int dvc_payment_counter(dvc_db *db, const char *code, const dvc_counter_payment *p);

/**
 * Refund at the counter what was paid (online or at the counter) and not
 * refunded yet, with the reason in `note`. Journaled (action refund).
 * @return as dvc_payment_counter; DVC_EAMOUNT when more than was paid;
 *   DVC_EINVAL without a reason.
 */
DVC_API int dvc_payment_counter_refund(dvc_db *db, const char *code, const dvc_counter_payment *p);

/** "paid", "duplicate", "declined"; "?" for anything else. */
DVC_API const char *dvc_payment_outcome_name(dvc_payment_outcome o);
DVC_API int dvc_payment_outcome_parse(const char *name, dvc_payment_outcome *out);

/** A buffer for dvc_vnd_format(): sign, 19 digits, 6 dots and the NUL fit. */
#define DVC_VND_SIZE 32

/**
 * An amount in đồng grouped the Vietnamese way, "1.250.000" (no unit), as
 * slips and messages print it. Any int64_t value fits DVC_VND_SIZE.
 */
DVC_API void dvc_vnd_format(int64_t amount, char out[DVC_VND_SIZE]);

#ifdef __cplusplus
}
#endif
#endif
