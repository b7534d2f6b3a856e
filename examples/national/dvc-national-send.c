/* dvc-national-send — drain a libdvc store's national sync queue to the
 * National Public Service Portal (DVCQG) with libcurl.
 *
 *   dvc-national-send --db FILE --url BASE [--create-path P] [--update-path P]
 *                     [--progress-path P] [--token-file F] [--limit N]
 *                     [--lease SECONDS] [--timeout SECONDS] [--once]
 *
 * Thin on purpose: the library builds every message, orders them per
 * dossier, leases them and schedules retries (national.h). Per message this
 * program POSTs, as the public implementation it follows does
 * (docs/national.md):
 *
 *   1. the dossier, as a one-element JSON list, to BASE + create path;
 *      an answer {"error_code":"0"} means created; "3"/"-3" or a message
 *      saying "đã tồn tại" (already exists) sends it to BASE + update path,
 *      which must answer "0";
 *   2. the progress entry, as a list, to BASE + progress path ("0", or
 *      already exists, means done);
 *
 * each with the message's idempotency key in an Idempotency-Key header, so
 * that a message sent again after a crash is recognised (the header is
 * libdvc's; whether the national portal honours it is unconfirmed). Then it
 * marks the message sent. Just before each POST it holds the message
 * (dvc_sync_hold), which renews the lease; a lease that ran out is skipped,
 * left to the sender that fetched it since. A POST lasts at most --timeout
 * (30 s by default), which must be shorter than the lease (--lease, 60 s
 * by default), so a lease cannot run out during one and another sender
 * never sends the same message at the same time. A
 * connection error, a timeout or a 5xx answer is
 * retried later (dvc_sync_mark_failed); a 4xx answer or another error_code
 * means the portal refused the content: the message goes dead at once and
 * waits for `dvc national replay` after a fix.
 *
 * The endpoint paths and the bearer token are deployment configuration: the
 * defaults are placeholders, not the portal's (which were not found).
 *
 * Exit status: 0 when every message handled was sent, 3 when some failed,
 * 1 on a store error, 2 on bad arguments. */
#include "dvc/dvc.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LIMIT 20
#define REPLY_MAX 8192
#define TOKEN_MAX 4096

typedef struct options {
	const char *db, *url, *create_path, *update_path, *progress_path, *token_file;
	long limit, lease, timeout;
	bool once;
} options;

typedef struct reply {
	char buf[REPLY_MAX + 1];
	size_t len;
} reply;

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	reply *r = ctx;
	size_t k = size * n, room = REPLY_MAX - r->len;
	memcpy(r->buf + r->len, p, k < room ? k : room);
	r->len += k < room ? k : room;
	r->buf[r->len] = '\0';
	return k; /* the rest is dropped, not an error */
}

enum outcome { OK, EXISTS, RETRY, REFUSED, LOST, STORE };

/* The message's lease renewed for one more POST (ends *until, moved on):
 * LOST when it ran out and another sender may have the message. */
static enum outcome hold(dvc_db *db, const dvc_sync_message *m, const options *o, dvc_time *until)
{
	int rc = dvc_sync_hold(db, m->id, *until, (int)o->lease, until);
	return rc == DVC_OK ? OK : rc == DVC_ECONFLICT ? LOST : STORE;
}

