/* A journal that proves itself (proof.h): every tamper case of issue 16 on
 * a real store edited with SQL behind the library's back, a SQLite file or
 * PostgreSQL (DVC_TEST_DB_URI) alike (a chain recomputed without the key, a
 * consistent truncation, an edited dossier row), wrong and missing keys,
 * legacy entries after migration, key rotation, and proof bundles verified
 * offline: the round trip, one changed byte, a wrong trust list. */
#include "testutil.h"
#include "proof_internal.h" /* the entry encoding, to recompute a chain */

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define P4 "T.000004" /* a 50,000 VND fee */
#define DESK_OFFICER "le.tiep.nhan"

/* a minute passes at each reading: every entry has its own instant */
static int ticking_clock(void *ctx, dvc_time *out)
{
	(void)ctx;
	*out = clock_now += 60;
	return 0;
}

static char dir[64], path[4096], key1[128], key2[128], trust[128];
static char pub1[DVC_PROOF_KEY_HEX_SIZE], pub2[DVC_PROOF_KEY_HEX_SIZE];
static char id1[DVC_PROOF_KEY_ID_SIZE], id2[DVC_PROOF_KEY_ID_SIZE];
static dvc_db *db;

static dvc_db *open_with(const char *key, const char *trust_file, unsigned flags)
{
	dvc_open_opts o = DVC_OPEN_OPTS_INIT;
	dvc_db *h;
	o.flags |= flags;
	o.journal_key_file = key;
	o.journal_trust_file = trust_file;
	ck_ok(dvc_open(&h, path, &o));
	dvc_set_clock(h, ticking_clock, NULL);
	return h;
}

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	temp_dir_store(dir, sizeof dir, "/tmp/dvc-proof-XXXXXX", path, sizeof path, "d.db");
	snprintf(key1, sizeof key1, "%s/k1.key", dir);
	snprintf(key2, sizeof key2, "%s/k2.key", dir);
	snprintf(trust, sizeof trust, "%s/trust", dir);
	ck_ok(dvc_proof_keygen(key1, pub1, id1));
	ck_ok(dvc_proof_keygen(key2, pub2, id2));
	clock_now = instant("2026-03-02T09:00:00+07:00");
	db = open_with(key1, NULL, 0);
	dossier_store_init(db, ticking_clock);
}

/* Close the shared handle and forget it, so that a test failing before it
 * reopens one leaves teardown nothing to close twice. */
static void close_db(void)
{
	dvc_close(db);
	db = NULL;
}

static void teardown(void)
{
	close_db();
	temp_dir_remove(dir);
}

/* Edit the store behind the library's back, on either backend. */
static void raw_exec(const char *sql) { store_exec(path, sql); }

/* Row `i`, column `c` of `r` as an integer (SQL NULL: 0). */
static int64_t cell_int(const store_rows *r, int i, int c)
{
	const char *v = store_cell(r, i, c);
	return v ? strtoll(v, NULL, 10) : 0;
}

/* Row `i`, column `c` of `r`, a 32-byte blob, into `out`; NULL for SQL NULL. */
static const unsigned char *cell_blob32(const store_rows *r, int i, int c, unsigned char out[32])
{
	const char *v = store_cell(r, i, c);
	size_t n = 0;
	if (!v)
		return NULL;
	ck_assert_int_eq(sodium_hex2bin(out, 32, v, strlen(v), NULL, &n, NULL), 0);
	ck_assert_uint_eq(n, 32);
	return out;
}

/* `h` as an SQL blob literal of the store's backend, in `out`. */
static const char *blob_literal(const unsigned char h[32], char out[80])
{
	char hex[65];
	sodium_bin2hex(hex, sizeof hex, h, 32);
	snprintf(out, 80, store_is_pg(path) ? "'\\x%s'::bytea" : "X'%s'", hex);
	return out;
}

/* Recompute the chain of dossier `code` in the store as someone without the
 * key would: every hash from the entries' fields (the library's own
 * encoding), the row's head; signatures stay as they were. With `legacy`,
 * turn the journal back into what schema 9 wrote and the schema with it. */
