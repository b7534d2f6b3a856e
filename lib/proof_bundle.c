/* Proof bundles (proof.h): one dossier's journal as a JSON document that
 * verifies with no store.
 *
 * The bundle's serialization is canonical: the verifier decodes every
 * entry from its canonical bytes (the exact bytes its hash covers), checks
 * the chain, signatures, checkpoint and row as dvc_journal_verify does,
 * then writes the bundle again from what it decoded and requires the very
 * same bytes. So the readable fields cannot say something the hashed bytes
 * do not, and one changed byte anywhere fails. */
#include "proof_internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#define BUNDLE_FORMAT "dvc-proof-1"
/* Numbers the verifier reads from JSON (times, versions, fees) are exact
 * in a double up to 2^53. */
#define JSON_INT_MAX 9007199254740992.0

typedef struct bundle {
	const char *code;
	dvc__journal_row *rows;
	size_t n, cap;
	int have_cp;
	dvc__checkpoint_row cp;
	dvc__row_facts row;
	dvc_arena arena;
} bundle;

/* ---- writing ----
 *
 * Written by hand into a dvc_buf rather than through cJSON: the text is the
 * bundle's canonical form, so it must not depend on a JSON library's
 * printing, and an allocation failure must fail the whole bundle (dvc_buf's
 * sticky oom), never drop a field. One member a line, tab-indented. */

static void put_str(dvc_buf *b, const char *s)
{
	if (!s) {
		dvc_buf_puts(b, "null");
		return;
	}
	dvc_buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': dvc_buf_puts(b, "\\\""); break;
		case '\\': dvc_buf_puts(b, "\\\\"); break;
		case '\n': dvc_buf_puts(b, "\\n"); break;
		case '\r': dvc_buf_puts(b, "\\r"); break;
		case '\t': dvc_buf_puts(b, "\\t"); break;
		default:
			if (*p < 0x20)
				dvc_buf_printf(b, "\\u%04x", *p);
			else
				dvc_buf_putc(b, (char)*p);
		}
	}
	dvc_buf_putc(b, '"');
}

static void put_hex(dvc_buf *b, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	if (!p) {
		dvc_buf_puts(b, "null");
		return;
	}
	dvc_buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		dvc_buf_putc(b, digits[p[i] >> 4]);
		dvc_buf_putc(b, digits[p[i] & 15]);
	}
	dvc_buf_putc(b, '"');
}

/* `"key": ` at `depth` tabs, after the previous member's comma */
static void member(dvc_buf *b, int depth, int *first, const char *key)
{
	dvc_buf_puts(b, *first ? "\n" : ",\n");
	*first = 0;
	for (int i = 0; i < depth; i++)
		dvc_buf_putc(b, '\t');
	dvc_buf_printf(b, "\"%s\": ", key);
}

static void m_int(dvc_buf *b, int depth, int *first, const char *key, int64_t v)
{
	member(b, depth, first, key);
	dvc_buf_printf(b, "%lld", (long long)v);
}

static void m_str(dvc_buf *b, int depth, int *first, const char *key, const char *v)
{
	member(b, depth, first, key);
	put_str(b, v);
}

static void m_hex(dvc_buf *b, int depth, int *first, const char *key, const unsigned char *p, size_t n)
{
	member(b, depth, first, key);
	put_hex(b, p, n);
}

static void m_key_id(dvc_buf *b, int depth, int *first, const unsigned char *pk)
{
	char id[DVC_PROOF_KEY_ID_SIZE];
	if (pk)
		dvc__key_id(pk, id);
	m_str(b, depth, first, "key_id", pk ? id : NULL);
}

static void close_obj(dvc_buf *b, int depth)
{
	dvc_buf_putc(b, '\n');
	for (int i = 0; i < depth; i++)
		dvc_buf_putc(b, '\t');
	dvc_buf_putc(b, '}');
}

static const char *name_or(const char *n) { return n ? n : "?"; }