/* POST `body` to base+path; classify the answer. `err` gets a one-line reason. */
static enum outcome post(CURL *c, const options *o, const char *token, const char *path,
			 const char *key, const char *body, char *err, size_t errsize)
{
	char url[2048], hdr_key[512], hdr_auth[TOKEN_MAX + 32];
	struct curl_slist *h = NULL;
	reply r = {.len = 0};
	long status = 0;
	CURLcode cc;
	enum outcome out;
	snprintf(url, sizeof url, "%s%s", o->url, path);
	snprintf(hdr_key, sizeof hdr_key, "Idempotency-Key: %s", key);
	h = curl_slist_append(h, "Content-Type: application/json; charset=utf-8");
	h = curl_slist_append(h, hdr_key);
	if (token) {
		snprintf(hdr_auth, sizeof hdr_auth, "Authorization: Bearer %s", token);
		h = curl_slist_append(h, hdr_auth);
	}
	r.buf[0] = '\0';
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cc = curl_easy_perform(c);
	curl_slist_free_all(h);
	if (cc != CURLE_OK) {
		snprintf(err, errsize, "%s: %s", path, curl_easy_strerror(cc));
		return RETRY;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 500 || status == 429) {
		snprintf(err, errsize, "%s: HTTP %ld", path, status);
		return RETRY;
	}
	if (status >= 400) {
		snprintf(err, errsize, "%s: HTTP %ld %.300s", path, status, r.buf);
		return REFUSED;
	}
	cJSON *j = cJSON_Parse(r.buf);
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "error_code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(j, "message");
	const char *cs = cJSON_IsString(code) ? code->valuestring : NULL;
	const char *ms = cJSON_IsString(msg) ? msg->valuestring : "";
	if (!cs) {
		snprintf(err, errsize, "%s: HTTP %ld without error_code: %.300s", path, status, r.buf);
		out = RETRY; /* a proxy's page, not the portal's answer */
	} else if (strcmp(cs, "0") == 0) {
		out = OK;
	} else if (strcmp(cs, "3") == 0 || strcmp(cs, "-3") == 0 || strstr(ms, "đã tồn tại")) {
		out = EXISTS;
	} else {
		snprintf(err, errsize, "%s: error_code %s: %.300s", path, cs, ms);
		out = REFUSED;
	}
	cJSON_Delete(j);
	return out;
}

/* The two halves of a payload as JSON lists. */
static int split(const char *payload, char **hoso, char **progress)
{
	cJSON *root = cJSON_Parse(payload), *list;
	cJSON *h = cJSON_DetachItemFromObjectCaseSensitive(root, "hoSo");
	*hoso = *progress = NULL;
	if (h && (list = cJSON_CreateArray())) {
		cJSON_AddItemToArray(list, h);
		*hoso = cJSON_PrintUnformatted(list);
		cJSON_Delete(list);
	}
	*progress = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(root, "tienTrinh"));
	cJSON_Delete(root);
	return *hoso && *progress ? 0 : -1;
}

static enum outcome deliver(dvc_db *db, CURL *c, const options *o, const char *token,
			    const dvc_sync_message *m, char *err, size_t errsize)
{
	char *hoso, *progress, key[512];
	dvc_time until = m->next_attempt_at;
	enum outcome r;
	if (split(m->payload, &hoso, &progress) != 0) {
		free(hoso);
		free(progress);
		snprintf(err, errsize, "the payload is not a sync message");
		return REFUSED;
	}
	snprintf(key, sizeof key, "%s/hoso", m->idempotency_key);
	if ((r = hold(db, m, o, &until)) == OK)
		r = post(c, o, token, o->create_path, key, hoso, err, errsize);
	if (r == EXISTS && (r = hold(db, m, o, &until)) == OK)
		r = post(c, o, token, o->update_path, key, hoso, err, errsize);
	if (r == OK && (r = hold(db, m, o, &until)) == OK) {
		snprintf(key, sizeof key, "%s/tientrinh", m->idempotency_key);
		r = post(c, o, token, o->progress_path, key, progress, err, errsize);
		if (r == EXISTS)
			r = OK;
	}
	free(hoso);
	free(progress);
	return r == EXISTS ? REFUSED : r; /* an update the portal calls a duplicate */
}

