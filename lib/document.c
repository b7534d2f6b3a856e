/* Dossier documents: streamed, content-addressed uploads and downloads,
 * media types detected by libmagic, per-procedure limits, the components a
 * dossier still lacks, and the account's data store. */
#include "dossier_internal.h"
#include "dvc/catalog.h"
#include "dvc/payment.h"
#include "dvc/privacy.h"
#include "text.h"

#include <magic.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char *const form_names[] = {"original", "copy", "ecopy"};
static const char *const form_labels_vi[] = {"bản chính", "bản sao", "bản sao điện tử"};
static const char *const mode_names[] = {"add", "replace", "supplement"};

DVC__ENUM_NAMES(file_form, dvc_file_form, form_names, "file form")
DVC__ENUM_NAMES(attach_mode, dvc_attach_mode, mode_names, "attach mode")

/* The journal notes written here quote a file name and a catalog text whole;
 * the limit on typed notes leaves room for both and the words around them. */
#define JOURNAL_NOTE_SIZE (DVC_NOTE_MAX + 1)
_Static_assert(DVC_FILE_NAME_MAX + DVC_CATALOG_MAX_TEXT + 1024 < JOURNAL_NOTE_SIZE,
	       "a journal note must hold a whole file name and component name");
/* "Full Name (username)" as the signed envelope names its signer. */
#define SIGNER_NAME_SIZE (DVC_FULL_NAME_MAX + sizeof " ()" + DVC_USERNAME_MAX)

static void hex32(const unsigned char *b, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[64] = '\0';
}

static int type_allowed(const char *types, const char *t)
{
	size_t n = strlen(t);
	for (const char *p = types; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && memcmp(p, t, n) == 0)
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* ---- names ---- */

/* A name shown to people and used for downloads: the name alone, never a
 * path a client could make us (or a later reader) write through. */
static int check_file_name(const char *s)
{
	size_t n;
	if (!s || !*s)
		return dvc__err(DVC_EINVAL, "name", "a file needs a name");
	n = strlen(s);
	if (n > DVC_FILE_NAME_MAX)
		return dvc__err(DVC_EINVAL, "name", "the file name is %zu bytes; the limit is %d", n,
				DVC_FILE_NAME_MAX);
	if (!dvc__utf8_valid(s, n))
		return dvc__err(DVC_EUTF8, "name", "the file name is not valid UTF-8");
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return dvc__err(DVC_EINVAL, "name", "'%s' is not a file name", s);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '/' || c == '\\')
			return dvc__err(DVC_EINVAL, "name",
					"the file name '%.80s' contains a path: give the name alone", s);
		if (c < 0x20 || c == 0x7f)
			return dvc__err(DVC_EINVAL, "name", "the file name contains a control character");
	}
	return DVC_OK;
}

/* ---- upload ---- */

typedef struct upload {
	magic_t magic;
	unsigned char *buf;
	char media_type[DVC_MEDIA_TYPE_SIZE];
	int detected;
	int read; /* the read callback was called: the caller's stream is spent */
} upload;

/* libmagic decides from the content, never from the name or the client. */
static int detect(upload *u, const dvc_procedure_policy *pol, const void *head, size_t n)
{
	const char *t;
	if (!u->magic) {
		if (!(u->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR)))
			return dvc__oom();
		if (magic_load(u->magic, NULL) != 0)
			return dvc__err(DVC_EIO, NULL, "libmagic cannot load its database: %s",
					magic_error(u->magic) ? magic_error(u->magic) : "?");
	}
	if (!(t = magic_buffer(u->magic, head, n)))
		return dvc__err(DVC_EIO, NULL, "libmagic failed: %s",
				magic_error(u->magic) ? magic_error(u->magic) : "?");
	snprintf(u->media_type, sizeof u->media_type, "%s", t);
	u->detected = 1;
	if (!type_allowed(pol->media_types, u->media_type))
		return dvc__err(DVC_EMEDIATYPE, "content",
				"the file's content is %s, which this procedure does not accept (%s)",
				u->media_type, pol->media_types);
	return DVC_OK;
}

static int limit_err(int64_t got, const dvc_procedure_policy *pol)
{
	return dvc__err(DVC_ETOOBIG, "content", "the file is over this procedure's limit of %lld bytes%s",
			(long long)pol->max_file_bytes, got < 0 ? " (declared size)" : "");
}

