#!/usr/bin/env python3
"""Sign-in with VNeID in the example portal (examples/httpd/oidc.c, issue
18), end to end against a local OpenID provider built on authlib
(tests/oidc_op.py): browsers walk the redirects by hand (nothing followed
automatically, cookies kept per browser, by path), the portal fetches the
provider's discovery document and keys at start and its tokens with
libcurl.

Checked: an unlinked identity does not sign in; a password session links
it with ?link=1; a fresh browser then signs in with it alone (GET
/api/session: an account session with that username); and each attack
leaves the browser not signed in, with a 4xx and the library's error code
on the page: a forged ID token, a wrong audience, an expired token, the
provider's refusal, the callback URL replayed (the provider accepts codes
twice in that run: the portal refuses on its own, before asking), a code
injected into another sign-in (PKCE), and a callback from a browser that did
not start the sign-in. A server without --oidc-* says "vneid": false and
has no /auth/vneid.

usage: httpd_oidc_test.py DVC-HTTPD DVC-CLI SOURCE-ROOT
Exit 77 (skipped) when authlib cannot be imported, unless
DVC_OIDC_REQUIRED=1 (scripts/test.sh sets it).
"""
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

import httpd_harness as H

HTTPD, DVC, ROOT = sys.argv[1:4]
CLIENT_ID = "dvc-portal-test"
PROFILE = {"full_name": "Nguyễn Văn An", "citizen_id": "031099001234",
           "birth_date": "1999-05-12", "address": "Thôn 3, xã Thụy Hương, huyện Kiến Thụy",
           "phone": "0912 345 678"}

# birth registration (1.001193), a commune procedure: on today's date the
# profile's address lodges it at the commune's centre (as in httpd_api)
BIRTH = {"kinh_gui": "Ủy ban nhân dân xã Kiến Hưng", "nguoi_yeu_cau_ho_ten": "Nguyễn Văn An",
         "nguoi_yeu_cau_noi_cu_tru": "Thôn 3, xã Kiến Hưng, thành phố Hải Phòng",
         "nguoi_yeu_cau_giay_to_tuy_than": "Căn cước số 031099001234, Bộ Công an cấp ngày 10/01/2022",
         "quan_he": "Cha", "ho_ten": "Nguyễn Minh Khôi",
         "ngay_sinh_bang_chu": "Ngày một tháng một năm hai nghìn không trăm hai mươi sáu",
         "dan_toc": "Kinh", "quoc_tich": "Việt Nam", "noi_sinh": "Bệnh viện Phụ sản Hải Phòng",
         "que_quan": "xã Kiến Hưng, thành phố Hải Phòng", "me_ho_ten": "Trần Thị Bình",
         "me_dan_toc": "Kinh", "me_quoc_tich": "Việt Nam",
         "me_noi_cu_tru": "Thôn 3, xã Kiến Hưng, thành phố Hải Phòng", "ngay_sinh": "2026-01-01",
         "gioi_tinh": "Nam"}

check = H.check
failures = H.failures


class Browser:
    """Cookies per origin and path, redirects walked by hand."""

    def __init__(self):
        self.cookies = {}  # (host:port, name) -> (value, path)
        self.csrf = None

    def request(self, method, url, body=None, headers=None):
        u = urllib.parse.urlsplit(url)
        origin = u.netloc
        path = u.path + ("?" + u.query if u.query else "")
        h = dict(headers or {})
        jar = [f"{n}={v}" for (o, n), (v, p) in self.cookies.items()
               if o == origin and u.path.startswith(p)]
        if jar:
            h["Cookie"] = "; ".join(jar)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        for sc in r.headers.get_all("Set-Cookie") or []:
            m = re.match(r"([^=;\s]+)=([^;]*)(.*)", sc)
            attrs = m.group(3)
            p = re.search(r";\s*Path=([^;]*)", attrs, re.I)
            self.cookies[(origin, m.group(1))] = (m.group(2), p.group(1) if p else "/")
        return r.status, r, data

    def get(self, url):
        return self.request("GET", url)

    def session(self, portal):
        st, _, data = self.get(portal + "/api/session")
        doc = json.loads(data)
        self.csrf = doc.get("csrf")
        return doc

    def post_json(self, url, obj):
        st, r, data = self.request("POST", url, json.dumps(obj).encode(),
                                   {"Content-Type": "application/json", "X-CSRF-Token": self.csrf or ""})
        doc = json.loads(data) if data.startswith(b"{") else None
        if doc and "csrf" in doc:
            self.csrf = doc["csrf"]
        return st, doc


