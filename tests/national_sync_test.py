#!/usr/bin/python3
"""National sync end to end: dossiers driven through the dvc CLI queue sync
messages in their transactions; dvc-national-send posts them to a local mock
of the shapes seen in public implementations (docs/national.md); the mock
answers errors, timeouts, refusals and "already exists"; a sender killed
mid-run and restarted delivers every message exactly once, in order per
dossier. The store is an SQLite file, or a fresh schema on the PostgreSQL
server of DVC_TEST_DB_URI when that is set (tests/httpd_harness.py).

usage: national_sync_test.py DVC DVC_NATIONAL_SEND SOURCE_ROOT
"""
import http.server
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import httpd_harness as H

DVC, SEND, ROOT = sys.argv[1:4]
T = tempfile.mkdtemp()
DB = H.fresh_store(T, "dvc")
check = H.check
failures = H.failures


def dvc(*args, ok=True):
    p = subprocess.run([DVC, "--db", DB, *args], capture_output=True, text=True)
    if ok and p.returncode != 0:
        raise SystemExit(f"dvc {' '.join(args)}: {p.stderr}")
    return p


def dvcj(*args):
    return json.loads(dvc("--json", *args).stdout)


class Portal:
    """The mock: create answers "already exists" for a known MaHoSo, update
    and progress drop a key they have seen (answering as the portal would),
    and a script of answers can be queued ("500", "timeout", "400")."""

    def __init__(self):
        self.lock = threading.Lock()
        self.dossiers = {}
        self.accepted = []   # (MaHoSo, TrangThaiHoSo, key) once per key
        self.progress = []   # (MaHoSo, TrangThai, key) once per key
        self.keys = set()
        self.requests = 0
        self.duplicates = 0
        self.script = []
        self.refuse = set()  # MaHoSo answered 400
        self.delay = 0.0