/* Read everything from the callback into a staged blob, chunk by chunk. */
static int stream_in(dvc_db *db, const dvc_attach_req *r, const dvc_procedure_policy *pol,
		     upload *u, int64_t *blob_id, dvc__blob_row *b)
{
	crypto_hash_sha256_state h;
	int64_t total = 0, seq = 0, staged;
	size_t fill = 0;
	int rc;
	if (!u->buf && !(u->buf = dvc__malloc(DVC_FILE_CHUNK)))
		return dvc__oom();
	u->detected = 0;
	if ((rc = dvc__store_blob_stage(db, &staged)) != DVC_OK)
		return rc;
	crypto_hash_sha256_init(&h);
	for (;;) {
		int64_t n;
		u->read = 1;
		n = r->read(r->read_ctx, u->buf + fill, DVC_FILE_CHUNK - fill);
		if (n < 0)
			return dvc__err(DVC_EIO, "content", "the upload failed while reading (after %lld bytes)",
					(long long)total);
		if ((uint64_t)n > DVC_FILE_CHUNK - fill)
			return dvc__err(DVC_EINVAL, "read", "the read callback returned more bytes than asked");
		if (n == 0)
			break;
		total += n;
		fill += (size_t)n;
		if (total > pol->max_file_bytes)
			return limit_err(total, pol);
		if (r->declared_size >= 0 && total > r->declared_size)
			return dvc__err(DVC_ETOOBIG, "content", "the upload is longer than its declared %lld bytes",
					(long long)r->declared_size);
		if (fill == DVC_FILE_CHUNK) {
			if (!u->detected && (rc = detect(u, pol, u->buf, fill)) != DVC_OK)
				return rc;
			crypto_hash_sha256_update(&h, u->buf, fill);
			if ((rc = dvc__store_blob_chunk(db, staged, seq++, u->buf, fill)) != DVC_OK)
				return rc;
			fill = 0;
		}
	}
	if (total == 0)
		return dvc__err(DVC_EINVAL, "content", "the file is empty (0 bytes)");
	if (r->declared_size >= 0 && total < r->declared_size)
		return dvc__err(DVC_ETRUNCATED, "content",
				"the upload ended after %lld of its declared %lld bytes",
				(long long)total, (long long)r->declared_size);
	if (fill) {
		if (!u->detected && (rc = detect(u, pol, u->buf, fill)) != DVC_OK)
			return rc;
		crypto_hash_sha256_update(&h, u->buf, fill);
		if ((rc = dvc__store_blob_chunk(db, staged, seq++, u->buf, fill)) != DVC_OK)
			return rc;
	}
	crypto_hash_sha256_final(&h, b->sha);
	b->size = total;
	snprintf(b->media_type, sizeof b->media_type, "%s", u->media_type);
	if ((rc = dvc__store_blob_seal(db, staged, b->sha, total, u->media_type, blob_id)) != DVC_OK)
		return rc;
	b->id = *blob_id;
	return DVC_OK;
}

typedef struct find_ctx {
	int64_t id;
	int found;
	dvc__file_row row;
	char name[DVC_FILE_NAME_MAX + 1];
} find_ctx;

static int on_find(void *ctx, const dvc__file_row *f)
{
	find_ctx *c = ctx;
	c->found = 1;
	c->row = *f;
	snprintf(c->name, sizeof c->name, "%s", f->name);
	c->row.name = c->name;
	c->row.added_by = NULL;
	c->row.dossier_code = NULL;
	return DVC_OK;
}

/* Which states take which files from whom. */
static int check_attach_rights(const dvc__dossier *d, const dvc__proc_rt *rt, const dvc__who *w,
			       const dvc_attach_req *r)
{
	if (r->component == DVC_FILE_RESULT) {
		/* the signing leader's step attaches the result it signs */
		if (!w->is_officer)
			return dvc__err(DVC_EPERM, "actor", "only the signing leader attaches the result");
		if (d->state != DVC_STATE_IN_PROGRESS)
			return dvc__err(DVC_ETRANSITION, "component",
					"dossier %s is %s: a result is attached on its signing step", d->code,
					dvc_state_name(d->state));
		if (w->role != DVC_ROLE_SIGNING_LEADER || (size_t)d->step >= rt->n_steps ||
		    rt->steps[d->step].role != DVC_ROLE_SIGNING_LEADER ||
		    strcmp(w->off.unit, d->unit) != 0)
			return dvc__err(DVC_EPERM, "actor",
					"the result is attached by the signing leader at the dossier's current "
					"step (%s at %s)", dvc_role_name(rt->steps[d->step].role), d->unit);
		if (d->handler_id && d->handler_id != w->off.id)
			return dvc__err(DVC_EPERM, "actor", "dossier %s is assigned to another officer", d->code);
		if (r->mode == DVC_ATTACH_SUPPLEMENT)
			return dvc__err(DVC_EINVAL, "mode", "a result is added or replaced, not supplemented");
		if (r->form == DVC_FILE_ECOPY)
			return dvc__err(DVC_EINVAL, "form", "the signed electronic copy of a result is made "
					"by dvc_dossier_sign_result, not uploaded");
		return DVC_OK;
	}
	if (w->is_officer) {
		if (w->role != DVC_ROLE_ADMIN &&
		    (w->role != DVC_ROLE_RECEPTION || strcmp(w->off.unit, rt->steps[0].unit) != 0))
			return dvc__err(DVC_EPERM, "actor", "only the reception desk %s adds documents to "
					"a dossier", rt->steps[0].unit);
		if (d->state != DVC_STATE_SUBMITTED && d->state != DVC_STATE_SUPPLEMENT_REQUESTED)
			return dvc__err(DVC_ETRANSITION, "state",
					"dossier %s is %s: documents are added before receipt or on a "
					"supplement request", d->code, dvc_state_name(d->state));
	} else if (d->state != DVC_STATE_DRAFT && d->state != DVC_STATE_SUBMITTED &&
		   d->state != DVC_STATE_SUPPLEMENT_REQUESTED) {
		return dvc__err(DVC_ETRANSITION, "state",
				"dossier %s is %s: documents are added before receipt or on a supplement "
				"request", d->code, dvc_state_name(d->state));
	}
	if (r->mode == DVC_ATTACH_SUPPLEMENT && d->state != DVC_STATE_SUPPLEMENT_REQUESTED)
		return dvc__err(DVC_ETRANSITION, "mode", "no supplement was requested for dossier %s",
				d->code);
	return DVC_OK;
}

