/* Online payment: requests, signed gateway callbacks (HMAC-SHA512 over the
 * sorted parameters), idempotent confirmation. */
#include "dvc/payment.h"
#include "dvc/calendar.h"
#include "dvc/dossier.h"
#include "national_internal.h"
#include "notify_internal.h"
#include "text.h"
#include "store_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_EXPIRY 900
#define MAX_PARAMS 64
#define MAX_QUERY 8192

int dvc_payment_set_gateway(dvc_db *db, const char *name, const char *secret)
{
	char *copy;
	if (!db || !name || !secret || !*secret || strlen(name) > DVC_PAYMENT_GATEWAY_MAX)
		return dvc__err(DVC_EINVAL, NULL, "a gateway needs a short name and a non-empty secret");
	if (!(copy = dvc__strdup(secret)))
		return dvc__oom();
	if (db->gateway_secret) {
		sodium_memzero(db->gateway_secret, strlen(db->gateway_secret));
		dvc__free(db->gateway_secret);
	}
	db->gateway_secret = copy;
	snprintf(db->gateway_name, sizeof db->gateway_name, "%s", name);
	return DVC_OK;
}

int dvc_payment_set_expiry(dvc_db *db, int64_t seconds)
{
	if (!db)
		return dvc__err(DVC_EINVAL, NULL, "dvc_payment_set_expiry needs a store");
	/* a huge expiry overflowed into a negative expires_at */
	if (seconds < 1 || seconds > DVC_PAYMENT_EXPIRY_MAX)
		return dvc__err(DVC_ERANGE, "seconds", "a payment request's expiry must be 1..%d seconds, "
				"not %lld", DVC_PAYMENT_EXPIRY_MAX, (long long)seconds);
	db->payment_expiry = seconds;
	return DVC_OK;
}

static int level4(const dvc__proc_rt *rt)
{
	return rt->online_level >= 4 || rt->online_mode == DVC_ONLINE_FULL;
}

static int request(dvc_db *db, const char *code, dvc_payment_request_info *out)
{
	dvc__dossier d;
	const dvc__proc_rt *rt;
	int64_t n, due;
	dvc_time now;
	int rc;
	if ((rc = dvc__now(db, &now)) != DVC_OK || (rc = dvc__store_dossier_load(db, code, &d)) != DVC_OK ||
	    (rc = dvc__rt_get(db, d.version_id, &rt)) != DVC_OK)
		return rc;
	if (!level4(rt))
		return dvc__err(DVC_ESERVICELEVEL, "code",
				"procedure %s (online level %d) does not take online payment", rt->code,
				rt->online_level);
	if (d.state == DVC_STATE_DRAFT || d.state == DVC_STATE_SUBMITTED || dvc_state_is_final(d.state))
		return dvc__err(DVC_ETRANSITION, "code", "dossier %s is %s: fees are paid after intake "
				"and before it is closed", d.code, dvc_state_name(d.state));
	if (d.fee_exempt)
		return dvc__err(DVC_ETRANSITION, "code", "dossier %s is exempt from fees", d.code);
	due = d.fee_due - d.fee_paid;
	if (due > DVC_AMOUNT_MAX)
		return dvc__err(DVC_ERANGE, "code", "dossier %s owes more than %lld VND", d.code,
				(long long)DVC_AMOUNT_MAX);
	if (due <= 0)
		return dvc__err(DVC_ETRANSITION, "code", "nothing is due on dossier %s", d.code);
	if ((rc = dvc__store_payment_count(db, d.id, &n)) != DVC_OK)
		return rc;
	/* one open request per dossier: a new one supersedes the earlier ones,
	 * so two confirmations can never both be paid */
	if ((rc = dvc__store_payment_supersede(db, d.id)) != DVC_OK)
		return rc;
	/* gateway references: short, alphanumeric, unique */
	snprintf(out->reference, sizeof out->reference, "DVC%lldT%lld", (long long)d.id,
		 (long long)(n + 1));
	out->amount = due;
	{
		int64_t ttl = db->payment_expiry ? db->payment_expiry : DEFAULT_EXPIRY;
		if (now > INT64_MAX - ttl)
			return dvc__err(DVC_ERANGE, NULL, "the clock is too far ahead for an expiry");
		out->expires_at = now + ttl;
	}
	return dvc__store_payment_insert(db, d.id, out->reference, DVC__PAY_KIND_PAYMENT, due,
					 DVC__PAY_REQUESTED, db->gateway_name, now, out->expires_at);
}

