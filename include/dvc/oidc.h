/*
 * libdvc — OpenID Connect sign-in (authorization-code flow with PKCE) at the
 * National Public Service Portal's authentication service, which signs
 * citizens in with VNeID.
 *
 * The library makes every decision; a front end only moves bytes:
 *
 *   1. dvc_oidc_begin(): a random state, nonce and PKCE verifier are kept in
 *      the store (table oidc_pending, so that any portal process can finish
 *      the sign-in) for DVC_OIDC_PENDING_SECONDS; the front end redirects
 *      the browser to the authorization URL it returns.
 *   2. dvc_oidc_callback(): the front end hands over the callback's raw
 *      query string. The state is looked up and consumed (a second use is
 *      refused), a provider `error=` is answered with its own error, and the
 *      token request is built: the front end POSTs
 *      dvc_oidc_login_token_body() to dvc_oidc_login_token_url() as
 *      application/x-www-form-urlencoded.
 *   3. dvc_oidc_token_response(): the token endpoint's answer is read with
 *      the strict JSON reader and its ID token verified with libcjose
 *      against the provider's keys (RS256 or ES256 only), its `iss`, `aud`,
 *      `azp`, `exp`, `iat` and `nonce` checked.
 *   4. dvc_oidc_signin(): the verified claims (the userinfo document when
 *      the front end fetched one, else the ID token's) find the account
 *      linked to the identity, or link it to the account that started the
 *      sign-in (identity.h: explicit, audited, never merged silently).
 *
 * The portal's endpoint paths and the meaning of its `acr` values come from
 * public implementations, not from its specification, which was not found:
 * see docs/national.md §1 and §4. They are defaults and configuration, not
 * code.
 */
#ifndef DVC_OIDC_H
#define DVC_OIDC_H

#include "dvc/account.h"
#include "dvc/common.h"
#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Limits, in bytes (longer input is DVC_ETOOBIG, never cut). */
#define DVC_OIDC_URL_MAX 2048
#define DVC_OIDC_CLIENT_ID_MAX 256
#define DVC_OIDC_SECRET_MAX 512
#define DVC_OIDC_ACR_MAX 256
/** A JWKS document. */
#define DVC_OIDC_JWKS_MAX 65536
/** A discovery document (openid-configuration). */
#define DVC_OIDC_DISCOVERY_MAX 65536
/** Keys kept from one JWKS (more is DVC_ETOOBIG). */
#define DVC_OIDC_JWKS_KEYS_MAX 32
/** The callback's query string. */
#define DVC_OIDC_QUERY_MAX 8192
/** The token endpoint's answer. */
#define DVC_OIDC_TOKEN_RESPONSE_MAX 65536
/** One ID token (compact JWS). */
#define DVC_OIDC_ID_TOKEN_MAX 16384
/** An access token. */
#define DVC_OIDC_ACCESS_TOKEN_MAX 8192

/** How long a started sign-in waits for its callback. */
#define DVC_OIDC_PENDING_SECONDS 600
/** Started sign-ins one client (dvc_caller) may have waiting at once. */
#define DVC_OIDC_PENDING_PER_CLIENT 20
/** Started sign-ins all clients together may have waiting at once. */
#define DVC_OIDC_PENDING_MAX 10000
/** Clock skew tolerated on `exp`, `iat` and `nbf`. */
#define DVC_OIDC_SKEW_SECONDS 120
/** An ID token issued longer ago than this (plus the skew) is refused. */
#define DVC_OIDC_IAT_MAX_AGE 600
/** Length of state, nonce and PKCE verifier: base64url of 32 random bytes. */
#define DVC_OIDC_RANDOM_LEN 43

/**
 * A provider and this portal's registration with it. Strings are copied by
 * dvc_oidc_client_new(). Initialise with DVC_OIDC_CONFIG_INIT.
 */
