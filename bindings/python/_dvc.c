/*
 * _dvc — the CPython extension under the `dvc` package: libdvc's C API as
 * Python types (Store, Calendar) and functions, returning plain Python data
 * (dicts, lists, str, int, datetime).
 *
 * Design notes (the user-facing documentation is in dvc/__init__.py and the
 * stubs in dvc/__init__.pyi):
 *
 *  - Errors. Every negative status becomes an instance of the exception class
 *    registered for that code by the pure-Python package (_set_error_classes),
 *    built from dvc_error_last() on the calling thread right after the call,
 *    so the message and path are the ones of this call.
 *
 *  - Threads. A dvc_db handle must be used by one thread at a time, so each
 *    Store carries a lock held for the whole of a method (the C call and the
 *    conversion of its result). The GIL is released around every C call on a
 *    store, and while waiting for that lock, so other Python threads (and
 *    other stores) run meanwhile. Calendars are immutable between schedule
 *    loads: their const calls keep the GIL (they take microseconds), and a
 *    calendar attached to a store refuses schedule changes.
 *
 *  - Time. Instants cross the boundary as timezone-aware datetimes (UTC out);
 *    naive datetimes are refused. A store's clock is the system clock, a
 *    fixed instant kept in the Store (set_time: no Python runs inside C), or
 *    a Python callable (set_clock) called with the GIL re-acquired from
 *    inside the C call; an exception it raises is re-raised once the call
 *    returns.
 *
 * Strings handed to C are borrowed from argument objects that stay alive for
 * the whole method, including while the GIL is released.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <pythread.h>

#include <string.h>
#include <time.h>

#include <dvc/dvc.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- module globals (single-phase init) ---- */

static PyObject *g_error_base;    /* dvc.Error, or NULL before registration */
static PyObject *g_error_classes; /* dict: int code -> exception class */
static PyObject *g_json_loads, *g_json_dumps;
static PyObject *g_fromtimestamp; /* datetime.datetime.fromtimestamp */
static PyObject *g_utc;           /* datetime.timezone.utc */
static PyTypeObject *ReceiptType, *LunarDateType;

static const char *const ONLINE_MODES[] = {"none", "partial", "full"};
static const char *const MATCHES[] = {"phrase", "words", "fuzzy"};
static const char *const DOC_FORMS[] = {"original", "copy", "original_or_copy"};
static const char *const DOC_SUBMISSIONS[] = {"eform", "upload"};
static const char *const FEE_KINDS[] = {"fixed", "per_copy", "per_page"};
static const char *const DEADLINE_UNITS[] = {"days", "hours"};
static const char *const DELIVERIES[] = {"counter", "post", "online"};
/* DVC_REQ_* bits, in bit order */
static const char *const REQUIRES[] = {"note", "at_step", "not_first", "last_step", "not_last_step",
				       "from_intake", "from_processing", "once", "overdue", "target",
				       "new_due", "owner", "at_unit", "at_desk"};

static PyObject *name_of(const char *const *names, size_t n, int v)
{
	if (v >= 0 && (size_t)v < n)
		return PyUnicode_FromString(names[v]);
	return PyLong_FromLong(v);
}
#define NAME(tbl, v) name_of((tbl), N_ELEMS(tbl), (int)(v))

static int parse_name(const char *const *names, size_t n, PyObject *o, const char *what, int *out)
{
	const char *s;
	if (!PyUnicode_Check(o)) {
		PyErr_Format(PyExc_TypeError, "%s must be a str, not %.100s", what, Py_TYPE(o)->tp_name);
		return -1;
	}
	s = PyUnicode_AsUTF8(o);
	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	PyErr_Format(PyExc_ValueError, "unknown %s %R", what, o);
	return -1;
}
#define PARSE_NAME(tbl, o, what, out) parse_name((tbl), N_ELEMS(tbl), (o), (what), (out))

/* ---- errors ---- */

/* Raise the exception for status `rc` from this thread's dvc_error_last(). */
static PyObject *raise_dvc(int rc)
{
	const dvc_error *e = dvc_error_last();
	const char *msg = (e->code == rc && e->message) ? e->message : dvc_status_name(rc);
	const char *path = e->code == rc ? e->path : NULL;
	PyObject *cls = NULL, *key, *exc;

	if (rc == DVC_ENOMEM && !g_error_classes)
		return PyErr_NoMemory();
	if (g_error_classes) {
		key = PyLong_FromLong(rc);
		if (!key)
			return NULL;
		cls = PyDict_GetItemWithError(g_error_classes, key); /* borrowed */
		Py_DECREF(key);
		if (!cls && PyErr_Occurred())
			return NULL;
		if (!cls)
			cls = g_error_base;
	}
	if (!cls) {
		PyErr_Format(PyExc_RuntimeError, "%s: %s", dvc_status_name(rc), msg);
		return NULL;
	}
	exc = PyObject_CallFunction(cls, "szi", msg, path, rc);
	if (!exc)
		return NULL;
	PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
	Py_DECREF(exc);
	return NULL;
}

static PyObject *mod_set_error_classes(PyObject *self, PyObject *args)
{
	PyObject *base, *map;
	(void)self;
	if (!PyArg_ParseTuple(args, "OO!:_set_error_classes", &base, &PyDict_Type, &map))
		return NULL;
	if (!PyType_Check(base) || !PyType_IsSubtype((PyTypeObject *)base, (PyTypeObject *)PyExc_Exception)) {
		PyErr_SetString(PyExc_TypeError, "base must be an Exception subclass");
		return NULL;
	}
	Py_INCREF(base);
	Py_XSETREF(g_error_base, base);
	Py_INCREF(map);
	Py_XSETREF(g_error_classes, map);
	Py_RETURN_NONE;
}

/* ---- conversions: strings ---- */

static PyObject *str_or_none(const char *s)
{
	if (!s)
		Py_RETURN_NONE;
	return PyUnicode_FromString(s);
}

static PyObject *str_list(const char *const *v, size_t n)
{
	PyObject *l = PyList_New((Py_ssize_t)n);
	if (!l)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		PyObject *s = PyUnicode_FromString(v[i] ? v[i] : "");
		if (!s) {
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, s);
	}
	return l;
}

/* UTF-8 of a str without embedded NULs (None allowed when `opt`). */
static int utf8_of(PyObject *o, const char **out, const char *what, int opt)
{
	Py_ssize_t n;
	if (o == NULL || o == Py_None) {
		if (opt || o == NULL) {
			*out = NULL;
			return 0;
		}
	}
	if (!PyUnicode_Check(o)) {
		PyErr_Format(PyExc_TypeError, "%s must be a str%s, not %.100s", what, opt ? " or None" : "",
			     Py_TYPE(o)->tp_name);
		return -1;
	}
	*out = PyUnicode_AsUTF8AndSize(o, &n);
	if (!*out)
		return -1;
	if ((size_t)n != strlen(*out)) {
		PyErr_Format(PyExc_ValueError, "%s contains a NUL character", what);
		return -1;
	}
	return 0;
}

/* A document argument: str or bytes (not a path). Returns a new reference
 * to the object that owns the buffer. */
static PyObject *doc_buffer(PyObject *o, const char **data, size_t *len, const char *what)
{
	Py_ssize_t n;
	if (PyBytes_Check(o)) {
		char *p;
		if (PyBytes_AsStringAndSize(o, &p, &n) < 0)
			return NULL;
		*data = p;
	} else if (PyUnicode_Check(o)) {
		*data = PyUnicode_AsUTF8AndSize(o, &n);
		if (!*data)
			return NULL;
	} else {
		PyErr_Format(PyExc_TypeError, "%s must be str or bytes, not %.100s", what, Py_TYPE(o)->tp_name);
		return NULL;
	}
	*len = (size_t)n;
	Py_INCREF(o);
	return o;
}

/* JSON text of `o`: a str is taken as JSON already; anything else is dumped. */
static PyObject *json_text(PyObject *o)
{
	if (PyUnicode_Check(o)) {
		Py_INCREF(o);
		return o;
	}
	PyObject *kw = Py_BuildValue("{s:O}", "ensure_ascii", Py_False);
	PyObject *args = PyTuple_Pack(1, o);
	PyObject *r = (kw && args) ? PyObject_Call(g_json_dumps, args, kw) : NULL;
	Py_XDECREF(kw);
	Py_XDECREF(args);
	return r;
}

/* True when a str argument looks like a document rather than a path. */
static int looks_like_document(PyObject *o)
{
	Py_ssize_t n = PyUnicode_GET_LENGTH(o);
	for (Py_ssize_t i = 0; i < n; i++) {
		Py_UCS4 c = PyUnicode_READ_CHAR(o, i);
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xFEFF)
			continue;
		return c == '{' || c == '<' || c == '[';
	}
	return 0;
}

/* ---- conversions: time ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static PyObject *time_obj(dvc_time t)
{
	return PyObject_CallFunction(g_fromtimestamp, "LO", (long long)t, g_utc);
}

/* 0 means "not yet" in the C structs. */
static PyObject *opt_time(dvc_time t)
{
	if (t == 0)
		Py_RETURN_NONE;
	return time_obj(t);
}

static PyObject *date_obj(dvc_date d)
{
	return PyDate_FromDate(d.year, d.month, d.day);
}

/*
 * An instant from Python: an aware datetime (naive ones are ambiguous and
 * refused), an ISO 8601 string with an offset, or a date (00:00 Vietnam time).
 */
static int to_time(PyObject *o, dvc_time *out)
{
	if (PyDateTime_Check(o)) {
		PyObject *off = PyObject_CallMethod(o, "utcoffset", NULL);
		int64_t secs;
		if (!off)
			return -1;
		if (off == Py_None) {
			Py_DECREF(off);
			PyErr_SetString(PyExc_ValueError,
					"naive datetime: attach a tzinfo (datetime.timezone.utc, dvc.VN_TZ...)");
			return -1;
		}
		secs = (int64_t)PyDateTime_DELTA_GET_DAYS(off) * 86400 + PyDateTime_DELTA_GET_SECONDS(off);
		Py_DECREF(off);
		*out = days_from_civil(PyDateTime_GET_YEAR(o), (unsigned)PyDateTime_GET_MONTH(o),
				       (unsigned)PyDateTime_GET_DAY(o)) * 86400 +
		       PyDateTime_DATE_GET_HOUR(o) * 3600 + PyDateTime_DATE_GET_MINUTE(o) * 60 +
		       PyDateTime_DATE_GET_SECOND(o) - secs;
		return 0;
	}
	if (PyDate_Check(o)) {
		dvc_date d = {PyDateTime_GET_YEAR(o), PyDateTime_GET_MONTH(o), PyDateTime_GET_DAY(o)};
		int rc = dvc_time_from_local(d, 0, 0, 0, out);
		if (rc < 0) {
			raise_dvc(rc);
			return -1;
		}
		return 0;
	}
	if (PyUnicode_Check(o)) {
		const char *s;
		int rc;
		if (utf8_of(o, &s, "instant", 0) < 0)
			return -1;
		rc = dvc_time_parse(s, out);
		if (rc < 0) {
			raise_dvc(rc);
			return -1;
		}
		return 0;
	}
	PyErr_Format(PyExc_TypeError, "an instant must be an aware datetime, a date or an ISO 8601 str, not %.100s",
		     Py_TYPE(o)->tp_name);
	return -1;
}

/* O& converters. */
typedef struct opt_time_arg {
	int set;
	dvc_time t;
} opt_time_arg;

static int conv_time(PyObject *o, void *p)
{
	return to_time(o, (dvc_time *)p) < 0 ? 0 : 1;
}

static int conv_opt_time(PyObject *o, void *p)
{
	opt_time_arg *a = p;
	a->set = 0;
	a->t = 0;
	if (o == Py_None)
		return 1;
	if (to_time(o, &a->t) < 0)
		return 0;
	a->set = 1;
	return 1;
}

typedef struct opt_date_arg {
	int set;
	dvc_date d;
} opt_date_arg;

static int to_date(PyObject *o, dvc_date *d)
{
	if (PyDateTime_Check(o)) { /* an instant: its date in Vietnam */
		dvc_time t;
		int rc;
		if (to_time(o, &t) < 0)
			return -1;
		rc = dvc_time_to_local(t, d, NULL);
		if (rc < 0) {
			raise_dvc(rc);
			return -1;
		}
		return 0;
	}
	if (PyDate_Check(o)) {
		d->year = PyDateTime_GET_YEAR(o);
		d->month = PyDateTime_GET_MONTH(o);
		d->day = PyDateTime_GET_DAY(o);
		return 0;
	}
	if (PyUnicode_Check(o)) {
		PyObject *v = PyObject_CallMethod((PyObject *)PyDateTimeAPI->DateType, "fromisoformat", "O", o);
		int r;
		if (!v)
			return -1;
		r = to_date(v, d);
		Py_DECREF(v);
		return r;
	}
	PyErr_Format(PyExc_TypeError, "a date must be a datetime.date or a 'YYYY-MM-DD' str, not %.100s",
		     Py_TYPE(o)->tp_name);
	return -1;
}

static int conv_opt_date(PyObject *o, void *p)
{
	opt_date_arg *a = p;
	a->set = 0;
	if (o == Py_None)
		return 1;
	if (to_date(o, &a->d) < 0)
		return 0;
	a->set = 1;
	return 1;
}

/* ---- dict helpers ---- */

/* Set d[k] = v, stealing v; -1 (with the exception) when v is NULL or on error. */
static int put(PyObject *d, const char *k, PyObject *v)
{
	int r;
	if (!v)
		return -1;
	r = PyDict_SetItemString(d, k, v);
	Py_DECREF(v);
	return r;
}
#define PUT(d, k, v)                      \
	do {                              \
		if (put((d), (k), (v)) < 0) \
			goto fail;        \
	} while (0)

/* Append v to list l, stealing v. */
static int append(PyObject *l, PyObject *v)
{
	int r;
	if (!v)
		return -1;
	r = PyList_Append(l, v);
	Py_DECREF(v);
	return r;
}

/* ---- structseq types ---- */

static PyStructSequence_Field receipt_fields[] = {
	{"code", "the dossier code (\"000.00.30.H24-260302-0001\")"},
	{"secret", "the tracking secret for applicants without an account, else None"},
	{NULL, NULL}};