typedef struct attach_out {
	dvc__file_row row;
	char name[DVC_FILE_NAME_MAX + 1];
	char added_by[sizeof ((dvc__who *)0)->label];
	char component_name[DVC_CATALOG_MAX_TEXT + 1];
	char code[DVC_CODE_MAX];
} attach_out;

static int attach(dvc_db *db, const char *code, const dvc_attach_req *r, upload *u,
		  attach_out *o, int *bad_secret)
{
	const dvc__proc_rt *rt;
	dvc_procedure *p = NULL;
	dvc__dossier d;
	dvc__who w;
	dvc_procedure_policy pol;
	char types[DVC__TYPES_MAX], note[JOURNAL_NOTE_SIZE], size_s[DVC_VND_SIZE];
	const char *name = r->name;
	int64_t blob_id = 0, file_id;
	dvc__blob_row b;
	find_ctx old, src; /* src.name outlives the reuse branch: `name` may point there */
	int rc, n;

	memset(&b, 0, sizeof b);
	if ((rc = dvc__dossier_open(db, code, &r->actor, &d, &w, bad_secret)) != DVC_OK)
		return rc;
	if ((rc = dvc__rt_get(db, d.version_id, &rt)) != DVC_OK)
		return rc;
	if ((rc = check_attach_rights(&d, rt, &w, r)) != DVC_OK)
		return rc;
	if ((rc = dvc__store_version_get(db, rt->code, rt->version, NULL, &p)) != DVC_OK)
		return rc;
	if (r->component != DVC_FILE_RESULT &&
	    (r->component < 0 || (size_t)r->component >= p->n_documents)) {
		rc = dvc__err(DVC_ENOTFOUND, "component", "procedure %s has %zu components; there is no "
			      "component %d", rt->code, p->n_documents, r->component);
		goto out;
	}
	snprintf(o->component_name, sizeof o->component_name, "%s",
		 r->component == DVC_FILE_RESULT ? "Kết quả giải quyết" : p->documents[r->component].name);
	memset(&old, 0, sizeof old);
	if (r->mode == DVC_ATTACH_REPLACE) {
		if ((rc = dvc__store_file_each(db, d.id, r->replaces, on_find, &old)) != DVC_OK)
			goto out;
		if (!old.found || old.row.component != r->component || old.row.replaced_by) {
			rc = dvc__err(DVC_ENOTFOUND, "replaces",
				      "dossier %s has no current file %lld of component %d to replace",
				      d.code, (long long)r->replaces, r->component);
			goto out;
		}
	}
	if ((rc = dvc__policy(db, rt->code, &pol, types, sizeof types)) != DVC_OK)
		goto out;
	if (r->reuse) {
		/* by reference, from the actor's own data store: no new upload */
		memset(&src, 0, sizeof src);
		if (!w.account_id) {
			rc = dvc__err(DVC_EPERM, "reuse", "only an account holder reuses files of their data store");
			goto out;
		}
		if ((rc = dvc__store_account_file_each(db, w.account_id, r->reuse, on_find, &src)) != DVC_OK)
			goto out;
		if (!src.found) {
			rc = dvc__err(DVC_ENOTFOUND, "reuse", "file %lld is not in the data store of %s",
				      (long long)r->reuse, r->actor.name);
			goto out;
		}
		if (!name)
			name = src.name;
		b = src.row.blob;
		blob_id = src.row.blob_id;
		if (b.size > pol.max_file_bytes) {
			rc = limit_err(b.size, &pol);
			goto out;
		}
		if (!type_allowed(pol.media_types, b.media_type)) {
			rc = dvc__err(DVC_EMEDIATYPE, "reuse", "the stored file is %s, which this procedure "
				      "does not accept (%s)", b.media_type, pol.media_types);
			goto out;
		}
	}
	if ((rc = check_file_name(name)) != DVC_OK)
		goto out;
	if (!r->reuse) {
		if (r->declared_size > pol.max_file_bytes) {
			rc = limit_err(-1, &pol);
			goto out;
		}
		if ((rc = stream_in(db, r, &pol, u, &blob_id, &b)) != DVC_OK)
			goto out;
	}
	memset(&o->row, 0, sizeof o->row);
	o->row.dossier_id = d.id;
	o->row.component = r->component;
	o->row.blob_id = blob_id;
	o->row.name = name;
	o->row.form = (int)r->form;
	o->row.mode = (int)r->mode;
	o->row.added_by = w.label;
	if ((rc = dvc__now(db, &o->row.added_at)) != DVC_OK)
		goto out;
	o->row.blob = b;
	if ((rc = dvc__store_file_insert(db, &o->row, &file_id)) != DVC_OK)
		goto out;
	o->row.id = file_id;
	if (r->mode == DVC_ATTACH_REPLACE && (rc = dvc__store_file_replace(db, r->replaces, file_id)) != DVC_OK)
		goto out;
	/* the applicant's own uploads are kept in their data store (Decree 45/2020, art. 16) */
	if (w.account_id && w.owner &&
	    (rc = dvc__store_account_file_insert(db, w.account_id, blob_id, name, (int)r->form,
						 r->component == DVC_FILE_RESULT ? DVC__AFILE_RESULT
										 : DVC__AFILE_DOCUMENT,
						 d.id, o->row.added_at, NULL)) != DVC_OK)
		goto out;
	dvc_vnd_format(b.size, size_s);
	n = snprintf(note, sizeof note, "%s tệp «%s» (%s, %s, %s byte) cho thành phần %d: %s",
		     r->mode == DVC_ATTACH_REPLACE ? "Thay" : r->mode == DVC_ATTACH_SUPPLEMENT ? "Bổ sung" : "Thêm",
		     name, form_labels_vi[r->form], b.media_type, size_s, r->component, o->component_name);
	if (n < 0 || (size_t)n >= sizeof note) {
		rc = dvc__err(DVC_ETOOBIG, "note", "the journal note of file '%.80s' does not fit", name);
		goto out;
	}
	if ((rc = dvc__dossier_record_digest(db, &d, w.label, DVC_ACT_ATTACH, note, b.sha)) != DVC_OK)
		goto out;
	snprintf(o->name, sizeof o->name, "%s", name);
	snprintf(o->added_by, sizeof o->added_by, "%s", w.label);
	snprintf(o->code, sizeof o->code, "%s", d.code);
out:
	dvc_procedure_free(p);
	return rc;
}

