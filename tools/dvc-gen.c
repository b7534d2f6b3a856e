/* dvc-gen: a realistic year of dossiers for the reference district, on the
 * --db store, through the public API only (submit and act, as a portal and
 * its officers would), on a simulated clock. A development tool for the
 * report tests and benchmarks: built with the project, never installed.
 *
 *   dvc-gen [--db FILE] [--json] --year 2019 [--scale N] [--seed S] [--data DIR]
 *
 * DIR as for `dvc demo`: given, else $DVC_DATA_DIR, else the installed data.
 *
 * What it does:
 *  1. imports DIR/catalog/kien-thuy-2018.json when the store has no procedure;
 *  2. adds the officers of the units in the catalog (read back from the store
 *     as a JSON export): two reception officers at each root agency's desk
 *     (the district People's Committee, 000.00.30.H24) and one at each
 *     commune, a specialist and a unit leader at each implementing agency, a
 *     signing leader at each root agency;
 *  3. walks the year day by day over the working days of the handle's
 *     calendar (holidays, the Tết break and swapped Saturdays come from it).
 *     Each working day, in one transaction: new dossiers arrive, and every
 *     action that falls due that day happens at its instant, in time order.
 *
 * The simulation stops at the end of the year: dossiers still in progress
 * stay pending, as they would be in a snapshot taken on 31 December.
 *
 * Volume. Kiến Thụy had about 140,000 inhabitants (2019 census: 139,000).
 * With a birth rate near 15 per mille that is ~2,100 birth registrations a
 * year; a marriage rate near 8 per mille ~1,100 marriage registrations;
 * certified copies and signatures, the bulk of a district justice office's
 * work, run to several thousand; the rest (awards, social allowances,
 * household businesses, school transfers, licences) a few thousand more.
 * So the default year is ~15,000 dossiers, ~60 per working day; --scale
 * multiplies that (0.05 for tests, ~67 for a million).
 *
 * Shape of the year (all drawn from one xorshift generator, so a seed gives
 * the same dossiers, times and outcomes every run; only the applicants'
 * tracking secrets, drawn by the library, differ):
 *  - arrivals: Poisson per working day, more in Q1 and Q4, fewer in the ten
 *    days around Tết (the break itself is days off in the calendar);
 *  - procedures: by popularity (certification and birth and marriage
 *    registration far ahead), with a few seasonal ones (emulation awards in
 *    December-January, weddings in autumn and before Tết, school transfers
 *    in summer);
 *  - channels: online share rising from 30% in January to 55% in December,
 *    3% by post, the rest at the counter; certification leans to the counter
 *    (originals must be shown);
 *  - outcomes: ~8% supplement requested (5% at intake, 3% during
 *    processing; a tenth of those never come back and are cancelled), ~2%
 *    rejected, ~1% withdrawn, ~7% late (held at the processing step past the
 *    appointment; a third with a recorded apology and new date); the rest
 *    go through the route within each step's share of the deadline, in
 *    office hours, and the result is collected a little later. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BASE_DOSSIERS_PER_YEAR 15000.0

/* ---- deterministic randomness: xorshift64* ---- */

typedef struct rng {
	uint64_t s;
} rng;

static uint64_t rnd_next(rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ULL;
}

/* uniform in [0, 1) */
static double rnd_unit(rng *r) { return (double)(rnd_next(r) >> 11) * (1.0 / 9007199254740992.0); }
static double rnd_range(rng *r, double lo, double hi) { return lo + (hi - lo) * rnd_unit(r); }
static int rnd_int(rng *r, int n) { return (int)(rnd_unit(r) * n); }
static int rnd_chance(rng *r, double p) { return rnd_unit(r) < p; }

/* Poisson: Knuth's product method for small means, normal approximation above. */
static int rnd_poisson(rng *r, double mean)
{
	if (mean <= 0)
		return 0;
	if (mean < 40) {
		double l = exp(-mean), p = 1;
		int k = 0;
		do {
			k++;
			p *= rnd_unit(r);
		} while (p > l);
		return k - 1;
	}
	{
		double u1 = rnd_unit(r), u2 = rnd_unit(r);
		double z = sqrt(-2.0 * log(u1 > 0 ? u1 : 1e-300)) * cos(6.283185307179586 * u2);
		double v = mean + z * sqrt(mean) + 0.5;
		return v < 0 ? 0 : (int)v;
	}
}

/* ---- popularity and seasons ---- */

/* Expected dossiers per year at scale 1, by national procedure code.
 * Procedures not listed get DEFAULT_WEIGHT. `online` scales the online share. */