static char *read_token(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *t;
	size_t n;
	if (!f)
		return NULL;
	t = calloc(1, TOKEN_MAX + 1);
	n = t ? fread(t, 1, TOKEN_MAX, f) : 0;
	fclose(f);
	while (t && n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
		t[--n] = '\0';
	return t;
}

static int usage(void)
{
	fprintf(stderr, "usage: dvc-national-send --db FILE --url BASE [--create-path P] "
			"[--update-path P] [--progress-path P] [--token-file F] [--limit N] "
			"[--lease SECONDS] [--timeout SECONDS] [--once]\n");
	return 2;
}

static bool number(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

int main(int argc, char **argv)
{
	options o = {NULL, NULL, "/hoso/them-moi", "/hoso/cap-nhat", "/hoso/tien-trinh", NULL,
		     DEFAULT_LIMIT, 0, 30, false};
	dvc_db *db = NULL;
	char *token = NULL;
	size_t sent = 0, failed = 0;
	int rc = 0;
	CURL *c;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--once") == 0) {
			o.once = true;
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (strcmp(a, "--db") == 0) o.db = v;
		else if (strcmp(a, "--url") == 0) o.url = v;
		else if (strcmp(a, "--create-path") == 0) o.create_path = v;
		else if (strcmp(a, "--update-path") == 0) o.update_path = v;
		else if (strcmp(a, "--progress-path") == 0) o.progress_path = v;
		else if (strcmp(a, "--token-file") == 0) o.token_file = v;
		else if (strcmp(a, "--limit") == 0) { if (!number(v, 1, 256, &o.limit)) return usage(); }
		else if (strcmp(a, "--lease") == 0) { if (!number(v, 1, 86400, &o.lease)) return usage(); }
		else if (strcmp(a, "--timeout") == 0) { if (!number(v, 1, 600, &o.timeout)) return usage(); }
		else return usage();
	}
	if (!o.db || !o.url)
		return usage();
	if (o.timeout >= (o.lease ? o.lease : DVC_SYNC_LEASE_SECONDS)) {
		fprintf(stderr, "dvc-national-send: --timeout (%ld s) must be shorter than the lease (%ld s): "
			"a lease that runs out during a POST lets another sender send the message too\n",
			o.timeout, o.lease ? o.lease : (long)DVC_SYNC_LEASE_SECONDS);
		return 2;
	}
	if (o.token_file && !(token = read_token(o.token_file))) {
		fprintf(stderr, "dvc-national-send: cannot read %s\n", o.token_file);
		return 2;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(c = curl_easy_init())) {
		fprintf(stderr, "dvc-national-send: libcurl failed to initialise\n");
		free(token);
		return 1;
	}
	if (dvc_open(&db, o.db, NULL) != DVC_OK) {
		fprintf(stderr, "dvc-national-send: %s\n", dvc_error_last()->message);
		rc = 1;
		goto done;
	}
	for (;;) {
		dvc_sync_batch *b;
		if (dvc_sync_fetch(db, (size_t)o.limit, (int)o.lease, &b) != DVC_OK) {
			fprintf(stderr, "dvc-national-send: %s\n", dvc_error_last()->message);
			rc = 1;
			break;
		}
		size_t n = dvc_sync_batch_count(b);
		for (size_t i = 0; i < n; i++) {
			const dvc_sync_message *m = dvc_sync_batch_at(b, i);
			char err[600] = "";
			enum outcome r;
			int mrc;
			/* the batch's earlier sends may have outlasted this message's
			 * lease: deliver holds it before each POST */
			r = deliver(db, c, &o, token, m, err, sizeof err);
			if (r == LOST) {
				printf("skipped %s: lease ran out, left to the sender that has it\n",
				       m->idempotency_key);
				continue;
			}
			if (r == STORE) {
				fprintf(stderr, "dvc-national-send: hold %lld: %s\n", (long long)m->id,
					dvc_error_last()->message);
				rc = 1;
				break;
			}
			mrc = r == OK ? dvc_sync_mark_sent(db, m->id)
					  : dvc_sync_mark_failed(db, m->id, err, r == REFUSED);
			if (mrc != DVC_OK) {
				fprintf(stderr, "dvc-national-send: message %lld: %s\n", (long long)m->id,
					dvc_error_last()->message);
				rc = 1;
			}
			if (r == OK) {
				sent++;
			} else {
				failed++;
				fprintf(stderr, "dvc-national-send: %s: %s\n", m->idempotency_key, err);
			}
		}
		dvc_sync_batch_free(b);
		if (n == 0 || o.once || rc)
			break;
	}
	printf("national sync: %zu sent, %zu failed\n", sent, failed);
	if (!rc && failed)
		rc = 3;
done:
	dvc_close(db);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	free(token);
	return rc;
}