static PyStructSequence_Desc receipt_desc = {
	"dvc.Receipt", "What submitting a dossier hands back: (code, secret).", receipt_fields, 2};

static PyStructSequence_Field lunar_fields[] = {
	{"year", "the lunar year (named after the solar year it mostly overlaps)"},
	{"month", "1..12"},
	{"day", "1..30"},
	{"leap", "True in a leap month (thang nhuan)"},
	{NULL, NULL}};
static PyStructSequence_Desc lunar_desc = {
	"dvc.LunarDate", "A Vietnamese lunar date: (year, month, day, leap).", lunar_fields, 4};

static PyObject *lunar_obj(dvc_lunar_date l)
{
	PyObject *o = PyStructSequence_New(LunarDateType);
	if (!o)
		return NULL;
	PyStructSequence_SET_ITEM(o, 0, PyLong_FromLong(l.year));
	PyStructSequence_SET_ITEM(o, 1, PyLong_FromLong(l.month));
	PyStructSequence_SET_ITEM(o, 2, PyLong_FromLong(l.day));
	PyStructSequence_SET_ITEM(o, 3, PyBool_FromLong(l.leap));
	for (int i = 0; i < 4; i++)
		if (!PyStructSequence_GET_ITEM(o, i)) {
			Py_DECREF(o);
			return NULL;
		}
	return o;
}

static int to_lunar(PyObject *o, dvc_lunar_date *l)
{
	PyObject *seq = PySequence_Fast(o, "a lunar date must be a LunarDate or a (year, month, day[, leap]) tuple");
	Py_ssize_t n;
	int v[4] = {0, 0, 0, 0};
	if (!seq)
		return -1;
	n = PySequence_Fast_GET_SIZE(seq);
	if (n != 3 && n != 4) {
		Py_DECREF(seq);
		PyErr_SetString(PyExc_TypeError, "a lunar date has 3 or 4 fields (year, month, day[, leap])");
		return -1;
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *it = PySequence_Fast_GET_ITEM(seq, i);
		if (i == 3) {
			v[3] = PyObject_IsTrue(it);
			if (v[3] < 0)
				goto fail;
		} else {
			long x = PyLong_AsLong(it);
			if (x == -1 && PyErr_Occurred())
				goto fail;
			if (x < -1000000 || x > 1000000) {
				PyErr_SetString(PyExc_OverflowError, "lunar date field out of range");
				goto fail;
			}
			v[i] = (int)x;
		}
	}
	Py_DECREF(seq);
	l->year = v[0];
	l->month = v[1];
	l->day = v[2];
	l->leap = v[3];
	return 0;
fail:
	Py_DECREF(seq);
	return -1;
}

/* =====================================================================
 * Calendar
 * ===================================================================== */

typedef struct CalendarObject {
	PyObject_HEAD
	dvc_calendar *cal;
	Py_ssize_t attached; /* stores using it: schedule changes are refused */
} CalendarObject;

static PyTypeObject CalendarType;

/* Office time of day: "07:30", datetime.time, or minutes after midnight. */
static int to_minutes(PyObject *o, int *out, const char *what)
{
	if (PyLong_Check(o)) {
		long v = PyLong_AsLong(o);
		if (v == -1 && PyErr_Occurred())
			return -1;
		if (v < 0 || v > 1440) {
			PyErr_Format(PyExc_ValueError, "%s: minutes after midnight must be in 0..1440", what);
			return -1;
		}
		*out = (int)v;
		return 0;
	}
	if (PyTime_Check(o)) {
		*out = PyDateTime_TIME_GET_HOUR(o) * 60 + PyDateTime_TIME_GET_MINUTE(o);
		return 0;
	}
	if (PyUnicode_Check(o)) {
		const char *s = PyUnicode_AsUTF8(o);
		int h, m, n = 0;
		if (!s)
			return -1;
		if (sscanf(s, "%2d:%2d%n", &h, &m, &n) == 2 && s[n] == '\0' && h >= 0 && m >= 0 && m < 60 &&
		    h * 60 + m <= 1440) {
			*out = h * 60 + m;
			return 0;
		}
		PyErr_Format(PyExc_ValueError, "%s: expected \"HH:MM\", got %R", what, o);
		return -1;
	}
	PyErr_Format(PyExc_TypeError, "%s must be \"HH:MM\", a datetime.time or minutes", what);
	return -1;
}

static int Calendar_init(CalendarObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"am_start", "am_end", "pm_start", "pm_end", "rest_days",
				 "round_to_end_of_day", "builtin_schedules", NULL};
	PyObject *am_s = NULL, *am_e = NULL, *pm_s = NULL, *pm_e = NULL, *rest = NULL;
	int round = 0, builtin = 1, rc;
	dvc_calendar_opts o = DVC_CALENDAR_OPTS_INIT;
	dvc_calendar *cal = NULL;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|$OOOOOpp:Calendar", kwlist, &am_s, &am_e, &pm_s, &pm_e,
					 &rest, &round, &builtin))
		return -1;
	if (self->attached) {
		PyErr_SetString(PyExc_RuntimeError, "calendar is attached to a store");
		return -1;
	}
	if ((am_s && to_minutes(am_s, &o.am_start, "am_start") < 0) ||
	    (am_e && to_minutes(am_e, &o.am_end, "am_end") < 0) ||
	    (pm_s && to_minutes(pm_s, &o.pm_start, "pm_start") < 0) ||
	    (pm_e && to_minutes(pm_e, &o.pm_end, "pm_end") < 0))
		return -1;
	if (rest && rest != Py_None) {
		PyObject *it = PyObject_GetIter(rest), *x;
		if (!it)
			return -1;
		o.rest_days = 0;
		while ((x = PyIter_Next(it))) {
			long w = PyLong_AsLong(x);
			Py_DECREF(x);
			if (w == -1 && PyErr_Occurred())
				break;
			if (w < 0 || w > 6) {
				PyErr_SetString(PyExc_ValueError, "rest_days are weekday numbers, Monday=0 .. Sunday=6");
				break;
			}
			o.rest_days |= 1u << ((w + 1) % 7); /* C: bit 0 = Sunday */
		}
		Py_DECREF(it);
		if (PyErr_Occurred())
			return -1;
	}
	o.round_to_end_of_day = round;
	o.builtin_schedules = builtin;
	Py_BEGIN_ALLOW_THREADS
	rc = dvc_calendar_new(&cal, &o);
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		raise_dvc(rc);
		return -1;
	}
	dvc_calendar_free(self->cal);
	self->cal = cal;
	return 0;
}

