/* Fees paid and refunded at the reception desk (biên lai thu phí, lệ phí). */
#include "dvc/payment.h"
#include "dossier_internal.h"
#include "text.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char *const method_names[] = {"cash", "card", "transfer"};
static const char *const method_labels_vi[] = {"tiền mặt", "thẻ", "chuyển khoản"};

DVC__ENUM_NAMES(pay_method, dvc_pay_method, method_names, "payment method")

static int check_args(const dvc_counter_payment *p, int refund)
{
	size_t n;
	if (p->version != DVC_COUNTER_PAYMENT_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "unsupported dvc_counter_payment version %u", p->version);
	if (!p->officer)
		return dvc__err(DVC_EINVAL, "officer", "a counter payment names the desk officer");
	if (!p->receipt_no || !(n = strlen(p->receipt_no)) || n > DVC_RECEIPT_NO_MAX)
		return dvc__err(DVC_EINVAL, "receipt_no", "the receipt number must be 1..%d bytes",
				DVC_RECEIPT_NO_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p->receipt_no[i];
		if (c <= 0x20 || c >= 0x7f)
			return dvc__err(DVC_EINVAL, "receipt_no",
					"receipt numbers are printable ASCII without spaces");
	}
	if ((unsigned)p->method >= DVC_ARRAY_LEN(method_names))
		return dvc__err(DVC_EINVAL, "method", "unknown payment method %d", (int)p->method);
	if (p->amount <= 0)
		return dvc__err(DVC_EAMOUNT, "amount", "the amount must be positive");
	if (refund && (!p->note || !*p->note))
		return dvc__err(DVC_EINVAL, "note", "a refund needs its reason");
	if (p->note && (strlen(p->note) > DVC_NOTE_MAX || !dvc__utf8_valid(p->note, strlen(p->note))))
		return dvc__err(DVC_EINVAL, "note", "the note must be valid UTF-8 of at most %d bytes",
				DVC_NOTE_MAX);
	return DVC_OK;
}

static int counter(dvc_db *db, const char *code, const dvc_counter_payment *p, int refund)
{
	const dvc__proc_rt *rt;
	dvc__dossier d;
	dvc__who w;
	dvc_actor a = {DVC_ACTOR_OFFICER, p->officer, NULL};
	char ref[64], note[DVC_NOTE_MAX + 256], amt[DVC_VND_SIZE];
	int64_t net;
	dvc_time now;
	int rc, bad = 0;
	if ((rc = dvc__dossier_open(db, code, &a, &d, &w, &bad)) != DVC_OK ||
	    (rc = dvc__rt_get(db, d.version_id, &rt)) != DVC_OK)
		return rc;
	if (w.role != DVC_ROLE_ADMIN &&
	    (w.role != DVC_ROLE_RECEPTION || strcmp(w.off.unit, rt->steps[0].unit) != 0))
		return dvc__err(DVC_EPERM, "officer", "fees are taken by the reception desk %s",
				rt->steps[0].unit);
	net = d.fee_paid - d.fee_refunded;
	dvc_vnd_format(p->amount, amt);
	if (!refund) {
		if (d.state == DVC_STATE_DRAFT || d.state == DVC_STATE_SUBMITTED || dvc_state_is_final(d.state))
			return dvc__err(DVC_ETRANSITION, "code", "dossier %s is %s: fees are paid after "
					"intake and before it is closed", d.code, dvc_state_name(d.state));
		if (d.fee_exempt)
			return dvc__err(DVC_ETRANSITION, "code", "dossier %s is exempt from fees", d.code);
		if (d.fee_due - net <= 0)
			return dvc__err(DVC_ETRANSITION, "code", "dossier %s owes nothing", d.code);
		if (p->amount > d.fee_due - net) {
			char owed[DVC_VND_SIZE];
			dvc_vnd_format(d.fee_due - net, owed);
			return dvc__err(DVC_EAMOUNT, "amount", "dossier %s owes %s đồng, not %s", d.code,
					owed, amt);
		}
	} else if (p->amount > net) {
		char paid[DVC_VND_SIZE];
		dvc_vnd_format(net, paid);
		return dvc__err(DVC_EAMOUNT, "amount", "dossier %s has %s đồng paid and not refunded; "
				"cannot refund %s", d.code, paid, amt);
	}
	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	snprintf(ref, sizeof ref, "%s:%s", refund ? "HOAN" : "BL", p->receipt_no);
	if ((rc = dvc__store_payment_counter(db, d.id, ref, refund ? DVC__PAY_KIND_REFUND
								    : DVC__PAY_KIND_PAYMENT,
					     p->amount, p->receipt_no, now,
					     dvc_pay_method_name(p->method), w.off.username)) != DVC_OK)
		return rc;
	if (refund)
		d.fee_refunded += p->amount;
	else
		d.fee_paid += p->amount;
	snprintf(note, sizeof note, "%s %s đồng (%s), biên lai số %s%s%s",
		 refund ? "Hoàn trả tại quầy" : "Nộp phí, lệ phí tại quầy", amt,
		 method_labels_vi[p->method], p->receipt_no, p->note ? ": " : "", p->note ? p->note : "");
	return dvc__dossier_record(db, &d, w.label, refund ? DVC_ACT_REFUND : DVC_ACT_PAY, note,
				   p->receipt_no);
}

static int run(dvc_db *db, const char *code, const dvc_counter_payment *p, int refund)
{
	int rc;
	if (!db || !code || !p)
		return dvc__err(DVC_EINVAL, NULL, "a counter payment needs a store, a code and the payment");
	if ((rc = check_args(p, refund)) != DVC_OK)
		return rc;
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	DVC__WRITE(db, rc, counter(db, code, p, refund));
	return rc;
}

int dvc_payment_counter(dvc_db *db, const char *code, const dvc_counter_payment *p)
{
	return run(db, code, p, 0);
}

int dvc_payment_counter_refund(dvc_db *db, const char *code, const dvc_counter_payment *p)
{
	return run(db, code, p, 1);
}
