#!/usr/bin/env python3
"""/api/health latency of the example portal server while bots register
accounts (issue 16: eight registering bots once slowed /api/health from
0.2 ms to 0.37 s). On loopback, a fresh demo store, the server's default 4
worker threads. One JSON line per scenario: the health latency (median, p95,
max over sequential requests from an address of its own, one connection
each) and what the bots got (201 registered, 429 throttled, 503 busy, other).
Scenarios: no bots; eight bots each from an address of its own; eight bots
from one address; eight bots taking a new address for every registration
(what per-address limits cannot stop). Asserts nothing about timings.

usage: httpd_register_bots.py DVC-HTTPD DVC-CLI SOURCE-ROOT [SECONDS]
"""
import http.client
import json
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PROFILE = {"full_name": "Nguyễn Văn An", "citizen_id": "031099001234",
           "birth_date": "1999-05-12", "address": "Thôn 3, xã Thụy Hương, huyện Kiến Thụy",
           "phone": "0912 345 678"}


def request(port, src, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(src, 0))
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r.getheader("Set-Cookie"), data


def session(port, src):
    st, sc, data = request(port, src, "GET", "/api/session")
    cookie = re.match(r"dvc_session=([0-9a-f]+)", sc or "").group(1)
    return cookie, json.loads(data)["csrf"]


def bot(port, tag, n, addresses, seconds, out):
    """Register accounts until the time is up; a new session (and CSRF
    token) for each new address."""
    counts = {"201": 0, "429": 0, "503": 0, "other": 0}
    deadline = time.monotonic() + seconds
    i = 0
    sessions = {}
    while time.monotonic() < deadline:
        src = addresses(n, i)
        if src not in sessions:
            sessions[src] = session(port, src)
        cookie, csrf = sessions[src]
        body = json.dumps({"username": f"{tag}{n}.u{i}", "password": "bot-password-123",
                           "profile": PROFILE}).encode()
        st, _, _ = request(port, src, "POST", "/api/accounts", body,
                           {"Content-Type": "application/json", "X-CSRF-Token": csrf,
                            "Cookie": "dvc_session=" + cookie})
        counts[str(st) if str(st) in counts else "other"] += 1
        i += 1
    out.put(counts)


def health(port, seconds):
    lat = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        t = time.perf_counter()
        st, _, _ = request(port, "127.0.0.200", "GET", "/api/health")
        lat.append((time.perf_counter() - t) * 1000)
        assert st == 200, st
        time.sleep(0.01)
    return lat


def scenario(port, name, addresses, seconds):
    out = multiprocessing.Queue()
    bots = [multiprocessing.Process(target=bot, args=(port, re.sub(r"[^a-z]", "", name), n, addresses, seconds, out))
            for n in range(8 if addresses else 0)]
    for b in bots:
        b.start()
    time.sleep(0.2 if bots else 0)
    lat = health(port, seconds)
    totals = {"201": 0, "429": 0, "503": 0, "other": 0}
    for _ in bots:
        for k, v in out.get().items():
            totals[k] += v
    for b in bots:
        b.join()
    lat.sort()
    print(json.dumps({"bench": "httpd_register_bots", "case": name, "bots": len(bots),
                      "seconds": seconds, "health_requests": len(lat),
                      "health_ms_median": round(statistics.median(lat), 2),
                      "health_ms_p95": round(lat[int(len(lat) * 0.95)], 2),
                      "health_ms_max": round(lat[-1], 2),
                      "registered": totals["201"], "throttled": totals["429"], "busy": totals["503"],
                      "other": totals["other"]}), flush=True)


def main():
    httpd, dvc, root = sys.argv[1:4]
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 10
    tmp = tempfile.mkdtemp(prefix="httpd-bots-")
    db = os.path.join(tmp, "portal.db")
    subprocess.run([dvc, "--db", db, "demo", os.path.join(root, "data")], check=True,
                   stdout=subprocess.DEVNULL)
    portfile = os.path.join(tmp, "port")
    p = subprocess.Popen([httpd, "--db", db, "--port", "0", "--port-file", portfile,
                          "--clock-start", "2018-07-09T08:00:00+07:00"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if os.path.exists(portfile) and open(portfile).read().strip():
                break
            time.sleep(0.05)
        port = int(open(portfile).read())
        scenario(port, "no-bots", None, seconds)
        scenario(port, "eight-addresses", lambda n, i: f"127.0.1.{n + 1}", seconds)
        scenario(port, "one-address", lambda n, i: "127.0.2.1", seconds)
        scenario(port, "new-address-each-registration",
                 lambda n, i: f"127.{10 + n}.{i // 250 % 250}.{i % 250 + 1}", seconds)
    finally:
        p.terminate()
        p.wait()
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