static void rehash(const char *code, int legacy)
{
	store_rows *rows;
	unsigned char prev[32] = {0};
	char sql[600], lit[80];
	if (legacy)
		raw_exec("UPDATE journal SET format = 1, rev = NULL, fee_due = NULL,"
			 " fee_paid = NULL, fee_refunded = NULL, pubkey = NULL, sig = NULL;"
			 " DELETE FROM journal_checkpoint");
	snprintf(sql, sizeof sql,
		 "SELECT j.seq, j.at, j.actor, j.unit, j.action, j.from_state, j.to_state, j.note,"
		 " j.payload_digest, j.format, j.rev, j.fee_due, j.fee_paid, j.fee_refunded, j.pubkey,"
		 " j.dossier_id FROM journal j"
		 " JOIN dossier d ON d.id = j.dossier_id WHERE d.code = '%s' ORDER BY seq", code);
	rows = store_query(path, sql);
	ck_assert_int_gt(rows->n_rows, 0);
	for (int i = 0; i < rows->n_rows; i++) {
		dvc__journal_row j;
		unsigned char h[32], digest[32], pubkey[32];
		memset(&j, 0, sizeof j);
		j.seq = cell_int(rows, i, 0);
		j.at = cell_int(rows, i, 1);
		j.actor = store_cell(rows, i, 2);
		j.unit = store_cell(rows, i, 3);
		j.action = (dvc_action)cell_int(rows, i, 4);
		j.from = (dvc_state)cell_int(rows, i, 5);
		j.to = (dvc_state)cell_int(rows, i, 6);
		j.note = store_cell(rows, i, 7);
		j.payload_digest = cell_blob32(rows, i, 8, digest);
		j.format = (int)cell_int(rows, i, 9);
		j.rev = cell_int(rows, i, 10);
		j.fee_due = cell_int(rows, i, 11);
		j.fee_paid = cell_int(rows, i, 12);
		j.fee_refunded = cell_int(rows, i, 13);
		j.pubkey = cell_blob32(rows, i, 14, pubkey);
		dvc__journal_hash(code, &j, prev, h, NULL);
		memcpy(prev, h, 32);
		snprintf(sql, sizeof sql, "UPDATE journal SET hash = %s WHERE dossier_id = %lld AND seq = %lld",
			 blob_literal(h, lit), (long long)cell_int(rows, i, 15), (long long)j.seq);
		raw_exec(sql);
	}
	store_rows_free(rows);
	snprintf(sql, sizeof sql, "UPDATE dossier SET journal_head = %s WHERE code = '%s'",
		 blob_literal(prev, lit), code);
	raw_exec(sql);
	if (legacy) {
		/* back to schema 9: the later migrations undone too */
		raw_exec("DROP TABLE store_key; DROP TABLE session; ALTER TABLE officer DROP COLUMN secret_hash;"
			 " DROP TABLE oidc_pending; DROP TABLE access_log;"
			 " DROP TABLE payment_unmatched; DROP TABLE dossier_identity; DROP TABLE identity_audit;"
			 " DROP TABLE national_identity; DROP TABLE national_sync; DROP TABLE procedure_national;"
			 " DROP TABLE national_setting;"
			 " DROP TABLE journal_checkpoint; ALTER TABLE journal DROP COLUMN format;"
			 " ALTER TABLE journal DROP COLUMN rev; ALTER TABLE journal DROP COLUMN fee_due;"
			 " ALTER TABLE journal DROP COLUMN fee_paid; ALTER TABLE journal DROP COLUMN fee_refunded;"
			 " ALTER TABLE journal DROP COLUMN pubkey; ALTER TABLE journal DROP COLUMN sig");
		raw_exec(store_is_pg(path) ? "UPDATE dvc_schema SET version = 9" : "PRAGMA user_version = 9");
	}
}

static int act(const char *code, dvc_action a)
{
	dvc_action_req r = DVC_ACTION_INIT;
	r.action = a;
	r.actor.kind = DVC_ACTOR_OFFICER;
	r.actor.name = DESK_OFFICER;
	return dvc_dossier_act(db, code, &r, NULL);
}

/* A dossier received and paid at the counter: five entries (submit,
 * receive, pay) with a fee due and paid. */
static dvc_receipt paid_dossier(void)
{
	dvc_receipt r = submit_as_citizen(db, P4, NULL);
	dvc_counter_payment p = DVC_COUNTER_PAYMENT_INIT;
	ck_ok(act(r.code, DVC_ACT_RECEIVE));
	p.officer = DESK_OFFICER;
	p.receipt_no = "BL-0001";
	p.amount = 50000;
	ck_ok(dvc_payment_counter(db, r.code, &p));
	return r;
}

