/* Uploads and downloads of dossier documents: plumbing only.
 *
 * The library keeps the documents (document.h: content-addressed, media
 * type detected from the content, per-procedure limits, journaled). What
 * is left here is the mismatch between the two sides' I/O: libmicrohttpd
 * pushes an upload in pieces as it arrives, while dvc_dossier_attach()
 * pulls its content through a read callback in one transaction. So an
 * upload is spooled to an anonymous temporary file under --files-dir (no
 * name on disk, gone when closed; never the whole file in memory) and then
 * streamed into the library. A download goes the other way: the library
 * writes the checked bytes into an anonymous file, which is then sent;
 * a file whose stored chunks fail their SHA-256 is answered with an error
 * before any byte is sent. */
#include "httpd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int spool_open(const httpd *srv)
{
	int fd;
#ifdef O_TMPFILE
	fd = open(srv->files_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
#endif
	{
		char path[4200];
		snprintf(path, sizeof path, "%s/.spool-XXXXXX", srv->files_dir);
		if ((fd = mkstemp(path)) < 0)
			return -1;
		unlink(path);
		return fd;
	}
}

int spool_write(int fd, const void *data, size_t n)
{
	const unsigned char *p = data;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int64_t spool_read(void *ctx, void *buf, size_t cap)
{
	const int *fd = ctx;
	for (;;) {
		ssize_t n = read(*fd, buf, cap);
		if (n >= 0)
			return (int64_t)n;
		if (errno != EINTR)
			return -1;
	}
}

static int spool_sink(void *ctx, const void *buf, size_t n)
{
	return spool_write(*(const int *)ctx, buf, n);
}

/* RFC 6266 / 5987: an ASCII stand-in and the UTF-8 name percent-encoded. */
static void disposition(char *out, size_t n, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = (size_t)snprintf(out, n, "attachment; filename=\"tep-dinh-kem\"; filename*=UTF-8''");
	for (const unsigned char *p = (const unsigned char *)name; *p && i + 4 < n; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '.' || *p == '-' || *p == '_') {
			out[i++] = (char)*p;
		} else {
			out[i++] = '%';
			out[i++] = hex[*p >> 4];
			out[i++] = hex[*p & 15];
		}
	}
	out[i < n ? i : n - 1] = '\0';
}

int64_t file_id(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	return *s >= '1' && *s <= '9' && !*end && v > 0 ? (int64_t)v : 0;
}

enum MHD_Result reply_file(httpd_req *r, const char *code, const dvc_actor *who,
			   const char *username, const char *id_text)
{
	dvc_db *db = httpd_db(r);
	struct MHD_Response *resp;
	dvc_file_list *l;
	const dvc_file_info *f;
	char disp[1024];
	struct stat st;
	int64_t id = file_id(id_text);
	int fd, rc;

	if (!id)
		return reply_error(r, 400, DVC_EINVAL, "a file is named by its id (GET .../files)", NULL);
	if (!db || (code ? dvc_dossier_files_from(db, code, who, &r->from, &l)
			 : dvc_account_files(db, username, &l)) != DVC_OK)
		return reply_lib(r);
	if (!(f = dvc_file_list_find(l, id))) {
		dvc_file_list_free(l);
		return reply_error(r, 404, DVC_ENOTFOUND, code ? "no such file on this dossier"
							      : "no such file in your data store", NULL);
	}
	if ((fd = spool_open(r->srv)) < 0) {
		dvc_file_list_free(l);
		return reply_error(r, 500, DVC_EIO, "cannot make a temporary file", NULL);
	}
	rc = code ? dvc_dossier_download_from(db, code, who, &r->from, id, spool_sink, &fd)
		  : dvc_account_download(db, username, id, spool_sink, &fd);
	if (rc != DVC_OK) {
		dvc_file_list_free(l);
		close(fd);
		return reply_lib(r);
	}
	if (fstat(fd, &st) != 0 || st.st_size != f->size || lseek(fd, 0, SEEK_SET) != 0) {
		dvc_file_list_free(l);
		close(fd);
		return reply_error(r, 500, DVC_EIO, "cannot read the temporary file", NULL);
	}
	if (!(resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd))) { /* owns fd */
		dvc_file_list_free(l);
		close(fd);
		return r->result = MHD_NO;
	}
	disposition(disp, sizeof disp, f->name);
	httpd_common_headers(r, resp, f->media_type);
	dvc_file_list_free(l);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disp);
	r->status = 200;
	r->resp_len = (size_t)st.st_size;
	r->result = MHD_queue_response(r->conn, 200, resp);
	MHD_destroy_response(resp);
	return r->result;
}