int dvc_payment_request(dvc_db *db, const char *code, dvc_payment_request_info *out)
{
	int rc;
	if (!db || !code || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_payment_request needs a store, a code and an out pointer");
	if (!db->gateway_secret)
		return dvc__err(DVC_EINVAL, NULL, "no payment gateway configured (dvc_payment_set_gateway)");
	if (out->version != DVC_PAYMENT_REQUEST_INFO_VERSION)
		return dvc__version_err("dvc_payment_request_info", out->version,
					DVC_PAYMENT_REQUEST_INFO_VERSION);
	DVC__CLEAR_OUT(out, DVC_PAYMENT_REQUEST_INFO_VERSION);
	DVC__WRITE(db, rc, request(db, code, out));
	return rc;
}

/* ---- query strings ---- */

typedef struct param {
	char *name, *value;
} param;

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decode s[0..n) ('+' is a space); NULL on a malformed escape. */
static char *decode(const char *s, size_t n)
{
	char *out = dvc__malloc(n + 1);
	size_t k = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[k++] = ' ';
		} else if (s[i] == '%') {
			int hi, lo;
			/* two hex digits must follow; %00 would cut the C string */
			if (i + 2 >= n || (hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0 ||
			    (hi == 0 && lo == 0)) {
				dvc__free(out);
				return NULL;
			}
			out[k++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
	return out;
}

static void free_params(param *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		dvc__free(p[i].name);
		dvc__free(p[i].value);
	}
}

static int parse_query(const char *q, param *p, size_t *n)
{
	size_t len = strlen(q);
	*n = 0;
	if (len > MAX_QUERY)
		return dvc__err(DVC_ETOOBIG, "query", "callback query longer than %d bytes", MAX_QUERY);
	while (*q) {
		const char *amp = strchr(q, '&'), *end = amp ? amp : q + strlen(q), *eq;
		if (end > q) {
			if (*n == MAX_PARAMS)
				return dvc__err(DVC_ETOOBIG, "query", "more than %d parameters", MAX_PARAMS);
			eq = memchr(q, '=', (size_t)(end - q));
			if (!eq)
				return dvc__err(DVC_EINVAL, "query", "parameter without '=' in the callback");
			unsigned long failures = dvc__alloc_failures();
			p[*n].name = decode(q, (size_t)(eq - q));
			p[*n].value = decode(eq + 1, (size_t)(end - eq - 1));
			if (!p[*n].name || !p[*n].value) {
				(*n)++;
				if (dvc__alloc_failures() != failures)
					return dvc__oom();
				return dvc__err(DVC_EINVAL, "query", "malformed percent-encoding in the callback");
			}
			for (size_t i = 0; i < *n; i++)
				if (strcmp(p[i].name, p[*n].name) == 0) {
					(*n)++;
					return dvc__err(DVC_EINVAL, "query", "parameter %.40s appears twice",
							p[*n - 1].name);
				}
			(*n)++;
		}
		q = amp ? amp + 1 : end;
	}
	return DVC_OK;
}

static const char *get(const param *p, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0)
			return p[i].value;
	return NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const param *)a)->name, ((const param *)b)->name);
}

/* PHP urlencode(), which the gateways' reference code uses for the signed data. */
static void encode(dvc_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.') {
			dvc_buf_putc(b, (char)c);
		} else if (c == ' ') {
			dvc_buf_putc(b, '+');
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			dvc_buf_put(b, e, 3);
		}
	}
}

/* The signed data: vnp_* parameters except the hash itself, sorted by name,
 * joined as name=value&... */
static int signed_data(param *p, size_t n, dvc_buf *b)
{
	bool first = true;
	qsort(p, n, sizeof *p, by_name);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(p[i].name, "vnp_", 4) != 0 || strcmp(p[i].name, "vnp_SecureHash") == 0 ||
		    strcmp(p[i].name, "vnp_SecureHashType") == 0)
			continue;
		if (!first)
			dvc_buf_putc(b, '&');
		encode(b, p[i].name);
		dvc_buf_putc(b, '=');
		encode(b, p[i].value);
		first = false;
	}
	return b->oom ? dvc__oom() : DVC_OK;
}

static void hmac(const char *secret, const dvc_buf *data, unsigned char mac[64])
{
	crypto_auth_hmacsha512_state st;
	crypto_auth_hmacsha512_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha512_update(&st, (const unsigned char *)(data->ptr ? data->ptr : ""), data->len);
	crypto_auth_hmacsha512_final(&st, mac);
}

