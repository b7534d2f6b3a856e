/* dvc demo: the seed case end to end on the store named by --db.
 *
 * Kiến Thụy district (Hải Phòng) moved to the city's portal on 1 July 2018.
 * The demo imports the reference catalog, tours it, then follows two
 * dossiers of a level-3 district Justice procedure from submission to
 * return, on a simulated clock that starts on Monday 2 July 2018 at 08:00
 * (+07:00) and moves the way a working week does. A last chapter follows a
 * level-4 (full online) dossier: the applicant's scanned declaration
 * uploaded, the fee paid through a simulated gateway (signed callback,
 * replay answered as a duplicate), the result attached and signed with
 * XML-DSig by the signing leader (the shipped DEMO key), delivered online and
 * written to a file beside the store with the xmlsec1 command that verifies
 * it, and the SMS and e-mail the outbox holds for the applicant.
 * Then the reform: the Hải Phòng map of 1 July 2025 is imported, a dossier
 * lodged at the district in June 2025 is moved by the cutover to its commune
 * successor, and its officers finish it. The last chapter runs on the real
 * clock (any day, weekends and years without an announced holiday schedule
 * included): a birth is registered today at the centre of xã Kiến Thụy.
 * Everything it prints is deterministic except the random tracking secrets
 * and that last chapter. */
#include "cli.h"

