/* Ratings: the applicant alone rates a returned dossier once, on the
 * satisfaction criteria, with an optional comment; every refusal stores
 * nothing; the rating is journaled and the chain stays valid. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DESK "000.00.30.H24"
#define P3 "T.000003"

static dvc_db *db;

static const dvc_applicant citizen = {
	"Nguyễn Văn An", "031099001234", "1999-05-12", "Thôn 3, xã Thụy Hương", "0912345678", NULL};
static const dvc_applicant other = {
	"Trần Thị Bình", "031190005678", "1990-01-02", "Thôn 1, xã Kiến Quốc", "0912000111", NULL};

static int act(const char *code, dvc_action a, const char *officer)
{
	return officer_act(db, code, a, officer, NULL, 0);
}

static dvc_receipt submit(const char *account)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT;
	s.procedure = P3;
	s.account = account;
	s.applicant = account ? NULL : &citizen;
	s.form_data = "{\"purpose\":\"Thống kê\",\"copies\":1}";
	ck_ok(dvc_dossier_submit(db, &s, &r));
	return r;
}

static void to_result(const char *code)
{
	ck_ok(act(code, DVC_ACT_RECEIVE, "le.tiep.nhan"));
	ck_ok(act(code, DVC_ACT_FORWARD, "le.tiep.nhan"));
	ck_ok(act(code, DVC_ACT_FORWARD, "tran.chuyen.vien"));
	ck_ok(act(code, DVC_ACT_FORWARD, "nguyen.truong.phong"));
	ck_ok(act(code, DVC_ACT_FORWARD, "hoang.lanh.dao"));
}

static void setup(void)
{
	ck_ok(dvc_open(&db, store_at(":memory:"), NULL));
	dvc_set_clock(db, test_clock, NULL);
	clock_now = instant("2026-03-02T09:00:00+07:00");
	ck_ok(dvc_catalog_import_file(db, src_path("tests/data/dossier_catalog.json"), DVC_FORMAT_AUTO, NULL));
	ck_ok(dvc_officer_add(db, "le.tiep.nhan", "Lê Tiếp Nhận", DESK, DVC_ROLE_RECEPTION));
	ck_ok(dvc_officer_add(db, "tran.chuyen.vien", "Trần Chuyên Viên", "000.01.30.H24", DVC_ROLE_SPECIALIST));
	ck_ok(dvc_officer_add(db, "nguyen.truong.phong", "Nguyễn Trưởng Phòng", "000.01.30.H24", DVC_ROLE_UNIT_LEADER));
	ck_ok(dvc_officer_add(db, "hoang.lanh.dao", "Hoàng Lãnh Đạo", DESK, DVC_ROLE_SIGNING_LEADER));
	ck_ok(dvc_account_register(db, "an.nguyen", "mat-khau-du-dai-1", &citizen));
	ck_ok(dvc_account_register(db, "binh.tran", "mat-khau-du-dai-2", &other));
}

static void teardown(void) { dvc_close(db); }

static int not_rated(const char *code)
{
	dvc_rating *g = NULL;
	dvc_actor o = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	int rc = dvc_dossier_rating_get(db, code, &o, &g);
	dvc_rating_free(g);
	return rc == DVC_ENOTFOUND;
}

static int64_t journal_len(const char *code)
{
	dvc_actor o = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	dvc_tracking *t;
	int64_t n;
	ck_ok(dvc_dossier_track(db, code, &o, &t));
	n = (int64_t)t->n_history;
	dvc_tracking_free(t);
	return n;
}

START_TEST(applicant_rates_a_returned_dossier_once)
{
	dvc_receipt r = submit(NULL);
	dvc_rating_req q = DVC_RATING_REQ_INIT;
	dvc_rating *g;
	dvc_tracking *t;
	dvc_actor me = {DVC_ACTOR_ANONYMOUS, NULL, r.secret};
	/* "Cán bộ nhiệt tình" with a decomposed "á" and "ộ": stored composed (NFC) */
	const char *decomposed = "Ca\xcc\x81n bo\xcc\xa3\xcc\x82 nhi\xe1\xbb\x87t ti\xcc\x80nh";

	q.actor = me;
	q.scores[DVC_CRIT_OVERALL] = 5;
	q.scores[DVC_CRIT_ATTITUDE] = 4;
	q.comment = decomposed;
	ck_dvc(dvc_dossier_rate(db, r.code, &q), DVC_ETRANSITION); /* submitted, not returned */
	to_result(r.code);
	ck_dvc(dvc_dossier_rate(db, r.code, &q), DVC_ETRANSITION); /* result ready, not handed over */
	ck_ok(act(r.code, DVC_ACT_RETURN, "le.tiep.nhan"));
	ck_assert(not_rated(r.code));

	clock_now = instant("2026-03-09T10:00:00+07:00");
	ck_ok(dvc_dossier_rate(db, r.code, &q));
	ck_dvc(dvc_dossier_rate(db, r.code, &q), DVC_EEXISTS);
	q.scores[DVC_CRIT_OVERALL] = 1; /* a second, different opinion is refused too */
	ck_dvc(dvc_dossier_rate(db, r.code, &q), DVC_EEXISTS);

	ck_ok(dvc_dossier_rating_get(db, r.code, &me, &g));
	ck_assert_int_eq(g->at, instant("2026-03-09T10:00:00+07:00"));
	ck_assert_int_eq(g->scores[DVC_CRIT_OVERALL], 5);
	ck_assert_int_eq(g->scores[DVC_CRIT_ATTITUDE], 4);
	ck_assert_int_eq(g->scores[DVC_CRIT_ONLINE], 0);
	ck_assert_str_eq(g->comment, "Cán bộ nhiệt tình");
	dvc_rating_free(g);

	/* journaled once, by the applicant, and the chain still verifies */
	ck_ok(dvc_dossier_track(db, r.code, &me, &t));
	ck_assert_int_eq(t->history[t->n_history - 1].action, DVC_ACT_RATE);
	ck_assert_ptr_nonnull(strstr(t->history[t->n_history - 1].note, "5/5"));
	ck_assert_int_eq(t->history[t->n_history - 2].action, DVC_ACT_RETURN);
	dvc_tracking_free(t);
	ck_ok(dvc_dossier_verify(db, r.code, NULL));
}
END_TEST