static void assert_message(const char *part)
{
	ck_assert_msg(strstr(dvc_error_last()->message, part) != NULL, "'%s' not in: %s", part,
		      dvc_error_last()->message);
}

START_TEST(signed_entries_and_checkpoint_verify)
{
	dvc_journal_report rep = DVC_JOURNAL_REPORT_INIT;
	dvc_receipt r = paid_dossier();
	ck_ok(dvc_journal_verify(db, r.code, &rep));
	ck_assert_uint_eq(rep.dossiers, 1);
	ck_assert_uint_eq(rep.entries, 3);
	ck_assert_uint_eq(rep.signed_entries, 3);
	ck_assert_uint_eq(rep.unsigned_entries + rep.legacy_entries, 0);
	ck_assert_uint_eq(rep.checkpoints, 1);
	ck_assert_int_eq(rep.anchored, 1);
	ck_assert_uint_eq(rep.n_keys, 1);
	ck_assert_str_eq(rep.keys[0], id1);
	/* the secret is nowhere in the store: only public keys and signatures */
	{
		store_rows *keys = store_query(path, "SELECT DISTINCT pubkey FROM journal");
		ck_assert_int_eq(keys->n_rows, 1);
		ck_assert_ptr_nonnull(store_cell(keys, 0, 0));
		ck_assert_str_eq(store_cell(keys, 0, 0), pub1); /* 32 bytes, in hex */
		store_rows_free(keys);
	}
}
END_TEST

/* Edit an entry and recompute every hash after it, and the row's head, as
 * someone without the key would: the chain holds, the signature does not. */
START_TEST(recomputed_chain_fails_the_signature)
{
	dvc_receipt r = paid_dossier();
	dvc_journal_report rep = DVC_JOURNAL_REPORT_INIT;
	ck_ok(act(r.code, DVC_ACT_FORWARD));
	/* a plain SHA-256 chain cannot tell: the edited note alone is caught by the hash */
	raw_exec("UPDATE journal SET note = 'đã sửa' WHERE seq = 2");
	ck_dvc(dvc_dossier_verify(db, r.code, NULL), DVC_ECORRUPT);
	assert_message("entry 2");
	/* recompute every hash after the edit, and the row's head */
	rehash(r.code, 0);
	ck_dvc(dvc_journal_verify(db, r.code, &rep), DVC_ESIGNATURE);
	assert_message("entry 2");
	assert_message("recomputed");
}
END_TEST

/* Cut the journal back two entries and the row with it, consistently:
 * the chain is a valid prefix, the checkpoint is not. */
START_TEST(consistent_truncation_fails_the_checkpoint)
{
	dvc_receipt r = paid_dossier();
	char sql[512];
	ck_ok(act(r.code, DVC_ACT_FORWARD));
	snprintf(sql, sizeof sql,
		 "DELETE FROM journal WHERE seq > 2 AND dossier_id = (SELECT id FROM dossier WHERE code = '%s');"
		 "UPDATE dossier SET journal_seq = 2, rev = 2, state = 2, fee_paid = 0,"
		 " journal_head = (SELECT hash FROM journal WHERE seq = 2 AND dossier_id = dossier.id)"
		 " WHERE code = '%s'", r.code, r.code);
	raw_exec(sql);
	ck_dvc(dvc_dossier_verify(db, r.code, NULL), DVC_ETRUNCATED);
	assert_message("ends at entry 2");
	assert_message("covers 4 entries");
}
END_TEST