/* Thread-local copies behind the borrowed strings of dvc_dossier_attach's out. */
static _Thread_local attach_out last_attach;

static void fill_info(dvc_file_info *fi, const dvc__file_row *f, const char *component_name,
		      const char *name, const char *added_by, const char *code)
{
	memset(fi, 0, sizeof *fi);
	fi->id = f->id;
	fi->component = f->component;
	fi->component_name = component_name;
	fi->name = name;
	fi->size = f->blob.size;
	snprintf(fi->media_type, sizeof fi->media_type, "%s", f->blob.media_type);
	hex32(f->blob.sha, fi->sha256);
	fi->form = (dvc_file_form)f->form;
	fi->mode = (dvc_attach_mode)f->mode;
	fi->added_by = added_by;
	fi->added_at = f->added_at;
	fi->replaced_by = f->replaced_by;
	fi->dossier = code;
}

/* attach from the start: content in memory rewound to where it began */
static int attach_run(dvc_db *db, const char *code, const dvc_attach_req *r, upload *u,
		      attach_out *o, int *bad_secret, dvc_mem_reader *mem, size_t from)
{
	if (mem)
		mem->offset = from;
	return attach(db, code, r, u, o, bad_secret);
}

int dvc_dossier_attach(dvc_db *db, const char *code, const dvc_attach_req *r, dvc_file_info *out)
{
	upload u;
	attach_out o;
	dvc__guesser g;
	dvc_mem_reader *mem;
	size_t from;
	int rc, bad_secret = 0;
	if (!db || !code || !r)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_attach needs a store, a code and a request");
	if (r->version != DVC_ATTACH_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "unsupported dvc_attach_req version %u", r->version);
	if ((unsigned)r->form > DVC_FILE_ECOPY)
		return dvc__err(DVC_EINVAL, "form", "unknown file form %d", (int)r->form);
	if ((unsigned)r->mode > DVC_ATTACH_SUPPLEMENT)
		return dvc__err(DVC_EINVAL, "mode", "unknown attach mode %d", (int)r->mode);
	if (!r->reuse && !r->read)
		return dvc__err(DVC_EINVAL, "read", "an upload needs a read callback (or a file to reuse)");
	if (r->reuse && r->read)
		return dvc__err(DVC_EINVAL, "reuse", "give either content or a file to reuse, not both");
	if (r->reuse && r->declared_size >= 0)
		return dvc__err(DVC_EINVAL, "declared_size", "a reused file has no declared size");
	if (r->reuse < 0)
		return dvc__err(DVC_EINVAL, "reuse", "file ids are positive");
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	if (r->actor.kind == DVC_ACTOR_ANONYMOUS &&
	    (rc = dvc__anon_check(db, &g, NULL, code, r->actor.secret)) != DVC_OK)
		return rc;
	memset(&u, 0, sizeof u);
	mem = r->read == dvc_mem_read ? r->read_ctx : NULL;
	from = mem ? mem->offset : 0;
	/* Run again after a deadlock only while the content can be read again:
	 * a reused file, content in memory (rewound), or a stream the failed
	 * run had not read from yet. A stream read from is the caller's, gone:
	 * DVC_EBUSY, and the caller uploads again. */
	DVC__WRITE_RETRYING_IF(db, rc, dvc__write_begin,
			       attach_run(db, code, r, &u, &o, &bad_secret, mem, from), mem || !u.read);
	if (u.magic)
		magic_close(u.magic);
	dvc__free(u.buf);
	if (bad_secret)
		return dvc__anon_failed(db, &g);
	if (rc != DVC_OK)
		return rc;
	if (r->actor.kind == DVC_ACTOR_ANONYMOUS)
		dvc__anon_ok(db, &g);
	if (out) {
		last_attach = o;
		last_attach.row.name = last_attach.name;
		fill_info(out, &last_attach.row, last_attach.component_name, last_attach.name,
			  last_attach.added_by, last_attach.code);
	}
	return DVC_OK;
}

/* ---- listing ---- */

struct dvc_file_list {
	dvc_arena a;
	dvc_file_info *items;
	size_t n, cap;
	const dvc_procedure *proc; /* component names; NULL for the data store */
};

