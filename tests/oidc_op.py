#!/usr/bin/env python3
"""A local OpenID provider for the example portal's VNeID sign-in test
(tests/httpd_oidc_test.py), built on authlib (Debian python3-authlib).

What is authlib's: the authorization server (authlib.oauth2.rfc6749
AuthorizationServer), the authorization-code grant with its client
authentication (client_secret_post), redirect URI and code checks
(grants.AuthorizationCodeGrant), PKCE (authlib.oauth2.rfc7636
CodeChallenge: the S256 check at the token endpoint), the OpenID Connect
extension that makes the ID token (authlib.oidc.core.grants.OpenIDCode: iss,
aud, iat, exp, nonce, at_hash, signed by authlib.jose), the bearer tokens
and the keys (authlib.jose.JsonWebKey). What is this file's: the few model
classes authlib asks an application for (a client, a code, in memory), the
adapter to Python's http.server (what authlib's Flask integration does for
Flask: build an OAuth2Request, send back status, body and headers), and the
test switches below. authlib ships no server of its own outside Flask and
Django, which are not used here.

usage: oidc_op.py --port-file FILE --client-id ID --client-secret-file FILE
                  --redirect-uri URL [--port N] [--host NAME]

It listens on 127.0.0.1; --host names it in the issuer and its endpoints
(default 127.0.0.1): the browser test (tests/e2e/vneid.e2e.mjs) gives
localhost, another site than the portal's 127.0.0.1, so that the portal's
SameSite cookies meet a real cross-site redirect.

Endpoints: /.well-known/openid-configuration, /jwks, /oauth2/authorize
(approves the test citizen at once, no login page; requires PKCE S256),
/oauth2/token, /oauth2/userinfo. Test switches (GET):
  /test/mode?set=good|forged|wrong-aud|expired|deny
      how the next ID tokens are made: forged is signed with a key the
      provider does not publish, wrong-aud names another client, expired
      has its exp 300 s ago, deny answers the authorization with
      error=access_denied
  /test/reuse?on=1|0
      keep codes after use: the provider then accepts a code twice, so a
      replay must be refused by the portal itself
  /test/stats
      {"token_requests": N, "tokens_issued": N}
"""
import argparse
import hmac
import json
import os
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

# plain http on loopback (the test); authlib refuses it otherwise
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

from authlib.common.security import generate_token  # noqa: E402
from authlib.jose import JsonWebKey  # noqa: E402
from authlib.oauth2 import AuthorizationServer, OAuth2Request  # noqa: E402
from authlib.oauth2.rfc6749 import ClientMixin, grants  # noqa: E402
from authlib.oauth2.rfc6750 import BearerTokenGenerator  # noqa: E402
from authlib.oauth2.rfc7636 import CodeChallenge  # noqa: E402
from authlib.oidc.core import UserInfo  # noqa: E402
from authlib.oidc.core.grants import OpenIDCode  # noqa: E402
from authlib.oidc.core.models import AuthorizationCodeMixin  # noqa: E402

# The test citizen: the claims the National Public Service Portal's
# provider is said to give (public implementations, unconfirmed: see
# docs/national.md §4); the personal ID agrees with the birth date.
CITIZEN = {
    "sub": "vneid-7f3a",
    "SoDinhDanh": "031099001234",
    "HoVaTen": "NGUYỄN VĂN AN",
    "NgayThangNamSinh": "19990512",
    "LoaiTaiKhoan": "1",
    "acr": "2",
}


class State:
    issuer = None
    client = None
    key = None        # the signing key the provider publishes
    other_key = None  # a key it does not: forged tokens
    mode = "good"
    reuse = False
    codes = {}
    tokens = {}
    token_requests = 0
    tokens_issued = 0


class Client(ClientMixin):
    def __init__(self, client_id, secret, redirect_uri):
        self.client_id, self.secret, self.redirect_uri = client_id, secret, redirect_uri

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uri

    def get_allowed_scope(self, scope):
        return " ".join(s for s in scope.split() if s == "openid")

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret):
        return hmac.compare_digest(client_secret.encode(), self.secret.encode())

    def check_endpoint_auth_method(self, method, endpoint):
        return endpoint != "token" or method == "client_secret_post"

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class Code(AuthorizationCodeMixin):
    def __init__(self, code, request):
        self.code = code
        self.client_id = request.client.get_client_id()
        self.redirect_uri = request.redirect_uri
        self.scope = request.scope
        self.user = request.user
        self.nonce = request.data.get("nonce")
        self.code_challenge = request.data.get("code_challenge")
        self.code_challenge_method = request.data.get("code_challenge_method")
        self.auth_time = int(time.time())

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post"]

    def save_authorization_code(self, code, request):
        State.codes[code] = Code(code, request)

    def query_authorization_code(self, code, client):
        c = State.codes.get(code)
        if c and c.client_id == client.get_client_id() and time.time() - c.auth_time < 600:
            return c
        return None

    def delete_authorization_code(self, authorization_code):
        if not State.reuse:
            State.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return authorization_code.user