START_TEST(edited_row_is_detected)
{
	dvc_receipt r = paid_dossier();
	char sql[256];
	snprintf(sql, sizeof sql, "UPDATE dossier SET state = 7 WHERE code = '%s'", r.code);
	raw_exec(sql);
	ck_dvc(dvc_dossier_verify(db, r.code, NULL), DVC_ECORRUPT);
	assert_message("'returned'");
	assert_message("entry 3");
	snprintf(sql, sizeof sql, "UPDATE dossier SET state = 2, fee_paid = 0 WHERE code = '%s'", r.code);
	raw_exec(sql);
	ck_dvc(dvc_dossier_verify(db, r.code, NULL), DVC_ECORRUPT);
	assert_message("fee_paid is 0 but its journal records 50000");
	snprintf(sql, sizeof sql, "UPDATE dossier SET fee_paid = 50000, rev = 9 WHERE code = '%s'", r.code);
	raw_exec(sql);
	ck_dvc(dvc_dossier_verify(db, r.code, NULL), DVC_ECORRUPT);
	assert_message("version is 9");
	snprintf(sql, sizeof sql, "UPDATE dossier SET rev = 3 WHERE code = '%s'", r.code);
	raw_exec(sql);
	ck_ok(dvc_dossier_verify(db, NULL, NULL));
}
END_TEST

/* An entry's recorded fees changed and re-signed is impossible without the
 * key; a forged entry signed by another key is refused as untrusted. */
START_TEST(another_key_is_not_trusted)
{
	dvc_receipt r = paid_dossier();
	dvc_journal_report rep = DVC_JOURNAL_REPORT_INIT;
	close_db();
	db = open_with(key2, NULL, 0); /* the attacker's key */
	ck_ok(act(r.code, DVC_ACT_FORWARD));
	ck_dvc(dvc_journal_verify(db, r.code, &rep), DVC_ESIGNATURE);
	assert_message(id1); /* entry 1 is by key 1, which this handle does not trust */
	assert_message("not a trusted journal key");
	/* with both keys trusted (a rotation), everything verifies */
	close_db();
	{
		char t[300];
		snprintf(t, sizeof t, "# journal keys of the portal\n%s  2026 key\n\n%s\n", pub1, pub2);
		write_file(trust, t);
	}
	db = open_with(NULL, trust, DVC_OPEN_READONLY);
	ck_ok(dvc_journal_verify(db, r.code, &rep));
	ck_assert_uint_eq(rep.n_keys, 2);
	ck_assert_int_eq(rep.anchored, 1);
}
END_TEST

START_TEST(rotated_key_keeps_old_entries_verifiable)
{
	dvc_receipt a = paid_dossier(), b;
	char t[300];
	dvc_journal_report rep = DVC_JOURNAL_REPORT_INIT;
	/* rotate: key 2 signs from now on, key 1 stays trusted for what it signed */
	snprintf(t, sizeof t, "%s old\n", pub1);
	write_file(trust, t);
	close_db();
	db = open_with(key2, trust, 0);
	b = submit_as_citizen(db, P4, NULL);
	ck_ok(act(a.code, DVC_ACT_FORWARD)); /* a's journal: key 1 then key 2 */
	ck_ok(dvc_journal_verify(db, NULL, &rep));
	ck_assert_uint_eq(rep.dossiers, 2);
	ck_assert_uint_eq(rep.signed_entries, 5);
	ck_assert_uint_eq(rep.n_keys, 2);
	(void)b;
	/* without key 1 in the trust list its entries are refused */
	close_db();
	db = open_with(key2, NULL, 0);
	ck_dvc(dvc_journal_verify(db, a.code, NULL), DVC_ESIGNATURE);
	ck_ok(dvc_journal_verify(db, b.code, NULL));
}
END_TEST