static int on_list(void *ctx, const dvc__file_row *f)
{
	dvc_file_list *l = ctx;
	dvc_file_info *items;
	const char *cname;
	if (!(items = dvc_arena_grow(&l->a, l->items, l->n, &l->cap, sizeof *items)))
		return dvc__oom();
	l->items = items;
	if (!l->proc)
		cname = f->component == DVC__AFILE_RESULT ? "Kết quả giải quyết" : "Giấy tờ";
	else if (f->component == DVC_FILE_RESULT)
		cname = "Kết quả giải quyết";
	else if (f->component >= 0 && (size_t)f->component < l->proc->n_documents)
		cname = l->proc->documents[f->component].name;
	else
		cname = "?";
	fill_info(&items[l->n], f, dvc_arena_strdup(&l->a, cname), dvc_arena_strdup(&l->a, f->name),
		  dvc_arena_strdup(&l->a, f->added_by), dvc_arena_strdup(&l->a, f->dossier_code));
	if (!l->proc)
		items[l->n].component = f->component == DVC__AFILE_RESULT ? DVC_FILE_RESULT : 0;
	if (!items[l->n].component_name || !items[l->n].name || !items[l->n].added_by ||
	    (f->dossier_code && !items[l->n].dossier))
		return dvc__oom();
	l->n++;
	return DVC_OK;
}

static int files(dvc_db *db, const char *code, const dvc_actor *who, dvc_file_list **out,
		 int *bad_secret)
{
	const dvc__proc_rt *rt;
	dvc_procedure *p = NULL;
	dvc__dossier d;
	dvc__who w;
	dvc_file_list *l;
	int rc;
	if (who)
		rc = dvc__dossier_open(db, code, who, &d, &w, bad_secret);
	else
		rc = dvc__store_dossier_load(db, code, &d);
	if (rc != DVC_OK ||
	    (rc = dvc__rt_get(db, d.version_id, &rt)) != DVC_OK ||
	    (rc = dvc__store_version_get(db, rt->code, rt->version, NULL, &p)) != DVC_OK)
		return rc;
	if (!(l = dvc__calloc(1, sizeof *l))) {
		dvc_procedure_free(p);
		return dvc__oom();
	}
	l->proc = p;
	rc = dvc__store_file_each(db, d.id, 0, on_list, l);
	l->proc = NULL;
	dvc_procedure_free(p);
	if (rc != DVC_OK) {
		dvc_file_list_free(l);
		return rc;
	}
	*out = l;
	return DVC_OK;
}

int dvc_dossier_files(dvc_db *db, const char *code, const dvc_actor *who, dvc_file_list **out)
{
	return dvc_dossier_files_from(db, code, who, NULL, out);
}

int dvc_dossier_files_from(dvc_db *db, const char *code, const dvc_actor *who,
			   const dvc_caller *from, dvc_file_list **out)
{
	dvc__guesser g;
	int rc, bad_secret = 0, writing;
	if (!db || !code || !who || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_files needs a store, a code, who asks and an out pointer");
	*out = NULL;
	if ((rc = dvc__caller_check(db, &g, code, who, from)) != DVC_OK)
		return rc;
	if ((rc = dvc__read_open(db, code, who, DVC_ACCESS_FILES, NULL, &writing)) != DVC_OK)
		return rc;
	rc = dvc__read_close(db, writing, files(db, code, who, out, &bad_secret));
	if (rc != DVC_OK && *out) { /* read, but its record could not be committed */
		dvc_file_list_free(*out);
		*out = NULL;
	}
	return dvc__caller_done(db, &g, who, rc, bad_secret);
}

int dvc__dossier_files_all(dvc_db *db, const char *code, dvc_file_list **out)
{
	int bad_secret = 0;
	*out = NULL;
	return files(db, code, NULL, out, &bad_secret);
}

size_t dvc_file_list_count(const dvc_file_list *l) { return l ? l->n : 0; }

const dvc_file_info *dvc_file_list_at(const dvc_file_list *l, size_t i)
{
	return l && i < l->n ? &l->items[i] : NULL;
}

const dvc_file_info *dvc_file_list_find(const dvc_file_list *l, int64_t id)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (l->items[i].id == id)
			return &l->items[i];
	return NULL;
}

int64_t dvc_mem_read(void *ctx, void *buf, size_t cap)
{
	dvc_mem_reader *m = ctx;
	size_t k = m->size - m->offset < cap ? m->size - m->offset : cap;
	if (k) /* empty content may have no buffer at all: memcpy from NULL is undefined */
		memcpy(buf, (const unsigned char *)m->data + m->offset, k);
	m->offset += k;
	return (int64_t)k;
}

void dvc_file_list_free(dvc_file_list *l)
{
	if (!l)
		return;
	dvc_arena_free(&l->a);
	dvc__free(l);
}

/* ---- download ---- */

typedef struct sink {
	dvc_file_write_fn write;
	void *ctx;
	crypto_hash_sha256_state h;
	int64_t n;
} sink;

static int on_chunk(void *ctx, const void *data, size_t n)
{
	sink *s = ctx;
	crypto_hash_sha256_update(&s->h, data, n);
	s->n += (int64_t)n;
	if (s->write(s->ctx, data, n) != 0)
		return dvc__err(DVC_EIO, NULL, "the download's writer stopped after %lld bytes",
				(long long)s->n);
	return DVC_OK;
}

int dvc__blob_write(dvc_db *db, const dvc__blob_row *b, dvc_file_write_fn write, void *ctx);
int dvc__blob_write(dvc_db *db, const dvc__blob_row *b, dvc_file_write_fn write, void *ctx)
{
	sink s;
	unsigned char sha[32];
	int rc;
	s.write = write;
	s.ctx = ctx;
	s.n = 0;
	crypto_hash_sha256_init(&s.h);
	if ((rc = dvc__store_blob_each_chunk(db, b->id, on_chunk, &s)) != DVC_OK)
		return rc;
	crypto_hash_sha256_final(&s.h, sha);
	if (s.n != b->size || sodium_memcmp(sha, b->sha, 32) != 0)
		return dvc__err(DVC_ECORRUPT, NULL, "stored file %lld does not match its SHA-256",
				(long long)b->id);
	return DVC_OK;
}

