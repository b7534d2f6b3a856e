/* The applicant's rating of the service (đánh giá mức độ hài lòng). */
#include "dvc/rating.h"
#include "dossier_internal.h"
#include "text.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char *const criterion_names[] = {
	"overall", "convenience", "timeliness", "attitude", "legal_time", "step_time",
	"contacts", "agencies", "one_stop", "publicity", "feedback", "online"};
static const char *const criterion_labels_vi[] = {
	"Đánh giá tổng thể dịch vụ",
	"Mức độ thuận tiện khi sử dụng dịch vụ",
	"Mức độ đúng hạn trong xử lý, trả kết quả",
	"Thái độ của cán bộ, công chức, viên chức",
	"Thời gian giải quyết so với thời gian cho phép theo quy định",
	"Thời gian thực hiện giải quyết so với quy định",
	"Số lần phải liên hệ với nơi tiếp nhận để hoàn thiện hồ sơ",
	"Số lượng cơ quan, đơn vị phải liên hệ để hoàn thiện hồ sơ",
	"Tiếp nhận, giải quyết, trả kết quả tại Bộ phận Một cửa",
	"Mức độ công khai thủ tục hành chính",
	"Tiếp thu, giải trình ý kiến phản ánh, kiến nghị",
	"Tiến độ và chất lượng cung cấp dịch vụ công trực tuyến"};
_Static_assert(DVC_ARRAY_LEN(criterion_names) == DVC_RATING_CRITERIA, "one name per criterion");
_Static_assert(DVC_ARRAY_LEN(criterion_labels_vi) == DVC_RATING_CRITERIA, "one label per criterion");

DVC__ENUM_NAMES(rating_criterion, dvc_rating_criterion, criterion_names, "rating criterion")

const char *dvc_rating_criterion_label_vi(dvc_rating_criterion c)
{
	return (unsigned)c < DVC_RATING_CRITERIA ? criterion_labels_vi[c] : "?";
}

static int check_req(const dvc_rating_req *r)
{
	if (r->version != DVC_RATING_REQ_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "unsupported dvc_rating_req version %u", r->version);
	if (r->actor.kind == DVC_ACTOR_OFFICER)
		return dvc__err(DVC_EPERM, "actor", "only the applicant rates the service, not an officer");
	for (int i = 0; i < DVC_RATING_CRITERIA; i++)
		if (r->scores[i] &&
		    (r->scores[i] < DVC_RATING_SCORE_MIN || r->scores[i] > DVC_RATING_SCORE_MAX))
			return dvc__err(DVC_ERANGE, criterion_names[i], "score %d for %s is outside %d..%d",
					r->scores[i], criterion_names[i], DVC_RATING_SCORE_MIN,
					DVC_RATING_SCORE_MAX);
	if (!r->scores[DVC_CRIT_OVERALL])
		return dvc__err(DVC_ERANGE, "overall", "a rating scores at least the overall service (%d..%d)",
				DVC_RATING_SCORE_MIN, DVC_RATING_SCORE_MAX);
	if (r->comment) {
		size_t n = strlen(r->comment);
		if (n > DVC_RATING_COMMENT_MAX)
			return dvc__err(DVC_ETOOBIG, "comment", "the comment has %zu bytes; at most %d",
					n, DVC_RATING_COMMENT_MAX);
		if (!dvc__utf8_valid(r->comment, n))
			return dvc__err(DVC_EINVAL, "comment", "the comment is not valid UTF-8");
	}
	return DVC_OK;
}

static int rate(dvc_db *db, const char *code, const dvc_rating_req *r, const char *comment,
		int *bad_secret)
{
	dvc__dossier d;
	dvc__who w;
	dvc_buf payload = DVC_BUF_INIT, note = DVC_BUF_INIT;
	dvc_time now;
	int rc;
	if ((rc = dvc__dossier_open(db, code, &r->actor, &d, &w, bad_secret)) != DVC_OK)
		return rc;
	if (w.is_officer || !w.owner)
		return dvc__err(DVC_EPERM, "actor", "only the applicant of %s rates its service", d.code);
	if (d.state != DVC_STATE_RETURNED)
		return dvc__err(DVC_ETRANSITION, "code", "dossier %s is %s: the service is rated after "
				"the result is returned", d.code, dvc_state_name(d.state));
	if ((rc = dvc__store_rating_exists(db, d.id)) != 0)
		return rc < 0 ? rc : dvc__err(DVC_EEXISTS, "code", "dossier %s was rated already", d.code);
	if ((rc = dvc__now(db, &now)) != DVC_OK ||
	    (rc = dvc__store_rating_insert(db, d.id, now, r->scores, DVC_RATING_CRITERIA, comment)) != DVC_OK)
		return rc;
	/* The chain covers every score and the comment; the note stays short. */
	for (int i = 0; i < DVC_RATING_CRITERIA; i++)
		if (r->scores[i])
			dvc_buf_printf(&payload, "%s=%d\n", criterion_names[i], r->scores[i]);
	dvc_buf_printf(&payload, "comment=%s", comment ? comment : "");
	dvc_buf_printf(&note, "Đánh giá mức độ hài lòng: tổng thể %d/%d", r->scores[DVC_CRIT_OVERALL],
		       DVC_RATING_SCORE_MAX);
	if (payload.oom || note.oom)
		rc = dvc__oom();
	else
		rc = dvc__dossier_record(db, &d, w.label, DVC_ACT_RATE, note.ptr, payload.ptr);
	dvc_buf_free(&payload);
	dvc_buf_free(&note);
	return rc;
}

