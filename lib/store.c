/* The store: connection (through the backend of sql_internal.h), schema
 * migrations, transactions, and the prepared-statement cache. */
#include "store_internal.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/*
 * Schema migrations of the SQLite backend, applied in order; migration i
 * brings user_version from i to i+1. Never edit a released migration:
 * append a new one. Other backends translate these scripts to their
 * dialect (sql_pg.c).
 */
static const char *const migrations[] = {
	/* 0 -> 1: the catalog */
	"CREATE TABLE level ("
	"  code TEXT PRIMARY KEY, name TEXT NOT NULL, rank INTEGER NOT NULL);"
	"CREATE TABLE sector ("
	"  code TEXT PRIMARY KEY, name TEXT NOT NULL);"
	"CREATE TABLE agency ("
	"  code TEXT PRIMARY KEY, name TEXT NOT NULL,"
	"  level TEXT NOT NULL REFERENCES level(code),"
	"  parent TEXT REFERENCES agency(code) DEFERRABLE INITIALLY DEFERRED,"
	"  valid_from TEXT NOT NULL, valid_to TEXT);"
	"CREATE TABLE procedure ("
	"  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);"
	"CREATE TABLE procedure_version ("
	"  id INTEGER PRIMARY KEY,"
	"  procedure_id INTEGER NOT NULL REFERENCES procedure(id),"
	"  version INTEGER NOT NULL CHECK (version > 0),"
	"  valid_from TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  sector TEXT NOT NULL REFERENCES sector(code),"
	"  agency TEXT NOT NULL REFERENCES agency(code),"
	"  online_level INTEGER NOT NULL CHECK (online_level BETWEEN 1 AND 4),"
	"  online_mode INTEGER NOT NULL CHECK (online_mode BETWEEN 0 AND 2),"
	"  deadline_value INTEGER NOT NULL CHECK (deadline_value > 0),"
	"  deadline_unit INTEGER NOT NULL CHECK (deadline_unit IN (0, 1)),"
	"  result_type TEXT NOT NULL,"
	"  unconfirmed TEXT NOT NULL DEFAULT '',"
	"  UNIQUE (procedure_id, version));"
	"CREATE INDEX procedure_version_from ON procedure_version(procedure_id, valid_from);"
	"CREATE INDEX procedure_version_sector ON procedure_version(sector);"
	"CREATE TABLE procedure_level ("
	"  version_id INTEGER NOT NULL REFERENCES procedure_version(id),"
	"  seq INTEGER NOT NULL, level TEXT NOT NULL REFERENCES level(code),"
	"  PRIMARY KEY (version_id, seq)) WITHOUT ROWID;"
	"CREATE INDEX procedure_level_level ON procedure_level(level);"
	"CREATE TABLE procedure_document ("
	"  version_id INTEGER NOT NULL REFERENCES procedure_version(id),"
	"  seq INTEGER NOT NULL, name TEXT NOT NULL,"
	"  form INTEGER NOT NULL, count INTEGER NOT NULL, submission INTEGER NOT NULL,"
	"  PRIMARY KEY (version_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE procedure_fee ("
	"  version_id INTEGER NOT NULL REFERENCES procedure_version(id),"
	"  seq INTEGER NOT NULL, name TEXT NOT NULL, kind INTEGER NOT NULL,"
	"  amount INTEGER NOT NULL CHECK (amount >= 0), note TEXT,"
	"  PRIMARY KEY (version_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE procedure_legal ("
	"  version_id INTEGER NOT NULL REFERENCES procedure_version(id),"
	"  seq INTEGER NOT NULL, text TEXT NOT NULL,"
	"  PRIMARY KEY (version_id, seq)) WITHOUT ROWID;"
	/* Folded (lower-case, unaccented) name and code, keyed by version id.
	 * Contentless: versions are immutable, so rows are never updated. */
	"CREATE VIRTUAL TABLE procedure_fts USING fts5("
	"  body, content='', tokenize='unicode61 remove_diacritics 0');"
	"CREATE VIRTUAL TABLE procedure_fts_vocab USING fts5vocab(procedure_fts, 'row');",

	/* 1 -> 2: routes, e-forms, accounts, officers, dossiers and their journal */
	"CREATE TABLE procedure_route_step ("
	"  version_id INTEGER NOT NULL REFERENCES procedure_version(id),"
	"  seq INTEGER NOT NULL, unit TEXT NOT NULL REFERENCES agency(code),"
	"  role INTEGER NOT NULL, share INTEGER NOT NULL,"
	"  PRIMARY KEY (version_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE procedure_form ("
	"  version_id INTEGER PRIMARY KEY REFERENCES procedure_version(id), schema TEXT NOT NULL);"
	"CREATE TABLE account ("
	"  id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, pwhash TEXT NOT NULL,"
	"  full_name TEXT NOT NULL, citizen_id TEXT NOT NULL, birth_date TEXT NOT NULL,"
	"  address TEXT NOT NULL, phone TEXT, email TEXT, created_at INTEGER NOT NULL,"
	"  failed_logins INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE officer ("
	"  id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, full_name TEXT NOT NULL,"
	"  unit TEXT NOT NULL REFERENCES agency(code), role INTEGER NOT NULL);"
	"CREATE INDEX officer_unit ON officer(unit, role);"
	/* One row per dossier with its live position; times are UTC seconds,
	 * NULL when not reached. `rev` is the optimistic-concurrency version. */
	"CREATE TABLE dossier ("
	"  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE,"
	"  version_id INTEGER NOT NULL REFERENCES procedure_version(id),"
	"  channel INTEGER NOT NULL, state INTEGER NOT NULL, rev INTEGER NOT NULL,"
	"  account_id INTEGER REFERENCES account(id), secret_hash BLOB,"
	"  applicant_name TEXT NOT NULL, applicant_citizen_id TEXT NOT NULL,"
	"  applicant_birth_date TEXT NOT NULL, applicant_address TEXT NOT NULL,"
	"  applicant_phone TEXT, applicant_email TEXT, form_data TEXT,"
	"  submitted_at INTEGER NOT NULL, received_at INTEGER, due_at INTEGER,"
	"  rescheduled_due_at INTEGER, result_at INTEGER, finished_at INTEGER,"
	"  step INTEGER NOT NULL, unit TEXT NOT NULL, handler_id INTEGER REFERENCES officer(id),"
	"  step_since INTEGER NOT NULL, step_due_at INTEGER,"
	"  stopped_at INTEGER, remaining INTEGER, step_remaining INTEGER,"
	"  flags INTEGER NOT NULL DEFAULT 0, delivery INTEGER,"
	"  track_failures INTEGER NOT NULL DEFAULT 0, track_locked_until INTEGER NOT NULL DEFAULT 0,"
	"  journal_seq INTEGER NOT NULL DEFAULT 0, journal_head BLOB);"
	"CREATE INDEX dossier_unit_state ON dossier(unit, state);"
	"CREATE INDEX dossier_state_due ON dossier(state, due_at);"
	"CREATE INDEX dossier_account ON dossier(account_id);"
	/* Gap-free sequence per agency and local day (dossier codes). */
	"CREATE TABLE dossier_seq ("
	"  agency TEXT NOT NULL, day TEXT NOT NULL, last INTEGER NOT NULL,"
	"  PRIMARY KEY (agency, day)) WITHOUT ROWID;"
	/* Append-only; each hash covers the entry and the previous hash. */
	"CREATE TABLE journal ("
	"  dossier_id INTEGER NOT NULL REFERENCES dossier(id), seq INTEGER NOT NULL,"
	"  at INTEGER NOT NULL, actor TEXT NOT NULL, unit TEXT, action INTEGER NOT NULL,"
	"  from_state INTEGER NOT NULL, to_state INTEGER NOT NULL, note TEXT,"
	"  payload_digest BLOB, hash BLOB NOT NULL,"
	"  PRIMARY KEY (dossier_id, seq)) WITHOUT ROWID;",

	/* 2 -> 3: fees, payments, the notification outbox and its templates */
	"ALTER TABLE dossier ADD COLUMN fee_due INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE dossier ADD COLUMN fee_paid INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE dossier ADD COLUMN fee_refunded INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE dossier ADD COLUMN fee_exemption TEXT;"
	"ALTER TABLE dossier ADD COLUMN copies INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE dossier ADD COLUMN pages INTEGER NOT NULL DEFAULT 1;"
	"CREATE TABLE payment ("
	"  id INTEGER PRIMARY KEY, dossier_id INTEGER NOT NULL REFERENCES dossier(id),"
	"  reference TEXT NOT NULL UNIQUE, kind INTEGER NOT NULL, amount INTEGER NOT NULL,"
	"  state INTEGER NOT NULL, gateway TEXT, gateway_txn TEXT,"
	"  created_at INTEGER NOT NULL, expires_at INTEGER, confirmed_at INTEGER);"
	"CREATE INDEX payment_dossier ON payment(dossier_id);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY, dossier_id INTEGER REFERENCES dossier(id),"
	"  idem_key TEXT NOT NULL UNIQUE, event TEXT NOT NULL, channel INTEGER NOT NULL,"
	"  recipient TEXT NOT NULL, subject TEXT, body TEXT NOT NULL,"
	"  ascii INTEGER NOT NULL DEFAULT 0, segments INTEGER NOT NULL DEFAULT 0,"
	"  state INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at INTEGER NOT NULL, last_error TEXT, created_at INTEGER NOT NULL,"
	"  sent_at INTEGER);"
	"CREATE INDEX outbox_due ON outbox(state, next_attempt_at);"
	"CREATE INDEX outbox_dossier ON outbox(dossier_id);"
	"CREATE TABLE notify_template ("
	"  event TEXT NOT NULL, field TEXT NOT NULL, text TEXT NOT NULL,"
	"  PRIMARY KEY (event, field)) WITHOUT ROWID;",

	/* 3 -> 4: reports select dossiers by submission time */
	"CREATE INDEX dossier_submitted ON dossier(submitted_at);",

	/* 4 -> 5: anonymous tracking failures per code, whether or not the code
	 * exists, so that the lock-out itself reveals nothing */
	"CREATE TABLE track_throttle ("
	"  code TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until INTEGER NOT NULL,"
	"  last_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX track_throttle_last ON track_throttle(last_at);",

	/* 5 -> 6: throttles count the guesser (client, and client + code or
	 * username) in fixed-size rows that expire in minutes (throttle.c) */
	"DROP TABLE track_throttle;"
	"CREATE TABLE throttle ("
	"  scope INTEGER NOT NULL, key BLOB NOT NULL, failures INTEGER NOT NULL,"
	"  window_start INTEGER NOT NULL, locked_until INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
	"  PRIMARY KEY (scope, key)) WITHOUT ROWID;"
	"CREATE INDEX throttle_expiry ON throttle(expires_at);",

	/* 6 -> 7: documents and results (content-addressed blobs in chunks, so
	 * that no file is ever whole in memory), per-procedure file and payment
	 * rules, counter payments, ratings and the citizen's data store */
	"CREATE TABLE blob ("
	"  id INTEGER PRIMARY KEY, sha256 BLOB UNIQUE, size INTEGER NOT NULL,"
	"  media_type TEXT NOT NULL);"
	"CREATE TABLE blob_chunk ("
	"  id INTEGER PRIMARY KEY, blob_id INTEGER NOT NULL REFERENCES blob(id),"
	"  seq INTEGER NOT NULL, data BLOB NOT NULL, UNIQUE (blob_id, seq));"
	"CREATE TABLE dossier_file ("
	"  id INTEGER PRIMARY KEY, dossier_id INTEGER NOT NULL REFERENCES dossier(id),"
	"  component INTEGER NOT NULL, blob_id INTEGER NOT NULL REFERENCES blob(id),"
	"  name TEXT NOT NULL, form INTEGER NOT NULL, mode INTEGER NOT NULL,"
	"  added_by TEXT NOT NULL, added_at INTEGER NOT NULL,"
	"  replaced_by INTEGER REFERENCES dossier_file(id));"
	"CREATE INDEX dossier_file_dossier ON dossier_file(dossier_id, component);"
	"CREATE TABLE procedure_policy ("
	"  procedure TEXT PRIMARY KEY, max_file_bytes INTEGER NOT NULL,"
	"  media_types TEXT NOT NULL, require_files INTEGER NOT NULL,"
	"  pay_before_return INTEGER NOT NULL) WITHOUT ROWID;"
	"ALTER TABLE payment ADD COLUMN method TEXT;"
	"ALTER TABLE payment ADD COLUMN officer TEXT;"
	"CREATE TABLE rating ("
	"  dossier_id INTEGER PRIMARY KEY REFERENCES dossier(id), at INTEGER NOT NULL,"
	"  comment TEXT);"
	"CREATE TABLE rating_score ("
	"  dossier_id INTEGER NOT NULL REFERENCES rating(dossier_id),"
	"  criterion INTEGER NOT NULL, score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),"
	"  PRIMARY KEY (dossier_id, criterion)) WITHOUT ROWID;"
	"CREATE TABLE account_file ("
	"  id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES account(id),"
	"  blob_id INTEGER NOT NULL REFERENCES blob(id), name TEXT NOT NULL,"
	"  form INTEGER NOT NULL, kind INTEGER NOT NULL,"
	"  dossier_id INTEGER REFERENCES dossier(id), added_at INTEGER NOT NULL);"
	"CREATE INDEX account_file_account ON account_file(account_id);",

	/* 7 -> 8: the administrative map as history (agency kinds, successor
	 * links with their legal act), procedures served by every agency of a
	 * level and kind */
	"ALTER TABLE agency ADD COLUMN kind TEXT;"
	"CREATE TABLE agency_successor ("
	"  predecessor TEXT NOT NULL REFERENCES agency(code) DEFERRABLE INITIALLY DEFERRED,"
	"  successor TEXT NOT NULL REFERENCES agency(code) DEFERRABLE INITIALLY DEFERRED,"
	"  date TEXT NOT NULL, act TEXT NOT NULL, note TEXT,"
	"  PRIMARY KEY (predecessor, successor)) WITHOUT ROWID;"
	"CREATE INDEX agency_successor_succ ON agency_successor(successor);"
	"CREATE INDEX agency_parent ON agency(parent);"
	"ALTER TABLE procedure_version ADD COLUMN served_level TEXT REFERENCES level(code);"
	"ALTER TABLE procedure_version ADD COLUMN served_kind TEXT;",

	/* 8 -> 9: where a dossier was lodged (Decree 118/2025/NĐ-CP: any centre
	 * of the province) and the agency competent for it, when they are not
	 * those of the procedure version's own route */
	"ALTER TABLE dossier ADD COLUMN desk TEXT;"
	"ALTER TABLE dossier ADD COLUMN competent TEXT;",

	/* 9 -> 10: a journal that proves itself (proof.h). Entries written from
	 * now on are format 2: they record the row's version and fees after
	 * them and, with a journal key, its public key and Ed25519 signature;
	 * older entries stay format 1 (legacy: chained, unsigned). One signed
	 * checkpoint per dossier: the journal's length and head. */
	"ALTER TABLE journal ADD COLUMN format INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE journal ADD COLUMN rev INTEGER;"
	"ALTER TABLE journal ADD COLUMN fee_due INTEGER;"
	"ALTER TABLE journal ADD COLUMN fee_paid INTEGER;"
	"ALTER TABLE journal ADD COLUMN fee_refunded INTEGER;"
	"ALTER TABLE journal ADD COLUMN pubkey BLOB;"
	"ALTER TABLE journal ADD COLUMN sig BLOB;"
	"CREATE TABLE journal_checkpoint ("
	"  dossier_id INTEGER PRIMARY KEY REFERENCES dossier(id), seq INTEGER NOT NULL,"
	"  head BLOB NOT NULL, at INTEGER NOT NULL, pubkey BLOB NOT NULL, sig BLOB NOT NULL);",

	/* 10 -> 11: a signed gateway success naming no request of this store
	 * is kept for review (payment.c); one row per reference and gateway
	 * transaction, so a replay adds nothing */
	"CREATE TABLE payment_unmatched ("
	"  id INTEGER PRIMARY KEY, reference TEXT NOT NULL, gateway TEXT NOT NULL,"
	"  gateway_txn TEXT NOT NULL, amount INTEGER NOT NULL, received_at INTEGER NOT NULL,"
	"  UNIQUE (reference, gateway_txn));",

	/* 11 -> 12: national identities linked to accounts (identity.h), their
	 * audit log, and whether a dossier's applicant was signed in with one */
	"CREATE TABLE national_identity ("
	"  account_id INTEGER PRIMARY KEY REFERENCES account(id), issuer TEXT NOT NULL,"
	"  subject TEXT NOT NULL, personal_id TEXT NOT NULL UNIQUE, assurance INTEGER NOT NULL,"
	"  verified_at INTEGER NOT NULL, full_name TEXT, birth_date TEXT, tech_id TEXT, login_idp TEXT,"
	"  account_type INTEGER NOT NULL, verified_fields INTEGER NOT NULL, linked_at INTEGER NOT NULL,"
	"  UNIQUE (issuer, subject));"
	"CREATE TABLE identity_audit ("
	"  id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES account(id),"
	"  at INTEGER NOT NULL, event TEXT NOT NULL, actor TEXT NOT NULL, issuer TEXT, subject TEXT,"
	"  detail TEXT);"
	"CREATE INDEX identity_audit_account ON identity_audit(account_id, id);"
	"CREATE TABLE dossier_identity ("
	"  dossier_id INTEGER PRIMARY KEY REFERENCES dossier(id), assurance INTEGER NOT NULL,"
	"  issuer TEXT NOT NULL, subject TEXT NOT NULL);",

	/* 12 -> 13: dossier sync to the national portal (national.h): its
	 * switch, the national code of each procedure version (version 0: every
	 * version), and the ordered outbox of sync messages */
	"CREATE TABLE national_setting ("
	"  key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE procedure_national ("
	"  procedure TEXT NOT NULL, version INTEGER NOT NULL, national_code TEXT NOT NULL,"
	"  PRIMARY KEY (procedure, version)) WITHOUT ROWID;"
	"CREATE TABLE national_sync ("
	"  id INTEGER PRIMARY KEY, dossier_id INTEGER NOT NULL REFERENCES dossier(id),"
	"  seq INTEGER NOT NULL, idem_key TEXT NOT NULL UNIQUE, status INTEGER NOT NULL,"
	"  procedure TEXT NOT NULL, version INTEGER NOT NULL, payload TEXT NOT NULL,"
	"  state INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at INTEGER NOT NULL, last_error TEXT, created_at INTEGER NOT NULL,"
	"  sent_at INTEGER);"
	"CREATE INDEX national_sync_dossier ON national_sync(dossier_id, id);"
	"CREATE INDEX national_sync_state ON national_sync(state, next_attempt_at);",
	/* 13 -> 14: officers' reads of a dossier's personal data (Decree
	 * 13/2023/NĐ-CP), apart from the journal: one cheap row per read */
	"CREATE TABLE access_log ("
	"  id INTEGER PRIMARY KEY, dossier_id INTEGER NOT NULL REFERENCES dossier(id),"
	"  officer_id INTEGER NOT NULL REFERENCES officer(id), at INTEGER NOT NULL,"
	"  kind INTEGER NOT NULL, detail TEXT);"
	"CREATE INDEX access_log_dossier ON access_log(dossier_id, at);"
	"CREATE INDEX access_log_officer ON access_log(officer_id, at);",

	/* 14 -> 15: OpenID Connect sign-ins waiting for their callback (oidc.h),
	 * keyed by the hash of their state, deleted when used or expired */
	"CREATE TABLE oidc_pending ("
	"  state_hash TEXT PRIMARY KEY, client TEXT NOT NULL, issuer TEXT NOT NULL,"
	"  client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL, nonce TEXT NOT NULL,"
	"  verifier TEXT NOT NULL, link_username TEXT, created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL);"
	"CREATE INDEX oidc_pending_client ON oidc_pending(client, expires_at);"
	"CREATE INDEX oidc_pending_expiry ON oidc_pending(expires_at);",

	/* 15 -> 16: signed-in portal sessions (session.h), keyed by the hash
	 * of their token, the store's keys (the CSRF key), and officers'
	 * credentials (account.h) */
	"CREATE TABLE session ("
	"  token_hash TEXT PRIMARY KEY, kind INTEGER NOT NULL, username TEXT NOT NULL,"
	"  national INTEGER NOT NULL, ttl INTEGER NOT NULL, created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL);"
	"CREATE INDEX session_by_user ON session(kind, username, created_at);"
	"CREATE INDEX session_by_expiry ON session(expires_at);"
	"CREATE TABLE store_key (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
	/* an officer's credential (Argon2id), for portals without an SSO */
	"ALTER TABLE officer ADD COLUMN secret_hash TEXT;",
};