typedef struct dvc_oidc_config {
	unsigned int version;
	/** Required: https://, or http:// on a loopback host (127.0.0.1,
	 * [::1], localhost) for tests. No trailing slash. */
	const char *issuer;
	/** NULL: `<issuer>/oauth2/authorize`, `/oauth2/token`,
	 * `/oauth2/userinfo` (from public implementations, unconfirmed). */
	const char *authorization_endpoint;
	const char *token_endpoint;
	const char *userinfo_endpoint;
	const char *client_id;     /**< required */
	const char *client_secret; /**< required: sent in the token request body (client_secret_post) */
	const char *redirect_uri;  /**< required: the portal's callback URL, as registered */
	const char *scope;         /**< NULL: "openid" */
	const char *acr_values;    /**< NULL: none sent; else sent as `acr_values` */
	/** `acr` value that means assurance level 1, and level 2 (NULL: "1"
	 * and "2"; from public implementations, unconfirmed). A token without
	 * `acr` is level 1; another value is refused. */
	const char *acr_level1;
	const char *acr_level2;
	/** Lowest assurance level dvc_oidc_signin() accepts (0 or 1: any). */
	int min_assurance;
} dvc_oidc_config;

#define DVC_OIDC_CONFIG_VERSION 1
#define DVC_OIDC_CONFIG_INIT \
	{DVC_OIDC_CONFIG_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0}

/** A configured provider with its keys. Immutable once its keys are set:
 * one client may serve several threads. */
typedef struct dvc_oidc_client dvc_oidc_client;

/**
 * Check `cfg` and make a client (without keys: see dvc_oidc_client_set_jwks).
 * @return DVC_OK; DVC_EINVAL (path names the field: a required one missing,
 *   a URL that is not https:// or loopback http://, a URL with a fragment,
 *   min_assurance outside 0..2); DVC_ETOOBIG; DVC_EUTF8; DVC_ENOMEM.
 */
DVC_API int dvc_oidc_client_new(dvc_oidc_client **out, const dvc_oidc_config *cfg);
DVC_API void dvc_oidc_client_free(dvc_oidc_client *c);

/**
 * Replace the provider's signing keys with those of a JWKS document
 * ({"keys":[...]}, as served at the provider's jwks_uri). RSA keys of at
 * least 2048 bits and EC keys on P-256 whose `use` is absent or "sig" are
 * kept; symmetric ("oct") and other keys are skipped. Not thread-safe
 * against verifications on the same client.
 * @return DVC_OK; DVC_EPARSE; DVC_EUTF8; DVC_ETOOBIG (past
 *   DVC_OIDC_JWKS_MAX or DVC_OIDC_JWKS_KEYS_MAX keys); DVC_ESCHEMA (no
 *   `keys` array, a key that is not an object); DVC_EINVAL (a key libcjose
 *   cannot import, no usable signing key at all, or a library built
 *   without libcjose). The old keys stay on error.
 */
DVC_API int dvc_oidc_client_set_jwks(dvc_oidc_client *c, const char *json, size_t len);

/**
 * Take the provider's endpoints from its discovery document (OpenID
 * Connect Discovery 1.0, fetched by the front end from
 * dvc_oidc_client_discovery_url()): its `issuer` must be the client's
 * (§4.3); `authorization_endpoint`, `token_endpoint` and `jwks_uri` are
 * required, `userinfo_endpoint` optional, each checked as the
 * configuration's URLs are. They replace the configured or default ones.
 * Not thread-safe against other use of the same client.
 * @return DVC_OK; DVC_EPARSE; DVC_EUTF8; DVC_ETOOBIG (past
 *   DVC_OIDC_DISCOVERY_MAX); DVC_ESCHEMA (not an object, a member not a
 *   string); DVC_EINVAL (a member missing, another issuer, a URL refused:
 *   path names it). The client is unchanged on error.
 */
DVC_API int dvc_oidc_client_set_discovery(dvc_oidc_client *c, const char *json, size_t len);