static void Calendar_dealloc(CalendarObject *self)
{
	dvc_calendar_free(self->cal);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static int cal_ready(CalendarObject *self)
{
	if (!self->cal) {
		PyErr_SetString(PyExc_RuntimeError, "Calendar.__init__ was not called");
		return -1;
	}
	return 0;
}

static int cal_mutable(CalendarObject *self)
{
	if (cal_ready(self) < 0)
		return -1;
	if (self->attached) {
		PyErr_SetString(PyExc_RuntimeError,
				"calendar is in use by a store: load schedules before Store.set_calendar()");
		return -1;
	}
	return 0;
}

static PyObject *Calendar_load_schedule(CalendarObject *self, PyObject *arg)
{
	int rc;
	if (cal_mutable(self) < 0)
		return NULL;
	if ((PyUnicode_Check(arg) && looks_like_document(arg)) || PyBytes_Check(arg)) {
		const char *data;
		size_t len;
		PyObject *hold = doc_buffer(arg, &data, &len, "schedule");
		if (!hold)
			return NULL;
		rc = dvc_calendar_load_schedule(self->cal, data, len);
		Py_DECREF(hold);
	} else {
		PyObject *path = NULL;
		if (!PyUnicode_FSConverter(arg, &path))
			return NULL;
		rc = dvc_calendar_load_schedule_file(self->cal, PyBytes_AS_STRING(path));
		Py_DECREF(path);
	}
	if (rc < 0)
		return raise_dvc(rc);
	Py_RETURN_NONE;
}

static PyObject *Calendar_clear_schedule(CalendarObject *self, PyObject *arg)
{
	long year = PyLong_AsLong(arg);
	int rc;
	if (year == -1 && PyErr_Occurred())
		return NULL;
	if (cal_mutable(self) < 0)
		return NULL;
	rc = dvc_calendar_clear_schedule(self->cal, (int)year);
	if (rc < 0)
		return raise_dvc(rc);
	Py_RETURN_NONE;
}

static PyObject *Calendar_schedule_source(CalendarObject *self, PyObject *arg)
{
	long year = PyLong_AsLong(arg);
	const char *src = NULL;
	int rc;
	if (year == -1 && PyErr_Occurred())
		return NULL;
	if (cal_ready(self) < 0)
		return NULL;
	rc = dvc_calendar_schedule_source(self->cal, (int)year, &src);
	if (rc < 0)
		return raise_dvc(rc);
	return str_or_none(src);
}

static PyObject *day_dict(const dvc_day_info *d)
{
	PyObject *o = PyDict_New();
	if (!o)
		return NULL;
	PUT(o, "date", date_obj(d->date));
	PUT(o, "kind", PyUnicode_FromString(dvc_day_kind_name(d->kind)));
	PUT(o, "working", PyBool_FromLong(d->working));
	PUT(o, "name", str_or_none(d->name));
	return o;
fail:
	Py_DECREF(o);
	return NULL;
}

static PyObject *Calendar_day(CalendarObject *self, PyObject *arg)
{
	dvc_date d;
	dvc_day_info info = DVC_DAY_INFO_INIT;
	int rc;
	if (cal_ready(self) < 0 || to_date(arg, &d) < 0)
		return NULL;
	rc = dvc_calendar_day(self->cal, d, &info);
	if (rc < 0)
		return raise_dvc(rc);
	return day_dict(&info);
}

static PyObject *Calendar_is_working_day(CalendarObject *self, PyObject *arg)
{
	dvc_date d;
	dvc_day_info info = DVC_DAY_INFO_INIT;
	int rc;
	if (cal_ready(self) < 0 || to_date(arg, &d) < 0)
		return NULL;
	rc = dvc_calendar_day(self->cal, d, &info);
	if (rc < 0)
		return raise_dvc(rc);
	return PyBool_FromLong(info.working);
}

static PyObject *Calendar_special_days(CalendarObject *self, PyObject *arg)
{
	long year = PyLong_AsLong(arg);
	dvc_day_info *days = NULL;
	size_t n = 0;
	PyObject *l;
	int rc;
	if (year == -1 && PyErr_Occurred())
		return NULL;
	if (cal_ready(self) < 0)
		return NULL;
	rc = dvc_calendar_special_days(self->cal, (int)year, &days, &n);
	if (rc < 0)
		return raise_dvc(rc);
	l = PyList_New(0);
	for (size_t i = 0; l && i < n; i++)
		if (append(l, day_dict(&days[i])) < 0)
			Py_CLEAR(l);
	dvc_free(days);
	return l;
}

typedef int (*add_fn)(const dvc_calendar *, dvc_time, int64_t, dvc_time *);

static PyObject *cal_add(CalendarObject *self, PyObject *args, const char *fmt, add_fn fn)
{
	dvc_time start, out;
	long long amount;
	int rc;
	if (!PyArg_ParseTuple(args, fmt, conv_time, &start, &amount))
		return NULL;
	if (cal_ready(self) < 0)
		return NULL;
	rc = fn(self->cal, start, (int64_t)amount, &out);
	if (rc < 0)
		return raise_dvc(rc);
	return time_obj(out);
}

static int add_days_fn(const dvc_calendar *c, dvc_time s, int64_t n, dvc_time *out)
{
	if (n > 1000000 || n < -1000000)
		return dvc_calendar_add_seconds(c, s, INT64_MAX, out); /* the library's range error */
	return dvc_calendar_add_days(c, s, (int)n, out);
}

static PyObject *Calendar_add_days(CalendarObject *self, PyObject *args)
{
	return cal_add(self, args, "O&L:add_days", add_days_fn);
}
static PyObject *Calendar_add_hours(CalendarObject *self, PyObject *args)
{
	return cal_add(self, args, "O&L:add_hours", dvc_calendar_add_hours);
}
static PyObject *Calendar_add_minutes(CalendarObject *self, PyObject *args)
{
	return cal_add(self, args, "O&L:add_minutes", dvc_calendar_add_minutes);
}
static PyObject *Calendar_add_seconds(CalendarObject *self, PyObject *args)
{
	return cal_add(self, args, "O&L:add_seconds", dvc_calendar_add_seconds);
}

static PyObject *Calendar_between(CalendarObject *self, PyObject *args)
{
	dvc_time a, b;
	int64_t s;
	int rc;
	if (!PyArg_ParseTuple(args, "O&O&:between", conv_time, &a, conv_time, &b))
		return NULL;
	if (cal_ready(self) < 0)
		return NULL;
	rc = dvc_calendar_between(self->cal, a, b, &s);
	if (rc < 0)
		return raise_dvc(rc);
	return PyDelta_FromDSU((int)(s / 86400), (int)(s % 86400), 0);
}

static PyObject *Calendar_next_working(CalendarObject *self, PyObject *arg)
{
	dvc_time t, out;
	int rc;
	if (cal_ready(self) < 0 || to_time(arg, &t) < 0)
		return NULL;
	rc = dvc_calendar_next_working(self->cal, t, &out);
	if (rc < 0)
		return raise_dvc(rc);
	return time_obj(out);
}

static PyObject *Calendar_get_day_seconds(CalendarObject *self, void *closure)
{
	(void)closure;
	if (cal_ready(self) < 0)
		return NULL;
	return PyLong_FromLongLong((long long)dvc_calendar_day_seconds(self->cal));
}

static PyObject *Calendar_lunar_from_solar(CalendarObject *self, PyObject *arg)
{
	dvc_date d;
	dvc_lunar_date l;
	int rc;
	if (cal_ready(self) < 0 || to_date(arg, &d) < 0)
		return NULL;
	rc = dvc_calendar_lunar_from_solar(self->cal, d, &l);
	if (rc < 0)
		return raise_dvc(rc);
	return lunar_obj(l);
}

static PyObject *Calendar_lunar_to_solar(CalendarObject *self, PyObject *arg)
{
	dvc_lunar_date l;
	dvc_date d;
	int rc;
	if (cal_ready(self) < 0 || to_lunar(arg, &l) < 0)
		return NULL;
	rc = dvc_calendar_lunar_to_solar(self->cal, l, &d);
	if (rc < 0)
		return raise_dvc(rc);
	return date_obj(d);
}

static PyMethodDef Calendar_methods[] = {
	{"load_schedule", (PyCFunction)Calendar_load_schedule, METH_O,
	 "load_schedule($self, source)\n--\n\nLoad one year's official schedule (format \"dvc-calendar-schedule\"),\n"
	 "replacing what that year had. `source` is the JSON text (str or bytes)\n"
	 "or a path. All-or-nothing. Raises dvc.Parse, dvc.Schema (with .path),\n"
	 "dvc.FormatVersion, dvc.OutOfRange, dvc.IO."},
	{"clear_schedule", (PyCFunction)Calendar_clear_schedule, METH_O,
	 "clear_schedule($self, year)\n--\n\nForget the schedule of `year`: the statutory holiday rules apply again."},
	{"schedule_source", (PyCFunction)Calendar_schedule_source, METH_O,
	 "schedule_source($self, year)\n--\n\nThe \"source\" text of the year's official schedule, or None when\n"
	 "the year follows the statutory rules."},
	{"day", (PyCFunction)Calendar_day, METH_O,
	 "day($self, date)\n--\n\nDescribe one day: {'date', 'kind', 'working', 'name'}. kind is one of\n"
	 "'working', 'weekend', 'holiday', 'compensatory', 'off', 'swapped_working';\n"
	 "name is the Vietnamese reason or None."},
	{"is_working_day", (PyCFunction)Calendar_is_working_day, METH_O,
	 "is_working_day($self, date)\n--\n\nTrue on a working day (including a rest day made working)."},
	{"special_days", (PyCFunction)Calendar_special_days, METH_O,
	 "special_days($self, year)\n--\n\nEvery day of `year` that differs from the weekly pattern (holidays,\n"
	 "compensatory days, days off, swapped working days), in date order, as\n"
	 "dicts like day()."},
	{"add_days", (PyCFunction)Calendar_add_days, METH_VARARGS,
	 "add_days($self, start, days)\n--\n\nThe deadline `days` working days after `start` (an aware datetime):\n"
	 "one day is one day's office time. Negative counts back."},
	{"add_hours", (PyCFunction)Calendar_add_hours, METH_VARARGS,
	 "add_hours($self, start, hours)\n--\n\nThe instant by which `hours` of office time have elapsed after `start`."},
	{"add_minutes", (PyCFunction)Calendar_add_minutes, METH_VARARGS,
	 "add_minutes($self, start, minutes)\n--\n\nLike add_hours() with minutes."},
	{"add_seconds", (PyCFunction)Calendar_add_seconds, METH_VARARGS,
	 "add_seconds($self, start, seconds)\n--\n\nLike add_hours() with seconds."},
	{"between", (PyCFunction)Calendar_between, METH_VARARGS,
	 "between($self, a, b)\n--\n\nOffice time between two instants as a timedelta (negative when b < a)."},
	{"next_working", (PyCFunction)Calendar_next_working, METH_O,
	 "next_working($self, t)\n--\n\nThe first instant at or after `t` inside office hours of a working day."},
	{"lunar_from_solar", (PyCFunction)Calendar_lunar_from_solar, METH_O,
	 "lunar_from_solar($self, date)\n--\n\nSolar date to LunarDate (UTC+7), through the precomputed table."},
	{"lunar_to_solar", (PyCFunction)Calendar_lunar_to_solar, METH_O,
	 "lunar_to_solar($self, lunar)\n--\n\nLunarDate or (year, month, day[, leap]) to a solar date.\n"
	 "Raises dvc.InvalidDate when that lunar date does not exist."},
	{NULL, NULL, 0, NULL}};

static PyGetSetDef Calendar_getset[] = {
	{"day_seconds", (getter)Calendar_get_day_seconds, NULL,
	 "Seconds of office time in one working day (27000 by default).", NULL},
	{NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject CalendarType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "dvc._dvc.Calendar",
	.tp_basicsize = sizeof(CalendarObject),
	.tp_dealloc = (destructor)Calendar_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.tp_doc = "Calendar(*, am_start='07:30', am_end='11:30', pm_start='13:30', pm_end='17:00',\n"
		  "         rest_days=(5, 6), round_to_end_of_day=False, builtin_schedules=True)\n--\n\n"
		  "The working-time calendar of Vietnamese offices: lunar calendar, holidays\n"
		  "and official schedules (2018-2026 built in), office-time arithmetic.\n"
		  "rest_days are Python weekday numbers (Monday=0 .. Sunday=6).",
	.tp_methods = Calendar_methods,
	.tp_getset = Calendar_getset,
	.tp_init = (initproc)Calendar_init,
	.tp_new = PyType_GenericNew,
};

/* =====================================================================
 * Store
 * ===================================================================== */

enum { CLOCK_SYSTEM = 0, CLOCK_FIXED = 1, CLOCK_PYTHON = 2 };

typedef struct StoreObject {
	PyObject_HEAD
	dvc_db *db;
	PyThread_type_lock lock;
	unsigned long owner; /* thread holding `lock`, 0 when free */
	int clock_mode;
	dvc_time fixed_now;
	PyObject *clock_fn;  /* CLOCK_PYTHON: the callable */
	PyObject *clock_exc; /* exception raised by clock_fn during a call */
	PyObject *calendar;  /* CalendarObject in use, or NULL */
	PyObject *path;
	PyObject *weakrefs;
} StoreObject;

static PyTypeObject StoreType;

/* Take the store for this method: its lock (waiting without the GIL). */
static int store_enter(StoreObject *self)
{
	unsigned long me = PyThread_get_thread_ident();
	if (!self->lock) {
		PyErr_SetString(PyExc_RuntimeError, "Store.__init__ was not called");
		return -1;
	}
	if (self->owner == me) {
		PyErr_SetString(PyExc_RuntimeError,
				"the store is already in a call on this thread (a clock callback must not use it)");
		return -1;
	}
	if (!PyThread_acquire_lock(self->lock, NOWAIT_LOCK)) {
		Py_BEGIN_ALLOW_THREADS
		PyThread_acquire_lock(self->lock, WAIT_LOCK);
		Py_END_ALLOW_THREADS
	}
	self->owner = me;
	if (!self->db) {
		self->owner = 0;
		PyThread_release_lock(self->lock);
		PyErr_SetString(PyExc_ValueError, "the store is closed");
		return -1;
	}
	return 0;
}

static void store_leave(StoreObject *self)
{
	self->owner = 0;
	PyThread_release_lock(self->lock);
}

/* After a C call: raise what the clock callback raised, else the status. */
static int store_check(StoreObject *self, int rc)
{
	if (self->clock_exc) {
		PyObject *e = self->clock_exc;
		self->clock_exc = NULL;
		PyErr_SetObject((PyObject *)Py_TYPE(e), e);
		Py_DECREF(e);
		return -1;
	}
	if (rc < 0) {
		raise_dvc(rc);
		return -1;
	}
	return 0;
}

/* Run `stmt` (which sets rc) without the GIL. */
#define NOGIL(stmt)                  \
	do {                         \
		Py_BEGIN_ALLOW_THREADS \
		stmt;                \
		Py_END_ALLOW_THREADS   \
	} while (0)

/* Clocks installed with dvc_set_clock(); ctx is the StoreObject. */
static int fixed_clock(void *ctx, dvc_time *out)
{
	*out = ((StoreObject *)ctx)->fixed_now;
	return 0;
}

/* A raising callback fails the clock: the library then refuses the call
 * (DVC_EUSER) with nothing written, and the exception is raised. */
static int python_clock(void *ctx, dvc_time *out)
{
	StoreObject *self = ctx;
	PyGILState_STATE g = PyGILState_Ensure();
	dvc_time t = 0;
	int failed = 0;
	PyObject *r = self->clock_fn ? PyObject_CallNoArgs(self->clock_fn) : NULL;
	if (!r || to_time(r, &t) < 0) {
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_RuntimeError, "clock callback vanished");
		if (!self->clock_exc) {
#if PY_VERSION_HEX >= 0x030C0000
			self->clock_exc = PyErr_GetRaisedException();
#else
			PyObject *type, *value, *tb;
			PyErr_Fetch(&type, &value, &tb);
			PyErr_NormalizeException(&type, &value, &tb);
			if (tb)
				PyException_SetTraceback(value, tb);
			Py_XDECREF(type);
			Py_XDECREF(tb);
			self->clock_exc = value;
#endif
		} else {
			PyErr_Clear();
		}
		failed = 1;
	}
	Py_XDECREF(r);
	PyGILState_Release(g);
	*out = t;
	return failed ? -1 : 0;
}

static void store_detach_calendar(StoreObject *self)
{
	if (self->calendar) {
		((CalendarObject *)self->calendar)->attached--;
		Py_CLEAR(self->calendar);
	}
}

static void store_close_handle(StoreObject *self)
{
	dvc_db *db = self->db;
	self->db = NULL;
	if (db)
		NOGIL(dvc_close(db));
	store_detach_calendar(self);
	Py_CLEAR(self->clock_fn);
	Py_CLEAR(self->clock_exc);
}

static int Store_init(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"path", "readonly", "create", "busy_timeout_ms", NULL};
	PyObject *path_arg = NULL, *path = NULL;
	int readonly = 0, create = 1, busy = 5000, rc;
	dvc_open_opts o = DVC_OPEN_OPTS_INIT;
	dvc_db *db = NULL;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O$ppi:Store", kwlist, &path_arg, &readonly, &create, &busy))
		return -1;
	if (self->db) {
		PyErr_SetString(PyExc_RuntimeError, "Store is already open");
		return -1;
	}
	if (!path_arg)
		path = PyBytes_FromString(":memory:");
	else if (!PyUnicode_FSConverter(path_arg, &path))
		return -1;
	if (!path)
		return -1;
	if (!self->lock) {
		self->lock = PyThread_allocate_lock();
		if (!self->lock) {
			Py_DECREF(path);
			PyErr_NoMemory();
			return -1;
		}
	}
	o.flags = (create ? DVC_OPEN_CREATE : 0u) | (readonly ? DVC_OPEN_READONLY : 0u);
	o.busy_timeout_ms = busy;
	NOGIL(rc = dvc_open(&db, PyBytes_AS_STRING(path), &o));
	if (rc < 0) {
		Py_DECREF(path);
		raise_dvc(rc);
		return -1;
	}
	self->db = db;
	Py_XSETREF(self->path, PyUnicode_DecodeFSDefault(PyBytes_AS_STRING(path)));
	Py_DECREF(path);
	self->clock_mode = CLOCK_SYSTEM;
	return self->path ? 0 : -1;
}

static void Store_dealloc(StoreObject *self)
{
	PyObject_GC_UnTrack(self);
	if (self->weakrefs)
		PyObject_ClearWeakRefs((PyObject *)self);
	store_close_handle(self);
	if (self->lock)
		PyThread_free_lock(self->lock);
	Py_CLEAR(self->path);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Store_traverse(StoreObject *self, visitproc visit, void *arg)
{
	Py_VISIT(self->clock_fn);
	Py_VISIT(self->calendar);
	return 0;
}

static int Store_clear(StoreObject *self)
{
	/* breaking a cycle through the clock callback: the handle stops using it */
	if (self->db && self->clock_mode == CLOCK_PYTHON) {
		dvc_set_clock(self->db, NULL, NULL);
		self->clock_mode = CLOCK_SYSTEM;
	}
	Py_CLEAR(self->clock_fn);
	return 0;
}

static PyObject *Store_close(StoreObject *self, PyObject *unused)
{
	(void)unused;
	if (!self->lock || !self->db)
		Py_RETURN_NONE;
	if (self->owner == PyThread_get_thread_ident()) {
		PyErr_SetString(PyExc_RuntimeError, "cannot close the store from inside one of its calls");
		return NULL;
	}
	if (!PyThread_acquire_lock(self->lock, NOWAIT_LOCK)) {
		Py_BEGIN_ALLOW_THREADS
		PyThread_acquire_lock(self->lock, WAIT_LOCK);
		Py_END_ALLOW_THREADS
	}
	self->owner = PyThread_get_thread_ident();
	store_close_handle(self);
	self->owner = 0;
	PyThread_release_lock(self->lock);
	Py_RETURN_NONE;
}

static PyObject *Store_get_closed(StoreObject *self, void *c)
{
	(void)c;
	return PyBool_FromLong(self->db == NULL);
}

static PyObject *Store_get_path(StoreObject *self, void *c)
{
	(void)c;
	if (!self->path)
		Py_RETURN_NONE;
	Py_INCREF(self->path);
	return self->path;
}

static PyObject *Store_schema_version(StoreObject *self, PyObject *unused)
{
	int v = 0, rc;
	(void)unused;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_schema_version(self->db, &v));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	return PyLong_FromLong(v);
}

typedef int (*db_fn)(dvc_db *);

static PyObject *store_simple(StoreObject *self, db_fn fn)
{
	int rc;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = fn(self->db));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *Store_begin(StoreObject *self, PyObject *u)
{
	(void)u;
	return store_simple(self, dvc_begin);
}
static PyObject *Store_commit(StoreObject *self, PyObject *u)
{
	(void)u;
	return store_simple(self, dvc_commit);
}
static PyObject *Store_rollback(StoreObject *self, PyObject *u)
{
	(void)u;
	return store_simple(self, dvc_rollback);
}

static PyObject *Store_get_in_transaction(StoreObject *self, void *c)
{
	int v;
	(void)c;
	if (store_enter(self) < 0)
		return NULL;
	v = dvc_in_transaction(self->db);
	store_leave(self);
	return PyBool_FromLong(v);
}

/* ---- clock ---- */

static PyObject *Store_now(StoreObject *self, PyObject *u)
{
	dvc_time t;
	int rc;
	(void)u;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_now(self->db, &t));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	return time_obj(t);
}