_Static_assert(sizeof migrations / sizeof migrations[0] == DVC_SCHEMA_VERSION,
	       "DVC_SCHEMA_VERSION must equal the number of migrations");

const char *dvc__store_migration(int i)
{
	return i >= 0 && i < (int)DVC_ARRAY_LEN(migrations) ? migrations[i] : NULL;
}


int dvc__sql_backend_for(const char *target, unsigned int flags, const struct dvc__sql_backend **out)
{
	if ((flags & DVC_OPEN_POSTGRESQL) || strncmp(target, "postgresql://", 13) == 0 ||
	    strncmp(target, "postgres://", 11) == 0) {
#ifdef DVC_HAVE_LIBPQ
		*out = &dvc__sql_pg;
		return DVC_OK;
#else
		return dvc__err(DVC_EINVAL, NULL, "this libdvc was built without PostgreSQL (libpq): "
				"cannot open a PostgreSQL store");
#endif
	}
	*out = &dvc__sql_sqlite;
	return DVC_OK;
}

static int exec(dvc_db *db, const char *sql, const char *what)
{
	int rc = dvc__sql_exec(db, sql);
	return rc == DVC__SQL_OK ? DVC_OK : dvc__store_err(db, rc, what);
}

static int migrate(dvc_db *db)
{
	char sql[64];
	int v, rc;
	if ((rc = exec(db, db->be->migrate_begin, "starting the migration")) != DVC_OK)
		return rc;
	if ((rc = db->be->schema_version(db, &v)) != DVC_OK)
		goto fail;
	if (v > (int)DVC_ARRAY_LEN(migrations)) {
		rc = dvc__err(DVC_EVERSION, NULL,
			      "the store has schema version %d; this libdvc knows up to %d",
			      v, (int)DVC_ARRAY_LEN(migrations));
		goto fail;
	}
	for (; v < (int)DVC_ARRAY_LEN(migrations); v++) {
		if ((rc = db->be->migrate_exec(db, v, migrations[v])) != DVC__SQL_OK) {
			rc = dvc__store_err(db, rc, "migrating the schema");
			goto fail;
		}
		snprintf(sql, sizeof sql, "%s%d", db->be->set_schema_version, v + 1);
		if ((rc = exec(db, sql, "migrating the schema")) != DVC_OK)
			goto fail;
	}
	return exec(db, "COMMIT", "committing the migration");
fail:
	dvc__sql_exec(db, "ROLLBACK");
	return rc;
}