class OpenID(OpenIDCode):
    def exists_nonce(self, nonce, request):
        return any(c.nonce == nonce for c in State.codes.values())

    def get_jwt_config(self, grant):
        return {
            "key": State.other_key if State.mode == "forged" else State.key,
            "alg": "RS256",
            "iss": State.issuer,
            "exp": -300 if State.mode == "expired" else 300,
        }

    def get_audiences(self, request):
        if State.mode == "wrong-aud":
            return ["another-portal"]
        return super().get_audiences(request)

    def generate_user_info(self, user, scope):
        return UserInfo(user)


class Server(AuthorizationServer):
    def query_client(self, client_id):
        return State.client if client_id == State.client.client_id else None

    def save_token(self, token, request):
        State.tokens[token["access_token"]] = request.user
        State.tokens_issued += 1

    def create_oauth2_request(self, request):
        return request  # Handler builds the OAuth2Request

    def handle_response(self, status, body, headers):
        return status, body, headers

    def send_signal(self, name, *args, **kwargs):
        pass


def make_server():
    s = Server()
    s.register_token_generator("default", BearerTokenGenerator(
        lambda **kw: generate_token(42), expires_generator=300))
    s.register_grant(CodeGrant, [CodeChallenge(required=True), OpenID(require_nonce=True)])
    return s


AUTHZ = None


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("oidc_op: " + (fmt % args) + "\n")

    def send(self, status, body, headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        data = (body or "").encode()
        self.send_response(status)
        names = set()
        for k, v in headers:
            self.send_header(k, v)
            names.add(k.lower())
        if "content-type" not in names:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def request_obj(self, body=None):
        return OAuth2Request(self.command, State.issuer + self.path, body,
                             {k: v for k, v in self.headers.items()})

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        args = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/.well-known/openid-configuration":
            return self.send(200, {
                "issuer": State.issuer,
                "authorization_endpoint": State.issuer + "/oauth2/authorize",
                "token_endpoint": State.issuer + "/oauth2/token",
                "userinfo_endpoint": State.issuer + "/oauth2/userinfo",
                "jwks_uri": State.issuer + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
            })
        if url.path == "/jwks":
            pub = State.key.as_dict(is_private=False)
            pub.update(use="sig", alg="RS256")
            return self.send(200, {"keys": [pub]})
        if url.path == "/oauth2/authorize":
            if args.get("code_challenge_method") != "S256":
                return self.send(400, {"error": "invalid_request",
                                       "error_description": "PKCE S256 is required"})
            user = None if State.mode == "deny" else dict(CITIZEN)
            return self.send(*AUTHZ.create_authorization_response(self.request_obj(), grant_user=user))
        if url.path == "/oauth2/userinfo":
            auth = self.headers.get("Authorization", "")
            user = State.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
            if not user:
                return self.send(401, {"error": "invalid_token"})
            return self.send(200, {k: v for k, v in user.items() if k != "acr"})
        if url.path == "/test/mode" and args.get("set") in ("good", "forged", "wrong-aud", "expired", "deny"):
            State.mode = args["set"]
            return self.send(200, {"mode": State.mode})
        if url.path == "/test/reuse" and args.get("on") in ("0", "1"):
            State.reuse = args["on"] == "1"
            return self.send(200, {"reuse": State.reuse})
        if url.path == "/test/stats":
            return self.send(200, {"token_requests": State.token_requests,
                                   "tokens_issued": State.tokens_issued})
        return self.send(404, {"error": "not_found"})

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode() if n else ""
        if url.path != "/oauth2/token":
            return self.send(404, {"error": "not_found"})
        State.token_requests += 1
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype != "application/x-www-form-urlencoded":
            return self.send(400, {"error": "invalid_request"})
        form = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
        return self.send(*AUTHZ.create_token_response(self.request_obj(form)))


def main():
    global AUTHZ
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--client-secret-file", required=True)
    ap.add_argument("--redirect-uri", required=True)
    ap.add_argument("--host", default="127.0.0.1", choices=("127.0.0.1", "localhost"))
    a = ap.parse_args()
    with open(a.client_secret_file, encoding="utf-8") as f:
        secret = f.read().rstrip("\r\n")
    State.client = Client(a.client_id, secret, a.redirect_uri)
    State.key = JsonWebKey.generate_key("RSA", 2048, {"kid": "op-1"}, is_private=True)
    State.other_key = JsonWebKey.generate_key("RSA", 2048, {"kid": "op-1"}, is_private=True)
    AUTHZ = make_server()
    httpd = HTTPServer(("127.0.0.1", a.port), Handler)
    State.issuer = "http://%s:%d" % (a.host, httpd.server_port)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % httpd.server_port)
    os.rename(tmp, a.port_file)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
