/* dvc-notify-send — drain a libdvc store's notification outbox: e-mail over
 * SMTP and SMS through an HTTP gateway, both with libcurl.
 *
 *   dvc-notify-send [--db FILE|URI] [--smtp smtp://HOST:PORT --from ADDRESS]
 *                   [--sms-url URL] [--limit N] [--once]
 *
 * Thin on purpose: the library decides what to send, to whom, with which
 * text and when to retry (dvc_outbox_fetch leases the messages due now;
 * dvc_outbox_mark_failed schedules the retry with back-off). This program
 * only turns a message into bytes on the wire:
 *
 *  - e-mail: one MIME message, UTF-8 throughout. The subject is RFC 2047
 *    encoded-words (=?UTF-8?B?...?=) folded under 78 columns, the body
 *    text/plain; charset=UTF-8 in base64. The Message-ID is built from the
 *    message's idempotency key, so a retried message carries the same ID
 *    and a receiving system can drop the duplicate.
 *  - SMS: POST {"to": "+84...", "text": "...", "idempotency_key": "..."}
 *    as JSON to the gateway URL (and the key again as an Idempotency-Key
 *    header); any 2xx answer means sent.
 *
 * A channel that is not configured fails its messages with a clear
 * last_error (they are retried later, once the sender is configured).
 *
 * Without --once it fetches batches until nothing is due, then exits: run
 * it from a timer (systemd, cron) every minute. Exit status: 0 when every
 * message handled was sent, 3 when some were marked failed, 1 on a usage or
 * store error, 2 on bad arguments. */
#include "dvc/dvc.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_LIMIT 20
#define MAX_LIMIT 1000
#define CONNECT_TIMEOUT 10L /* seconds */
/* the whole send, connection included: inside the lease that
 * dvc_outbox_hold renews just before it (DVC_OUTBOX_LEASE_SECONDS, 60 s),
 * so no other sender can fetch the message while this one sends it */
#define TRANSFER_TIMEOUT 45L
#define ERROR_MAX 512       /* bytes of an error kept in last_error */
#define REPLY_MAX 4096      /* bytes of a gateway's answer kept */

typedef struct options {
	const char *db, *smtp, *from, *sms_url;
	size_t limit;
	bool once;
} options;

typedef struct sender {
	options opt;
	dvc_db *db;
	CURL *smtp, *http; /* reused: libcurl keeps the connections open */
	size_t sent, failed;
} sender;

/* ---- small buffers ---- */

typedef struct buf {
	char *p;
	size_t len, cap;
	bool oom;
} buf;

static void buf_put(buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(p = realloc(b->p, cap))) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_puts(buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp)
		b->oom = true; /* only short, fixed header lines go through here */
	else
		buf_put(b, tmp, (size_t)n);
}

static void base64(buf *b, const unsigned char *s, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
			     (i + 2 < n ? s[i + 2] : 0);
		char q[4] = {tab[v >> 18 & 63], tab[v >> 12 & 63],
			     i + 1 < n ? tab[v >> 6 & 63] : '=', i + 2 < n ? tab[v & 63] : '='};
		buf_put(b, q, 4);
	}
}

/* ---- the e-mail ---- */

/* No CR, LF or angle brackets: nothing that could end a header or an address. */
static bool header_safe(const char *s)
{
	return s && *s && !strpbrk(s, "\r\n<>");
}

/* Subject: RFC 2047 B-encoded words. Each word holds at most 45 bytes of
 * text (60 base64 characters, 72 with "=?UTF-8?B?" and "?="), cut only
 * between UTF-8 characters, as RFC 2047 section 5 requires; words are
 * folded onto continuation lines. */
static void encode_subject(buf *b, const char *subject)
{
	const unsigned char *s = (const unsigned char *)subject;
	size_t n = strlen(subject), i = 0;
	buf_puts(b, "Subject:");
	if (n == 0)
		buf_puts(b, " ");
	while (i < n) {
		size_t take = n - i < 45 ? n - i : 45;
		while (take > 0 && i + take < n && (s[i + take] & 0xC0) == 0x80)
			take--; /* do not split a character */
		buf_puts(b, i ? "\r\n =?UTF-8?B?" : " =?UTF-8?B?");
		base64(b, s + i, take);
		buf_puts(b, "?=");
		i += take;
	}
	buf_puts(b, "\r\n");
}

/* Message-ID from the idempotency key: atext characters kept, anything else
 * (and a dot that would not be between two atoms) becomes '-'. */
