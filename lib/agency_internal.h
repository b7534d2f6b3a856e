/* What routing asks of the administrative map (agency.c). Callers hold a
 * read or write transaction. Codes are at most 64 bytes with the NUL. */
#ifndef DVC_AGENCY_INTERNAL_H
#define DVC_AGENCY_INTERNAL_H

#include "dvc/agency.h"
#include "dvc/catalog.h"

/* Units in force on `day` carrying on `code` (see dvc_agency_resolve). */
int dvc__agency_resolve(dvc_db *db, const char *code, const dvc_date *day, const char *place,
			char (*out)[65], size_t cap, size_t *n);
/* Units in force on `day` at `place` (agency code or address text). */
int dvc__agency_place(dvc_db *db, const char *place, const dvc_date *day, char (*out)[65],
		      size_t cap, size_t *n);
/* The one agency of `level`/`kind` under `agency` whose area holds `place`. */
int dvc__agency_served(dvc_db *db, const char *agency, const char *level, const char *kind,
		       const char *place, const dvc_date *day, char out[65]);
/* The competent agency of version `p` at `place` on `day`. */
int dvc__agency_competent(dvc_db *db, const dvc_procedure *p, const char *place,
			  const dvc_date *day, char out[65]);
/* The reception desk for `agency` on `day`: its committee's centre, else the committee. */
int dvc__agency_desk(dvc_db *db, const char *agency, const dvc_date *day, char out[65]);

/* The root of `code`'s parent chain (the province). */
int dvc__agency_root(dvc_db *db, const char *code, char out[65]);

#endif