static PyObject *Store_set_time(StoreObject *self, PyObject *arg)
{
	dvc_time t = 0;
	if (arg != Py_None && to_time(arg, &t) < 0)
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	Py_CLEAR(self->clock_fn);
	if (arg == Py_None) {
		self->clock_mode = CLOCK_SYSTEM;
		dvc_set_clock(self->db, NULL, NULL);
	} else {
		self->clock_mode = CLOCK_FIXED;
		self->fixed_now = t;
		dvc_set_clock(self->db, fixed_clock, self);
	}
	store_leave(self);
	Py_RETURN_NONE;
}

static PyObject *Store_set_clock(StoreObject *self, PyObject *arg)
{
	if (arg != Py_None && !PyCallable_Check(arg)) {
		PyErr_SetString(PyExc_TypeError, "set_clock() takes a callable returning an aware datetime, or None");
		return NULL;
	}
	if (store_enter(self) < 0)
		return NULL;
	if (arg == Py_None) {
		Py_CLEAR(self->clock_fn);
		self->clock_mode = CLOCK_SYSTEM;
		dvc_set_clock(self->db, NULL, NULL);
	} else {
		Py_INCREF(arg);
		Py_XSETREF(self->clock_fn, arg);
		self->clock_mode = CLOCK_PYTHON;
		dvc_set_clock(self->db, python_clock, self);
	}
	store_leave(self);
	Py_RETURN_NONE;
}

static PyObject *Store_get_clock_mode(StoreObject *self, void *c)
{
	static const char *const modes[] = {"system", "fixed", "callable"};
	(void)c;
	return PyUnicode_FromString(modes[self->clock_mode]);
}

static PyObject *Store_set_calendar(StoreObject *self, PyObject *arg)
{
	if (arg != Py_None && !PyObject_TypeCheck(arg, &CalendarType)) {
		PyErr_SetString(PyExc_TypeError, "set_calendar() takes a dvc.Calendar or None");
		return NULL;
	}
	if (arg != Py_None && cal_ready((CalendarObject *)arg) < 0)
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	dvc_set_calendar(self->db, arg == Py_None ? NULL : ((CalendarObject *)arg)->cal);
	store_detach_calendar(self);
	if (arg != Py_None) {
		Py_INCREF(arg);
		self->calendar = arg;
		((CalendarObject *)arg)->attached++;
	}
	store_leave(self);
	Py_RETURN_NONE;
}

/* ---- catalog ---- */

static int parse_format(const char *s, dvc_format *out)
{
	if (!s || strcmp(s, "auto") == 0)
		*out = DVC_FORMAT_AUTO;
	else if (strcmp(s, "json") == 0)
		*out = DVC_FORMAT_JSON;
	else if (strcmp(s, "xml") == 0)
		*out = DVC_FORMAT_XML;
	else {
		PyErr_Format(PyExc_ValueError, "unknown format %s (json, xml)", s);
		return -1;
	}
	return 0;
}

static PyObject *Store_import_catalog(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"source", "format", NULL};
	PyObject *src, *hold = NULL, *res;
	const char *fmt_s = NULL, *data = NULL;
	size_t len = 0;
	dvc_format fmt;
	dvc_import_stats st = DVC_IMPORT_STATS_INIT;
	int rc, is_path;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|z:import_catalog", kwlist, &src, &fmt_s))
		return NULL;
	if (parse_format(fmt_s, &fmt) < 0)
		return NULL;
	is_path = !(PyBytes_Check(src) || (PyUnicode_Check(src) && looks_like_document(src)));
	if (is_path) {
		if (!PyUnicode_FSConverter(src, &hold))
			return NULL;
		data = PyBytes_AS_STRING(hold);
	} else if (!(hold = doc_buffer(src, &data, &len, "source"))) {
		return NULL;
	}
	if (store_enter(self) < 0) {
		Py_DECREF(hold);
		return NULL;
	}
	if (is_path)
		NOGIL(rc = dvc_catalog_import_file(self->db, data, fmt, &st));
	else
		NOGIL(rc = dvc_catalog_import(self->db, data, len, fmt, &st));
	store_leave(self);
	Py_DECREF(hold);
	if (store_check(self, rc) < 0)
		return NULL;
	res = Py_BuildValue("{s:n,s:n,s:n,s:n,s:n,s:n}", "levels", (Py_ssize_t)st.levels, "sectors",
			    (Py_ssize_t)st.sectors, "agencies", (Py_ssize_t)st.agencies, "procedures",
			    (Py_ssize_t)st.procedures, "versions_added", (Py_ssize_t)st.versions_added,
			    "versions_same", (Py_ssize_t)st.versions_same);
	return res;
}

static PyObject *Store_export_catalog(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"format", NULL};
	const char *fmt_s = "json";
	dvc_format fmt;
	char *out = NULL;
	size_t len = 0;
	PyObject *r;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|s:export_catalog", kwlist, &fmt_s))
		return NULL;
	if (parse_format(fmt_s, &fmt) < 0)
		return NULL;
	if (fmt == DVC_FORMAT_AUTO)
		fmt = DVC_FORMAT_JSON;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_catalog_export(self->db, fmt, &out, &len));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	r = PyUnicode_DecodeUTF8(out, (Py_ssize_t)len, "strict");
	dvc_free(out);
	return r;
}

static PyObject *hit_dict(const dvc_search_hit *h)
{
	PyObject *o = PyDict_New();
	if (!o)
		return NULL;
	PUT(o, "code", str_or_none(h->code));
	PUT(o, "version", PyLong_FromLong(h->version));
	PUT(o, "name", str_or_none(h->name));
	PUT(o, "sector", str_or_none(h->sector));
	PUT(o, "agency", str_or_none(h->agency));
	PUT(o, "online_level", PyLong_FromLong(h->online_level));
	PUT(o, "online_mode", NAME(ONLINE_MODES, h->online_mode));
	PUT(o, "match", NAME(MATCHES, h->match));
	PUT(o, "score", PyFloat_FromDouble(h->score));
	return o;
fail:
	Py_DECREF(o);
	return NULL;
}

static PyObject *Store_search(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"text", "sector", "level", "online_level", "agency", "limit", "asof", NULL};
	const char *text = NULL;
	dvc_search_opts o = DVC_SEARCH_OPTS_INIT;
	Py_ssize_t limit = 50;
	opt_date_arg asof = {0, {0, 0, 0}};
	dvc_search_result *r = NULL;
	PyObject *l;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|z$zziznO&:search", kwlist, &text, &o.sector, &o.level,
					 &o.online_level, &o.agency, &limit, conv_opt_date, &asof))
		return NULL;
	if (limit < 0) {
		PyErr_SetString(PyExc_ValueError, "limit must be >= 0");
		return NULL;
	}
	o.limit = (size_t)limit;
	o.asof = asof.set ? &asof.d : NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_catalog_search(self->db, text, &o, &r));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	l = PyList_New(0);
	for (size_t i = 0; l && i < dvc_search_result_count(r); i++)
		if (append(l, hit_dict(dvc_search_result_at(r, i))) < 0)
			Py_CLEAR(l);
	dvc_search_result_free(r);
	return l;
}

static PyObject *procedure_dict(const dvc_procedure *p)
{
	PyObject *o = PyDict_New(), *l = NULL;
	if (!o)
		return NULL;
	PUT(o, "code", str_or_none(p->code));
	PUT(o, "version", PyLong_FromLong(p->version));
	PUT(o, "valid_from", date_obj(p->valid_from));
	if (p->has_valid_to)
		PUT(o, "valid_to", date_obj(p->valid_to));
	else
		PUT(o, "valid_to", str_or_none(NULL));
	PUT(o, "name", str_or_none(p->name));
	PUT(o, "sector", str_or_none(p->sector));
	PUT(o, "agency", str_or_none(p->agency));
	PUT(o, "levels", str_list(p->levels, p->n_levels));
	PUT(o, "online_level", PyLong_FromLong(p->online_level));
	PUT(o, "online_mode", NAME(ONLINE_MODES, p->online_mode));
	PUT(o, "deadline", Py_BuildValue("{s:i,s:N}", "value", p->deadline_value, "unit",
					 NAME(DEADLINE_UNITS, p->deadline_unit)));
	PUT(o, "result_type", str_or_none(p->result_type));
	PUT(o, "legal_basis", str_list(p->legal_basis, p->n_legal_basis));
	if (!(l = PyList_New(0)))
		goto fail;
	for (size_t i = 0; i < p->n_documents; i++) {
		const dvc_document *d = &p->documents[i];
		if (append(l, Py_BuildValue("{s:s,s:N,s:i,s:N}", "name", d->name, "form", NAME(DOC_FORMS, d->form),
					    "count", d->count, "submission", NAME(DOC_SUBMISSIONS, d->submission))) < 0)
			goto fail;
	}
	PUT(o, "documents", l);
	if (!(l = PyList_New(0)))
		goto fail;
	for (size_t i = 0; i < p->n_fees; i++) {
		const dvc_fee *f = &p->fees[i];
		if (append(l, Py_BuildValue("{s:s,s:N,s:L,s:s}", "name", f->name, "kind", NAME(FEE_KINDS, f->kind),
					    "amount", (long long)f->amount, "note", f->note)) < 0)
			goto fail;
	}
	PUT(o, "fees", l);
	PUT(o, "unconfirmed", str_list(p->unconfirmed, p->n_unconfirmed));
	if (!(l = PyList_New(0)))
		goto fail;
	for (size_t i = 0; i < p->n_route; i++) {
		const dvc_route_step *s = &p->route[i];
		if (append(l, Py_BuildValue("{s:s,s:s,s:i}", "unit", s->unit, "role", dvc_role_name(s->role), "share",
					    s->share)) < 0)
			goto fail;
	}
	PUT(o, "route", l);
	l = NULL;
	if (p->form_schema)
		PUT(o, "form_schema", PyObject_CallFunction(g_json_loads, "s", p->form_schema));
	else
		PUT(o, "form_schema", str_or_none(NULL));
	return o;
fail:
	Py_XDECREF(l);
	Py_DECREF(o);
	return NULL;
}

static PyObject *Store_procedure(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"code", "asof", "version", NULL};
	const char *code;
	opt_date_arg asof = {0, {0, 0, 0}};
	PyObject *ver = Py_None, *res;
	long v = 0;
	dvc_procedure *p = NULL;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "s|O&$O:procedure", kwlist, &code, conv_opt_date, &asof, &ver))
		return NULL;
	if (ver != Py_None) {
		v = PyLong_AsLong(ver);
		if (v == -1 && PyErr_Occurred())
			return NULL;
		if (asof.set) {
			PyErr_SetString(PyExc_ValueError, "give asof or version, not both");
			return NULL;
		}
		if (v < 1 || v > 1000000) {
			PyErr_SetString(PyExc_ValueError, "version must be >= 1");
			return NULL;
		}
	}
	if (store_enter(self) < 0)
		return NULL;
	if (ver != Py_None)
		NOGIL(rc = dvc_procedure_get_version(self->db, code, (int)v, &p));
	else
		NOGIL(rc = dvc_procedure_get(self->db, code, asof.set ? &asof.d : NULL, &p));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	res = procedure_dict(p);
	dvc_procedure_free(p);
	return res;
}

static PyObject *Store_catalog_stats(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"asof", NULL};
	opt_date_arg asof = {0, {0, 0, 0}};
	dvc_catalog_stats *s = NULL;
	PyObject *o = NULL, *l = NULL;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&:catalog_stats", kwlist, conv_opt_date, &asof))
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_catalog_stats_compute(self->db, asof.set ? &asof.d : NULL, &s));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	if (!(l = PyList_New(0)))
		goto fail;
	for (size_t i = 0; i < dvc_catalog_stats_count(s); i++) {
		const dvc_stat_row *r = dvc_catalog_stats_at(s, i);
		if (append(l, Py_BuildValue("{s:s,s:s,s:s,s:L}", "dimension", r->dimension, "key", r->key, "label",
					    r->label, "count", (long long)r->count)) < 0)
			goto fail;
	}
	o = Py_BuildValue("{s:L,s:O}", "total", (long long)dvc_catalog_stats_total(s), "rows", l);
fail:
	Py_XDECREF(l);
	dvc_catalog_stats_free(s);
	return o;
}

/* ---- accounts ---- */

static const char *const APPLICANT_KEYS[] = {"full_name", "citizen_id", "birth_date", "address", "phone", "email"};

typedef struct applicant_arg {
	dvc_applicant a;
	PyObject *hold[6];
} applicant_arg;

static void applicant_release(applicant_arg *b)
{
	for (size_t i = 0; i < N_ELEMS(b->hold); i++)
		Py_CLEAR(b->hold[i]);
}

/* An applicant from a mapping with the keys above (unknown keys refused). */
static int applicant_from(PyObject *m, applicant_arg *b)
{
	const char **fields[6];
	PyObject *keys = NULL;
	memset(b, 0, sizeof *b);
	fields[0] = &b->a.full_name;
	fields[1] = &b->a.citizen_id;
	fields[2] = &b->a.birth_date;
	fields[3] = &b->a.address;
	fields[4] = &b->a.phone;
	fields[5] = &b->a.email;
	if (!PyMapping_Check(m) || PyUnicode_Check(m)) {
		PyErr_SetString(PyExc_TypeError, "applicant must be a mapping (dict) of applicant fields");
		return -1;
	}
	if (!(keys = PyMapping_Keys(m)))
		return -1;
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(keys); i++) {
		PyObject *k = PyList_GET_ITEM(keys, i);
		const char *ks = PyUnicode_Check(k) ? PyUnicode_AsUTF8(k) : NULL;
		size_t j;
		if (!ks) {
			PyErr_Clear();
			PyErr_Format(PyExc_TypeError, "applicant keys must be str, not %R", k);
			goto fail;
		}
		for (j = 0; j < N_ELEMS(APPLICANT_KEYS) && strcmp(ks, APPLICANT_KEYS[j]) != 0; j++)
			;
		if (j == N_ELEMS(APPLICANT_KEYS)) {
			PyErr_Format(PyExc_TypeError,
				     "unknown applicant field %R (full_name, citizen_id, birth_date, address, phone, email)",
				     k);
			goto fail;
		}
	}
	Py_CLEAR(keys);
	for (size_t j = 0; j < N_ELEMS(APPLICANT_KEYS); j++) {
		PyObject *v = PyMapping_HasKeyString(m, APPLICANT_KEYS[j]) ? PyMapping_GetItemString(m, APPLICANT_KEYS[j])
									   : NULL;
		if (!v) {
			if (PyErr_Occurred())
				goto fail;
			continue;
		}
		if (PyDate_Check(v) && !PyDateTime_Check(v)) { /* birth_date as a date */
			PyObject *s = PyObject_CallMethod(v, "isoformat", NULL);
			Py_DECREF(v);
			if (!s)
				goto fail;
			v = s;
		}
		b->hold[j] = v;
		if (utf8_of(v, fields[j], APPLICANT_KEYS[j], 1) < 0)
			goto fail;
	}
	return 0;
