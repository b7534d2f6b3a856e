/* What the dossier benchmarks share: a monotonic clock in seconds,
 * percentiles of sorted samples, the applicant of every dossier and the
 * officers of its route.
 * Header-only: each benchmark is one executable. */
#ifndef DVC_BENCH_UTIL_H
#define DVC_BENCH_UTIL_H

#include "dvc/dvc.h"

#include <stddef.h>
#include <time.h>

static inline double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* qsort's comparison for doubles, ascending */
static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The p-th quantile (0..1) of n sorted samples; 0 for none. */
static inline double pct(const double *sorted, size_t n, double p)
{
	size_t i = (size_t)((double)n * p);
	return n ? sorted[i < n ? i : n - 1] : 0;
}

static const dvc_applicant applicant = {
	"Nguyễn Văn An", "031099001234", "1999-05-12",
	"Thôn 3, xã Thụy Hương, huyện Kiến Thụy, Hải Phòng", "0912345678", NULL};

/* The officers of the benchmark route: the one-stop desk's reception and
 * signing leader, the justice office's specialist and unit leader. */
static inline int add_officers(dvc_db *db)
{
	static const struct {
		const char *user, *name, *unit;
		dvc_role role;
	} officers[] = {
		{"le.tiep.nhan", "Lê Tiếp Nhận", "000.00.30.H24", DVC_ROLE_RECEPTION},
		{"tran.chuyen.vien", "Trần Chuyên Viên", "000.01.30.H24", DVC_ROLE_SPECIALIST},
		{"nguyen.truong.phong", "Nguyễn Trưởng Phòng", "000.01.30.H24", DVC_ROLE_UNIT_LEADER},
		{"hoang.lanh.dao", "Hoàng Lãnh Đạo", "000.00.30.H24", DVC_ROLE_SIGNING_LEADER},
	};
	int rc = DVC_OK;
	for (size_t i = 0; rc == DVC_OK && i < sizeof officers / sizeof officers[0]; i++)
		rc = dvc_officer_add(db, officers[i].user, officers[i].name, officers[i].unit,
				     officers[i].role);
	return rc;
}

#endif