#include <dvc/agency.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The procedure of the story: a district-level Justice procedure, level 3,
 * implemented by Phòng Tư pháp, 3 working days, no explicit route (so the
 * default one: desk at the district People's Committee, specialist at Phòng
 * Tư pháp, signing leader at the People's Committee). */
#define PROC "2.000748"
#define PC "000.00.30.H24"      /* Ủy ban nhân dân huyện Kiến Thụy */
#define JUSTICE "000.01.30.H24" /* Phòng Tư pháp huyện Kiến Thụy */

/* The level-4 chapter. The reference catalog has no level-4 procedure (no
 * public source confirms one for Kiến Thụy in 2018), so the demo imports a
 * clearly-marked illustrative one from data/catalog/demo-level4.json: full
 * online, 8.000 đồng per copy, at Phòng Tư pháp, the default route. The
 * gateway secret is a demo value; real deployments keep theirs out of code. */
#define PROC4 "DEMO.000004"
#define GATEWAY "vnpay"
#define DEMO_GATEWAY_SECRET "bi-mat-minh-hoa-cua-cong-thanh-toan"
#define PROC4_FORM "{\"purpose\":\"Bổ sung hồ sơ xin việc\",\"copies\":2}"

/* An officer the story adds, and what the story says of them. */
typedef struct demo_officer {
	const char *username, *name, *unit;
	dvc_role role;
	const char *what;
} demo_officer;

static const demo_officer officers[] = {
	{"hoa.lt", "Lê Thị Hoa", PC, DVC_ROLE_RECEPTION, "reception desk of the People's Committee"},
	{"nam.tv", "Trần Văn Nam", JUSTICE, DVC_ROLE_SPECIALIST, "specialist, Phòng Tư pháp"},
	{"lan.pt", "Phạm Thị Lan", JUSTICE, DVC_ROLE_UNIT_LEADER, "head of Phòng Tư pháp"},
	{"hung.nd", "Nguyễn Đức Hùng", PC, DVC_ROLE_SIGNING_LEADER,
	 "vice-chairman of the People's Committee, signs"},
};

static const dvc_applicant an = {
	"Nguyễn Văn An", "031099001234", "1999-05-12",
	"Thôn 3, xã Thụy Hương, huyện Kiến Thụy, thành phố Hải Phòng", "0912 345 678", NULL};
static const dvc_applicant binh = {
	"Trần Thị Bình", "031190004567", "1990-03-15",
	"Thôn Đông, xã Đại Đồng, huyện Kiến Thụy, thành phố Hải Phòng", "0983 456 789",
	"binh.tran@example.vn"};

typedef struct demo {
	dvc_db *db;
	dvc_time now;
} demo;

static int demo_clock(void *ctx, dvc_time *out)
{
	*out = ((demo *)ctx)->now;
	return 0;
}

static const char *weekday(int y, int m, int d)
{
	static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
	static const char *const names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	if (m < 3)
		y -= 1;
	return names[(y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7];
}

/* Move the simulated clock to a local time in July 2018 and say what happens. */
static int when(demo *d, int day, int hour, int minute, const char *what)
{
	dvc_date date = {2018, 7, day};
	if (dvc_time_from_local(date, hour, minute, 0, &d->now) != DVC_OK)
		return cli_fail_lib("clock");
	printf("\n[%s %04d-%02d-%02d %02d:%02d] %s\n", weekday(2018, 7, day), 2018, 7, day, hour,
	       minute, what);
	return 0;
}

static int track(demo *d, const char *code, dvc_tracking **t)
{
	dvc_actor admin = {DVC_ACTOR_OFFICER, "hoa.lt", NULL};
	if (dvc_dossier_track(d->db, code, &admin, t) != DVC_OK)
		return cli_fail_lib(code);
	return 0;
}

static void print_actor(const dvc_actor *a)
{
	if (a->kind == DVC_ACTOR_OFFICER)
		printf(" --officer %s", a->name);
	else if (a->kind == DVC_ACTOR_ACCOUNT)
		printf(" --account %s", a->name);
	else
		printf(" --secret %s", a->secret);
}

/* The applicant's view, echoed as the command that shows it. */
static int track_as(demo *d, const char *code, const dvc_actor *who)
{
	dvc_tracking *t;
	printf("$ dvc dossier track %s", code);
	print_actor(who);
	putchar('\n');
	if (dvc_dossier_track(d->db, code, who, &t) != DVC_OK)
		return cli_fail_lib(code);
	cli_print_tracking(t, "");
	dvc_tracking_free(t);
	return 0;
}

static const char *delivery_word(dvc_delivery d)
{
	return d == DVC_DELIVERY_POST ? "post" : d == DVC_DELIVERY_ONLINE ? "online" : "counter";
}

/* One action, echoed as the command that would do it, then its outcome. */
static int act_req(demo *d, const char *code, const dvc_action_req *q)
{
	dvc_tracking *t;
	char due[DVC_TIME_FORMAT_SIZE];
	int64_t version;

	printf("$ dvc dossier act %s %s", code, dvc_action_name(q->action));
	print_actor(&q->actor);
	if (q->target)
		printf(" --target %s", q->target);
	if (q->new_due) {
		cli_time_str(q->new_due, due);
		printf(" --new-due %s", due);
	}
	if (q->action == DVC_ACT_RETURN)
		printf(" --delivery %s", delivery_word(q->delivery));
	if (q->note)
		printf(" --note \"%s\"", q->note);
	if (q->payload)
		printf(" --payload \"%s\"", q->payload);
	putchar('\n');
	if (dvc_dossier_act(d->db, code, q, &version) != DVC_OK)
		return cli_fail_lib(code);
	if (track(d, code, &t))
		return 1;
	printf("  %s (%s), version %lld", dvc_state_name(t->state), dvc_state_label_vi(t->state),
	       (long long)version);
	if (t->state == DVC_STATE_IN_PROGRESS || t->state == DVC_STATE_RECEIVED)
		printf("; at %s, step %d/%d %s%s%s", t->unit_name ? t->unit_name : t->unit,
		       t->step + 1, t->n_steps, dvc_role_name(t->step_role),
		       t->handler ? ", handler " : "", t->handler ? t->handler : "");
	putchar('\n');
	if (q->action == DVC_ACT_RECEIVE || q->action == DVC_ACT_SUPPLY) {
		cli_time_str(t->due_at, due);
		printf("  appointment (ngày hẹn trả kết quả): %s\n", due);
	} else if (q->action == DVC_ACT_RESCHEDULE) {
		cli_time_str(t->rescheduled_due_at, due);
		printf("  new appointment: %s (still counted as late)\n", due);
	} else if (t->clock_stopped) {
		printf("  clock stopped until the applicant supplies the documents\n");
	}
	if (q->payload && t->n_history > 0)
		printf("  journal keeps the result's SHA-256: %.16s...\n",
		       t->history[t->n_history - 1].payload_digest);
	dvc_tracking_free(t);
	return 0;
}

static int act(demo *d, const char *code, dvc_action action, dvc_actor who, const char *note,
	       const char *target, dvc_time new_due, dvc_delivery delivery)
{
	dvc_action_req q = DVC_ACTION_INIT;
	q.action = action;
	q.actor = who;
	q.note = note;
	q.target = target;
	q.new_due = new_due;
	q.delivery = delivery;
	return act_req(d, code, &q);
}

static int submit(demo *d, const char *account, const dvc_applicant *a, dvc_receipt *r)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	s.procedure = PROC;
	s.account = account;
	s.applicant = account ? NULL : a;
	printf("$ dvc dossier submit %s", PROC);
	if (account)
		printf(" --account %s\n", account);
	else
		printf(" --name \"%s\" --citizen-id %s --birth-date %s --address \"%s\" --phone \"%s\"\n",
		       a->full_name, a->citizen_id, a->birth_date, a->address, a->phone);
	if (dvc_dossier_submit(d->db, &s, r) != DVC_OK)
		return cli_fail_lib(PROC);
	printf("  dossier %s submitted\n", r->code);
	if (r->secret[0])
		printf("  tracking secret: %s\n", r->secret);
	return 0;
}

static int search(dvc_db *db, const char *text)
{
	dvc_search_result *r;
	if (dvc_catalog_search(db, text, NULL, &r) != DVC_OK)
		return cli_fail_lib("search");
	printf("\n$ dvc catalog search \"%s\"\n", text);
	for (size_t i = 0; i < dvc_search_result_count(r) && i < 3; i++) {
		const dvc_search_hit *h = dvc_search_result_at(r, i);
		printf("  %-10s [%s, mức %d] %s\n", h->code, h->sector, h->online_level, h->name);
	}
	if (dvc_search_result_count(r) == 0)
		printf("  (no procedure found)\n");
	dvc_search_result_free(r);
	return 0;
}

static int catalog_tour(dvc_db *db, const char *datadir)
{
	char path[4096];
	dvc_import_stats st = DVC_IMPORT_STATS_INIT;
	dvc_catalog_stats *s;
	dvc_date seed = {2018, 7, 1};
	int rc;

	snprintf(path, sizeof path, "%s/catalog/kien-thuy-2018.json", datadir);
	printf("\n$ dvc catalog import %s\n", path);
	if (dvc_catalog_import_file(db, path, DVC_FORMAT_AUTO, &st) != DVC_OK)
		return cli_fail_lib(path);
	printf("  %zu procedures, %zu sectors, %zu agencies (%zu new versions)\n", st.procedures,
	       st.sectors, st.agencies, st.versions_added);
	if ((rc = search(db, "dang ky khai sinh")) || (rc = search(db, "ĐĂNG KÝ KẾT HÔN")) ||
	    (rc = search(db, "ho kinh doan")))
		return rc;
	if (dvc_catalog_stats_compute(db, &seed, &s) != DVC_OK)
		return cli_fail_lib("stats");
	printf("\n$ dvc catalog stats --asof 2018-07-01\n  procedures in force: %lld\n",
	       (long long)dvc_catalog_stats_total(s));
	/* the Vietnamese label goes last: printf pads bytes, not characters */
	for (size_t i = 0; i < dvc_catalog_stats_count(s); i++) {
		const dvc_stat_row *r = dvc_catalog_stats_at(s, i);
		printf("  %-12s %-8s %3lld  %s\n", r->dimension, r->key, (long long)r->count, r->label);
	}
	dvc_catalog_stats_free(s);
	return 0;
}

static int people(demo *d)
{
	printf("\n# officers of the Kiến Thụy units and one registered applicant\n");
	for (size_t i = 0; i < sizeof officers / sizeof officers[0]; i++) {
		int rc = dvc_officer_add(d->db, officers[i].username, officers[i].name,
					 officers[i].unit, officers[i].role);
		printf("$ dvc officer add %s --name \"%s\" --unit %s --role %s\n",
		       officers[i].username, officers[i].name, officers[i].unit,
		       dvc_role_name(officers[i].role));
		if (rc != DVC_OK && rc != DVC_EEXISTS)
			return cli_fail_lib(officers[i].username);
		printf("  %s (%s)\n", rc == DVC_EEXISTS ? "already there" : "added", officers[i].what);
	}
	printf("$ dvc account register binh.tt --password ******** --name \"%s\" --citizen-id %s "
	       "--birth-date %s --address \"%s\" --phone \"%s\" --email %s\n",
	       binh.full_name, binh.citizen_id, binh.birth_date, binh.address, binh.phone,
	       binh.email);
	switch (dvc_account_register(d->db, "binh.tt", "Hai-Phong-2018", &binh)) {
	case DVC_OK:
		printf("  account binh.tt registered\n");
		break;
	case DVC_EEXISTS:
		printf("  already there\n");
		break;
	default:
		return cli_fail_lib("binh.tt");
	}
	return 0;
}

/* "$ dvc outbox list CODE", every message in full. */
static int outbox_show(demo *d, const char *code)
{
	dvc_message_batch *b;
	printf("$ dvc outbox list %s   (each message in full)\n", code);
	if (dvc_outbox_list(d->db, code, &b) != DVC_OK)
		return cli_fail_lib("outbox");
	for (size_t i = 0; i < dvc_message_batch_count(b); i++)
		cli_print_message(dvc_message_batch_at(b, i), true, "  ");
	dvc_message_batch_free(b);
	return 0;
}

/* "$ dvc outbox drain": what a sender does, with stdout as the gateway. */
static int outbox_drain(demo *d)
{
	dvc_message_batch *b;
	size_t total = 0, n;
	printf("$ dvc outbox drain --limit 50   (a real sender: examples/notify/dvc-notify-send)\n");
	do {
		if (dvc_outbox_fetch(d->db, 50, &b) != DVC_OK)
			return cli_fail_lib("outbox");
		n = dvc_message_batch_count(b);
		for (size_t i = 0; i < n; i++) {
			const dvc_message *m = dvc_message_batch_at(b, i);
			if (dvc_outbox_mark_sent(d->db, m->id) != DVC_OK) {
				dvc_message_batch_free(b);
				return cli_fail_lib("outbox");
			}
			cli_print_message(m, false, "  ");
		}
		dvc_message_batch_free(b);
		total += n;
	} while (n > 0);
	printf("  %zu messages sent; nothing left due\n", total);
	return 0;
}

/* What the gateway sends back after the applicant paid: VNPay-style
 * parameters (amount in VND x 100), signed with the shared secret. */
static int gateway_pays(const dvc_payment_request_info *req, char **signed_q)
{
	char q[512];
	snprintf(q, sizeof q,
		 "vnp_Amount=%lld&vnp_BankCode=NCB&vnp_OrderInfo=Thanh+toan+phi+ho+so&vnp_PayDate="
		 "20180706092300&vnp_ResponseCode=00&vnp_TmnCode=KIENTHUY&vnp_TransactionNo=13771902"
		 "&vnp_TransactionStatus=00&vnp_TxnRef=%s",
		 (long long)req->amount * 100, req->reference);
	printf("$ dvc payment sign '%s'   (the gateway simulator)\n", q);
	if (dvc_payment_sign(q, DEMO_GATEWAY_SECRET, signed_q) != DVC_OK)
		return cli_fail_lib("sign");
	printf("  %s\n", *signed_q);
	return 0;
}

static int callback(demo *d, const char *query)
{
	dvc_payment_result r = DVC_PAYMENT_RESULT_INIT;
	char amount[48];
	printf("$ dvc payment callback \"$SIGNED_QUERY\"\n");
	if (dvc_payment_callback(d->db, query, &r) != DVC_OK)
		return cli_fail_lib("callback");
	cli_vnd_str(r.amount, amount, sizeof amount);
	printf("  %s: dossier %s, %s, reference %s\n", dvc_payment_outcome_name(r.outcome), r.dossier,
	       amount, r.reference);
	return 0;
}

static int file_write(void *ctx, const void *buf, size_t n)
{
	return fwrite(buf, 1, n, (FILE *)ctx) == n ? 0 : -1;
}

static int upload(demo *d, const char *code, dvc_actor who, int component, const char *name,
		  const char *content, const char *as)
{
	dvc_attach_req q = DVC_ATTACH_INIT;
	dvc_file_info fi;
	dvc_mem_reader src = {content, strlen(content), 0};
	q.actor = who;
	q.component = component;
	q.name = name;
	q.read = dvc_mem_read;
	q.read_ctx = &src;
	q.declared_size = (int64_t)src.size;
	printf("$ dvc dossier attach %s %d %s %s\n", code,
	       component == DVC_FILE_RESULT ? 0 : component, name, as);
	if (dvc_dossier_attach(d->db, code, &q, &fi) != DVC_OK)
		return cli_fail_lib("attach");
	printf("  #%lld %s: %s, %lld bytes, detected %s, sha256 %.16s...\n", (long long)fi.id,
	       fi.component_name, fi.name, (long long)fi.size, fi.media_type, fi.sha256);
	return 0;
}

#define DEMO_SCAN "%PDF-1.4\n% Tờ khai đã ký, bản chụp (dữ liệu minh họa)\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
#define DEMO_RESULT "%PDF-1.4\n% Bản sao trích lục khai sinh (dữ liệu minh họa)\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"

/* The leader attaches the result and signs it with the shipped DEMO key. */
static int sign_result(demo *d, const char *code, dvc_actor signer, const char *datadir,
		       dvc_file_info *out)
{
	dvc_sign_opts o = DVC_SIGN_OPTS_INIT;
	char key[4096], cert[4096];
	if (upload(d, code, signer, DVC_FILE_RESULT, "ban-sao-trich-luc.pdf", DEMO_RESULT,
		   "--result --officer hung.nd"))
		return 1;
	snprintf(key, sizeof key, "%s/demo-keys/demo-signing-key.pem", datadir);
	snprintf(cert, sizeof cert, "%s/demo-keys/demo-signing-cert.pem", datadir);
	o.key_file = key;
	o.cert_file = cert;
	printf("# the DEMO key shipped in %s/demo-keys: its private half is public, it proves nothing\n",
	       datadir);
	printf("$ dvc dossier sign %s --officer hung.nd --key %s --cert %s\n", code, key, cert);
	if (dvc_dossier_sign_result(d->db, code, &signer, &o, out) != DVC_OK)
		return cli_fail_lib("sign");
	printf("  #%lld %s: %s, %lld bytes, sha256 %.16s... (XML-DSig, RSA-SHA256)\n",
	       (long long)out->id, out->component_name, out->name, (long long)out->size, out->sha256);
	return 0;
}

/* The applicant downloads the signed result into a file beside an SQLite
 * store, or into the current directory (a PostgreSQL URI is no directory). */
static int download_signed(demo *d, const char *db_path, const char *code, int64_t id,
			   dvc_actor who, const char *datadir)
{
	const char *slash = strcmp(dvc_backend_name(d->db), "sqlite") ? NULL : strrchr(db_path, '/');
	char path[4096], cert[4096], fp[DVC_CERT_FINGERPRINT_SIZE];
	FILE *f;
	int rc;
	snprintf(path, sizeof path, "%.*s%s-ket-qua-ky-so.xml", slash ? (int)(slash - db_path + 1) : 0,
		 db_path, code);
	snprintf(cert, sizeof cert, "%s/demo-keys/demo-signing-cert.pem", datadir);
	printf("$ dvc dossier download %s %lld --account binh.tt --out %s\n", code, (long long)id, path);
	if (!(f = fopen(path, "wb")))
		return cli_fail("cannot write %s", path);
	rc = dvc_dossier_download(d->db, code, &who, id, file_write, f);
	if (fclose(f) != 0 && rc == DVC_OK)
		return cli_fail("cannot write %s", path);
	if (rc != DVC_OK)
		return cli_fail_lib("download");
	{
		/* the library's own check, then the independent tool anyone runs */
		long n;
		char *xml;
		if (!(f = fopen(path, "rb")) || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) != 0 || !(xml = malloc((size_t)n + 1))) {
			if (f)
				fclose(f);
			return cli_fail("cannot read back %s", path);
		}
		if (fread(xml, 1, (size_t)n, f) != (size_t)n) {
			fclose(f);
			free(xml);
			return cli_fail("cannot read back %s", path);
		}
		fclose(f);
		rc = dvc_sign_verify(xml, (size_t)n, cert, fp);
		free(xml);
		if (rc != DVC_OK)
			return cli_fail_lib("verify");
	}
	printf("  %s: signature valid, certificate SHA-256 %s\n", path, fp);
	printf("# verify it independently (Debian package xmlsec1):\n");
	printf("$ xmlsec1 --verify --trusted-pem %s %s\n", cert, path);
	return 0;
}

