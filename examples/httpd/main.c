/* dvc-httpd: the example portal server. See httpd.h for the design and
 * api.c for the routes.
 *
 *   dvc-httpd --db FILE [--port N] [--listen ADDR] [--threads N]
 *             [--files-dir DIR] [--officer-tokens FILE] [--session-ttl SECONDS]
 *             [--secure-cookies] [--port-file FILE] [--clock-start INSTANT]
 *             [--per-ip-connections N] [--max-upload BYTES]
 *             [--sign-key FILE --sign-cert FILE]
 *             [--oidc-issuer URL --oidc-client-id ID --oidc-secret-file FILE
 *              [--oidc-redirect-uri URL] [--oidc-jwks-file FILE | --oidc-jwks-uri URL]]
 *
 * Loopback (127.0.0.1) by default; --port 0 picks a free port, printed on
 * stdout and written to --port-file. One line per request on stderr.
 * SIGINT/SIGTERM stop it cleanly. The gateway secret for payment callbacks
 * comes from DVC_GATEWAY_SECRET (name from DVC_GATEWAY, default "vnpay"),
 * as in the CLI, so it never appears in a process listing. --clock-start
 * runs the portal's clock from another instant (deadlines, codes, the
 * agencies in force): a store of the 2018 reference case is served as it
 * was, not as of today.
 *
 * Sign-in with VNeID (oidc.c) is on when --oidc-issuer, --oidc-client-id
 * and --oidc-secret-file are all given, in a build with libcurl and
 * libcjose; the provider's keys are read once at start. */
#include "httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int usage(FILE *f)
{
	fputs("usage: dvc-httpd --db FILE [--port N] [--listen ADDR] [--threads N]\n"
	      "                 [--files-dir DIR] [--officer-tokens FILE] [--session-ttl SECONDS]\n"
	      "                 [--secure-cookies] [--port-file FILE] [--clock-start INSTANT]\n"
	      "                 [--per-ip-connections N]   (default 32; idle ones close after 30 s)\n"
	      "                 [--register-slots N]       (registrations hashing at once; default 1)\n"
	      "                 [--max-upload BYTES]       (one uploaded file; default 20 MiB)\n"
	      "                 [--sign-key FILE --sign-cert FILE] (PEM; password in DVC_SIGN_KEY_PASSWORD)\n"
	      "  --files-dir: where uploads and downloads are spooled (default DB.files;\n"
	      "    required with a PostgreSQL store).\n"
	      "  --sign-key/--sign-cert: the agency's key the signing leader signs results with.\n"
	      "  --port 0 picks a free port. Officer desk tokens: lines \"username:token\"\n"
	      "  (at least 16 characters each); the example's stand-in for a portal's SSO.\n"
	      "  --clock-start 2018-07-09T08:00:00+07:00 runs the portal's clock from then on.\n"
	      "Sign-in with VNeID (OpenID Connect; needs a build with libcurl and libcjose):\n"
	      "  --oidc-issuer URL --oidc-client-id ID --oidc-secret-file FILE (all three)\n"
	      "  --oidc-redirect-uri URL  the registered callback (default\n"
	      "                           http://LISTEN:PORT/auth/vneid/callback; needed with --port 0)\n"
	      "  --oidc-jwks-file FILE    the provider's keys; else fetched from --oidc-jwks-uri URL,\n"
	      "                           else from ISSUER/.well-known/openid-configuration\n",
	      f);
	return f == stderr ? 2 : 0;
}

static int fail(const char *what, const char *detail)
{
	fprintf(stderr, "dvc-httpd: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	return 1;
}

/* Read "username:token" lines ('#' comments and blank lines skipped) and
 * give each officer that credential (dvc_officer_set_secret: hashed in the
 * store, so every server process on it knows it). */
static int read_officer_tokens(dvc_db *db, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int lineno = 0, rc = 0;
	if (!f)
		return fail(path, strerror(errno));
	while (!rc && fgets(line, sizeof line, f)) {
		char *colon, *end = line + strcspn(line, "\r\n");
		lineno++;
		*end = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (!(colon = strchr(line, ':')) || colon == line || strlen(colon + 1) < 16) {
			fprintf(stderr, "dvc-httpd: %s:%d: want \"username:token\" with a token of at "
					"least 16 characters\n", path, lineno);
			rc = 1;
		} else {
			*colon = '\0';
			if (dvc_officer_set_secret(db, line, colon + 1) != DVC_OK) {
				if (dvc_error_last()->code != DVC_ENOTFOUND)
					rc = fail(path, dvc_error_last()->message);
				else /* a desk of another store: it signs nobody in here */
					fprintf(stderr, "dvc-httpd: %s:%d: no officer %s in this store\n",
						path, lineno, line);
			}
		}
		sodium_memzero(line, sizeof line);
	}
	fclose(f);
	return rc;
}

static long num_arg(const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);
	return *s && !*end && v >= lo && v <= hi ? v : -1;
}

