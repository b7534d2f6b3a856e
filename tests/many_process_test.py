#!/usr/bin/env python3
"""Many processes, one database (issue 17): three dvc-httpd servers and
three dvc-notify-send drainers on one PostgreSQL schema, under load.

Client threads submit dossiers (each with its own e-mail address and phone)
anonymously over HTTP, spread over the three servers; officers signed in on
the servers receive them, some dossiers by two officers on two servers at
the same instant (exactly one may win); each receipt puts an "accepted"
e-mail and SMS in the outbox, which three drainer loops (dvc-notify-send
processes, run again and again while the load runs) deliver to an SMTP
server (aiosmtpd) and an SMS gateway stub, both in this process. Then:

  - the dossier codes: unique, and per desk and local day exactly
    -0001 ... -N, no hole, N the number of submissions that succeeded;
  - `dvc dossier verify`: every journal chain intact;
  - every outbox row sent, on its first attempt; one e-mail and one SMS per
    dossier; the SMTP server saw each Message-ID exactly once and the
    gateway each idempotency key exactly once; no message handled by two
    drainers; nothing left due.

Needs DVC_TEST_DB_URI (scripts/pg-test-server.sh; scripts/test.sh's
PostgreSQL stage) and aiosmtpd (Debian python3-aiosmtpd): without either it
is skipped (exit 77).

usage: many_process_test.py DVC DVC-HTTPD DVC-NOTIFY-SEND SOURCE-ROOT
"""
import collections
import email
import email.policy
import http.client
import http.server
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import httpd_harness as H

DVC, HTTPD, SEND, ROOT = sys.argv[1:5]
if not H.URI:
    print("many_process: DVC_TEST_DB_URI is not set (scripts/test.sh sets it in its PostgreSQL stage)")
    sys.exit(77)
try:
    from aiosmtpd.controller import Controller
except ImportError:
    print("many_process: aiosmtpd not installed (scripts/install-deps.sh --test installs python3-aiosmtpd)")
    sys.exit(77)

SERVERS = 3
DRAINERS = 3
CLIENTS = 6
DOSSIERS = int(os.environ.get("DVC_MANY_DOSSIERS", "200"))
RACE_EVERY = 4  # every 4th dossier is received by two officers at once
DESK = "000.00.30.H24"
PROCEDURE = "T.000004"
FROM = "mot-cua@kienthuy.example.vn"
OFFICERS = [("le.tiep.nhan", "Lê Tiếp Nhận"), ("tran.mot.cua", "Trần Một Cửa"),
            ("pham.tiep.dan", "Phạm Tiếp Dân")]
TOKENS = {u: "desk-%s-%s" % (u, "k" * 20) for u, _ in OFFICERS}

check = H.check
failures = H.failures