static void message_id(buf *b, const char *key, const char *from)
{
	const char *at = strrchr(from, '@');
	const char *domain = at && at[1] ? at + 1 : "dvc.invalid";
	buf_puts(b, "Message-ID: <dvc.");
	for (const char *p = key; *p; p++) {
		char c = *p;
		bool atext = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			     (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
		bool dot = c == '.' && p[1] && p[1] != '.';
		buf_put(b, atext || dot ? &c : "-", 1);
	}
	buf_printf(b, "@%s>\r\n", domain);
}

static int build_email(const options *o, const dvc_message *m, buf *b)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	const unsigned char *body = (const unsigned char *)(m->body ? m->body : "");
	buf crlf = {0};

	localtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S %z", &tm); /* C locale: English names */
	buf_printf(b, "Date: %s\r\n", date);
	buf_printf(b, "From: <%s>\r\n", o->from);
	buf_printf(b, "To: <%s>\r\n", m->recipient);
	encode_subject(b, m->subject ? m->subject : "");
	message_id(b, m->idempotency_key, o->from);
	buf_puts(b, "MIME-Version: 1.0\r\n"
		    "Content-Type: text/plain; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: base64\r\n"
		    "Content-Language: vi\r\n"
		    "Auto-Submitted: auto-generated\r\n");
	buf_printf(b, "X-DVC-Dossier: %s\r\n", m->dossier);
	buf_printf(b, "X-DVC-Event: %s\r\n\r\n", m->event);
	/* the text's line ends as CRLF, then base64 in lines of 76 characters */
	for (const unsigned char *p = body; *p; p++) {
		if (*p == '\n' && (p == body || p[-1] != '\r'))
			buf_put(&crlf, "\r", 1);
		buf_put(&crlf, (const char *)p, 1);
	}
	for (size_t i = 0; i < crlf.len; i += 57) {
		base64(b, (const unsigned char *)crlf.p + i, crlf.len - i < 57 ? crlf.len - i : 57);
		buf_puts(b, "\r\n");
	}
	free(crlf.p);
	return crlf.oom || b->oom ? -1 : 0;
}

typedef struct upload {
	const char *p;
	size_t left;
} upload;