int dvc_payment_sign(const char *query, const char *secret, char **out)
{
	param p[MAX_PARAMS];
	size_t n = 0;
	dvc_buf data = DVC_BUF_INIT, res = DVC_BUF_INIT;
	unsigned char mac[64];
	int rc;
	if (!query || !secret || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_payment_sign needs a query, a secret and an out pointer");
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	if ((rc = parse_query(query, p, &n)) == DVC_OK && (rc = signed_data(p, n, &data)) == DVC_OK) {
		hmac(secret, &data, mac);
		dvc_buf_puts(&res, query);
		dvc_buf_puts(&res, "&vnp_SecureHash=");
		for (int i = 0; i < 64; i++)
			dvc_buf_printf(&res, "%02x", mac[i]);
		if (!(*out = dvc_buf_detach(&res)))
			rc = dvc__oom();
	}
	free_params(p, n);
	dvc_buf_free(&data);
	dvc_buf_free(&res);
	return rc;
}

/* 0, -1 malformed, -2 out of range (strtoll would clamp it silently).
 * `scale`: the gateway's units per VND (100 for vnp_Amount, 1 for SoTien). */
static int parse_amount(const char *s, int64_t scale, int64_t *out)
{
	char *end;
	long long v;
	if (!s || !*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end || v < 0)
		return -1;
	if (errno == ERANGE || v / scale > DVC_AMOUNT_MAX)
		return -2;
	*out = v;
	return 0;
}

static const char *const review_names[] = {"superseded", "expired", "declined", "dossier_closed",
					   "already_paid", "unknown_reference"};
_Static_assert(sizeof review_names / sizeof review_names[0] ==
		       DVC__PAY_REVIEW_UNMATCHED - DVC__PAY_REVIEW_SUPERSEDED + 1,
	       "a name per review reason");

/* A success the dossier cannot take: the request keeps the gateway's
 * transaction number and time, in the review state of `state`, and the call
 * still fails with the error already set (the caller commits the mark). */
static int keep_trace(dvc_db *db, const dvc__payment_row *pay, int state, const char *txn,
		      dvc_time now, int *keep)
{
	dvc_error e = *dvc_error_last();
	char msg[512], path[128];
	int rc;
	snprintf(msg, sizeof msg, "%s; the gateway's payment%s%s is kept for refund or review (%s)",
		 e.message, txn ? " " : "", txn ? txn : "", review_names[state - DVC__PAY_REVIEW_SUPERSEDED]);
	snprintf(path, sizeof path, "%s", e.path ? e.path : "");
	if ((rc = dvc__store_payment_update(db, pay->id, state, txn, now)) != DVC_OK)
		return rc;
	*keep = 1;
	return dvc__err(e.code, path[0] ? path : NULL, "%s", msg);
}

/* A verified callback in either gateway's format, as the rules need it. */
typedef struct cb_in {
	const char *ref, *txn, *amount_s;
	int64_t scale;   /* amount units per VND */
	bool success;
	const char *f_ref, *f_amount, *f_txn; /* the format's field names, for errors */
} cb_in;

static int callback(dvc_db *db, const cb_in *in, const char *query, dvc_payment_result *out,
		    int *keep)
{
	const char *ref = in->ref, *amount_s = in->amount_s, *txn = in->txn;
	const int64_t scale = in->scale;
	dvc__payment_row pay;
	dvc__dossier d;
	const dvc__proc_rt *rt;
	dvc_time now;
	int64_t amount;
	int rc;
	bool success;

	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	if (!ref)
		return dvc__err(DVC_EINVAL, in->f_ref, "the callback has no payment reference");
	if (txn && strlen(txn) > DVC_PAYMENT_TXN_MAX)
		return dvc__err(DVC_ETOOBIG, in->f_txn, "transaction number longer than %d bytes",
				DVC_PAYMENT_TXN_MAX);
	success = in->success;
	rc = dvc__store_payment_get(db, ref, &pay);
	if (rc == DVC_ENOTFOUND) {
		/* a callback naming a dossier directly: say why it cannot be paid */
		if (dvc__store_dossier_load(db, ref, &d) == DVC_OK &&
		    dvc__rt_get(db, d.version_id, &rt) == DVC_OK && !level4(rt))
			rc = dvc__err(DVC_ESERVICELEVEL, in->f_ref,
				      "dossier %s is of a level-%d procedure: no online payment",
				      d.code, rt->online_level);
		else
			rc = dvc__err(DVC_ENOTFOUND, in->f_ref, "no payment request %.40s", ref);
		/* The gateway says it took money (the signature is valid: only
		 * the gateway can fill this table) for no request of ours: keep
		 * its transaction for review rather than lose it. */
		if (!success)
			return rc;
		if ((rc = parse_amount(amount_s, scale, &amount)) == -2)
			return dvc__err(DVC_ERANGE, in->f_amount, "amount out of range");
		if (rc != 0 || amount % scale != 0)
			return dvc__err(DVC_EINVAL, in->f_amount, "malformed amount");
		{
			dvc_error e = *dvc_error_last();
			char msg[512];
			snprintf(msg, sizeof msg, "%s; the gateway's payment%s%s is kept for review (%s)",
				 e.message, txn ? " " : "", txn ? txn : "",
				 review_names[DVC__PAY_REVIEW_UNMATCHED - DVC__PAY_REVIEW_SUPERSEDED]);
			if ((rc = dvc__store_payment_unmatched(db, ref, db->gateway_name, txn, amount / scale,
							       now)) != DVC_OK)
				return rc;
			*keep = 1;
			return dvc__err(e.code, in->f_ref, "%s", msg);
		}
	}
	if (rc != DVC_OK)
		return rc;
	if (pay.kind != DVC__PAY_KIND_PAYMENT)
		return dvc__err(DVC_EINVAL, in->f_ref, "%s is not a payment request", ref);
	if ((rc = dvc__store_dossier_load(db, pay.dossier_code, &d)) != DVC_OK ||
	    (rc = dvc__rt_get(db, d.version_id, &rt)) != DVC_OK)
		return rc;
	if (!level4(rt))
		return dvc__err(DVC_ESERVICELEVEL, in->f_ref, "procedure %s takes no online payment",
				rt->code);
	if ((rc = parse_amount(amount_s, scale, &amount)) == -2)
		return dvc__err(DVC_ERANGE, in->f_amount, "amount out of range");
	if (rc != 0 || amount % scale != 0)
		return dvc__err(DVC_EINVAL, in->f_amount, "malformed amount");
	if (amount / scale != pay.amount)
		return dvc__err(DVC_EAMOUNT, in->f_amount, "paid %lld VND but %lld VND were requested",
				(long long)(amount / scale), (long long)pay.amount);
	snprintf(out->reference, sizeof out->reference, "%s", pay.reference);
	snprintf(out->dossier, sizeof out->dossier, "%s", d.code);
	out->amount = pay.amount;
	if (pay.state == DVC__PAY_PAID) {
		out->outcome = DVC_PAYMENT_DUPLICATE; /* replay: nothing more to do */
		return DVC_OK;
	}
	/* Past here a success that cannot be applied is money the gateway
	 * took: refused for the dossier, yet kept (keep_trace). */
	if (pay.state >= DVC__PAY_REVIEW_SUPERSEDED && pay.state <= DVC__PAY_REVIEW_PAID)
		return dvc__err(DVC_ETRANSITION, in->f_ref, "payment %s is kept for refund or review "
				"(%s)", pay.reference, review_names[pay.state - DVC__PAY_REVIEW_SUPERSEDED]);
	if (pay.state != DVC__PAY_REQUESTED) {
		rc = dvc__err(DVC_ETRANSITION, in->f_ref, "payment %s is closed", pay.reference);
		return success ? keep_trace(db, &pay, pay.state == DVC__PAY_SUPERSEDED
					    ? DVC__PAY_REVIEW_SUPERSEDED : DVC__PAY_REVIEW_DECLINED,
					    txn, now, keep)
			       : rc;
	}
	if (now > pay.expires_at) {
		rc = dvc__err(DVC_EEXPIRED, in->f_ref, "payment request %s expired", pay.reference);
		return success ? keep_trace(db, &pay, DVC__PAY_REVIEW_EXPIRED, txn, now, keep) : rc;
	}
	if (!success) {
		out->outcome = DVC_PAYMENT_DECLINED;
		return dvc__store_payment_update(db, pay.id, DVC__PAY_DECLINED, txn, now);
	}
	if (dvc_state_is_final(d.state)) {
		dvc__err(DVC_ETRANSITION, in->f_ref, "dossier %s is closed", d.code);
		return keep_trace(db, &pay, DVC__PAY_REVIEW_CLOSED, txn, now, keep);
	}
	if (d.fee_paid + pay.amount > d.fee_due) {
		dvc__err(DVC_ETRANSITION, in->f_ref, "dossier %s is already paid", d.code);
		return keep_trace(db, &pay, DVC__PAY_REVIEW_PAID, txn, now, keep);
	}
	out->outcome = DVC_PAYMENT_PAID;
	if ((rc = dvc__store_payment_update(db, pay.id, DVC__PAY_PAID, txn, now)) != DVC_OK)
		return rc;
	d.fee_paid += pay.amount;
	{
#define PAY_NOTE "Thanh toán trực tuyến %s đồng, mã giao dịch %s"
		char label[sizeof "gateway:" + DVC_PAYMENT_GATEWAY_MAX],
			note[sizeof PAY_NOTE + DVC_VND_SIZE + DVC_PAYMENT_TXN_MAX], amt[DVC_VND_SIZE];
		dvc__notify_values v;
		dvc_vnd_format(pay.amount, amt);
		snprintf(label, sizeof label, "gateway:%s", db->gateway_name);
		snprintf(note, sizeof note, PAY_NOTE, amt,
			 txn ? txn : pay.reference);
		if ((rc = dvc__dossier_record(db, &d, label, DVC_ACT_PAY, note, query)) != DVC_OK)
			return rc;
		memset(&v, 0, sizeof v);
		v.procedure = rt->name;
		v.amount = amt;
		rc = dvc__notify(db, d.id, d.code, d.journal_seq, "payment", &v);
	}
	return rc;
}

static int run_callback(dvc_db *db, const cb_in *in, const char *raw, dvc_payment_result *out);

int dvc_payment_callback(dvc_db *db, const char *query, dvc_payment_result *out)
{
	param p[MAX_PARAMS];
	size_t n = 0;
	dvc_buf data = DVC_BUF_INIT;
	unsigned char mac[64], given[64];
	const char *hash;
	int rc;
	if (!db || !query || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_payment_callback needs a store, a query and an out pointer");
	if (!db->gateway_secret)
		return dvc__err(DVC_EINVAL, NULL, "no payment gateway configured (dvc_payment_set_gateway)");
	if (out->version != DVC_PAYMENT_RESULT_VERSION)
		return dvc__version_err("dvc_payment_result", out->version, DVC_PAYMENT_RESULT_VERSION);
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	DVC__CLEAR_OUT(out, DVC_PAYMENT_RESULT_VERSION);
	if ((rc = parse_query(query, p, &n)) != DVC_OK)
		goto done;
	hash = get(p, n, "vnp_SecureHash");
	if (!hash || strlen(hash) != 128) {
		rc = dvc__err(DVC_ESIGNATURE, "vnp_SecureHash", "the callback is not signed");
		goto done;
	}
	for (int i = 0; i < 64; i++) {
		int hi = hexval(hash[2 * i]), lo = hexval(hash[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			rc = dvc__err(DVC_ESIGNATURE, "vnp_SecureHash", "the signature is not hexadecimal");
			goto done;
		}
		given[i] = (unsigned char)(hi * 16 + lo);
	}
	if ((rc = signed_data(p, n, &data)) != DVC_OK)
		goto done;
	hmac(db->gateway_secret, &data, mac);
	/* constant time: no early exit that would leak how much of a forgery matched */
	if (sodium_memcmp(mac, given, sizeof mac) != 0) {
		rc = dvc__err(DVC_ESIGNATURE, "vnp_SecureHash", "the callback signature does not match");
		goto done;
	}
	{
		const char *resp = get(p, n, "vnp_ResponseCode"), *status = get(p, n, "vnp_TransactionStatus");
		cb_in in = {get(p, n, "vnp_TxnRef"), get(p, n, "vnp_TransactionNo"), get(p, n, "vnp_Amount"),
			    100, resp && strcmp(resp, "00") == 0 && (!status || strcmp(status, "00") == 0),
			    "vnp_TxnRef", "vnp_Amount", "vnp_TransactionNo"};
		rc = run_callback(db, &in, query, out);
	}
done:
	free_params(p, n);
	dvc_buf_free(&data);
	sodium_memzero(mac, sizeof mac);
	return rc;
}

/* The rules in one write; a refused success keeps its trace committed.
 * Run again from the start after a deadlock (dvc__write_again). */
static int run_callback(dvc_db *db, const cb_in *in, const char *raw, dvc_payment_result *out)
{
	int rc, attempt = 0;
	do {
		int keep = 0;
		if ((rc = dvc__write_begin(db)) != DVC_OK)
			break;
		DVC__CLEAR_OUT(out, DVC_PAYMENT_RESULT_VERSION);
		rc = callback(db, in, raw, out, &keep);
		if (keep) {
			/* refused, but the trace is committed: keep the error across it */
			dvc_error e = *dvc_error_last();
			char msg[512], path[128];
			int w;
			snprintf(msg, sizeof msg, "%s", e.message);
			snprintf(path, sizeof path, "%s", e.path ? e.path : "");
			if ((w = dvc__write_end(db, DVC_OK)) != DVC_OK)
				rc = w;
			else
				dvc__err(rc, path[0] ? path : NULL, "%s", msg);
		} else {
			rc = dvc__write_end(db, rc);
		}
	} while (dvc__write_again(db, rc, attempt++));
	return rc;
}

static const char *const outcome_names[] = {"paid", "duplicate", "declined"};

DVC__ENUM_NAMES(payment_outcome, dvc_payment_outcome, outcome_names, "payment outcome")

/* ---- requests kept for refund or review ---- */

static int review_row(void *ctx, const char *reference, const char *dossier, int state,
		      int64_t amount, const char *txn, dvc_time at)
{
	cJSON *arr = ctx, *o = cJSON_CreateObject();
	char when[DVC_TIME_FORMAT_SIZE];
	bool ok = o && cJSON_AddItemToArray(arr, o);
	if (!ok) {
		cJSON_Delete(o);
		return dvc__oom();
	}
	ok = cJSON_AddStringToObject(o, "reference", reference) &&
	     (dossier ? cJSON_AddStringToObject(o, "dossier", dossier)
		      : cJSON_AddNullToObject(o, "dossier")) &&
	     cJSON_AddStringToObject(o, "reason",
				     review_names[state - DVC__PAY_REVIEW_SUPERSEDED]) &&
	     cJSON_AddNumberToObject(o, "amount", (double)amount) &&
	     (txn ? cJSON_AddStringToObject(o, "gateway_txn", txn)
		  : cJSON_AddNullToObject(o, "gateway_txn")) &&
	     dvc_time_format(at, when, sizeof when) == DVC_OK &&
	     cJSON_AddStringToObject(o, "received_at", when);
	return ok ? 0 : dvc__oom();
}

int dvc_payment_review_json(dvc_db *db, char **out)
{
	cJSON *arr;
	int rc;
	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_payment_review_json needs a store and an out pointer");
	*out = NULL;
	if (!(arr = cJSON_CreateArray()))
		return dvc__oom();
	if ((rc = dvc__read_begin(db)) == DVC_OK) {
		rc = dvc__store_payment_reviews(db, review_row, arr);
		dvc__read_end(db);
	}
	if (rc == DVC_OK) {
		char *text = cJSON_PrintUnformatted(arr);
		if (!text || !(*out = dvc__strdup(text)))
			rc = dvc__oom();
		cJSON_free(text);
	}
	cJSON_Delete(arr);
	return rc;
}

/* ---- the national payment platform's messages (payment.h) ---- */

#define NP_VERSION "1.0.6" /* PhienBan in the public implementation */

int dvc_payment_national_check(const char *const *fields, size_t n, const char *secret,
			       char out[DVC_PAYMENT_CHECK_SIZE])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	if ((!fields && n) || !secret || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_payment_national_check needs fields, a secret and an out buffer");
	for (size_t i = 0; i < n; i++)
		if (!fields[i] || strchr(fields[i], '|'))
			return dvc__err(DVC_EINVAL, NULL, "field %zu of a check value is missing or holds '|'", i);
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	crypto_hash_sha256_init(&st);
	for (size_t i = 0; i < n; i++) {
		crypto_hash_sha256_update(&st, (const unsigned char *)fields[i], strlen(fields[i]));
		crypto_hash_sha256_update(&st, (const unsigned char *)"|", 1);
	}
	crypto_hash_sha256_update(&st, (const unsigned char *)secret, strlen(secret));
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, DVC_PAYMENT_CHECK_SIZE, h, sizeof h);
	return DVC_OK;
}

/* yyyyMMddHHmmss in Vietnam's time. */
static void np_time(dvc_time t, char out[32])
{
	int64_t local = t + 7 * 3600, day = local / 86400, sec = local % 86400;
	int y, m, d;
	if (sec < 0) {
		sec += 86400;
		day--;
	}
	dvc__civil_from_days(day, &y, &m, &d);
	snprintf(out, 32, "%04d%02d%02d%02d%02d%02d", y % 10000, m, d, (int)(sec / 3600),
		 (int)(sec / 60 % 60), (int)(sec % 60));
}

static int np_opts(const dvc_db *db, const dvc_payment_national_opts *o)
{
	if (!db->gateway_secret)
		return dvc__err(DVC_EINVAL, NULL, "no payment gateway configured (dvc_payment_set_gateway)");
	if (!o || o->version != DVC_PAYMENT_NATIONAL_OPTS_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "initialise dvc_payment_national_opts with its _INIT macro");
	if (!o->partner || !*o->partner || strlen(o->partner) > 64)
		return dvc__err(DVC_EINVAL, "partner", "MaDoiTac (the partner code) is required, at most 64 bytes");
	if (!o->client_ip || !*o->client_ip || strlen(o->client_ip) > 64)
		return dvc__err(DVC_EINVAL, "client_ip", "Ip (the client's address) is required, at most 64 bytes");
	if (o->description && (strlen(o->description) > 255 || !dvc__utf8_valid(o->description, strlen(o->description))))
		return dvc__err(DVC_EINVAL, "description", "ThongTinGiaoDich must be UTF-8, at most 255 bytes");
	return DVC_OK;
}

static int np_init(dvc_db *db, const char *code, const dvc_payment_national_opts *o,
		   dvc_payment_request_info *info, char **json)
{
	unsigned long failures = dvc__alloc_failures();
	dvc_arena a = DVC_ARENA_INIT;
	dvc__dossier d;
	dvc__national_facts f;
	char amount[24], when[32], desc[DVC_CODE_MAX + 32], check[DVC_PAYMENT_CHECK_SIZE];
	char mattHC[DVC_NATIONAL_CODE_MAX + 1];
	dvc_time now;
	cJSON *root, *bl;
	int rc;
	/* a run again after a deadlock (DVC__WRITE) starts without the last one's answer */
	dvc__free(*json);
	*json = NULL;
	if ((rc = request(db, code, info)) != DVC_OK || (rc = dvc__now(db, &now)) != DVC_OK ||
	    (rc = dvc__store_dossier_load(db, code, &d)) != DVC_OK ||
	    (rc = dvc__store_national_facts(db, d.id, &a, &f)) != DVC_OK ||
	    (rc = dvc__store_national_code_get(db, f.procedure, f.version, mattHC)) != DVC_OK)
		goto out;
	snprintf(amount, sizeof amount, "%lld", (long long)info->amount);
	np_time(now, when);
	if (o->description)
		snprintf(desc, sizeof desc, "%s", o->description);
	else
		snprintf(desc, sizeof desc, "THANH TOAN HO SO %s", d.code);
	{
		const char *fields[] = {"INIT", NP_VERSION, o->partner, info->reference, amount, "PAY", "1", "1",
					"vi-VN", "VND", "PAYMENT", desc, when, o->client_ip};
		if ((rc = dvc_payment_national_check(fields, DVC_ARRAY_LEN(fields), db->gateway_secret, check)) != DVC_OK)
			goto out;
		root = cJSON_CreateObject();
		static const char *const names[] = {"LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "SoTien",
			"LoaiHinhThanhToan", "MaKenhThanhToan", "MaThietBi", "NgonNgu", "MaTienTe", "MaNganHang",
			"ThongTinGiaoDich", "ThoiGianGD", "Ip"};
		for (size_t i = 0; i < DVC_ARRAY_LEN(names); i++)
			cJSON_AddStringToObject(root, names[i], fields[i]);
	}
	cJSON_AddStringToObject(root, "MaXacThuc", check);
	bl = cJSON_AddObjectToObject(root, "ThongTinBienLai");
	cJSON_AddStringToObject(bl, "MaHoSo", d.code);
	cJSON_AddStringToObject(bl, "MaTTHC", mattHC);
	cJSON_AddStringToObject(bl, "TenTTHC", f.procedure_name);
	cJSON_AddStringToObject(bl, "HoTenNguoiNop", f.applicant_name);
	cJSON_AddStringToObject(bl, "SoCMNDNguoiNop", f.citizen_id);
	cJSON_AddStringToObject(bl, "NoiDungThanhToan", desc);
	rc = dvc__json_print(root, failures, json);
out:
	dvc_arena_free(&a);
	return rc;
}

int dvc_payment_national_init(dvc_db *db, const char *code, const dvc_payment_national_opts *o,
			      dvc_payment_request_info *info, char **json)
{
	int rc;
	if (!db || !code || !info || !json)
		return dvc__err(DVC_EINVAL, NULL, "dvc_payment_national_init needs a store, a code, an info and an out pointer");
	if (info->version != DVC_PAYMENT_REQUEST_INFO_VERSION)
		return dvc__version_err("dvc_payment_request_info", info->version, DVC_PAYMENT_REQUEST_INFO_VERSION);
	*json = NULL;
	if ((rc = np_opts(db, o)) != DVC_OK)
		return rc;
	DVC__CLEAR_OUT(info, DVC_PAYMENT_REQUEST_INFO_VERSION);
	DVC__WRITE(db, rc, np_init(db, code, o, info, json));
	if (rc != DVC_OK) {
		dvc__free(*json);
		*json = NULL;
		DVC__CLEAR_OUT(info, DVC_PAYMENT_REQUEST_INFO_VERSION);
	}
	return rc;
}

int dvc_payment_national_query(dvc_db *db, const char *reference, const dvc_payment_national_opts *o,
			       char **json)
{
	unsigned long failures = dvc__alloc_failures();
	dvc__payment_row pay;
	char when[32], check[DVC_PAYMENT_CHECK_SIZE];
	dvc_time now;
	cJSON *root;
	int rc;
	if (!db || !reference || !json)
		return dvc__err(DVC_EINVAL, NULL, "dvc_payment_national_query needs a store, a reference and an out pointer");
	*json = NULL;
	if ((rc = np_opts(db, o)) != DVC_OK || (rc = dvc__now(db, &now)) != DVC_OK ||
	    (rc = dvc__store_payment_get(db, reference, &pay)) != DVC_OK)
		return rc;
	np_time(now, when);
	const char *fields[] = {"QUERY", NP_VERSION, o->partner, pay.reference, when};
	if ((rc = dvc_payment_national_check(fields, DVC_ARRAY_LEN(fields), db->gateway_secret, check)) != DVC_OK)
		return rc;
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "LoaiBanTin", fields[0]);
	cJSON_AddStringToObject(root, "PhienBan", fields[1]);
	cJSON_AddStringToObject(root, "MaDoiTac", fields[2]);
	cJSON_AddStringToObject(root, "MaThamChieu", fields[3]);
	cJSON_AddStringToObject(root, "ThoiGianGD", fields[4]);
	cJSON_AddStringToObject(root, "MaXacThuc", check);
	return dvc__json_print(root, failures, json);
}

/* A confirmation field: a string, "" when absent or null. */
static int np_field(const cJSON *root, const char *name, bool required, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, name);
	*out = "";
	if (!v || cJSON_IsNull(v))
		return required ? dvc__err(DVC_EINVAL, name, "the confirmation has no %s", name) : DVC_OK;
	if (!cJSON_IsString(v))
		return dvc__err(DVC_EINVAL, name, "%s is not a string", name);
	*out = v->valuestring;
	return DVC_OK;
}

