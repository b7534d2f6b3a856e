/* Attachments of the example server.
 *
 * The library has no file storage: it records what the applicant sent in the
 * dossier's form data, where this server puts one entry per attachment
 * ({document, name, type, size, sha256}) — the digest is the legal trace.
 * The bytes themselves are kept here under --files-dir, content-addressed:
 * each file is named by its SHA-256 in hex, never by anything the client
 * sent, and a per-dossier manifest (<dossier code>.json) says which digests
 * belong to which dossier. Downloads name the digest, so a client-chosen
 * name never reaches the file system.
 *
 * Writes are staged: files go to temporary names first and are renamed only
 * once the library has accepted the dossier; a refused submission leaves
 * nothing behind. */
#include "httpd.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Types a scan of a document may have. */
static const char *const allowed_types[] = {"application/pdf", "image/jpeg", "image/png"};

int files_safe_code(const char *s)
{
	size_t n = 0;
	if (!s || !*s || *s == '.')
		return 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-'))
			return 0;
	}
	return n < DVC_CODE_MAX;
}

int files_is_sha256(const char *s)
{
	size_t n = 0;
	if (!s)
		return 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == 64;
}

/* A display name: 1..HTTPD_MAX_NAME bytes, no separators, no control
 * bytes, not "." or "..". It is only ever shown, never used as a path. */
static int name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > HTTPD_MAX_NAME || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
			return 0;
	return 1;
}

static int type_ok(const char *s)
{
	for (size_t i = 0; i < sizeof allowed_types / sizeof allowed_types[0]; i++)
		if (strcmp(s, allowed_types[i]) == 0)
			return 1;
	return 0;
}

static int write_all(const char *path, const void *data, size_t len)
{
	const unsigned char *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			unlink(path);
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) != 0) {
		unlink(path);
		return -1;
	}
	return 0;
}