/* The applicant rates the service, once, after the return (rating.h). */
static int rate(demo *d, const char *code, dvc_actor who, const char *who_opt, int overall,
		int timeliness, const char *comment)
{
	dvc_rating_req q = DVC_RATING_REQ_INIT;
	q.actor = who;
	q.scores[DVC_CRIT_OVERALL] = overall;
	q.scores[DVC_CRIT_TIMELINESS] = timeliness;
	q.comment = comment;
	printf("$ dvc dossier rate %s %s --score overall=%d --score timeliness=%d --comment \"%s\"\n",
	       code, who_opt, overall, timeliness, comment);
	if (dvc_dossier_rate(d->db, code, &q) != DVC_OK)
		return cli_fail_lib("rate");
	printf("  rated %s: %s %d/%d, %s %d/%d\n", code,
	       dvc_rating_criterion_label_vi(DVC_CRIT_OVERALL), overall, DVC_RATING_SCORE_MAX,
	       dvc_rating_criterion_label_vi(DVC_CRIT_TIMELINESS), timeliness, DVC_RATING_SCORE_MAX);
	return 0;
}

/* The service index's satisfaction indicator, which counts the ratings. */
static int index_satisfaction(demo *d)
{
	dvc_index_row *rows;
	size_t n;
	printf("\n$ dvc report index   (its satisfaction group counts the applicants' ratings)\n");
	if (dvc_report_index(d->db, NULL, &rows, &n) != DVC_OK)
		return cli_fail_lib("index");
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].code, "satisfaction") == 0)
			printf("  %s: %lld of %lld rated dossiers satisfied (overall 4-5), "
			       "%.2f of %.0f points\n", rows[i].name, (long long)rows[i].numerator,
			       (long long)rows[i].denominator, rows[i].points, rows[i].max_points);
	dvc_free(rows);
	return 0;
}