int dvc__store_open(dvc_db *db, const char *path, const dvc_open_opts *o)
{
	int rc;
	db->readonly = (o->flags & DVC_OPEN_READONLY) != 0;
	if ((rc = dvc__sql_backend_for(path, o->flags, &db->be)) != DVC_OK ||
	    (rc = db->be->open(db, path, o)) != DVC_OK)
		return rc;
	if (db->readonly) {
		int v;
		if ((rc = db->be->schema_version(db, &v)) != DVC_OK)
			goto fail;
		if (v != (int)DVC_ARRAY_LEN(migrations)) {
			rc = dvc__err(v > (int)DVC_ARRAY_LEN(migrations) ? DVC_EVERSION : DVC_EIO, NULL,
				      "read-only store has schema version %d; this libdvc needs %d",
				      v, (int)DVC_ARRAY_LEN(migrations));
			goto fail;
		}
	} else if ((rc = migrate(db)) != DVC_OK) {
		if (rc == DVC_ECORRUPT)
			rc = dvc__err(DVC_EIO, NULL, "'%s' is not a libdvc store (not an SQLite database)", path);
		goto fail;
	}
	return DVC_OK;
fail:
	/* keep the error across the close, which cannot fail here */
	db->be->close(db);
	return rc;
}

void dvc__store_close(dvc_db *db)
{
	for (size_t i = 0; i < DVC_STMT_CACHE; i++) {
		dvc__sql_finalize(db->cache[i].stmt);
		db->cache[i].stmt = NULL;
		db->cache[i].key = NULL;
	}
	if (db->explicit_txn)
		dvc__sql_exec(db, "ROLLBACK");
	if (db->sql)
		db->be->close(db);
	db->sql = NULL;
}