def page_error(data):
    text = data.decode("utf-8", "replace")
    code = re.search(r'<code id="code">([^<]*)</code>', text)
    path = re.search(r'<code id="path">([^<]*)</code>', text)
    return (code.group(1) if code else None), (path.group(1) if path else None), text


def to_provider(b, portal, link=False):
    """Start a sign-in; the provider's redirect back (the callback URL)."""
    st, r, data = b.get(portal + "/auth/vneid" + ("?link=1" if link else ""))
    check(st == 302, f"/auth/vneid redirects: {st} {data[:300]!r}")
    auth = r.getheader("Location") or ""
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(auth).query))
    check(q.get("code_challenge_method") == "S256" and q.get("state") and q.get("nonce")
          and q.get("client_id") == CLIENT_ID, f"authorization URL with PKCE, state, nonce: {auth}")
    st, r, data = b.get(auth)
    check(st == 302, f"the provider redirects back: {st} {data[:300]!r}")
    return r.getheader("Location") or ""


def signed_in(b, portal):
    doc = b.session(portal)
    return doc.get("actor")


def refused(b, portal, cb, status, code, path, what):
    st, r, data = b.get(cb)
    got, gpath, text = page_error(data)
    ok = st == status and got == code and (path is None or gpath == path)
    check(ok, f"{what}: want {status} {code} ({path}), got {st} {got} ({gpath})")
    check((r.getheader("Content-Type") or "").startswith("text/html; charset=utf-8")
          and "Đăng nhập bằng VNeID không thành công" in text,
          f"{what}: a Vietnamese error page")
    check(not re.search(r"dvc_session=", " ".join(r.headers.get_all("Set-Cookie") or [])),
          f"{what}: no session cookie set")
    check(signed_in(b, portal) is None, f"{what}: the browser is not signed in")


def op_get(op, path):
    with urllib.request.urlopen(op + path, timeout=10) as r:
        return json.loads(r.read())


def main():
    try:
        import authlib  # noqa: F401
    except ImportError:
        print("httpd_oidc: authlib (Debian python3-authlib) not found for " + sys.executable,
              file=sys.stderr)
        return 1 if os.environ.get("DVC_OIDC_REQUIRED") == "1" else 77
    tmp = tempfile.mkdtemp(prefix="httpd-oidc-")
    procs = []
    try:
        secret = os.path.join(tmp, "client-secret")
        with open(secret, "w") as f:
            f.write("s3cret-" + "x" * 40 + "\n")  # a trailing newline, as an editor leaves it
        os.chmod(secret, 0o600)
        pport = H.free_port()
        portal = f"http://127.0.0.1:{pport}"
        op_proc, op_port = H.start(
            [sys.executable, os.path.join(ROOT, "tests", "oidc_op.py"), "--port-file",
             os.path.join(tmp, "op-port"), "--client-id", CLIENT_ID, "--client-secret-file", secret,
             "--redirect-uri", portal + "/auth/vneid/callback"],
            os.path.join(tmp, "op-port"), os.path.join(tmp, "op.log"), what="the provider")
        procs.append(op_proc)
        op = "http://127.0.0.1:%d" % op_port
        db = H.fresh_store(tmp, "portal")
        # the demo store on today's date (the ID tokens carry today's time)
        subprocess.run([DVC, "--db", db, "demo", os.path.join(ROOT, "data")], check=True,
                       stdout=subprocess.DEVNULL, cwd=tmp)
        oidc = ["--oidc-issuer", op, "--oidc-client-id", CLIENT_ID, "--oidc-secret-file", secret]
        srv, _ = H.start_httpd(HTTPD, db, tmp, *oidc, port=pport)
        procs.append(srv)
        run(portal, op, db)
        check(H.stop([srv]) == [0], "the server stops cleanly")
        text = open(os.path.join(tmp, "server.log")).read()
        check("code=" not in text and "s3cret" not in text, "no code or secret in the server log")

        # the keys from a file and the library's default endpoints (no
        # discovery): a sign-in still works
        jwks = os.path.join(tmp, "jwks.json")
        with open(jwks, "wb") as f:
            f.write(urllib.request.urlopen(op + "/jwks", timeout=10).read())
        srv3, _ = H.start_httpd(HTTPD, db, tmp, *oidc, "--oidc-redirect-uri",
                                portal + "/auth/vneid/callback", "--oidc-jwks-file", jwks, port=pport)
        procs.append(srv3)
        z = Browser()
        z.session(portal)
        st, _, _ = z.get(to_provider(z, portal))
        check(st == 200 and signed_in(z, portal) == {"kind": "account", "username": "an.nv"},
              f"--oidc-jwks-file: a sign-in: {st}")
        check(H.stop([srv3]) == [0], "that server stops cleanly")

        # without --oidc-*: no button, no route
        srv2, plain_port = H.start_httpd(HTTPD, db, tmp)
        procs.append(srv2)
        plain = "http://127.0.0.1:%d" % plain_port
        b = Browser()
        check(b.session(plain).get("vneid") is False, "no --oidc-*: \"vneid\": false")
        st, _, _ = b.get(plain + "/auth/vneid")
        check(st == 404, f"no --oidc-*: /auth/vneid is 404: {st}")
        # half a configuration is refused at start
        p = subprocess.run([HTTPD, "--db", db, *H.files_args(tmp), "--port", "0", "--oidc-issuer", op],
                           capture_output=True, text=True, timeout=30)
        check(p.returncode != 0 and "go together" in p.stderr, f"half an OIDC configuration: {p.stderr}")
        # a provider whose keys cannot be fetched stops the server at start
        p = subprocess.run([HTTPD, "--db", db, *H.files_args(tmp), "--port", "0", "--oidc-issuer", op, "--oidc-client-id", CLIENT_ID,
                            "--oidc-secret-file", secret,
                            "--oidc-redirect-uri", portal + "/auth/vneid/callback",
                            "--oidc-jwks-uri", op + "/no-such-jwks"],
                           capture_output=True, text=True, timeout=30)
        check(p.returncode != 0 and "404" in p.stderr, f"unreachable keys stop the start: {p.stderr}")
    finally:
        H.stop(procs)
        if failures:
            for f in ("server.log", "op.log"):
                fp = os.path.join(tmp, f)
                if os.path.exists(fp):
                    sys.stderr.write(f"---- {f}\n" + open(fp).read()[-4000:])
        shutil.rmtree(tmp, ignore_errors=True)
        H.drop_stores()
    return H.summary("httpd_oidc")


