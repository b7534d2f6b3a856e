#!/bin/sh
# dvc-notify-send against real servers on loopback: a real SMTP server
# (aiosmtpd writing a maildir, Debian's python3-aiosmtpd) and an SMS gateway
# stub (tests/sms_stub.py). A store made with the dvc CLI holds the
# "accepted" SMS and e-mail of a received dossier; the sender must deliver
# both as the receiving side expects them (MIME, RFC 2047 subject, JSON SMS)
# and mark them sent; a failing gateway must leave them failed, backed off.
# The store is an SQLite file, or a fresh schema on DVC_TEST_DB_URI's
# PostgreSQL server when that is set (tests/test_store.sh).
# Usage: notify_sender_test.sh DVC DVC-NOTIFY-SEND SOURCE-ROOT
set -eu
DVC=$1
SEND=$2
ROOT=$3
# shellcheck source=tests/test_store.sh
. "$ROOT/tests/test_store.sh"
T=$(mktemp -d)
PIDS=""
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null || true; done
  for p in $PIDS; do wait "$p" 2>/dev/null || true; done
  rm -rf "$T"
  drop_test_stores
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# shellcheck source=tests/tally.sh
. "$ROOT/tests/tally.sh"

# aiosmtpd comes from Debian's python3-aiosmtpd: it may not be importable by
# a python3 earlier on PATH (pyenv, venv), so look for one that has it.
PYSMTP=""
for py in python3 /usr/bin/python3; do
  if "$py" -c "import aiosmtpd" 2>/dev/null; then PYSMTP=$py; break; fi
done
if [ -z "$PYSMTP" ]; then
  echo "SKIP: aiosmtpd not installed (scripts/install-deps.sh --test installs python3-aiosmtpd)"
  exit 77
fi