#define DEFAULT_WEIGHT 20.0
static const struct {
	const char *code;
	double per_year;
	double online;
	const char *season; /* NULL, "awards", "weddings" or "school" */
} popularity[] = {
	{"2.000815", 5200, 0.8, NULL},   /* chứng thực bản sao từ bản chính */
	{"2.000884", 1500, 0.8, NULL},   /* chứng thực chữ ký */
	{"2.000992", 40, 0.6, NULL},     /* chứng thực chữ ký người dịch (cộng tác viên) */
	{"2.001008", 25, 0.6, NULL},     /* chứng thực chữ ký người dịch (khác) */
	{"1.001193", 2100, 1.1, NULL},   /* đăng ký khai sinh */
	{"1.000894", 1100, 1.0, "weddings"}, /* đăng ký kết hôn */
	{"2.000748", 380, 1.0, NULL},    /* thay đổi, cải chính hộ tịch */
	{"2.000528", 15, 0.8, NULL},     /* khai sinh có yếu tố nước ngoài */
	{"2.000806", 35, 0.8, "weddings"}, /* kết hôn có yếu tố nước ngoài */
	{"2.000779", 8, 0.8, NULL},
	{"2.000522", 5, 0.8, NULL},
	{"1.000748", 330, 1.2, "awards"}, /* Lao động tiên tiến */
	{"1.000775", 160, 1.2, "awards"}, /* Chiến sĩ thi đua cơ sở */
	{"1.000843", 90, 1.2, "awards"},  /* Tập thể lao động tiên tiến */
	{"2.000346", 220, 1.2, "awards"}, /* Giấy khen */
	{"2.000337", 110, 1.2, "awards"},
	{"2.000305", 90, 1.2, NULL},
	{"1.001078", 18, 1.0, NULL},
	{"1.001085", 8, 1.0, NULL},
	{"2.000181", 55, 1.0, NULL},      /* bán lẻ thuốc lá */
	{"2.000162", 10, 1.0, NULL},
	{"2.000633", 75, 1.0, NULL},      /* bán lẻ rượu */
	{"1.001776", 850, 0.7, NULL},     /* trợ cấp xã hội hằng tháng */
	{"1.001731", 280, 0.7, NULL},     /* hỗ trợ mai táng */
	{"1.001758", 90, 0.7, NULL},
	{"2.000294", 3, 1.0, NULL},
	{"1.001310", 3, 1.0, NULL},
	{"2.001885", 10, 1.2, NULL},
	{"2.001884", 5, 1.2, NULL},
	{"2.002481", 260, 1.0, "school"}, /* chuyển trường trung học cơ sở */
	{"1.010020", 420, 1.0, NULL},     /* bản sao văn bằng */
	{"2.001915", 40, 1.0, NULL},
	{"1.001612", 620, 1.3, NULL},     /* đăng ký thành lập hộ kinh doanh */
	{"2.000720", 320, 1.3, NULL},
	{"1.001570", 110, 1.3, NULL},
	{"1.001266", 150, 1.3, NULL},
	{"2.000575", 50, 1.3, NULL},
	{"1.004138", 60, 1.2, NULL},      /* kế hoạch bảo vệ môi trường */
};

/* Arrivals by month: more in Q1 and Q4 (year-end and pre-Tết paperwork). */
static const double month_factor[12] = {1.20, 1.05, 1.15, 0.95, 0.90, 0.90,
					0.88, 0.92, 1.00, 1.05, 1.12, 1.20};

static double season_factor(const char *season, int month)
{
	if (!season)
		return 1.0;
	if (strcmp(season, "awards") == 0)
		return month == 12 || month == 1 ? 4.0 : month == 11 || month == 2 ? 1.5 : 0.4;
	if (strcmp(season, "weddings") == 0)
		return month >= 9 || month == 1 ? 1.6 : month >= 3 && month <= 7 ? 0.7 : 1.0;
	if (strcmp(season, "school") == 0)
		return month == 7 || month == 8 ? 5.0 : 0.55;
	return 1.0;
}

/* ---- the simulation's state ---- */

typedef struct officer_key {
	char unit[64];
	dvc_role role;
	char username[80];
} officer_key;

typedef struct gproc {
	char code[32];
	double weight, online;
	const char *season;
	int64_t deadline;            /* working seconds */
	int n_steps;
	int steps_share[8];
	size_t step_officer[8];      /* officer (index in gen.officers) acting on each step */
	size_t desk_officer2;        /* a second desk officer (counter intake) */
	int level;
} gproc;

enum { ST_SUBMIT, ST_INTAKE, ST_WAIT_SUPPLY, ST_RECEIVED, ST_STEP, ST_READY, ST_DONE };
enum { F_NORMAL, F_SUPP_INTAKE, F_SUPP_PROC, F_REJECT_INTAKE, F_REJECT_PROC, F_WITHDRAW, F_LATE };
enum {
	G_SUPP_DONE = 1,   /* the one supplement request has been made */
	G_FROM_INTAKE = 2, /* ... at intake */
	G_NEVER = 4,       /* the applicant never supplies: cancelled */
	G_APOLOGY = 8,     /* late: apologise with a new date */
	G_APOLOGY_DUE = 16,/* the next event is the apology */
	G_HELD = 32        /* late: the hold has been scheduled */
};

typedef struct gdossier {
	char code[48];
	char secret[DVC_SECRET_MAX];
	uint16_t proc;
	uint8_t channel, fate, stage, step, flags, pad;
	dvc_time due;
} gdossier;

typedef struct event {
	dvc_time t;
	uint64_t seq; /* ties in time order of scheduling: deterministic */
	uint32_t slot;
} event;

typedef struct gen {
	dvc_db *db;
	dvc_calendar *cal;
	dvc_time now;
	rng r;
	gproc *procs;
	size_t n_procs;
	officer_key *officers;
	size_t n_officers, cap_officers;
	gdossier *pool;
	uint32_t n_pool, cap_pool, *free_slots, n_free;
	event *heap;
	size_t n_heap, cap_heap;
	uint64_t seq;
	int64_t dossiers, actions;
	int64_t day_seconds;
} gen;

static int gen_clock(void *ctx, dvc_time *out)
{
	*out = ((gen *)ctx)->now;
	return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 64;
	void *np;
	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	if (!(np = realloc(*p, ncap * size)))
		return cli_fail("out of memory");
	*p = np;
	*cap = ncap;
	return 0;
}

/* ---- the event queue: a binary min-heap on (t, seq) ---- */