int dvc_schema_version(dvc_db *db, int *out)
{
	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_schema_version needs a store and an out pointer");
	return db->be->schema_version(db, out);
}

int dvc__store_exec(dvc_db *db, const char *sql, const char *what) { return exec(db, sql, what); }

int dvc__store_begin(dvc_db *db)
{
	db->txn_serial++;
	return exec(db, db->be->begin_write, "starting a transaction");
}

uint64_t dvc__store_txn(dvc_db *db) { return dvc__sql_in_txn(db) == 1 ? db->txn_serial : 0; }

void dvc__store_sync_switch_seen(dvc_db *db, const char *value)
{
	db->sync_switch.txn = dvc__store_txn(db);
	db->sync_switch.on = value && strcmp(value, "1") == 0;
}

void dvc__store_rollback_quiet(dvc_db *db)
{
	/* the engine may already have rolled back: then there is nothing to end */
	if (dvc__sql_in_txn(db))
		dvc__sql_exec(db, "ROLLBACK");
}


/* Transaction control runs on every write: prepared once per handle. */
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_SAVEPOINT[] = "SAVEPOINT dvc_write";
static const char SQL_RELEASE[] = "RELEASE dvc_write";

static int run_cached(dvc_db *db, const char *sql, const char *what)
{
	dvc__sql_stmt *st = dvc__stmt(db, sql);
	return st ? dvc__exec_step(db, st, what) : dvc_error_last()->code;
}