static int level4_story(demo *d, const char *datadir, const char *db_path)
{
	const dvc_actor desk = {DVC_ACTOR_OFFICER, "hoa.lt", NULL};
	const dvc_actor specialist = {DVC_ACTOR_OFFICER, "nam.tv", NULL};
	const dvc_actor signer = {DVC_ACTOR_OFFICER, "hung.nd", NULL};
	const dvc_actor account = {DVC_ACTOR_ACCOUNT, "binh.tt", NULL};
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_action_req ret = DVC_ACTION_INIT;
	dvc_payment_request_info req = DVC_PAYMENT_REQUEST_INFO_INIT;
	dvc_import_stats st = DVC_IMPORT_STATS_INIT;
	dvc_procedure *p;
	dvc_procedure_policy pol = DVC_PROCEDURE_POLICY_INIT;
	dvc_receipt c = DVC_RECEIPT_INIT;
	dvc_file_info signed_result;
	char path[4096], amount[48], at[DVC_TIME_FORMAT_SIZE], *signed_q = NULL;
	int rc;

	if (when(d, 6, 9, 0, "a level-4 procedure: full online, fee paid online, result delivered online"))
		return 1;
	printf("# the reference catalog has only level 3; an illustrative level-4 procedure\n"
	       "# (marked as demo data, not a national code) is imported for this chapter\n");
	snprintf(path, sizeof path, "%s/catalog/demo-level4.json", datadir);
	printf("$ dvc catalog import %s\n", path);
	if (dvc_catalog_import_file(d->db, path, DVC_FORMAT_AUTO, &st) != DVC_OK)
		return cli_fail_lib(path);
	printf("  %zu procedure (%zu new version)\n", st.procedures, st.versions_added);
	if (dvc_procedure_get(d->db, PROC4, NULL, &p) != DVC_OK)
		return cli_fail_lib(PROC4);
	cli_vnd_str(p->n_fees ? p->fees[0].amount : 0, amount, sizeof amount);
	printf("  %s, level %d, full online, %s per copy, %d working day\n  %s\n", p->code,
	       p->online_level, amount, p->deadline_value, p->name);
	dvc_procedure_free(p);

	s.procedure = PROC4;
	s.account = "binh.tt";
	s.form_data = PROC4_FORM;
	printf("$ dvc dossier submit %s --account binh.tt --form '%s'\n", PROC4, PROC4_FORM);
	if (dvc_dossier_submit(d->db, &s, &c) != DVC_OK)
		return cli_fail_lib(PROC4);
	printf("  dossier %s submitted (dossier C)\n", c.code);
	/* the province's rules for this procedure: every component before intake,
	 * the fee before the result, a signed result for an online return */
	pol.require_files = 1;
	pol.pay_before_return = 1;
	printf("# the province's policy for %s (dvc_procedure_policy_set): every component before "
	       "intake,\n# the fee before the result; an online return needs the signed result\n", PROC4);
	if (dvc_procedure_policy_set(d->db, PROC4, &pol) != DVC_OK)
		return cli_fail_lib("policy");
	if (upload(d, c.code, account, 0, "to-khai-da-ky.pdf", DEMO_SCAN, "--account binh.tt"))
		return 1;

	if (when(d, 6, 9, 15, "the desk receives dossier C; the fee is computed at intake") ||
	    act(d, c.code, DVC_ACT_RECEIVE, desk, NULL, NULL, 0, 0))
		return 1;

	if (when(d, 6, 9, 20, "Ms Bình pays online: the portal asks the gateway for a payment"))
		return 1;
	printf("$ export DVC_GATEWAY=%s DVC_GATEWAY_SECRET=%s   (demo value)\n", GATEWAY,
	       DEMO_GATEWAY_SECRET);
	if (dvc_payment_set_gateway(d->db, GATEWAY, DEMO_GATEWAY_SECRET) != DVC_OK)
		return cli_fail_lib("gateway");
	printf("$ dvc payment request %s\n", c.code);
	if (dvc_payment_request(d->db, c.code, &req) != DVC_OK)
		return cli_fail_lib(c.code);
	cli_vnd_str(req.amount, amount, sizeof amount);
	cli_time_str(req.expires_at, at);
	printf("  reference %s, amount %s (2 copies), expires %s\n", req.reference, amount, at);

	if (when(d, 6, 9, 23, "the bank confirms; the gateway calls the portal back, signed") ||
	    gateway_pays(&req, &signed_q) || callback(d, signed_q))
		rc = 1;
	else if (when(d, 6, 9, 24, "the gateway did not see the answer and sends the same callback again"))
		rc = 1;
	else
		rc = callback(d, signed_q);
	dvc_free(signed_q);
	if (rc)
		return rc;

	ret.action = DVC_ACT_RETURN;
	ret.actor = desk;
	ret.delivery = DVC_DELIVERY_ONLINE;
	ret.payload = "Bản sao trích lục hộ tịch (bản điện tử có chữ ký số, dữ liệu minh họa)";
	if (when(d, 6, 9, 30, "dossier C goes to Phòng Tư pháp") ||
	    act(d, c.code, DVC_ACT_FORWARD, desk, NULL, NULL, 0, 0) ||
	    when(d, 6, 10, 30, "the specialist prepares the copies") ||
	    act(d, c.code, DVC_ACT_FORWARD, specialist, NULL, NULL, 0, 0) ||
	    when(d, 6, 14, 0, "the leader attaches the result and signs it digitally") ||
	    sign_result(d, c.code, signer, datadir, &signed_result) ||
	    act(d, c.code, DVC_ACT_FORWARD, signer, NULL, NULL, 0, 0) ||
	    when(d, 6, 14, 10, "the desk delivers the electronic result online") ||
	    act_req(d, c.code, &ret))
		return 1;

	if (when(d, 6, 14, 12, "Ms Bình downloads the signed result from her account") ||
	    download_signed(d, db_path, c.code, signed_result.id, account, datadir) ||
	    when(d, 6, 14, 13, "and rates the service (once; only she can)") ||
	    rate(d, c.code, account, "--account binh.tt", 5, 5,
		 "Nộp và nhận kết quả trực tuyến, không phải đến cơ quan"))
		return 1;

	putchar('\n');
	if (track_as(d, c.code, &account))
		return 1;
	printf("\n# every notification of dossier C, written in the same transaction as the change\n");
	if (outbox_show(d, c.code))
		return 1;
	if (when(d, 6, 14, 15, "the sender drains the outbox (every dossier's messages)"))
		return 1;
	return outbox_drain(d);
}