static int ev_less(const event *a, const event *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static int ev_push(gen *g, dvc_time t, uint32_t slot)
{
	size_t i;
	if (grow((void **)&g->heap, &g->cap_heap, g->n_heap + 1, sizeof *g->heap))
		return 1;
	i = g->n_heap++;
	g->heap[i] = (event){t, g->seq++, slot};
	while (i > 0 && ev_less(&g->heap[i], &g->heap[(i - 1) / 2])) {
		event tmp = g->heap[i];
		g->heap[i] = g->heap[(i - 1) / 2];
		g->heap[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
	return 0;
}

static event ev_pop(gen *g)
{
	event top = g->heap[0];
	size_t i = 0;
	g->heap[0] = g->heap[--g->n_heap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < g->n_heap && ev_less(&g->heap[l], &g->heap[m]))
			m = l;
		if (r < g->n_heap && ev_less(&g->heap[r], &g->heap[m]))
			m = r;
		if (m == i)
			break;
		event tmp = g->heap[i];
		g->heap[i] = g->heap[m];
		g->heap[m] = tmp;
		i = m;
	}
	return top;
}

/* `seconds` of working time after `from` (the calendar skips nights,
 * weekends and holidays). */
static int schedule(gen *g, uint32_t slot, dvc_time from, double seconds)
{
	dvc_time t;
	if (seconds < 60)
		seconds = 60;
	if (dvc_calendar_add_seconds(g->cal, from, (int64_t)seconds, &t) != DVC_OK)
		return cli_fail_lib("calendar");
	return ev_push(g, t, slot);
}

/* ---- officers ---- */

static const char *const family[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng",
				     "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Phan", "Đinh", "Mạc"};
static const char *const middle_m[] = {"Văn", "Đức", "Minh", "Hữu", "Quang", "Xuân", "Thanh"};
static const char *const middle_f[] = {"Thị", "Thu", "Ngọc", "Thanh", "Minh", "Thị", "Hồng"};
static const char *const given_m[] = {"An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh",
				      "Long", "Nam", "Phong", "Quân", "Sơn", "Thắng", "Tuấn",
				      "Việt", "Hiếu", "Đạt", "Toàn", "Trung", "Kiên"};
static const char *const given_f[] = {"Anh", "Chi", "Dung", "Hà", "Hằng", "Hoa", "Hương",
				      "Lan", "Linh", "Mai", "Nga", "Ngọc", "Phương", "Thảo",
				      "Trang", "Vân", "Yến", "Huyền", "Nhung", "Thủy"};
static const char *const communes[] = {
	"thị trấn Núi Đối", "xã Thụy Hương", "xã Đại Đồng", "xã Hữu Bằng", "xã Đoàn Xá",
	"xã Tân Phong", "xã Đại Hợp", "xã Tú Sơn", "xã Thuận Thiên", "xã Kiến Quốc",
	"xã Minh Tân", "xã Ngũ Phúc", "xã Du Lễ", "xã Ngũ Đoan", "xã Tân Trào",
	"xã Thanh Sơn", "xã Kiến Hưng", "xã Đông Phương", "xã Đại Hà", "xã Ngũ Lão"};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void person_name(rng *r, int female, char *buf, size_t n)
{
	if (female)
		snprintf(buf, n, "%s %s %s", family[rnd_int(r, N(family))], middle_f[rnd_int(r, N(middle_f))],
			 given_f[rnd_int(r, N(given_f))]);
	else
		snprintf(buf, n, "%s %s %s", family[rnd_int(r, N(family))], middle_m[rnd_int(r, N(middle_m))],
			 given_m[rnd_int(r, N(given_m))]);
}

/* The first officer of a unit with a role, as an index; -1 when none. */
static long officer_find(const gen *g, const char *unit, dvc_role role, const char *besides)
{
	for (size_t i = 0; i < g->n_officers; i++)
		if (g->officers[i].role == role && strcmp(g->officers[i].unit, unit) == 0 &&
		    (!besides || strcmp(g->officers[i].username, besides) != 0))
			return (long)i;
	return -1;
}

static const char *officer_name(const gen *g, size_t i) { return g->officers[i].username; }

/* Username: role prefix + agency code in lower case ("cv1.000.01.30.h24"). */
static int officer_add(gen *g, const char *unit, dvc_role role, int n)
{
	static const char *const prefix[DVC_ROLE_COUNT] = {"", "tn", "cv", "tp", "ld", "qt"};
	officer_key *k;
	char name[128];
	int rc;
	if (grow((void **)&g->officers, &g->cap_officers, g->n_officers + 1, sizeof *g->officers))
		return 1;
	k = &g->officers[g->n_officers];
	memset(k, 0, sizeof *k);
	snprintf(k->unit, sizeof k->unit, "%s", unit);
	k->role = role;
	snprintf(k->username, sizeof k->username, "%s%d.%s", prefix[role], n, unit);
	for (char *c = k->username; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
		else if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' || *c == '-'))
			*c = '_';
	person_name(&g->r, rnd_chance(&g->r, 0.55), name, sizeof name);
	rc = dvc_officer_add(g->db, k->username, name, unit, role);
	if (rc != DVC_OK && rc != DVC_EEXISTS)
		return cli_fail_lib(k->username);
	g->n_officers++;
	return 0;
}

static int officer_ensure(gen *g, const char *unit, dvc_role role, size_t *out)
{
	long i = officer_find(g, unit, role, NULL);
	if (i < 0) {
		if (officer_add(g, unit, role, 1))
			return 1;
		i = (long)g->n_officers - 1;
	}
	*out = (size_t)i;
	return 0;
}

/* ---- the catalog as the store holds it ---- */

static const char *json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The root of an agency's parent chain (the People's Committee). */
/* The People's Committee of the library's default route: the nearest
 * committee at or above the agency (a commune procedure stays in the
 * commune), else, in data without agency kinds, the root of the chain. */
static const char *agency_root(const cJSON *agencies, const char *code)
{
	for (int depth = 0; depth < 16 && code; depth++) {
		const cJSON *a, *found = NULL;
		const char *kind;
		cJSON_ArrayForEach(a, agencies)
		{
			const char *c = json_str(a, "code");
			if (c && strcmp(c, code) == 0)
				found = a;
		}
		kind = found ? json_str(found, "kind") : NULL;
		if (!found || !json_str(found, "parent") || (kind && strcmp(kind, "committee") == 0))
			return code;
		code = json_str(found, "parent");
	}
	return code;
}

static int catalog_export(gen *g, cJSON **out)
{
	char *text;
	size_t len;
	if (dvc_catalog_export(g->db, DVC_FORMAT_JSON, &text, &len) != DVC_OK)
		return cli_fail_lib("catalog export");
	*out = cJSON_ParseWithLength(text, len);
	dvc_free(text);
	if (!*out)
		return cli_fail("cannot read the catalog export");
	return 0;
}

static int setup_catalog(gen *g, const char *datadir, int year)
{
	cJSON *cat = NULL;
	const cJSON *agencies, *procs, *a, *p;
	dvc_date jan1 = {year, 1, 1};
	char path[4096];
	int rc = 1;

	if (catalog_export(g, &cat))
		return 1;
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cat, "procedures")) == 0) {
		cJSON_Delete(cat);
		cat = NULL;
		snprintf(path, sizeof path, "%s/catalog/kien-thuy-2018.json", datadir);
		if (dvc_catalog_import_file(g->db, path, DVC_FORMAT_AUTO, NULL) != DVC_OK)
			return cli_fail_lib(path);
		if (catalog_export(g, &cat))
			return 1;
	}
	agencies = cJSON_GetObjectItemCaseSensitive(cat, "agencies");
	procs = cJSON_GetObjectItemCaseSensitive(cat, "procedures");

	/* desks and signing leaders at the roots, reception at the communes */
	cJSON_ArrayForEach(a, agencies)
	{
		const char *code = json_str(a, "code"), *level = json_str(a, "level");
		if (!code)
			continue;
		if (!json_str(a, "parent")) {
			if (officer_add(g, code, DVC_ROLE_RECEPTION, 1) || officer_add(g, code, DVC_ROLE_RECEPTION, 2) ||
			    officer_add(g, code, DVC_ROLE_SIGNING_LEADER, 1))
				goto out;
		} else if (level && strcmp(level, "commune") == 0) {
			if (officer_add(g, code, DVC_ROLE_RECEPTION, 1))
				goto out;
		}
	}

	if (!(g->procs = calloc((size_t)cJSON_GetArraySize(procs) + 1, sizeof *g->procs))) {
		cli_fail("out of memory");
		goto out;
	}
	cJSON_ArrayForEach(p, procs)
	{
		const char *code = json_str(p, "code");
		dvc_procedure *pr;
		gproc *gp = &g->procs[g->n_procs];
		if (!code || dvc_procedure_get(g->db, code, &jan1, &pr) != DVC_OK)
			continue; /* not in force on 1 January of the year */
		if (pr->form_schema || pr->online_level < 1) {
			dvc_procedure_free(pr); /* an e-form this generator cannot fill */
			continue;
		}
		memset(gp, 0, sizeof *gp);
		snprintf(gp->code, sizeof gp->code, "%s", code);
		gp->weight = DEFAULT_WEIGHT;
		gp->online = 1.0;
		for (size_t i = 0; i < N(popularity); i++)
			if (strcmp(popularity[i].code, code) == 0) {
				gp->weight = popularity[i].per_year;
				gp->online = popularity[i].online;
				gp->season = popularity[i].season;
			}
		gp->level = pr->online_level;
		gp->deadline = (int64_t)pr->deadline_value *
			       (pr->deadline_unit == DVC_DEADLINE_HOURS ? 3600 : g->day_seconds);
		if (pr->n_route > 0) {
			gp->n_steps = pr->n_route > 8 ? 8 : (int)pr->n_route;
			for (int i = 0; i < gp->n_steps; i++) {
				gp->steps_share[i] = pr->route[i].share;
				if (officer_ensure(g, pr->route[i].unit, pr->route[i].role, &gp->step_officer[i])) {
					dvc_procedure_free(pr);
					goto out;
				}
			}
		} else {
			/* the default route (catalog.h): desk at the root, specialist at
			 * the implementing agency, signing leader at the root */
			const char *root = agency_root(agencies, pr->agency);
			gp->n_steps = 3;
			gp->steps_share[0] = 10;
			gp->steps_share[1] = 70;
			gp->steps_share[2] = 20;
			if (officer_ensure(g, root, DVC_ROLE_RECEPTION, &gp->step_officer[0]) ||
			    officer_ensure(g, pr->agency, DVC_ROLE_SPECIALIST, &gp->step_officer[1]) ||
			    officer_ensure(g, root, DVC_ROLE_SIGNING_LEADER, &gp->step_officer[2])) {
				dvc_procedure_free(pr);
				goto out;
			}
		}
		dvc_procedure_free(pr);
		if (gp->n_steps < 2)
			continue;
		g->n_procs++;
	}
	/* a unit leader at every implementing agency, as in a real office, and
	 * the second desk officer for counter intake */
	for (size_t i = 0; i < g->n_procs; i++) {
		gproc *gp = &g->procs[i];
		char unit[64];
		long k;
		snprintf(unit, sizeof unit, "%s", g->officers[gp->step_officer[1]].unit);
		if (officer_find(g, unit, DVC_ROLE_UNIT_LEADER, NULL) < 0 &&
		    officer_add(g, unit, DVC_ROLE_UNIT_LEADER, 1))
			goto out;
		k = officer_find(g, g->officers[gp->step_officer[0]].unit, DVC_ROLE_RECEPTION,
				 officer_name(g, gp->step_officer[0]));
		gp->desk_officer2 = k >= 0 ? (size_t)k : gp->step_officer[0];
	}
	if (g->n_procs == 0) {
		cli_fail("no procedure of the catalog is in force on %d-01-01", year);
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(cat);
	return rc;
}