static size_t read_cb(char *out, size_t size, size_t nmemb, void *ctx)
{
	upload *u = ctx;
	size_t n = size * nmemb < u->left ? size * nmemb : u->left;
	memcpy(out, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

static void curl_common(CURL *c, char *errbuf)
{
	errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, TRANSFER_TIMEOUT);
}

static void curl_error(char *err, size_t n, const char *what, CURLcode rc, const char *detail)
{
	bool more = detail[0] != '\0';
	snprintf(err, n, "%s: %s%s%s%s", what, curl_easy_strerror(rc), more ? " (" : "", detail,
		 more ? ")" : "");
}

/* 0 when sent; otherwise -1 with err filled. */
static int send_email(sender *s, const dvc_message *m, char *err, size_t errn)
{
	char errbuf[CURL_ERROR_SIZE], rcpt_addr[512];
	struct curl_slist *rcpt = NULL;
	buf msg = {0};
	upload u;
	CURLcode rc;

	if (!s->opt.smtp || !s->opt.from) {
		snprintf(err, errn, "dvc-notify-send: no SMTP server configured (--smtp URL --from ADDRESS)");
		return -1;
	}
	if (!header_safe(m->recipient) || !strchr(m->recipient, '@')) {
		snprintf(err, errn, "dvc-notify-send: unusable e-mail address");
		return -1;
	}
	if (build_email(&s->opt, m, &msg)) {
		free(msg.p);
		snprintf(err, errn, "dvc-notify-send: out of memory");
		return -1;
	}
	snprintf(rcpt_addr, sizeof rcpt_addr, "<%s>", m->recipient);
	if (!(rcpt = curl_slist_append(NULL, rcpt_addr))) {
		free(msg.p);
		snprintf(err, errn, "dvc-notify-send: out of memory");
		return -1;
	}
	u.p = msg.p;
	u.left = msg.len;
	curl_easy_reset(s->smtp);
	curl_common(s->smtp, errbuf);
	{
		char from_addr[512];
		snprintf(from_addr, sizeof from_addr, "<%s>", s->opt.from);
		curl_easy_setopt(s->smtp, CURLOPT_URL, s->opt.smtp);
		curl_easy_setopt(s->smtp, CURLOPT_MAIL_FROM, from_addr); /* libcurl copies strings */
	}
	curl_easy_setopt(s->smtp, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(s->smtp, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(s->smtp, CURLOPT_READDATA, &u);
	curl_easy_setopt(s->smtp, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(s->smtp, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.len);
	rc = curl_easy_perform(s->smtp);
	curl_slist_free_all(rcpt);
	free(msg.p);
	if (rc != CURLE_OK) {
		curl_error(err, errn, "smtp", rc, errbuf);
		return -1;
	}
	return 0;
}

/* ---- the SMS ---- */

static size_t write_cb(char *data, size_t size, size_t nmemb, void *ctx)
{
	buf *b = ctx;
	size_t n = size * nmemb;
	if (b->len < REPLY_MAX)
		buf_put(b, data, n < REPLY_MAX - b->len ? n : REPLY_MAX - b->len);
	return n; /* the rest is read and dropped */
}

/* The gateway's answer on one line, for last_error. */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\r' || *s == '\n' || *s == '\t')
			*s = ' ';
}

static int send_sms(sender *s, const dvc_message *m, char *err, size_t errn)
{
	char errbuf[CURL_ERROR_SIZE], keyhdr[512];
	struct curl_slist *hdr = NULL, *h2;
	cJSON *o;
	char *json;
	buf reply = {0};
	long status = 0;
	CURLcode rc;

	if (!s->opt.sms_url) {
		snprintf(err, errn, "dvc-notify-send: no SMS gateway configured (--sms-url URL)");
		return -1;
	}
	o = cJSON_CreateObject();
	if (o) {
		cJSON_AddStringToObject(o, "to", m->recipient ? m->recipient : "");
		cJSON_AddStringToObject(o, "text", m->body ? m->body : "");
		cJSON_AddStringToObject(o, "idempotency_key", m->idempotency_key);
	}
	json = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	snprintf(keyhdr, sizeof keyhdr, "Idempotency-Key: %s", m->idempotency_key);
	hdr = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
	h2 = hdr ? curl_slist_append(hdr, keyhdr) : NULL;
	if (!json || !h2) {
		cJSON_free(json);
		curl_slist_free_all(hdr);
		snprintf(err, errn, "dvc-notify-send: out of memory");
		return -1;
	}
	curl_easy_reset(s->http);
	curl_common(s->http, errbuf);
	curl_easy_setopt(s->http, CURLOPT_URL, s->opt.sms_url);
	curl_easy_setopt(s->http, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(s->http, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(s->http, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json));
	curl_easy_setopt(s->http, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(s->http, CURLOPT_WRITEDATA, &reply);
	rc = curl_easy_perform(s->http);
	curl_slist_free_all(hdr);
	cJSON_free(json);
	if (rc != CURLE_OK) {
		free(reply.p);
		curl_error(err, errn, "sms", rc, errbuf);
		return -1;
	}
	curl_easy_getinfo(s->http, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		if (reply.p)
			one_line(reply.p);
		snprintf(err, errn, "sms: gateway answered HTTP %ld%s%.200s", status,
			 reply.len ? ": " : "", reply.len ? reply.p : "");
		free(reply.p);
		return -1;
	}
	free(reply.p);
	return 0;
}

/* ---- the loop ---- */

static int dvc_failed(const char *what)
{
	const dvc_error *e = dvc_error_last();
	fprintf(stderr, "dvc-notify-send: %s: %s (%s)\n", what, e->message, dvc_status_name(e->code));
	return 1;
}

/* One batch: *n receives how many messages it held. */
static int drain_batch(sender *s, size_t *n)
{
	dvc_message_batch *b;
	char err[ERROR_MAX];
	if (dvc_outbox_fetch(s->db, s->opt.limit, &b) != DVC_OK)
		return dvc_failed("fetch");
	*n = dvc_message_batch_count(b);
	for (size_t i = 0; i < *n; i++) {
		const dvc_message *m = dvc_message_batch_at(b, i);
		bool email = m->channel == DVC_NOTIFY_EMAIL;
		int ok, rc;
		/* the batch's earlier sends may have outlasted this message's lease */
		if ((rc = dvc_outbox_hold(s->db, m->id, m->next_attempt_at, NULL)) == DVC_ECONFLICT) {
			printf("skipped %lld %s %s %s: lease ran out, left to the sender that has it\n",
			       (long long)m->id, email ? "email" : "sms", m->recipient, m->event);
			continue;
		}
		if (rc != DVC_OK) {
			dvc_message_batch_free(b);
			return dvc_failed("hold");
		}
		ok = (email ? send_email(s, m, err, sizeof err) : send_sms(s, m, err, sizeof err)) == 0;
		rc = ok ? dvc_outbox_mark_sent(s->db, m->id) : dvc_outbox_mark_failed(s->db, m->id, err);
		if (rc != DVC_OK) {
			dvc_message_batch_free(b);
			return dvc_failed("mark");
		}
		if (ok) {
			s->sent++;
			printf("sent   %lld %s %s %s\n", (long long)m->id, email ? "email" : "sms",
			       m->recipient, m->event);
		} else {
			s->failed++;
			printf("failed %lld %s %s %s: %s\n", (long long)m->id, email ? "email" : "sms",
			       m->recipient, m->event, err);
		}
		fflush(stdout);
	}
	dvc_message_batch_free(b);
	return 0;
}

static int usage(FILE *f, int rc)
{
	fputs("usage: dvc-notify-send [--db FILE|URI] [--smtp smtp://HOST:PORT --from ADDRESS]\n"
	      "                       [--sms-url URL] [--limit N] [--once]\n"
	      "Drains the outbox of the libdvc store FILE (default ./dvc.db) or PostgreSQL URI\n"
	      "(postgresql://...): e-mail over SMTP,\n"
	      "SMS as a JSON POST to URL. Without --once, fetches batches until nothing is due.\n",
	      f);
	return rc;
}

/* "--name VALUE" or "--name=VALUE" at argv[*i]; NULL when argv[*i] is not --name. */
static const char *option(int argc, char **argv, int *i, const char *name, bool *missing)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

static int parse_args(int argc, char **argv, options *o)
{
	const char *limit = NULL;
	for (int i = 1; i < argc; i++) {
		bool missing = false;
		const char *v;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			exit(usage(stdout, 0));
		if (strcmp(argv[i], "--once") == 0)
			o->once = true;
		else if ((v = option(argc, argv, &i, "--db", &missing)))
			o->db = v;
		else if ((v = option(argc, argv, &i, "--smtp", &missing)))
			o->smtp = v;
		else if ((v = option(argc, argv, &i, "--from", &missing)))
			o->from = v;
		else if ((v = option(argc, argv, &i, "--sms-url", &missing)))
			o->sms_url = v;
		else if ((v = option(argc, argv, &i, "--limit", &missing)))
			limit = v;
		else {
			fprintf(stderr, "dvc-notify-send: %s '%s'\n",
				missing ? "missing value after" : "unknown argument", argv[i]);
			return -1;
		}
	}
	if (limit) {
		char *end;
		long v;
		errno = 0;
		v = strtol(limit, &end, 10);
		if (errno || end == limit || *end || v < 1 || v > MAX_LIMIT) {
			fprintf(stderr, "dvc-notify-send: --limit must be an integer from 1 to %d\n",
				MAX_LIMIT);
			return -1;
		}
		o->limit = (size_t)v;
	}
	if (!!o->smtp != !!o->from) {
		fprintf(stderr, "dvc-notify-send: --smtp and --from go together\n");
		return -1;
	}
	if (o->from && (!header_safe(o->from) || !strchr(o->from, '@'))) {
		fprintf(stderr, "dvc-notify-send: --from needs a plain address (name@domain)\n");
		return -1;
	}
	if (!o->smtp && !o->sms_url) {
		fprintf(stderr, "dvc-notify-send: give --smtp URL --from ADDRESS, --sms-url URL, or both\n");
		return -1;
	}
	return 0;
}

/* "postgresql://..." or "postgres://...": dvc_open's PostgreSQL URIs */
static bool is_pg_uri(const char *db)
{
	return strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0;
}

int main(int argc, char **argv)
{
	sender s = {{"./dvc.db", NULL, NULL, NULL, DEFAULT_LIMIT, false}, NULL, NULL, NULL, 0, 0};
	size_t n;
	int rc = 0;

	if (parse_args(argc, argv, &s.opt))
		return usage(stderr, 2);
	/* open an existing store only: a typo must not create an empty one (a
	 * PostgreSQL URI names a database the server already has) */
	if (!is_pg_uri(s.opt.db) && access(s.opt.db, R_OK | W_OK) != 0) {
		fprintf(stderr, "dvc-notify-send: cannot use the store %s: %s\n", s.opt.db, strerror(errno));
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "dvc-notify-send: libcurl failed to initialise\n");
		return 1;
	}
	if (dvc_open(&s.db, s.opt.db, NULL) != DVC_OK) {
		rc = dvc_failed("cannot open the store");
		goto out;
	}
	if (!(s.smtp = curl_easy_init()) || !(s.http = curl_easy_init())) {
		fprintf(stderr, "dvc-notify-send: libcurl failed to initialise\n");
		rc = 1;
		goto out;
	}
	/* Failed messages back off (60 s at least), so they are not due again in
	 * this run: the loop ends when every due message was tried once. */
	do {
		if ((rc = drain_batch(&s, &n)) != 0)
			goto out;
	} while (!s.opt.once && n > 0);
	printf("%zu sent, %zu failed\n", s.sent, s.failed);
	rc = s.failed ? 3 : 0;
out:
	curl_easy_cleanup(s.smtp);
	curl_easy_cleanup(s.http);
	dvc_close(s.db);
	curl_global_cleanup();
	return rc;
}