def dvc(store, *args):
    r = subprocess.run([DVC, "--db", store, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("dvc %s: exit %d: %s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
    return r.stdout


class Client:
    """One browser-like client of one server: session cookie and CSRF token."""

    def __init__(self, port):
        self.port = port
        self.cookie = None
        self.csrf = None

    def call(self, method, path, obj=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        h = {}
        body = None
        if self.cookie:
            h["Cookie"] = "dvc_session=" + self.cookie
        if obj is not None:
            body = json.dumps(obj).encode()
            h["Content-Type"] = "application/json"
            if self.csrf:
                h["X-CSRF-Token"] = self.csrf
        r, _, doc, self.cookie = H.exchange(c, method, path, body, h, self.cookie)
        if doc and isinstance(doc, dict) and doc.get("csrf"):
            self.csrf = doc["csrf"]
        return r.status, doc

    def session(self):
        st, doc = self.call("GET", "/api/session")
        if st != 200:
            raise RuntimeError("GET /api/session: %s %s" % (st, doc))
        return self


class Mailbox:
    """The SMTP server's side: every message as received."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), bytes(envelope.original_content or envelope.content)))
        return "250 OK"


class SmsLog:
    def __init__(self):
        self.lock = threading.Lock()
        self.records = []


def start_sms(log):
    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(n))
            with log.lock:
                log.records.append(body)
            out = b'{"status":"queued"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def main():
    tmp = tempfile.mkdtemp(prefix="many-process-")
    store = H.fresh_store(tmp, "many")
    procs = []
    try:
        run(tmp, store, procs)
    finally:
        H.stop(procs)
        if failures:
            print("kept for inspection: " + tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            H.drop_stores()
    sys.exit(H.summary("many_process"))


def run(tmp, store, procs):
    # ---- the store: catalog and the desk's officers, made by the CLI ----
    dvc(store, "catalog", "import", os.path.join(ROOT, "tests", "data", "dossier_catalog.json"))
    for user, name in OFFICERS:
        dvc(store, "officer", "add", user, "--name", name, "--unit", DESK, "--role", "reception")
    with open(os.path.join(tmp, "tokens"), "w") as f:
        f.writelines(f"{u}:{t}\n" for u, t in TOKENS.items())

    # ---- the receiving ends, in this process ----
    box = Mailbox()
    smtp = Controller(box, hostname="127.0.0.1", port=H.free_port())
    smtp.start()
    sms_log = SmsLog()
    sms = start_sms(sms_log)
    sms_url = "http://127.0.0.1:%d/sms" % sms.server_address[1]
    try:
        load(tmp, store, procs, box, smtp, sms_log, sms_url)
    finally:
        smtp.stop()
        sms.shutdown()


def load(tmp, store, procs, box, smtp, sms_log, sms_url):
    servers = []
    for i in range(SERVERS):
        p, port = H.start_httpd(HTTPD, store, tmp, "--threads", "4",
                                "--officer-tokens", os.path.join(tmp, "tokens"), name=f"httpd-{i}")
        procs.append(p)
        servers.append(port)

    # officers: each signed in on its server
    def officer(user, port):
        c = Client(port).session()
        st, doc = c.call("POST", "/api/officer/login", {"username": user, "token": TOKENS[user]})
        if st != 200:
            raise SystemExit(f"officer {user} on :{port}: {st} {doc}")
        return c

    desks = [[officer(OFFICERS[(i + k) % len(OFFICERS)][0], servers[i]) for k in range(2)]
             for i in range(SERVERS)]

    # sessions are the store's (session.h): one signed in on the first
    # server is known to the others, signed out on one, out on all
    roam = officer(OFFICERS[0][0], servers[0])
    for port in servers[1:]:
        roam.port = port
        st, doc = roam.call("GET", "/api/session")
        if st != 200 or not doc["actor"] or doc["actor"]["username"] != OFFICERS[0][0]:
            raise SystemExit(f"a session of server 0 on :{port}: {st} {doc}")
    st, doc = roam.call("POST", "/api/logout", {})
    if st != 200 or doc["actor"] is not None:
        raise SystemExit(f"sign-out on the last server: {st} {doc}")
    signed_out = roam.cookie
    roam.port = servers[0]
    st, doc = roam.call("GET", "/api/officer/inbox")
    if st != 401:
        raise SystemExit(f"signed out on one server, the first still lets the officer in: {st} {doc}")
    print(f"one session on {SERVERS} servers: signed in on one, known to all, signed out on all"
          f" ({signed_out[:8]}...)")

    lock = threading.Lock()
    submitted = []       # (code, server index)
    errors = []          # unexpected HTTP answers
    races = collections.Counter()
    received = set()
    to_receive = queue.Queue()
    load_done = threading.Event()
    counter = iter(range(DOSSIERS))

    def next_n():
        with lock:
            return next(counter, None)

    def client(k):
        clients = [Client(port).session() for port in servers]
        while (n := next_n()) is not None:
            srv = (n + k) % SERVERS
            applicant = {"full_name": "Nguyễn Văn An", "citizen_id": "031099%06d" % n,
                         "birth_date": "1999-05-12", "address": "Thôn 3, xã Thụy Hương",
                         "phone": "0912%06d" % n, "email": f"cong.dan.{n}@example.vn"}
            st, doc = clients[srv].call("POST", "/api/dossiers",
                                        {"procedure": PROCEDURE, "applicant": applicant})
            if st != 201 or not doc or not doc.get("code"):
                with lock:
                    errors.append(f"submit #{n} on server {srv}: {st} {doc}")
                continue
            with lock:
                submitted.append((doc["code"], srv))
            to_receive.put((n, doc["code"]))

    def receive(c, code):
        return c.call("POST", f"/api/dossiers/{code}/actions", {"action": "receive"})

    def desk_worker(i):
        while True:
            try:
                n, code = to_receive.get(timeout=0.2)
            except queue.Empty:
                if load_done.is_set():
                    return
                continue
            if n % RACE_EVERY == 0:
                # two officers on two servers receive it at the same instant
                other = (i + 1) % SERVERS
                answers = [None, None]
                barrier = threading.Barrier(2)

                def one(slot, c):
                    barrier.wait()
                    answers[slot] = receive(c, code)

                ts = [threading.Thread(target=one, args=(0, desks[i][1])),
                      threading.Thread(target=one, args=(1, desks[other][1]))]
                for t in ts:
                    t.start()
                for t in ts:
                    t.join()
                wins = [a for a in answers if a[0] == 200]
                losses = [a for a in answers if a[0] != 200]
                with lock:
                    races["raced"] += 1
                    for st, doc in losses:
                        races[(st, (doc or {}).get("error", {}).get("code"))] += 1
                    if len(wins) != 1 or any(st != 409 for st, _ in losses):
                        errors.append(f"race on {code}: {answers}")
                    if wins:
                        received.add(code)
            else:
                st, doc = receive(desks[i][0], code)
                with lock:
                    if st == 200 and doc.get("state") == "received":
                        received.add(code)
                    else:
                        errors.append(f"receive {code} on server {i}: {st} {doc}")

    sent_by = collections.defaultdict(list)   # message id -> drainers that sent it
    drain_runs = collections.Counter()
    drain_sent = collections.Counter()

    def drainer(k):
        while True:
            # every receipt committed before this run began: a run that
            # finds nothing due then means the outbox is drained
            idle = desks_idle.is_set()
            r = subprocess.run([SEND, "--db", store, "--smtp", "smtp://127.0.0.1:%d" % smtp.port,
                                "--from", FROM, "--sms-url", sms_url, "--limit", "5"],
                               capture_output=True, text=True)
            ids = [int(m.group(1)) for m in re.finditer(r"^sent +(\d+) ", r.stdout, re.M)]
            with lock:
                drain_runs[k] += 1
                drain_sent[k] += len(ids)
                for i in ids:
                    sent_by[i].append(k)
                if r.returncode != 0:
                    errors.append(f"drainer {k} exit {r.returncode}: {r.stdout[-500:]} {r.stderr[-500:]}")
            if r.returncode != 0 or (idle and not ids):
                return
            if not ids:
                time.sleep(0.1)

    desks_idle = threading.Event()
    t0 = time.monotonic()
    cl = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    dw = [threading.Thread(target=desk_worker, args=(i,)) for i in range(SERVERS)]
    dr = [threading.Thread(target=drainer, args=(k,)) for k in range(DRAINERS)]
    for t in cl + dw + dr:
        t.start()
    for t in cl:
        t.join()
    t_submit = time.monotonic() - t0
    load_done.set()
    for t in dw:
        t.join()
    desks_idle.set()
    for t in dr:
        t.join()
    elapsed = time.monotonic() - t0

    for e in errors[:20]:
        print("  " + e[:400], file=sys.stderr)
    check(not errors, f"{len(errors)} unexpected answers during the load")
    codes = [c for c, _ in submitted]
    check(len(codes) == DOSSIERS, f"{len(codes)} of {DOSSIERS} submissions accepted")
    check(len(set(codes)) == len(codes), "duplicate dossier codes: %s" %
          [c for c, n in collections.Counter(codes).items() if n > 1][:10])
    check(received == set(codes), f"{len(received)} of {len(codes)} dossiers received")

    # ---- the codes: per desk and local day, 0001 ... N without a hole ----
    groups = collections.defaultdict(list)
    for c in codes:
        m = re.fullmatch(r"(.+)-(\d{6})-(\d{4})", c)
        check(m is not None, f"code shape {c}")
        if m:
            groups[(m.group(1), m.group(2))].append(int(m.group(3)))
    for (desk, day), seqs in sorted(groups.items()):
        check(desk == DESK, f"desk of {desk}-{day}")
        check(sorted(seqs) == list(range(1, len(seqs) + 1)),
              f"codes of {desk} on {day}: holes or repeats: "
              f"{sorted(set(range(1, max(seqs) + 1)) - set(seqs))[:10]} missing")
    listed = json.loads(dvc(store, "--json", "dossier", "list", "--limit", "100000"))
    check(sorted(d["code"] for d in listed) == sorted(codes),
          f"the store lists {len(listed)} dossiers, the clients got {len(codes)} codes")
    check(all(d["state"] == "received" for d in listed),
          "every dossier received: %s" % collections.Counter(d["state"] for d in listed))

    # ---- every journal chain ----
    r = subprocess.run([DVC, "--db", store, "dossier", "verify"], capture_output=True, text=True)
    check(r.returncode == 0, f"dossier verify: exit {r.returncode}: {r.stdout[-1000:]} {r.stderr[-500:]}")

    # ---- the outbox: all sent, once ----
    msgs = json.loads(dvc(store, "--json", "outbox", "list"))
    states = collections.Counter((m["channel"], m["state"], m["attempts"]) for m in msgs)
    check(len(msgs) == 2 * len(codes), f"{len(msgs)} messages in the outbox for {len(codes)} dossiers")
    check(set(states) <= {("email", "sent", 1), ("sms", "sent", 1)},
          f"every message sent on its first attempt: {dict(states)}")
    per_dossier = collections.Counter((m["dossier"], m["channel"], m["event"]) for m in msgs)
    check(set(per_dossier) == {(c, ch, "accepted") for c in codes for ch in ("email", "sms")}
          and set(per_dossier.values()) == {1},
          "one accepted e-mail and one SMS per dossier, no more")
    check(len(sent_by) == len(msgs) and all(len(v) == 1 for v in sent_by.values()),
          "each message sent by one drainer run: %s" %
          {i: v for i, v in sent_by.items() if len(v) != 1})
    r = subprocess.run([SEND, "--db", store, "--smtp", "smtp://127.0.0.1:%d" % smtp.port,
                        "--from", FROM, "--sms-url", sms_url], capture_output=True, text=True)
    check(r.returncode == 0 and r.stdout.strip() == "0 sent, 0 failed",
          f"nothing left due: {r.stdout} {r.stderr}")

    # ---- what the SMTP server and the gateway received ----
    domain = FROM.split("@")[1]
    want_ids = collections.Counter(f"<dvc.{m['idempotency_key']}@{domain}>"
                                   for m in msgs if m["channel"] == "email")
    got_ids = collections.Counter()
    for rcpt, raw in box.messages:
        e = email.message_from_bytes(raw, policy=email.policy.default)
        got_ids[str(e["Message-ID"]).strip()] += 1
        n = re.fullmatch(r"cong\.dan\.(\d+)@example\.vn", rcpt[0] if rcpt else "")
        check(n is not None and e["X-DVC-Dossier"] in codes, f"e-mail to {rcpt} for {e['X-DVC-Dossier']}")
    dup = {k: v for k, v in got_ids.items() if v > 1}
    check(not dup, f"e-mails delivered twice: {list(dup.items())[:10]}")
    check(set(got_ids) == set(want_ids),
          f"e-mails: {len(set(want_ids) - set(got_ids))} missing, {len(set(got_ids) - set(want_ids))} unknown")
    want_keys = {m["idempotency_key"] for m in msgs if m["channel"] == "sms"}
    got_keys = collections.Counter(b["idempotency_key"] for b in sms_log.records)
    check(not [k for k, v in got_keys.items() if v > 1], "an SMS delivered twice")
    check(set(got_keys) == want_keys,
          f"SMS: {len(want_keys - set(got_keys))} missing, {len(set(got_keys) - want_keys)} unknown")

    # ---- the servers: no 5xx ----
    for i in range(SERVERS):
        lines = open(os.path.join(tmp, f"httpd-{i}.log")).read().splitlines()
        bad = [l for l in lines if re.search(r" [A-Z]+ /\S* 5\d\d ", l)]
        check(not bad, f"server {i} answered 5xx: {bad[:5]}")

    print(f"many_process: {len(codes)} dossiers over {SERVERS} servers by {CLIENTS} clients "
          f"in {t_submit:.1f} s ({len(codes) / t_submit:.0f}/s); "
          f"{races['raced']} raced receipts ({dict((k, v) for k, v in races.items() if k != 'raced')}); "
          f"{len(box.messages)} e-mails + {len(sms_log.records)} SMS by {DRAINERS} drainers "
          f"in {sum(drain_runs.values())} runs (sent per drainer: {[drain_sent[k] for k in range(DRAINERS)]}); "
          f"elapsed {elapsed:.1f} s")


if __name__ == "__main__":
    main()