/* ---- dossiers ---- */

static int slot_new(gen *g, uint32_t *out)
{
	if (g->n_free) {
		*out = g->free_slots[--g->n_free];
	} else {
		size_t cap = g->cap_pool;
		if (grow((void **)&g->pool, &cap, (size_t)g->n_pool + 1, sizeof *g->pool))
			return 1;
		if (cap != g->cap_pool) {
			uint32_t *nf = realloc(g->free_slots, cap * sizeof *nf);
			if (!nf)
				return cli_fail("out of memory");
			g->free_slots = nf;
			g->cap_pool = (uint32_t)cap;
		}
		*out = g->n_pool++;
	}
	memset(&g->pool[*out], 0, sizeof g->pool[*out]);
	return 0;
}

static void slot_free(gen *g, uint32_t slot)
{
	g->pool[slot].stage = ST_DONE;
	g->free_slots[g->n_free++] = slot;
}

/* A new arrival at instant t of procedure p on channel c. */
static int arrive(gen *g, size_t p, dvc_channel c, dvc_time t)
{
	uint32_t slot = 0;
	gdossier *d;
	double u;
	if (slot_new(g, &slot))
		return 1;
	d = &g->pool[slot];
	d->proc = (uint16_t)p;
	d->channel = (uint8_t)c;
	d->stage = ST_SUBMIT;
	u = rnd_unit(&g->r);
	d->fate = u < 0.05 ? F_SUPP_INTAKE : u < 0.08 ? F_SUPP_PROC : u < 0.09 ? F_REJECT_INTAKE
		: u < 0.10 ? F_REJECT_PROC : u < 0.11 ? F_WITHDRAW : u < 0.18 ? F_LATE : F_NORMAL;
	if ((d->fate == F_SUPP_INTAKE || d->fate == F_SUPP_PROC) && rnd_chance(&g->r, 0.10))
		d->flags |= G_NEVER;
	if (d->fate == F_LATE && rnd_chance(&g->r, 0.33))
		d->flags |= G_APOLOGY;
	return ev_push(g, t, slot);
}

