/* A provider's discovery document (oidc.h, OpenID Connect Discovery 1.0):
 * read only when its issuer is the client's and every URL passes the
 * configuration's rule; a refused document leaves the client as it was;
 * the JWKS URL a front end fetches is checked by the same rule. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ISS "https://xacthuc.example.vn"

static dvc_oidc_client *make(void)
{
	dvc_oidc_config cfg = DVC_OIDC_CONFIG_INIT;
	dvc_oidc_client *c;
	cfg.issuer = ISS;
	cfg.client_id = "dvc-hai-phong";
	cfg.client_secret = "bi-mat-cua-cong";
	cfg.redirect_uri = "https://dichvucong.haiphong.gov.vn/auth/vneid/callback";
	ck_ok(dvc_oidc_client_new(&c, &cfg));
	return c;
}

#define DOC(iss, extra)                                                                            \
	"{\"issuer\":\"" iss "\",\"authorization_endpoint\":\"" ISS "/connect/authorize\","           \
	"\"token_endpoint\":\"" ISS "/connect/token\",\"jwks_uri\":\"" ISS "/jwks\"" extra "}"

START_TEST(discovery_read_and_checked)
{
	dvc_oidc_client *c = make();
	const char *good = DOC(ISS, ",\"userinfo_endpoint\":\"" ISS "/connect/userinfo\"");
	struct {
		const char *doc, *path;
		int want;
	} bad[] = {
		{DOC("https://khac.example.vn", ""), "issuer", DVC_EINVAL},
		{DOC(ISS "/", ""), "issuer", DVC_EINVAL},
		{"{\"issuer\":\"" ISS "\",\"authorization_endpoint\":\"" ISS "/a\",\"token_endpoint\":\"" ISS
		 "/t\"}", "jwks_uri", DVC_EINVAL},
		{DOC(ISS, ",\"userinfo_endpoint\":\"http://xacthuc.example.vn/u\""), "userinfo_endpoint",
		 DVC_EINVAL},
		{DOC(ISS, ",\"userinfo_endpoint\":7"), "userinfo_endpoint", DVC_ESCHEMA},
		{"{\"issuer\":\"" ISS "\",\"authorization_endpoint\":\"" ISS "/a#x\",\"token_endpoint\":\"" ISS
		 "/t\",\"jwks_uri\":\"" ISS "/k\"}", "authorization_endpoint", DVC_EINVAL},
		{"[1,2]", NULL, DVC_ESCHEMA},
		{"{\"issuer\":", NULL, DVC_EPARSE},
	};
	ck_assert_str_eq(dvc_oidc_client_discovery_url(c), ISS "/.well-known/openid-configuration");
	ck_assert_ptr_null(dvc_oidc_client_jwks_url(c));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(dvc_oidc_client_set_discovery(c, bad[i].doc, strlen(bad[i].doc)), bad[i].want);
		if (bad[i].path)
			ck_assert_str_eq(dvc_error_last()->path, bad[i].path);
		/* nothing taken from a refused document */
		ck_assert_ptr_null(dvc_oidc_client_jwks_url(c));
		ck_assert_str_eq(dvc_oidc_client_userinfo_url(c), ISS "/oauth2/userinfo");
	}
	{
		size_t n = DVC_OIDC_DISCOVERY_MAX + 64;
		char *big = malloc(n + 1);
		ck_assert_ptr_nonnull(big);
		memset(big, ' ', n);
		memcpy(big, good, strlen(good));
		big[n] = '\0';
		ck_assert_int_eq(dvc_oidc_client_set_discovery(c, big, n), DVC_ETOOBIG);
		free(big);
	}
	ck_ok(dvc_oidc_client_set_discovery(c, good, strlen(good)));
	ck_assert_str_eq(dvc_oidc_client_jwks_url(c), ISS "/jwks");
	ck_assert_str_eq(dvc_oidc_client_userinfo_url(c), ISS "/connect/userinfo");
	dvc_oidc_client_free(c);
}
END_TEST

START_TEST(fetched_urls_follow_the_configuration_rule)
{
	ck_ok(dvc_oidc_url_check("https://xacthuc.example.vn/jwks"));
	ck_ok(dvc_oidc_url_check("http://127.0.0.1:8443/jwks"));
	ck_ok(dvc_oidc_url_check("http://localhost/jwks"));
	ck_assert_int_eq(dvc_oidc_url_check("http://xacthuc.example.vn/jwks"), DVC_EINVAL);
	ck_assert_int_eq(dvc_oidc_url_check("http://127.0.0.1.example.vn/jwks"), DVC_EINVAL);
	ck_assert_int_eq(dvc_oidc_url_check("https:///jwks"), DVC_EINVAL);
	ck_assert_int_eq(dvc_oidc_url_check("https://xacthuc.example.vn/jwks#k"), DVC_EINVAL);
	ck_assert_int_eq(dvc_oidc_url_check(""), DVC_EINVAL);
	ck_assert_int_eq(dvc_oidc_url_check(NULL), DVC_EINVAL);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {discovery_read_and_checked, fetched_urls_follow_the_configuration_rule,
				      NULL};
	return run_tests("discovery", NULL, NULL, 0, tests);
}