# wait_port PORT: until something listens on 127.0.0.1:PORT, 10 s at most.
wait_port() {
  python3 - "$1" <<'PY'
import socket, sys, time
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}
# wait_file FILE: until it exists, 10 s at most.
wait_file() {
  i=0
  while [ ! -s "$1" ]; do
    i=$((i + 1))
    [ "$i" -le 100 ] || return 1
    sleep 0.1
  done
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
# start_sms NAME [--fail-first N]: a gateway stub; sets SMS_PORT.
start_sms() {
  name=$1
  shift
  python3 "$ROOT/tests/sms_stub.py" --port-file "$T/$name.port" --log "$T/$name.log" "$@" \
    2>"$T/$name.err" &
  PIDS="$PIDS $!"
  wait_file "$T/$name.port" || { echo "FAIL: SMS stub $name did not start: $(cat "$T/$name.err")" >&2; exit 1; }
  SMS_PORT=$(cat "$T/$name.port")
}

# ---- servers ----
SMTP_PORT=$(free_port)
"$PYSMTP" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$T/maildir" \
  2>"$T/smtp.err" &
PIDS="$PIDS $!"
wait_port "$SMTP_PORT" || { echo "FAIL: aiosmtpd did not listen on $SMTP_PORT: $(cat "$T/smtp.err")" >&2; exit 1; }
start_sms sms
GOOD_SMS=$SMS_PORT

# ---- a store with one received dossier: "accepted" SMS + e-mail ----
D=$(test_store "$T" dvc)
dv() { "$DVC" --db "$D" "$@"; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $1" "$T/j.json"; }
submit_and_receive() {
  dv --json dossier submit T.000004 --name "Nguyễn Văn An" --citizen-id 031099001234 \
    --birth-date 1999-05-12 --address "Thôn 3, xã Thụy Hương, huyện Kiến Thụy" \
    --phone "0912 345 678" --email an.nguyen@example.vn >"$T/j.json"
  CODE=$(json "print(d['code'])")
  dv dossier act "$CODE" receive --officer le.tiep.nhan >/dev/null
}
dv catalog import "$ROOT/tests/data/dossier_catalog.json" >/dev/null && ok || bad "import"
dv officer add le.tiep.nhan --name "Lê Tiếp Nhận" --unit 000.00.30.H24 --role reception >/dev/null \
  && ok || bad "officer add"
submit_and_receive && ok || bad "submit and receive"
C1=$CODE
dv --json outbox list "$C1" >"$T/j.json" && ok || bad "outbox list"
json "assert sorted((m['channel'], m['state']) for m in d) == [('email','pending'), ('sms','pending')], d" \
  && ok || bad "two pending messages: $(cat "$T/j.json")"

# ---- send: both delivered ----
FROM=mot-cua@kienthuy.example.vn
if "$SEND" --db "$D" --smtp "smtp://127.0.0.1:$SMTP_PORT" --from "$FROM" \
  --sms-url "http://127.0.0.1:$GOOD_SMS/sms" >"$T/send.out" 2>"$T/send.err"; then ok
else bad "sender exit $?: $(cat "$T/send.out" "$T/send.err")"; fi
grep -q "^2 sent, 0 failed$" "$T/send.out" && ok || bad "sender summary: $(cat "$T/send.out")"

# the e-mail, as the SMTP server stored it
"$PYSMTP" - "$T/maildir" "$C1" "$FROM" <<'PY' && ok || bad "e-mail in the maildir"
import email, email.header, email.policy, mailbox, sys
box, code, sender = mailbox.Maildir(sys.argv[1], create=False), sys.argv[2], sys.argv[3]
msgs = list(box)
assert len(msgs) == 1, f"{len(msgs)} messages in the maildir"
raw = msgs[0].as_bytes()
m = email.message_from_bytes(raw, policy=email.policy.default)
subject = str(email.header.make_header(email.header.decode_header(msgs[0]["Subject"])))
assert "đã được tiếp nhận" in subject and code in subject, subject
assert "=?UTF-8?B?" in msgs[0]["Subject"], msgs[0]["Subject"]  # encoded, not raw 8-bit
assert all(len(l) <= 78 for l in raw.split(b"\n")), "a line longer than 78 characters"
assert m["To"].addresses[0].addr_spec == "an.nguyen@example.vn", m["To"]
assert m["From"].addresses[0].addr_spec == sender, m["From"]
assert m["Date"] is not None and m["Date"].datetime is not None, m["Date"]
assert m["MIME-Version"] == "1.0"
assert m.get_content_type() == "text/plain" and m.get_content_charset() == "utf-8", m["Content-Type"]
assert m["Content-Transfer-Encoding"] in ("base64", "8bit"), m["Content-Transfer-Encoding"]
mid = str(m["Message-ID"]).strip()
assert mid.startswith("<") and mid.endswith("@kienthuy.example.vn>") and "accepted" in mid, mid
body = m.get_content()
assert "Kính gửi ông/bà Nguyễn Văn An" in body, body
assert code in body and "Thủ tục toàn trình mức độ 4" in body, body
PY

# the SMS, as the gateway received it
python3 - "$T/sms.log" "$C1" <<'PY' && ok || bad "SMS at the gateway: $(cat "$T/sms.log" 2>/dev/null)"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(recs) == 1, recs
r = recs[0]
assert r["path"] == "/sms" and r["content_type"].startswith("application/json"), r
b = r["body"]
assert set(b) == {"to", "text", "idempotency_key"}, b
assert b["to"] == "+84912345678", b
assert sys.argv[2] in b["text"] and "đã được tiếp nhận" in b["text"], b
assert b["idempotency_key"].endswith("/accepted/sms") and r["idempotency_header"] == b["idempotency_key"], r
PY

dv --json outbox list "$C1" >"$T/j.json" && ok || bad "outbox list after sending"
json "assert [m['state'] for m in d] == ['sent', 'sent'] and all(m['attempts'] <= 1 for m in d), d" \
  && ok || bad "both sent: $(cat "$T/j.json")"
# nothing due: a second run sends nothing
"$SEND" --db "$D" --smtp "smtp://127.0.0.1:$SMTP_PORT" --from "$FROM" \
  --sms-url "http://127.0.0.1:$GOOD_SMS/sms" >"$T/send.out" 2>&1 && grep -q "^0 sent, 0 failed$" "$T/send.out" \
  && ok || bad "second run: $(cat "$T/send.out")"

# ---- failures: a gateway answering 500 and an SMTP server that is gone ----
start_sms busy --fail-first -1
BUSY_SMS=$SMS_PORT
DEAD_SMTP=$(free_port) # nothing listens there
submit_and_receive && ok || bad "second dossier"
C2=$CODE
if "$SEND" --db "$D" --smtp "smtp://127.0.0.1:$DEAD_SMTP" --from "$FROM" \
  --sms-url "http://127.0.0.1:$BUSY_SMS/sms" --once >"$T/send.out" 2>"$T/send.err"; then
  bad "sender succeeded with failing servers"
else
  [ $? -eq 3 ] && ok || bad "exit status with failures: want 3"
fi
grep -q "^0 sent, 2 failed$" "$T/send.out" && ok || bad "failure summary: $(cat "$T/send.out" "$T/send.err")"
dv --json outbox list "$C2" >"$T/j.json" && ok || bad "outbox list after failures"
python3 - "$T/j.json" <<'PY' && ok || bad "failed, attempts 1, with the error: $(cat "$T/j.json")"
import json, sys
from datetime import datetime, timezone
d = {m["channel"]: m for m in json.load(open(sys.argv[1]))}
sms, mail = d["sms"], d["email"]
for m in (sms, mail):
    assert m["state"] == "failed" and m["attempts"] == 1, m
    # backed off: due again in the future, not now
    assert datetime.fromisoformat(m["next_attempt_at"]) > datetime.now(timezone.utc), m
assert "HTTP 500" in sms["last_error"] and "gateway busy" in sms["last_error"], sms
assert mail["last_error"].startswith("smtp: "), mail
PY
[ "$(wc -l <"$T/busy.log")" -eq 1 ] && ok || bad "the busy gateway saw $(wc -l <"$T/busy.log") requests"
# backed off: an immediate second run finds nothing due and calls nobody
"$SEND" --db "$D" --smtp "smtp://127.0.0.1:$SMTP_PORT" --from "$FROM" \
  --sms-url "http://127.0.0.1:$GOOD_SMS/sms" >"$T/send.out" 2>&1 && grep -q "^0 sent, 0 failed$" "$T/send.out" \
  && ok || bad "run during back-off: $(cat "$T/send.out")"
[ "$(wc -l <"$T/sms.log")" -eq 1 ] && ok || bad "a backed-off SMS was sent again"

# ---- usage errors ----
if "$SEND" --db "$D" >/dev/null 2>&1; then bad "no channel accepted"; else ok; fi
if "$SEND" --db "$T/missing.db" --sms-url http://127.0.0.1:1/ >/dev/null 2>&1; then
  bad "missing store accepted"; else ok; fi
[ ! -e "$T/missing.db" ] && ok || bad "a missing store was created"

tally notify_sender "on $(test_backend)"
