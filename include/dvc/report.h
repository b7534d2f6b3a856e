/*
 * libdvc — reports for managers: counts and rates by period and grouping,
 * time to settle, bottlenecks on route steps, the citizen-service index
 * indicators this data supports, and the tracking register as CSV.
 *
 * Reports never contain personal data: no applicant names, IDs or contacts.
 * Everything is computed in one pass over the period's dossiers per report,
 * with memory bounded whatever the number of dossiers (percentiles come from
 * fixed-size histograms; the register is streamed through a callback).
 * Working time uses the handle's calendar.
 *
 * Definitions (docs/report.md gives each formula):
 *  - a dossier belongs to the period in which it was submitted (submitted_at
 *    in [from, to)); drafts are not counted;
 *  - everything is counted as it stood at `asof` (default: now): a result
 *    or a closure after `asof` has not happened yet;
 *  - settled: its result was ready by `asof`; on time when result_at <=
 *    due_at (the appointment, moved only by stopped-clock time, never by a
 *    reschedule);
 *  - pending: neither settled nor closed by `asof`; overdue when `asof` is past
 *    the due instant (or no working time was left when the clock stopped);
 *  - days to settle: working days from intake to result (office time / one
 *    working day's office time).
 */
#ifndef DVC_REPORT_H
#define DVC_REPORT_H

#include "dvc/common.h"
#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dvc_report_group {
	DVC_GROUP_NONE = 0,      /**< one row for everything */
	DVC_GROUP_SECTOR = 1,    /**< lĩnh vực */
	DVC_GROUP_AGENCY = 2,    /**< implementing agency */
	DVC_GROUP_PROCEDURE = 3,
	DVC_GROUP_CHANNEL = 4,   /**< online / counter / post */
	DVC_GROUP_LEVEL = 5,     /**< online service level 1..4 */
	DVC_GROUP_MONTH = 6      /**< YYYY-MM of submission, Vietnam time */
} dvc_report_group;

DVC_API const char *dvc_report_group_name(dvc_report_group g);
DVC_API int dvc_report_group_parse(const char *name, dvc_report_group *out);

/** Options. Initialise with DVC_REPORT_OPTS_INIT. */
typedef struct dvc_report_opts {
	unsigned int version;
	dvc_time from;        /**< inclusive; 0 = since the beginning */
	dvc_time to;          /**< exclusive; 0 = until now */
	dvc_report_group group;
	dvc_time asof;        /**< for pending on time / overdue; 0 = the handle's now */
} dvc_report_opts;

#define DVC_REPORT_OPTS_VERSION 1
#define DVC_REPORT_OPTS_INIT {DVC_REPORT_OPTS_VERSION, 0, 0, DVC_GROUP_NONE, 0}

typedef struct dvc_report_row {
	const char *key;   /**< group key (sector code, month...), "" for DVC_GROUP_NONE */
	const char *label; /**< display name (Vietnamese) */
	int64_t received;  /**< submitted in the period (not drafts) */
	int64_t received_online, received_counter, received_post;
	int64_t settled_on_time, settled_late;
	int64_t pending_on_time, pending_overdue;
	int64_t withdrawn, rejected, cancelled;
	int64_t returned, returned_online; /**< results handed over; of which delivered online */
	int64_t fee_due_count;     /**< dossiers with a fee due */
	int64_t paid_online_count; /**< ... paid in full online */
	double online_rate;        /**< received_online / received */
	double online_payment_rate;/**< paid_online_count / fee_due_count */
	double on_time_rate;       /**< settled_on_time / (settled_on_time + settled_late) */
	double avg_days_to_settle; /**< working days, intake to result */
	double p90_days_to_settle;
} dvc_report_row;

typedef struct dvc_report dvc_report;

DVC_API int dvc_report_compute(dvc_db *db, const dvc_report_opts *opts, dvc_report **out);
DVC_API size_t dvc_report_count(const dvc_report *r);
DVC_API const dvc_report_row *dvc_report_at(const dvc_report *r, size_t i);
DVC_API void dvc_report_free(dvc_report *r);

/** Bottlenecks: dossiers waiting at each route step now. */
typedef struct dvc_bottleneck_row {
	const char *procedure; /**< procedure code */
	int step;              /**< 0-based route step */
	const char *unit;      /**< agency code holding them */
	const char *unit_name;
	const char *role;      /**< role name of the step */
	int64_t waiting;
	double median_dwell_hours; /**< working hours since entering the step */
	double max_dwell_hours;
} dvc_bottleneck_row;