static int download(dvc_db *db, const char *code, const dvc_actor *who, int64_t file_id,
		    dvc_file_write_fn write, void *ctx, int *bad_secret)
{
	dvc__dossier d;
	dvc__who w;
	find_ctx f;
	int rc;
	if ((rc = dvc__dossier_open(db, code, who, &d, &w, bad_secret)) != DVC_OK)
		return rc;
	if (d.flags & DVC__F_ERASED)
		return dvc__err(DVC_ENOTFOUND, "file", "the documents of dossier %s were erased after "
				"their retention period (its journal holds their SHA-256)", d.code);
	memset(&f, 0, sizeof f);
	if ((rc = dvc__store_file_each(db, d.id, file_id, on_find, &f)) != DVC_OK)
		return rc;
	if (!f.found)
		return dvc__err(DVC_ENOTFOUND, "file", "dossier %s has no file %lld", d.code,
				(long long)file_id);
	return dvc__blob_write(db, &f.row.blob, write, ctx);
}

int dvc_dossier_download(dvc_db *db, const char *code, const dvc_actor *who, int64_t file_id,
			 dvc_file_write_fn write, void *ctx)
{
	return dvc_dossier_download_from(db, code, who, NULL, file_id, write, ctx);
}

int dvc_dossier_download_from(dvc_db *db, const char *code, const dvc_actor *who,
			      const dvc_caller *from, int64_t file_id, dvc_file_write_fn write,
			      void *ctx)
{
	dvc__guesser g;
	int rc, bad_secret = 0;
	if (!db || !code || !who || !write)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_download needs a store, a code, who asks and a writer");
	if (file_id <= 0)
		return dvc__err(DVC_ENOTFOUND, "file", "no file %lld", (long long)file_id);
	if ((rc = dvc__caller_check(db, &g, code, who, from)) != DVC_OK)
		return rc;
	if (who->kind == DVC_ACTOR_OFFICER) {
		char detail[sizeof "file " + 20];
		snprintf(detail, sizeof detail, "file %lld", (long long)file_id);
		if ((rc = dvc__officer_read(db, code, who, DVC_ACCESS_DOWNLOAD, detail)) != DVC_OK)
			return rc;
	}
	if ((rc = dvc__read_begin(db)) != DVC_OK)
		return rc;
	rc = download(db, code, who, file_id, write, ctx, &bad_secret);
	dvc__read_end(db);
	return dvc__caller_done(db, &g, who, rc, bad_secret);
}

/* ---- the account's data store ---- */

