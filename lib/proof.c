/* A journal that proves itself (proof.h): journal keys, the canonical
 * bytes and hash of an entry, signing, and verification of a dossier's
 * journal against its signatures, its checkpoint and its row.
 *
 * Invariants the verifier relies on (dossier.c keeps them):
 * - entry seq runs 1, 2, ... with no gap; each hash covers the previous one;
 * - a format-2 entry records the row's version and fees as they are after
 *   it; the version grows by one per entry;
 * - the signed checkpoint is rewritten, in the same transaction, with every
 *   signed entry (inside dvc_begin(), once per dossier at dvc_commit()):
 *   once committed, its seq and head are the journal's last entry.
 * A consistent truncation (entries and row cut back together) keeps a valid
 * chain but not the checkpoint; a chain recomputed after an edit keeps the
 * hashes but not the signatures; a row edited alone no longer replays. */
#include "proof_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Key and trust files are a few lines; anything larger is not one. */
#define KEY_FILE_MAX (64 * 1024)

static const char ENTRY_SIG_TAG[] = "dvc-journal-entry-sig-1";
static const char CHECKPOINT_TAG[] = "dvc-journal-checkpoint-1";

/* ---- keys ---- */

void dvc__key_id(const unsigned char pk[crypto_sign_PUBLICKEYBYTES], char id[DVC_PROOF_KEY_ID_SIZE])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, pk, crypto_sign_PUBLICKEYBYTES);
	sodium_bin2hex(id, DVC_PROOF_KEY_ID_SIZE, h, (DVC_PROOF_KEY_ID_SIZE - 1) / 2);
}

int dvc__proof_read_file(const char *path, const char *what, int secret, char **out, size_t *len)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dvc__err(DVC_EIO, NULL, "cannot read the %s '%s': %s", what, path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return dvc__err(DVC_EIO, NULL, "the %s '%s' is not a regular file", what, path);
	}
	/* like ssh: a secret others can read is not a secret */
	if (secret && (st.st_mode & 077)) {
		close(fd);
		return dvc__err(DVC_EPERM, NULL, "the %s '%s' can be read by others (mode %04o): "
				"chmod 600 it", what, path, (unsigned)(st.st_mode & 07777));
	}
	if (st.st_size > KEY_FILE_MAX) {
		close(fd);
		return dvc__err(DVC_ETOOBIG, NULL, "the %s '%s' is %lld bytes, more than a key file's %d",
				what, path, (long long)st.st_size, KEY_FILE_MAX);
	}
	if (!(buf = dvc__malloc((size_t)st.st_size + 1))) {
		close(fd);
		return dvc__oom();
	}
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			sodium_memzero(buf, n);
			dvc__free(buf);
			return dvc__err(DVC_EIO, NULL, "cannot read the %s '%s'", what, path);
		}
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return DVC_OK;
}

/* The next key line of a key or trust file: 64 hex digits at the start of
 * a line that is not blank or a '#' comment; *pos moves past the line.
 * 1 found, 0 at the end, DVC_EPARSE for another line. */
static int next_key(const char *text, size_t len, size_t *pos, int *line, const char *what,
		    unsigned char key[32])
{
	while (*pos < len) {
		size_t s = *pos, e = s, k;
		while (e < len && text[e] != '\n')
			e++;
		*pos = e < len ? e + 1 : e;
		++*line;
		while (s < e && (text[s] == ' ' || text[s] == '\t' || text[s] == '\r'))
			s++;
		if (s == e || text[s] == '#')
			continue;
		for (k = s; k < e && k - s < 64 && strchr("0123456789abcdefABCDEF", text[k]) && text[k]; k++)
			;
		if (k - s != 64 || (k < e && text[k] != ' ' && text[k] != '\t' && text[k] != '\r') ||
		    sodium_hex2bin(key, 32, text + s, 64, NULL, NULL, NULL) != 0)
			return dvc__err(DVC_EPARSE, NULL, "%s, line %d: expected a key of 64 hexadecimal "
					"digits", what, *line);
		return 1;
	}
	return 0;
}

int dvc__trust_parse(const char *text, size_t len, const char *what,
		     unsigned char (**keys)[crypto_sign_PUBLICKEYBYTES], size_t *n)
{
	size_t pos = 0;
	int line = 0, rc;
	unsigned char k[32];
	while ((rc = next_key(text, len, &pos, &line, what, k)) == 1) {
		unsigned char(*grown)[32] = dvc__realloc(*keys, (*n + 1) * sizeof **keys);
		if (!grown)
			return dvc__oom();
		*keys = grown;
		memcpy((*keys)[(*n)++], k, 32);
	}
	return rc;
}