START_TEST(missing_and_bad_keys)
{
	dvc_open_opts o = DVC_OPEN_OPTS_INIT;
	dvc_db *h = NULL;
	char p[160];
	dvc_journal_report rep = DVC_JOURNAL_REPORT_INIT;
	dvc_receipt r;
	/* a key file that does not exist: nothing opens */
	snprintf(p, sizeof p, "%s/none.key", dir);
	o.journal_key_file = p;
	ck_dvc(dvc_open(&h, path, &o), DVC_EIO);
	assert_message("none.key");
	ck_assert_ptr_null(h);
	/* readable by others */
	chmod(key1, 0644);
	o.journal_key_file = key1;
	ck_dvc(dvc_open(&h, path, &o), DVC_EPERM);
	assert_message("chmod 600");
	chmod(key1, 0600);
	/* not a key */
	snprintf(p, sizeof p, "%s/bad.key", dir);
	write_file(p, "not a key\n");
	chmod(p, 0600);
	o.journal_key_file = p;
	ck_dvc(dvc_open(&h, path, &o), DVC_EPARSE);
	assert_message("line 1");
	/* a trust list with a short key */
	write_file(trust, "abcdef\n");
	o.journal_key_file = key1;
	o.journal_trust_file = trust;
	ck_dvc(dvc_open(&h, path, &o), DVC_EPARSE);
	/* required signing without a key */
	o.journal_key_file = NULL;
	o.journal_trust_file = NULL;
	o.flags |= DVC_OPEN_REQUIRE_SIGNED;
	ck_dvc(dvc_open(&h, path, &o), DVC_EINVAL);
	assert_message("required");
	ck_dvc(dvc_proof_keygen(key1, NULL, NULL), DVC_EEXISTS);
	/* no key: the store works, entries are unsigned and reported as such */
	close_db();
	db = open_with(NULL, NULL, 0);
	r = submit_as_citizen(db, P4, NULL);
	ck_ok(dvc_journal_verify(db, r.code, &rep));
	ck_assert_uint_eq(rep.unsigned_entries, 1);
	ck_assert_uint_eq(rep.uncheckpointed, 1);
	ck_assert_int_eq(rep.anchored, 0);
	/* the same store under a deployment that requires signing */
	close_db();
	db = open_with(key1, NULL, DVC_OPEN_REQUIRE_SIGNED);
	ck_dvc(dvc_journal_verify(db, r.code, NULL), DVC_ESIGNATURE);
	assert_message("no signed checkpoint");
	/* version 1 options still open a store */
	{
		dvc_open_opts v1 = {1, DVC_OPEN_CREATE, 5000, NULL, NULL};
		ck_ok(dvc_open(&h, path, &v1));
		dvc_close(h);
	}
}
END_TEST

/* A store of schema 9 (entries of the legacy format) migrates: the old
 * entries verify as legacy, new ones are signed after them. */
START_TEST(legacy_entries_after_migration)
{
	dvc_receipt r = paid_dossier();
	dvc_journal_report rep = DVC_JOURNAL_REPORT_INIT;
	char sql[512];
	close_db();
	/* make it what schema 9 wrote: format 1 hashes, no checkpoint */
	rehash(r.code, 1);
	db = open_with(key1, NULL, 0);
	ck_ok(dvc_journal_verify(db, r.code, &rep));
	ck_assert_uint_eq(rep.legacy_entries, 3);
	ck_assert_uint_eq(rep.uncheckpointed, 1);
	/* a legacy row is checked for its state only */
	snprintf(sql, sizeof sql, "UPDATE dossier SET state = 7 WHERE code = '%s'", r.code);
	raw_exec(sql);
	ck_dvc(dvc_journal_verify(db, r.code, NULL), DVC_ECORRUPT);
	snprintf(sql, sizeof sql, "UPDATE dossier SET state = 2 WHERE code = '%s'", r.code);
	raw_exec(sql);
	ck_ok(act(r.code, DVC_ACT_FORWARD));
	rep = (dvc_journal_report)DVC_JOURNAL_REPORT_INIT;
	ck_ok(dvc_journal_verify(db, r.code, &rep));
	ck_assert_uint_eq(rep.legacy_entries, 3);
	ck_assert_uint_eq(rep.signed_entries, 1);
	ck_assert_uint_eq(rep.checkpoints, 1);
	/* a signed-era entry turned back into the legacy format is refused */
	snprintf(sql, sizeof sql, "UPDATE journal SET format = 1 WHERE seq = 4");
	raw_exec(sql);
	ck_dvc(dvc_journal_verify(db, r.code, NULL), DVC_ECORRUPT);
	assert_message("entry 4");
}
END_TEST

/* A deployment that requires signing refuses a migrated store's legacy
 * dossiers until they are sealed: a checkpoint signed over each journal as
 * it is, after verifying it. */
