/* Helpers shared by the dvc command files and tools/dvc-gen: one-line
 * errors, option parsing, the store handle, the clock (--now) and where the
 * shipped data is found. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", cli_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int cli_fail_lib(const char *what)
{
	const dvc_error *e = dvc_error_last();
	if (e->path)
		return cli_fail("%s: %s (%s, at %s)", what, e->message, dvc_status_name(e->code), e->path);
	return cli_fail("%s: %s (%s)", what, e->message, dvc_status_name(e->code));
}

void cli_pad(const char *s, size_t cols)
{
	size_t w;
	if (dvc_text_width(s, strlen(s), &w) != DVC_OK)
		w = strlen(s); /* not UTF-8: bytes are the best guess */
	fputs(s, stdout);
	for (; w < cols; w++)
		putchar(' ');
}

int cli_no_json(const dvc_cli *cli, const char *command)
{
	if (cli->json)
		return cli_fail("%s has no JSON output: --json does not apply", command);
	return 0;
}

static int fixed_clock(void *ctx, dvc_time *out)
{
	*out = *(const dvc_time *)ctx;
	return 0;
}

dvc_db *cli_db(dvc_cli *cli)
{
	dvc_open_opts o = DVC_OPEN_OPTS_INIT;
	if (cli->db)
		return cli->db;
	/* the journal key and trust list: DVC_JOURNAL_KEY, DVC_JOURNAL_TRUST,
	 * DVC_JOURNAL_REQUIRE_SIGNED (proof.h) */
	if (dvc_open_opts_from_env(&o) != DVC_OK) {
		cli_fail_lib("cannot open the store");
		return NULL;
	}
	if (dvc_open(&cli->db, cli->db_path, &o) != DVC_OK) {
		cli_fail_lib("cannot open the store");
		return NULL;
	}
	/* --now: every read of the handle's clock answers the same instant */
	if (cli->now)
		dvc_set_clock(cli->db, fixed_clock, &cli->now);
	return cli->db;
}

int cli_parse_instant(const char *s, const char *what, dvc_time *out)
{
	/* the library's parse, the same in every front end */
	return dvc_time_parse_day(s, out) == DVC_OK ? 0 : cli_fail_lib(what);
}

int cli_parse_int64(const char *s, int64_t *out)
{
	char *end;
	long long v;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int cli_one_arg(dvc_cli *cli, int argc, const char *usage)
{
	if (argc != 2)
		return cli_fail("%s", usage);
	return cli_db(cli) ? 0 : 1;
}

int cli_optional_arg(dvc_cli *cli, int argc, char **argv, const char *usage, const char **arg)
{
	if (argc > 2)
		return cli_fail("%s", usage);
	if (!cli_db(cli))
		return 1;
	*arg = argc == 2 ? argv[1] : NULL;
	return 0;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int cli_data_dir(const char *given, char *buf, size_t size)
{
	const char *env = getenv("DVC_DATA_DIR");
	char exe[PATH_MAX];
	ssize_t n;

	/* a directory named by the user is used as given, or refused */
	if (given || (env && *env)) {
		const char *dir = given ? given : env;
		if (!is_dir(dir))
			return cli_fail("data directory '%s'%s does not exist", dir,
					given ? "" : " (from DVC_DATA_DIR)");
		if ((size_t)snprintf(buf, size, "%s", dir) >= size)
			return cli_fail("data directory path too long");
		return 0;
	}
	/* installed: next to the executable (a relocated or --destdir install),
	 * then where meson installed it */
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0 && DVC_BINDIR_TO_DATADIR[0]) {
		char *slash, rel[PATH_MAX], real[PATH_MAX];
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			/* /usr/bin/../share/dvc is shown as /usr/share/dvc */
			if ((size_t)snprintf(rel, sizeof rel, "%s/%s", exe, DVC_BINDIR_TO_DATADIR) < sizeof rel &&
			    is_dir(rel) && realpath(rel, real) &&
			    (size_t)snprintf(buf, size, "%s", real) < size)
				return 0;
		}
	}
	if (is_dir(DVC_INSTALL_DATADIR) &&
	    (size_t)snprintf(buf, size, "%s", DVC_INSTALL_DATADIR) < size)
		return 0;
	return cli_fail("no data directory: give one (e.g. 'data' in the source tree), set "
			"DVC_DATA_DIR, or install libdvc (looked in %s)", DVC_INSTALL_DATADIR);
}


static void remove_args(int *argc, char **argv, int at, int count)
{
	memmove(argv + at, argv + at + count, (size_t)(*argc - at - count + 1) * sizeof *argv);
	*argc -= count;
}

int cli_take_applicant(int *argc, char **argv, dvc_applicant *a)
{
	static const char *const opts[] = {"--name", "--citizen-id", "--birth-date",
					   "--address", "--phone", "--email"};
	const char **fields[] = {&a->full_name, &a->citizen_id, &a->birth_date,
				 &a->address, &a->phone, &a->email};
	int any = 0;
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		any |= (*fields[i] = cli_option(argc, argv, opts[i])) != NULL;
	return any;
}

int cli_subcommand(dvc_cli *cli, int argc, char **argv, const char *group, const cli_sub *subs)
{
	char names[256];
	size_t n = 0;
	for (const cli_sub *c = subs; c->name; c++) {
		if (argc >= 2 && strcmp(argv[1], c->name) == 0)
			return c->fn(cli, argc - 1, argv + 1);
		n += (size_t)snprintf(names + n, n < sizeof names ? sizeof names - n : 0, "%s%s",
				      c == subs ? "" : ", ", c->name);
	}
	if (argc < 2)
		return cli_fail("usage: dvc %s %s ... (see dvc --help)", group, names);
	return cli_fail("unknown %s command '%s' (%s)", group, argv[1], names);
}

bool cli_flag(int *argc, char **argv, const char *name)
{
	for (int i = 1; i < *argc; i++)
		if (strcmp(argv[i], name) == 0) {
			remove_args(argc, argv, i, 1);
			return true;
		}
	return false;
}

const char *cli_option(int *argc, char **argv, const char *name)
{
	size_t n = strlen(name);
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], name) == 0 && i + 1 < *argc) {
			const char *v = argv[i + 1];
			remove_args(argc, argv, i, 2);
			return v;
		}
		if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') {
			const char *v = argv[i] + n + 1;
			remove_args(argc, argv, i, 1);
			return v;
		}
	}
	return NULL;
}