def run(portal, op, db):
    b = Browser()
    doc = b.session(portal)
    check(doc.get("vneid") is True and doc.get("actor") is None, f"\"vneid\": true: {doc}")
    st, _, data = b.get(portal + "/")
    check(st == 200 and 'href="/auth/vneid">Đăng nhập bằng VNeID</a>' in data.decode()
          and 'href="/auth/vneid?link=1"' in data.decode(), "the page has the VNeID links")

    # ---- an identity linked to no account does not sign in ----
    cb = to_provider(b, portal)
    refused(b, portal, cb, 404, "DVC_ENOTFOUND", "sub", "an unlinked identity")

    # ---- ?link=1 needs a password session ----
    st, _, data = b.get(portal + "/auth/vneid?link=1")
    check(st == 401 and page_error(data)[0] == "DVC_EAUTH", f"?link=1 without a session: {st}")

    # ---- a password session links the identity ----
    st, doc = b.post_json(portal + "/api/accounts",
                          {"username": "an.nv", "password": "Kien-Thuy-2026", "profile": PROFILE})
    check(st == 201, f"register: {st} {doc}")
    st, doc = b.post_json(portal + "/api/login", {"username": "an.nv", "password": "Kien-Thuy-2026"})
    check(st == 200, f"password login: {st} {doc}")
    cb = to_provider(b, portal, link=True)
    st, r, data = b.get(cb)
    text = data.decode()
    check(st == 200 and 'id="username">an.nv<' in text and "Đã liên kết" in text,
          f"the link: {st} {text[:500]}")
    check('http-equiv="refresh" content="0;url=/"' in text, "the callback page moves on to /")
    sc = " ".join(r.headers.get_all("Set-Cookie") or [])
    check("dvc_session=" in sc and "HttpOnly" in sc and "SameSite=Strict" in sc,
          f"a new session cookie: {sc}")
    actor = signed_in(b, portal)
    check(actor == {"kind": "account", "username": "an.nv"}, f"signed in after the link: {actor}")

    # ---- a fresh browser signs in with VNeID alone ----
    c = Browser()
    c.session(portal)
    cb_good = to_provider(c, portal)
    st, r, data = c.get(cb_good)
    text = data.decode()
    check(st == 200 and 'id="username">an.nv<' in text and "Đã liên kết" not in text,
          f"VNeID sign-in: {st} {text[:500]}")
    check('id="assurance">2<' in text, "assurance level 2 from acr")
    actor = signed_in(c, portal)
    check(actor == {"kind": "account", "username": "an.nv"}, f"/api/session after VNeID: {actor}")
    st, _, data = c.get(portal + "/api/account")
    check(st == 200 and b"an.nv" in data, f"the session works for /api/account: {st}")
    # a dossier submitted in that session records the national sign-in; one
    # from the password session does not
    pw = Browser()
    pw.session(portal)
    st, doc = pw.post_json(portal + "/api/login", {"username": "an.nv", "password": "Kien-Thuy-2026"})
    check(st == 200, f"password login again: {st} {doc}")
    codes = []
    for who in (c, pw):
        st, doc = who.post_json(portal + "/api/dossiers", {"procedure": "1.001193", "form_data": BIRTH})
        check(st == 201, f"an account submission: {st} {doc}")
        codes.append((doc or {}).get("code"))
    # the codes come from the server: only their own characters in the query
    quoted = ", ".join("'%s'" % re.sub(r"[^0-9A-Za-z.-]", "", c or "") for c in codes)
    rows = dict(H.sql(db, "SELECT d.code, i.assurance FROM dossier d LEFT JOIN dossier_identity i "
                          f"ON i.dossier_id = d.id WHERE d.code IN ({quoted})"))
    check(rows.get(codes[0]) == "2" and codes[1] in rows and rows[codes[1]] is None,
          f"national sign-in recorded on the VNeID session's dossier only: {rows}")
    # tracking shows it to the applicant (the page prints it on the card)
    for code, want in ((codes[0], 2), (codes[1], 0)):
        st, _, data = c.get(portal + "/api/dossiers/" + urllib.parse.quote(code or "-"))
        view = json.loads(data) if st == 200 else {}
        check(st == 200 and view.get("national_signin") == want,
              f"tracking {code} shows national_signin {want}: {st} {view.get('national_signin')}")

    # ---- the callback URL replayed, the provider accepting codes twice ----
    op_get(op, "/test/reuse?on=1")
    d = Browser()
    d.session(portal)
    cb1 = to_provider(d, portal)
    st, _, _ = d.get(cb1)
    check(st == 200, f"a sign-in whose code the provider keeps: {st}")
    before = op_get(op, "/test/stats")["token_requests"]
    e = Browser()  # an attacker with the URL and the binding cookie
    e.session(portal)
    for (o, n), v in d.cookies.items():
        if n == "dvc_oidc":
            e.cookies[(o, n)] = v
    refused(e, portal, cb1, 404, "DVC_ENOTFOUND", "state", "the callback URL replayed")
    st, _, data = d.get(cb1)
    check(st == 404 and page_error(data)[0] == "DVC_ENOTFOUND",
          f"the callback URL again in its own browser: {st}")
    check(signed_in(d, portal) == {"kind": "account", "username": "an.nv"},
          "the replay leaves the first session as it was")
    after = op_get(op, "/test/stats")["token_requests"]
    check(after == before, f"a replay never reaches the token endpoint: {before} -> {after}")
    # the kept code injected into a new sign-in: the provider accepts the
    # code but PKCE (the new sign-in's verifier) refuses it
    f = Browser()
    f.session(portal)
    cb2 = to_provider(f, portal)
    old_code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(cb1).query))["code"]
    u = urllib.parse.urlsplit(cb2)
    q = dict(urllib.parse.parse_qsl(u.query), code=old_code)
    inj = urllib.parse.urlunsplit(u._replace(query=urllib.parse.urlencode(q)))
    refused(f, portal, inj, 401, "DVC_EAUTH", "error", "a code injected into another sign-in")
    op_get(op, "/test/reuse?on=0")

    # ---- a callback in a browser that did not start the sign-in ----
    g, h = Browser(), Browser()
    g.session(portal)
    h.session(portal)
    cb3 = to_provider(g, portal)
    refused(h, portal, cb3, 403, "DVC_EPERM", "state", "a callback from another browser")
    st, _, _ = g.get(cb3)
    check(st == 200 and signed_in(g, portal) == {"kind": "account", "username": "an.nv"},
          f"that refusal did not use up the sign-in of the browser that started it: {st}")

    # ---- tokens the provider makes wrong ----
    for mode, status, code, path, what in (
            ("forged", 403, "DVC_ESIGNATURE", "signature", "a forged ID token (another key)"),
            ("wrong-aud", 401, "DVC_EAUTH", "aud", "an ID token for another client"),
            ("expired", 410, "DVC_EEXPIRED", "exp", "an expired ID token"),
            ("deny", 401, "DVC_EAUTH", "error", "the provider's refusal (access_denied)")):
        op_get(op, "/test/mode?set=" + mode)
        x = Browser()
        x.session(portal)
        refused(x, portal, to_provider(x, portal), status, code, path, what)
    op_get(op, "/test/mode?set=good")
    y = Browser()
    y.session(portal)
    st, _, _ = y.get(to_provider(y, portal))
    check(st == 200 and signed_in(y, portal) is not None, f"good tokens again: {st}")


if __name__ == "__main__":
    sys.exit(main())