/* The seed of a secret key file into a key pair. */
static int load_secret(const char *path, unsigned char pk[32], unsigned char sk[64])
{
	char *text;
	size_t len, pos = 0;
	unsigned char seed[crypto_sign_SEEDBYTES];
	int line = 0, rc;
	if ((rc = dvc__proof_read_file(path, "journal key file", 1, &text, &len)) != DVC_OK)
		return rc;
	rc = next_key(text, len, &pos, &line, "journal key file", seed);
	sodium_memzero(text, len);
	dvc__free(text);
	if (rc == 0)
		rc = dvc__err(DVC_EPARSE, NULL, "the journal key file '%s' holds no key", path);
	if (rc < 0)
		return rc;
	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(seed, sizeof seed);
	return DVC_OK;
}

int dvc__proof_keys_load(dvc__proof_keys **out, const char *key_file, const char *trust_file,
			 int require, int readonly)
{
	dvc__proof_keys *k;
	int rc = DVC_OK;
	*out = NULL;
	if (require && !key_file && !readonly)
		return dvc__err(DVC_EINVAL, "journal_key_file",
				"signing of the journal is required (DVC_OPEN_REQUIRE_SIGNED) but no "
				"journal key file is given");
	if (!key_file && !trust_file && !require)
		return DVC_OK;
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	if (!(k = dvc__calloc(1, sizeof *k)))
		return dvc__oom();
	sodium_mlock(k->sk, sizeof k->sk); /* best effort: keep it out of swap */
	k->require = require;
	if (key_file) {
		if ((rc = load_secret(key_file, k->pk, k->sk)) != DVC_OK)
			goto fail;
		k->have_secret = 1;
		if (!(k->trusted = dvc__malloc(sizeof *k->trusted))) {
			rc = dvc__oom();
			goto fail;
		}
		memcpy(k->trusted[0], k->pk, 32);
		k->n_trusted = 1;
	}
	if (trust_file) {
		char *text;
		size_t len;
		if ((rc = dvc__proof_read_file(trust_file, "journal trust file", 0, &text, &len)) != DVC_OK)
			goto fail;
		rc = dvc__trust_parse(text, len, "journal trust file", &k->trusted, &k->n_trusted);
		dvc__free(text);
		if (rc != DVC_OK)
			goto fail;
	}
	*out = k;
	return DVC_OK;
fail:
	dvc__proof_keys_free(k);
	return rc;
}

void dvc__proof_keys_free(dvc__proof_keys *k)
{
	if (!k)
		return;
	dvc__free(k->pending);
	dvc__free(k->pending_index);
	sodium_munlock(k->sk, sizeof k->sk); /* zeroes it */
	dvc__free(k->trusted);
	dvc__free(k);
}