fail:
	Py_XDECREF(keys);
	applicant_release(b);
	return -1;
}

static PyObject *applicant_dict(const dvc_applicant *a)
{
	return Py_BuildValue("{s:s,s:s,s:s,s:s,s:s,s:s}", "full_name", a->full_name, "citizen_id", a->citizen_id,
			     "birth_date", a->birth_date, "address", a->address, "phone", a->phone, "email",
			     a->email);
}

static PyObject *Store_register_account(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"username", "password", "applicant", NULL};
	const char *user, *pass;
	PyObject *m;
	applicant_arg ap;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "ssO:register_account", kwlist, &user, &pass, &m))
		return NULL;
	if (applicant_from(m, &ap) < 0)
		return NULL;
	if (store_enter(self) < 0) {
		applicant_release(&ap);
		return NULL;
	}
	NOGIL(rc = dvc_account_register(self->db, user, pass, &ap.a));
	store_leave(self);
	applicant_release(&ap);
	if (store_check(self, rc) < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *Store_login(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"username", "password", NULL};
	const char *user, *pass;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "ss:login", kwlist, &user, &pass))
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_account_login(self->db, user, pass));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *Store_account(StoreObject *self, PyObject *args)
{
	const char *user;
	dvc_account *a = NULL;
	PyObject *r;
	int rc;
	if (!PyArg_ParseTuple(args, "s:account", &user))
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_account_get(self->db, user, &a));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	r = Py_BuildValue("{s:s,s:N,s:N}", "username", a->username, "profile", applicant_dict(&a->profile),
			  "created_at", time_obj(a->created_at));
	dvc_account_free(a);
	return r;
}

static int parse_role(const char *s, dvc_role *out)
{
	int rc = dvc_role_parse(s, out);
	if (rc < 0) {
		raise_dvc(rc);
		return -1;
	}
	return 0;
}

static PyObject *Store_add_officer(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"username", "full_name", "unit", "role", NULL};
	const char *user, *name, *unit, *role_s;
	dvc_role role;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "ssss:add_officer", kwlist, &user, &name, &unit, &role_s))
		return NULL;
	if (parse_role(role_s, &role) < 0)
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_officer_add(self->db, user, name, unit, role));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *Store_officer(StoreObject *self, PyObject *args)
{
	const char *user;
	dvc_officer *o = NULL;
	PyObject *r;
	int rc;
	if (!PyArg_ParseTuple(args, "s:officer", &user))
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_officer_get(self->db, user, &o));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	r = Py_BuildValue("{s:s,s:s,s:s,s:s}", "username", o->username, "full_name", o->full_name, "unit", o->unit,
			  "role", dvc_role_name(o->role));
	dvc_officer_free(o);
	return r;
}

/* ---- dossiers ---- */

static PyObject *Store_submit(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"procedure", "applicant", "account", "channel", "form", "draft",
				 "officer", "copies", "pages", "fee_exemption", NULL};
	dvc_submission s = DVC_SUBMISSION_INIT;
	PyObject *app = Py_None, *form = Py_None, *form_json = NULL, *r = NULL;
	const char *channel = "online";
	applicant_arg ap;
	dvc_receipt rec = DVC_RECEIPT_INIT;
	int rc, have_app = 0;

	memset(&ap, 0, sizeof ap);
	if (!PyArg_ParseTupleAndKeywords(args, kw, "s|$OzsOpziiz:submit", kwlist, &s.procedure, &app, &s.account,
					 &channel, &form, &s.draft, &s.officer, &s.copies, &s.pages,
					 &s.fee_exemption))
		return NULL;
	if ((rc = dvc_channel_parse(channel, &s.channel)) < 0)
		return raise_dvc(rc);
	if (app != Py_None) {
		if (applicant_from(app, &ap) < 0)
			return NULL;
		have_app = 1;
		s.applicant = &ap.a;
	}
	if (form != Py_None) {
		if (!(form_json = json_text(form)) || utf8_of(form_json, &s.form_data, "form", 0) < 0)
			goto done;
	}
	if (store_enter(self) < 0)
		goto done;
	NOGIL(rc = dvc_dossier_submit(self->db, &s, &rec));
	store_leave(self);
	if (store_check(self, rc) < 0)
		goto done;
	r = PyStructSequence_New(ReceiptType);
	if (r) {
		PyStructSequence_SET_ITEM(r, 0, PyUnicode_FromString(rec.code));
		PyStructSequence_SET_ITEM(r, 1, str_or_none(rec.secret[0] ? rec.secret : NULL));
		if (!PyStructSequence_GET_ITEM(r, 0) || !PyStructSequence_GET_ITEM(r, 1))
			Py_CLEAR(r);
	}
done:
	if (have_app)
		applicant_release(&ap);
	Py_XDECREF(form_json);
	return r;
}

/* The actor: exactly one of officer=, account=, secret=. */
static int actor_from(PyObject *officer, PyObject *account, PyObject *secret, dvc_actor *a)
{
	int n = (officer != Py_None) + (account != Py_None) + (secret != Py_None);
	if (n != 1) {
		PyErr_SetString(PyExc_TypeError, "give exactly one of officer=, account= or secret=");
		return -1;
	}
	a->name = NULL;
	a->secret = NULL;
	if (officer != Py_None) {
		a->kind = DVC_ACTOR_OFFICER;
		return utf8_of(officer, &a->name, "officer", 0);
	}
	if (account != Py_None) {
		a->kind = DVC_ACTOR_ACCOUNT;
		return utf8_of(account, &a->name, "account", 0);
	}
	a->kind = DVC_ACTOR_ANONYMOUS;
	return utf8_of(secret, &a->secret, "secret", 0);
}

static PyObject *Store_act(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"code", "action", "officer", "account", "secret", "note", "target",
				 "new_due", "expected_version", "delivery", "payload", NULL};
	const char *code, *action;
	PyObject *officer = Py_None, *account = Py_None, *secret = Py_None, *exp = Py_None, *delivery = Py_None,
		 *payload = Py_None;
	opt_time_arg due = {0, 0};
	dvc_action_req req = DVC_ACTION_INIT;
	int64_t newv = 0;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "ss|$OOOzzO&OOO:act", kwlist, &code, &action, &officer, &account,
					 &secret, &req.note, &req.target, conv_opt_time, &due, &exp, &delivery,
					 &payload))
		return NULL;
	if ((rc = dvc_action_parse(action, &req.action)) < 0)
		return raise_dvc(rc);
	if (actor_from(officer, account, secret, &req.actor) < 0)
		return NULL;
	req.new_due = due.t;
	if (exp != Py_None) {
		long long v = PyLong_AsLongLong(exp);
		if (v == -1 && PyErr_Occurred())
			return NULL;
		if (v < 0) {
			PyErr_SetString(PyExc_ValueError, "expected_version must be >= 0");
			return NULL;
		}
		req.expected_version = v;
	}
	if (delivery != Py_None) {
		int d;
		if (PARSE_NAME(DELIVERIES, delivery, "delivery", &d) < 0)
			return NULL;
		req.delivery = (dvc_delivery)d;
	}
	if (payload != Py_None) {
		if (PyBytes_Check(payload)) {
			req.payload = PyBytes_AS_STRING(payload);
			if ((size_t)PyBytes_GET_SIZE(payload) != strlen(req.payload)) {
				PyErr_SetString(PyExc_ValueError, "payload contains a NUL byte");
				return NULL;
			}
		} else if (utf8_of(payload, &req.payload, "payload", 0) < 0) {
			return NULL;
		}
	}
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_dossier_act(self->db, code, &req, &newv));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	return PyLong_FromLongLong((long long)newv);
}

static PyObject *journal_dict(const dvc_journal_entry *e)
{
	PyObject *o = PyDict_New();
	if (!o)
		return NULL;
	PUT(o, "seq", PyLong_FromLongLong((long long)e->seq));
	PUT(o, "at", time_obj(e->at));
	PUT(o, "actor", str_or_none(e->actor));
	PUT(o, "unit", str_or_none(e->unit));
	PUT(o, "action", str_or_none(dvc_action_name(e->action)));
	PUT(o, "from", str_or_none(dvc_state_name(e->from)));
	PUT(o, "to", str_or_none(dvc_state_name(e->to)));
	PUT(o, "note", str_or_none(e->note));
	PUT(o, "payload_digest", str_or_none(e->payload_digest[0] ? e->payload_digest : NULL));
	PUT(o, "hash", str_or_none(e->hash));
	return o;
fail:
	Py_DECREF(o);
	return NULL;
}

static PyObject *tracking_dict(const dvc_tracking *t)
{
	PyObject *o = PyDict_New(), *h;
	if (!o)
		return NULL;
	PUT(o, "code", str_or_none(t->code));
	PUT(o, "procedure", str_or_none(t->procedure));
	PUT(o, "procedure_version", PyLong_FromLong(t->procedure_version));
	PUT(o, "procedure_name", str_or_none(t->procedure_name));
	PUT(o, "channel", str_or_none(dvc_channel_name(t->channel)));
	PUT(o, "state", str_or_none(dvc_state_name(t->state)));
	PUT(o, "state_label", str_or_none(dvc_state_label_vi(t->state)));
	PUT(o, "version", PyLong_FromLongLong((long long)t->version));
	PUT(o, "applicant_name", str_or_none(t->applicant_name));
	PUT(o, "applicant", applicant_dict(&t->applicant));
	PUT(o, "step", PyLong_FromLong(t->step));
	PUT(o, "n_steps", PyLong_FromLong(t->n_steps));
	PUT(o, "unit", str_or_none(t->unit));
	PUT(o, "unit_name", str_or_none(t->unit_name));
	PUT(o, "step_role", str_or_none(dvc_role_name(t->step_role)));
	PUT(o, "handler", str_or_none(t->handler));
	PUT(o, "submitted_at", opt_time(t->submitted_at));
	PUT(o, "received_at", opt_time(t->received_at));
	PUT(o, "due_at", opt_time(t->due_at));
	PUT(o, "rescheduled_due_at", opt_time(t->rescheduled_due_at));
	PUT(o, "step_since", opt_time(t->step_since));
	PUT(o, "step_due_at", opt_time(t->step_due_at));
	PUT(o, "seconds_in_step", PyLong_FromLongLong((long long)t->seconds_in_step));
	PUT(o, "result_at", opt_time(t->result_at));
	PUT(o, "finished_at", opt_time(t->finished_at));
	PUT(o, "overdue", PyBool_FromLong(t->overdue));
	PUT(o, "step_overdue", PyBool_FromLong(t->step_overdue));
	PUT(o, "clock_stopped", PyBool_FromLong(t->clock_stopped));
	PUT(o, "delivery", NAME(DELIVERIES, t->delivery));
	PUT(o, "fee_due", PyLong_FromLongLong((long long)t->fee_due));
	PUT(o, "fee_paid", PyLong_FromLongLong((long long)t->fee_paid));
	PUT(o, "fee_refunded", PyLong_FromLongLong((long long)t->fee_refunded));
	PUT(o, "fee_exemption", str_or_none(t->fee_exemption));
	if (!(h = PyList_New(0)))
		goto fail;
	for (size_t i = 0; i < t->n_history; i++)
		if (append(h, journal_dict(&t->history[i])) < 0) {
			Py_DECREF(h);
			goto fail;
		}
	PUT(o, "history", h);
	return o;
fail:
	Py_DECREF(o);
	return NULL;
}

static PyObject *Store_track(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"code", "officer", "account", "secret", NULL};
	const char *code;
	PyObject *officer = Py_None, *account = Py_None, *secret = Py_None, *r;
	dvc_actor who;
	dvc_tracking *t = NULL;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "s|$OOO:track", kwlist, &code, &officer, &account, &secret))
		return NULL;
	if (actor_from(officer, account, secret, &who) < 0)
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_dossier_track(self->db, code, &who, &t));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	r = tracking_dict(t);
	dvc_tracking_free(t);
	return r;
}

static PyObject *row_dict(const dvc_dossier_row *r)
{
	PyObject *o = PyDict_New();
	if (!o)
		return NULL;
	PUT(o, "code", str_or_none(r->code));
	PUT(o, "procedure", str_or_none(r->procedure));
	PUT(o, "state", str_or_none(dvc_state_name(r->state)));
	PUT(o, "unit", str_or_none(r->unit));
	PUT(o, "handler", str_or_none(r->handler));
	PUT(o, "due_at", opt_time(r->due_at));
	PUT(o, "step_due_at", opt_time(r->step_due_at));
	PUT(o, "step_since", opt_time(r->step_since));
	PUT(o, "overdue", PyBool_FromLong(r->overdue));
	PUT(o, "step_overdue", PyBool_FromLong(r->step_overdue));
	return o;
fail:
	Py_DECREF(o);
	return NULL;
}

static PyObject *Store_list_dossiers(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"state", "unit", "overdue", "stuck", "limit", NULL};
	const char *state = NULL;
	Py_ssize_t limit = 0;
	dvc_dossier_filter f = DVC_DOSSIER_FILTER_INIT;
	dvc_dossier_list *dl = NULL;
	PyObject *l;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|$zzppn:list_dossiers", kwlist, &state, &f.unit, &f.overdue,
					 &f.step_overdue, &limit))
		return NULL;
	if (limit < 0) {
		PyErr_SetString(PyExc_ValueError, "limit must be >= 0");
		return NULL;
	}
	f.limit = (size_t)limit;
	if (state) {
		dvc_state st;
		if ((rc = dvc_state_parse(state, &st)) < 0)
			return raise_dvc(rc);
		f.state = (int)st;
	}
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_dossier_find(self->db, &f, &dl));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	l = PyList_New(0);
	for (size_t i = 0; l && i < dvc_dossier_list_count(dl); i++)
		if (append(l, row_dict(dvc_dossier_list_at(dl, i))) < 0)
			Py_CLEAR(l);
	dvc_dossier_list_free(dl);
	return l;
}