/* One entry: its readable fields, then its canonical bytes, hash, signature. */
static void entry_write(dvc_buf *b, const char *code, const dvc__journal_row *j,
			const unsigned char prev[32])
{
	dvc_buf canon = DVC_BUF_INIT;
	unsigned char h[32];
	int f = 1;
	dvc_buf_puts(b, "\t\t{");
	m_int(b, 3, &f, "seq", j->seq);
	m_int(b, 3, &f, "format", j->format);
	m_int(b, 3, &f, "at", j->at);
	m_str(b, 3, &f, "actor", j->actor);
	m_str(b, 3, &f, "unit", j->unit);
	m_str(b, 3, &f, "action", name_or(dvc_action_name(j->action)));
	m_str(b, 3, &f, "from", name_or(dvc_state_name(j->from)));
	m_str(b, 3, &f, "to", name_or(dvc_state_name(j->to)));
	m_str(b, 3, &f, "note", j->note);
	m_hex(b, 3, &f, "payload_sha256", j->payload_digest, 32);
	if (j->format >= 2) {
		m_int(b, 3, &f, "version", j->rev);
		m_int(b, 3, &f, "fee_due", j->fee_due);
		m_int(b, 3, &f, "fee_paid", j->fee_paid);
		m_int(b, 3, &f, "fee_refunded", j->fee_refunded);
	}
	m_hex(b, 3, &f, "key", j->pubkey, 32);
	m_key_id(b, 3, &f, j->pubkey);
	dvc__journal_hash(code, j, prev, h, &canon);
	if (canon.oom)
		b->oom = true;
	else
		m_hex(b, 3, &f, "canonical", (const unsigned char *)canon.ptr, canon.len);
	dvc_buf_free(&canon);
	m_hex(b, 3, &f, "hash", j->hash, 32);
	m_hex(b, 3, &f, "signature", j->sig, 64);
	close_obj(b, 2);
}

/* The whole bundle; *out is NUL-terminated, ends with a newline. */
static int bundle_write(const bundle *b, char **out, size_t *len)
{
	static const unsigned char zero[32];
	const unsigned char *prev = zero;
	dvc_buf t = DVC_BUF_INIT;
	int f = 1, g = 1;
	dvc_buf_putc(&t, '{');
	m_str(&t, 1, &f, "format", BUNDLE_FORMAT);
	m_str(&t, 1, &f, "dossier", b->code);
	member(&t, 1, &f, "row");
	dvc_buf_putc(&t, '{');
	m_str(&t, 2, &g, "state", name_or(dvc_state_name(b->row.state)));
	m_int(&t, 2, &g, "version", b->row.rev);
	m_int(&t, 2, &g, "fee_due", b->row.fee_due);
	m_int(&t, 2, &g, "fee_paid", b->row.fee_paid);
	m_int(&t, 2, &g, "fee_refunded", b->row.fee_refunded);
	m_int(&t, 2, &g, "journal_length", b->row.journal_seq);
	m_hex(&t, 2, &g, "journal_head", b->row.journal_seq ? b->row.journal_head : NULL, 32);
	close_obj(&t, 1);
	member(&t, 1, &f, "entries");
	dvc_buf_putc(&t, '[');
	for (size_t i = 0; i < b->n; i++) {
		dvc_buf_puts(&t, i ? ",\n" : "\n");
		entry_write(&t, b->code, &b->rows[i], prev);
		prev = b->rows[i].hash;
	}
	dvc_buf_puts(&t, b->n ? "\n\t]" : "]");
	member(&t, 1, &f, "checkpoint");
	if (b->have_cp) {
		g = 1;
		dvc_buf_putc(&t, '{');
		m_int(&t, 2, &g, "seq", b->cp.seq);
		m_int(&t, 2, &g, "at", b->cp.at);
		m_hex(&t, 2, &g, "head", b->cp.head, 32);
		m_hex(&t, 2, &g, "key", b->cp.pubkey, 32);
		m_key_id(&t, 2, &g, b->cp.pubkey);
		m_hex(&t, 2, &g, "signature", b->cp.sig, 64);
		close_obj(&t, 1);
	} else {
		dvc_buf_puts(&t, "null");
	}
	close_obj(&t, 0);
	dvc_buf_putc(&t, '\n');
	return dvc_buf_finish(&t, DVC_OK, out, len);

}

/* ---- export ---- */