static int submit(gen *g, gdossier *d)
{
	const gproc *p = &g->procs[d->proc];
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_applicant a;
	dvc_receipt rec = DVC_RECEIPT_INIT;
	char name[128], id[48], birth[48], address[256], phone[32], email[64];
	int female = rnd_chance(&g->r, 0.52), year, month, day;
	rng *r = &g->r;

	/* an adult of Kiến Thụy, born 1940-2001 */
	year = 1940 + rnd_int(r, 62);
	if (year < 1975 && rnd_chance(r, 0.5))
		year += 20;
	month = 1 + rnd_int(r, 12);
	day = 1 + rnd_int(r, 28);
	person_name(r, female, name, sizeof name);
	/* CCCD: province 031 (Hải Phòng), gender/century digit, year, 6 digits */
	snprintf(id, sizeof id, "031%d%02d%06d", (year >= 2000 ? 2 : 0) + female, year % 100,
		 rnd_int(r, 1000000));
	snprintf(birth, sizeof birth, "%04d-%02d-%02d", year, month, day);
	snprintf(address, sizeof address, "Thôn %d, %s, huyện Kiến Thụy, thành phố Hải Phòng",
		 1 + rnd_int(r, 12), communes[rnd_int(r, N(communes))]);
	snprintf(phone, sizeof phone, "09%08d", rnd_int(r, 100000000));
	snprintf(email, sizeof email, "nguoidan%06d@example.vn", rnd_int(r, 1000000));
	a = (dvc_applicant){name, id, birth, address, phone,
			    d->channel == DVC_CHANNEL_ONLINE && rnd_chance(r, 0.3) ? email : NULL};
	s.procedure = p->code;
	s.channel = (dvc_channel)d->channel;
	s.applicant = &a;
	if (d->channel != DVC_CHANNEL_ONLINE)
		s.officer = officer_name(g, rnd_chance(r, 0.5) ? p->step_officer[0] : p->desk_officer2);
	if (dvc_dossier_submit(g->db, &s, &rec) != DVC_OK)
		return cli_fail_lib(p->code);
	if (strlen(rec.code) >= sizeof d->code)
		return cli_fail("dossier code %s too long", rec.code);
	memcpy(d->code, rec.code, strlen(rec.code) + 1);
	memcpy(d->secret, rec.secret, sizeof d->secret);
	g->dossiers++;
	g->actions++;
	return 0;
}

static int act(gen *g, gdossier *d, dvc_action action, const char *officer, const char *note)
{
	dvc_action_req q = DVC_ACTION_INIT;
	q.action = action;
	if (officer) {
		q.actor.kind = DVC_ACTOR_OFFICER;
		q.actor.name = officer;
	} else {
		q.actor.kind = DVC_ACTOR_ANONYMOUS;
		q.actor.secret = d->secret;
	}
	q.note = note;
	if (action == DVC_ACT_RETURN)
		q.delivery = d->channel == DVC_CHANNEL_POST ? DVC_DELIVERY_POST : DVC_DELIVERY_COUNTER;
	if (action == DVC_ACT_RESCHEDULE &&
	    dvc_calendar_add_days(g->cal, g->now, 3, &q.new_due) != DVC_OK)
		return cli_fail_lib("calendar");
	if (dvc_dossier_act(g->db, d->code, &q, NULL) != DVC_OK) {
		char what[160];
		snprintf(what, sizeof what, "%s %s", d->code, dvc_action_name(action));
		return cli_fail_lib(what);
	}
	g->actions++;
	return 0;
}

