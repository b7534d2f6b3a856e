#!/usr/bin/env python3
"""The example portal server's JSON API, driven over loopback as a portal
front end would: catalog, sessions and CSRF, anonymous and account
submissions with attachments, per-component uploads into the library's
documents, the account's data store and reuse, counter payments, a level-4
dossier ending with a signed result the applicant downloads and rates,
tracking, the officer desk from intake to return, slips, payment
callbacks; and every kind of bad input (malformed
JSON, oversized bodies, wrong content types, missing or forged CSRF
tokens, expired sessions, path traversal in download names) answered with
a 4xx and a JSON error carrying the library's code, with nothing written
and the server still serving.

usage: httpd_api_test.py DVC-HTTPD DVC-CLI SOURCE-ROOT
"""
import base64
import hashlib
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
import tempfile
import time

import httpd_harness as H

HTTPD, DVC, ROOT = sys.argv[1:4]
TOKENS = {"hoa.lt": "desk-hoa-" + "a" * 24, "tam.nv": "desk-tam-" + "b" * 24,
          "hung.nd": "desk-hung-" + "c" * 24, "ha.xa": "desk-ha-" + "d" * 24,
          "son.xa": "desk-son-" + "e" * 24, "thu.nt": "desk-thu-" + "f" * 24,
          "minh.lv": "desk-minh-" + "g" * 24, "quang.pv": "desk-quang-" + "h" * 24,
          "nam.tv": "desk-nam-" + "i" * 24, "lan.pt": "desk-lan-" + "j" * 24}
APPLICANT = {"full_name": "Nguyễn Văn An", "citizen_id": "031099001234",
             "birth_date": "1999-05-12", "address": "Thôn 3, xã Thụy Hương, huyện Kiến Thụy",
             "phone": "0912 345 678"}
PDF = b"%PDF-1.4\n% giay chung sinh (test)\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01" + b"\0" * 2000
KEY = os.path.join(ROOT, "data", "demo-keys", "demo-signing-key.pem")
CERT = os.path.join(ROOT, "data", "demo-keys", "demo-signing-cert.pem")

check = H.check
failures = H.failures


class Client:
    """One browser-like client: keeps the session cookie and CSRF token."""

    def __init__(self, port, src="127.0.0.1"):
        self.port = port
        self.src = src  # source address: loopback has all of 127/8
        self.cookie = None
        self.csrf = None
        self.requests = 0

    def raw(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30,
                                       source_address=(self.src, 0))
        h = dict(headers or {})
        if self.cookie and "Cookie" not in h:
            h["Cookie"] = "dvc_session=" + self.cookie
        r, data, doc, self.cookie = H.exchange(c, method, path, body, h, self.cookie)
        self.requests += 1
        return r.status, doc, r, data

    def get(self, path, headers=None):
        return self.raw("GET", path, headers=headers)

    def session(self):
        st, doc, _, _ = self.get("/api/session")
        assert st == 200, doc
        self.csrf = doc["csrf"]
        return doc

    def post(self, path, obj, csrf=True, ctype="application/json", headers=None):
        h = {"Content-Type": ctype} if ctype else {}
        if csrf and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        body = obj if isinstance(obj, (bytes, str)) else json.dumps(obj).encode()
        st, doc, r, data = self.raw("POST", path, body, h)
        if st == 200 and doc and "csrf" in doc:
            self.csrf = doc["csrf"]
        return st, doc, r, data


def raw_socket(port, request, body_after=b""):
    """Send `request` (headers, maybe part of a body), read the reply, then
    try to send `body_after`: a server may answer before reading a body."""
    import socket
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(request)
    if body_after:
        try:
            s.sendall(body_after)
        except OSError:
            pass
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        m = re.search(rb"Content-Length: (\d+)", head, re.I)
        if m and len(rest) >= int(m.group(1)):
            break
    s.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    return status, json.loads(rest) if rest.startswith(b"{") else None


# the library's Vietnamese for a code (dvc_status_text_vi), which the page shows
TEXT_VI = {"DVC_ENOTFOUND": "Không tìm thấy", "DVC_EAUTH": "Thông tin xác thực không đúng",
           "DVC_EPERM": "Không có quyền thực hiện"}


def error_is(st, doc, status, code, what):
    err = (doc or {}).get("error", {})
    ok = st == status and err.get("code") == code
    check(ok, f"{what}: want {status} {code}, got {st} {doc}")
    text = err.get("text") or ""
    check(text and unicodedata.is_normalized("NFC", text) and text == TEXT_VI.get(code, text),
          f"{what}: the error's Vietnamese text: {text!r}")


def dossier_count(db):
    out = subprocess.run([DVC, "--db", db, "--json", "dossier", "list", "--limit", "100000"],
                         check=True, capture_output=True, text=True).stdout
    return len(json.loads(out))


# The demo store is Kiến Thụy in July 2018: its district agencies ceased on
# 30 June 2025, so the portal serves it on a clock started in 2018.
CLOCK = ["--clock-start", "2018-07-09T08:00:00+07:00"]


def start(tmp, db, extra=(), env=None, clock=CLOCK):
    return H.start_httpd(HTTPD, db, tmp, "--officer-tokens", os.path.join(tmp, "tokens"),
                         *clock, *extra, env=env)