typedef struct dvc_bottlenecks dvc_bottlenecks;

/** `asof` 0 = now. Rows ordered by waiting, most first. */
DVC_API int dvc_report_bottlenecks(dvc_db *db, dvc_time asof, dvc_bottlenecks **out);
DVC_API size_t dvc_bottlenecks_count(const dvc_bottlenecks *b);
DVC_API const dvc_bottleneck_row *dvc_bottlenecks_at(const dvc_bottlenecks *b, size_t i);
DVC_API void dvc_bottlenecks_free(dvc_bottlenecks *b);

/** The five groups of Decision 766/QĐ-TTg (23 June 2022), 100 points in all. */
typedef enum dvc_index_group {
	DVC_INDEX_PUBLICITY = 0,    /**< Công khai, minh bạch: 18 points */
	DVC_INDEX_PROGRESS = 1,     /**< Tiến độ, kết quả giải quyết: 20 */
	DVC_INDEX_DIGITIZATION = 2, /**< Số hóa hồ sơ: 22 */
	DVC_INDEX_ONLINE = 3,       /**< Cung cấp dịch vụ trực tuyến (online payment inside): 22 */
	DVC_INDEX_SATISFACTION = 4  /**< Mức độ hài lòng: 18 */
} dvc_index_group;
#define DVC_INDEX_GROUPS 5

/**
 * One indicator of the service index. Every indicator is listed: those the
 * stored data supports with their figures and points, the rest with
 * computable = 0 and the reason. Points are value * max_points (linear:
 * a libdvc simplification, see docs/report.md); max_points_confirmed = 0
 * where the decision's split of a group's points could not be confirmed.
 */
typedef struct dvc_index_row {
	const char *code;     /**< "progress", "online", "online_payment", "digitized_result", ... */
	const char *name;     /**< Vietnamese name of the indicator */
	const char *formula;  /**< how it is computed (or, when not computable, why not), in English */
	int64_t numerator, denominator;
	double value;         /**< numerator / denominator, 0 when the denominator is 0 */
	dvc_index_group group;
	int computable;       /**< 1 when the stored data supports it */
	double max_points;    /**< the indicator's share of its group's points */
	int max_points_confirmed; /**< 1 when that share is confirmed from the decision */
	double points;        /**< value * max_points; 0 when not computable */
} dvc_index_row;

/** A group's totals over its indicators. */
typedef struct dvc_index_group_total {
	dvc_index_group group;
	const char *code;          /**< "publicity", "progress", "digitization", "online", "satisfaction" */
	const char *name;          /**< Vietnamese name of the group */
	double max_points;         /**< the group's points in the decision */
	double computable_points;  /**< sum of max_points of its computable indicators */
	double points;             /**< sum of points of its computable indicators */
} dvc_index_group_total;

/** Every indicator over the period of `opts` (group ignored), grouped in order. Free with dvc_free(). */
DVC_API int dvc_report_index(dvc_db *db, const dvc_report_opts *opts, dvc_index_row **rows,
			     size_t *n);
/** Totals per group from rows of dvc_report_index(): `out` has DVC_INDEX_GROUPS
 * entries, out[g] for group g. */
DVC_API int dvc_index_totals(const dvc_index_row *rows, size_t n, dvc_index_group_total *out);

/**
 * The tracking register (sổ theo dõi hồ sơ) of the period as CSV (RFC 4180,
 * UTF-8, header line): code, procedure, channel, submitted, received, due,
 * forwarded, result, returned, state, on_time. No personal data.
 * @param out  free with dvc_free()
 */
DVC_API int dvc_report_register_csv(dvc_db *db, const dvc_report_opts *opts, char **out, size_t *len);

/** Receives the register a piece at a time; return non-zero to stop: the
 * call then fails with DVC_EUSER (never one of the library's own codes). */
typedef int (*dvc_write_fn)(void *ctx, const char *data, size_t len);

/**
 * The same register streamed: `write` gets the CSV in pieces of at most a
 * few kilobytes, so memory stays bounded however many dossiers there are.
 */
DVC_API int dvc_report_register_write(dvc_db *db, const dvc_report_opts *opts, dvc_write_fn write,
				      void *ctx);

#ifdef __cplusplus
}
#endif
#endif