portal = Portal()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def answer(self, status, body):
        data = json.dumps(body, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = self.headers.get("Idempotency-Key")
        assert isinstance(body, list) and len(body) == 1, body
        item = body[0]
        code = item["MaHoSo"]
        if code in portal.refuse and self.path.startswith("/hoso/them-moi"):
            return self.answer(400, {"error_code": "-1", "message": "MaTTHC không hợp lệ"})
        with portal.lock:
            portal.requests += 1
            step = portal.script.pop(0) if portal.script else None
            delay = portal.delay
        if delay:
            time.sleep(delay)
        if step == "timeout":
            time.sleep(3)
            return self.answer(200, {"error_code": "0", "message": "Thành công"})
        if step == "500":
            return self.answer(500, {"error": "internal"})
        with portal.lock:
            if self.path == "/hoso/them-moi":
                if code in portal.dossiers:
                    return self.answer(200, {"error_code": "3", "message": "Hồ sơ đã tồn tại"})
                portal.dossiers[code] = item
                portal.keys.add(("hoso", key))
                portal.accepted.append((code, int(item["TrangThaiHoSo"]), key))
                return self.answer(200, {"error_code": "0", "message": "Thêm mới thành công"})
            if self.path == "/hoso/cap-nhat":
                portal.dossiers[code] = item
                if ("hoso", key) in portal.keys:
                    portal.duplicates += 1
                else:
                    portal.keys.add(("hoso", key))
                    portal.accepted.append((code, int(item["TrangThaiHoSo"]), key))
                return self.answer(200, {"error_code": "0", "message": "Cập nhật thành công"})
            if self.path == "/hoso/tien-trinh":
                if ("tt", key) in portal.keys:
                    portal.duplicates += 1
                    return self.answer(200, {"error_code": "3", "message": "Tiến trình đã tồn tại"})
                portal.keys.add(("tt", key))
                portal.progress.append((code, int(item["TrangThai"]), key))
                return self.answer(200, {"error_code": "0", "message": "Thành công"})
        return self.answer(404, {"error_code": "-1", "message": "no such path"})


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
URL = f"http://127.0.0.1:{server.server_address[1]}"


def send(*extra, timeout=60):
    return subprocess.run([SEND, "--db", DB, "--url", URL, "--timeout", "1", *extra],
                          capture_output=True, text=True, timeout=timeout)


def time_passes():
    """The back-off runs out (the test does not wait 30 s per retry)."""
    H.sql(DB, "UPDATE national_sync SET next_attempt_at = 0 WHERE state = 3")


def queue(code=None):
    return dvcj("national", "list", *([code] if code else []))


# ---- a store with the route of tests/data/dossier_catalog.json ----
dvc("init")
dvc("catalog", "import", os.path.join(ROOT, "tests/data/dossier_catalog.json"))
for user, name, unit, role in [
        ("le.tiep.nhan", "Lê Tiếp Nhận", "000.00.30.H24", "reception"),
        ("tran.chuyen.vien", "Trần Chuyên Viên", "000.01.30.H24", "specialist"),
        ("nguyen.truong.phong", "Nguyễn Trưởng Phòng", "000.01.30.H24", "unit_leader"),
        ("hoang.lanh.dao", "Hoàng Lãnh Đạo", "000.00.30.H24", "signing_leader")]:
    dvc("officer", "add", user, "--name", name, "--unit", unit, "--role", role)
APPLICANT = ["--name", "Nguyễn Văn An", "--citizen-id", "031099001234", "--birth-date", "1999-05-12",
             "--address", "Thôn 3, xã Thụy Hương", "--phone", "0912345678"]
FORM = ["--form", '{"purpose":"Xin cấp bản sao","copies":1}']


def submit():
    return dvcj("dossier", "submit", "T.000003", *APPLICANT, *FORM)["code"]


def act(code, action, officer, *extra):
    dvc("dossier", "act", code, action, "--officer", officer, *extra)


def whole_life(code):
    act(code, "receive", "le.tiep.nhan")
    act(code, "forward", "le.tiep.nhan")
    act(code, "forward", "tran.chuyen.vien")
    act(code, "forward", "nguyen.truong.phong")
    act(code, "forward", "hoang.lanh.dao")
    act(code, "return", "le.tiep.nhan", "--delivery", "counter")


# sync off by default: nothing queued
quiet = submit()
check(queue(quiet) == [], "sync off queues nothing")
dvc("national", "enable")

# ---- no national code: the dossier goes on, its messages are blocked ----
a = submit()
act(a, "receive", "le.tiep.nhan")
msgs = queue(a)
check([m["state"] for m in msgs] == ["blocked", "blocked"], f"blocked without a code: {msgs}")
check("no national procedure code" in (msgs[0]["last_error"] or ""), f"blocked error: {msgs[0]}")
rep = dvcj("national", "report")
check(rep["counts"]["blocked"] == 2, f"report counts blocked: {rep['counts']}")
p = dvc("national", "code", "T.000003", "1.001193.000.00.00.H2", ok=False)
check(p.returncode != 0 and "DVC_EINVAL" in p.stderr, f"a malformed national code refused: {p.stderr}")
dvc("national", "code", "T.000003", "1.001193.000.00.00.H24")
check(dvcj("national", "replay")["replayed"] == 2, "replay rebuilds the blocked messages")
msgs = queue(a)
check(all(m["state"] == "pending" and m["payload"]["hoSo"]["MaTTHC"] == "1.001193.000.00.00.H24"
          for m in msgs), f"replayed messages carry MaTTHC: {msgs}")
act(a, "forward", "le.tiep.nhan")
act(a, "forward", "tran.chuyen.vien")
act(a, "forward", "nguyen.truong.phong")
act(a, "forward", "hoang.lanh.dao")
act(a, "return", "le.tiep.nhan", "--delivery", "counter")

# the payload as the library builds it
m0 = queue(a)[0]["payload"]
h = m0["hoSo"]
check(h["MaHoSo"] == a and h["KenhThucHien"] == "2" and h["LoaiDoiTuong"] == "1"
      and h["SoGiayToChuHoSo"] == "031099001234" and h["ChuHoSo"] == "Nguyễn Văn An"
      and h["TrangThaiHoSo"] == "1" and len(h["NgayNopHoSo"]) == 14 and h["NgayTiepNhan"] == ""
      and h["TaiKhoanDuocXacThucVoiVNeID"] == "0", f"first payload: {h}")
last = queue(a)[-1]["payload"]
check(last["hoSo"]["TrangThaiHoSo"] == "10" and len(last["hoSo"]["NgayTra"]) == 14
      and last["tienTrinh"][0]["NguoiXuLy"] == "Lê Tiếp Nhận"
      and last["tienTrinh"][0]["ChucDanh"] == "Cán bộ tiếp nhận"
      and last["tienTrinh"][0]["NoiDungXuLy"].startswith("Trả kết quả"), f"last payload: {last}")
# times are Vietnam's: the payload's submission instant is the tracking's, at +07:00
track = dvcj("dossier", "track", a, "--officer", "le.tiep.nhan")
sub = track["submitted_at"]  # 2026-12-05T16:04:05+07:00
check(h["NgayNopHoSo"] == sub[0:4] + sub[5:7] + sub[8:10] + sub[11:13] + sub[14:16] + sub[17:19]
      and sub.endswith("+07:00"), f"yyyyMMddHHmmss in UTC+7: {h['NgayNopHoSo']} vs {sub}")

# ---- refused at intake (3), and a supplement (5) ----
b = submit()
act(b, "reject", "le.tiep.nhan", "--note", "Hồ sơ không thuộc thẩm quyền")
c = submit()
act(c, "request_supplement", "le.tiep.nhan", "--note", "Thiếu tờ khai")

# ---- errors: a 500, a timeout, then delivery; a refusal goes dead ----
portal.script = ["500", "timeout"]
portal.refuse = {b}
r = send()
check(r.returncode == 3, f"sender reports failures (exit 3): {r.returncode} {r.stderr}")
rep = dvcj("national", "report")
check(rep["counts"]["dead"] == 1 and any(m["dossier"] == b and m["state"] == "dead"
                                         and "HTTP 400" in m["last_error"] for m in rep["messages"]),
      f"a refusal is dead at once: {rep}")
check(rep["counts"]["failed"] >= 1, f"a 500 or a timeout is retried later: {rep['counts']}")
time_passes()
r = send()
# b's first message is dead: its second waits behind it, in order
bq = queue(b)
check([m["state"] for m in bq] == ["dead", "pending"], f"order per dossier holds behind a dead one: {bq}")
portal.refuse = set()
check(dvcj("national", "replay", b)["replayed"] == 1, "replay of a dossier's dead message")
r = send()
check(r.returncode == 0, f"sender after replay: {r.returncode} {r.stderr}")
rep = dvcj("national", "report")
check(rep["messages"] == [], f"everything acknowledged: {rep}")


def statuses(code):
    return [s for (d, s, k) in portal.accepted if d == code]


def collapse(xs):
    return [x for i, x in enumerate(xs) if i == 0 or xs[i - 1] != x]


check(collapse(statuses(a)) == [1, 2, 4, 9, 10], f"a's life at the portal: {statuses(a)}")
check(statuses(b) == [1, 3], f"refused at intake: {statuses(b)}")
check(statuses(c) == [1, 5], f"supplement requested: {statuses(c)}")
check(statuses(quiet) == [], "a dossier from before sync was switched on stays local")

# ---- kill the sender mid-run, restart: exactly once, in order ----
lives = [submit() for _ in range(3)]
for code in lives:
    whole_life(code)
expected = {code: [m["status"] for m in queue(code)] for code in lives}
keys = {code: [m["idempotency_key"] for m in queue(code)] for code in lives}
portal.delay = 0.15
before = portal.requests
# a POST that could outlast the lease is refused before anything is sent
r = send("--timeout", "5", "--lease", "2")
check(r.returncode == 2 and "--timeout" in r.stderr and portal.requests == before,
      f"--timeout not shorter than --lease refused: {r.returncode} {r.stderr}")
proc = subprocess.Popen([SEND, "--db", DB, "--url", URL, "--timeout", "1", "--lease", "2", "--limit", "2"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
deadline = time.time() + 30
while portal.requests - before < 9 and time.time() < deadline:
    time.sleep(0.02)
proc.send_signal(signal.SIGKILL)
proc.wait()
sent_mid = sum(m["state"] == "sent" for code in lives for m in queue(code))
check(0 < sent_mid < sum(len(v) for v in expected.values()), f"killed mid-run ({sent_mid} sent)")
time.sleep(2.5)  # the dead sender's lease runs out
portal.delay = 0.0
r = send("--lease", "2")
check(r.returncode == 0, f"restarted sender: {r.returncode} {r.stderr}")
for code in lives:
    got = [(s, k) for (d, s, k) in portal.accepted if d == code]
    check([s for s, _ in got] == expected[code], f"{code} in order, once: {got} vs {expected[code]}")
    check([k for _, k in got] == [k + "/hoso" for k in keys[code]], f"{code} keys once each: {got}")
    prog = [k for (d, s, k) in portal.progress if d == code]
    check(prog == [k + "/tientrinh" for k in keys[code]], f"{code} progress once each, in order: {prog}")
check(dvcj("national", "report")["messages"] == [], "nothing left unacknowledged")
print(f"national sync: {portal.requests} requests, {portal.duplicates} duplicates dropped by key, "
      f"{len(portal.accepted)} dossier updates accepted")

server.shutdown()
H.drop_stores()
if failures:
    print(f"national_sync: {len(failures)} failed on {H.BACKEND}", file=sys.stderr)
    sys.exit(1)
print(f"national_sync: all passed on {H.BACKEND}")