static int collect(void *ctx, const dvc__journal_row *j)
{
	bundle *b = ctx;
	dvc__journal_row *r;
	unsigned char *blobs;
	if (!(b->rows = dvc_arena_grow(&b->arena, b->rows, b->n, &b->cap, sizeof *b->rows)) ||
	    !(blobs = dvc_arena_alloc(&b->arena, 32 + 32 + 32 + 64)))
		return dvc__oom();
	r = &b->rows[b->n];
	*r = *j;
	if ((j->actor && !(r->actor = dvc_arena_strdup(&b->arena, j->actor))) ||
	    (j->unit && !(r->unit = dvc_arena_strdup(&b->arena, j->unit))) ||
	    (j->note && !(r->note = dvc_arena_strdup(&b->arena, j->note))))
		return dvc__oom();
	memcpy(blobs, j->hash, 32);
	r->hash = blobs;
	if (j->payload_digest)
		r->payload_digest = memcpy(blobs + 32, j->payload_digest, 32);
	if (j->pubkey)
		r->pubkey = memcpy(blobs + 64, j->pubkey, 32);
	if (j->sig)
		r->sig = memcpy(blobs + 96, j->sig, 64);
	b->n++;
	return DVC_OK;
}

int dvc_proof_export(dvc_db *db, const char *code, char **out)
{
	bundle b;
	dvc__dossier d;
	size_t len;
	int rc;
	if (!db || !code || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_proof_export needs a store, a code and an out pointer");
	*out = NULL;
	memset(&b, 0, sizeof b);
	if ((rc = dvc__read_begin(db)) != DVC_OK)
		return rc;
	if ((rc = dvc__store_dossier_load(db, code, &d)) != DVC_OK ||
	    (rc = dvc__store_checkpoint_get(db, d.id, &b.cp)) < 0)
		goto out;
	b.have_cp = rc == 1;
	if ((rc = dvc__store_journal_each(db, d.id, collect, &b)) != DVC_OK)
		goto out;
	for (size_t i = 0; i < b.n; i++)
		if (b.rows[i].format != 1 && b.rows[i].format != 2) {
			rc = dvc__err(DVC_ECORRUPT, d.code, "dossier %s: journal entry %lld is malformed",
				      d.code, (long long)b.rows[i].seq);
			goto out;
		}
	b.code = d.code;
	dvc__row_facts_of(&d, &b.row);
	rc = bundle_write(&b, out, &len);
out:
	dvc__read_end(db);
	dvc_arena_free(&b.arena);
	return rc;
}

/* ---- reading ---- */

/* A canonical encoding being decoded. */
typedef struct reader {
	const unsigned char *p;
	size_t n, off;
	dvc_arena *a;
	int bad;
} reader;

static const unsigned char *take(reader *r, size_t n)
{
	const unsigned char *p;
	if (r->bad || r->n - r->off < n) {
		r->bad = 1;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

static int64_t take_i64(reader *r)
{
	const unsigned char *p = take(r, 8);
	uint64_t v = 0;
	for (int i = 0; p && i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

static const char *take_str(reader *r)
{
	const unsigned char *p = take(r, 4);
	uint32_t n;
	const unsigned char *s;
	if (!p)
		return NULL;
	n = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	if (n == 0)
		return NULL;
	if (!(s = take(r, n - 1)))
		return NULL;
	if (memchr(s, 0, n - 1)) {
		r->bad = 1;
		return NULL;
	}
	return dvc_arena_strndup(r->a, (const char *)s, n - 1);
}

static const unsigned char *take_copy(reader *r, size_t n, int zero_is_null)
{
	static const unsigned char zero[32];
	const unsigned char *p = take(r, n);
	unsigned char *c;
	if (!p || (zero_is_null && n == 32 && memcmp(p, zero, 32) == 0))
		return NULL;
	if (!(c = dvc_arena_alloc(r->a, n))) {
		r->bad = 1;
		return NULL;
	}
	return memcpy(c, p, n);
}

static int bad_bundle(const char *path, const char *why)
{
	return dvc__err(DVC_EPARSE, path, "not a proof bundle: %s", why);
}

/* A hex string of exactly n bytes into dst (NULL: JSON null allowed when
 * nullable, *isnull set). */
static int get_hex(const cJSON *o, const char *key, unsigned char *dst, size_t n, int nullable,
		   int *isnull, const char *where)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	size_t got;
	char path[80];
	snprintf(path, sizeof path, "%s.%s", where, key);
	if (isnull)
		*isnull = 0;
	if (nullable && cJSON_IsNull(v)) {
		*isnull = 1;
		return DVC_OK;
	}
	if (!cJSON_IsString(v) || strlen(v->valuestring) != 2 * n ||
	    sodium_hex2bin(dst, n, v->valuestring, 2 * n, NULL, &got, NULL) != 0 || got != n)
		return bad_bundle(path, "expected hexadecimal bytes");
	return DVC_OK;
}

static int get_int(const cJSON *o, const char *key, int64_t *out, const char *where)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char path[80];
	snprintf(path, sizeof path, "%s.%s", where, key);
	/* the range first: casting a larger double is undefined (fuzz_proof) */
	if (!cJSON_IsNumber(v) || !(v->valuedouble <= JSON_INT_MAX && v->valuedouble >= -JSON_INT_MAX) ||
	    v->valuedouble != (double)(int64_t)v->valuedouble)
		return bad_bundle(path, "expected an integer");
	*out = (int64_t)v->valuedouble;
	return DVC_OK;
}

static int read_entry(bundle *b, const cJSON *e, size_t i)
{
	char where[40];
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "canonical");
	unsigned char *raw, *hash, *sig;
	size_t clen, got;
	reader r;
	dvc__journal_row *j;
	const char *code, *tag;
	int isnull, rc;
	snprintf(where, sizeof where, "entries[%zu]", i);
	if (!cJSON_IsObject(e) || !cJSON_IsString(c) || (clen = strlen(c->valuestring)) % 2)
		return bad_bundle(where, "an entry needs its canonical bytes in hexadecimal");
	if (!(raw = dvc_arena_alloc(&b->arena, clen / 2 + 1)) ||
	    !(hash = dvc_arena_alloc(&b->arena, 32 + 64)))
		return dvc__oom();
	if (sodium_hex2bin(raw, clen / 2, c->valuestring, clen, NULL, &got, NULL) != 0 || got != clen / 2)
		return bad_bundle(where, "canonical bytes are not hexadecimal");
	sig = hash + 32;
	if ((rc = get_hex(e, "hash", hash, 32, 0, NULL, where)) != DVC_OK ||
	    (rc = get_hex(e, "signature", sig, 64, 1, &isnull, where)) != DVC_OK)
		return rc;
	if (!(b->rows = dvc_arena_grow(&b->arena, b->rows, b->n, &b->cap, sizeof *b->rows)))
		return dvc__oom();
	j = &b->rows[b->n];
	memset(j, 0, sizeof *j);
	r.p = raw;
	r.n = got;
	r.off = 0;
	r.a = &b->arena;
	r.bad = 0;
	tag = (const char *)take(&r, 13);
	if (tag && memcmp(tag, "dvc-journal-1", 13) == 0)
		j->format = 1;
	else if (tag && memcmp(tag, "dvc-journal-2", 13) == 0)
		j->format = 2;
	else
		return bad_bundle(where, "canonical bytes of an unknown entry format");
	code = take_str(&r);
	j->seq = take_i64(&r);
	j->at = take_i64(&r);
	j->actor = take_str(&r);
	j->unit = take_str(&r);
	j->action = (dvc_action)take_i64(&r);
	j->from = (dvc_state)take_i64(&r);
	j->to = (dvc_state)take_i64(&r);
	j->note = take_str(&r);
	j->payload_digest = take_copy(&r, 32, 1);
	if (j->format == 2) {
		j->rev = take_i64(&r);
		j->fee_due = take_i64(&r);
		j->fee_paid = take_i64(&r);
		j->fee_refunded = take_i64(&r);
		j->pubkey = take_copy(&r, 32, 1);
	}
	take(&r, 32); /* the previous hash: the chain check recomputes it */
	if (r.bad || r.off != r.n || !j->actor)
		return bad_bundle(where, "canonical bytes do not decode");
	if (!code || strcmp(code, b->code) != 0)
		return bad_bundle(where, "an entry of another dossier");
	if ((unsigned)j->action >= DVC_ACTION_COUNT || (unsigned)j->from >= DVC_STATE_COUNT ||
	    (unsigned)j->to >= DVC_STATE_COUNT)
		return bad_bundle(where, "an unknown action or state");
	if (j->pubkey && isnull)
		return bad_bundle(where, "a signed entry without its signature");
	if (!j->pubkey && !isnull)
		return bad_bundle(where, "a signature on an unsigned entry");
	j->hash = hash;
	j->sig = isnull ? NULL : sig;
	b->n++;
	return DVC_OK;
}

static int read_bundle(bundle *b, const cJSON *o)
{
	const cJSON *v, *e, *row, *cp;
	size_t i = 0;
	int64_t x;
	int rc, isnull;
	if (!cJSON_IsObject(o))
		return bad_bundle(NULL, "expected a JSON object");
	v = cJSON_GetObjectItemCaseSensitive(o, "format");
	if (!cJSON_IsString(v))
		return bad_bundle("format", "no format");
	if (strcmp(v->valuestring, BUNDLE_FORMAT) != 0)
		return strncmp(v->valuestring, "dvc-proof-", 10) == 0
			       ? dvc__err(DVC_EVERSION, "format", "proof bundle format '%s' is newer than "
					  "this libdvc's '%s'", v->valuestring, BUNDLE_FORMAT)
			       : bad_bundle("format", "an unknown format");
	v = cJSON_GetObjectItemCaseSensitive(o, "dossier");
	if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) >= DVC_CODE_MAX)
		return bad_bundle("dossier", "no dossier code");
	b->code = v->valuestring;
	row = cJSON_GetObjectItemCaseSensitive(o, "row");
	if (!cJSON_IsObject(row))
		return bad_bundle("row", "no dossier row");
	v = cJSON_GetObjectItemCaseSensitive(row, "state");
	if (!cJSON_IsString(v) || dvc_state_parse(v->valuestring, &b->row.state) != DVC_OK)
		return bad_bundle("row.state", "an unknown state");
	if ((rc = get_int(row, "version", &b->row.rev, "row")) != DVC_OK ||
	    (rc = get_int(row, "fee_due", &b->row.fee_due, "row")) != DVC_OK ||
	    (rc = get_int(row, "fee_paid", &b->row.fee_paid, "row")) != DVC_OK ||
	    (rc = get_int(row, "fee_refunded", &b->row.fee_refunded, "row")) != DVC_OK ||
	    (rc = get_int(row, "journal_length", &b->row.journal_seq, "row")) != DVC_OK ||
	    (rc = get_hex(row, "journal_head", b->row.journal_head, 32, 1, &isnull, "row")) != DVC_OK)
		return rc;
	v = cJSON_GetObjectItemCaseSensitive(o, "entries");
	if (!cJSON_IsArray(v))
		return bad_bundle("entries", "no entries");
	cJSON_ArrayForEach(e, v) {
		if ((rc = read_entry(b, e, i++)) != DVC_OK)
			return rc;
	}
	cp = cJSON_GetObjectItemCaseSensitive(o, "checkpoint");
	if (cJSON_IsNull(cp))
		return DVC_OK;
	if (!cJSON_IsObject(cp))
		return bad_bundle("checkpoint", "expected an object or null");
	b->have_cp = 1;
	if ((rc = get_int(cp, "seq", &b->cp.seq, "checkpoint")) != DVC_OK ||
	    (rc = get_int(cp, "at", &x, "checkpoint")) != DVC_OK ||
	    (rc = get_hex(cp, "head", b->cp.head, 32, 0, NULL, "checkpoint")) != DVC_OK ||
	    (rc = get_hex(cp, "key", b->cp.pubkey, 32, 0, NULL, "checkpoint")) != DVC_OK ||
	    (rc = get_hex(cp, "signature", b->cp.sig, 64, 0, NULL, "checkpoint")) != DVC_OK)
		return rc;
	b->cp.at = x;
	return DVC_OK;
}