int dvc_account_files(dvc_db *db, const char *username, dvc_file_list **out)
{
	dvc_arena a = DVC_ARENA_INIT;
	dvc__account_row acc;
	dvc_file_list *l;
	int rc;
	if (!db || !username || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_account_files needs a store, a username and an out pointer");
	*out = NULL;
	if ((rc = dvc__read_begin(db)) != DVC_OK)
		return rc;
	rc = dvc__store_account_get(db, username, &a, &acc);
	dvc_arena_free(&a);
	if (rc == DVC_OK) {
		if (!(l = dvc__calloc(1, sizeof *l)))
			rc = dvc__oom();
		else if ((rc = dvc__store_account_file_each(db, acc.id, 0, on_list, l)) != DVC_OK)
			dvc_file_list_free(l);
		else
			*out = l;
	}
	dvc__read_end(db);
	return rc;
}

int dvc_account_download(dvc_db *db, const char *username, int64_t file_id, dvc_file_write_fn write,
			 void *ctx)
{
	dvc_arena a = DVC_ARENA_INIT;
	dvc__account_row acc;
	find_ctx f;
	int rc;
	if (!db || !username || !write)
		return dvc__err(DVC_EINVAL, NULL, "dvc_account_download needs a store, a username and a writer");
	if ((rc = dvc__read_begin(db)) != DVC_OK)
		return rc;
	rc = dvc__store_account_get(db, username, &a, &acc);
	dvc_arena_free(&a);
	memset(&f, 0, sizeof f);
	if (rc == DVC_OK && (rc = dvc__store_account_file_each(db, acc.id, file_id, on_find, &f)) == DVC_OK) {
		if (!f.found)
			rc = dvc__err(DVC_ENOTFOUND, "file", "file %lld is not in the data store of %.64s",
				      (long long)file_id, username);
		else
			rc = dvc__blob_write(db, &f.row.blob, write, ctx);
	}
	dvc__read_end(db);
	return rc;
}

/* ---- signing the result (sign.h) ---- */

/* The current result the leader attached and the current signed envelope. */
typedef struct results {
	find_ctx raw, env;
	int have_raw, have_env;
} results;

static int on_result(void *ctx, const dvc__file_row *f)
{
	results *l = ctx;
	if (f->component != DVC_FILE_RESULT || f->replaced_by)
		return DVC_OK;
	if (f->form == DVC_FILE_ECOPY) {
		l->have_env = 1;
		return on_find(&l->env, f);
	}
	l->have_raw = 1;
	return on_find(&l->raw, f);
}

static int current_results(dvc_db *db, int64_t dossier_id, results *l)
{
	memset(l, 0, sizeof *l);
	return dvc__store_file_each(db, dossier_id, 0, on_result, l);
}

typedef struct mem_buf {
	unsigned char *p;
	size_t n, cap;
} mem_buf;

static int mem_put(void *ctx, const void *data, size_t n)
{
	mem_buf *m = ctx;
	if (n > m->cap - m->n)
		return dvc__err(DVC_ECORRUPT, NULL, "the stored result is longer than its recorded size");
	memcpy(m->p + m->n, data, n);
	m->n += n;
	return 0;
}

/* Store bytes we made (the signed envelope) as a blob, in chunks. */
static int store_bytes(dvc_db *db, const char *data, size_t n, const char *media_type,
		       dvc__blob_row *b)
{
	crypto_hash_sha256_state h;
	int64_t staged, seq = 0;
	int rc;
	if ((rc = dvc__store_blob_stage(db, &staged)) != DVC_OK)
		return rc;
	crypto_hash_sha256_init(&h);
	for (size_t off = 0; off < n; off += DVC_FILE_CHUNK) {
		size_t k = n - off < DVC_FILE_CHUNK ? n - off : DVC_FILE_CHUNK;
		crypto_hash_sha256_update(&h, (const unsigned char *)data + off, k);
		if ((rc = dvc__store_blob_chunk(db, staged, seq++, data + off, k)) != DVC_OK)
			return rc;
	}
	crypto_hash_sha256_final(&h, b->sha);
	b->size = (int64_t)n;
	snprintf(b->media_type, sizeof b->media_type, "%s", media_type);
	return dvc__store_blob_seal(db, staged, b->sha, b->size, media_type, &b->id);
}

static int sign_result(dvc_db *db, const char *code, const dvc_actor *who,
		       const dvc_sign_opts *opts, attach_out *o, int *bad_secret)
{
	const dvc__proc_rt *rt;
	dvc__dossier d;
	dvc__who w;
	dvc__signer signer;
	dvc_attach_req fake = DVC_ATTACH_INIT;
	dvc_arena a = DVC_ARENA_INIT;
	dvc__officer_row off;
	results lr;
	mem_buf m = {NULL, 0, 0};
	char *xml = NULL, sha[65], when[DVC_TIME_FORMAT_SIZE], signer_name[SIGNER_NAME_SIZE];
	char note[JOURNAL_NOTE_SIZE];
	const char *full_name = NULL;
	size_t xml_len = 0;
	dvc__sign_meta meta;
	dvc__blob_row b;
	dvc_time now;
	int64_t file_id;
	int rc, n;

	if ((rc = dvc__now(db, &now)) != DVC_OK ||
	    (rc = dvc__dossier_open(db, code, who, &d, &w, bad_secret)) != DVC_OK ||
	    (rc = dvc__rt_get(db, d.version_id, &rt)) != DVC_OK)
		return rc;
	fake.component = DVC_FILE_RESULT;
	if ((rc = check_attach_rights(&d, rt, &w, &fake)) != DVC_OK ||
	    (rc = current_results(db, d.id, &lr)) != DVC_OK)
		return rc;
	if (!lr.have_raw)
		return dvc__err(DVC_ENOTFOUND, "result", "dossier %s has no result attached to sign", d.code);
	if (lr.have_env && lr.env.row.id > lr.raw.row.id)
		return dvc__err(DVC_EEXISTS, "result", "the current result of dossier %s is signed already",
				d.code);
	if (lr.raw.row.blob.size > DVC_SIGN_MAX_BYTES)
		return dvc__err(DVC_ETOOBIG, "result", "results over %d bytes are not signed",
				DVC_SIGN_MAX_BYTES);
	if ((rc = dvc__store_officer_get(db, w.off.username, &off, &a, &full_name)) != DVC_OK)
		return rc;
	n = snprintf(signer_name, sizeof signer_name, "%s (%s)", full_name ? full_name : "",
		     w.off.username);
	dvc_arena_free(&a);
	/* the officer's name is checked against DVC_FULL_NAME_MAX when added; a
	 * longer one in the store is refused, never signed cut short */
	if (n < 0 || (size_t)n >= sizeof signer_name)
		return dvc__err(DVC_ETOOBIG, "full_name", "the name of officer %s is longer than %d bytes",
				w.off.username, DVC_FULL_NAME_MAX);
	if (!(m.p = dvc__malloc((size_t)lr.raw.row.blob.size + 1)))
		return dvc__oom();
	m.cap = (size_t)lr.raw.row.blob.size;
	if ((rc = dvc__blob_write(db, &lr.raw.row.blob, mem_put, &m)) != DVC_OK)
		goto out;
	hex32(lr.raw.row.blob.sha, sha);
	dvc_time_format(now, when, sizeof when);
	meta.dossier = d.code;
	meta.procedure = rt->code;
	meta.procedure_name = rt->name;
	meta.agency = rt->steps[d.step].unit;
	meta.file_name = lr.raw.name;
	meta.media_type = lr.raw.row.blob.media_type;
	meta.sha256 = sha;
	meta.signed_at = when;
	meta.signer = signer_name;
	if ((rc = dvc__sign_result_xml(&meta, m.p, m.n, opts, &xml, &xml_len, &signer)) != DVC_OK)
		goto out;
	memset(&b, 0, sizeof b);
	if ((rc = store_bytes(db, xml, xml_len, "application/xml", &b)) != DVC_OK)
		goto out;
	snprintf(o->name, sizeof o->name, "%s-ket-qua-ky-so.xml", d.code);
	memset(&o->row, 0, sizeof o->row);
	o->row.dossier_id = d.id;
	o->row.component = DVC_FILE_RESULT;
	o->row.blob_id = b.id;
	o->row.name = o->name;
	o->row.form = DVC_FILE_ECOPY;
	o->row.mode = lr.have_env ? DVC_ATTACH_REPLACE : DVC_ATTACH_ADD;
	o->row.added_by = w.label;
	o->row.added_at = now;
	o->row.blob = b;
	if ((rc = dvc__store_file_insert(db, &o->row, &file_id)) != DVC_OK)
		goto out;
	o->row.id = file_id;
	/* a re-signed result (the leader replaced it) supersedes the old envelope */
	if (lr.have_env && (rc = dvc__store_file_replace(db, lr.env.row.id, file_id)) != DVC_OK)
		goto out;
	/* the applicant's electronic result is kept in their data store (Decree 45/2020, art. 16) */
	if (d.account_id &&
	    (rc = dvc__store_account_file_insert(db, d.account_id, b.id, o->name, DVC_FILE_ECOPY,
						 DVC__AFILE_RESULT, d.id, now, NULL)) != DVC_OK)
		goto out;
	n = snprintf(note, sizeof note, "Ký số kết quả «%s» (SHA-256 %s) bằng chữ ký XML-DSig "
		     "RSA-SHA256; chứng thư số SHA-256 %s; %s", lr.raw.name, sha, signer.fingerprint,
		     signer.subject);
	if (n < 0 || (size_t)n >= sizeof note) {
		rc = dvc__err(DVC_ETOOBIG, "note", "the journal note of file '%.80s' does not fit",
			      lr.raw.name);
		goto out;
	}
	if ((rc = dvc__dossier_record_digest(db, &d, w.label, DVC_ACT_SIGN, note, b.sha)) != DVC_OK)
		goto out;
	snprintf(o->added_by, sizeof o->added_by, "%s", w.label);
	snprintf(o->component_name, sizeof o->component_name, "Kết quả giải quyết (bản điện tử ký số)");
	snprintf(o->code, sizeof o->code, "%s", d.code);
out:
	dvc__free(m.p);
	dvc__free(xml);
	return rc;
}

int dvc__dossier_sign(dvc_db *db, const char *code, const dvc_actor *who,
		      const dvc_sign_opts *opts, dvc_file_info *out)
{
	attach_out o;
	dvc__guesser g;
	int rc, bad_secret = 0;
	if (who->kind == DVC_ACTOR_ANONYMOUS &&
	    (rc = dvc__anon_check(db, &g, NULL, code, who->secret)) != DVC_OK)
		return rc;
	/* sign_result fills `o` and bad_secret afresh and frees what it took */
	DVC__WRITE(db, rc, sign_result(db, code, who, opts, &o, &bad_secret));
	if (bad_secret)
		return dvc__anon_failed(db, &g);
	if (rc == DVC_OK && out) {
		last_attach = o;
		last_attach.row.name = last_attach.name;
		fill_info(out, &last_attach.row, last_attach.component_name, last_attach.name,
			  last_attach.added_by, last_attach.code);
	}
	return rc;
}

int dvc_dossier_sign_result(dvc_db *db, const char *code, const dvc_actor *who,
			    const dvc_sign_opts *opts, dvc_file_info *out)
{
	int rc;
	if (!db || !code || !who)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_sign_result needs a store, a code and who signs");
	if ((rc = dvc__sign_ready(opts)) != DVC_OK)
		return rc;
	return dvc__dossier_sign(db, code, who, opts, out);
}

/* A decimal in lo..hi, all of s; -1 otherwise. */
static int64_t decimal(const char *s, int64_t lo, int64_t hi)
{
	int64_t v = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v >= lo && v <= hi ? v : -1;
}

int dvc_attach_req_set(dvc_attach_req *q, const char *field, const char *value)
{
	int64_t v;
	if (!q || !field || !value)
		return dvc__err(DVC_EINVAL, field, "dvc_attach_req_set needs a request, a field and a value");
	if (strcmp(field, "name") == 0) {
		q->name = value;
	} else if (strcmp(field, "form") == 0 || strcmp(field, "mode") == 0) {
		int rc = strcmp(field, "form") == 0 ? dvc_file_form_parse(value, &q->form)
						    : dvc_attach_mode_parse(value, &q->mode);
		if (rc != DVC_OK)
			return dvc__err(rc, field, "%s", dvc_error_last()->message);
	} else if (strcmp(field, "component") == 0) {
		if (strcmp(value, "result") != 0 && (v = decimal(value, 0, 10000)) < 0)
			return dvc__err(DVC_EINVAL, field, "component is a document's index (0, 1, ...) or result");
		q->component = strcmp(value, "result") == 0 ? DVC_FILE_RESULT : (int)v;
	} else if (strcmp(field, "replaces") == 0 || strcmp(field, "reuse") == 0) {
		if ((v = decimal(value, 1, INT64_MAX)) < 0)
			return dvc__err(DVC_EINVAL, field, "%s is a file's id (1, 2, ...)", field);
		if (strcmp(field, "replaces") == 0)
			q->replaces = v;
		else
			q->reuse = v;
	} else if (strcmp(field, "size") == 0) {
		if ((v = decimal(value, 0, INT64_MAX)) < 0)
			return dvc__err(DVC_EINVAL, field, "size is the file's length in bytes");
		q->declared_size = v;
	} else {
		return dvc__err(DVC_EINVAL, field, "an attachment has no field %s", field);
	}
	return DVC_OK;
}
