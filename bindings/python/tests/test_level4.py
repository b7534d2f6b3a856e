"""Level 4: fees, signed gateway callbacks, online delivery, the outbox."""
import pytest

import dvc
from conftest import CITIZEN, FORM3

SECRET = "bi-mat-cong-thanh-toan"


def callback(req, amount_vnd, response="00", secret=SECRET):
    q = (f"vnp_Amount={amount_vnd * 100}&vnp_BankCode=NCB&vnp_OrderInfo=Thanh+toan+ho+so"
         f"&vnp_ResponseCode={response}&vnp_TmnCode=KIENTHUY&vnp_TransactionNo=14012345"
         f"&vnp_TransactionStatus={response}&vnp_TxnRef={req['reference']}")
    return dvc.payment_sign(q, secret)


@pytest.fixture
def l4(dossier_store):
    dossier_store.set_gateway("vnpay", SECRET)
    return dossier_store


def received(db, proc="T.000004"):
    code, _ = db.submit(proc, applicant=CITIZEN, form=FORM3 if proc == "T.000003" else None)
    db.act(code, "receive", officer="le.tiep.nhan")
    return code


def test_level4_story_pay_online_and_deliver_online(l4):
    code = received(l4)
    t = l4.track(code, officer="le.tiep.nhan")
    assert (t["fee_due"], t["fee_paid"]) == (50000, 0)
    req = l4.payment_request(code)
    assert req["amount"] == 50000 and req["expires_at"] > l4.now()
    l4.advance(120)
    cb = callback(req, 50000)
    assert "vnp_SecureHash=" in cb
    res = l4.payment_callback(cb)
    assert res == {"outcome": "paid", "reference": req["reference"], "dossier": code,
                   "amount": 50000}
    assert l4.payment_callback(cb)["outcome"] == "duplicate"
    t = l4.track(code, officer="le.tiep.nhan")
    assert t["fee_paid"] == 50000
    assert t["history"][-1]["action"] == "pay" and t["history"][-1]["actor"] == "gateway:vnpay"
    with pytest.raises(dvc.Transition):
        l4.payment_request(code)  # nothing left due

    l4.act(code, "forward", officer="le.tiep.nhan")
    l4.act(code, "forward", officer="tnmt.chuyen.vien")
    l4.act(code, "forward", officer="hoang.lanh.dao")
    l4.act(code, "return", officer="le.tiep.nhan", delivery="online",
           payload="%PDF-1.7 Văn bản điện tử có chữ ký số")
    assert l4.track(code, officer="le.tiep.nhan")["delivery"] == "online"

    msgs = l4.outbox(code)
    assert len(msgs) == 6
    sms = next(m for m in msgs if m["event"] == "accepted" and m["channel"] == "sms")
    assert sms["recipient"] == "+84912345678"
    assert "Hẹn trả kết quả: 09:30 ngày 03/03/2026" in sms["body"]
    assert sms["segments"] <= 2 and sms["state"] == "pending"
    mail = next(m for m in msgs if m["event"] == "accepted" and m["channel"] == "email")
    assert "đã được tiếp nhận" in mail["subject"]
    assert l4.verify(code) == 1


def test_bad_callbacks_raise_the_matching_errors(l4):
    code = received(l4)
    req = l4.payment_request(code)
    with pytest.raises(dvc.Signature) as e:
        l4.payment_callback(callback(req, 50000, secret="not-the-secret"))
    assert e.value.code == -16
    with pytest.raises(dvc.Amount) as e:
        l4.payment_callback(callback(req, 5000))
    assert e.value.code == -28
    with pytest.raises(dvc.NotFound):
        l4.payment_callback(callback({"reference": "DVC999T1"}, 50000))
    l4.advance(3600)
    with pytest.raises(dvc.Expired) as e:
        l4.payment_callback(callback(req, 50000))
    assert e.value.code == -25
    assert l4.track(code, officer="le.tiep.nhan")["fee_paid"] == 0
    code3 = received(l4, "T.000003")
    with pytest.raises(dvc.ServiceLevel):
        l4.payment_request(code3)


def test_outbox_fetch_and_mark(l4):
    code = received(l4)
    batch = l4.outbox_fetch(max=10)
    assert {m["event"] for m in batch} == {"accepted"}
    assert all(m["state"] == "sending" for m in batch)
    l4.outbox_mark_sent(batch[0]["id"])
    l4.outbox_mark_failed(batch[1]["id"], "SMTP 451")
    states = {m["id"]: m for m in l4.outbox(code)}
    assert states[batch[0]["id"]]["state"] == "sent"
    failed = states[batch[1]["id"]]
    assert failed["state"] == "failed" and failed["last_error"] == "SMTP 451"
    assert failed["next_attempt_at"] > l4.now()
    with pytest.raises(dvc.NotFound):
        l4.outbox_mark_sent(999999)
    assert dvc.sms_segments("Ho so da duoc tiep nhan") == (1, True)
    assert dvc.sms_segments("Hồ sơ đã được tiếp nhận")[1] is False


def test_templates_are_validated(l4):
    with pytest.raises(dvc.Template):
        l4.set_notify_templates({"format": "dvc-notify-templates", "format_version": 1,
                                 "templates": {"accepted": {"sms": "Mã {nope}"}}})
    l4.set_notify_templates({"format": "dvc-notify-templates", "format_version": 1,
                             "templates": {"accepted": {"sms": "Đã nhận {code}"}}})
    code = received(l4)
    sms = next(m for m in l4.outbox(code) if m["channel"] == "sms")
    assert sms["body"] == f"Đã nhận {code}"


def test_an_unapplied_gateway_success_keeps_its_trace(l4):
    """Issue 16: refused for the dossier, yet the transaction is listed."""
    code = received(l4)
    first = l4.payment_request(code)
    second = l4.payment_request(code)  # supersedes the first
    assert l4.payment_review() == []
    for _ in range(2):  # a replay adds nothing
        with pytest.raises(dvc.Transition) as e:
            l4.payment_callback(callback(first, 50000))
        assert "refund or review" in str(e.value)
    l4.advance(3600)
    with pytest.raises(dvc.Expired):
        l4.payment_callback(callback(second, 50000))
    rows = l4.payment_review()
    assert [(r["reference"], r["reason"], r["amount"], r["gateway_txn"], r["dossier"]) for r in rows] == [
        (first["reference"], "superseded", 50000, "14012345", code),
        (second["reference"], "expired", 50000, "14012345", code)]
    assert l4.track(code, officer="le.tiep.nhan")["fee_paid"] == 0


def test_payment_expiry_is_range_checked(l4):
    """set_payment_expiry(2**63-1) overflowed into a negative expires_at."""
    code = received(l4)
    for bad in (2**63 - 1, 30 * 86400 + 1, 0, -1):
        with pytest.raises(dvc.OutOfRange):
            l4.set_payment_expiry(bad)
    with pytest.raises(dvc.OutOfRange):
        l4.set_payment_expiry(2**64)
    req = l4.payment_request(code)
    assert req["expires_at"] > l4.now()
    l4.set_payment_expiry(30 * 86400)
