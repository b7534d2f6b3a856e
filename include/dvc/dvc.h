/*
 * libdvc — the core of a Vietnamese online public-service portal
 * (dịch vụ công trực tuyến): procedure catalog, working-time calendar,
 * dossier lifecycle, payments, notifications and reports.
 *
 * Include this umbrella header, or the module headers you need.
 */
#ifndef DVC_H
#define DVC_H

#include "dvc/version.h"
#include "dvc/common.h"
#include "dvc/store.h"
#include "dvc/agency.h"
#include "dvc/catalog.h"
#include "dvc/calendar.h"
#include "dvc/validate.h"
#include "dvc/json.h"
#include "dvc/eform.h"
#include "dvc/lifecycle.h"
#include "dvc/account.h"
#include "dvc/identity.h"
#include "dvc/oidc.h"
#include "dvc/dossier.h"
#include "dvc/payment.h"
#include "dvc/notify.h"
#include "dvc/national.h"
#include "dvc/slip.h"
#include "dvc/report.h"
#include "dvc/view.h"
#include "dvc/document.h"
#include "dvc/sign.h"
#include "dvc/rating.h"
#include "dvc/proof.h"
#include "dvc/privacy.h"
#include "dvc/session.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The library's version string at run time ("0.1.0"); compare with DVC_VERSION. */
DVC_API const char *dvc_version(void);

/** The library's version number at run time (major*10000 + minor*100 + patch). */
DVC_API int dvc_version_number(void);

#ifdef __cplusplus
}
#endif
#endif
