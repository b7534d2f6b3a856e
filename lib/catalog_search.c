/* Catalog search: folding, phrase-first ranking and one-typo tolerance on top
 * of the store's index of folded procedure names (FTS5 on SQLite, plain SQL
 * on PostgreSQL: dvc__store_search). */
#include "catalog_internal.h"
#include "store_internal.h"
#include "text.h"

#include <string.h>

#define MAX_WORDS 16
#define MAX_WORD 64
#define MAX_ALTS DVC__SEARCH_MAX_FORMS /* corrections tried for one misspelt word */

struct dvc_search_result {
	DVC__LIST_MEMBERS(dvc_search_hit, hits);
};

DVC__LIST_ACCESSORS(search_result, dvc_search_result, dvc_search_hit, hits)

/* True when a and b differ by at most one insertion, deletion, substitution
 * or transposition of adjacent letters. */
static bool one_edit(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i = 0;
	if (la < lb) {
		const char *t = a; a = b; b = t;
		size_t tl = la; la = lb; lb = tl;
	}
	if (la - lb > 1)
		return false;
	while (i < lb && a[i] == b[i])
		i++;
	if (i == lb)
		return true; /* equal, or one trailing insertion */
	if (la == lb) {
		if (strcmp(a + i + 1, b + i + 1) == 0)
			return true; /* substitution */
		return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		       strcmp(a + i + 2, b + i + 2) == 0; /* transposition */
	}
	return strcmp(a + i + 1, b + i) == 0; /* deletion from the longer */
}

typedef struct word {
	char text[MAX_WORD + 1];
	char alts[MAX_ALTS][MAX_WORD + 1]; /* corrections, most frequent first */
	size_t n_alts;
} word;

typedef struct near_ctx {
	word *w;
} near_ctx;

static int on_near(void *ctx, const char *term, int64_t docs)
{
	word *w = ((near_ctx *)ctx)->w;
	(void)docs;
	if (strlen(term) <= MAX_WORD && one_edit(w->text, term) && strcmp(w->text, term) != 0) {
		memcpy(w->alts[w->n_alts++], term, strlen(term) + 1);
		if (w->n_alts == MAX_ALTS)
			return 1; /* enough */
	}
	return DVC_OK;
}

typedef struct collect {
	dvc_search_result *r;
	dvc_match match;
	size_t limit;
} collect;

static int on_hit(void *ctx, const dvc_search_hit *h)
{
	collect *c = ctx;
	dvc_search_result *r = c->r;
	dvc_search_hit *d;
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->hits[i].code, h->code) == 0)
			return DVC_OK; /* already found by a better match class */
	if (r->n == c->limit)
		return 1;
	d = DVC__LIST_NEXT(r, hits);
	if (!d)
		return dvc__oom();
	*d = *h;
	d->match = c->match;
	d->code = dvc_arena_strdup(&r->arena, h->code);
	d->name = dvc_arena_strdup(&r->arena, h->name);
	d->sector = dvc_arena_strdup(&r->arena, h->sector);
	d->agency = dvc_arena_strdup(&r->arena, h->agency);
	if (!d->code || !d->name || !d->sector || !d->agency)
		return dvc__oom();
	r->n++;
	return DVC_OK;
}

/* Split the folded query into words. */
static size_t split(const char *folded, word *words)
{
	size_t n = 0;
	while (*folded && n < MAX_WORDS) {
		const char *e = strchr(folded, ' ');
		size_t len = e ? (size_t)(e - folded) : strlen(folded);
		if (len > 0 && len <= MAX_WORD) {
			memcpy(words[n].text, folded, len);
			words[n].text[len] = '\0';
			words[n].n_alts = 0;
			n++;
		}
		folded += len + (e != NULL);
	}
	return n;
}

/* The store's view of the words: each word, or its corrections if it has
 * any (a word that matches nothing is not searched for itself). */