static int write_refused(dvc_db *db)
{
	if (db->readonly)
		return dvc__err(DVC_EIO, NULL, "the store is open read-only");
	if (db->txn_aborted)
		return dvc__err(DVC_ETXN, NULL, "the transaction was aborted because %s: "
				"dvc_rollback() it", db->txn_abort_why);
	return DVC_OK;
}

static int write_begin(dvc_db *db, const char *begin)
{
	int rc;
	if ((rc = write_refused(db)) != DVC_OK)
		return rc;
	db->lean = 0;
	db->sql_retry = 0;
	if (!db->explicit_txn)
		db->txn_serial++;
	/* Outside an explicit transaction, take the write lock up front (no
	 * deadlock-prone lock upgrade); inside one it is already held. */
	return run_cached(db, db->explicit_txn ? SQL_SAVEPOINT : begin, "starting a write");
}

int dvc__write_begin(dvc_db *db)
{
	return write_begin(db, db->be->begin_write);
}

int dvc__write_begin_snapshot(dvc_db *db)
{
	return write_begin(db, db->be->begin_write_snapshot);
}

int dvc__write_begin_lean(dvc_db *db)
{
	int rc;
	if (!db->explicit_txn)
		return dvc__write_begin(db);
	if ((rc = write_refused(db)) != DVC_OK)
		return rc;
	db->lean = 1;
	db->sql_retry = 0;
	db->lean_mark = dvc__sql_total_changes(db);
	return DVC_OK;
}