static PyObject *Store_verify(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"code", NULL};
	const char *code = NULL;
	size_t n = 0;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|z:verify", kwlist, &code))
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_dossier_verify(self->db, code, &n));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	return PyLong_FromSize_t(n);
}

/* ---- payments ---- */

static PyObject *Store_set_gateway(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"name", "secret", NULL};
	const char *name, *secret;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "ss:set_gateway", kwlist, &name, &secret))
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_payment_set_gateway(self->db, name, secret));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *Store_set_payment_expiry(StoreObject *self, PyObject *arg)
{
	long long s;
	if (PyDelta_Check(arg))
		s = (long long)PyDateTime_DELTA_GET_DAYS(arg) * 86400 + PyDateTime_DELTA_GET_SECONDS(arg);
	else if ((s = PyLong_AsLongLong(arg)) == -1 && PyErr_Occurred())
		return NULL;
	if (s <= 0) {
		PyErr_SetString(PyExc_ValueError, "the expiry must be positive");
		return NULL;
	}
	if (store_enter(self) < 0)
		return NULL;
	dvc_payment_set_expiry(self->db, (int64_t)s);
	store_leave(self);
	Py_RETURN_NONE;
}

static PyObject *Store_payment_request(StoreObject *self, PyObject *args)
{
	const char *code;
	dvc_payment_request_info info = DVC_PAYMENT_REQUEST_INFO_INIT;
	int rc;
	if (!PyArg_ParseTuple(args, "s:payment_request", &code))
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_payment_request(self->db, code, &info));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	return Py_BuildValue("{s:s,s:L,s:N}", "reference", info.reference, "amount", (long long)info.amount,
			     "expires_at", time_obj(info.expires_at));
}

static PyObject *Store_payment_callback(StoreObject *self, PyObject *args)
{
	const char *query;
	dvc_payment_result res = DVC_PAYMENT_RESULT_INIT;
	int rc;
	if (!PyArg_ParseTuple(args, "s:payment_callback", &query))
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_payment_callback(self->db, query, &res));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	return Py_BuildValue("{s:N,s:s,s:s,s:L}", "outcome", PyUnicode_FromString(dvc_payment_outcome_name(res.outcome)), "reference",
			     res.reference, "dossier", res.dossier, "amount", (long long)res.amount);
}

/* ---- outbox ---- */

static PyObject *message_dict(const dvc_message *m)
{
	PyObject *o = PyDict_New();
	if (!o)
		return NULL;
	PUT(o, "id", PyLong_FromLongLong((long long)m->id));
	PUT(o, "idempotency_key", str_or_none(m->idempotency_key));
	PUT(o, "dossier", str_or_none(m->dossier));
	PUT(o, "event", str_or_none(m->event));
	PUT(o, "channel", PyUnicode_FromString(dvc_notify_channel_name(m->channel)));
	PUT(o, "recipient", str_or_none(m->recipient));
	PUT(o, "subject", str_or_none(m->subject));
	PUT(o, "body", str_or_none(m->body));
	PUT(o, "ascii", PyBool_FromLong(m->ascii));
	PUT(o, "segments", PyLong_FromLong(m->segments));
	PUT(o, "state", PyUnicode_FromString(dvc_message_state_name(m->state)));
	PUT(o, "attempts", PyLong_FromLong(m->attempts));
	PUT(o, "next_attempt_at", opt_time(m->next_attempt_at));
	PUT(o, "last_error", str_or_none(m->last_error));
	return o;
fail:
	Py_DECREF(o);
	return NULL;
}

static PyObject *batch_list(dvc_message_batch *b)
{
	PyObject *l = PyList_New(0);
	for (size_t i = 0; l && i < dvc_message_batch_count(b); i++)
		if (append(l, message_dict(dvc_message_batch_at(b, i))) < 0)
			Py_CLEAR(l);
	dvc_message_batch_free(b);
	return l;
}

static PyObject *Store_outbox(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"code", NULL};
	const char *code = NULL;
	dvc_message_batch *b = NULL;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|z:outbox", kwlist, &code))
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_outbox_list(self->db, code, &b));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	return batch_list(b);
}

static PyObject *Store_outbox_fetch(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"max", NULL};
	Py_ssize_t max = 10;
	dvc_message_batch *b = NULL;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|n:outbox_fetch", kwlist, &max))
		return NULL;
	if (max <= 0) {
		PyErr_SetString(PyExc_ValueError, "max must be > 0");
		return NULL;
	}
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_outbox_fetch(self->db, (size_t)max, &b));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	return batch_list(b);
}

static PyObject *Store_outbox_mark_sent(StoreObject *self, PyObject *args)
{
	long long id;
	int rc;
	if (!PyArg_ParseTuple(args, "L:outbox_mark_sent", &id))
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_outbox_mark_sent(self->db, (int64_t)id));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *Store_outbox_mark_failed(StoreObject *self, PyObject *args)
{
	long long id;
	const char *err;
	int rc;
	if (!PyArg_ParseTuple(args, "Ls:outbox_mark_failed", &id, &err))
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_outbox_mark_failed(self->db, (int64_t)id, err));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *Store_set_notify_templates(StoreObject *self, PyObject *arg)
{
	PyObject *text = json_text(arg);
	const char *data;
	size_t len;
	PyObject *hold;
	int rc;
	if (!text)
		return NULL;
	hold = doc_buffer(text, &data, &len, "templates");
	Py_DECREF(text);
	if (!hold)
		return NULL;
	if (store_enter(self) < 0) {
		Py_DECREF(hold);
		return NULL;
	}
	NOGIL(rc = dvc_notify_set_templates(self->db, data, len));
	store_leave(self);
	Py_DECREF(hold);
	if (store_check(self, rc) < 0)
		return NULL;
	Py_RETURN_NONE;
}

/* ---- slips ---- */

static int parse_slip_format(const char *s, dvc_slip_format *out)
{
	if (strcmp(s, "html") == 0)
		*out = DVC_SLIP_HTML;
	else if (strcmp(s, "xml") == 0)
		*out = DVC_SLIP_XML;
	else {
		PyErr_Format(PyExc_ValueError, "unknown slip format %s (html, xml)", s);
		return -1;
	}
	return 0;
}

static PyObject *owned_text(char *out, size_t len)
{
	PyObject *r = PyUnicode_DecodeUTF8(out, (Py_ssize_t)len, "strict");
	dvc_free(out);
	return r;
}

static PyObject *Store_slip(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"code", "kind", "format", NULL};
	const char *code, *kind_s, *fmt_s = "html";
	dvc_slip_kind kind;
	dvc_slip_format fmt;
	char *out = NULL;
	size_t len = 0;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "ss|s:slip", kwlist, &code, &kind_s, &fmt_s))
		return NULL;
	if ((rc = dvc_slip_kind_parse(kind_s, &kind)) < 0)
		return raise_dvc(rc);
	if (parse_slip_format(fmt_s, &fmt) < 0)
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_slip_render(self->db, code, kind, fmt, &out, &len));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	return owned_text(out, len);
}

static PyObject *Store_register_slip(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"from_", "to", "unit", "format", NULL};
	opt_time_arg from = {0, 0}, to = {0, 0};
	dvc_register_opts o = DVC_REGISTER_OPTS_INIT;
	const char *fmt_s = "html";
	dvc_slip_format fmt;
	char *out = NULL;
	size_t len = 0;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&O&$zs:register_slip", kwlist, conv_opt_time, &from,
					 conv_opt_time, &to, &o.unit, &fmt_s))
		return NULL;
	if (parse_slip_format(fmt_s, &fmt) < 0)
		return NULL;
	o.from = from.t;
	o.to = to.t;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_register_render(self->db, &o, fmt, &out, &len));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	return owned_text(out, len);
}

/* ---- reports ---- */

/* from_, to, asof (+ group when `group` is not NULL) into report options. */
static int report_opts_from(PyObject *args, PyObject *kw, const char *fmt, char **kwlist, dvc_report_opts *o,
			    int with_group)
{
	opt_time_arg from = {0, 0}, to = {0, 0}, asof = {0, 0};
	PyObject *group = Py_None;
	int ok;
	if (with_group)
		ok = PyArg_ParseTupleAndKeywords(args, kw, fmt, kwlist, conv_opt_time, &from, conv_opt_time, &to,
						 &group, conv_opt_time, &asof);
	else
		ok = PyArg_ParseTupleAndKeywords(args, kw, fmt, kwlist, conv_opt_time, &from, conv_opt_time, &to,
						 conv_opt_time, &asof);
	if (!ok)
		return -1;
	o->from = from.t;
	o->to = to.t;
	o->asof = asof.t;
	o->group = DVC_GROUP_NONE;
	if (with_group && group != Py_None) {
		const char *g;
		int rc;
		if (utf8_of(group, &g, "group", 0) < 0)
			return -1;
		if ((rc = dvc_report_group_parse(g, &o->group)) < 0) {
			raise_dvc(rc);
			return -1;
		}
	}
	return 0;
}

static PyObject *report_row_dict(const dvc_report_row *r)
{
	PyObject *o = PyDict_New();
	if (!o)
		return NULL;
	PUT(o, "key", str_or_none(r->key));
	PUT(o, "label", str_or_none(r->label));
#define I64(f) PUT(o, #f, PyLong_FromLongLong((long long)r->f))
#define DBL(f) PUT(o, #f, PyFloat_FromDouble(r->f))
	I64(received);
	I64(received_online);
	I64(received_counter);
	I64(received_post);
	I64(settled_on_time);
	I64(settled_late);
	I64(pending_on_time);
	I64(pending_overdue);
	I64(withdrawn);
	I64(rejected);
	I64(cancelled);
	I64(returned);
	I64(returned_online);
	I64(fee_due_count);
	I64(paid_online_count);
	DBL(online_rate);
	DBL(online_payment_rate);
	DBL(on_time_rate);
	DBL(avg_days_to_settle);
	DBL(p90_days_to_settle);
#undef I64
#undef DBL
	return o;
fail:
	Py_DECREF(o);
	return NULL;
}

static PyObject *Store_report(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"from_", "to", "group", "asof", NULL};
	dvc_report_opts o = DVC_REPORT_OPTS_INIT;
	dvc_report *r = NULL;
	PyObject *l;
	int rc;
	if (report_opts_from(args, kw, "|O&O&$OO&:report", kwlist, &o, 1) < 0)
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_report_compute(self->db, &o, &r));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	l = PyList_New(0);
	for (size_t i = 0; l && i < dvc_report_count(r); i++)
		if (append(l, report_row_dict(dvc_report_at(r, i))) < 0)
			Py_CLEAR(l);
	dvc_report_free(r);
	return l;
}

static PyObject *Store_bottlenecks(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"asof", NULL};
	opt_time_arg asof = {0, 0};
	dvc_bottlenecks *b = NULL;
	PyObject *l;
	int rc;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&:bottlenecks", kwlist, conv_opt_time, &asof))
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_report_bottlenecks(self->db, asof.t, &b));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	l = PyList_New(0);
	for (size_t i = 0; l && i < dvc_bottlenecks_count(b); i++) {
		const dvc_bottleneck_row *r = dvc_bottlenecks_at(b, i);
		if (append(l, Py_BuildValue("{s:s,s:i,s:s,s:s,s:s,s:L,s:d,s:d}", "procedure", r->procedure, "step",
					    r->step, "unit", r->unit, "unit_name", r->unit_name, "role", r->role,
					    "waiting", (long long)r->waiting, "median_dwell_hours",
					    r->median_dwell_hours, "max_dwell_hours", r->max_dwell_hours)) < 0)
			Py_CLEAR(l);
	}
	dvc_bottlenecks_free(b);
	return l;
}

static PyObject *Store_service_index(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"from_", "to", "asof", NULL};
	dvc_report_opts o = DVC_REPORT_OPTS_INIT;
	dvc_index_row *rows = NULL;
	size_t n = 0;
	PyObject *l;
	int rc;
	if (report_opts_from(args, kw, "|O&O&$O&:service_index", kwlist, &o, 0) < 0)
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_report_index(self->db, &o, &rows, &n));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	l = PyList_New(0);
	for (size_t i = 0; l && i < n; i++) {
		const dvc_index_row *r = &rows[i];
		if (append(l, Py_BuildValue("{s:s,s:s,s:s,s:L,s:L,s:d}", "code", r->code, "name", r->name, "formula",
					    r->formula, "numerator", (long long)r->numerator, "denominator",
					    (long long)r->denominator, "value", r->value)) < 0)
			Py_CLEAR(l);
	}
	dvc_free(rows);
	return l;
}

static PyObject *Store_register_csv(StoreObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"from_", "to", "asof", NULL};
	dvc_report_opts o = DVC_REPORT_OPTS_INIT;
	char *out = NULL;
	size_t len = 0;
	int rc;
	if (report_opts_from(args, kw, "|O&O&$O&:register_csv", kwlist, &o, 0) < 0)
		return NULL;
	if (store_enter(self) < 0)
		return NULL;
	NOGIL(rc = dvc_report_register_csv(self->db, &o, &out, &len));
	store_leave(self);
	if (store_check(self, rc) < 0)
		return NULL;
	return owned_text(out, len);
}

static PyObject *Store_ctx_enter(StoreObject *self, PyObject *u)
{
	(void)u;
	if (!self->db) {
		PyErr_SetString(PyExc_ValueError, "the store is closed");
		return NULL;
	}
	Py_INCREF(self);
	return (PyObject *)self;
}

static PyObject *Store_ctx_exit(StoreObject *self, PyObject *args)
{
	(void)args;
	PyObject *r = Store_close(self, NULL);
	if (!r)
		return NULL;
	Py_DECREF(r);
	Py_RETURN_FALSE;
}