/** The client's endpoints (borrowed, valid while the client lives). */
DVC_API const char *dvc_oidc_client_issuer(const dvc_oidc_client *c);
DVC_API const char *dvc_oidc_client_userinfo_url(const dvc_oidc_client *c);
/** `<issuer>/.well-known/openid-configuration`. */
DVC_API const char *dvc_oidc_client_discovery_url(const dvc_oidc_client *c);
/** Where the provider's keys are, from its discovery document; NULL before. */
DVC_API const char *dvc_oidc_client_jwks_url(const dvc_oidc_client *c);
/** A provider URL the front end fetches itself (a configured JWKS URL), by
 * the configuration's rule: DVC_OK, or DVC_EINVAL unless https:// (http://
 * only on a loopback host) without a fragment. */
DVC_API int dvc_oidc_url_check(const char *url);

/**
 * Start a sign-in: store a pending sign-in and give the authorization URL
 * (every parameter percent-encoded) to redirect the browser to.
 * `from` is the browser's client key (dvc_caller): one client may have
 * DVC_OIDC_PENDING_PER_CLIENT sign-ins waiting, everyone together
 * DVC_OIDC_PENDING_MAX. `link_username` (may be NULL) is the applicant
 * account signed in with its password that started this sign-in: an
 * identity not linked yet is then linked to it by dvc_oidc_signin().
 * Expired pending sign-ins are removed here.
 * @param url out: the authorization URL, free with dvc_free()
 * @return DVC_OK; DVC_ETHROTTLED (too many waiting: nothing stored);
 *   DVC_ENOTFOUND (link_username names no account); DVC_EINVAL; DVC_ENOMEM;
 *   DVC_EIO.
 */
DVC_API int dvc_oidc_begin(dvc_db *db, const dvc_oidc_client *c, const dvc_caller *from,
			   const char *link_username, char **url);

/** A sign-in between its callback and its end. Free with dvc_oidc_login_free(). */
typedef struct dvc_oidc_login dvc_oidc_login;

/**
 * Read the callback's query string (the part after '?', `len` bytes), find
 * its state among the pending sign-ins of this client's issuer and consume
 * it, whatever follows: a state is used once. Parameters are
 * percent-decoded; `iss` (RFC 9207), when present, must be the issuer.
 * @return DVC_OK and *out, the token request to make;
 *   DVC_EPARSE (bad percent-encoding, a parameter without '=');
 *   DVC_EDUPLICATE (a parameter twice); DVC_ETOOBIG; DVC_EUTF8;
 *   DVC_EINVAL (no state, or no code without an error: path names it);
 *   DVC_ENOTFOUND (path "state": unknown, already used, or another
 *   issuer's); DVC_EEXPIRED (path "state": older than
 *   DVC_OIDC_PENDING_SECONDS; consumed all the same);
 *   DVC_EAUTH (path "error": the provider answered `error=`, named in the
 *   message; path "iss": another issuer's response).
 */
DVC_API int dvc_oidc_callback(dvc_db *db, const dvc_oidc_client *c, const char *query, size_t len,
			      dvc_oidc_login **out);

/** Where to POST the token request and what (borrowed from the login):
 * application/x-www-form-urlencoded with grant_type, code, redirect_uri,
 * client_id, client_secret and code_verifier. */
DVC_API const char *dvc_oidc_login_token_url(const dvc_oidc_login *l);
DVC_API const char *dvc_oidc_login_token_body(const dvc_oidc_login *l);
/** The access token, once dvc_oidc_token_response() accepted the answer:
 * send it as "Authorization: Bearer <token>" to the userinfo endpoint.
 * NULL before. */
DVC_API const char *dvc_oidc_login_access_token(const dvc_oidc_login *l);
/** The ID token's verified claims as JSON text, NULL before. */
DVC_API const char *dvc_oidc_login_claims(const dvc_oidc_login *l);
DVC_API void dvc_oidc_login_free(dvc_oidc_login *l);