/* ---- 2025: the reform cutover, then a dossier lodged today ---- */

#define KT_PC "000.00.11680.H24"     /* Ủy ban nhân dân xã Kiến Thụy (from 1 July 2025) */
#define KT_CENTRE "000.01.11680.H24" /* its Public Administration Service Centre */
#define BIRTH "1.001193"             /* đăng ký khai sinh: a commune procedure */
/* its declaration (tờ khai đăng ký khai sinh), illustrative data */
#define BIRTH_FORM "{\"kinh_gui\":\"Ủy ban nhân dân xã Kiến Hưng\",\"nguoi_yeu_cau_ho_ten\":\"Nguyễn Văn An\",\"nguoi_yeu_cau_noi_cu_tru\":\"Thôn 3, xã Kiến Hưng, thành phố Hải Phòng\",\"nguoi_yeu_cau_giay_to_tuy_than\":\"Căn cước số 031099001234, Bộ Công an cấp ngày 10/01/2022\",\"quan_he\":\"Cha\",\"ho_ten\":\"Nguyễn Minh Khôi\",\"ngay_sinh_bang_chu\":\"Ngày một tháng một năm hai nghìn không trăm hai mươi sáu\",\"dan_toc\":\"Kinh\",\"quoc_tich\":\"Việt Nam\",\"noi_sinh\":\"Bệnh viện Phụ sản Hải Phòng\",\"que_quan\":\"xã Kiến Hưng, thành phố Hải Phòng\",\"me_ho_ten\":\"Trần Thị Bình\",\"me_dan_toc\":\"Kinh\",\"me_quoc_tich\":\"Việt Nam\",\"me_noi_cu_tru\":\"Thôn 3, xã Kiến Hưng, thành phố Hải Phòng\",\"ngay_sinh\":\"2026-01-01\",\"gioi_tinh\":\"Nam\"}"