/* Where two texts first differ, as line and column, for the message. */
static void first_difference(const char *a, size_t an, const char *b, size_t bn, size_t *at,
			     int *line, int *col)
{
	size_t i = 0;
	*line = 1;
	*col = 1;
	while (i < an && i < bn && a[i] == b[i]) {
		if (a[i] == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
		i++;
	}
	*at = i;
}

int dvc_proof_verify(const char *text, size_t len, const dvc_proof_verify_opts *opts,
		     dvc_journal_report *out)
{
	dvc_journal_report rep = DVC_JOURNAL_REPORT_INIT;
	dvc__proof_keys keys;
	bundle b;
	cJSON *o = NULL;
	dvc__walk w;
	char *again = NULL;
	size_t again_len;
	int rc;
	if (!text)
		return dvc__err(DVC_EINVAL, NULL, "dvc_proof_verify needs a bundle");
	if (opts && opts->version != DVC_PROOF_VERIFY_OPTS_VERSION)
		return dvc__version_err("dvc_proof_verify_opts", opts->version, DVC_PROOF_VERIFY_OPTS_VERSION);
	if (out && out->version != DVC_JOURNAL_REPORT_VERSION)
		return dvc__version_err("dvc_journal_report", out->version, DVC_JOURNAL_REPORT_VERSION);
	if (len > DVC_PROOF_BUNDLE_MAX)
		return dvc__err(DVC_ETOOBIG, NULL, "a proof bundle of %zu bytes is more than %d", len,
				DVC_PROOF_BUNDLE_MAX);
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	memset(&keys, 0, sizeof keys);
	memset(&b, 0, sizeof b);
	if (opts) {
		keys.require = opts->require_signed;
		if (opts->trust_file) {
			char *t;
			size_t tl;
			if ((rc = dvc__proof_read_file(opts->trust_file, "journal trust file", 0, &t, &tl)) != DVC_OK)
				goto out;
			rc = dvc__trust_parse(t, tl, "journal trust file", &keys.trusted, &keys.n_trusted);
			dvc__free(t);
			if (rc != DVC_OK)
				goto out;
		}
		if (opts->trusted_keys &&
		    (rc = dvc__trust_parse(opts->trusted_keys, strlen(opts->trusted_keys), "trusted keys",
					   &keys.trusted, &keys.n_trusted)) != DVC_OK)
			goto out;
	}
	{
		/* the one strict reader (json.c): values counted before cJSON
		 * builds anything; a bundle's depth is 4 */
		const dvc__json_limits lim = {DVC_PROOF_BUNDLE_MAX, 8, DVC_PROOF_BUNDLE_MAX / 8};
		if ((rc = dvc__json_read(text, len, &lim, "the proof bundle", &o)) != DVC_OK)
			goto out;
	}
	if ((rc = read_bundle(&b, o)) != DVC_OK)
		goto out;
	dvc__walk_init(&w, b.code, &keys, b.have_cp ? &b.cp : NULL, &rep);
	for (size_t i = 0; i < b.n; i++)
		if ((rc = dvc__walk_entry(&w, &b.rows[i])) != DVC_OK)
			goto out;
	if ((rc = dvc__walk_end(&w, &b.row)) != DVC_OK)
		goto out;
	/* every byte: the bundle is what its verified content writes */
	if ((rc = bundle_write(&b, &again, &again_len)) != DVC_OK)
		goto out;
	if (again_len != len || memcmp(again, text, len) != 0) {
		size_t at;
		int line, col;
		first_difference(again, again_len, text, len, &at, &line, &col);
		rep.dossiers = 0;
		rc = dvc__err(DVC_EPARSE, NULL, "the proof bundle of dossier %s was altered: byte %zu "
			      "(line %d, column %d) is not what its verified entries write",
			      b.code, at, line, col);
		goto out;
	}
out:
	rep.anchored = rc == DVC_OK && keys.n_trusted > 0;
	if (out)
		*out = rep;
	dvc__free(again);
	cJSON_Delete(o);
	dvc__free(keys.trusted);
	dvc_arena_free(&b.arena);
	return rc;
}
