/*
 * libdvc — the administrative map as history: agencies (People's
 * Committees, their specialised offices, Public Administration Service
 * Centres (Trung tâm Phục vụ hành chính công)) with validity dates, kind,
 * level and parent, and successor links between them.
 *
 * Units are merged, split and abolished by legal acts (the two-tier local
 * government of 1 July 2025: districts abolished, communes merged). A
 * successor link says that from `date` the successor takes over (part of)
 * what the predecessor did, under `act`. Links are many-to-one (several
 * communes merged into one) and one-to-many (a commune split between two,
 * a district's work spread over its communes).
 *
 * Agencies and links are catalog data: they are imported with the catalog
 * (dvc_catalog_import(), keys "kind" and "successions", see
 * data/catalog/README or docs) and never invented by the library.
 */
#ifndef DVC_AGENCY_H
#define DVC_AGENCY_H

#include "dvc/common.h"
#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Agency kinds the library gives a meaning to (others are kept as data). */
#define DVC_KIND_COMMITTEE "committee" /**< People's Committee (Ủy ban nhân dân) */
#define DVC_KIND_OFFICE "office"       /**< specialised office (phòng, sở) */
#define DVC_KIND_CENTRE "centre"       /**< Public Administration Service Centre */

/** A successor link. */
typedef struct dvc_succession {
	const char *predecessor;
	const char *successor;
	dvc_date date;    /**< first day the successor is in charge */
	const char *act;  /**< the legal act, e.g. "Nghị quyết 1669/NQ-UBTVQH15" */
	const char *note; /**< what was taken over (part of an area...), or NULL */
} dvc_succession;

/** One agency as read from the store; freed with dvc_agency_free(). */
typedef struct dvc_agency {
	const char *code;
	const char *name;
	const char *level;
	const char *kind;   /**< DVC_KIND_* or other, or NULL when not given */
	const char *parent; /**< NULL for a root */
	dvc_date valid_from;
	int has_valid_to;
	dvc_date valid_to;  /**< last day in force */
	const dvc_succession *predecessors; /**< links whose successor is this agency */
	size_t n_predecessors;
	const dvc_succession *successors;   /**< links whose predecessor is this agency */
	size_t n_successors;
} dvc_agency;

/** An agency and its links. @return DVC_OK, DVC_ENOTFOUND, DVC_EINVAL, DVC_ENOMEM, DVC_EIO */
DVC_API int dvc_agency_get(dvc_db *db, const char *code, dvc_agency **out);
DVC_API void dvc_agency_free(dvc_agency *a);

/** True when `a` is in force on `day`. */
DVC_API int dvc_agency_in_force(const dvc_agency *a, dvc_date day);

typedef struct dvc_agency_list dvc_agency_list;

/**
 * Agencies ordered by code: those in force on `asof` (NULL: every agency
 * ever stored) and of level `level` (NULL: any level).
 */
DVC_API int dvc_agency_find(dvc_db *db, const dvc_date *asof, const char *level,
				dvc_agency_list **out);
DVC_API size_t dvc_agency_list_count(const dvc_agency_list *l);
/** Borrowed until dvc_agency_list_free(); no links filled in (n_* == 0). */
DVC_API const dvc_agency *dvc_agency_list_at(const dvc_agency_list *l, size_t i);
DVC_API void dvc_agency_list_free(dvc_agency_list *l);

/** Most agencies an answer names (successors of a split, a district's communes). */
#define DVC_AGENCY_MAX_RESOLVED 64

/**
 * The agencies in force on `day` that carry on `code`: the agency itself
 * when it is in force, else its successors, followed link by link (a
 * commune merged in 2019 whose successor was merged again in 2025 resolves
 * to the 2025 unit). `place`, when not NULL, is an agency code or an
 * address text used to choose among several successors (a split): only
 * successors whose area holds the place are kept when any does.
 * Codes go into out[0..*n) (each at most 64 bytes with the NUL).
 * @return DVC_OK (possibly *n == 0: abolished without successor);
 *   DVC_ENOTFOUND (no such agency); DVC_ETOOBIG (more than `cap`).
 */