void files_release(httpd_attachments *a)
{
	for (size_t i = 0; i < a->n; i++) {
		if (a->v[i].tmp[0])
			unlink(a->v[i].tmp);
		free(a->v[i].document);
		free(a->v[i].name);
		free(a->v[i].type);
	}
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

#define FAIL(st, m)                                                                     \
	do {                                                                            \
		*status = (st);                                                         \
		snprintf(msg, msg_len, "%s", (m));                                      \
		snprintf(path, path_len, "attachments[%zu]%s", i, field);               \
		goto fail;                                                              \
	} while (0)

int files_prepare(httpd *srv, const cJSON *arr, httpd_attachments *out, unsigned int *status,
		  char *msg, size_t msg_len, char *path, size_t path_len)
{
	size_t total = 0, i = 0, n;
	const char *field = "";
	unsigned char *bin = NULL;

	out->v = NULL;
	out->n = 0;
	if (!arr)
		return DVC_OK;
	if (!cJSON_IsArray(arr)) {
		*status = 400;
		snprintf(msg, msg_len, "attachments must be an array");
		snprintf(path, path_len, "attachments");
		return DVC_ESCHEMA;
	}
	n = (size_t)cJSON_GetArraySize(arr);
	if (n > HTTPD_MAX_ATTACHMENTS) {
		*status = 413;
		snprintf(msg, msg_len, "at most %d attachments per dossier", HTTPD_MAX_ATTACHMENTS);
		snprintf(path, path_len, "attachments");
		return DVC_ETOOBIG;
	}
	if (n && !(out->v = calloc(n, sizeof *out->v))) {
		*status = 503;
		snprintf(msg, msg_len, "out of memory");
		path[0] = '\0';
		return DVC_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const cJSON *it = cJSON_GetArrayItem(arr, (int)i);
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(it, "type");
		const cJSON *doc = cJSON_GetObjectItemCaseSensitive(it, "document");
		const cJSON *data = cJSON_GetObjectItemCaseSensitive(it, "data");
		httpd_attachment *a = &out->v[out->n];
		size_t b64_len, max, bin_len;
		const char *end;
		unsigned char digest[crypto_hash_sha256_BYTES];
		char rnd[33];

		field = "";
		if (!cJSON_IsObject(it))
			FAIL(400, "an attachment must be an object {name, type, data}");
		field = ".name";
		if (!cJSON_IsString(name) || !name_ok(name->valuestring))
			FAIL(400, "attachment names are 1-200 bytes without '/', '\\', control "
				  "characters, '.' or '..'");
		field = ".type";
		if (!cJSON_IsString(type) || !type_ok(type->valuestring))
			FAIL(415, "attachment type must be application/pdf, image/jpeg or image/png");
		field = ".document";
		if (doc && (!cJSON_IsString(doc) || strlen(doc->valuestring) > DVC_CATALOG_MAX_TEXT))
			FAIL(400, "document must be the name of a required document");
		field = ".data";
		if (!cJSON_IsString(data))
			FAIL(400, "data must be the file's bytes in base64");
		b64_len = strlen(data->valuestring);
		max = b64_len / 4 * 3 + 3;
		if (total + (b64_len / 4 * 3) > HTTPD_MAX_ATTACH_TOTAL + 2)
			FAIL(413, "attachments exceed 2 MiB in all");
		if (!(bin = malloc(max ? max : 1)))
			FAIL(503, "out of memory");
		if (sodium_base642bin(bin, max, data->valuestring, b64_len, NULL, &bin_len, &end,
				      sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    end != data->valuestring + b64_len)
			FAIL(400, "data is not valid base64");
		if (bin_len == 0)
			FAIL(400, "an attachment may not be empty");
		total += bin_len;
		if (total > HTTPD_MAX_ATTACH_TOTAL)
			FAIL(413, "attachments exceed 2 MiB in all");
		crypto_hash_sha256(digest, bin, bin_len);
		sodium_bin2hex(a->sha256, sizeof a->sha256, digest, sizeof digest);
		random_hex(rnd, 16);
		snprintf(a->tmp, sizeof a->tmp, "%s/.upload-%s", srv->files_dir, rnd);
		if (write_all(a->tmp, bin, bin_len) != 0) {
			a->tmp[0] = '\0';
			FAIL(500, "cannot store the attachment");
		}
		a->size = bin_len;
		a->name = strdup(name->valuestring);
		a->type = strdup(type->valuestring);
		a->document = doc ? strdup(doc->valuestring) : NULL;
		out->n++;
		free(bin);
		bin = NULL;
		if (!a->name || !a->type || (doc && !a->document))
			FAIL(503, "out of memory");
	}
	return DVC_OK;
fail:
	free(bin);
	files_release(out);
	return *status == 413 ? DVC_ETOOBIG : *status >= 500 ? DVC_EIO : DVC_EINVAL;
}

#undef FAIL

int files_commit(httpd *srv, const char *code, httpd_attachments *a)
{
	char dest[4096], tmp[4096], rnd[33];
	cJSON *m;
	char *text;
	int rc;

	if (a->n == 0)
		return DVC_OK;
	if (!files_safe_code(code))
		return DVC_EINVAL;
	m = cJSON_CreateArray();
	for (size_t i = 0; i < a->n; i++) {
		httpd_attachment *x = &a->v[i];
		cJSON *o = cJSON_CreateObject();
		snprintf(dest, sizeof dest, "%s/%s", srv->files_dir, x->sha256);
		if (access(dest, F_OK) == 0)
			unlink(x->tmp); /* same bytes already stored */
		else if (rename(x->tmp, dest) != 0) {
			cJSON_Delete(o);
			cJSON_Delete(m);
			return DVC_EIO;
		}
		x->tmp[0] = '\0';
		if (x->document)
			cJSON_AddStringToObject(o, "document", x->document);
		cJSON_AddStringToObject(o, "name", x->name);
		cJSON_AddStringToObject(o, "type", x->type);
		cJSON_AddNumberToObject(o, "size", (double)x->size);
		cJSON_AddStringToObject(o, "sha256", x->sha256);
		cJSON_AddItemToArray(m, o);
	}
	text = cJSON_PrintUnformatted(m);
	cJSON_Delete(m);
	if (!text)
		return DVC_ENOMEM;
	random_hex(rnd, 16);
	snprintf(tmp, sizeof tmp, "%s/.manifest-%s", srv->files_dir, rnd);
	snprintf(dest, sizeof dest, "%s/%s.json", srv->files_dir, code);
	rc = write_all(tmp, text, strlen(text)) == 0 && rename(tmp, dest) == 0 ? DVC_OK : DVC_EIO;
	if (rc != DVC_OK)
		unlink(tmp);
	free(text);
	return rc;
}

int files_lookup(httpd *srv, const char *code, const char *sha256, char *name, size_t name_len,
		 char *type, size_t type_len, char *file, size_t file_len)
{
	char path[4096];
	FILE *f;
	char buf[64 * 1024];
	size_t n;
	cJSON *m, *it;
	int rc = DVC_ENOTFOUND;

	if (!files_safe_code(code) || !files_is_sha256(sha256))
		return DVC_EINVAL;
	snprintf(path, sizeof path, "%s/%s.json", srv->files_dir, code);
	if (!(f = fopen(path, "rb")))
		return DVC_ENOTFOUND;
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	if (!(m = cJSON_ParseWithLength(buf, n)))
		return DVC_ECORRUPT;
	cJSON_ArrayForEach(it, m)
	{
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(it, "sha256");
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(it, "name");
		const cJSON *ty = cJSON_GetObjectItemCaseSensitive(it, "type");
		if (cJSON_IsString(s) && strcmp(s->valuestring, sha256) == 0 && cJSON_IsString(nm) &&
		    cJSON_IsString(ty)) {
			snprintf(name, name_len, "%s", nm->valuestring);
			snprintf(type, type_len, "%s", ty->valuestring);
			snprintf(file, file_len, "%s/%s", srv->files_dir, sha256);
			rc = DVC_OK;
			break;
		}
	}
	cJSON_Delete(m);
	return rc;
}