int dvc_dossier_rate(dvc_db *db, const char *code, const dvc_rating_req *r)
{
	dvc__guesser g;
	dvc_buf nfc = DVC_BUF_INIT;
	int rc, bad_secret = 0, anonymous;
	if (!db || !code || !r)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_rate needs a store, a code and a rating");
	if ((rc = check_req(r)) != DVC_OK)
		return rc;
	if (r->comment && *r->comment) {
		dvc__nfc(r->comment, strlen(r->comment), &nfc);
		if (nfc.oom) {
			dvc_buf_free(&nfc);
			return dvc__oom();
		}
	}
	if (sodium_init() < 0) {
		dvc_buf_free(&nfc);
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	}
	anonymous = r->actor.kind == DVC_ACTOR_ANONYMOUS;
	if (anonymous && (rc = dvc__anon_check(db, &g, r->client, code, r->actor.secret)) != DVC_OK) {
		dvc_buf_free(&nfc);
		return rc;
	}
	DVC__WRITE(db, rc, rate(db, code, r, nfc.ptr, &bad_secret));
	dvc_buf_free(&nfc);
	if (bad_secret)
		return dvc__anon_failed(db, &g);
	if (rc == DVC_OK && anonymous)
		dvc__anon_ok(db, &g);
	return rc;
}

static int get(dvc_db *db, const char *code, const dvc_actor *who, dvc_rating *out,
	       dvc_buf *comment, int *bad_secret)
{
	dvc__dossier d;
	dvc__who w;
	int rc;
	if ((rc = dvc__dossier_open(db, code, who, &d, &w, bad_secret)) != DVC_OK)
		return rc;
	if (!w.is_officer && !w.owner)
		return dvc__err(DVC_EPERM, "actor", "only the applicant of %s or an officer reads its rating",
				d.code);
	if ((rc = dvc__store_rating_get(db, d.id, &out->at, out->scores, DVC_RATING_CRITERIA, comment)) < 0)
		return rc;
	return rc ? DVC_OK : dvc__err(DVC_ENOTFOUND, "code", "dossier %s has not been rated", d.code);
}

int dvc_dossier_rating_get(dvc_db *db, const char *code, const dvc_actor *who, dvc_rating **out)
{
	return dvc_dossier_rating_get_from(db, code, who, NULL, out);
}

int dvc_dossier_rating_get_from(dvc_db *db, const char *code, const dvc_actor *who,
				const dvc_caller *from, dvc_rating **out)
{
	dvc__guesser g;
	dvc_buf comment = DVC_BUF_INIT;
	dvc_rating got, *r;
	int rc, bad_secret = 0;
	if (!db || !code || !who || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_rating_get needs a store, a code, who asks and an out pointer");
	if ((rc = dvc__caller_check(db, &g, code, who, from)) != DVC_OK)
		return rc;
	memset(&got, 0, sizeof got);
	if ((rc = dvc__read_begin(db)) == DVC_OK) {
		rc = get(db, code, who, &got, &comment, &bad_secret);
		dvc__read_end(db);
	}
	if (bad_secret) {
		dvc_buf_free(&comment);
		return dvc__anon_failed(db, &g);
	}
	/* one block: the comment follows the struct */
	if (rc == DVC_OK && !(r = dvc__calloc(1, sizeof *r + comment.len + 1)))
		rc = dvc__oom();
	if (rc != DVC_OK) {
		dvc_buf_free(&comment);
		return rc;
	}
	*r = got;
	r->version = 1;
	if (comment.len)
		memcpy(r + 1, comment.ptr, comment.len);
	r->comment = (const char *)(r + 1);
	dvc_buf_free(&comment);
	if (who->kind == DVC_ACTOR_ANONYMOUS)
		dvc__anon_ok(db, &g);
	*out = r;
	return DVC_OK;
}

void dvc_rating_free(dvc_rating *r)
{
	dvc__free(r);
}