static const demo_officer commune_officers[] = {
	{"thu.nt", "Nguyễn Thị Thu", KT_CENTRE, DVC_ROLE_RECEPTION,
	 "reception, Public Administration Service Centre of xã Kiến Thụy"},
	{"minh.lv", "Lê Văn Minh", KT_PC, DVC_ROLE_SPECIALIST, "justice and civil-status officer of the commune"},
	{"quang.pv", "Phạm Văn Quang", KT_PC, DVC_ROLE_SIGNING_LEADER,
	 "chairman of the commune People's Committee, signs"},
};

/* Move the simulated clock to a local day and time and say what happens. */
static int when_on(demo *d, dvc_date date, int hour, int minute, const char *what)
{
	if (dvc_time_from_local(date, hour, minute, 0, &d->now) != DVC_OK)
		return cli_fail_lib("clock");
	printf("\n[%s %04d-%02d-%02d %02d:%02d] %s\n", weekday(date.year, date.month, date.day),
	       date.year, date.month, date.day, hour, minute, what);
	return 0;
}

static int print_cutover(dvc_cutover_report *r)
{
	size_t n = dvc_cutover_report_count(r);
	cli_print_cutover_moves(r, "  ");
	printf("  %zu moved, %zu not moved\n", dvc_cutover_report_moved(r), n - dvc_cutover_report_moved(r));
	return 0;
}

static int reform_story(demo *d, const char *datadir)
{
	const dvc_actor desk = {DVC_ACTOR_OFFICER, "hoa.lt", NULL};
	const dvc_actor centre = {DVC_ACTOR_OFFICER, "thu.nt", NULL};
	const dvc_actor officer = {DVC_ACTOR_OFFICER, "minh.lv", NULL};
	const dvc_actor chairman = {DVC_ACTOR_OFFICER, "quang.pv", NULL};
	dvc_import_stats st = DVC_IMPORT_STATS_INIT;
	dvc_cutover_report *rep;
	dvc_receipt e = DVC_RECEIPT_INIT;
	dvc_agency *a;
	char path[4096];
	int rc;

	if (when_on(d, (dvc_date){2025, 6, 16}, 9, 0,
		    "June 2025: the two-tier reform is three weeks away; the city publishes its new map"))
		return 1;
	snprintf(path, sizeof path, "%s/catalog/hai-phong-2025.json", datadir);
	printf("$ dvc catalog import %s\n", path);
	if (dvc_catalog_import_file(d->db, path, DVC_FORMAT_AUTO, &st) != DVC_OK)
		return cli_fail_lib(path);
	printf("  %zu agencies, %zu procedures with a version from 2025-07-01\n", st.agencies,
	       st.versions_added);
	printf("$ dvc agency show %s\n", PC);
	if (dvc_agency_get(d->db, PC, &a) != DVC_OK)
		return cli_fail_lib(PC);
	printf("  %s, in force until %04d-%02d-%02d, %zu successors (%s, from %04d-%02d-%02d)\n", a->name,
	       a->valid_to.year, a->valid_to.month, a->valid_to.day, a->n_successors,
	       a->n_successors ? a->successors[0].act : "-",
	       a->n_successors ? a->successors[0].date.year : 0,
	       a->n_successors ? a->successors[0].date.month : 0,
	       a->n_successors ? a->successors[0].date.day : 0);
	dvc_agency_free(a);

	if (when_on(d, (dvc_date){2025, 6, 16}, 9, 30,
		    "Mr An lodges dossier D at the district; the desk receives it and sends it on") ||
	    submit(d, NULL, &an, &e) ||
	    act(d, e.code, DVC_ACT_RECEIVE, desk, NULL, NULL, 0, 0) ||
	    act(d, e.code, DVC_ACT_FORWARD, desk, NULL, NULL, 0, 0))
		return 1;

	printf("\n# officers of the new xã Kiến Thụy (its centre and its People's Committee)\n");
	for (size_t i = 0; i < sizeof commune_officers / sizeof commune_officers[0]; i++) {
		rc = dvc_officer_add(d->db, commune_officers[i].username, commune_officers[i].name,
				     commune_officers[i].unit, commune_officers[i].role);
		printf("$ dvc officer add %s --name \"%s\" --unit %s --role %s   (%s)\n",
		       commune_officers[i].username, commune_officers[i].name, commune_officers[i].unit,
		       dvc_role_name(commune_officers[i].role), commune_officers[i].what);
		if (rc != DVC_OK && rc != DVC_EEXISTS)
			return cli_fail_lib(commune_officers[i].username);
	}

	if (when_on(d, (dvc_date){2025, 7, 1}, 7, 30,
		    "1 July 2025: the district is abolished; its open dossiers move to the communes"))
		return 1;
	printf("$ dvc agency cutover\n");
	if (dvc_agency_cutover(d->db, NULL, &rep) != DVC_OK)
		return cli_fail_lib("cutover");
	print_cutover(rep);
	dvc_cutover_report_free(rep);
	printf("$ dvc agency cutover   (again: nothing left to move)\n");
	if (dvc_agency_cutover(d->db, NULL, &rep) != DVC_OK)
		return cli_fail_lib("cutover");
	print_cutover(rep);
	dvc_cutover_report_free(rep);

	if (when_on(d, (dvc_date){2025, 7, 1}, 9, 0,
		    "the commune's officer finishes dossier D; the chairman signs; the centre returns it") ||
	    act(d, e.code, DVC_ACT_FORWARD, officer, NULL, NULL, 0, 0) ||
	    act(d, e.code, DVC_ACT_FORWARD, chairman, NULL, NULL, 0, 0) ||
	    act(d, e.code, DVC_ACT_RETURN, centre, NULL, NULL, 0, DVC_DELIVERY_COUNTER))
		return 1;
	return 0;
}