static void to_query(const word *w, size_t n, dvc__search_word *out)
{
	for (size_t i = 0; i < n; i++) {
		out[i].n_forms = w[i].n_alts ? w[i].n_alts : 1;
		for (size_t a = 0; a < out[i].n_forms; a++)
			out[i].forms[a] = w[i].n_alts ? w[i].alts[a] : w[i].text;
	}
}

int dvc_catalog_search(dvc_db *db, const char *text, const dvc_search_opts *opts,
		       dvc_search_result **out)
{
	dvc_search_opts o = DVC_SEARCH_OPTS_INIT;
	dvc__search_query q;
	dvc_search_result *r;
	dvc_buf folded = DVC_BUF_INIT;
	word words[MAX_WORDS];
	dvc__search_word qwords[MAX_WORDS];
	size_t nw = 0;
	bool fuzzy = false;
	collect col;
	int rc = DVC_OK;

	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_catalog_search needs a store and an out pointer");
	*out = NULL;
	if (opts) {
		if (opts->version != DVC_SEARCH_OPTS_VERSION)
			return dvc__err(DVC_EINVAL, NULL, "unsupported dvc_search_opts version %u",
					opts->version);
		o = *opts;
	}
	if (o.online_level < 0 || o.online_level > 4)
		return dvc__err(DVC_EINVAL, "online_level", "online level must be 0..4, not %d",
				o.online_level);
	if (o.asof && !dvc__date_valid(o.asof->year, o.asof->month, o.asof->day))
		return dvc__err(DVC_EDATE, "asof", "invalid 'as of' date");
	if (text) {
		size_t len = strlen(text);
		if (len > DVC_CATALOG_MAX_TEXT)
			return dvc__err(DVC_ETOOBIG, NULL, "search text longer than %u bytes",
					DVC_CATALOG_MAX_TEXT);
		if (!dvc__utf8_valid(text, len))
			return dvc__err(DVC_EUTF8, NULL, "search text is not valid UTF-8");
		dvc__fold(text, len, &folded);
		if (folded.oom) {
			dvc_buf_free(&folded);
			return dvc__oom();
		}
		if (folded.ptr)
			nw = split(folded.ptr, words);
		dvc_buf_free(&folded);
	}
	if (!(r = dvc__calloc(1, sizeof *r)))
		return dvc__oom();

	memset(&q, 0, sizeof q);
	q.sector = o.sector;
	q.level = o.level;
	q.agency = o.agency;
	q.online_level = o.online_level;
	q.limit = o.limit ? o.limit : 50;
	rc = dvc__asof(db, o.asof, q.asof);
	col.r = r;
	col.limit = q.limit;

	/* Typo tolerance only for words that match nothing at all. */
	for (size_t i = 0; i < nw && rc == DVC_OK; i++) {
		int64_t docs = dvc__store_term_docs(db, words[i].text);
		if (docs < 0) {
			rc = dvc_error_last()->code;
		} else if (docs == 0 && strlen(words[i].text) >= 3) {
			near_ctx nc = {&words[i]};
			rc = dvc__store_terms_near(db, words[i].text, on_near, &nc);
			fuzzy |= words[i].n_alts > 0;
		}
	}
	if (rc == DVC_OK && nw == 0) {
		col.match = DVC_MATCH_WORDS;
		rc = dvc__store_search(db, &q, on_hit, &col);
	} else if (rc == DVC_OK) {
		to_query(words, nw, qwords);
		q.words = qwords;
		q.n_words = nw;
		q.phrase = true;
		col.match = fuzzy ? DVC_MATCH_FUZZY : DVC_MATCH_PHRASE;
		rc = dvc__store_search(db, &q, on_hit, &col);
		if (rc == DVC_OK && (nw > 1 || fuzzy)) {
			q.phrase = false;
			col.match = fuzzy ? DVC_MATCH_FUZZY : DVC_MATCH_WORDS;
			rc = dvc__store_search(db, &q, on_hit, &col);
		}
	}
	if (rc != DVC_OK) {
		dvc_search_result_free(r);
		return rc;
	}
	*out = r;
	return DVC_OK;
}