START_TEST(sealing_a_migrated_store)
{
	dvc_receipt r = paid_dossier();
	dvc_journal_report rep = DVC_JOURNAL_REPORT_INIT;
	size_t n = 99;
	char sql[400];
	close_db();
	rehash(r.code, 1); /* schema 9: all legacy, no checkpoint */
	db = open_with(key1, NULL, DVC_OPEN_REQUIRE_SIGNED);
	ck_dvc(dvc_journal_verify(db, r.code, NULL), DVC_ESIGNATURE);
	assert_message("no signed checkpoint");
	ck_ok(dvc_journal_seal(db, NULL, &n));
	ck_assert_uint_eq(n, 1);
	ck_ok(dvc_journal_verify(db, r.code, &rep));
	ck_assert_uint_eq(rep.legacy_entries, 3);
	ck_assert_uint_eq(rep.checkpoints, 1);
	ck_ok(dvc_journal_seal(db, r.code, &n));
	ck_assert_uint_eq(n, 0); /* covered already */
	/* a truncation after sealing is caught */
	snprintf(sql, sizeof sql,
		 "DELETE FROM journal WHERE seq = 3; UPDATE dossier SET journal_seq = 2, rev = 2, state = 2,"
		 " journal_head = (SELECT hash FROM journal WHERE seq = 2) WHERE code = '%s'", r.code);
	raw_exec(sql);
	ck_dvc(dvc_journal_verify(db, r.code, NULL), DVC_ETRUNCATED);
	/* sealing refuses a journal that does not verify, and writes nothing */
	raw_exec("DELETE FROM journal_checkpoint; UPDATE journal SET note = 'sửa' WHERE seq = 1");
	ck_dvc(dvc_journal_seal(db, NULL, &n), DVC_ECORRUPT);
	ck_assert_uint_eq(n, 0);
	close_db();
	db = open_with(NULL, NULL, DVC_OPEN_READONLY);
	ck_dvc(dvc_journal_verify(db, r.code, NULL), DVC_ECORRUPT);
	ck_dvc(dvc_journal_seal(db, NULL, NULL), DVC_EINVAL);
	assert_message("journal key");
}
END_TEST

/* Inside dvc_begin() a dossier's checkpoint is signed once, at commit; a
 * rollback leaves the last committed one; verify inside sees it flushed. */
START_TEST(batched_checkpoints_are_signed_at_commit)
{
	dvc_receipt a, b;
	dvc_journal_report rep = DVC_JOURNAL_REPORT_INIT;
	a = submit_as_citizen(db, P4, NULL);
	ck_ok(dvc_begin(db));
	b = submit_as_citizen(db, P4, NULL);
	ck_ok(act(a.code, DVC_ACT_RECEIVE));
	ck_ok(act(b.code, DVC_ACT_RECEIVE));
	ck_ok(act(a.code, DVC_ACT_FORWARD));
	ck_ok(dvc_journal_verify(db, NULL, &rep)); /* flushes inside the transaction */
	ck_assert_uint_eq(rep.checkpoints, 2);
	{
		dvc_counter_payment p = DVC_COUNTER_PAYMENT_INIT;
		p.officer = DESK_OFFICER;
		p.receipt_no = "BL-0002";
		p.amount = 50000;
		ck_ok(dvc_payment_counter(db, a.code, &p));
	}
	ck_ok(dvc_commit(db));
	rep = (dvc_journal_report)DVC_JOURNAL_REPORT_INIT;
	ck_ok(dvc_journal_verify(db, NULL, &rep));
	ck_assert_uint_eq(rep.checkpoints, 2);
	ck_assert_uint_eq(rep.signed_entries, 6);
	/* rolled back: the journal and its checkpoint are what was committed */
	ck_ok(dvc_begin(db));
	ck_ok(act(b.code, DVC_ACT_FORWARD));
	ck_ok(dvc_rollback(db));
	ck_ok(dvc_journal_verify(db, NULL, NULL));
	ck_ok(dvc_begin(db));
	ck_ok(act(b.code, DVC_ACT_FORWARD));
	ck_ok(dvc_commit(db));
	{
		/* the truncation is still caught after a batched commit */
		char sql[600];
		snprintf(sql, sizeof sql,
			 "DELETE FROM journal WHERE seq = 3 AND dossier_id = (SELECT id FROM dossier WHERE code = '%s');"
			 "UPDATE dossier SET journal_seq = 2, rev = 2, journal_head = (SELECT hash FROM journal"
			 " WHERE seq = 2 AND dossier_id = dossier.id) WHERE code = '%s'", b.code, b.code);
		raw_exec(sql);
		ck_dvc(dvc_journal_verify(db, b.code, NULL), DVC_ETRUNCATED);
	}
}
END_TEST

/* ---- proof bundles ---- */