/* The last chapter runs on the real clock: whatever today is (a weekend, a
 * year without an announced holiday schedule), a birth is registered at the
 * commune. */
static int today_story(demo *d)
{
	const dvc_actor centre = {DVC_ACTOR_OFFICER, "thu.nt", NULL};
	const dvc_actor officer = {DVC_ACTOR_OFFICER, "minh.lv", NULL};
	const dvc_actor chairman = {DVC_ACTOR_OFFICER, "quang.pv", NULL};
	static const dvc_applicant mai = {
		"Đỗ Thị Mai", "031195007788", "1995-09-20",
		"Thôn Đoàn Xá, xã Kiến Thụy, thành phố Hải Phòng", "0904 112 233", NULL};
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt f = DVC_RECEIPT_INIT;
	dvc_actor anon = {DVC_ACTOR_ANONYMOUS, NULL, NULL};
	dvc_time now;
	char at[DVC_TIME_FORMAT_SIZE];

	dvc_set_clock(d->db, NULL, NULL); /* the system clock from here on */
	if (dvc_now(d->db, &now) != DVC_OK)
		return cli_fail_lib("clock");
	cli_time_str(now, at);
	printf("\n[today, %s] Ms Mai registers her baby's birth at the centre of xã Kiến Thụy\n", at);
	s.procedure = BIRTH;
	s.applicant = &mai;
	s.channel = DVC_CHANNEL_COUNTER;
	s.officer = "thu.nt";
	s.desk = KT_CENTRE;
	s.form_data = BIRTH_FORM;
	printf("$ dvc dossier submit %s --channel counter --officer thu.nt --desk %s --name \"%s\" "
	       "--citizen-id %s --birth-date %s --address \"%s\" --phone \"%s\"\n",
	       BIRTH, KT_CENTRE, mai.full_name, mai.citizen_id, mai.birth_date, mai.address, mai.phone);
	if (dvc_dossier_submit(d->db, &s, &f) != DVC_OK)
		return cli_fail_lib(BIRTH);
	printf("  dossier %s submitted\n", f.code);
	anon.secret = f.secret;
	if (act(d, f.code, DVC_ACT_RECEIVE, centre, NULL, NULL, 0, 0) ||
	    act(d, f.code, DVC_ACT_FORWARD, centre, NULL, NULL, 0, 0) ||
	    act(d, f.code, DVC_ACT_FORWARD, officer, NULL, NULL, 0, 0) ||
	    act(d, f.code, DVC_ACT_FORWARD, chairman, NULL, NULL, 0, 0) ||
	    act(d, f.code, DVC_ACT_RETURN, centre, NULL, NULL, 0, DVC_DELIVERY_COUNTER))
		return 1;
	putchar('\n');
	return track_as(d, f.code, &anon);
}