int dvc_proof_keygen(const char *path, char pub[DVC_PROOF_KEY_HEX_SIZE], char id[DVC_PROOF_KEY_ID_SIZE])
{
	unsigned char seed[crypto_sign_SEEDBYTES], pk[32], sk[64];
	char hex[2 * crypto_sign_SEEDBYTES + 2];
	size_t n, off = 0;
	int fd;
	if (!path)
		return dvc__err(DVC_EINVAL, NULL, "dvc_proof_keygen needs a path");
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST
			       ? dvc__err(DVC_EEXISTS, NULL, "'%s' exists: a key file is never overwritten", path)
			       : dvc__err(DVC_EIO, NULL, "cannot create '%s': %s", path, strerror(errno));
	randombytes_buf(seed, sizeof seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_bin2hex(hex, sizeof hex, seed, sizeof seed);
	n = strlen(hex);
	hex[n++] = '\n';
	while (off < n) {
		ssize_t w = write(fd, hex + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(hex, sizeof hex);
	if (off < n || fsync(fd) != 0) {
		int e = errno;
		close(fd);
		unlink(path);
		return dvc__err(DVC_EIO, NULL, "cannot write '%s': %s", path, strerror(e));
	}
	close(fd);
	if (pub)
		sodium_bin2hex(pub, DVC_PROOF_KEY_HEX_SIZE, pk, 32);
	if (id)
		dvc__key_id(pk, id);
	return DVC_OK;
}

int dvc_proof_key_public(const char *path, char pub[DVC_PROOF_KEY_HEX_SIZE], char id[DVC_PROOF_KEY_ID_SIZE])
{
	unsigned char pk[32], sk[64];
	int rc;
	if (!path)
		return dvc__err(DVC_EINVAL, NULL, "dvc_proof_key_public needs a path");
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	if ((rc = load_secret(path, pk, sk)) != DVC_OK)
		return rc;
	sodium_memzero(sk, sizeof sk);
	if (pub)
		sodium_bin2hex(pub, DVC_PROOF_KEY_HEX_SIZE, pk, 32);
	if (id)
		dvc__key_id(pk, id);
	return DVC_OK;
}

int dvc_open_opts_from_env(dvc_open_opts *o)
{
	const char *v;
	if (!o || o->version < 2 || o->version > DVC_OPEN_OPTS_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "dvc_open_opts_from_env needs dvc_open_opts version 2");
	if ((v = getenv("DVC_JOURNAL_KEY")) && *v)
		o->journal_key_file = v;
	if ((v = getenv("DVC_JOURNAL_TRUST")) && *v)
		o->journal_trust_file = v;
	if ((v = getenv("DVC_JOURNAL_REQUIRE_SIGNED")) && *v) {
		if (strcmp(v, "1") == 0)
			o->flags |= DVC_OPEN_REQUIRE_SIGNED;
		else if (strcmp(v, "0") == 0)
			o->flags &= ~(unsigned)DVC_OPEN_REQUIRE_SIGNED;
		else
			return dvc__err(DVC_EINVAL, "DVC_JOURNAL_REQUIRE_SIGNED",
					"DVC_JOURNAL_REQUIRE_SIGNED is 0 or 1, not '%s'", v);
	}
	return DVC_OK;
}

/* ---- canonical bytes ---- */

/* The hashed encoding: 4-byte big-endian length + 1 before a text (0 for
 * NULL, so NULL and "" differ), 8-byte big-endian integers. Gathered into
 * one buffer first: one pass over it is cheaper than a dozen small updates. */
typedef struct hash_input {
	unsigned char b[1024];
	size_t n;
	crypto_hash_sha256_state h; /* spill for long notes */
	int spilled;
	dvc_buf *canon;             /* a copy of every byte, for bundles */
} hash_input;

static void hash_put(hash_input *in, const void *p, size_t n)
{
	if (in->canon)
		dvc_buf_put(in->canon, p, n);
	if (in->n + n > sizeof in->b) {
		if (!in->spilled) {
			crypto_hash_sha256_init(&in->h);
			in->spilled = 1;
		}
		crypto_hash_sha256_update(&in->h, in->b, in->n);
		in->n = 0;
		if (n > sizeof in->b) {
			crypto_hash_sha256_update(&in->h, p, n);
			return;
		}
	}
	memcpy(in->b + in->n, p, n);
	in->n += n;
}

static void hash_str(hash_input *in, const char *s)
{
	unsigned char len[4];
	size_t sl = s ? strlen(s) : 0;
	uint32_t n = s ? (uint32_t)sl + 1 : 0;
	len[0] = (unsigned char)(n >> 24);
	len[1] = (unsigned char)(n >> 16);
	len[2] = (unsigned char)(n >> 8);
	len[3] = (unsigned char)n;
	hash_put(in, len, 4);
	if (s)
		hash_put(in, s, sl);
}

static void hash_i64(hash_input *in, int64_t v)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)((uint64_t)v >> (56 - 8 * i));
	hash_put(in, b, 8);
}

static void hash_final(hash_input *in, unsigned char out[32])
{
	if (!in->spilled) {
		crypto_hash_sha256(out, in->b, in->n);
		return;
	}
	crypto_hash_sha256_update(&in->h, in->b, in->n);
	crypto_hash_sha256_final(&in->h, out);
}

/* Format 1 (legacy): SHA-256(tag, code, seq, at, actor, unit, action, from,
 * to, note, payload digest, previous hash). Format 2 adds, before the
 * previous hash, the row's version and fees after the entry and the
 * signer's public key (zeros when unsigned). */
void dvc__journal_hash(const char *code, const dvc__journal_row *j, const unsigned char prev[32],
		       unsigned char out[32], dvc_buf *canon)
{
	static const unsigned char none[32];
	hash_input in;
	in.n = 0;
	in.spilled = 0;
	in.canon = canon;
	hash_put(&in, j->format >= 2 ? "dvc-journal-2" : "dvc-journal-1", 13);
	hash_str(&in, code);
	hash_i64(&in, j->seq);
	hash_i64(&in, j->at);
	hash_str(&in, j->actor);
	hash_str(&in, j->unit);
	hash_i64(&in, (int64_t)j->action);
	hash_i64(&in, (int64_t)j->from);
	hash_i64(&in, (int64_t)j->to);
	hash_str(&in, j->note);
	hash_put(&in, j->payload_digest ? j->payload_digest : none, 32);
	if (j->format >= 2) {
		hash_i64(&in, j->rev);
		hash_i64(&in, j->fee_due);
		hash_i64(&in, j->fee_paid);
		hash_i64(&in, j->fee_refunded);
		hash_put(&in, j->pubkey ? j->pubkey : none, 32);
	}
	hash_put(&in, prev, 32);
	hash_final(&in, out);
}

/* What is signed: a tag (so that no other signature of the key can be
 * passed off as an entry's) and the entry's hash. */
static void entry_message(const unsigned char hash[32], unsigned char m[sizeof ENTRY_SIG_TAG + 32])
{
	memcpy(m, ENTRY_SIG_TAG, sizeof ENTRY_SIG_TAG); /* with its NUL */
	memcpy(m + sizeof ENTRY_SIG_TAG, hash, 32);
}

/* The checkpoint's message: tag, code, length, time, head. */
static void checkpoint_message(const char *code, const dvc__checkpoint_row *c, unsigned char out[32])
{
	hash_input in;
	in.n = 0;
	in.spilled = 0;
	in.canon = NULL;
	hash_put(&in, CHECKPOINT_TAG, sizeof CHECKPOINT_TAG);
	hash_str(&in, code);
	hash_i64(&in, c->seq);
	hash_i64(&in, c->at);
	hash_put(&in, c->head, 32);
	hash_final(&in, out);
}

void dvc__journal_seal(const dvc__proof_keys *k, const char *code, dvc__journal_row *j,
		       const unsigned char prev[32], dvc__seal *s)
{
	j->format = 2;
	j->pubkey = NULL;
	j->sig = NULL;
	if (k && k->have_secret) {
		memcpy(s->pubkey, k->pk, sizeof s->pubkey);
		j->pubkey = s->pubkey;
	}
	dvc__journal_hash(code, j, prev, s->hash, NULL);
	j->hash = s->hash;
	if (j->pubkey) {
		unsigned char m[sizeof ENTRY_SIG_TAG + 32];
		entry_message(s->hash, m);
		crypto_sign_detached(s->sig, NULL, m, sizeof m, k->sk);
		j->sig = s->sig;
	}
}

static int write_checkpoint(dvc_db *db, int64_t dossier_id, const char *code, int64_t seq,
			    dvc_time at, const unsigned char head[32])
{
	dvc__checkpoint_row c;
	unsigned char m[32];
	c.seq = seq;
	c.at = at;
	memcpy(c.head, head, 32);
	memcpy(c.pubkey, db->proof->pk, 32);
	checkpoint_message(code, &c, m);
	crypto_sign_detached(c.sig, NULL, m, sizeof m, db->proof->sk);
	return dvc__store_checkpoint_put(db, dossier_id, &c);
}

/* A dossier whose checkpoint is due at commit. */
struct dvc__pending {
	int64_t dossier_id;
	dvc_time at;
	char code[DVC_CODE_MAX];
};

static size_t slot_of(int64_t id, size_t cap)
{
	return (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 32) & (cap - 1);
}

/* Remember dossier `id` (once) for the commit; DVC_ENOMEM leaves it out,
 * and the caller then signs its checkpoint at once instead. */
static int defer(dvc__proof_keys *k, int64_t id, const char *code, dvc_time at)
{
	size_t i;
	if (2 * (k->n_pending + 1) > k->index_cap) {
		size_t cap = k->index_cap ? 2 * k->index_cap : 64;
		int64_t *idx = dvc__calloc(cap, sizeof *idx);
		if (!idx)
			return DVC_ENOMEM;
		for (size_t p = 0; p < k->n_pending; p++) {
			for (i = slot_of(k->pending[p].dossier_id, cap); idx[i]; i = (i + 1) & (cap - 1))
				;
			idx[i] = (int64_t)p + 1;
		}
		dvc__free(k->pending_index);
		k->pending_index = idx;
		k->index_cap = cap;
	}
	for (i = slot_of(id, k->index_cap); k->pending_index[i]; i = (i + 1) & (k->index_cap - 1))
		if (k->pending[k->pending_index[i] - 1].dossier_id == id) {
			k->pending[k->pending_index[i] - 1].at = at;
			return DVC_OK;
		}
	if (k->n_pending == k->cap_pending) {
		size_t cap = k->cap_pending ? 2 * k->cap_pending : 32;
		struct dvc__pending *g = dvc__realloc(k->pending, cap * sizeof *g);
		if (!g)
			return DVC_ENOMEM;
		k->pending = g;
		k->cap_pending = cap;
	}
	k->pending[k->n_pending].dossier_id = id;
	k->pending[k->n_pending].at = at;
	snprintf(k->pending[k->n_pending].code, sizeof k->pending[k->n_pending].code, "%s", code);
	k->pending_index[i] = (int64_t)++k->n_pending;
	return DVC_OK;
}

/* After a signed entry is stored: its checkpoint. Inside dvc_begin() the
 * checkpoint waits for the commit: a batch signs it once per dossier, not
 * once per entry. */
static int checkpoint(dvc_db *db, int64_t dossier_id, const char *code, const dvc__journal_row *j)
{
	if (!j->sig)
		return DVC_OK;
	if (db->explicit_txn && defer(db->proof, dossier_id, code, j->at) == DVC_OK)
		return DVC_OK;
	return write_checkpoint(db, dossier_id, code, j->seq, j->at, j->hash);
}

int dvc__journal_append_insert(dvc_db *db, dvc__dossier *d, const dvc_applicant *a,
			       const char *form_data, const char *fee_exemption, const dvc__journal_row *j)
{
	int rc = dvc__store_dossier_insert_journaled(db, d, a, form_data, fee_exemption, j);
	return rc != DVC_OK ? rc : checkpoint(db, d->id, d->code, j);
}

int dvc__journal_append_update(dvc_db *db, const dvc__dossier *d, int64_t expected_rev,
			       const dvc__journal_row *j)
{
	int rc = dvc__store_dossier_update_journaled(db, d, expected_rev, j);
	return rc != DVC_OK ? rc : checkpoint(db, d->id, d->code, j);
}

int dvc__proof_flush(dvc_db *db)
{
	dvc__proof_keys *k = db->proof;
	int rc = DVC_OK;
	if (!k || !k->n_pending)
		return DVC_OK;
	/* The row's head as it is now: a call undone by its savepoint took its
	 * entry back with it, and the checkpoint must not name it. */
	for (size_t i = 0; i < k->n_pending && rc == DVC_OK; i++) {
		const struct dvc__pending *p = &k->pending[i];
		dvc__dossier d;
		if ((rc = dvc__store_dossier_load(db, p->code, &d)) == DVC_OK && d.journal_seq > 0)
			rc = write_checkpoint(db, p->dossier_id, p->code, d.journal_seq, p->at, d.journal_head);
	}
	if (rc == DVC_OK)
		dvc__proof_discard(db);
	return rc;
}

void dvc__proof_discard(dvc_db *db)
{
	dvc__proof_keys *k = db->proof;
	if (!k)
		return;
	k->n_pending = 0;
	if (k->pending_index)
		memset(k->pending_index, 0, k->index_cap * sizeof *k->pending_index);
}

/* ---- verification ---- */

void dvc__walk_init(dvc__walk *w, const char *code, const dvc__proof_keys *k,
		    const dvc__checkpoint_row *cp, dvc_journal_report *rep)
{
	memset(w, 0, sizeof *w);
	w->code = code;
	if (k) {
		w->trusted = (const unsigned char(*)[32])k->trusted;
		w->n_trusted = k->n_trusted;
		w->require = k->require;
	}
	w->cp = cp;
	w->rep = rep;
	w->state = DVC_STATE_DRAFT;
}

static int trusted(const dvc__walk *w, const unsigned char pk[32])
{
	for (size_t i = 0; i < w->n_trusted; i++)
		if (sodium_memcmp(w->trusted[i], pk, 32) == 0)
			return 1;
	return 0;
}

static void note_key(dvc__walk *w, const unsigned char pk[32])
{
	dvc_journal_report *r = w->rep;
	char id[DVC_PROOF_KEY_ID_SIZE];
	dvc__key_id(pk, id);
	for (size_t i = 0; i < r->n_keys && i < DVC_PROOF_REPORT_KEYS; i++)
		if (strcmp(r->keys[i], id) == 0)
			return;
	/* past the listed ones a repeat may count twice: n_keys is then a bound */
	if (r->n_keys < DVC_PROOF_REPORT_KEYS)
		memcpy(r->keys[r->n_keys], id, sizeof id);
	r->n_keys++;
}

/* A signature by `pk` over message m: trusted, and valid. */
static int check_sig(dvc__walk *w, const unsigned char pk[32], const unsigned char *sig,
		     const unsigned char *m, size_t mlen, const char *what)
{
	char id[DVC_PROOF_KEY_ID_SIZE];
	dvc__key_id(pk, id);
	if (w->n_trusted && !trusted(w, pk))
		return dvc__err(DVC_ESIGNATURE, w->code,
				"dossier %s: %s is signed by key %s, which is not a trusted journal key",
				w->code, what, id);
	if (crypto_sign_verify_detached(sig, m, mlen, pk) != 0)
		return dvc__err(DVC_ESIGNATURE, w->code,
				"dossier %s: the signature of %s (key %s) does not match it: it was "
				"edited, or the chain recomputed without the key",
				w->code, what, id);
	note_key(w, pk);
	return DVC_OK;
}

/* Which fee columns an entry may move; every other action keeps all three
 * (the fee is assessed at intake, dossier.c apply; a rejection after
 * payment records the refund owed). Paid and refunded never go down. */
enum { FEE_DUE = 1, FEE_PAID = 2, FEE_REFUNDED = 4 };
static const struct {
	dvc_action action;
	unsigned moves;
} fee_moves[] = {
	{DVC_ACT_RECEIVE, FEE_DUE},
	{DVC_ACT_PAY, FEE_PAID},
	{DVC_ACT_REFUND, FEE_REFUNDED},
	{DVC_ACT_REJECT, FEE_REFUNDED},
};

static unsigned fee_moves_of(dvc_action a)
{
	for (size_t i = 0; i < DVC_ARRAY_LEN(fee_moves); i++)
		if (fee_moves[i].action == a)
			return fee_moves[i].moves;
	return 0;
}

/* The state move of an entry, from the lifecycle table alone. The first
 * entry creates the dossier: a submission from draft, as a draft or
 * submitted. A later entry either is a row of the table or leaves the
 * state alone (journal-only records, an administrative transfer). */
static int legal_move(int64_t seq, dvc_action a, dvc_state from, dvc_state to)
{
	size_t n;
	const dvc_transition *t = dvc_lifecycle_table(&n);
	if (seq == 1)
		return a == DVC_ACT_SUBMIT && from == DVC_STATE_DRAFT &&
		       (to == DVC_STATE_DRAFT || to == DVC_STATE_SUBMITTED);
	if (from == to)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (t[i].from == from && t[i].action == a && t[i].to == to)
			return 1;
	return 0;
}

static const char *state_name(dvc_state s)
{
	const char *n = dvc_state_name(s);
	return n ? n : "?";
}

int dvc__walk_entry(dvc__walk *w, const dvc__journal_row *j)
{
	unsigned char h[32];
	char what[64];
	int rc;
	w->rep->entries++;
	if (j->seq != w->seq + 1)
		return dvc__err(DVC_ECORRUPT, w->code, "dossier %s: journal entry %lld is missing",
				w->code, (long long)(w->seq + 1));
	if (j->format != 1 && j->format != 2)
		return dvc__err(DVC_ECORRUPT, w->code,
				"dossier %s: journal entry %lld is malformed (format %d, or a key or "
				"signature of the wrong size)", w->code, (long long)j->seq, j->format);
	if (j->format == 1 && w->seen_v2)
		return dvc__err(DVC_ECORRUPT, w->code,
				"dossier %s: journal entry %lld is in the legacy format after signed-era "
				"entries: it was rewritten", w->code, (long long)j->seq);
	dvc__journal_hash(w->code, j, w->prev, h, NULL);
	if (sodium_memcmp(h, j->hash, 32) != 0)
		return dvc__err(DVC_ECORRUPT, w->code,
				"dossier %s: journal entry %lld was altered (its hash does not match)",
				w->code, (long long)j->seq);
	snprintf(what, sizeof what, "journal entry %lld", (long long)j->seq);
	if (j->format == 1) {
		w->rep->legacy_entries++;
	} else if (j->pubkey) {
		unsigned char m[sizeof ENTRY_SIG_TAG + 32];
		entry_message(h, m);
		if ((rc = check_sig(w, j->pubkey, j->sig, m, sizeof m, what)) != DVC_OK)
			return rc;
		w->rep->signed_entries++;
		w->seen_signed = 1;
	} else {
		/* with signing required, the checkpoint must cover it (walk_end) */
		w->rep->unsigned_entries++;
	}
	/* replay: the state through the lifecycle table */
	if (j->from != w->state || !legal_move(j->seq, j->action, j->from, j->to))
		return dvc__err(DVC_ECORRUPT, w->code,
				"dossier %s: journal entry %lld moves %s -> %s by '%s', which the "
				"lifecycle does not allow after %s", w->code, (long long)j->seq,
				state_name(j->from), state_name(j->to),
				dvc_action_name(j->action) ? dvc_action_name(j->action) : "?",
				state_name(w->state));
	/* replay: version and fees, from one format-2 entry to the next */
	if (j->format == 2) {
		unsigned m = fee_moves_of(j->action);
		int first = !w->seen_v2;
		const char *bad = NULL;
		if (j->fee_due < 0 || j->fee_paid < 0 || j->fee_refunded < 0 || j->fee_refunded > j->fee_paid)
			bad = "fees out of range";
		else if (first && j->seq == 1 && (j->rev != 1 || j->fee_due || j->fee_paid || j->fee_refunded))
			bad = "a new dossier at version 1 owing nothing";
		else if (!first && j->rev != w->rev + 1)
			bad = "the version growing by one";
		else if (!first && ((!(m & FEE_DUE) && j->fee_due != w->fee_due) ||
				    (!(m & FEE_PAID) && j->fee_paid != w->fee_paid) ||
				    (!(m & FEE_REFUNDED) && j->fee_refunded != w->fee_refunded) ||
				    j->fee_paid < w->fee_paid || j->fee_refunded < w->fee_refunded))
			bad = "fees that only its action moves";
		if (bad)
			return dvc__err(DVC_ECORRUPT, w->code,
					"dossier %s: journal entry %lld (%s) does not replay: expected %s",
					w->code, (long long)j->seq,
					dvc_action_name(j->action) ? dvc_action_name(j->action) : "?", bad);
		w->seen_v2 = 1;
		w->rev = j->rev;
		w->fee_due = j->fee_due;
		w->fee_paid = j->fee_paid;
		w->fee_refunded = j->fee_refunded;
	}
	w->last_v2 = j->format == 2;
	w->state = j->to;
	w->last_action = j->action;
	memcpy(w->prev, h, 32);
	w->seq = j->seq;
	if (w->cp && w->cp->seq == j->seq)
		w->cp_head_ok = sodium_memcmp(w->cp->head, h, 32) == 0;
	return DVC_OK;
}

int dvc__walk_end(dvc__walk *w, const dvc__row_facts *row)
{
	const dvc__checkpoint_row *cp = w->cp;
	int rc;
	/* the checkpoint: signed, and covering the whole journal */
	if (cp) {
		unsigned char m[32];
		if (cp->malformed)
			return dvc__err(DVC_ECORRUPT, w->code, "dossier %s: the journal checkpoint is malformed",
					w->code);
		checkpoint_message(w->code, cp, m);
		if ((rc = check_sig(w, cp->pubkey, cp->sig, m, sizeof m, "the journal checkpoint")) != DVC_OK)
			return rc;
		if (cp->seq > w->seq)
			return dvc__err(DVC_ETRUNCATED, w->code,
					"dossier %s: the journal ends at entry %lld but its signed checkpoint "
					"covers %lld entries: entries %lld to %lld were removed",
					w->code, (long long)w->seq, (long long)cp->seq, (long long)(w->seq + 1),
					(long long)cp->seq);
		if (!w->cp_head_ok)
			return dvc__err(DVC_ESIGNATURE, w->code,
					"dossier %s: journal entry %lld is not the one its signed checkpoint "
					"covers: the journal was rewritten", w->code, (long long)cp->seq);
	}
	if (!cp || cp->seq < w->seq) {
		if (w->require)
			return dvc__err(DVC_ESIGNATURE, w->code,
					cp ? "dossier %s: entries after %lld are not covered by a signed "
					     "checkpoint, and signing is required"
					   : "dossier %s: no signed checkpoint covers the journal (%lld entries), "
					     "and signing is required",
					w->code, (long long)(cp ? cp->seq : w->seq));
		w->rep->uncheckpointed++;
	} else {
		w->rep->checkpoints++;
	}
	/* the row against the journal */
	if (row->journal_seq > w->seq)
		return dvc__err(DVC_ETRUNCATED, w->code,
				"dossier %s: the journal ends at entry %lld but the dossier counts %lld",
				w->code, (long long)w->seq, (long long)row->journal_seq);
	if (row->journal_seq != w->seq || sodium_memcmp(row->journal_head, w->prev, 32) != 0)
		return dvc__err(DVC_ECORRUPT, w->code,
				"dossier %s: the dossier's chain head is not its journal's last entry "
				"(%lld; the dossier says %lld)",
				w->code, (long long)w->seq, (long long)row->journal_seq);
	if (row->state != w->state)
		return dvc__err(DVC_ECORRUPT, w->code,
				"dossier %s: the dossier is '%s' but its journal ends '%s' (entry %lld): "
				"the row was edited", w->code, state_name(row->state), state_name(w->state),
				(long long)w->seq);
	if (w->last_v2) {
		const char *field = NULL;
		int64_t got = 0, want = 0;
		if (row->rev != w->rev)
			field = "version", got = row->rev, want = w->rev;
		else if (row->fee_due != w->fee_due)
			field = "fee_due", got = row->fee_due, want = w->fee_due;
		else if (row->fee_paid != w->fee_paid)
			field = "fee_paid", got = row->fee_paid, want = w->fee_paid;
		else if (row->fee_refunded != w->fee_refunded)
			field = "fee_refunded", got = row->fee_refunded, want = w->fee_refunded;
		if (field)
			return dvc__err(DVC_ECORRUPT, w->code,
					"dossier %s: the dossier's %s is %lld but its journal records %lld "
					"(entry %lld): the row was edited", w->code, field, (long long)got,
					(long long)want, (long long)w->seq);
	}
	w->rep->dossiers++;
	return DVC_OK;
}

/* ---- the store's journals ---- */

typedef struct verify_all {
	dvc_db *db;
	dvc_journal_report *rep;
} verify_all;

static int on_entry(void *ctx, const dvc__journal_row *j)
{
	return dvc__walk_entry(ctx, j);
}

void dvc__row_facts_of(const dvc__dossier *d, dvc__row_facts *out)
{
	out->state = d->state;
	out->rev = d->rev;
	out->fee_due = d->fee_due;
	out->fee_paid = d->fee_paid;
	out->fee_refunded = d->fee_refunded;
	out->journal_seq = d->journal_seq;
	memcpy(out->journal_head, d->journal_head, 32);
}

static int verify_one(void *ctx, const char *code)
{
	verify_all *va = ctx;
	dvc__dossier d;
	dvc__checkpoint_row cp;
	dvc__row_facts row;
	dvc__walk w;
	int rc;
	if ((rc = dvc__store_dossier_load(va->db, code, &d)) != DVC_OK ||
	    (rc = dvc__store_checkpoint_get(va->db, d.id, &cp)) < 0)
		return rc;
	dvc__walk_init(&w, d.code, va->db->proof, rc == 1 ? &cp : NULL, va->rep);
	if ((rc = dvc__store_journal_each(va->db, d.id, on_entry, &w)) != DVC_OK)
		return rc;
	dvc__row_facts_of(&d, &row);
	return dvc__walk_end(&w, &row);
}

int dvc_journal_verify(dvc_db *db, const char *code, dvc_journal_report *out)
{
	dvc_journal_report r = DVC_JOURNAL_REPORT_INIT;
	verify_all va;
	int rc;
	if (!db)
		return dvc__err(DVC_EINVAL, NULL, "no store");
	if (out && out->version != DVC_JOURNAL_REPORT_VERSION)
		return dvc__version_err("dvc_journal_report", out->version, DVC_JOURNAL_REPORT_VERSION);
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	va.db = db;
	va.rep = &r;
	/* inside dvc_begin(): the checkpoints deferred so far, first */
	if (db->explicit_txn && !db->txn_aborted && (rc = dvc__proof_flush(db)) != DVC_OK)
		return rc;
	/* one snapshot: a writer in another process cannot tear a dossier */
	if ((rc = dvc__read_begin(db)) != DVC_OK)
		return rc;
	rc = code ? verify_one(&va, code) : dvc__store_dossier_ids(db, verify_one, &va);
	dvc__read_end(db);
	r.anchored = db->proof && db->proof->n_trusted > 0;
	if (out)
		*out = r;
	return rc;
}

typedef struct seal_ctx {
	dvc_db *db;
	dvc_journal_report rep;
	dvc_time now;
	size_t sealed;
} seal_ctx;

static int seal_one(void *ctx, const char *code)
{
	seal_ctx *sc = ctx;
	dvc__dossier d;
	dvc__checkpoint_row cp;
	dvc__row_facts row;
	dvc__walk w;
	int rc, have_cp;
	if ((rc = dvc__store_dossier_load(sc->db, code, &d)) != DVC_OK ||
	    (rc = dvc__store_checkpoint_get(sc->db, d.id, &cp)) < 0)
		return rc;
	have_cp = rc == 1;
	dvc__walk_init(&w, d.code, sc->db->proof, have_cp ? &cp : NULL, &sc->rep);
	w.require = 0; /* what is sealed is what signing did not cover */
	if ((rc = dvc__store_journal_each(sc->db, d.id, on_entry, &w)) != DVC_OK)
		return rc;
	dvc__row_facts_of(&d, &row);
	if ((rc = dvc__walk_end(&w, &row)) != DVC_OK)
		return rc;
	if (d.journal_seq == 0 || (have_cp && cp.seq >= d.journal_seq))
		return DVC_OK;
	sc->sealed++;
	return write_checkpoint(sc->db, d.id, d.code, d.journal_seq, sc->now, d.journal_head);
}

/* From a zeroed count and report: a run again after a deadlock counts once. */
static int seal(dvc_db *db, const char *code, dvc_time now, seal_ctx *sc)
{
	memset(sc, 0, sizeof *sc);
	sc->db = db;
	sc->rep.version = DVC_JOURNAL_REPORT_VERSION;
	sc->now = now;
	return code ? seal_one(sc, code) : dvc__store_dossier_ids(db, seal_one, sc);
}

int dvc_journal_seal(dvc_db *db, const char *code, size_t *sealed)
{
	seal_ctx sc;
	dvc_time now;
	int rc;
	if (sealed)
		*sealed = 0;
	if (!db)
		return dvc__err(DVC_EINVAL, NULL, "no store");
	if (!db->proof || !db->proof->have_secret)
		return dvc__err(DVC_EINVAL, "journal_key_file",
				"sealing signs checkpoints: open the store with a journal key");
	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	DVC__WRITE(db, rc, seal(db, code, now, &sc));
	if (rc == DVC_OK && sealed)
		*sealed = sc.sealed;
	return rc;
}

int dvc_journal_report_json(const dvc_journal_report *r, char **out)
{
	cJSON *o, *k;
	char *text;
	if (!r || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_journal_report_json needs a report and an out pointer");
	if (r->version != DVC_JOURNAL_REPORT_VERSION)
		return dvc__version_err("dvc_journal_report", r->version, DVC_JOURNAL_REPORT_VERSION);
	*out = NULL;
	if (!(o = cJSON_CreateObject()))
		return dvc__oom();
	cJSON_AddNumberToObject(o, "verified", (double)r->dossiers);
	cJSON_AddNumberToObject(o, "entries", (double)r->entries);
	cJSON_AddNumberToObject(o, "signed", (double)r->signed_entries);
	cJSON_AddNumberToObject(o, "legacy", (double)r->legacy_entries);
	cJSON_AddNumberToObject(o, "unsigned", (double)r->unsigned_entries);
	cJSON_AddNumberToObject(o, "checkpoints", (double)r->checkpoints);
	cJSON_AddNumberToObject(o, "uncheckpointed", (double)r->uncheckpointed);
	cJSON_AddBoolToObject(o, "anchored", r->anchored);
	k = cJSON_AddArrayToObject(o, "keys");
	for (size_t i = 0; k && i < r->n_keys && i < DVC_PROOF_REPORT_KEYS; i++)
		cJSON_AddItemToArray(k, cJSON_CreateString(r->keys[i]));
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		return dvc__oom();
	*out = dvc__malloc(strlen(text) + 1);
	if (*out)
		memcpy(*out, text, strlen(text) + 1);
	cJSON_free(text);
	return *out ? DVC_OK : dvc__oom();
}