/**
 * Read the token endpoint's answer (`len` bytes of JSON) and verify its ID
 * token. The answer must be a JSON object with `access_token` (string),
 * `token_type` "Bearer" (any case) and `id_token`; an `error` member is
 * the provider's refusal. The ID token must be a compact JWS whose header
 * names alg RS256 or ES256 (never "none", never HS*), no `crit`, signed
 * by one of the client's keys (by `kid` when the header has one), with
 * `iss` equal to the issuer, `aud` the client id or an array holding it
 * (with more than one audience `azp` must be the client id; `azp`, when
 * present, always must), `exp` after now - DVC_OIDC_SKEW_SECONDS, `iat`
 * not after now + skew nor before now - DVC_OIDC_IAT_MAX_AGE - skew, `nbf`
 * (when present) not after now + skew, `nonce` the sign-in's, `sub` a
 * non-empty string. "now" is the store's clock.
 * A login whose answer was refused stays refused.
 * @return DVC_OK; DVC_EPARSE (malformed JSON or JWT); DVC_EUTF8;
 *   DVC_ETOOBIG; DVC_ESCHEMA (a member of the wrong type: path names it);
 *   DVC_EAUTH (path "error": the provider's refusal; path "iss", "aud",
 *   "azp", "nonce": the claim does not match; path "token_type");
 *   DVC_ESIGNATURE (path "alg": alg none, HS*, or unsupported; path
 *   "kid": no key for it; path "signature": no key verifies it);
 *   DVC_EEXPIRED (path "exp"); DVC_EDATE (path "iat" or "nbf": in the
 *   future, or "iat" too old); DVC_EINVAL (a required claim missing: path
 *   names it; no keys set; a library built without libcjose);
 *   DVC_ETXN (the login was already refused or used).
 */
DVC_API int dvc_oidc_token_response(dvc_db *db, const dvc_oidc_client *c, dvc_oidc_login *l,
				    const char *json, size_t len);

/** Who signed in (dvc_oidc_signin). Free with dvc_oidc_signin_free(). */
typedef struct dvc_oidc_signin_result {
	unsigned int version;
	const char *username; /**< the applicant account to open a session for */
	const char *issuer;
	const char *subject;
	int assurance;        /**< 1 or 2, from `acr` */
	int linked_now;       /**< 1 when this sign-in linked the identity */
} dvc_oidc_signin_result;

#define DVC_OIDC_SIGNIN_RESULT_VERSION 1

/**
 * Sign in with a verified login. The claims are the userinfo document
 * (`userinfo`, `len` bytes, when the front end fetched it with the access
 * token; its `sub` must be the ID token's) or else the ID token's own. The
 * assurance level comes from the ID token's `acr` (dvc_oidc_config). The
 * identity linked to (issuer, sub) signs in, its link refreshed (assurance,
 * verification time; audited); an identity not linked is linked to the
 * account that started the sign-in (dvc_oidc_begin's link_username),
 * audited with actor "oidc:<username>". A login signs in once.
 * @return DVC_OK and *out; DVC_ETXN (the login is not verified, or already
 *   signed in); DVC_EAUTH (path "sub": the userinfo's subject is not the
 *   ID token's); DVC_EINVAL (path "acr": a value that is neither level;
 *   a claim dvc_identity_parse_claims refuses, path names it);
 *   DVC_EPERM (path "acr": below min_assurance); DVC_ENOTFOUND (path
 *   "sub": no account is linked to this identity and no account started
 *   the sign-in); DVC_EMISMATCH, DVC_EEXISTS (from dvc_identity_link);
 *   DVC_EPARSE, DVC_ETOOBIG, DVC_ESCHEMA (the userinfo document).
 */
DVC_API int dvc_oidc_signin(dvc_db *db, const dvc_oidc_client *c, dvc_oidc_login *l,
			    const char *userinfo, size_t len, dvc_oidc_signin_result **out);
DVC_API void dvc_oidc_signin_free(dvc_oidc_signin_result *r);

/**
 * What to tell a citizen whose sign-in failed with `code` (the path the
 * error named, or NULL), in Vietnamese (static, UTF-8, NFC): an unlinked
 * identity, a used or expired sign-in, a refusal by the provider... The
 * English dvc_error.message is the detail.
 */
DVC_API const char *dvc_oidc_error_text_vi(int code, const char *path);

#ifdef __cplusplus
}
#endif
#endif
