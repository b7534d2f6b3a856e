/*
 * libdvc — the applicant's rating of the service (đánh giá mức độ hài lòng).
 *
 * After a dossier is returned, its applicant (the owning account, or anyone
 * holding the dossier code and its tracking secret) rates the service once,
 * scoring criteria from 1 (very dissatisfied) to 5 (very satisfied), with an
 * optional comment. Officers cannot rate. The rating is stored and journaled
 * (its digest goes in the dossier's chain); the service index's satisfaction
 * group (report.h) counts it.
 *
 * The criteria are those of the per-dossier satisfaction form published by
 * one-stop portals for the satisfaction group of Decision 766/QĐ-TTg (see
 * docs/report.md for the source and what is unconfirmed).
 */
#ifndef DVC_RATING_H
#define DVC_RATING_H

#include "dvc/common.h"
#include "dvc/dossier.h"
#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What is rated. DVC_CRIT_OVERALL is required in every rating; the rest are optional. */
typedef enum dvc_rating_criterion {
	DVC_CRIT_OVERALL = 0,     /**< Đánh giá tổng thể dịch vụ */
	DVC_CRIT_CONVENIENCE = 1, /**< Mức độ thuận tiện khi sử dụng dịch vụ */
	DVC_CRIT_TIMELINESS = 2,  /**< Mức độ đúng hạn trong xử lý, trả kết quả */
	DVC_CRIT_ATTITUDE = 3,    /**< Thái độ của cán bộ, công chức, viên chức */
	DVC_CRIT_LEGAL_TIME = 4,  /**< Thời gian giải quyết so với thời gian cho phép */
	DVC_CRIT_STEP_TIME = 5,   /**< Thời gian thực hiện giải quyết so với quy định */
	DVC_CRIT_CONTACTS = 6,    /**< Số lần phải liên hệ để hoàn thiện hồ sơ */
	DVC_CRIT_AGENCIES = 7,    /**< Số cơ quan, đơn vị phải liên hệ */
	DVC_CRIT_ONE_STOP = 8,    /**< Tiếp nhận, giải quyết, trả kết quả tại Bộ phận Một cửa */
	DVC_CRIT_PUBLICITY = 9,   /**< Mức độ công khai thủ tục hành chính */
	DVC_CRIT_FEEDBACK = 10,   /**< Tiếp thu, giải trình ý kiến phản ánh, kiến nghị */
	DVC_CRIT_ONLINE = 11      /**< Tiến độ, chất lượng dịch vụ công trực tuyến */
} dvc_rating_criterion;

/** Number of criteria (the length of the score arrays below). */
#define DVC_RATING_CRITERIA 12
/** Scores run from MIN to MAX; 0 in a request means "not rated". */
#define DVC_RATING_SCORE_MIN 1
#define DVC_RATING_SCORE_MAX 5
/** A score at or above this counts as satisfied (hài lòng, rất hài lòng). */
#define DVC_RATING_SATISFIED 4
/** Bytes in a comment, the NUL not counted. */
#define DVC_RATING_COMMENT_MAX 2000

/** English names ("overall", "attitude"...), Vietnamese labels, parsing (DVC_EINVAL with the list). */
DVC_API const char *dvc_rating_criterion_name(dvc_rating_criterion c);
DVC_API const char *dvc_rating_criterion_label_vi(dvc_rating_criterion c);
DVC_API int dvc_rating_criterion_parse(const char *name, dvc_rating_criterion *out);

/** A rating as given. Initialise with DVC_RATING_REQ_INIT. */
typedef struct dvc_rating_req {
	unsigned int version;
	dvc_actor actor;      /**< the owning account, or anonymous with the tracking secret */
	const char *client;   /**< the caller's address for anonymous throttling, or NULL */
	int scores[DVC_RATING_CRITERIA]; /**< by dvc_rating_criterion; 0 = not rated */
	const char *comment;  /**< optional: valid UTF-8, at most DVC_RATING_COMMENT_MAX bytes; stored in NFC */
} dvc_rating_req;

#define DVC_RATING_REQ_VERSION 1
#define DVC_RATING_REQ_INIT {DVC_RATING_REQ_VERSION, {DVC_ACTOR_ANONYMOUS, NULL, NULL}, NULL, {0}, NULL}

/**
 * Rate a returned dossier. Nothing is stored on error:
 * DVC_ETRANSITION before the dossier is returned; DVC_EPERM for an officer
 * or another account; DVC_EAUTH for a wrong secret (throttled like
 * tracking); DVC_EEXISTS when the dossier was rated already; DVC_ERANGE for
 * a score outside 1..5 (or no overall score); DVC_ETOOBIG for a comment over
 * DVC_RATING_COMMENT_MAX bytes; DVC_EINVAL for a comment that is not UTF-8.
 */
DVC_API int dvc_dossier_rate(dvc_db *db, const char *code, const dvc_rating_req *r);

/** A stored rating. */
typedef struct dvc_rating {
	unsigned int version;
	dvc_time at;
	int scores[DVC_RATING_CRITERIA]; /**< 0 = not rated */
	const char *comment;             /**< "" when none; owned by the rating */
} dvc_rating;

/**
 * The rating of a dossier, for its applicant (as dvc_dossier_rate) or any
 * officer. DVC_ENOTFOUND when it has not been rated. Free with dvc_rating_free().
 */
DVC_API int dvc_dossier_rating_get(dvc_db *db, const char *code, const dvc_actor *who,
				   dvc_rating **out);
/** dvc_dossier_rating_get() with the caller's client key for the
 * tracking-secret throttle (NULL: the unknown client), as tracking takes it. */
DVC_API int dvc_dossier_rating_get_from(dvc_db *db, const char *code, const dvc_actor *who,
					const dvc_caller *from, dvc_rating **out);
DVC_API void dvc_rating_free(dvc_rating *r);

#ifdef __cplusplus
}
#endif
#endif
