#!/usr/bin/env python3
"""Keys and ID tokens for the oidc suite, made with authlib (Debian
python3-authlib) at test time, so that libdvc's verifier is checked against
another implementation's tokens and nothing secret is committed.

usage:
  oidc_jwt.py keys DIR
      write DIR/<name>.jwk (private JWKs: rsa, ec, rsa-other with the same
      kid as rsa, ec-other) and DIR/jwks.json (the public keys of rsa and
      ec: what the provider publishes)
  oidc_jwt.py sign DIR KEY ALG < claims.json
      print a compact JWS of the claims. KEY is a name above; ALG RS256 or
      ES256 is signed by authlib; ALG none makes an unsigned token; ALG
      HS256 makes an HMAC keyed with KEY's public JWK text (the classic
      confusion attack on a verifier that lets the token choose)
"""
import base64
import hashlib
import hmac
import json
import os
import sys

from authlib.jose import JsonWebKey, jwt

KEYS = {
    "rsa": ("RSA", 2048, "k-rsa"),
    "rsa-other": ("RSA", 2048, "k-rsa"),
    "ec": ("EC", "P-256", "k-ec"),
    "ec-other": ("EC", "P-256", "k-ec"),
}


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load(d, name):
    with open(os.path.join(d, name + ".jwk"), encoding="utf-8") as f:
        return JsonWebKey.import_key(json.load(f))


def full_size(jwk):
    """RFC 7518 6.2.1.2: an EC key's x, y (and d) are the curve's full
    coordinate size; authlib drops leading zero bytes (about one P-256 key
    in 128), which a conforming importer (libdvc's, through cjose) refuses.
    Pad them: the key is the same, its JWK is then the standard one."""
    if jwk.get("kty") == "EC":
        for c in ("x", "y", "d"):
            if c in jwk:
                raw = base64.urlsafe_b64decode(jwk[c] + "=" * (-len(jwk[c]) % 4))
                jwk[c] = b64(raw.rjust(32, b"\0"))
    return jwk


def keys(d):
    os.makedirs(d, exist_ok=True)
    public = []
    for name, (kty, size, kid) in KEYS.items():
        k = JsonWebKey.generate_key(kty, size, is_private=True)
        priv = full_size(k.as_dict(is_private=True))
        priv["kid"] = kid
        with open(os.path.join(d, name + ".jwk"), "w", encoding="utf-8") as f:
            json.dump(priv, f)
        if name in ("rsa", "ec"):
            pub = full_size(k.as_dict(is_private=False))
            pub.update(kid=kid, use="sig", alg="RS256" if kty == "RSA" else "ES256")
            public.append(pub)
    with open(os.path.join(d, "jwks.json"), "w", encoding="utf-8") as f:
        json.dump({"keys": public}, f)


def sign(d, name, alg, claims):
    k = load(d, name)
    kid = k.as_dict()["kid"]
    if alg in ("RS256", "ES256"):
        return jwt.encode({"alg": alg, "kid": kid, "typ": "JWT"}, claims, k).decode()
    header = {"alg": alg, "kid": kid, "typ": "JWT"}
    payload = json.dumps(claims, ensure_ascii=False).encode()
    signing_input = b64(json.dumps(header).encode()) + "." + b64(payload)
    if alg == "none":
        return signing_input + "."
    if alg == "HS256":
        secret = json.dumps(k.as_dict(is_private=False)).encode()
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        return signing_input + "." + b64(mac)
    raise SystemExit("unknown alg " + alg)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "keys":
        keys(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "sign":
        claims = json.load(sys.stdin)
        sys.stdout.write(sign(sys.argv[2], sys.argv[3], sys.argv[4], claims))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