typedef struct text_opt {
	const char *name;
	const char **to;
} text_opt;

/* Set the text option named `a` to v: 1, or 0 when `a` is none of them. */
static int text_option(const text_opt *t, const char *a, const char *v)
{
	for (; t->name; t++)
		if (strcmp(a, t->name) == 0) {
			*t->to = v;
			return 1;
		}
	return 0;
}

int main(int argc, char **argv)
{
	httpd srv;
	httpd_oidc_opts oidc = {0};
	char redirect[128];
	const char *listen_addr = "127.0.0.1", *port_file = NULL, *tokens = NULL;
	long port = 8080, threads = 4, ttl = DVC_SESSION_TTL_DEFAULT, per_ip = 32, register_slots = HTTPD_REGISTER_SLOTS_DEFAULT;
	long long max_upload = HTTPD_MAX_UPLOAD_DEFAULT;
	char files_dir[4096] = "";
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	dvc_db *db;
	sigset_t sigs;
	int sig, rc = 0;

	/* the options that name a file, an address or a value taken as it is */
	const text_opt texts[] = {
		{"--db", &srv.db_path},
		{"--listen", &listen_addr},
		{"--sign-key", &srv.sign.key_file},
		{"--sign-cert", &srv.sign.cert_file},
		{"--officer-tokens", &tokens},
		{"--port-file", &port_file},
		{"--oidc-issuer", &oidc.issuer},
		{"--oidc-client-id", &oidc.client_id},
		{"--oidc-secret-file", &oidc.secret_file},
		{"--oidc-redirect-uri", &oidc.redirect_uri},
		{"--oidc-jwks-file", &oidc.jwks_file},
		{"--oidc-jwks-uri", &oidc.jwks_uri},
		{NULL, NULL},
	};

	memset(&srv, 0, sizeof srv);
	srv.sign = (dvc_sign_opts)DVC_SIGN_OPTS_INIT;
	srv.sign.password = getenv("DVC_SIGN_KEY_PASSWORD");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0)
			return usage(stdout);
		if (strcmp(a, "--secure-cookies") == 0) {
			srv.secure_cookies = 1;
			continue;
		}
		if (!v)
			return usage(stderr);
		i++;
		if (text_option(texts, a, v))
			;
		else if (strcmp(a, "--port") == 0 && (port = num_arg(v, 0, 65535)) >= 0)
			;
		else if (strcmp(a, "--threads") == 0 && (threads = num_arg(v, 1, 64)) > 0)
			;
		else if (strcmp(a, "--per-ip-connections") == 0 && (per_ip = num_arg(v, 1, 512)) > 0)
			;
		else if (strcmp(a, "--register-slots") == 0 && (register_slots = num_arg(v, 1, 64)) > 0)
			;
		else if (strcmp(a, "--session-ttl") == 0 && (ttl = num_arg(v, 1, DVC_SESSION_TTL_MAX)) > 0)
			;
		else if (strcmp(a, "--max-upload") == 0) {
			char *end;
			max_upload = strtoll(v, &end, 10);
			if (*end || max_upload < 1 || max_upload > DVC_FILE_MAX_BYTES)
				return fail("--max-upload wants a byte count up to the library's ceiling (1 GiB)", v);
		} else if (strcmp(a, "--files-dir") == 0)
			snprintf(files_dir, sizeof files_dir, "%s", v);
		else if (strcmp(a, "--clock-start") == 0) {
			dvc_time start;
			if (dvc_time_parse(v, &start) != DVC_OK)
				return fail("--clock-start wants an ISO 8601 instant", dvc_error_last()->message);
			srv.clock_shift = start - (dvc_time)time(NULL);
			srv.clock_shifted = 1;
		}
		else
			return usage(stderr);
	}
	if (!srv.db_path)
		return usage(stderr);
	if (sodium_init() < 0)
		return fail("libsodium failed to initialise", NULL);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, listen_addr, &sa.sin_addr) != 1)
		return fail("--listen wants an IPv4 address", listen_addr);
	if ((ntohl(sa.sin_addr.s_addr) >> 24) != 127)
		fprintf(stderr, "dvc-httpd: warning: listening on %s, not loopback; put TLS in front\n",
			listen_addr);
	if (oidc.issuer || oidc.client_id || oidc.secret_file || oidc.redirect_uri || oidc.jwks_file ||
	    oidc.jwks_uri) {
#ifdef HTTPD_HAVE_OIDC
		if (!oidc.issuer || !oidc.client_id || !oidc.secret_file)
			return fail("--oidc-issuer, --oidc-client-id and --oidc-secret-file go together", NULL);
		if (oidc.jwks_file && oidc.jwks_uri)
			return fail("give --oidc-jwks-file or --oidc-jwks-uri, not both", NULL);
		if (!oidc.redirect_uri) {
			if (port == 0)
				return fail("--port 0 needs --oidc-redirect-uri (the callback URL registered "
					    "with the provider)", NULL);
			snprintf(redirect, sizeof redirect, "http://%s:%ld/auth/vneid/callback", listen_addr,
				 port);
			oidc.redirect_uri = redirect;
		}
#else
		return fail("this dvc-httpd was built without sign-in with VNeID (it needs libcurl and "
			    "libcjose when meson runs)", NULL);
#endif
	}

	/* Open (create, migrate) the store once here; the worker threads then
	 * open their own handles on it. */
	/* DVC_JOURNAL_KEY, DVC_JOURNAL_TRUST, DVC_JOURNAL_REQUIRE_SIGNED (proof.h):
	 * a key that cannot be read stops the server here, not at the first action */
	{
		dvc_open_opts o = DVC_OPEN_OPTS_INIT;
		if (dvc_open_opts_from_env(&o) != DVC_OK || dvc_open(&db, srv.db_path, &o) != DVC_OK)
			return fail(srv.db_path, dvc_error_last()->message);
	}
	if (!files_dir[0] && strcmp(dvc_backend_name(db), "sqlite") != 0) {
		dvc_close(db);
		return fail(srv.db_path, "a PostgreSQL store needs --files-dir (the spool for uploads)");
	}
	if (!files_dir[0])
		snprintf(files_dir, sizeof files_dir, "%s.files", srv.db_path);
	if (mkdir(files_dir, 0700) != 0 && errno != EEXIST) {
		int e = errno; /* dvc_close() may change it */
		dvc_close(db);
		return fail(files_dir, strerror(e));
	}
	srv.files_dir = files_dir;
	srv.max_upload = (int64_t)max_upload;
	srv.gateway_secret = getenv("DVC_GATEWAY_SECRET");
	srv.gateway_name = getenv("DVC_GATEWAY") ? getenv("DVC_GATEWAY") : "vnpay";
	if (tokens && read_officer_tokens(db, tokens)) {
		dvc_close(db);
		return 1;
	}
	srv.session_ttl = (int)ttl;
	if (guard_new(&srv.guard) != DVC_OK) {
		dvc_close(db);
		return fail("out of memory", NULL);
	}