int cmd_demo(dvc_cli *cli, int argc, char **argv)
{
	char datadir[CLI_DATA_DIR_MAX];
	const dvc_actor desk = {DVC_ACTOR_OFFICER, "hoa.lt", NULL};
	const dvc_actor specialist = {DVC_ACTOR_OFFICER, "nam.tv", NULL};
	const dvc_actor head = {DVC_ACTOR_OFFICER, "lan.pt", NULL};
	const dvc_actor signer = {DVC_ACTOR_OFFICER, "hung.nd", NULL};
	const dvc_actor account = {DVC_ACTOR_ACCOUNT, "binh.tt", NULL};
	dvc_actor anon = {DVC_ACTOR_ANONYMOUS, NULL, NULL};
	dvc_receipt a = DVC_RECEIPT_INIT, b = DVC_RECEIPT_INIT;
	dvc_procedure *p;
	dvc_dossier_filter late = DVC_DOSSIER_FILTER_INIT;
	dvc_dossier_list *l;
	dvc_time new_due;
	size_t n;
	demo d = {NULL, 0};

	if (argc > 2)
		return cli_fail("usage: dvc demo [DATA-DIR]");
	if (cli_no_json(cli, "demo"))
		return 1;
	/* the story runs on its own clock, from Monday 2 July 2018 08:00 */
	if (cli->now)
		return cli_fail("demo runs on its own simulated clock (from 2018-07-02T08:00:00+07:00, "
				"moving with the story): --now does not apply to it");
	if (cli_data_dir(argc > 1 ? argv[1] : NULL, datadir, sizeof datadir))
		return 1;
	if (!(d.db = cli_db(cli)))
		return 1;
	dvc_set_clock(d.db, demo_clock, &d);
	printf("libdvc %s — Kiến Thụy district, Hải Phòng, from 1 July 2018\n", dvc_version());
	if (when(&d, 2, 8, 0, "Monday morning: the portal opens for the district"))
		return 1;
	if (catalog_tour(d.db, datadir) || people(&d))
		return 1;

	if (dvc_procedure_get(d.db, PROC, NULL, &p) != DVC_OK)
		return cli_fail_lib(PROC);
	printf("\n# the procedure: %s, level %d, %d working days, at Phòng Tư pháp; no route of\n"
	       "# its own, so the default one: desk at the People's Committee (10%%), specialist\n"
	       "# at Phòng Tư pháp (70%%), signing leader at the People's Committee (20%%)\n"
	       "  %s\n", p->code, p->online_level, p->deadline_value, p->name);
	dvc_procedure_free(p);

	if (when(&d, 2, 8, 10, "Mr An, without an account, submits online (dossier A)") ||
	    submit(&d, NULL, &an, &a))
		return 1;
	anon.secret = a.secret;
	if (when(&d, 2, 8, 25, "Ms Bình submits with her account (dossier B): her profile fills the applicant") ||
	    submit(&d, "binh.tt", NULL, &b))
		return 1;

	if (when(&d, 2, 8, 40, "the desk checks dossier A, finds it complete and receives it") ||
	    act(&d, a.code, DVC_ACT_RECEIVE, desk, NULL, NULL, 0, 0) ||
	    when(&d, 2, 8, 55, "the desk receives dossier B") ||
	    act(&d, b.code, DVC_ACT_RECEIVE, desk, NULL, NULL, 0, 0) ||
	    when(&d, 2, 9, 10, "both go to Phòng Tư pháp") ||
	    act(&d, a.code, DVC_ACT_FORWARD, desk, NULL, NULL, 0, 0) ||
	    act(&d, b.code, DVC_ACT_FORWARD, desk, NULL, NULL, 0, 0) ||
	    when(&d, 2, 9, 30, "the head of Phòng Tư pháp hands dossier A to a specialist") ||
	    act(&d, a.code, DVC_ACT_ASSIGN, head, NULL, "nam.tv", 0, 0) ||
	    when(&d, 2, 14, 0, "the specialist asks, once and completely, for what is missing") ||
	    act(&d, a.code, DVC_ACT_REQUEST_SUPPLEMENT, specialist,
		"Đề nghị bổ sung: (1) bản sao Giấy khai sinh của người cần cải chính hộ tịch; "
		"(2) giấy tờ chứng minh nội dung cần cải chính (học bạ hoặc bằng tốt nghiệp).",
		NULL, 0, 0) ||
	    when(&d, 3, 10, 0, "dossier B is checked and goes up for signature") ||
	    act(&d, b.code, DVC_ACT_FORWARD, specialist, NULL, NULL, 0, 0) ||
	    when(&d, 3, 11, 0, "Mr An checks his dossier online with its code and secret") ||
	    track_as(&d, a.code, &anon) ||
	    when(&d, 4, 9, 0, "Mr An supplies the documents; the clock resumes with the time left") ||
	    act(&d, a.code, DVC_ACT_SUPPLY, anon, NULL, NULL, 0, 0) ||
	    when(&d, 4, 14, 30, "the specialist finishes dossier A") ||
	    act(&d, a.code, DVC_ACT_FORWARD, specialist, NULL, NULL, 0, 0) ||
	    when(&d, 5, 8, 30, "the leader signs dossier A; the result goes back to the desk") ||
	    act(&d, a.code, DVC_ACT_FORWARD, signer, NULL, NULL, 0, 0) ||
	    when(&d, 5, 9, 0, "Mr An collects his result at the desk") ||
	    act(&d, a.code, DVC_ACT_RETURN, desk, NULL, NULL, 0, DVC_DELIVERY_COUNTER) ||
	    when(&d, 5, 10, 0, "dossier B waited for the leader, who was away: it is late"))
		return 1;

	late.overdue = 1;
	printf("$ dvc dossier list --overdue\n");
	if (dvc_dossier_find(d.db, &late, &l) != DVC_OK)
		return cli_fail_lib("list");
	for (size_t i = 0; i < dvc_dossier_list_count(l); i++) {
		const dvc_dossier_row *r = dvc_dossier_list_at(l, i);
		char due[DVC_TIME_FORMAT_SIZE];
		cli_time_str(r->due_at, due);
		printf("  %s %s %s due %s\n", r->code, dvc_state_name(r->state),
		       r->unit ? r->unit : "-", due);
	}
	dvc_dossier_list_free(l);

	{
		dvc_date fri = {2018, 7, 6};
		if (dvc_time_from_local(fri, 16, 0, 0, &new_due) != DVC_OK)
			return cli_fail_lib("clock");
	}
	if (act(&d, b.code, DVC_ACT_RESCHEDULE, signer,
		"Xin lỗi bà vì hồ sơ giải quyết chậm do lãnh đạo đi công tác; hẹn lại ngày trả kết quả.",
		NULL, new_due, 0) ||
	    when(&d, 5, 10, 30, "the leader signs dossier B") ||
	    act(&d, b.code, DVC_ACT_FORWARD, signer, NULL, NULL, 0, 0) ||
	    when(&d, 6, 8, 30, "the desk posts Ms Bình's result") ||
	    act(&d, b.code, DVC_ACT_RETURN, desk, NULL, NULL, 0, DVC_DELIVERY_POST))
		return 1;

	if (level4_story(&d, datadir, cli->db_path) ||
	    when(&d, 6, 15, 0, "Mr An rates dossier A with its code and secret") ||
	    rate(&d, a.code, anon, "--secret ...", 3, 3,
		 "Phải bổ sung giấy tờ một lần; cán bộ hướng dẫn rõ ràng"))
		return 1;

	printf("\n# what the applicants see at the end\n");
	if (track_as(&d, a.code, &anon))
		return 1;
	putchar('\n');
	if (track_as(&d, b.code, &account))
		return 1;

	if (reform_story(&d, datadir) || today_story(&d))
		return 1;

	if (index_satisfaction(&d))
		return 1;
	printf("\n$ dvc dossier verify\n");
	if (dvc_dossier_verify(d.db, NULL, &n) != DVC_OK)
		return cli_fail_lib("verify");
	printf("%zu dossier%s verified, journal chains intact\n", n, n == 1 ? "" : "s");
	return 0;
}
