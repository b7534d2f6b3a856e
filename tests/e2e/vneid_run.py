#!/usr/bin/env python3
"""The browser test of sign-in with VNeID (tests/e2e/vneid.e2e.mjs): the
local OpenID provider tests/oidc_op.py (authlib) named
http://localhost:PORT, the portal dvc-httpd with --oidc-* on
http://127.0.0.1:PORT2 (another site: the SameSite cookies meet a real
cross-site redirect chain), a fresh demo store, and Debian's Chromium
headless driven by playwright-core. Screenshots and both servers' logs go to
ARTIFACTS-DIR.

usage: vneid_run.py DVC-HTTPD DVC-CLI SOURCE-ROOT ARTIFACTS-DIR

Skips (exit 77) when node, Chromium or playwright-core (npm ci in
tests/e2e) are missing, unless DVC_E2E_REQUIRED=1, or when authlib cannot
be imported, unless DVC_OIDC_REQUIRED=1 (scripts/test.sh sets both): then a
missing piece is a failure.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import httpd_harness as H  # noqa: E402 (tests/httpd_harness.py)

HTTPD, DVC, ROOT, ARTIFACTS = sys.argv[1:5]
E2E = os.path.join(ROOT, "tests", "e2e")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CLIENT_ID = "dvc-portal-e2e"


def skip(what, flag):
    print(f"vneid e2e: missing: {what}", file=sys.stderr)
    return 1 if os.environ.get(flag) == "1" else 77


def main():
    missing = []
    if not shutil.which("node"):
        missing.append("node")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append("chromium")
    if not os.path.isdir(os.path.join(E2E, "node_modules", "playwright-core")):
        missing.append("playwright-core (cd tests/e2e && npm ci)")
    if missing:
        return skip(" ".join(missing), "DVC_E2E_REQUIRED")
    try:
        import authlib  # noqa: F401
    except ImportError:
        return skip("authlib (Debian python3-authlib) for " + sys.executable, "DVC_OIDC_REQUIRED")

    tmp = tempfile.mkdtemp(prefix="vneid-e2e-")
    procs = []
    rc = 0
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    os.makedirs(ARTIFACTS)
    try:
        secret = os.path.join(tmp, "client-secret")
        secret_value = "e2e-" + os.urandom(24).hex()
        with open(secret, "w") as f:
            f.write(secret_value + "\n")
        os.chmod(secret, 0o600)
        pport = H.free_port()
        portal = f"http://127.0.0.1:{pport}"
        op_proc, op_port = H.start(
            [sys.executable, os.path.join(ROOT, "tests", "oidc_op.py"), "--host", "localhost",
             "--port-file", os.path.join(tmp, "op-port"), "--client-id", CLIENT_ID,
             "--client-secret-file", secret, "--redirect-uri", portal + "/auth/vneid/callback"],
            os.path.join(tmp, "op-port"), os.path.join(tmp, "op.log"), what="vneid e2e: the provider")
        procs.append(op_proc)
        op = "http://localhost:%d" % op_port
        db = H.fresh_store(tmp, "portal")
        # the demo store on today's date (the ID tokens carry today's time)
        subprocess.run([DVC, "--db", db, "demo", os.path.join(ROOT, "data")], check=True,
                       stdout=subprocess.DEVNULL, cwd=tmp)
        srv, _ = H.start_httpd(HTTPD, db, tmp, "--oidc-issuer", op, "--oidc-client-id", CLIENT_ID,
                               "--oidc-secret-file", secret, port=pport)
        procs.append(srv)
        env = dict(os.environ, BASE_URL=portal, OP_URL=op, ARTIFACTS=ARTIFACTS, CHROMIUM=CHROMIUM)
        try:
            rc = subprocess.run(["node", os.path.join(E2E, "vneid.e2e.mjs")], env=env,
                                timeout=240).returncode
        except subprocess.TimeoutExpired:
            print("vneid e2e: the browser test timed out", file=sys.stderr)
            rc = 1
        # a clean stop (SIGTERM) exits 0; under the sanitizers a leak report would not
        src, = H.stop([srv], timeout=30)
        if src != 0:
            print(f"vneid e2e: the server exited with status {src}", file=sys.stderr)
            rc = 1
        text = open(os.path.join(tmp, "server.log")).read()
        bad = [l for l in text.splitlines() if re.search(r" 5[0-9][0-9] [0-9]+ ", l)]
        if bad:
            print("vneid e2e: the server answered 5xx:\n" + "\n".join(bad), file=sys.stderr)
            rc = 1
        if "code=" in text or secret_value in text:
            print("vneid e2e: a code or the client secret in the server log", file=sys.stderr)
            rc = 1
    finally:
        H.stop(procs)
        for f in ("server.log", "op.log"):
            fp = os.path.join(tmp, f)
            if os.path.exists(fp):
                shutil.copy(fp, os.path.join(ARTIFACTS, f))
                if rc:
                    sys.stderr.write(f"---- {f}\n" + open(fp).read()[-4000:])
        shutil.rmtree(tmp, ignore_errors=True)
        H.drop_stores()
    print(f"vneid e2e: on {H.BACKEND}; screenshots and logs in {ARTIFACTS}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