/* Working seconds a step takes: a share of the deadline, `lo`..`hi` of it. */
static double step_time(gen *g, const gproc *p, int step, double lo, double hi)
{
	double share = (double)p->deadline * p->steps_share[step] / 100.0;
	return share * rnd_range(&g->r, lo, hi);
}

static int due_of(gen *g, gdossier *d)
{
	dvc_actor who = {DVC_ACTOR_OFFICER, officer_name(g, g->procs[d->proc].step_officer[0]), NULL};
	dvc_tracking *t;
	if (dvc_dossier_track(g->db, d->code, &who, &t) != DVC_OK)
		return cli_fail_lib(d->code);
	d->due = t->due_at;
	dvc_tracking_free(t);
	return 0;
}

static const char NOTE_SUPPLEMENT[] =
	"Đề nghị bổ sung: bản sao giấy tờ tùy thân còn hiệu lực và giấy tờ chứng minh nội dung đề nghị.";
static const char NOTE_REJECT[] =
	"Từ chối: hồ sơ không thuộc thẩm quyền giải quyết hoặc không đủ điều kiện theo quy định.";
static const char NOTE_CANCEL[] = "Hủy hồ sơ: quá thời hạn bổ sung mà người nộp không bổ sung.";
static const char NOTE_APOLOGY[] =
	"Xin lỗi ông/bà vì hồ sơ giải quyết chậm do cần xác minh thêm; hẹn lại ngày trả kết quả.";

/* One due event of a dossier: do what its fate says, schedule the next. */
static int step_event(gen *g, uint32_t slot)
{
	gdossier *d = &g->pool[slot];
	const gproc *p = &g->procs[d->proc];
	const char *desk = officer_name(g, p->step_officer[0]);
	rng *r = &g->r;
	dvc_time t = g->now;

	switch (d->stage) {
	case ST_SUBMIT:
		if (submit(g, d))
			return 1;
		d->stage = ST_INTAKE;
		/* the desk checks counter dossiers at once, online ones within hours */
		return schedule(g, slot, t, d->channel == DVC_CHANNEL_COUNTER ? rnd_range(r, 120, 900)
					    : d->channel == DVC_CHANNEL_POST   ? rnd_range(r, 3600, 27000)
									       : rnd_range(r, 600, 4 * 3600));
	case ST_INTAKE:
		if (d->fate == F_REJECT_INTAKE) {
			if (act(g, d, DVC_ACT_REJECT, desk, NOTE_REJECT))
				return 1;
			slot_free(g, slot);
			return 0;
		}
		if (d->fate == F_SUPP_INTAKE && !(d->flags & G_SUPP_DONE)) {
			if (act(g, d, DVC_ACT_REQUEST_SUPPLEMENT, desk, NOTE_SUPPLEMENT))
				return 1;
			d->flags |= G_SUPP_DONE | G_FROM_INTAKE;
			d->stage = ST_WAIT_SUPPLY;
			return schedule(g, slot, t, (double)g->day_seconds *
						       (d->flags & G_NEVER ? 20 : rnd_range(r, 0.3, 6)));
		}
		if (act(g, d, DVC_ACT_RECEIVE, desk, NULL))
			return 1;
		if (d->fate == F_LATE && due_of(g, d))
			return 1;
		d->stage = ST_RECEIVED;
		return schedule(g, slot, t, step_time(g, p, 0, 0.05, 0.5));
	case ST_WAIT_SUPPLY:
		if (d->flags & G_NEVER) {
			if (act(g, d, DVC_ACT_CANCEL, desk, NOTE_CANCEL))
				return 1;
			slot_free(g, slot);
			return 0;
		}
		/* online applicants upload; the others bring the papers to the desk */
		if (act(g, d, DVC_ACT_SUPPLY, d->channel == DVC_CHANNEL_ONLINE ? NULL : desk, NULL))
			return 1;
		if (d->flags & G_FROM_INTAKE) {
			d->stage = ST_INTAKE;
			return schedule(g, slot, t, rnd_range(r, 300, 7200));
		}
		d->stage = ST_STEP;
		return schedule(g, slot, t, step_time(g, p, d->step, 0.1, 0.6));
	case ST_RECEIVED:
		if (act(g, d, DVC_ACT_FORWARD, desk, NULL))
			return 1;
		d->stage = ST_STEP;
		d->step = 1;
		if (d->fate == F_LATE) {
			/* held past the appointment, then finished */
			double hold;
			int64_t left = 0;
			if (dvc_calendar_between(g->cal, t, d->due, &left) != DVC_OK)
				return cli_fail_lib("calendar");
			hold = (double)left + (double)g->day_seconds * rnd_range(r, 0.2, 4);
			if (d->flags & G_APOLOGY) {
				d->flags |= G_APOLOGY_DUE;
				return schedule(g, slot, t, (double)left + rnd_range(r, 600, 7200));
			}
			d->flags |= G_HELD;
			return schedule(g, slot, t, hold);
		}
		return schedule(g, slot, t, step_time(g, p, 1, 0.15, 0.85));
	case ST_STEP:
		if (d->step == 1) {
			if (d->flags & G_APOLOGY_DUE) {
				if (act(g, d, DVC_ACT_RESCHEDULE, officer_name(g, p->step_officer[1]), NOTE_APOLOGY))
					return 1;
				d->flags &= (uint8_t)~G_APOLOGY_DUE;
				d->flags |= G_HELD;
				return schedule(g, slot, t, (double)g->day_seconds * rnd_range(r, 0.2, 2.5));
			}
			if (d->fate == F_REJECT_PROC) {
				if (act(g, d, DVC_ACT_REJECT, officer_name(g, p->step_officer[1]), NOTE_REJECT))
					return 1;
				slot_free(g, slot);
				return 0;
			}
			if (d->fate == F_WITHDRAW) {
				if (act(g, d, DVC_ACT_WITHDRAW, NULL, "Người nộp rút hồ sơ."))
					return 1;
				slot_free(g, slot);
				return 0;
			}
			if (d->fate == F_SUPP_PROC && !(d->flags & G_SUPP_DONE)) {
				if (act(g, d, DVC_ACT_REQUEST_SUPPLEMENT, officer_name(g, p->step_officer[1]), NOTE_SUPPLEMENT))
					return 1;
				d->flags |= G_SUPP_DONE;
				d->stage = ST_WAIT_SUPPLY;
				return schedule(g, slot, t, (double)g->day_seconds *
							       (d->flags & G_NEVER ? 20 : rnd_range(r, 0.5, 8)));
			}
		}
		if (act(g, d, DVC_ACT_FORWARD, officer_name(g, p->step_officer[d->step]), NULL))
			return 1;
		if (++d->step >= p->n_steps) {
			d->stage = ST_READY;
			/* collected within a few working days; posted results take a day */
			return schedule(g, slot, t, d->channel == DVC_CHANNEL_POST ? (double)g->day_seconds
						    : (double)g->day_seconds * rnd_range(r, 0.02, 3));
		}
		return schedule(g, slot, t, step_time(g, p, d->step, 0.15, 0.85));
	case ST_READY:
		if (act(g, d, DVC_ACT_RETURN, desk, NULL))
			return 1;
		slot_free(g, slot);
		return 0;
	default:
		return cli_fail("internal: dossier in an unknown stage");
	}
}