/* After a failed write inside an explicit transaction: can the rest still
 * commit? Not if the engine rolled the transaction back itself (SQLite may
 * on I/O errors, a full disk or no memory; PostgreSQL after any failed
 * statement), nor if a lean call had written. */
static void check_aborted(dvc_db *db, int wrote)
{
	const dvc_error *e = dvc_error_last();
	if (!wrote && dvc__sql_in_txn(db) == 1)
		return;
	db->txn_aborted = 1;
	snprintf(db->txn_abort_why, sizeof db->txn_abort_why, "a call failed with %s (%.100s)",
		 dvc_status_name(e->code), e->message);
}

/* A read of several statements sees one snapshot: a transaction, or a
 * savepoint inside an explicit one. */
static const char SQL_READ_SAVEPOINT[] = "SAVEPOINT dvc_read";
static const char SQL_READ_RELEASE[] = "RELEASE dvc_read";

int dvc__read_begin(dvc_db *db)
{
	if (!db->explicit_txn)
		db->txn_serial++;
	return run_cached(db, db->explicit_txn ? SQL_READ_SAVEPOINT : db->be->begin_read, "starting a read");
}

void dvc__read_end(dvc_db *db)
{
	/* nothing was written: ending cannot lose anything, so errors are moot */
	dvc__sql_stmt *st = dvc__stmt(db, db->explicit_txn ? SQL_READ_RELEASE : SQL_COMMIT);
	if (st)
		dvc__exec_step(db, st, "ending a read");
}

int dvc__write_end(dvc_db *db, int rc)
{
	if (db->explicit_txn && db->lean) {
		db->lean = 0;
		if (rc != DVC_OK)
			check_aborted(db, dvc__sql_total_changes(db) != db->lean_mark);
		return rc;
	}
	if (db->explicit_txn) {
		if (rc != DVC_OK) {
			dvc__sql_exec(db, "ROLLBACK TO dvc_write; RELEASE dvc_write");
			check_aborted(db, 0);
			return rc;
		}
		if ((rc = run_cached(db, SQL_RELEASE, "finishing a write")) != DVC_OK)
			check_aborted(db, 0);
		return rc;
	}
	if (rc != DVC_OK) {
		dvc__sql_exec(db, "ROLLBACK");
		return rc;
	}
	rc = run_cached(db, SQL_COMMIT, "committing a write");
	if (rc != DVC_OK)
		dvc__sql_exec(db, "ROLLBACK");
	return rc;
}

int dvc__write_again(dvc_db *db, int rc, int attempt)
{
	struct timespec ts;
	long ms;
	if (rc != DVC_EBUSY || !db->sql_retry || db->explicit_txn)
		return 0;
	db->sql_retry = 0;
	if (attempt + 1 >= DVC__WRITE_ATTEMPTS) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s", dvc_error_last()->message);
		dvc__err(DVC_EBUSY, NULL, "%s (rolled back %d times; nothing was written)", msg,
			 DVC__WRITE_ATTEMPTS);
		return 0;
	}
	/* 1, 2, 4, 8 ms plus as much again at random: the writers that
	 * collided do not collide again in step */
	ms = 1L << attempt;
	ms += (long)randombytes_uniform((uint32_t)ms + 1);
	ts.tv_sec = 0;
	ts.tv_nsec = ms * 1000000L;
	nanosleep(&ts, NULL);
	return 1;
}

dvc__sql_stmt *dvc__stmt(dvc_db *db, const char *sql)
{
	size_t h = ((uintptr_t)sql >> 3) * 2654435761u;
	for (size_t n = 0; n < DVC_STMT_CACHE; n++) {
		size_t i = (h + n) & (DVC_STMT_CACHE - 1);
		if (db->cache[i].key == sql) {
			dvc__sql_stmt *st = db->cache[i].stmt;
			st->be->reset(st);
			st->be->clear_bindings(st);
			return st;
		}
		if (!db->cache[i].key) {
			dvc__sql_stmt *st;
			int rc = db->be->prepare(db, sql, 1, &st);
			if (rc != DVC__SQL_OK) {
				dvc__store_err(db, rc, "preparing a statement");
				return NULL;
			}
			db->cache[i].key = sql;
			db->cache[i].stmt = st;
			return st;
		}
	}
	dvc__err(DVC_ERROR, NULL, "statement cache full");
	return NULL;
}