START_TEST(only_the_applicant_rates)
{
	dvc_receipt mine = submit("an.nguyen"), anon = submit(NULL);
	dvc_rating_req q = DVC_RATING_REQ_INIT;
	dvc_rating *g;
	int64_t n;
	to_result(mine.code);
	ck_ok(act(mine.code, DVC_ACT_RETURN, "le.tiep.nhan"));
	to_result(anon.code);
	ck_ok(act(anon.code, DVC_ACT_RETURN, "le.tiep.nhan"));
	n = journal_len(mine.code);
	q.scores[DVC_CRIT_OVERALL] = 2;

	q.actor = (dvc_actor){DVC_ACTOR_ACCOUNT, "binh.tran", NULL};
	ck_dvc(dvc_dossier_rate(db, mine.code, &q), DVC_EPERM);
	q.actor = (dvc_actor){DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	ck_dvc(dvc_dossier_rate(db, mine.code, &q), DVC_EPERM);
	q.actor = (dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, "not-the-secret"};
	ck_dvc(dvc_dossier_rate(db, anon.code, &q), DVC_EAUTH);
	q.actor = (dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, anon.secret};
	ck_dvc(dvc_dossier_rate(db, mine.code, &q), DVC_EAUTH); /* another dossier's secret */
	ck_assert(not_rated(mine.code));
	ck_assert(not_rated(anon.code));
	ck_assert_int_eq(journal_len(mine.code), n);

	q.actor = (dvc_actor){DVC_ACTOR_ACCOUNT, "an.nguyen", NULL};
	ck_ok(dvc_dossier_rate(db, mine.code, &q));
	q.actor = (dvc_actor){DVC_ACTOR_ACCOUNT, "binh.tran", NULL};
	ck_dvc(dvc_dossier_rating_get(db, mine.code, &q.actor, &g), DVC_EPERM);
	q.actor = (dvc_actor){DVC_ACTOR_OFFICER, "hoang.lanh.dao", NULL};
	ck_ok(dvc_dossier_rating_get(db, mine.code, &q.actor, &g));
	ck_assert_int_eq(g->scores[DVC_CRIT_OVERALL], 2);
	ck_assert_str_eq(g->comment, "");
	dvc_rating_free(g);
}
END_TEST

START_TEST(bad_ratings_store_nothing)
{
	dvc_receipt r = submit(NULL);
	dvc_rating_req q = DVC_RATING_REQ_INIT;
	char *long_comment;
	int64_t n;
	to_result(r.code);
	ck_ok(act(r.code, DVC_ACT_RETURN, "le.tiep.nhan"));
	n = journal_len(r.code);
	q.actor = (dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, r.secret};

	ck_dvc(dvc_dossier_rate(db, r.code, &q), DVC_ERANGE); /* no overall score */
	q.scores[DVC_CRIT_OVERALL] = 6;
	ck_dvc(dvc_dossier_rate(db, r.code, &q), DVC_ERANGE);
	q.scores[DVC_CRIT_OVERALL] = -1;
	ck_dvc(dvc_dossier_rate(db, r.code, &q), DVC_ERANGE);
	q.scores[DVC_CRIT_OVERALL] = 4;
	q.scores[DVC_CRIT_CONTACTS] = 9;
	ck_dvc(dvc_dossier_rate(db, r.code, &q), DVC_ERANGE);
	ck_assert_str_eq(dvc_error_last()->path, "contacts");
	q.scores[DVC_CRIT_CONTACTS] = 0;

	long_comment = malloc(DVC_RATING_COMMENT_MAX + 2);
	memset(long_comment, 'a', DVC_RATING_COMMENT_MAX + 1);
	long_comment[DVC_RATING_COMMENT_MAX + 1] = '\0';
	q.comment = long_comment;
	ck_dvc(dvc_dossier_rate(db, r.code, &q), DVC_ETOOBIG);
	q.comment = "T\xe1\xbb"; /* truncated UTF-8 sequence */
	ck_dvc(dvc_dossier_rate(db, r.code, &q), DVC_EINVAL);
	q.comment = "\xc0\xaf"; /* overlong encoding */
	ck_dvc(dvc_dossier_rate(db, r.code, &q), DVC_EINVAL);
	q.version = 99;
	q.comment = NULL;
	ck_dvc(dvc_dossier_rate(db, r.code, &q), DVC_EINVAL);
	q.version = DVC_RATING_REQ_VERSION;
	ck_dvc(dvc_dossier_rate(db, "000.00.30.H24-260302-9999", &q), DVC_EAUTH);
	ck_assert(not_rated(r.code));
	ck_assert_int_eq(journal_len(r.code), n);

	/* exactly the limit is accepted */
	long_comment[DVC_RATING_COMMENT_MAX] = '\0';
	q.comment = long_comment;
	ck_ok(dvc_dossier_rate(db, r.code, &q));
	ck_assert_int_eq(journal_len(r.code), n + 1);
	free(long_comment);
}
END_TEST

START_TEST(criteria_have_names_and_labels)
{
	dvc_rating_criterion c;
	ck_ok(dvc_rating_criterion_parse("attitude", &c));
	ck_assert_int_eq(c, DVC_CRIT_ATTITUDE);
	ck_assert_str_eq(dvc_rating_criterion_name(DVC_CRIT_ONLINE), "online");
	ck_assert_str_eq(dvc_rating_criterion_label_vi(DVC_CRIT_OVERALL), "Đánh giá tổng thể dịch vụ");
	ck_dvc(dvc_rating_criterion_parse("speed", &c), DVC_EINVAL);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {applicant_rates_a_returned_dossier_once, only_the_applicant_rates,
					     bad_ratings_store_nothing, criteria_have_names_and_labels, NULL};
	return run_tests("rating", setup, teardown, 0, tests);
}