/* ---- the year ---- */

static int next_date(dvc_date d, dvc_date *out)
{
	dvc_time t;
	if (dvc_time_from_local(d, 12, 0, 0, &t) != DVC_OK || dvc_time_to_local(t + 86400, out, NULL) != DVC_OK)
		return cli_fail_lib("date");
	return 0;
}

static int days_between(dvc_date a, dvc_date b)
{
	dvc_time ta, tb;
	if (dvc_time_from_local(a, 12, 0, 0, &ta) != DVC_OK || dvc_time_from_local(b, 12, 0, 0, &tb) != DVC_OK)
		return 0;
	return (int)((tb - ta) / 86400);
}

/* Arrival weight of a day: month, and the ten days either side of Tết. */
static double day_weight(const dvc_date *d, dvc_date tet)
{
	int dist = days_between(tet, *d);
	double f = month_factor[d->month - 1];
	if (dist > -11 && dist < 11)
		f *= 0.5;
	return f;
}

static int simulate(gen *g, int year, double scale)
{
	dvc_date d = {year, 1, 1}, tet;
	dvc_lunar_date lny = {year, 1, 1, 0};
	double total_weight = 0, cum[1024], online_mean = 0, weight_sum = 0;
	size_t np = g->n_procs > 1024 ? 1024 : g->n_procs;
	int doy = 0, days = 0, cum_month = 0;

	/* the procedures' online leanings average out to 1: the trend is the mix's */
	for (size_t i = 0; i < np; i++) {
		online_mean += g->procs[i].weight * g->procs[i].online;
		weight_sum += g->procs[i].weight;
	}
	online_mean = weight_sum > 0 ? online_mean / weight_sum : 1.0;
	if (dvc_calendar_lunar_to_solar(g->cal, lny, &tet) != DVC_OK)
		return cli_fail_lib("lunar new year");
	/* normalise so that the year's expected total is BASE x scale */
	for (dvc_date x = d; x.year == year; days++) {
		dvc_day_info info = DVC_DAY_INFO_INIT;
		if (dvc_calendar_day(g->cal, x, &info) != DVC_OK)
			return cli_fail_lib("calendar");
		if (info.working)
			total_weight += day_weight(&x, tet);
		if (next_date(x, &x))
			return 1;
	}
	for (; d.year == year; doy++) {
		dvc_day_info info = DVC_DAY_INFO_INIT;
		dvc_time open, day_end;
		int n;
		if (dvc_calendar_day(g->cal, d, &info) != DVC_OK)
			return cli_fail_lib("calendar");
		if (!info.working)
			goto next;
		if (cum_month != d.month) {
			/* procedure choice for the month: popularity x season */
			double acc = 0;
			for (size_t i = 0; i < np; i++) {
				acc += g->procs[i].weight * season_factor(g->procs[i].season, d.month);
				cum[i] = acc;
			}
			cum_month = d.month;
		}
		if (dvc_time_from_local(d, 7, 30, 0, &open) != DVC_OK ||
		    dvc_time_from_local(d, 0, 0, 0, &day_end) != DVC_OK)
			return cli_fail_lib("clock");
		day_end += 86400;
		g->now = open;
		if (dvc_begin(g->db) != DVC_OK)
			return cli_fail_lib("begin");
		n = rnd_poisson(&g->r, BASE_DOSSIERS_PER_YEAR * scale * day_weight(&d, tet) / total_weight);
		for (int i = 0; i < n; i++) {
			double u = rnd_unit(&g->r) * cum[np - 1], p_online;
			size_t lo = 0, hi = np - 1;
			dvc_channel c;
			dvc_time t;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				if (cum[mid] > u)
					hi = mid;
				else
					lo = mid + 1;
			}
			/* online share: 30% in January rising to 55% in December */
			p_online = (0.30 + 0.25 * doy / (days - 1)) * g->procs[lo].online / online_mean;
			u = rnd_unit(&g->r);
			c = u < 0.03 ? DVC_CHANNEL_POST : u < 0.03 + p_online ? DVC_CHANNEL_ONLINE : DVC_CHANNEL_COUNTER;
			if (c == DVC_CHANNEL_ONLINE && g->procs[lo].level < 3)
				c = DVC_CHANNEL_COUNTER;
			if (c == DVC_CHANNEL_ONLINE) {
				/* online: any time from 06:00 to 23:00 */
				t = open - 5400 + (dvc_time)rnd_range(&g->r, 0, 17 * 3600);
			} else if (dvc_calendar_add_seconds(g->cal, open, (int64_t)rnd_range(&g->r, 0, (double)g->day_seconds - 60),
							    &t) != DVC_OK) {
				return cli_fail_lib("calendar");
			}
			if (arrive(g, lo, c, t))
				return 1;
		}
		while (g->n_heap && g->heap[0].t < day_end) {
			event e = ev_pop(g);
			g->now = e.t;
			if (step_event(g, e.slot)) {
				dvc_rollback(g->db);
				return 1;
			}
		}
		if (dvc_commit(g->db) != DVC_OK)
			return cli_fail_lib("commit");
	next:
		if (next_date(d, &d))
			return 1;
	}
	return 0;
}

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int gen_year(dvc_cli *cli, int argc, char **argv)
{
	const char *year_s = cli_option(&argc, argv, "--year");
	const char *scale_s = cli_option(&argc, argv, "--scale");
	const char *seed_s = cli_option(&argc, argv, "--seed");
	const char *data = cli_option(&argc, argv, "--data");
	char datadir[CLI_DATA_DIR_MAX];
	gen g;
	int year, rc;
	double scale = 1.0, t0;
	unsigned long long seed = 1;
	char *end;

	if (argc != 1 || !year_s)
		return cli_fail("usage: dvc-gen [--db FILE] [--json] --year YEAR [--scale N] [--seed S] "
				"[--data DIR]");
	year = (int)strtol(year_s, &end, 10);
	/* the reference district's agencies exist from 1 July 2018 to 30 June
	 * 2025 (the districts were abolished): a whole year fits 2018-2024 */
	if (*end || year < 2018 || year > 2024)
		return cli_fail("--year must be 2018-2024: Kiến Thụy district's agencies ceased on "
				"30 June 2025 (dossiers can no longer be submitted to them)");
	if (scale_s) {
		scale = strtod(scale_s, &end);
		if (*end || !(scale > 0) || scale > 1000)
			return cli_fail("--scale must be a number in (0, 1000]");
	}
	if (seed_s) {
		seed = strtoull(seed_s, &end, 10);
		if (*end)
			return cli_fail("--seed must be a non-negative integer");
	}
	if (cli_data_dir(data, datadir, sizeof datadir))
		return 1;
	memset(&g, 0, sizeof g);
	/* xorshift needs a non-zero state; mix the seed so that 0, 1, 2 differ widely */
	g.r.s = (seed + 1) * 0x9E3779B97F4A7C15ULL;
	if (!(g.db = cli_db(cli)))
		return 1;
	if (dvc_calendar_new(&g.cal, NULL) != DVC_OK)
		return cli_fail_lib("calendar");
	g.day_seconds = dvc_calendar_day_seconds(g.cal);
	dvc_set_calendar(g.db, g.cal);
	dvc_set_clock(g.db, gen_clock, &g);
	{
		dvc_date jan2 = {year, 1, 2};
		dvc_time_from_local(jan2, 7, 30, 0, &g.now);
	}
	t0 = wall();
	rc = setup_catalog(&g, datadir, year) || simulate(&g, year, scale);
	if (!rc) {
		double secs = wall() - t0;
		if (cli->json)
			printf("{\"year\":%d,\"scale\":%g,\"seed\":%llu,\"dossiers\":%lld,\"actions\":%lld,"
			       "\"pending\":%zu,\"seconds\":%.3f}\n",
			       year, scale, seed, (long long)g.dossiers, (long long)g.actions, g.n_heap, secs);
		else
			printf("generated %d: %lld dossiers, %lld actions, %zu still pending at year end, "
			       "%.1f s (%.0f actions/s)\n",
			       year, (long long)g.dossiers, (long long)g.actions, g.n_heap, secs,
			       secs > 0 ? (double)g.actions / secs : 0.0);
	}
	/* the handle keeps pointers to our clock and calendar: close it first */
	dvc_close(cli->db);
	cli->db = NULL;
	dvc_calendar_free(g.cal);
	free(g.procs);
	free(g.officers);
	free(g.pool);
	free(g.free_slots);
	free(g.heap);
	return rc;
}

const char cli_name[] = "dvc-gen";

int main(int argc, char **argv)
{
	dvc_cli cli = {"./dvc.db", false, NULL, 0};
	const char *db;
	int rc;
	if ((db = cli_option(&argc, argv, "--db")))
		cli.db_path = db;
	cli.json = cli_flag(&argc, argv, "--json");
	rc = gen_year(&cli, argc, argv);
	dvc_close(cli.db);
	return rc;
}