int dvc__exec_step(dvc_db *db, dvc__sql_stmt *st, const char *what)
{
	int rc = dvc__sql_step(st);
	dvc__sql_reset(st);
	return rc == DVC__SQL_DONE || rc == DVC__SQL_ROW ? DVC_OK : dvc__store_err(db, rc, what);
}

dvc__sql_stmt *dvc__stmt_args(dvc_db *db, const char *sql, const dvc__arg *args, size_t n)
{
	dvc__sql_stmt *st = dvc__stmt(db, sql);
	for (size_t i = 0; st && i < n; i++) {
		const dvc__arg *a = &args[i];
		const int at = (int)i + 1;
		const int rc = a->kind == DVC__ARG_INT ? dvc__sql_bind_int64(st, at, a->i)
			       : !a->p ? dvc__sql_bind_null(st, at)
			       : a->kind == DVC__ARG_TEXT
				       ? dvc__sql_bind_text(st, at, a->p, -1, DVC__SQL_STATIC)
				       : dvc__sql_bind_blob(st, at, a->p, (int)a->i, DVC__SQL_STATIC);
		if (rc != DVC__SQL_OK) {
			dvc__store_err(db, rc, "binding a value");
			dvc__sql_reset(st);
			return NULL;
		}
	}
	return st;
}

int dvc__exec_args(dvc_db *db, const char *sql, const char *what, const dvc__arg *args, size_t n)
{
	dvc__sql_stmt *st = dvc__stmt_args(db, sql, args, n);
	return st ? dvc__exec_step(db, st, what) : dvc_error_last()->code;
}

int dvc__rows(dvc_db *db, dvc__sql_stmt *st, dvc__row_fn row, void *ctx, const char *what)
{
	int rc, crc = DVC_OK;
	if (!st)
		return dvc_error_last()->code;
	while (crc == DVC_OK && (rc = dvc__sql_step(st)) == DVC__SQL_ROW)
		crc = row(st, ctx);
	dvc__sql_reset(st);
	if (crc != DVC_OK)
		return crc;
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, what);
}

int dvc__row_one(dvc_db *db, dvc__sql_stmt *st, dvc__row_fn row, void *ctx, const char *what)
{
	int rc, crc = DVC_OK;
	if (!st)
		return dvc_error_last()->code;
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW && row)
		crc = row(st, ctx);
	dvc__sql_reset(st);
	if (rc == DVC__SQL_ROW)
		return crc == DVC_OK ? 1 : crc;
	return rc == DVC__SQL_DONE ? 0 : dvc__store_err(db, rc, what);
}

int dvc__col_int64(dvc__sql_stmt *st, void *ctx)
{
	*(int64_t *)ctx = dvc__sql_column_int64(st, 0);
	return DVC_OK;
}

int dvc__col_int(dvc__sql_stmt *st, void *ctx)
{
	*(int *)ctx = dvc__sql_column_int(st, 0);
	return DVC_OK;
}

int dvc__aggregate(dvc_db *db, dvc__sql_stmt *st, dvc__row_fn row, void *ctx, const char *what)
{
	int rc = dvc__row_one(db, st, row, ctx, what);
	return rc == 1 ? DVC_OK : rc == 0 ? dvc__store_err(db, DVC__SQL_DONE, what) : rc;
}

int dvc__count(dvc_db *db, dvc__sql_stmt *st, int64_t *n, const char *what)
{
	*n = 0;
	return dvc__aggregate(db, st, dvc__col_int64, n, what);
}

int dvc__store_lease(dvc_db *db
, const dvc__lease_sql *q, dvc_time now, dvc_time lease_until,
		     size_t max, int (*emit)(dvc__sql_stmt *st, void *ctx), void *ctx)
{
	dvc__sql_stmt *st = dvc__stmt(db, q->due);
	int64_t ids[256];
	size_t n = 0;
	int rc;
	if (!st)
		return dvc_error_last()->code;
	if (max > DVC_ARRAY_LEN(ids))
		max = DVC_ARRAY_LEN(ids);
	dvc__sql_bind_int64(st, 1, now);
	dvc__sql_bind_int64(st, 2, (int64_t)max);
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW)
		ids[n++] = dvc__sql_column_int64(st, 0);
	dvc__sql_reset(st);
	if (rc != DVC__SQL_DONE)
		return dvc__store_err(db, rc, q->what_due);
	for (size_t i = 0; i < n; i++) {
		if (!(st = dvc__stmt(db, q->lease)))
			return dvc_error_last()->code;
		dvc__sql_bind_int64(st, 1, ids[i]);
		dvc__sql_bind_int64(st, 2, lease_until);
		if ((rc = dvc__exec_step(db, st, q->what_lease)) != DVC_OK)
			return rc;
		if (!(st = dvc__stmt(db, q->get)))
			return dvc_error_last()->code;
		dvc__sql_bind_int64(st, 1, ids[i]);
		if ((rc = dvc__sql_step(st)) != DVC__SQL_ROW) {
			dvc__sql_reset(st);
			return dvc__store_err(db, rc, q->what_get);
		}
		rc = emit(st, ctx);
		dvc__sql_reset(st);
		if (rc != DVC_OK)
			return rc;
	}
	return DVC_OK;
}