DVC_API int dvc_agency_resolve(dvc_db *db, const char *code, dvc_date day, const char *place,
			       char (*out)[65], size_t cap, size_t *n);

/**
 * The agency competent on `day` for procedure `procedure` at `place`
 * (an agency code of the applicant's commune, or an address text naming
 * it; a unit that has since ceased is followed to its successor).
 * A procedure with one implementing agency answers that agency; one served
 * by every agency of a level (and kind) answers the one whose area holds
 * the place.
 * @param out  receives the agency code (at most 64 bytes with the NUL)
 * @return DVC_OK; DVC_ENOTFOUND (procedure not in force, unknown place);
 *   DVC_EINVAL (the place does not name exactly one competent agency: the
 *   message lists the candidates); DVC_EEXPIRED (the implementing agency
 *   ceased: the message names its successors).
 */
DVC_API int dvc_agency_competent(dvc_db *db, const char *procedure, const char *place,
				 dvc_date day, char out[65]);

/**
 * The reception desk of an agency on `day`: the Public Administration
 * Service Centre under its People's Committee when one is in force
 * (Decree 118/2025/NĐ-CP art. 1(1): centres at province and commune level),
 * else the People's Committee itself (the one-stop desk of Decree
 * 61/2018/NĐ-CP).
 */
DVC_API int dvc_agency_desk(dvc_db *db, const char *agency, dvc_date day, char out[65]);

/* ---- the reform cutover ---- */

/** One dossier of a cutover report. */
typedef struct dvc_cutover_move {
	const char *dossier; /**< dossier code (unchanged: it names where it was received) */
	const char *from;    /**< the ceased unit it depended on */
	const char *to;      /**< the successor now competent; NULL when not moved */
	const char *desk;    /**< where it is received and returned after the move, or NULL */
	const char *act;     /**< the succession's legal act, or NULL */
	const char *reason;  /**< why it was not moved (no or several successors), or NULL */
} dvc_cutover_move;

typedef struct dvc_cutover_report dvc_cutover_report;

/**
 * Move every open dossier (draft to result ready) that depends on a unit
 * ceased before `asof` (NULL: today on the handle's clock, UTC+7) to the
 * unit that carries it on (dvc_agency_resolve, the applicant's address
 * choosing among the parts of a split). Each move is its own transaction:
 * the dossier's competent agency and desk are recorded, the holder becomes
 * the successor (or the successor's desk, for a dossier at the desk), the
 * handler is cleared, and one journal entry (action transfer, actor
 * "system", the legal act in the note) is chained. Appointment, deadlines
 * and stopped clocks are kept; the code is kept (it names where the dossier
 * was received). Idempotent: a second run moves nothing. Resumable: an
 * interrupted run keeps the moves it completed.
 * A dossier whose unit has no successor in force, or several that the
 * address does not choose between, is not moved and is listed with a reason.
 * @return DVC_OK with the report (caller frees); DVC_EDATE; DVC_EINVAL;
 *   DVC_EUSER (host clock); storage errors (moves made so far are kept).
 */
DVC_API int dvc_agency_cutover(dvc_db *db, const dvc_date *asof, dvc_cutover_report **out);
/** Rows: moved and not moved dossiers, in dossier order. */
DVC_API size_t dvc_cutover_report_count(const dvc_cutover_report *r);
DVC_API const dvc_cutover_move *dvc_cutover_report_at(const dvc_cutover_report *r, size_t i);
/** How many rows moved (to != NULL). */
DVC_API size_t dvc_cutover_report_moved(const dvc_cutover_report *r);
/** The day the report was made for. */
DVC_API dvc_date dvc_cutover_report_asof(const dvc_cutover_report *r);
DVC_API void dvc_cutover_report_free(dvc_cutover_report *r);

#ifdef __cplusplus
}
#endif

#endif