def main():
    tmp = tempfile.mkdtemp(prefix="httpd-api-")
    db = H.fresh_store(tmp, "portal")
    files = H.files_dir(db, tmp)
    subprocess.run([DVC, "--db", db, "demo", os.path.join(ROOT, "data")], check=True,
                   stdout=subprocess.DEVNULL, cwd=tmp)
    # birth registration (1.001193) is a commune procedure: the commune's own
    # desk receives it, its officer works on it and its chairman signs
    for user, name, role in (("tam.nv", "Nguyễn Văn Tâm", "specialist"),
                             ("ha.xa", "Vũ Thị Hà", "reception"),
                             ("son.xa", "Đặng Văn Sơn", "signing_leader")):
        subprocess.run([DVC, "--db", db, "officer", "add", user, "--name", name,
                        "--unit", "001.20.30.H24", "--role", role], check=True,
                       stdout=subprocess.DEVNULL)
    with open(os.path.join(tmp, "tokens"), "w") as f:
        f.write("# officer desk tokens (example)\n")
        f.writelines(f"{u}:{t}\n" for u, t in TOKENS.items())
    env = dict(os.environ, DVC_GATEWAY_SECRET="test-gateway-secret")
    server, port = start(tmp, db, ["--sign-key", KEY, "--sign-cert", CERT], env=env)
    try:
        run(port, db, files, tmp)
        documents(port, db, files, tmp)
    finally:
        server.terminate()
        rc = server.wait(timeout=10)
        check(rc == 0, f"server exit status {rc}")
    log = open(os.path.join(tmp, "server.log")).read().splitlines()
    reqs = [l for l in log if re.match(r"^\d{4}-\d\d-\d\dT\S+Z \S+ [A-Z]+ /\S* \d{3} \d+ [\d.]+ms$", l)]
    check(len(reqs) >= 60, f"one log line per request: {len(reqs)} lines")
    check(not any("secret=" in l or "SECRET" in l for l in log), "no secret in the log")

    # an expired session: a server whose sessions last one second. A
    # signed-in session expires; a visitor's holds nothing and does not
    server, port = start(tmp, db, ["--session-ttl", "1"])
    try:
        visitor = Client(port)
        visitor.session()
        c = officer(port, "tam.nv")
        time.sleep(2.2)
        st, doc, _, _ = c.post("/api/logout", b"")
        error_is(st, doc, 401, "DVC_EEXPIRED", "expired session")
        st, doc, _, _ = c.get("/api/session")
        check(st == 200 and doc["actor"] is None and doc["csrf"] != c.csrf,
              "an expired session is replaced by a fresh one")
        st, doc, _, _ = visitor.post("/api/logout", b"")
        check(st == 200 and doc["actor"] is None, f"a visitor's session does not expire: {st} {doc}")
    finally:
        server.terminate()
        server.wait(timeout=10)

    # on today's clock (no --clock-start): Hải Phòng after the 2025 reform. A
    # commune procedure goes to the centre of the applicant's commune and its
    # officers handle it; a district procedure without a successor version is
    # refused with the successors named, and writes nothing
    server, port = start(tmp, db, clock=[])
    try:
        c = Client(port)
        c.session()
        st, doc, _, _ = c.post("/api/dossiers", {"procedure": "1.001193", "applicant": APPLICANT,
                                                 "form_data": json.loads('{"kinh_gui":"Ủy ban nhân dân xã Kiến Hưng","nguoi_yeu_cau_ho_ten":"Nguyễn Văn An","nguoi_yeu_cau_noi_cu_tru":"Thôn 3, xã Kiến Hưng, thành phố Hải Phòng","nguoi_yeu_cau_giay_to_tuy_than":"Căn cước số 031099001234, Bộ Công an cấp ngày 10/01/2022","quan_he":"Cha","ho_ten":"Nguyễn Minh Khôi","ngay_sinh_bang_chu":"Ngày một tháng một năm hai nghìn không trăm hai mươi sáu","dan_toc":"Kinh","quoc_tich":"Việt Nam","noi_sinh":"Bệnh viện Phụ sản Hải Phòng","que_quan":"xã Kiến Hưng, thành phố Hải Phòng","me_ho_ten":"Trần Thị Bình","me_dan_toc":"Kinh","me_quoc_tich":"Việt Nam","me_noi_cu_tru":"Thôn 3, xã Kiến Hưng, thành phố Hải Phòng","ngay_sinh":"2026-01-01","gioi_tinh":"Nam"}')})
        check(st == 201 and doc["code"].startswith("000.01.11680.H24-"),
              f"today: lodged at the commune centre: {st} {doc}")
        tcode = doc.get("code", "") if st == 201 else ""
        for who, action in (("thu.nt", "receive"), ("thu.nt", "forward"), ("minh.lv", "forward"),
                            ("quang.pv", "forward"), ("thu.nt", "return")):
            x = Client(port)
            x.session()
            x.post("/api/officer/login", {"username": who, "token": TOKENS[who]})
            body = {"action": action}
            if who == "quang.pv":
                # this server has no --sign-key: a result is never issued unsigned
                st, doc, _, _ = upload(x, tcode, PDF, component="result", name="trich-luc.pdf")
                check(st == 201, f"today: the chairman attaches the result: {st} {doc}")
                st, doc, _, _ = x.post(f"/api/dossiers/{tcode}/sign", b"", ctype=None)
                error_is(st, doc, 400, "DVC_EINVAL", "signing without a key configured")
                check(doc and "no signing key" in doc["error"]["message"], f"the message says why: {doc}")
                st, doc, _, _ = x.get(f"/api/dossiers/{tcode}/files")
                check(st == 200 and not [f for f in doc if f["form"] == "ecopy"], "nothing signed was stored")
            if action == "return":
                body["delivery"] = "counter"
            st, doc, _, _ = x.post(f"/api/dossiers/{tcode}/actions", body)
            check(st == 200, f"today: {who} {action}: {st} {doc}")
        check(doc and doc.get("state") == "returned" and doc.get("desk") == "000.01.11680.H24"
              and doc.get("competent") == "000.00.11680.H24", f"today: returned by the commune: {doc}")
        before = dossier_count(db)
        st, doc, _, _ = c.post("/api/dossiers", {"procedure": "1.000748", "applicant": APPLICANT})
        error_is(st, doc, 410, "DVC_EEXPIRED", "submission to an agency that has ceased")
        check("2025-06-30" in doc["error"]["message"] and "000.00.11680.H24" in doc["error"]["message"],
              f"the message says when and who carries on: {doc}")
        check(dossier_count(db) == before, "a refused submission writes nothing")
    finally:
        server.terminate()
        server.wait(timeout=10)
    p = subprocess.run([HTTPD, "--db", db, "--clock-start", "9 July 2018"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    check(p.returncode != 0 and "--clock-start" in p.stderr, f"a bad --clock-start: {p.stderr}")
    if H.BACKEND == "postgresql":
        # no DB.files beside a URI: the spool must be named
        p = subprocess.run([HTTPD, "--db", db, "--port", "0"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, timeout=20)
        check(p.returncode != 0 and "needs --files-dir" in p.stderr,
              f"a PostgreSQL store without --files-dir: {p.stderr}")

    shutil.rmtree(tmp, ignore_errors=True)
    H.drop_stores()
    return H.summary("httpd_api")


def run(port, db, files, tmp):
    c = Client(port)

    # ---- the page and the catalog (levels 1-2) ----
    st, _, r, body = c.get("/")
    check(st == 200 and r.getheader("Content-Type").startswith("text/html")
          and "default-src 'self'" in (r.getheader("Content-Security-Policy") or "")
          and b'lang="vi"' in body, "GET / serves the page with a CSP")
    st, _, r, _ = c.get("/static/app.js")
    check(st == 200 and "javascript" in r.getheader("Content-Type"), "script served")
    st, doc, _, _ = c.get("/static/nope.js")
    error_is(st, doc, 404, "DVC_ENOTFOUND", "unknown asset")
    st, doc, _, _ = c.get("/api/procedures?q=khai%20sinh")
    check(st == 200 and doc["procedures"] and doc["procedures"][0]["code"] == "1.001193",
          f"search khai sinh: {doc}")
    st, doc, _, _ = c.get("/api/procedures?q=%C4%90%C4%82NG+K%C3%9D+KHAI+SINH&level=commune")
    check(st == 200 and doc["procedures"][0]["code"] == "1.001193", "search with diacritics")
    st, doc, _, _ = c.get("/api/procedures?online=9")
    error_is(st, doc, 400, "DVC_EINVAL", "online=9")
    st, doc, _, _ = c.get("/api/procedures?q=%FF%FE")
    error_is(st, doc, 400, "DVC_EUTF8", "invalid UTF-8 in a search")
    st, doc, _, _ = c.get("/api/procedures/1.001193")
    check(st == 200 and doc["online_level"] == 3 and len(doc["documents"]) == 3
          and doc["documents"][0]["submission"] == "eform", "procedure detail")
    st, doc, _, _ = c.get("/api/procedures/9.999999")
    error_is(st, doc, 404, "DVC_ENOTFOUND", "unknown procedure")
    st, doc, _, _ = c.get("/api/catalog/stats")
    check(st == 200 and doc["total"] >= 38, "catalog stats")
    st, _, r, body = c.get("/api/procedures/1.001193/forms/1")
    check(st == 200 and "attachment" in r.getheader("Content-Disposition")
          and "Tờ khai đăng ký khai sinh".encode() in body, "blank form download")
    st, doc, _, _ = c.get("/api/procedures/1.001193/forms/2")
    error_is(st, doc, 404, "DVC_ENOTFOUND", "an upload document has no form")
    for bad in ("/api/procedures/1.001193/forms/..%2F..%2F..%2Fetc%2Fpasswd",
                "/api/procedures/1.001193/forms/../../../etc/passwd",
                "/api/procedures/1.001193/forms/%2e%2e",
                "/api/procedures/1.001193/forms/1%00.html",
                "/static/..%2F..%2Fmeson.build"):
        st, doc, _, _ = c.get(bad)
        check(st in (400, 404) and doc and doc["error"]["code"] in ("DVC_EINVAL", "DVC_ENOTFOUND"),
              f"path traversal {bad}: {st} {doc}")
    st, doc, r, _ = c.raw("DELETE", "/api/procedures")
    check(st == 405 and r.getheader("Allow") == "GET" and doc["error"]["code"] == "DVC_EINVAL",
          "DELETE is 405 with Allow")
    st, doc, _, _ = c.get("/api/nothing/here")
    error_is(st, doc, 404, "DVC_ENOTFOUND", "unknown route")

    # ---- bad input on submission: 4xx, clear JSON error, nothing written ----
    before = dossier_count(db)
    files_before = sorted(os.listdir(files))
    good = {"procedure": "1.001193", "applicant": APPLICANT,
            "attachments": [{"component": 1, "name": "giay-chung-sinh.pdf",
                             "data": base64.b64encode(PDF).decode()}]}
    anon = Client(port)
    st, doc, _, _ = anon.post("/api/dossiers", good, csrf=False)
    error_is(st, doc, 403, "DVC_EPERM", "POST without a session")
    anon.session()
    st, doc, _, _ = anon.post("/api/dossiers", good, csrf=False)
    error_is(st, doc, 403, "DVC_EPERM", "POST without X-CSRF-Token")
    st, doc, _, _ = anon.post("/api/dossiers", good, csrf=False, headers={"X-CSRF-Token": "0" * 64})
    error_is(st, doc, 403, "DVC_EPERM", "forged X-CSRF-Token")
    other = Client(port)
    other.session()
    st, doc, _, _ = anon.post("/api/dossiers", good, csrf=False,
                              headers={"X-CSRF-Token": other.csrf})
    error_is(st, doc, 403, "DVC_EPERM", "another session's CSRF token")
    st, doc, _, _ = anon.post("/api/dossiers", json.dumps(good), ctype="text/plain")
    error_is(st, doc, 415, "DVC_EINVAL", "text/plain body")
    st, doc, _, _ = anon.post("/api/dossiers", json.dumps(good), ctype="application/x-www-form-urlencoded")
    error_is(st, doc, 415, "DVC_EINVAL", "form-encoded body")
    st, doc, _, _ = anon.post("/api/dossiers", json.dumps(good), ctype=None)
    error_is(st, doc, 415, "DVC_EINVAL", "no Content-Type")
    st, doc, _, _ = anon.post("/api/dossiers", b'{"procedure": "1.001193", ')
    error_is(st, doc, 400, "DVC_EPARSE", "truncated JSON")
    st, doc, _, _ = anon.post("/api/dossiers", b"")
    error_is(st, doc, 400, "DVC_EPARSE", "empty body")
    st, doc, _, _ = anon.post("/api/dossiers", b"[1,2,3]")
    error_is(st, doc, 422, "DVC_ESCHEMA", "JSON array instead of an object")
    hdr = (f"Cookie: dvc_session={anon.cookie}\r\nX-CSRF-Token: {anon.csrf}\r\n"
           "Content-Type: application/json\r\n")
    st, doc = raw_socket(port, (f"POST /api/dossiers HTTP/1.1\r\nHost: x\r\n{hdr}"
                                f"Content-Length: {4 << 20}\r\n\r\n").encode(), b"x" * 65536)
    error_is(st, doc, 413, "DVC_ETOOBIG", "4 MiB body, refused from its Content-Length")
    chunk = b"x" * 8192
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(13)) + b"0\r\n\r\n"
    st, doc = raw_socket(port, (f"POST /api/accounts HTTP/1.1\r\nHost: x\r\n{hdr}"
                                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
                         + chunked)
    error_is(st, doc, 413, "DVC_ETOOBIG", "104 KiB chunked body on a small route")
    big = dict(good, attachments=[dict(good["attachments"][0],
                                       data=base64.b64encode(b"\0" * (2 * 1024 * 1024 + 10)).decode())])
    st, doc, _, _ = anon.post("/api/dossiers", big)
    error_is(st, doc, 413, "DVC_ETOOBIG", "attachments over 2 MiB")
    bad_att = [
        ({"name": "../../etc/passwd"}, 400, "DVC_EINVAL", "attachment name with ../"),
        ({"name": ".."}, 400, "DVC_EINVAL", "attachment name .."),
        ({"name": "a\\b.pdf"}, 400, "DVC_EINVAL", "attachment name with a backslash"),
        ({"data": base64.b64encode(ELF).decode(), "name": "giay.pdf"}, 415, "DVC_EMEDIATYPE",
         "an executable renamed .pdf (the library reads the content)"),
        ({"component": None, "document": "Giấy đăng ký xe"}, 400, "DVC_EINVAL",
         "attachment of no component"),
        ({"component": 9}, 404, "DVC_ENOTFOUND", "attachment of component 9"),
        ({"data": "not base64!!"}, 400, "DVC_EINVAL", "attachment not base64"),
        ({"data": ""}, 400, "DVC_EINVAL", "empty attachment"),
    ]
    for change, status, code, what in bad_att:
        body = dict(good, attachments=[dict(good["attachments"][0], **change)])
        st, doc, _, _ = anon.post("/api/dossiers", body)
        error_is(st, doc, status, code, what)
        check(doc and doc["error"]["path"] and doc["error"]["path"].startswith("attachments[0]"),
              f"{what}: path names the attachment: {doc}")
    st, doc, _, _ = anon.post("/api/dossiers", dict(good, applicant=dict(APPLICANT, citizen_id="12345")))
    error_is(st, doc, 400, "DVC_EINVAL", "bad citizen ID (the library's validation)")
    check(doc and "citizen_id" in (doc["error"]["path"] or ""), f"path names citizen_id: {doc}")
    st, doc, _, _ = anon.post("/api/dossiers", dict(good, applicant=dict(APPLICANT, phone=12)))
    error_is(st, doc, 422, "DVC_ESCHEMA", "phone as a number")
    st, doc, _, _ = anon.post("/api/dossiers", dict(good, procedure="9.999999"))
    error_is(st, doc, 404, "DVC_ENOTFOUND", "unknown procedure on submit")
    st, doc, _, _ = anon.post("/api/dossiers", dict(good, form_data=[1]))
    error_is(st, doc, 422, "DVC_ESCHEMA", "form_data not an object")
    st, doc, _, _ = anon.post("/api/dossiers", dict(good, form_data={"attachments": []}))
    error_is(st, doc, 422, "DVC_ESCHEMA", "client-set form_data.attachments")
    # input refused, never altered (issue 16): the body goes through the
    # library's JSON check; a NUL used to cut the applicant's name short
    st, doc, _, _ = anon.post("/api/dossiers",
                              dict(good, applicant=dict(APPLICANT, full_name="Nguyễn\u0000 Văn An")))
    error_is(st, doc, 400, "DVC_EUTF8", "NUL inside the applicant's name")
    check(doc and doc["error"]["path"] == "applicant.full_name" and "NUL" in doc["error"]["message"],
          f"the NUL's place is named: {doc}")
    st, doc, _, _ = anon.post("/api/dossiers", dict(good, form_data={"ghi_chu": "a\u0000b"}))
    error_is(st, doc, 400, "DVC_EUTF8", "NUL inside form data")
    st, doc, _, _ = anon.post("/api/dossiers", json.dumps(good).encode() + b" {}")
    error_is(st, doc, 400, "DVC_EPARSE", "text after the body's JSON value")
    st, doc, _, _ = anon.post("/api/dossiers", json.dumps(good).encode().replace(b"Nguy", b"Nguy\xff", 1))
    error_is(st, doc, 400, "DVC_EUTF8", "invalid UTF-8 in the body")
    check(dossier_count(db) == before, "no dossier written by bad input")
    check(sorted(os.listdir(files)) == files_before, "no file written by bad input")
    st, doc, _, _ = c.get("/api/health")
    check(st == 200 and doc["status"] == "ok", "still serving after bad input")

    # ---- anonymous submission with an attachment ----
    st, doc, r, _ = anon.post("/api/dossiers", good)
    check(st == 201 and doc["secret"] and doc["code"].startswith("001.20.30.H24-"),
          f"anonymous submission: {st} {doc}")
    code, secret = doc["code"], doc["secret"]
    check(r.getheader("Location") == "/api/dossiers/" + code, "Location header")
    sha = hashlib.sha256(PDF).hexdigest()
    f0 = doc["files"][0] if doc.get("files") else {}
    check(len(doc.get("files", [])) == 1 and f0["sha256"] == sha and f0["size"] == len(PDF)
          and f0["component"] == 1 and f0["component_name"].startswith("Giấy chứng sinh")
          and f0["media_type"] == "application/pdf" and f0["name"] == "giay-chung-sinh.pdf",
          f"the attachment is the library's document: {doc}")
    check(os.listdir(files) == [], "nothing kept by the server itself")
    check(dossier_count(db) == before + 1, "one dossier written")

    # ---- tracking ----
    t = Client(port)
    st, doc, _, _ = t.get(f"/api/dossiers/{code}", {"X-Tracking-Secret": secret})
    check(st == 200 and doc["state"] == "submitted" and doc["state_label"] == "Chờ tiếp nhận"
          and doc["history"][0]["action"] == "submit" and "applicant" not in doc,
          f"track with the secret header: {doc}")
    check([a["action"] for a in doc["actions"]] == ["withdraw"], "applicant may withdraw")
    st, doc, _, _ = t.get(f"/api/dossiers/{code}/missing", {"X-Tracking-Secret": secret})
    check(st == 200 and [m["component"] for m in doc] == [0, 2] and doc[1]["name"].startswith("Giấy tờ tùy thân"),
          f"what is still missing: {doc}")
    st, doc, _, _ = t.get(f"/api/dossiers/{code}/missing")
    error_is(st, doc, 401, "DVC_EAUTH", "missing without the secret")
    st, fl, _, _ = t.get(f"/api/dossiers/{code}/files", {"X-Tracking-Secret": secret})
    check(st == 200 and [x["sha256"] for x in fl] == [sha], f"the dossier's files: {fl}")
    st, doc, _, _ = t.get(f"/api/dossiers/{code}?secret={secret}")
    check(st == 200 and doc["code"] == code, "track with ?secret=")
    st, doc, _, _ = t.get(f"/api/dossiers/{code}")
    error_is(st, doc, 401, "DVC_EAUTH", "track without a secret")
    st, doc, _, _ = t.get(f"/api/dossiers/{code}", {"X-Tracking-Secret": "WRONGSECRET"})
    error_is(st, doc, 401, "DVC_EAUTH", "track with a wrong secret")
    st, doc, _, _ = t.get(f"/api/dossiers/000.00.30.H24-991231-9999?secret=x")
    check(st in (401, 404), "unknown dossier")
    fid = f0.get("id", 0)
    st, _, r, body = t.get(f"/api/dossiers/{code}/files/{fid}", {"X-Tracking-Secret": secret})
    check(st == 200 and body == PDF and r.getheader("Content-Type") == "application/pdf"
          and "filename*=UTF-8''giay-chung-sinh.pdf" in r.getheader("Content-Disposition"),
          "file download")
    st, doc, _, _ = t.get(f"/api/dossiers/{code}/files/{fid}")
    error_is(st, doc, 401, "DVC_EAUTH", "file without the secret")
    for bad in (f"/api/dossiers/{code}/files/..%2F..%2Fportal.db",
                f"/api/dossiers/{code}/files/../../portal.db",
                f"/api/dossiers/{code}/files/giay-chung-sinh.pdf",
                f"/api/dossiers/{code}/files/{sha}",
                f"/api/dossiers/{code}/files/%2Fetc%2Fpasswd",
                f"/api/dossiers/{code}/files/-1",
                f"/api/dossiers/..%2F..%2Fportal.db/files/{fid}"):
        st, doc, _, _ = t.get(bad, {"X-Tracking-Secret": secret})
        check(st in (400, 404) and doc and doc["error"]["code"] in ("DVC_EINVAL", "DVC_ENOTFOUND"),
              f"download traversal {bad}: {st} {doc}")
    st, doc, _, _ = t.get(f"/api/dossiers/{code}/files/999999", {"X-Tracking-Secret": secret})
    error_is(st, doc, 404, "DVC_ENOTFOUND", "unknown file id")

    # ---- the officers: intake to return ----
    o = Client(port)
    o.session()
    st, doc, _, _ = o.post("/api/officer/login", {"username": "hoa.lt", "token": "wrong" * 5})
    error_is(st, doc, 401, "DVC_EAUTH", "officer with a wrong desk token")
    st, doc, _, _ = o.post("/api/officer/login", {"username": "nobody", "token": TOKENS["hoa.lt"]})
    error_is(st, doc, 401, "DVC_EAUTH", "unknown officer")
    st, doc, _, _ = o.get("/api/officer/inbox")
    error_is(st, doc, 401, "DVC_EAUTH", "inbox before sign-in")
    old_cookie = o.cookie
    st, doc, r, _ = o.post("/api/officer/login", {"username": "ha.xa", "token": TOKENS["ha.xa"]})
    sc = r.getheader("Set-Cookie") or ""
    check(st == 200 and doc["actor"]["role"] == "reception" and o.cookie != old_cookie
          and "HttpOnly" in sc and "SameSite=Strict" in sc and "Path=/" in sc,
          f"officer sign-in rotates the session cookie: {sc}")
    st, doc, _, _ = o.get("/api/officer/inbox")
    rows = [d for d in doc["dossiers"] if d["code"] == code] if st == 200 else []
    check(rows and [a["action"] for a in rows[0]["actions"]] ==
          ["receive", "request_supplement", "reject"], f"inbox row with actions: {rows}")
    check(rows and {"action": "reject", "label": "Từ chối", "needs": ["note"]} in rows[0]["actions"],
          f"reject needs a note (from the lifecycle table), labelled by the library: {rows}")
    version = rows[0]["version"] if rows else 1
    st, doc, _, _ = o.post(f"/api/dossiers/{code}/actions", {"action": "return"})
    error_is(st, doc, 409, "DVC_ETRANSITION", "return before intake")
    st, doc, _, _ = o.post(f"/api/dossiers/{code}/actions", {"action": "frobnicate"})
    error_is(st, doc, 400, "DVC_EINVAL", "unknown action")
    st, doc, _, _ = o.post(f"/api/dossiers/{code}/actions", {"action": "reject"})
    error_is(st, doc, 400, "DVC_EINVAL", "reject without reasons")
    st, doc, _, _ = o.post(f"/api/dossiers/{code}/actions",
                           {"action": "receive", "expected_version": version + 5})
    error_is(st, doc, 409, "DVC_ECONFLICT", "stale expected_version")
    st, doc, _, _ = o.post(f"/api/dossiers/{code}/actions", {"action": "receive"}, csrf=False)
    error_is(st, doc, 403, "DVC_EPERM", "officer action without CSRF")
    st, doc, _, _ = o.post(f"/api/dossiers/{code}/actions",
                           {"action": "receive", "expected_version": version})
    check(st == 200 and doc["state"] == "received" and doc["due_at"], f"receive: {st} {doc}")
    st, doc, _, _ = o.post(f"/api/dossiers/{code}/actions", {"action": "forward"})
    check(st == 200 and doc["state"] == "in_progress" and doc["unit"] == "001.20.30.H24",
          "forward to the commune")
    st, doc, _, _ = o.post(f"/api/dossiers/{code}/actions", {"action": "forward"})
    error_is(st, doc, 403, "DVC_EPERM", "the desk cannot act on the specialist's step") \
        if st == 403 else error_is(st, doc, 409, "DVC_ETRANSITION", "desk on the specialist's step")
    for who in ("tam.nv", "son.xa"):
        x = Client(port)
        x.session()
        x.post("/api/officer/login", {"username": who, "token": TOKENS[who]})
        st, doc, _, _ = x.post(f"/api/dossiers/{code}/actions", {"action": "forward"})
        check(st == 200, f"{who} forwards: {st} {doc}")
    check(doc and doc["state"] == "result_ready", "result ready after signing")
    st, doc, _, _ = o.post(f"/api/dossiers/{code}/actions", {"action": "return", "delivery": "online"})
    error_is(st, doc, 422, "DVC_ESERVICELEVEL", "online delivery of a level-3 result")
    st, doc, _, _ = o.post(f"/api/dossiers/{code}/actions", {"action": "return", "delivery": "drone"})
    error_is(st, doc, 400, "DVC_EINVAL", "unknown delivery")
    st, doc, _, _ = o.post(f"/api/dossiers/{code}/actions", {"action": "return", "delivery": "counter"})
    check(st == 200 and doc["state"] == "returned", "returned")
    st, doc, _, _ = t.get(f"/api/dossiers/{code}", {"X-Tracking-Secret": secret})
    check(st == 200 and doc["state_label"] == "Đã trả kết quả" and len(doc["history"]) == 7
          and doc["history"][1]["action"] == "attach" and doc["history"][1]["payload_digest"] == sha
          and doc["final"] and "receipt" in doc["slips"], "the citizen sees the result")
    st, _, r, body = t.get(f"/api/dossiers/{code}/slips/receipt", {"X-Tracking-Secret": secret})
    check(st == 200 and "GIẤY TIẾP NHẬN".encode() in body.upper() if st == 200 else st == 404,
          f"receipt slip: {st}")
    if st == 200:
        check("style-src 'unsafe-inline'" in r.getheader("Content-Security-Policy"), "slip CSP")
        st, doc, _, _ = t.get(f"/api/dossiers/{code}/slips/receipt")
        error_is(st, doc, 401, "DVC_EAUTH", "slip without the secret")
        st, doc, _, _ = t.get(f"/api/dossiers/{code}/slips/..", {"X-Tracking-Secret": secret})
        check(st == 400, "slip named ..")
        st, doc, _, _ = t.get(f"/api/dossiers/{code}/slips/refusal", {"X-Tracking-Secret": secret})
        error_is(st, doc, 409, "DVC_ETRANSITION", "refusal slip of a dossier never refused")

    # ---- accounts ----
    a = Client(port)
    a.session()
    prof = dict(APPLICANT, full_name="Phạm Thị Cúc", citizen_id="031185004321",
                birth_date="1985-02-03", email="cuc@example.vn")
    st, doc, _, _ = a.post("/api/accounts", {"username": "cuc.pt", "password": "Kien-Thuy-2026",
                                             "profile": prof})
    check(st == 201, f"register: {st} {doc}")
    st, doc, _, _ = a.post("/api/accounts", {"username": "cuc.pt", "password": "Kien-Thuy-2026",
                                             "profile": prof})
    error_is(st, doc, 409, "DVC_EEXISTS", "username taken")
    st, doc, _, _ = a.post("/api/accounts", {"username": "x.y", "password": "short", "profile": prof})
    error_is(st, doc, 400, "DVC_EINVAL", "password too short")
    st, doc, _, _ = a.post("/api/login", {"username": "cuc.pt", "password": "wrong-password"})
    error_is(st, doc, 401, "DVC_EAUTH", "wrong password")
    st, doc, _, _ = a.post("/api/login", {"username": "cuc.pt", "password": "Kien-Thuy-2026"})
    check(st == 200 and doc["actor"] == {"kind": "account", "username": "cuc.pt"}, "login")
    st, doc, _, _ = a.get("/api/account")
    check(st == 200 and doc["username"] == "cuc.pt" and doc["profile"]["full_name"] == "Phạm Thị Cúc"
          and doc["profile"]["citizen_id"] == "031185004321" and doc["profile"]["birth_date"] == "1985-02-03"
          and doc["profile"]["email"] == "cuc@example.vn" and doc["created_at"].endswith("+07:00"),
          f"the profile the submission form is filled with: {st} {doc}")
    st, doc, _, _ = t.get("/api/account")
    error_is(st, doc, 401, "DVC_EAUTH", "the profile without a signed-in account")
    st, doc, _, _ = a.post("/api/dossiers", {"procedure": "2.000748"})
    check(st == 201 and doc["secret"] is None, f"submit with the account's profile: {st} {doc}")
    acode = doc["code"] if st == 201 else ""
    st, doc, _, _ = a.get(f"/api/dossiers/{acode}")
    check(st == 200 and doc["applicant"]["full_name"] == "Phạm Thị Cúc", "track as the account")
    st, doc, _, _ = t.get(f"/api/dossiers/{acode}?secret=ANYTHING")
    check(st in (401, 403), "another client cannot track an account's dossier")
    old = a.cookie
    st, doc, _, _ = a.post("/api/logout", b"", ctype=None)
    check(st == 200 and doc["actor"] is None, "logout")
    a.cookie, a_csrf = old, a.csrf
    st, doc, _, _ = a.post("/api/dossiers", {"procedure": "2.000748"})
    error_is(st, doc, 403, "DVC_EPERM", "the old cookie after logout")

    # ---- registering bots (issue 16) ----
    # Each registration hashes (Argon2id, 64 MiB): at most one at a time, a
    # second refused at once (503 DVC_EBUSY, Retry-After: 1) without counting
    # against its address, so bots from a few addresses cannot take every
    # worker while the server stays up for everyone else.
    import threading
    bots = [Client(port, f"127.0.4.{i + 1}") for i in range(8)]
    for b in bots:
        b.session()
    answers = [None] * len(bots)

    def register(i, user):
        st, doc, r, _ = bots[i].post("/api/accounts", {"username": user, "password": "bot-password-123",
                                                       "profile": APPLICANT})
        answers[i] = (st, doc, r.getheader("Retry-After"))

    threads = [threading.Thread(target=register, args=(i, f"bot{i}.a")) for i in range(len(bots))]
    for th in threads:
        th.start()
    st, doc, _, _ = t.get("/api/health")
    check(st == 200, f"health while bots register: {st}")
    for th in threads:
        th.join()
    busy = [i for i, (st, _, _) in enumerate(answers) if st == 503]
    check(all(st in (201, 503) for st, _, _ in answers), f"8 parallel registrations: {answers}")
    check(len(busy) >= 1 and len(answers) - len(busy) >= 1,
          f"of 8 parallel registrations one hashes, the others are busy: {answers}")
    for i in busy:
        error_is(answers[i][0], answers[i][1], 503, "DVC_EBUSY", "registration while another hashes")
        check(answers[i][2] == "1", f"busy registration: Retry-After {answers[i][2]}")
        st, doc, _, _ = bots[i].post("/api/accounts", {"username": f"bot{i}.a", "password": "bot-password-123",
                                                       "profile": APPLICANT})
        check(st == 201, f"a busy registration retried alone registers (nothing was counted): {st} {doc}")
    # the library's limit per address (10 an hour), then the server refuses
    # that address before it takes the slot, with the time to wait
    one = Client(port, "127.0.5.1")
    one.session()
    sts = [one.post("/api/accounts", {"username": f"one.u{i}", "password": "bot-password-123",
                                      "profile": APPLICANT})[0] for i in range(10)]
    check(sts == [201] * 10, f"10 registrations from one address: {sts}")
    st, doc, _, _ = one.post("/api/accounts", {"username": "one.u10", "password": "bot-password-123",
                                               "profile": APPLICANT})
    error_is(st, doc, 429, "DVC_ETHROTTLED", "the 11th registration from one address (library)")
    st, doc, r, _ = one.post("/api/accounts", {"username": "one.u11", "password": "bot-password-123",
                                               "profile": APPLICANT})
    error_is(st, doc, 429, "DVC_ETHROTTLED", "the 12th registration from one address (server)")
    check(0 < int(r.getheader("Retry-After") or 0) <= 60, f"Retry-After {r.getheader('Retry-After')}")
    other = Client(port, "127.0.5.2")
    other.session()
    st, doc, _, _ = other.post("/api/accounts", {"username": "other.u0", "password": "bot-password-123",
                                                 "profile": APPLICANT})
    check(st == 201, f"another address registers meanwhile: {st} {doc}")

    # ---- throttling of tracking secrets (library rule, 429) ----
    st, doc, _, _ = anon.post("/api/dossiers", dict(good, attachments=[]))
    tcode = doc["code"]
    for _ in range(5):
        t.get(f"/api/dossiers/{tcode}?secret=AAAAAAAAAAAAAAAAAAAA")
    st, doc, r, _ = t.get(f"/api/dossiers/{tcode}?secret=AAAAAAAAAAAAAAAAAAAA")
    error_is(st, doc, 429, "DVC_ETHROTTLED", "guessing secrets is throttled")
    check(r.getheader("Retry-After") is not None, "Retry-After on 429")

    # ---- throttles count the guesser's address, not the dossier (issue 16) ----
    owner = Client(port, src="127.0.0.3")
    owner.session()
    st, doc, _, _ = owner.post("/api/dossiers", dict(good, attachments=[]))
    ocode, osecret = doc["code"], doc["secret"]
    st, doc, _, _ = o.post(f"/api/dossiers/{ocode}/actions",
                           {"action": "request_supplement", "note": "Bản sao giấy khai sinh"})
    check(st == 200, f"supplement requested: {st} {doc}")
    g = Client(port, src="127.0.0.2")
    answers = [g.get(f"/api/dossiers/{ocode}?secret={'A' * 20}")[0] for _ in range(100)]
    check(answers[:5] == [401] * 5 and set(answers[5:]) == {429},
          f"100 wrong secrets from one address: 5 checked, then 429: {sorted(set(answers))}")
    st, doc, _, _ = g.get(f"/api/dossiers/{ocode}?secret={osecret}")
    check(st == 429, "the guessing address is locked even with the right secret")
    st, doc, _, _ = owner.get(f"/api/dossiers/{ocode}?secret={osecret}")
    check(st == 200 and doc["code"] == ocode, f"the owner still tracks: {st}")
    st, doc, _, _ = owner.post(f"/api/dossiers/{ocode}/actions", {"action": "supply", "secret": osecret})
    check(st == 200, f"the owner still supplies: {st} {doc}")
    st, doc, _, _ = owner.post(f"/api/dossiers/{ocode}/actions", {"action": "withdraw", "secret": osecret})
    check(st == 200 and doc["state"] == "withdrawn", f"the owner still withdraws: {st} {doc}")
    # made-up 30 KB codes are refused before any write
    size0 = H.store_bytes(db)
    h = Client(port, src="127.0.0.4")
    for i in range(300):
        st, _, _, _ = h.get("/api/dossiers/" + "7" * 30000 + f"?secret={'A' * 20}")
        if st not in (401, 414, 431):
            break
    check(st in (401, 414, 431), f"30 KB codes refused: {st}")
    size1 = H.store_bytes(db)
    check(size1 - size0 < 256 * 1024, f"300 hostile trackings grew the store by {size1 - size0} bytes")

    # desk tokens: the example server throttles their guessing per address
    d = Client(port, src="127.0.0.5")
    d.session()
    answers = [d.post("/api/officer/login", {"username": "tam.nv", "token": "x" * 33})[0]
               for _ in range(8)]
    check(answers[:5] == [401] * 5 and set(answers[5:]) == {429},
          f"desk-token guesses throttled: {answers}")
    st, doc, _, _ = d.post("/api/officer/login", {"username": "tam.nv", "token": TOKENS["tam.nv"]})
    check(st == 429, "the guessing address is locked even with the right token")
    so = Client(port, src="127.0.0.6")
    so.session()
    st, doc, _, _ = so.post("/api/officer/login", {"username": "tam.nv", "token": TOKENS["tam.nv"]})
    check(st == 200, f"the officer signs in from elsewhere: {st} {doc}")

    # anonymous sessions never evict signed-in ones
    import socket
    n0 = time.monotonic()
    made = 0
    for _ in range(40):  # 40 keep-alive connections of 500 pipelined requests
        fs = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=("127.0.0.7", 0))
        fs.sendall(b"GET /api/session HTTP/1.1\r\nHost: x\r\n\r\n" * 499
                   + b"GET /api/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = fs.recv(1 << 16)
            if not chunk:
                break
            data += chunk
        fs.close()
        made += data.count(b"Set-Cookie: dvc_session=")
    check(made == 20000, f"20,000 anonymous sessions made: {made}")
    st, doc, _, _ = so.get("/api/session")
    check(st == 200 and doc["actor"] and doc["actor"]["username"] == "tam.nv",
          f"20,000 anonymous sessions later the officer is still signed in: {doc}"
          f" ({time.monotonic() - n0:.1f} s)")

    # one address cannot hold every connection
    import socket
    idle = []
    for _ in range(40):
        s_ = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=("127.0.0.8", 0))
        s_.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")  # never finished
        idle.append(s_)
    time.sleep(0.3)
    closed = 0
    for s_ in idle:
        s_.settimeout(0.05)
        try:
            if s_.recv(1) == b"":
                closed += 1
        except socket.timeout:
            pass
        except OSError:
            closed += 1
    check(closed >= 40 - 32, f"connections past the per-address cap are closed: {closed} of 40")
    st, doc, _, _ = Client(port, src="127.0.0.9").get("/api/health")
    check(st == 200, "another address is served meanwhile")
    for s_ in idle:
        s_.close()

    # ---- payment callback: signature checked by the library ----
    st, doc, _, _ = t.get("/api/payments/callback?vnp_Amount=100&vnp_TxnRef=X&vnp_SecureHash=" + "0" * 128)
    check(st in (403, 404) and doc["error"]["code"] in ("DVC_ESIGNATURE", "DVC_ENOTFOUND"),
          f"forged gateway callback: {st} {doc}")
    st, doc, _, _ = t.get("/api/payments/callback")
    error_is(st, doc, 400, "DVC_EINVAL", "callback without parameters")

    st, doc, _, _ = c.get("/api/health")
    check(st == 200, "still serving at the end")


def upload(cl, code, data, headers=None, csrf=True, **query):
    """POST one file's bytes to the per-component upload route."""
    from urllib.parse import urlencode
    h = {"Content-Type": "application/octet-stream"}
    if csrf and cl.csrf:
        h["X-CSRF-Token"] = cl.csrf
    h.update(headers or {})
    return cl.raw("POST", f"/api/dossiers/{code}/files?" + urlencode(query), data, h)


def officer(port, who):
    x = Client(port)
    x.session()
    st, doc, _, _ = x.post("/api/officer/login", {"username": who, "token": TOKENS[who]})
    check(st == 200, f"{who} signs in: {st} {doc}")
    return x


def documents(port, db, files, tmp):
    """A level-4 dossier through the library's documents: uploads per
    component (and every refusal), the data store and reuse, a counter
    payment, the step's handler and deadline, the signed result downloaded
    and verified, the rating."""
    P4, FORM4 = "DEMO.000004", {"purpose": "Bổ sung hồ sơ xin việc", "copies": 1}
    me, other = Client(port), Client(port)
    for cl, user, cid, born in ((me, "dao.vt", "031190007777", "1990-03-04"),
                                (other, "em.lt", "031192008888", "1992-05-06")):
        cl.session()
        st, doc, _, _ = cl.post("/api/accounts", {"username": user, "password": "Kien-Thuy-2026",
                                                  "profile": dict(APPLICANT, citizen_id=cid, birth_date=born)})
        check(st == 201, f"register {user}: {st} {doc}")
        cl.post("/api/login", {"username": user, "password": "Kien-Thuy-2026"})
    st, doc, _, _ = me.post("/api/dossiers", {"procedure": P4, "form_data": FORM4})
    check(st == 201 and doc["files"] == [], f"level-4 submission: {st} {doc}")
    code = doc.get("code", "")
    st, doc, _, _ = me.get(f"/api/dossiers/{code}/missing")
    check(st == 200 and doc == [], f"the e-form's data fills its only component: {doc}")

    # refused uploads: a clear error each, nothing stored, nothing left on disk
    for data, q, status, err, what in (
            (ELF, {"component": 0, "name": "to-khai.pdf"}, 415, "DVC_EMEDIATYPE", "an executable renamed .pdf"),
            (b"", {"component": 0, "name": "to-khai.pdf"}, 400, "DVC_EINVAL", "a zero-byte file"),
            (PDF, {"component": 0, "name": "to-khai.pdf", "size": len(PDF) + 100}, 400, "DVC_ETRUNCATED",
             "fewer bytes than the size announced"),
            (PDF, {"component": 0, "name": "../../etc/passwd"}, 400, "DVC_EINVAL", "a path in the file name"),
            (PDF, {"component": 0, "name": "C:\\to-khai.pdf"}, 400, "DVC_EINVAL", "a Windows path"),
            (PDF, {"component": 0}, 400, "DVC_EINVAL", "no file name"),
            (PDF, {"component": 7, "name": "a.pdf"}, 404, "DVC_ENOTFOUND", "an unknown component"),
            (PDF, {"component": "x", "name": "a.pdf"}, 400, "DVC_EINVAL", "a component that is no number"),
            (PDF, {"name": "a.pdf"}, 400, "DVC_EINVAL", "no component")):
        st, doc, _, _ = upload(me, code, data, **q)
        error_is(st, doc, status, err, what)
    st, doc, _, _ = upload(me, code, PDF, csrf=False, component=0, name="a.pdf")
    error_is(st, doc, 403, "DVC_EPERM", "an upload without the CSRF token")
    st, doc, _, _ = upload(other, code, PDF, component=0, name="a.pdf")
    check(st in (401, 403), f"another account uploads into my dossier: {st} {doc}")
    hdr = (f"Cookie: dvc_session={me.cookie}\r\nX-CSRF-Token: {me.csrf}\r\n"
           "Content-Type: application/octet-stream\r\n")
    st, doc = raw_socket(port, (f"POST /api/dossiers/{code}/files?component=0&name=big.pdf HTTP/1.1\r\n"
                                f"Host: x\r\n{hdr}Content-Length: {2 << 30}\r\n\r\n").encode(), b"%PDF" * 4096)
    error_is(st, doc, 413, "DVC_ETOOBIG", "a 2 GB upload, refused from its Content-Length")
    import socket
    s_ = socket.create_connection(("127.0.0.1", port), timeout=10)
    s_.sendall((f"POST /api/dossiers/{code}/files?component=0&name=cut.pdf HTTP/1.1\r\nHost: x\r\n"
                f"{hdr}Content-Length: 100000\r\n\r\n").encode() + PDF)
    s_.close()  # the connection drops mid-upload
    time.sleep(0.3)
    st, doc, _, _ = me.get(f"/api/dossiers/{code}/files")
    check(st == 200 and doc == [], f"no refused or truncated upload was stored: {doc}")
    check(os.listdir(files) == [], f"no spooled upload left behind: {os.listdir(files)}")

    st, f, _, _ = upload(me, code, PDF, component=0, name="tờ khai.pdf", form="original", size=len(PDF))
    check(st == 201 and f["component"] == 0 and f["media_type"] == "application/pdf"
          and f["size"] == len(PDF) and f["added_by"] == "account:dao.vt", f"upload: {st} {f}")
    st, doc, _, _ = me.get(f"/api/dossiers/{code}/missing")
    check(st == 200 and doc == [], f"nothing missing after the upload: {doc}")
    st, _, r, body = me.get(f"/api/dossiers/{code}/files/{f['id']}")
    check(st == 200 and body == PDF and "filename*=UTF-8''t%E1%BB%9D%20khai.pdf" in r.getheader("Content-Disposition"),
          f"download by the account: {st} {r.getheader('Content-Disposition')}")
    st, doc, _, _ = other.get(f"/api/dossiers/{code}/files/{f['id']}")
    check(st in (401, 403), f"another account downloads: {st} {doc}")

    # the data store: offered for reuse, only to its owner
    st, store, _, _ = me.get("/api/account/files")
    mine = [x for x in store if x["sha256"] == f["sha256"]] if st == 200 else []
    check(len(mine) == 1 and mine[0]["dossier"] == code, f"the account's data store: {store}")
    sid = mine[0]["id"] if mine else 0
    st, _, _, body = me.get(f"/api/account/files/{sid}")
    check(st == 200 and body == PDF, "download from the data store")
    st, doc, _, _ = other.get(f"/api/account/files/{sid}")
    error_is(st, doc, 404, "DVC_ENOTFOUND", "another account's stored document")
    st, doc, _, _ = Client(port).get("/api/account/files")
    error_is(st, doc, 401, "DVC_EAUTH", "the data store without signing in")
    st, doc, _, _ = me.post("/api/dossiers", {"procedure": P4, "form_data": FORM4})
    code2 = doc.get("code", "")
    st, doc, _, _ = other.post("/api/dossiers", {"procedure": P4, "form_data": FORM4})
    code3 = doc.get("code", "")
    st, doc, _, _ = other.post(f"/api/dossiers/{code3}/reuse", {"component": 0, "file": sid})
    check(st == 404 and doc["error"]["code"] == "DVC_ENOTFOUND",
          f"reusing another account's document: {st} {doc}")
    st, doc, _, _ = other.get(f"/api/dossiers/{code3}/files")
    check(st == 200 and doc == [], "nothing attached by the refused reuse")
    st, doc, _, _ = me.post(f"/api/dossiers/{code2}/reuse", {"component": 0, "file": "1"})
    error_is(st, doc, 422, "DVC_ESCHEMA", "reuse with a file id as text")
    st, doc, _, _ = me.post(f"/api/dossiers/{code2}/reuse", {"component": 0, "file": sid})
    check(st == 201 and doc["sha256"] == f["sha256"], f"reuse without a new upload: {st} {doc}")

    # the desk: intake, a fee paid at the counter, the step's handler and deadline
    desk, spec, lead = officer(port, "hoa.lt"), officer(port, "nam.tv"), officer(port, "hung.nd")
    st, doc, _, _ = desk.post(f"/api/dossiers/{code}/actions", {"action": "receive"})
    check(st == 200 and doc["fee_due"] == 8000 and doc["fee_paid"] == 0, f"received, fee due: {doc}")
    pay = {"receipt_no": "BL-2018-0042", "amount": 8000, "method": "cash"}
    st, doc, _, _ = me.post(f"/api/dossiers/{code}/counter-payment", pay)
    error_is(st, doc, 401, "DVC_EAUTH", "a citizen records a counter payment")
    st, doc, _, _ = spec.post(f"/api/dossiers/{code}/counter-payment", pay)
    error_is(st, doc, 403, "DVC_EPERM", "a specialist records a counter payment")
    st, doc, _, _ = desk.post(f"/api/dossiers/{code}/counter-payment", dict(pay, amount=9000))
    error_is(st, doc, 422, "DVC_EAMOUNT", "more than is owed")
    st, doc, _, _ = desk.post(f"/api/dossiers/{code}/counter-payment", dict(pay, amount="8000"))
    error_is(st, doc, 422, "DVC_ESCHEMA", "an amount as text")
    st, doc, _, _ = desk.post(f"/api/dossiers/{code}/counter-payment", pay)
    check(st == 200 and doc["fee_paid"] == 8000 and doc["history"][-1]["action"] == "pay",
          f"counter payment recorded: {st} {doc}")
    st, doc, _, _ = desk.post(f"/api/dossiers/{code}/counter-payment", pay)
    check(st == 409, f"paid twice: {st} {doc}")
    st, doc, _, _ = desk.post(f"/api/dossiers/{code}/actions", {"action": "forward"})
    check(st == 200 and doc["handler"] is None, f"no handler until the head assigns one: {doc}")
    st, doc, _, _ = officer(port, "lan.pt").post(f"/api/dossiers/{code}/actions",
                                                 {"action": "assign", "target": "nam.tv"})
    check(st == 200, f"the head of unit assigns nam.tv: {st} {doc}")
    st, doc, _, _ = me.get(f"/api/dossiers/{code}")
    check(st == 200 and doc["handler"] == "Trần Văn Nam" and doc["step_since"] and doc["step_due_at"]
          and isinstance(doc["seconds_in_step"], (int, float)) and doc["step_role"] == "specialist",
          f"tracking shows the handler, the step's start, deadline and time in it: {doc}")
    spec.post(f"/api/dossiers/{code}/actions", {"action": "forward"})

    # the signing leader attaches the result and signs it with the agency's key
    st, doc, _, _ = lead.post(f"/api/dossiers/{code}/sign", b"", ctype=None)
    error_is(st, doc, 404, "DVC_ENOTFOUND", "signing before a result is attached")
    st, doc, _, _ = upload(spec, code, PDF, component="result", name="ban-sao.pdf")
    check(st in (403, 409), f"the specialist attaches a result: {st} {doc}")
    st, doc, _, _ = upload(lead, code, PDF, component="result", name="ban-sao-trich-luc.pdf")
    check(st == 201 and doc["component"] == "result", f"the result attached: {st} {doc}")
    st, sig, _, _ = lead.post(f"/api/dossiers/{code}/sign", b"", ctype=None)
    check(st == 201 and sig["form"] == "ecopy" and sig["media_type"] == "application/xml",
          f"the result signed: {st} {sig}")
    st, doc, _, _ = me.post(f"/api/dossiers/{code}/rating", {"scores": {"overall": 5}})
    error_is(st, doc, 409, "DVC_ETRANSITION", "a rating before the result is returned")
    lead.post(f"/api/dossiers/{code}/actions", {"action": "forward"})
    st, doc, _, _ = desk.post(f"/api/dossiers/{code}/actions", {"action": "return", "delivery": "online"})
    check(st == 200 and doc["state"] == "returned" and doc["delivery"] == "online", f"returned online: {doc}")

    # the applicant downloads the signed result; it verifies, a changed byte does not
    st, doc, _, _ = me.get(f"/api/dossiers/{code}/files")
    signed = [x for x in doc if x["component"] == "result" and x["form"] == "ecopy"
              and "replaced_by" not in x] if st == 200 else []
    check(len(signed) == 1 and signed[0]["id"] == sig.get("id"), f"the signed result listed: {doc}")
    st, _, r, xml = me.get(f"/api/dossiers/{code}/files/{sig.get('id')}")
    check(st == 200 and r.getheader("Content-Type") == "application/xml" and code.encode() in xml,
          f"the signed result downloaded: {st}")
    if shutil.which("xmlsec1"):
        path = os.path.join(tmp, "ket-qua.xml")
        open(path, "wb").write(xml)
        ok = subprocess.run(["xmlsec1", "--verify", "--trusted-pem", CERT, path], capture_output=True)
        check(ok.returncode == 0, f"xmlsec1 --verify accepts it: {ok.stderr[-300:]}")
        i = xml.index(b"<noiDung") + 200
        open(path, "wb").write(xml[:i] + (b"A" if xml[i:i + 1] != b"A" else b"B") + xml[i + 1:])
        bad = subprocess.run(["xmlsec1", "--verify", "--trusted-pem", CERT, path], capture_output=True)
        check(bad.returncode != 0, "one changed byte fails the verification")
    st, store, _, _ = me.get("/api/account/files")
    check(st == 200 and any(x["component"] == "result" and x["sha256"] == sig.get("sha256") for x in store),
          "the signed result is kept in the account's data store")

    # the rating: the applicant only, once
    st, crit, _, _ = Client(port).get("/api/rating/criteria")
    check(st == 200 and crit["criteria"][0] == {"name": "overall", "label": "Đánh giá tổng thể dịch vụ",
                                                "required": True} and crit["max"] == 5,
          f"the rating form: {crit}")
    st, doc, _, _ = other.post(f"/api/dossiers/{code}/rating", {"scores": {"overall": 1}})
    error_is(st, doc, 403, "DVC_EPERM", "a rating by another account")
    st, doc, _, _ = desk.post(f"/api/dossiers/{code}/rating", {"scores": {"overall": 5}})
    error_is(st, doc, 403, "DVC_EPERM", "a rating by an officer")
    st, doc, _, _ = me.post(f"/api/dossiers/{code}/rating", {"scores": {"overall": 9}})
    error_is(st, doc, 400, "DVC_ERANGE", "a score out of range")
    st, doc, _, _ = me.post(f"/api/dossiers/{code}/rating", {"scores": {"speed": 5}})
    error_is(st, doc, 400, "DVC_EINVAL", "an unknown criterion")
    st, doc, _, _ = me.post(f"/api/dossiers/{code}/rating", {"scores": "5"})
    error_is(st, doc, 422, "DVC_ESCHEMA", "scores that are no object")
    st, doc, _, _ = me.get(f"/api/dossiers/{code}/rating")
    error_is(st, doc, 404, "DVC_ENOTFOUND", "no rating stored by the refusals")
    st, doc, _, _ = me.post(f"/api/dossiers/{code}/rating",
                            {"scores": {"overall": 5, "attitude": 4}, "comment": "Nhanh, đúng hẹn"})
    check(st == 201 and doc["scores"] == {"overall": 5, "attitude": 4} and doc["comment"] == "Nhanh, đúng hẹn",
          f"rated: {st} {doc}")
    st, doc, _, _ = me.post(f"/api/dossiers/{code}/rating", {"scores": {"overall": 1}})
    error_is(st, doc, 409, "DVC_EEXISTS", "a rating twice")
    st, doc, _, _ = desk.get(f"/api/dossiers/{code}/rating")
    check(st == 200 and doc["scores"]["overall"] == 5, "the officer reads the rating")

    # the proof bundle: for the applicant and officers, verified offline by dvc proof verify
    st, _, r, bundle = me.get(f"/api/dossiers/{code}/proof")
    check(st == 200 and r.getheader("Content-Type").startswith("application/json")
          and f'filename="{code}-proof.json"' in (r.getheader("Content-Disposition") or ""),
          f"the owner downloads the proof bundle: {st}")
    path = os.path.join(tmp, "proof.json")
    open(path, "wb").write(bundle)
    ok = subprocess.run([DVC, "proof", "verify", path], capture_output=True)
    check(ok.returncode == 0, f"dvc proof verify accepts it: {ok.stderr[-300:]}")
    i = bundle.index(b'"hash"') + 12
    open(path, "wb").write(bundle[:i] + (b"0" if bundle[i:i + 1] != b"0" else b"1") + bundle[i + 1:])
    bad = subprocess.run([DVC, "proof", "verify", path], capture_output=True)
    check(bad.returncode != 0, "a changed byte fails the bundle")
    st, _, _, same = desk.get(f"/api/dossiers/{code}/proof")
    check(st == 200 and same == bundle, f"an officer downloads the same bundle: {st}")
    st, doc, _, _ = other.get(f"/api/dossiers/{code}/proof")
    error_is(st, doc, 403, "DVC_EPERM", "another account's proof bundle")
    st, doc, _, _ = Client(port).get(f"/api/dossiers/{code}/proof")
    error_is(st, doc, 401, "DVC_EAUTH", "a proof bundle without the secret")

    # files, downloads and the rating take the client key too: a guesser's
    # wrong secrets lock the guesser, never the owner at another address
    anon = Client(port, src="127.0.0.11")
    anon.session()
    st, doc, _, _ = anon.post("/api/dossiers", {"procedure": P4, "applicant": APPLICANT, "form_data": FORM4})
    check(st == 201 and doc.get("secret"), f"an anonymous level-4 dossier: {st} {doc}")
    acode, asecret = doc.get("code", ""), doc.get("secret", "")
    st, doc, _, _ = upload(anon, acode, PDF, headers={"X-Tracking-Secret": asecret}, component=0, name="to-khai.pdf")
    check(st == 201, f"the anonymous applicant uploads: {st} {doc}")
    fid = doc.get("id", 1)
    guess = Client(port, src="127.0.0.12")
    wrong = "A" * 20
    answers = [guess.get(f"/api/dossiers/{acode}/files?secret={wrong}")[0] for _ in range(3)]
    answers += [guess.get(f"/api/dossiers/{acode}/files/{fid}?secret={wrong}")[0] for _ in range(2)]
    answers += [guess.get(f"/api/dossiers/{acode}/rating?secret={wrong}")[0] for _ in range(2)]
    answers += [guess.get(f"/api/dossiers/{acode}/proof?secret={wrong}")[0]]
    check(answers[:5] == [401] * 5 and set(answers[5:]) == {429},
          f"wrong secrets on files, downloads, rating and proof count for the guesser: {answers}")
    st, _, _, _ = guess.get(f"/api/dossiers/{acode}/files?secret={asecret}")
    check(st == 429, "the guessing address is locked even with the right secret")
    st, doc, _, _ = anon.get(f"/api/dossiers/{acode}/files?secret={asecret}")
    check(st == 200 and len(doc) == 1, f"the owner still lists the files: {st}")
    st, _, _, body = anon.get(f"/api/dossiers/{acode}/files/{fid}?secret={asecret}")
    check(st == 200 and body == PDF, f"the owner still downloads: {st}")
    st, doc, _, _ = anon.get(f"/api/dossiers/{acode}/rating?secret={asecret}")
    error_is(st, doc, 404, "DVC_ENOTFOUND", "the owner reads the (absent) rating")
    st, _, _, _ = anon.get(f"/api/dossiers/{acode}/proof?secret={asecret}")
    check(st == 200, f"the owner still downloads the proof bundle: {st}")


if __name__ == "__main__":
    sys.exit(main())