#define KW (PyCFunction)(void (*)(void))
static PyMethodDef Store_methods[] = {
	{"close", (PyCFunction)Store_close, METH_NOARGS,
	 "close($self)\n--\n\nClose the store (rolling back an open transaction). Idempotent."},
	{"__enter__", (PyCFunction)Store_ctx_enter, METH_NOARGS, NULL},
	{"__exit__", (PyCFunction)Store_ctx_exit, METH_VARARGS, NULL},
	{"schema_version", (PyCFunction)Store_schema_version, METH_NOARGS,
	 "schema_version($self)\n--\n\nThe schema version of the open store."},
	{"begin", (PyCFunction)Store_begin, METH_NOARGS,
	 "begin($self)\n--\n\nStart an explicit transaction (prefer `with store.transaction():`).\n"
	 "Raises dvc.TransactionMisuse when one is open, dvc.Busy."},
	{"commit", (PyCFunction)Store_commit, METH_NOARGS, "commit($self)\n--\n\nCommit the explicit transaction."},
	{"rollback", (PyCFunction)Store_rollback, METH_NOARGS,
	 "rollback($self)\n--\n\nRoll back the explicit transaction."},
	{"now", (PyCFunction)Store_now, METH_NOARGS, "now($self)\n--\n\nThe store's current time (aware datetime, UTC)."},
	{"set_time", (PyCFunction)Store_set_time, METH_O,
	 "set_time($self, instant)\n--\n\nFreeze the store's clock at `instant` (aware datetime, ISO str or\n"
	 "date); None restores the system clock. The instant lives in the C\n"
	 "handle: no Python code runs during calls."},
	{"set_clock", (PyCFunction)Store_set_clock, METH_O,
	 "set_clock($self, fn)\n--\n\nUse `fn()` (returning an aware datetime) as the store's clock; None\n"
	 "restores the system clock. fn runs with the GIL from inside C calls and\n"
	 "must not use this store; an exception it raises is raised by the call."},
	{"set_calendar", (PyCFunction)Store_set_calendar, METH_O,
	 "set_calendar($self, calendar)\n--\n\nCompute deadlines with `calendar` (a dvc.Calendar; None: the default).\n"
	 "The calendar then refuses schedule changes until it is detached."},
	{"import_catalog", KW Store_import_catalog, METH_VARARGS | METH_KEYWORDS,
	 "import_catalog($self, source, format=None)\n--\n\nImport a catalog document, all-or-nothing. `source` is a path\n"
	 "(str or os.PathLike), or the document itself (bytes, or a str starting\n"
	 "with '{' or '<'). format: None/'auto', 'json' or 'xml'. Returns the counts\n"
	 "{'levels', 'sectors', 'agencies', 'procedures', 'versions_added',\n"
	 "'versions_same'}."},
	{"export_catalog", KW Store_export_catalog, METH_VARARGS | METH_KEYWORDS,
	 "export_catalog($self, format='json')\n--\n\nThe whole catalog (every version) as a JSON or XML document (str)."},
	{"search", KW Store_search, METH_VARARGS | METH_KEYWORDS,
	 "search($self, text=None, *, sector=None, level=None, online_level=0, agency=None, limit=50, asof=None)\n--\n\n"
	 "Search procedures in force on `asof` (default today). Folds case and\n"
	 "Vietnamese diacritics, phrase matches first, one typo tolerated. Returns\n"
	 "a list of dicts: code, version, name, sector, agency, online_level,\n"
	 "online_mode, match ('phrase', 'words', 'fuzzy'), score."},
	{"procedure", KW Store_procedure, METH_VARARGS | METH_KEYWORDS,
	 "procedure($self, code, asof=None, *, version=None)\n--\n\nOne procedure version as a dict: the one in force on `asof` (default\n"
	 "today), or the given `version`. Raises dvc.NotFound."},
	{"catalog_stats", KW Store_catalog_stats, METH_VARARGS | METH_KEYWORDS,
	 "catalog_stats($self, asof=None)\n--\n\nProcedures in force by sector, level and online level:\n"
	 "{'total': n, 'rows': [{'dimension', 'key', 'label', 'count'}, ...]}."},
	{"register_account", KW Store_register_account, METH_VARARGS | METH_KEYWORDS,
	 "register_account($self, username, password, applicant)\n--\n\nRegister an applicant account. `applicant` is a dict with full_name,\n"
	 "citizen_id, birth_date, address and optionally phone, email. Raises\n"
	 "dvc.Exists, dvc.InvalidArgument (.path names the field)."},
	{"login", KW Store_login, METH_VARARGS | METH_KEYWORDS,
	 "login($self, username, password)\n--\n\nCheck a password (Argon2id; the GIL is released). Raises dvc.Auth,\n"
	 "or dvc.Throttled after too many failures."},
	{"account", (PyCFunction)Store_account, METH_VARARGS,
	 "account($self, username)\n--\n\nA stored account: {'username', 'profile', 'created_at'}."},
	{"add_officer", KW Store_add_officer, METH_VARARGS | METH_KEYWORDS,
	 "add_officer($self, username, full_name, unit, role)\n--\n\nAdd an officer at `unit` (an agency code) with `role` ('reception',\n"
	 "'specialist', 'unit_leader', 'signing_leader', 'admin')."},
	{"officer", (PyCFunction)Store_officer, METH_VARARGS,
	 "officer($self, username)\n--\n\nAn officer: {'username', 'full_name', 'unit', 'role'}."},
	{"submit", KW Store_submit, METH_VARARGS | METH_KEYWORDS,
	 "submit($self, procedure, *, applicant=None, account=None, channel='online', form=None, draft=False,\n"
	 "       officer=None, copies=0, pages=0, fee_exemption=None)\n--\n\n"
	 "Submit (or save as a draft) a dossier. `form` is a dict (sent as JSON) or\n"
	 "JSON text. Returns a dvc.Receipt (code, secret); secret is None for\n"
	 "account holders. Raises dvc.NotFound, dvc.ServiceLevel, dvc.Schema,\n"
	 "dvc.InvalidArgument, dvc.Permission."},
	{"act", KW Store_act, METH_VARARGS | METH_KEYWORDS,
	 "act($self, code, action, *, officer=None, account=None, secret=None, note=None, target=None,\n"
	 "    new_due=None, expected_version=None, delivery=None, payload=None)\n--\n\n"
	 "Apply a lifecycle action ('receive', 'forward', 'return', ...) as exactly\n"
	 "one actor: an officer username, an account username, or the tracking\n"
	 "secret. Returns the dossier's new version. Raises dvc.Transition,\n"
	 "dvc.Permission, dvc.Auth, dvc.Conflict, dvc.ServiceLevel..."},
	{"track", KW Store_track, METH_VARARGS | METH_KEYWORDS,
	 "track($self, code, *, officer=None, account=None, secret=None)\n--\n\n"
	 "What tracking shows, as a dict with the state, route position, deadlines\n"
	 "(aware datetimes or None), fees, and 'history': the journal entries."},
	{"list_dossiers", KW Store_list_dossiers, METH_VARARGS | METH_KEYWORDS,
	 "list_dossiers($self, *, state=None, unit=None, overdue=False, stuck=False, limit=0)\n--\n\n"
	 "Dossiers, newest first, as dicts. stuck: past the current step's deadline."},
	{"verify", KW Store_verify, METH_VARARGS | METH_KEYWORDS,
	 "verify($self, code=None)\n--\n\nCheck the journal hash chain of one dossier or all; returns how many\n"
	 "were checked. Raises dvc.Corrupt where the chain breaks."},
	{"set_gateway", KW Store_set_gateway, METH_VARARGS | METH_KEYWORDS,
	 "set_gateway($self, name, secret)\n--\n\nConfigure the payment gateway (the secret stays in memory only)."},
	{"set_payment_expiry", (PyCFunction)Store_set_payment_expiry, METH_O,
	 "set_payment_expiry($self, seconds)\n--\n\nHow long payment requests stay valid (int seconds or timedelta)."},
	{"payment_request", (PyCFunction)Store_payment_request, METH_VARARGS,
	 "payment_request($self, code)\n--\n\nAsk for online payment of what is due: {'reference', 'amount',\n"
	 "'expires_at'}. Raises dvc.ServiceLevel, dvc.Transition, dvc.InvalidArgument."},
	{"payment_callback", (PyCFunction)Store_payment_callback, METH_VARARGS,
	 "payment_callback($self, query)\n--\n\nProcess the gateway's signed callback query string: {'outcome'\n"
	 "('paid', 'duplicate', 'declined'), 'reference', 'dossier', 'amount'}.\n"
	 "Raises dvc.Signature, dvc.Amount, dvc.Expired, dvc.NotFound."},
	{"outbox", KW Store_outbox, METH_VARARGS | METH_KEYWORDS,
	 "outbox($self, code=None)\n--\n\nEvery notification of a dossier (or all), oldest first, as dicts."},
	{"outbox_fetch", KW Store_outbox_fetch, METH_VARARGS | METH_KEYWORDS,
	 "outbox_fetch($self, max=10)\n--\n\nLease up to `max` messages due now for sending."},
	{"outbox_mark_sent", (PyCFunction)Store_outbox_mark_sent, METH_VARARGS,
	 "outbox_mark_sent($self, id)\n--\n\nThe message went out (idempotent)."},
	{"outbox_mark_failed", (PyCFunction)Store_outbox_mark_failed, METH_VARARGS,
	 "outbox_mark_failed($self, id, error)\n--\n\nSending failed: retried later with back-off, dead after the last attempt."},
	{"set_notify_templates", (PyCFunction)Store_set_notify_templates, METH_O,
	 "set_notify_templates($self, templates)\n--\n\nOverride notification templates (a dict or JSON text of format\n"
	 "'dvc-notify-templates'). Raises dvc.Schema, dvc.Template."},
	{"slip", KW Store_slip, METH_VARARGS | METH_KEYWORDS,
	 "slip($self, code, kind, format='html')\n--\n\nRender an official slip (Circular 01/2018/TT-VPCP): kind 'receipt',\n"
	 "'supplement', 'refusal', 'apology' or 'control'; format 'html' or 'xml'."},
	{"register_slip", KW Store_register_slip, METH_VARARGS | METH_KEYWORDS,
	 "register_slip($self, from_=None, to=None, *, unit=None, format='html')\n--\n\n"
	 "The tracking register (form 06) of dossiers submitted in [from_, to)."},
	{"_report", KW Store_report, METH_VARARGS | METH_KEYWORDS,
	 "_report($self, from_=None, to=None, *, group=None, asof=None)\n--\n\nReport rows as dicts (see Store.report)."},
	{"bottlenecks", KW Store_bottlenecks, METH_VARARGS | METH_KEYWORDS,
	 "bottlenecks($self, asof=None)\n--\n\nDossiers waiting at each route step now, most first, as dicts:\n"
	 "procedure, step, unit, unit_name, role, waiting, median_dwell_hours,\n"
	 "max_dwell_hours."},
	{"service_index", KW Store_service_index, METH_VARARGS | METH_KEYWORDS,
	 "service_index($self, from_=None, to=None, *, asof=None)\n--\n\n"
	 "The citizen-service index indicators (Decision 766/QD-TTg) this data\n"
	 "supports, as dicts: code, name, formula, numerator, denominator, value."},
	{"register_csv", KW Store_register_csv, METH_VARARGS | METH_KEYWORDS,
	 "register_csv($self, from_=None, to=None, *, asof=None)\n--\n\nThe tracking register of the period as CSV text (no personal data)."},
	{NULL, NULL, 0, NULL}};

static PyGetSetDef Store_getset[] = {
	{"closed", (getter)Store_get_closed, NULL, "True once close() was called.", NULL},
	{"path", (getter)Store_get_path, NULL, "The path the store was opened with.", NULL},
	{"in_transaction", (getter)Store_get_in_transaction, NULL, "True while an explicit transaction is open.",
	 NULL},
	{"clock_mode", (getter)Store_get_clock_mode, NULL, "'system', 'fixed' (set_time) or 'callable' (set_clock).",
	 NULL},
	{NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject StoreType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "dvc._dvc.Store",
	.tp_basicsize = sizeof(StoreObject),
	.tp_dealloc = (destructor)Store_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
	.tp_doc = "Store(path=':memory:', *, readonly=False, create=True, busy_timeout_ms=5000)\n--\n\n"
		  "An open libdvc store (SQLite; WAL for files).",
	.tp_traverse = (traverseproc)Store_traverse,
	.tp_clear = (inquiry)Store_clear,
	.tp_weaklistoffset = offsetof(StoreObject, weakrefs),
	.tp_methods = Store_methods,
	.tp_getset = Store_getset,
	.tp_init = (initproc)Store_init,
	.tp_new = PyType_GenericNew,
};

/* =====================================================================
 * module functions
 * ===================================================================== */

static PyObject *mod_version(PyObject *self, PyObject *u)
{
	(void)self;
	(void)u;
	return PyUnicode_FromString(dvc_version());
}

static PyObject *mod_status_name(PyObject *self, PyObject *arg)
{
	long c = PyLong_AsLong(arg);
	(void)self;
	if (c == -1 && PyErr_Occurred())
		return NULL;
	return PyUnicode_FromString(dvc_status_name((int)c));
}

static PyObject *mod_payment_sign(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"query", "secret", NULL};
	const char *q, *s;
	char *out = NULL;
	int rc;
	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "ss:payment_sign", kwlist, &q, &s))
		return NULL;
	if ((rc = dvc_payment_sign(q, s, &out)) < 0)
		return raise_dvc(rc);
	return owned_text(out, strlen(out));
}

static PyObject *mod_sms_segments(PyObject *self, PyObject *args)
{
	const char *t;
	int ascii = 0, n;
	(void)self;
	if (!PyArg_ParseTuple(args, "s:sms_segments", &t))
		return NULL;
	n = dvc_sms_segments(t, &ascii);
	if (n < 0)
		return raise_dvc(n);
	return Py_BuildValue("(iO)", n, ascii ? Py_True : Py_False);
}

static PyObject *mod_parse_time(PyObject *self, PyObject *arg)
{
	dvc_time t;
	(void)self;
	if (!PyUnicode_Check(arg)) {
		PyErr_SetString(PyExc_TypeError, "parse_time() takes an ISO 8601 str");
		return NULL;
	}
	if (to_time(arg, &t) < 0)
		return NULL;
	return time_obj(t);
}