int dvc_payment_national_callback(dvc_db *db, const char *json, size_t len, dvc_payment_result *out)
{
	/* a flat object of a dozen fields */
	static const dvc__json_limits lim = {MAX_QUERY, 4, 64};
	static const char *const names[] = {"LoaiBanTin", "MaLoi", "MaDoiTac", "MaThamChieu", "SoTien",
		"MaTienTe", "MaGiaoDich", "MaNganHang", "ThoiGianGD", "ThongTinGiaoDich"};
	const char *f[DVC_ARRAY_LEN(names)], *given;
	char amount[24], check[DVC_PAYMENT_CHECK_SIZE];
	cJSON *root = NULL;
	const cJSON *sotien;
	char *raw = NULL; /* the message as journaled, NUL-terminated */
	int rc;
	if (!db || !json || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_payment_national_callback needs a store, a message and an out pointer");
	if (!db->gateway_secret)
		return dvc__err(DVC_EINVAL, NULL, "no payment gateway configured (dvc_payment_set_gateway)");
	if (out->version != DVC_PAYMENT_RESULT_VERSION)
		return dvc__version_err("dvc_payment_result", out->version, DVC_PAYMENT_RESULT_VERSION);
	DVC__CLEAR_OUT(out, DVC_PAYMENT_RESULT_VERSION);
	if ((rc = dvc__json_read(json, len, &lim, "the payment confirmation", &root)) != DVC_OK)
		return rc;
	if (!cJSON_IsObject(root)) {
		rc = dvc__err(DVC_EINVAL, NULL, "the payment confirmation is not a JSON object");
		goto done;
	}
	if ((rc = np_field(root, "MaXacThuc", false, &given)) != DVC_OK)
		goto done;
	if (strlen(given) != 64) {
		rc = dvc__err(DVC_ESIGNATURE, "MaXacThuc", "the confirmation is not signed");
		goto done;
	}
	/* SoTien: digits as text, or a whole number */
	sotien = cJSON_GetObjectItemCaseSensitive(root, "SoTien");
	if (cJSON_IsNumber(sotien)) {
		if (sotien->valuedouble < 0 || sotien->valuedouble > 9007199254740992.0 ||
		    sotien->valuedouble != (double)(int64_t)sotien->valuedouble) {
			rc = dvc__err(DVC_EINVAL, "SoTien", "SoTien is not a whole number of VND");
			goto done;
		}
		snprintf(amount, sizeof amount, "%lld", (long long)sotien->valuedouble);
	} else if (cJSON_IsString(sotien) && strlen(sotien->valuestring) < sizeof amount) {
		snprintf(amount, sizeof amount, "%s", sotien->valuestring);
	} else {
		rc = dvc__err(DVC_EINVAL, "SoTien", "the confirmation has no amount SoTien");
		goto done;
	}
	for (size_t i = 0; i < DVC_ARRAY_LEN(names); i++) {
		if (i == 4) {
			f[i] = amount;
			continue;
		}
		if ((rc = np_field(root, names[i], i == 1 || i == 3, &f[i])) != DVC_OK)
			goto done;
	}
	if ((rc = dvc_payment_national_check(f, DVC_ARRAY_LEN(f), db->gateway_secret, check)) != DVC_OK) {
		rc = dvc__err(DVC_ESIGNATURE, "MaXacThuc", "the confirmation cannot be checked (a field holds '|')");
		goto done;
	}
	{
		/* constant time, and lower or upper case hex alike */
		char low[65];
		for (int i = 0; i < 64; i++)
			low[i] = (char)(given[i] >= 'A' && given[i] <= 'F' ? given[i] + 32 : given[i]);
		low[64] = '\0';
		if (sodium_memcmp(low, check, 64) != 0) {
			rc = dvc__err(DVC_ESIGNATURE, "MaXacThuc", "the confirmation's check value does not match");
			goto done;
		}
	}
	if (f[5][0] && strcmp(f[5], "VND") != 0) {
		rc = dvc__err(DVC_EINVAL, "MaTienTe", "currency %.8s is not VND", f[5]);
		goto done;
	}
	{
		cb_in in = {f[3], f[6][0] ? f[6] : NULL, f[4], 1, strcmp(f[1], "00") == 0,
			    "MaThamChieu", "SoTien", "MaGiaoDich"};
		if (!(raw = dvc__malloc(len + 1))) {
			rc = dvc__oom();
			goto done;
		}
		memcpy(raw, json, len);
		raw[len] = '\0';
		rc = run_callback(db, &in, raw, out);
	}
done:
	dvc__free(raw);
	cJSON_Delete(root);
	return rc;
}