/* state 1 = sending (leased): the lease that ends at ?2, still running */
static const char SQL_HOLD_OUTBOX[] =
	"UPDATE outbox SET next_attempt_at = ?3 WHERE id = ?1 AND state = 1 AND next_attempt_at = ?2"
	" AND next_attempt_at > ?4";
static const char SQL_HOLD_SYNC[] =
	"UPDATE national_sync SET next_attempt_at = ?3 WHERE id = ?1 AND state = 1"
	" AND next_attempt_at = ?2 AND next_attempt_at > ?4";

static const char SQL_MARK_OUTBOX[] =
	"UPDATE outbox SET state = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5,"
	" sent_at = ?6 WHERE id = ?1";
static const char SQL_MARK_SYNC[] =
	"UPDATE national_sync SET state = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5,"
	" sent_at = ?6 WHERE id = ?1";

int dvc__store_lease_mark(dvc_db *db, dvc__lease_queue q, int64_t id, int state, int attempts,
			  dvc_time next_attempt_at, const char *error, dvc_time sent_at)
{
	const int sync = q == DVC__LEASE_SYNC;
	return DVC__EXEC(db, sync ? SQL_MARK_SYNC : SQL_MARK_OUTBOX,
			 sync ? "updating a sync message" : "updating a message", DVC__INT(id),
			 DVC__INT(state), DVC__INT(attempts), DVC__INT(next_attempt_at), DVC__TEXT(error),
			 DVC__NONZERO(sent_at));
}

int dvc__store_lease_hold(dvc_db *db, dvc__lease_queue q, int64_t id, dvc_time lease_until,
			  dvc_time now, dvc_time until, dvc_time *renewed)
{
	dvc__sql_stmt *st = dvc__stmt(db, q == DVC__LEASE_SYNC ? SQL_HOLD_SYNC : SQL_HOLD_OUTBOX);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, id);
	dvc__sql_bind_int64(st, 2, lease_until);
	dvc__sql_bind_int64(st, 3, until);
	dvc__sql_bind_int64(st, 4, now);
	if ((rc = dvc__exec_step(db, st, "renewing a lease")) != DVC_OK)
		return rc;
	if (dvc__sql_changes(db) != 1)
		return dvc__err(DVC_ECONFLICT, "id", "%s %lld: no running lease ending at %lld "
				"(it ran out and another sender may have the message, or it was sent or "
				"failed meanwhile): do not send it",
				q == DVC__LEASE_SYNC ? "sync message" : "message", (long long)id,
				(long long)lease_until);
	if (renewed)
		*renewed = until;
	return DVC_OK;
}

int dvc__bind_text(dvc_db *db, dvc__sql_stmt *st, int i, const char *s)
{
	int rc = s ? dvc__sql_bind_text(st, i, s, -1, DVC__SQL_STATIC) : dvc__sql_bind_null(st, i);
	return rc == DVC__SQL_OK ? DVC_OK : dvc__store_err(db, rc, "binding a value");
}

const char *dvc__col_arena(dvc_arena *a, dvc__sql_stmt *st, int i, bool *oom)
{
	const unsigned char *s = dvc__sql_column_text(st, i);
	char *r;
	if (!s) {
		/* no text for a value: the engine ran out of memory */
		if (dvc__sql_column_type(st, i) != DVC__SQL_NULL)
			*oom = true;
		return NULL;
	}
	r = dvc_arena_strndup(a, (const char *)s, (size_t)dvc__sql_column_bytes(st, i));
	if (!r)
		*oom = true;
	return r;
}

void dvc__col_date(dvc__sql_stmt *st, int i, dvc_date *d)
{
	const char *s = (const char *)dvc__sql_column_text(st, i);
	if (!s || dvc__date_parse(s, d) != DVC_OK)
		*d = (dvc_date){0, 0, 0};
}

int dvc__rows_array(dvc_db *db, dvc_arena *a, dvc__sql_stmt *st, size_t size, dvc__elem_fn fn,
		    const char *what, void **out, size_t *n)
{
	size_t cap = 0, len = 0;
	unsigned char *arr = NULL;
	int rc;
	if (!st)
		return dvc_error_last()->code;
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			unsigned char *na = dvc_arena_alloc(a, ncap * size);
			if (!na) {
				dvc__sql_reset(st);
				return dvc__oom();
			}
			if (len)
				memcpy(na, arr, len * size);
			arr = na;
			cap = ncap;
		}
		if (!fn(a, st, arr + len * size)) {
			dvc__sql_reset(st);
			return dvc__oom();
		}
		len++;
	}
	dvc__sql_reset(st);
	if (rc != DVC__SQL_DONE)
		return dvc__store_err(db, rc, what);
	*out = arr;
	*n = len;
	return DVC_OK;
}

int dvc__col_copy(dvc_db *db, dvc__sql_stmt *st, int col, char *dst, size_t n, const char *what)
{
	const unsigned char *s = dvc__sql_column_text(st, col);
	size_t len = s ? (size_t)dvc__sql_column_bytes(st, col) : 0;
	if (!s && (dvc__sql_errcode(db) & 0xFF) == DVC__SQL_NOMEM)
		return dvc__oom();
	if (len >= n)
		return dvc__err(DVC_ECORRUPT, NULL, "stored %s of %zu bytes exceeds the limit of %zu",
				what, len, n - 1);
	if (len)
		memcpy(dst, s, len);
	dst[len] = '\0';
	return DVC_OK;
}