static PyObject *mod_format_time(PyObject *self, PyObject *arg)
{
	dvc_time t;
	char buf[DVC_TIME_FORMAT_SIZE];
	int rc;
	(void)self;
	if (to_time(arg, &t) < 0)
		return NULL;
	if ((rc = dvc_time_format(t, buf, sizeof buf)) < 0)
		return raise_dvc(rc);
	return PyUnicode_FromString(buf);
}

static PyObject *mod_lunar_from_solar(PyObject *self, PyObject *arg)
{
	dvc_date d;
	dvc_lunar_date l;
	int rc;
	(void)self;
	if (to_date(arg, &d) < 0)
		return NULL;
	if ((rc = dvc_lunar_from_solar(d, &l)) < 0)
		return raise_dvc(rc);
	return lunar_obj(l);
}

static PyObject *mod_lunar_to_solar(PyObject *self, PyObject *arg)
{
	dvc_lunar_date l;
	dvc_date d;
	int rc;
	(void)self;
	if (to_lunar(arg, &l) < 0)
		return NULL;
	if ((rc = dvc_lunar_to_solar(l, &d)) < 0)
		return raise_dvc(rc);
	return date_obj(d);
}

static PyObject *mod_lunar_year_name(PyObject *self, PyObject *arg)
{
	long y = PyLong_AsLong(arg);
	(void)self;
	if (y == -1 && PyErr_Occurred())
		return NULL;
	if (y < 1 || y > 1000000) {
		PyErr_SetString(PyExc_ValueError, "lunar year must be >= 1");
		return NULL;
	}
	return str_or_none(dvc_lunar_year_name((int)y));
}

static PyObject *mod_lifecycle_table(PyObject *self, PyObject *u)
{
	size_t n = 0;
	const dvc_transition *t = dvc_lifecycle_table(&n);
	PyObject *l = PyList_New(0);
	(void)self;
	(void)u;
	for (size_t i = 0; l && i < n; i++) {
		PyObject *roles = PyList_New(0), *req = PyList_New(0), *d = NULL;
		for (int r = 0; roles && r < DVC_ROLE_COUNT; r++)
			if ((t[i].roles & DVC_ROLE_BIT(r)) && append(roles, PyUnicode_FromString(dvc_role_name((dvc_role)r))) < 0)
				Py_CLEAR(roles);
		for (size_t b = 0; req && b < N_ELEMS(REQUIRES); b++)
			if ((t[i].requires & (1u << b)) && append(req, PyUnicode_FromString(REQUIRES[b])) < 0)
				Py_CLEAR(req);
		if (roles && req)
			d = Py_BuildValue("{s:s,s:s,s:s,s:O,s:O,s:O}", "from", dvc_state_name(t[i].from), "action",
					  dvc_action_name(t[i].action), "to", dvc_state_name(t[i].to), "roles", roles,
					  "requires", req, "stops_clock", t[i].stops_clock ? Py_True : Py_False);
		Py_XDECREF(roles);
		Py_XDECREF(req);
		if (append(l, d) < 0)
			Py_CLEAR(l);
	}
	return l;
}

static PyObject *names_list(const char *(*fn)(int), int n)
{
	PyObject *l = PyList_New(n);
	for (int i = 0; l && i < n; i++) {
		PyObject *s = PyUnicode_FromString(fn(i));
		if (!s) {
			Py_CLEAR(l);
			break;
		}
		PyList_SET_ITEM(l, i, s);
	}
	return l;
}
static const char *state_name_i(int i) { return dvc_state_name((dvc_state)i); }
static const char *action_name_i(int i) { return dvc_action_name((dvc_action)i); }
static const char *role_name_i(int i) { return dvc_role_name((dvc_role)i); }

static PyObject *mod_states(PyObject *s, PyObject *u)
{
	(void)s;
	(void)u;
	return names_list(state_name_i, DVC_STATE_COUNT);
}
static PyObject *mod_actions(PyObject *s, PyObject *u)
{
	(void)s;
	(void)u;
	return names_list(action_name_i, DVC_ACTION_COUNT);
}
static PyObject *mod_roles(PyObject *s, PyObject *u)
{
	(void)s;
	(void)u;
	return names_list(role_name_i, DVC_ROLE_COUNT);
}

static PyObject *mod_lifecycle_dot(PyObject *self, PyObject *u)
{
	char *out = NULL;
	int rc;
	(void)self;
	(void)u;
	if ((rc = dvc_lifecycle_dot(&out)) < 0)
		return raise_dvc(rc);
	return owned_text(out, strlen(out));
}

static PyObject *mod_validate_catalog_xml(PyObject *self, PyObject *arg)
{
	const char *data;
	size_t len;
	PyObject *hold = doc_buffer(arg, &data, &len, "document");
	int rc;
	(void)self;
	if (!hold)
		return NULL;
	NOGIL(rc = dvc_catalog_validate_xml(data, len));
	Py_DECREF(hold);
	if (rc < 0)
		return raise_dvc(rc);
	Py_RETURN_NONE;
}

static PyObject *mod_catalog_xsd(PyObject *self, PyObject *u)
{
	(void)self;
	(void)u;
	return PyUnicode_FromString(dvc_catalog_xsd());
}

static PyObject *mod_validate_phone(PyObject *self, PyObject *args)
{
	const char *s;
	char out[DVC_PHONE_E164_SIZE];
	int rc;
	(void)self;
	if (!PyArg_ParseTuple(args, "s:validate_phone", &s))
		return NULL;
	if ((rc = dvc_validate_phone(s, out)) < 0)
		return raise_dvc(rc);
	return PyUnicode_FromString(out);
}

static PyObject *mod_validate_citizen_id(PyObject *self, PyObject *args)
{
	const char *s;
	int rc;
	(void)self;
	if (!PyArg_ParseTuple(args, "s:validate_citizen_id", &s))
		return NULL;
	if ((rc = dvc_validate_citizen_id(s)) < 0)
		return raise_dvc(rc);
	Py_RETURN_NONE;
}

static PyObject *mod_validate_email(PyObject *self, PyObject *args)
{
	const char *s;
	int rc;
	(void)self;
	if (!PyArg_ParseTuple(args, "s:validate_email", &s))
		return NULL;
	if ((rc = dvc_validate_email(s)) < 0)
		return raise_dvc(rc);
	Py_RETURN_NONE;
}

static PyObject *mod_eform_check(PyObject *self, PyObject *args)
{
	PyObject *schema, *data, *st = NULL, *dt = NULL, *hs = NULL, *hd = NULL;
	const char *sp, *dp;
	size_t sl, dl;
	int rc;
	(void)self;
	if (!PyArg_ParseTuple(args, "OO:eform_check", &schema, &data))
		return NULL;
	if (!(st = json_text(schema)) || !(dt = json_text(data)) || !(hs = doc_buffer(st, &sp, &sl, "schema")) ||
	    !(hd = doc_buffer(dt, &dp, &dl, "data"))) {
		rc = 1;
	} else {
		rc = dvc_eform_check(sp, sl, dp, dl);
		if (rc < 0)
			raise_dvc(rc);
	}
	Py_XDECREF(st);
	Py_XDECREF(dt);
	Py_XDECREF(hs);
	Py_XDECREF(hd);
	if (rc != 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
	{"_set_error_classes", mod_set_error_classes, METH_VARARGS,
	 "_set_error_classes(base, classes)\n--\n\nRegister the exception classes by status code (done by the dvc package)."},
	{"version", mod_version, METH_NOARGS, "version()\n--\n\nThe libdvc version string at run time."},
	{"status_name", mod_status_name, METH_O, "status_name(code)\n--\n\nThe name of a status code ('DVC_ENOTFOUND')."},
	{"payment_sign", KW mod_payment_sign, METH_VARARGS | METH_KEYWORDS,
	 "payment_sign(query, secret)\n--\n\nSign gateway parameters like the gateway does (for simulators and\n"
	 "tests): `query` with '&vnp_SecureHash=<hex>' appended."},
	{"sms_segments", mod_sms_segments, METH_VARARGS,
	 "sms_segments(text)\n--\n\n(segments, ascii_only): the SMS segments `text` needs."},
	{"parse_time", mod_parse_time, METH_O,
	 "parse_time(text)\n--\n\nParse an ISO 8601 instant with an explicit offset into an aware datetime (UTC)."},
	{"format_time", mod_format_time, METH_O,
	 "format_time(instant)\n--\n\nAn instant in Vietnam's time: '2026-03-02T10:15:00+07:00'."},
	{"lunar_from_solar", mod_lunar_from_solar, METH_O,
	 "lunar_from_solar(date)\n--\n\nSolar date to dvc.LunarDate (computed for UTC+7)."},
	{"lunar_to_solar", mod_lunar_to_solar, METH_O,
	 "lunar_to_solar(lunar)\n--\n\ndvc.LunarDate or (year, month, day[, leap]) to a solar date."},
	{"lunar_year_name", mod_lunar_year_name, METH_O,
	 "lunar_year_name(year)\n--\n\nThe can chi name of a lunar year ('Bính Ngọ' for 2026)."},
	{"lifecycle_table", mod_lifecycle_table, METH_NOARGS,
	 "lifecycle_table()\n--\n\nThe dossier state machine as dicts: from, action, to, roles, requires, stops_clock."},
	{"lifecycle_dot", mod_lifecycle_dot, METH_NOARGS, "lifecycle_dot()\n--\n\nThe state machine as a Graphviz digraph."},
	{"states", mod_states, METH_NOARGS, "states()\n--\n\nThe dossier state names."},
	{"actions", mod_actions, METH_NOARGS, "actions()\n--\n\nThe action names."},
	{"roles", mod_roles, METH_NOARGS, "roles()\n--\n\nThe role names."},
	{"validate_catalog_xml", mod_validate_catalog_xml, METH_O,
	 "validate_catalog_xml(document)\n--\n\nValidate an XML catalog against the built-in XSD; raises dvc.Schema or dvc.Parse."},
	{"catalog_xsd", mod_catalog_xsd, METH_NOARGS, "catalog_xsd()\n--\n\nThe built-in catalog XSD text."},
	{"validate_phone", mod_validate_phone, METH_VARARGS,
	 "validate_phone(number)\n--\n\nCheck a Vietnamese phone number; returns its E.164 form. Raises dvc.InvalidArgument."},
	{"validate_citizen_id", mod_validate_citizen_id, METH_VARARGS,
	 "validate_citizen_id(id)\n--\n\nCheck the structure of a 12-digit citizen ID. Raises dvc.InvalidArgument."},
	{"validate_email", mod_validate_email, METH_VARARGS,
	 "validate_email(address)\n--\n\nA practical e-mail address check. Raises dvc.InvalidArgument."},
	{"eform_check", mod_eform_check, METH_VARARGS,
	 "eform_check(schema, data)\n--\n\nValidate form data against an e-form schema (dicts or JSON text).\n"
	 "Raises dvc.Schema with .path naming the field."},
	{NULL, NULL, 0, NULL}};

static struct PyModuleDef module_def = {
	PyModuleDef_HEAD_INIT, "_dvc",
	"The C extension under the dvc package: libdvc's API as Python types and functions.", -1,
	module_methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__dvc(void);
PyMODINIT_FUNC PyInit__dvc(void)
{
	PyObject *m = NULL, *json = NULL, *dt = NULL, *dtt = NULL, *tz = NULL;

	PyDateTime_IMPORT;
	if (!PyDateTimeAPI)
		return NULL;
	if (!(json = PyImport_ImportModule("json")) || !(g_json_loads = PyObject_GetAttrString(json, "loads")) ||
	    !(g_json_dumps = PyObject_GetAttrString(json, "dumps")))
		goto fail;
	if (!(dt = PyImport_ImportModule("datetime")) || !(dtt = PyObject_GetAttrString(dt, "datetime")) ||
	    !(g_fromtimestamp = PyObject_GetAttrString(dtt, "fromtimestamp")) ||
	    !(tz = PyObject_GetAttrString(dt, "timezone")) || !(g_utc = PyObject_GetAttrString(tz, "utc")))
		goto fail;
	if (PyType_Ready(&CalendarType) < 0 || PyType_Ready(&StoreType) < 0)
		goto fail;
	if (!ReceiptType && !(ReceiptType = PyStructSequence_NewType(&receipt_desc)))
		goto fail;
	if (!LunarDateType && !(LunarDateType = PyStructSequence_NewType(&lunar_desc)))
		goto fail;
	if (!(m = PyModule_Create(&module_def)))
		goto fail;
	if (PyModule_AddObjectRef(m, "Calendar", (PyObject *)&CalendarType) < 0 ||
	    PyModule_AddObjectRef(m, "Store", (PyObject *)&StoreType) < 0 ||
	    PyModule_AddObjectRef(m, "Receipt", (PyObject *)ReceiptType) < 0 ||
	    PyModule_AddObjectRef(m, "LunarDate", (PyObject *)LunarDateType) < 0 ||
	    PyModule_AddStringConstant(m, "LIBDVC_VERSION", DVC_VERSION) < 0 ||
	    PyModule_AddIntConstant(m, "SCHEMA_VERSION", DVC_SCHEMA_VERSION) < 0 ||
	    PyModule_AddIntConstant(m, "CALENDAR_MIN_YEAR", DVC_CALENDAR_MIN_YEAR) < 0 ||
	    PyModule_AddIntConstant(m, "CALENDAR_MAX_YEAR", DVC_CALENDAR_MAX_YEAR) < 0)
		goto fail;
	/* status codes, for the exception table */
	for (int c = 0; c >= DVC_EUSER; c--) {
		const char *n = dvc_status_name(c);
		if (PyModule_AddIntConstant(m, n, c) < 0)
			goto fail;
	}
	Py_DECREF(json);
	Py_DECREF(dt);
	Py_DECREF(dtt);
	Py_DECREF(tz);
	return m;
fail:
	Py_XDECREF(m);
	Py_XDECREF(json);
	Py_XDECREF(dt);
	Py_XDECREF(dtt);
	Py_XDECREF(tz);
	return NULL;
}