START_TEST(bundle_round_trip)
{
	dvc_receipt r = paid_dossier();
	dvc_journal_report rep = DVC_JOURNAL_REPORT_INIT;
	dvc_proof_verify_opts vo = DVC_PROOF_VERIFY_OPTS_INIT;
	char *json, t[200];
	ck_ok(act(r.code, DVC_ACT_FORWARD));
	ck_ok(dvc_proof_export(db, r.code, &json));
	ck_assert_ptr_nonnull(strstr(json, "{\n\t\"format\": \"dvc-proof-1\",\n"));
	ck_assert_ptr_nonnull(strstr(json, id1));
	/* no trust list: verifies, not anchored, the key id to compare */
	ck_ok(dvc_proof_verify(json, strlen(json), NULL, &rep));
	ck_assert_uint_eq(rep.dossiers, 1);
	ck_assert_uint_eq(rep.signed_entries, 4);
	ck_assert_uint_eq(rep.checkpoints, 1);
	ck_assert_int_eq(rep.anchored, 0);
	ck_assert_str_eq(rep.keys[0], id1);
	/* the agency's published key */
	snprintf(t, sizeof t, "%s\n", pub1);
	vo.trusted_keys = t;
	vo.require_signed = 1;
	ck_ok(dvc_proof_verify(json, strlen(json), &vo, &rep));
	ck_assert_int_eq(rep.anchored, 1);
	/* another key published: refused */
	snprintf(t, sizeof t, "%s\n", pub2);
	ck_dvc(dvc_proof_verify(json, strlen(json), &vo, NULL), DVC_ESIGNATURE);
	assert_message("not a trusted journal key");
	dvc_free(json);
}
END_TEST

/* Every single byte of a bundle matters: change each one in turn (to
 * another byte that keeps it text) and verification fails. */
START_TEST(bundle_fails_on_any_changed_byte)
{
	dvc_receipt r = paid_dossier();
	char *json;
	size_t n, failed = 0;
	ck_ok(dvc_proof_export(db, r.code, &json));
	n = strlen(json);
	for (size_t i = 0; i < n; i++) {
		char was = json[i];
		json[i] = was == '0' ? '1' : was == ' ' ? '\t' : was == '\t' ? ' ' : was == '\n' ? ' ' : '0';
		failed += dvc_proof_verify(json, n, NULL, NULL) != DVC_OK;
		json[i] = was;
	}
	ck_assert_uint_eq(failed, n);
	ck_ok(dvc_proof_verify(json, n, NULL, NULL));
	/* cut short, or with something after it */
	ck_dvc(dvc_proof_verify(json, n - 1, NULL, NULL), DVC_EPARSE);
	dvc_free(json);
}
END_TEST

START_TEST(bundle_of_a_tampered_store_fails)
{
	dvc_receipt r = paid_dossier();
	char *json, sql[256];
	snprintf(sql, sizeof sql, "UPDATE dossier SET fee_paid = 0 WHERE code = '%s'", r.code);
	raw_exec(sql);
	ck_ok(dvc_proof_export(db, r.code, &json)); /* export shows what is stored */
	ck_dvc(dvc_proof_verify(json, strlen(json), NULL, NULL), DVC_ECORRUPT);
	assert_message("fee_paid");
	dvc_free(json);
	ck_dvc(dvc_proof_export(db, "NO-SUCH-CODE", &json), DVC_ENOTFOUND);
	ck_dvc(dvc_proof_verify("{}", 2, NULL, NULL), DVC_EPARSE);
	{
		const char *newer = "{\"format\":\"dvc-proof-9\"}";
		ck_dvc(dvc_proof_verify(newer, strlen(newer), NULL, NULL), DVC_EVERSION);
	}
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		signed_entries_and_checkpoint_verify,
		recomputed_chain_fails_the_signature,
		consistent_truncation_fails_the_checkpoint,
		edited_row_is_detected,
		another_key_is_not_trusted,
		rotated_key_keeps_old_entries_verifiable,
		missing_and_bad_keys,
		legacy_entries_after_migration,
		sealing_a_migrated_store,
		batched_checkpoints_are_signed_at_commit,
		bundle_round_trip,
		bundle_fails_on_any_changed_byte,
		bundle_of_a_tampered_store_fails,
		NULL,
	};
	return run_tests("proof", setup, teardown, 0, tests);
}