#ifdef HTTPD_HAVE_OIDC
	/* before the worker threads: curl_global_init is not thread-safe */
	if (oidc.issuer && httpd_oidc_setup(&srv, &oidc)) {
		httpd_oidc_cleanup(&srv);
		guard_free(srv.guard);
		dvc_close(db);
		return 1;
	}
#endif
	atomic_init(&srv.registering, 0);
	srv.register_slots = (int)register_slots;
	pthread_mutex_init(&srv.db_lock, NULL);
	pthread_mutex_init(&srv.log_lock, NULL);

	/* The worker threads inherit this mask: only main() takes the signals. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
			     httpd_access, &srv,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
			     MHD_OPTION_URI_LOG_CALLBACK, httpd_uri_log, &srv,
			     MHD_OPTION_NOTIFY_COMPLETED, httpd_completed, &srv,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)512,
			     /* one client cannot hold every connection (515 idle
			      * half-sent requests from one address starved all) */
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)per_ip,
			     MHD_OPTION_END);
	if (!d) {
		rc = fail("cannot listen", listen_addr);
		goto out;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	port = info ? info->port : port;
	printf("dvc-httpd %s listening on http://%s:%ld/ (store %s, %ld threads)\n", dvc_version(),
	       listen_addr, port, srv.db_path, threads);
	fflush(stdout);
	if (port_file) {
		FILE *pf = fopen(port_file, "w");
		if (!pf || fprintf(pf, "%ld\n", port) < 0 || fclose(pf) != 0) {
			rc = fail(port_file, strerror(errno));
			MHD_stop_daemon(d);
			goto out;
		}
	}
	sigdelset(&sigs, SIGPIPE);
	do {
		if (sigwait(&sigs, &sig) != 0)
			break;
	} while (sig != SIGINT && sig != SIGTERM);
	fprintf(stderr, "dvc-httpd: stopping\n");
	MHD_stop_daemon(d);
out:
	for (size_t i = 0; i < srv.n_dbs; i++)
		dvc_close(srv.dbs[i]);
	free(srv.dbs);
	dvc_close(db);
	guard_free(srv.guard);
	pthread_mutex_destroy(&srv.db_lock);
	pthread_mutex_destroy(&srv.log_lock);
#ifdef HTTPD_HAVE_OIDC
	httpd_oidc_cleanup(&srv);
#endif
	return rc;
}
