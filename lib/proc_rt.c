/* What the lifecycle needs of a procedure version (dvc__proc_rt): loaded
 * from the store once per handle and kept in a small cache (versions are
 * immutable), with the e-form compiled and the default route filled in. */
#include "dvc/eform.h"
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

struct dvc__rt_cache {
	dvc__proc_rt *slot[DVC_RT_CACHE];
	/* one dossier's route (dvc__dossier_rt): a copy of a cached version's
	 * whose units are those of the dossier */
	dvc__proc_rt scratch;
};

static void rt_free(dvc__proc_rt *rt)
{
	if (!rt)
		return;
	dvc_eform_free(rt->form);
	dvc__free(rt->form_schema);
	dvc__free(rt->name);
	dvc__free(rt);
}

void dvc__rt_cache_free(dvc_db *db)
{
	if (!db->rt)
		return;
	for (size_t i = 0; i < DVC_RT_CACHE; i++)
		rt_free(db->rt->slot[i]);
	dvc__free(db->rt);
	db->rt = NULL;
}

/*
 * A version without route steps in the catalog goes the one-stop way:
 * received at the desk of the nearest People's Committee at or above the
 * competent agency (a commune's own committee for a commune procedure),
 * worked on by the agency, signed by that committee's leader. Decree
 * 61/2018/NĐ-CP (arts. 15-18), replaced by Decree 118/2025/NĐ-CP, sets
 * those three stages; the 10/70/20 split of the working time between them is
 * libdvc's own default, not a legal rule (unconfirmed: no source splits it).
 */
static int default_route(dvc_db *db, dvc__proc_rt *rt)
{
	char root[DVC__CODE_SIZE];
	int rc;
	if ((rc = dvc__store_root_agency(db, rt->agency, root)) != DVC_OK)
		return rc;
	snprintf(rt->steps[0].unit, sizeof rt->steps[0].unit, "%s", root);
	rt->steps[0].role = DVC_ROLE_RECEPTION;
	rt->steps[0].share = 10;
	snprintf(rt->steps[1].unit, sizeof rt->steps[1].unit, "%s", rt->agency);
	rt->steps[1].role = DVC_ROLE_SPECIALIST;
	rt->steps[1].share = 70;
	snprintf(rt->steps[2].unit, sizeof rt->steps[2].unit, "%s", root);
	rt->steps[2].role = DVC_ROLE_SIGNING_LEADER;
	rt->steps[2].share = 20;
	rt->n_steps = 3;
	return DVC_OK;
}

static int load(dvc_db *db, int64_t vid, dvc__proc_rt **out)
{
	dvc__proc_rt *rt;
	int rc;
	if ((rc = dvc__store_rt_load(db, vid, &rt)) != DVC_OK)
		return rc;
	/* compiled once per handle; a schema that fails to compile stays NULL
	 * and each submission reports it */
	if (rt->form_schema &&
	    dvc_eform_compile(&rt->form, rt->form_schema, strlen(rt->form_schema)) != DVC_OK)
		rt->form = NULL;
	if (rt->n_steps == 0 && (rc = default_route(db, rt)) != DVC_OK)
		goto fail;
	/* each unit's validity, so that a submission can refuse a route through
	 * an agency that has ceased (or not yet started) on its day */
	for (size_t i = 0; i < rt->n_steps; i++) {
		rc = dvc__store_agency_validity(db, rt->steps[i].unit, rt->steps[i].valid_from,
						rt->steps[i].valid_to);
		if (rc < 0)
			goto fail;
	}
	*out = rt;
	return DVC_OK;
fail:
	rt_free(rt);
	return dvc_error_last()->code;
}

int dvc__rt_get(dvc_db *db, int64_t vid, const dvc__proc_rt **out)
{
	size_t slot = (size_t)vid % DVC_RT_CACHE;
	dvc__proc_rt *rt = NULL;
	int rc;
	if (!db->rt && !(db->rt = dvc__calloc(1, sizeof *db->rt)))
		return dvc__oom();
	if (db->rt->slot[slot] && db->rt->slot[slot]->version_id == vid) {
		*out = db->rt->slot[slot];
		return DVC_OK;
	}
	if ((rc = load(db, vid, &rt)) != DVC_OK)
		return rc;
	rt_free(db->rt->slot[slot]);
	db->rt->slot[slot] = rt;
	*out = rt;
	return DVC_OK;
}

int dvc__rt_by_code(dvc_db *db, const char *code, const char *asof, const dvc__proc_rt **out)
{
	int64_t vid;
	int rc = dvc__store_version_at(db, code, asof, &vid);
	return rc != DVC_OK ? rc : dvc__rt_get(db, vid, out);
}

int dvc__dossier_rt(dvc_db *db, const dvc__dossier *d, const dvc__proc_rt **out)
{
	const dvc__proc_rt *rt;
	int rc;
	if ((rc = dvc__rt_get(db, d->version_id, &rt)) != DVC_OK)
		return rc;
	if (!d->desk[0] && !d->competent[0]) {
		*out = rt;
		return DVC_OK;
	}
	db->rt->scratch = *rt;
	for (size_t i = 0; i < rt->n_steps; i++) {
		const char *u = rt->steps[i].role == DVC_ROLE_RECEPTION ? d->desk : d->competent;
		if (*u)
			snprintf(db->rt->scratch.steps[i].unit, sizeof rt->steps[i].unit, "%s", u);
	}
	*out = &db->rt->scratch;
	return DVC_OK;
}
