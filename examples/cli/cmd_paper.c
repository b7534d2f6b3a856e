/* Documents, counter payments, results and ratings from a shell:
 *
 *   dvc dossier attach CODE COMPONENT FILE ACTOR [--name N] [--form original|copy|ecopy]
 *                      [--replace ID | --supplement] [--result]
 *   dvc dossier attach CODE COMPONENT --reuse ID --account U     (from the data store)
 *   dvc dossier sign CODE --officer U [--key FILE --cert FILE]   (the signing leader)
 *   dvc dossier files CODE ACTOR
 *   dvc dossier download CODE FILE-ID ACTOR [--out PATH]        (default: stdout)
 *   dvc account files USERNAME
 *   dvc payment counter CODE --officer U --receipt NO --amount N [--method cash|card|transfer]
 *   dvc payment refund CODE --officer U --receipt NO --amount N --reason TEXT [--method M]
 *   dvc dossier rate CODE (--account U | --secret S) --score overall=N [--score CRITERION=N ...]
 *                   [--comment TEXT]
 *   dvc dossier rating CODE ACTOR
 *
 * ACTOR is --officer U, --account U or --secret S. FILE is a path ("-" reads
 * standard input); it is streamed, never read whole. Everything else is the
 * library's: this file parses arguments and prints what it answers. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int64_t file_read(void *ctx, void *buf, size_t cap)
{
	FILE *f = ctx;
	size_t n = fread(buf, 1, cap, f);
	if (n == 0 && ferror(f))
		return -1;
	return (int64_t)n;
}

static int file_write(void *ctx, const void *buf, size_t n)
{
	return fwrite(buf, 1, n, (FILE *)ctx) == n ? 0 : -1;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void file_line(const dvc_file_info *f)
{
	printf("#%lld %s %s (%s, %s, %lld bytes) sha256 %s%s\n", (long long)f->id,
	       f->component == DVC_FILE_RESULT ? "result" : "component", f->name, f->media_type,
	       dvc_file_form_name(f->form), (long long)f->size, f->sha256,
	       f->replaced_by ? " [replaced]" : "");
	printf("    %s%s%s\n", f->component_name, f->dossier ? " — " : "", f->dossier ? f->dossier : "");
}

/* A file just added (attach, sign): its JSON with --json, else its line. */
static int show_file(const dvc_cli *cli, const dvc_file_info *fi)
{
	char *j = NULL;
	if (cli->json)
		return cli_emit_view(dvc_file_info_json(fi, &j), &j, "file");
	file_line(fi);
	return 0;
}

static int print_list(dvc_cli *cli, dvc_file_list *l)
{
	size_t n = dvc_file_list_count(l);
	if (cli->json) {
		char *j = NULL;
		int rc = cli_emit_view(dvc_file_list_json(l, &j), &j, "files");
		dvc_file_list_free(l);
		return rc;
	}
	for (size_t i = 0; i < n; i++)
		file_line(dvc_file_list_at(l, i));
	if (!n)
		printf("no file\n");
	dvc_file_list_free(l);
	return 0;
}

/* The actor and exactly `want` arguments (argv[0] the command), then the
 * store: the store, or NULL after printing `usage` or the error. */
static dvc_db *actor_and_args(dvc_cli *cli, int *argc, char **argv, int want, dvc_actor *who,
			      const char *usage)
{
	int rc = cli_take_actor(argc, argv, who);
	if (rc > 0)
		return NULL;
	if (rc < 0 || *argc != want) {
		cli_fail("%s", usage);
		return NULL;
	}
	return cli_db(cli);
}

int cli_dossier_attach(dvc_cli *cli, int argc, char **argv)
{
	dvc_attach_req q = DVC_ATTACH_INIT;
	dvc_file_info fi;
	const char *name = cli_option(&argc, argv, "--name");
	const char *form = cli_option(&argc, argv, "--form");
	const char *replace = cli_option(&argc, argv, "--replace");
	const char *reuse = cli_option(&argc, argv, "--reuse");
	bool supplement = cli_flag(&argc, argv, "--supplement");
	bool result = cli_flag(&argc, argv, "--result");
	FILE *f = NULL;
	dvc_db *db;
	int rc, want = reuse ? 3 : 4;
	if ((rc = cli_take_actor(&argc, argv, &q.actor)) != 0 || argc != want)
		return rc > 0 ? rc : cli_fail("usage: dvc dossier attach CODE COMPONENT FILE " CLI_ACTOR_OPTS
					      " [--name N] [--form original|copy|ecopy] [--replace ID | "
					      "--supplement] [--result] | CODE COMPONENT --reuse ID --account U");
	if (dvc_attach_req_set(&q, "component", result ? "result" : argv[2]) != DVC_OK ||
	    (form && dvc_attach_req_set(&q, "form", form) != DVC_OK) ||
	    (replace && dvc_attach_req_set(&q, "replaces", replace) != DVC_OK) ||
	    (reuse && dvc_attach_req_set(&q, "reuse", reuse) != DVC_OK))
		return cli_fail_lib("attach");
	if (replace)
		q.mode = DVC_ATTACH_REPLACE;
	if (supplement)
		q.mode = DVC_ATTACH_SUPPLEMENT;
	if (reuse) {
		q.name = name;
	} else {
		struct stat st;
		if (strcmp(argv[3], "-") == 0) {
			f = stdin;
		} else if (!(f = fopen(argv[3], "rb"))) {
			return cli_fail("cannot read %s: %s", argv[3], strerror(errno));
		}
		if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
			q.declared_size = (int64_t)st.st_size;
		q.name = name ? name : (f == stdin ? NULL : base_name(argv[3]));
		q.read = file_read;
		q.read_ctx = f;
	}
	if (!(db = cli_db(cli))) {
		if (f && f != stdin)
			fclose(f);
		return 1;
	}
	rc = dvc_dossier_attach(db, argv[1], &q, &fi);
	if (f && f != stdin)
		fclose(f);
	if (rc != DVC_OK)
		return cli_fail_lib("attach");
	return show_file(cli, &fi);
}

int cli_sign_opts(int *argc, char **argv, dvc_sign_opts *o)
{
	o->key_file = cli_option(argc, argv, "--key");
	o->cert_file = cli_option(argc, argv, "--cert");
	if (!o->key_file)
		o->key_file = getenv("DVC_SIGN_KEY");
	if (!o->cert_file)
		o->cert_file = getenv("DVC_SIGN_CERT");
	o->password = getenv("DVC_SIGN_KEY_PASSWORD");
	return 0;
}

int cli_dossier_sign(dvc_cli *cli, int argc, char **argv)
{
	dvc_sign_opts o = DVC_SIGN_OPTS_INIT;
	dvc_actor who;
	dvc_file_info fi;
	dvc_db *db;
	cli_sign_opts(&argc, argv, &o);
	if (!(db = actor_and_args(cli, &argc, argv, 2, &who,
				  "usage: dvc dossier sign CODE --officer U [--key FILE --cert FILE] "
				  "(or DVC_SIGN_KEY, DVC_SIGN_CERT, DVC_SIGN_KEY_PASSWORD)")))
		return 1;
	if (dvc_dossier_sign_result(db, argv[1], &who, &o, &fi) != DVC_OK)
		return cli_fail_lib("sign");
	return show_file(cli, &fi);
}

int cli_dossier_files(dvc_cli *cli, int argc, char **argv)
{
	dvc_actor who;
	dvc_file_list *l;
	dvc_db *db;
	if (!(db = actor_and_args(cli, &argc, argv, 2, &who,
				  "usage: dvc dossier files CODE " CLI_ACTOR_OPTS)))
		return 1;
	if (dvc_dossier_files(db, argv[1], &who, &l) != DVC_OK)
		return cli_fail_lib("files");
	return print_list(cli, l);
}

int cli_dossier_download(dvc_cli *cli, int argc, char **argv)
{
	dvc_actor who;
	const char *out = cli_option(&argc, argv, "--out");
	int64_t id;
	FILE *f = stdout;
	dvc_db *db;
	int rc;
	if ((rc = cli_take_actor(&argc, argv, &who)) != 0 || argc != 3)
		return rc > 0 ? rc : cli_fail("usage: dvc dossier download CODE FILE-ID " CLI_ACTOR_OPTS
					      " [--out PATH]");
	if (cli_no_json(cli, "dossier download"))
		return 1;
	if (cli_parse_int64(argv[2], &id) != 0)
		return cli_fail("FILE-ID is a number (dvc dossier files)");
	if (!(db = cli_db(cli)))
		return 1;
	if (out && !(f = fopen(out, "wb")))
		return cli_fail("cannot write %s: %s", out, strerror(errno));
	rc = dvc_dossier_download(db, argv[1], &who, id, file_write, f);
	if (f != stdout && fclose(f) != 0 && rc == DVC_OK)
		return cli_fail("cannot write %s: %s", out, strerror(errno));
	if (rc != DVC_OK) {
		if (out)
			remove(out); /* a partial or corrupt copy is worse than none */
		return cli_fail_lib("download");
	}
	return 0;
}

int cli_account_files(dvc_cli *cli, int argc, char **argv)
{
	dvc_file_list *l;
	if (cli_one_arg(cli, argc, "usage: dvc account files USERNAME"))
		return 1;
	if (dvc_account_files(cli->db, argv[1], &l) != DVC_OK)
		return cli_fail_lib("account files");
	return print_list(cli, l);
}

static int payment_counter(dvc_cli *cli, int argc, char **argv, int refund)
{
	dvc_counter_payment p = DVC_COUNTER_PAYMENT_INIT;
	const char *amount = cli_option(&argc, argv, "--amount");
	const char *method = cli_option(&argc, argv, "--method");
	dvc_tracking *t;
	dvc_actor who;
	dvc_db *db;
	char paid[64];
	p.officer = cli_option(&argc, argv, "--officer");
	p.receipt_no = cli_option(&argc, argv, "--receipt");
	p.note = cli_option(&argc, argv, refund ? "--reason" : "--note");
	if (argc != 2 || !p.officer || !p.receipt_no || !amount)
		return cli_fail("usage: dvc payment %s CODE --officer U --receipt NO --amount VND "
				"[--method cash|card|transfer]%s", refund ? "refund" : "counter",
				refund ? " --reason TEXT" : " [--note TEXT]");
	if (cli_parse_int64(amount, &p.amount) != 0)
		return cli_fail("--amount is a whole number of đồng");
	if (method && dvc_pay_method_parse(method, &p.method) != DVC_OK)
		return cli_fail_lib(refund ? "refund" : "counter");
	if (!(db = cli_db(cli)))
		return 1;
	if ((refund ? dvc_payment_counter_refund(db, argv[1], &p) : dvc_payment_counter(db, argv[1], &p)) != DVC_OK)
		return cli_fail_lib(refund ? "refund" : "counter");
	who = (dvc_actor){DVC_ACTOR_OFFICER, p.officer, NULL};
	if (dvc_dossier_track(db, argv[1], &who, &t) != DVC_OK)
		return cli_fail_lib("track");
	if (cli->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "dossier", t->code);
		cJSON_AddStringToObject(o, "receipt", p.receipt_no);
		cJSON_AddNumberToObject(o, "amount", (double)p.amount);
		cJSON_AddStringToObject(o, "method", dvc_pay_method_name(p.method));
		cJSON_AddNumberToObject(o, "fee_due", (double)t->fee_due);
		cJSON_AddNumberToObject(o, "fee_paid", (double)t->fee_paid);
		cJSON_AddNumberToObject(o, "fee_refunded", (double)t->fee_refunded);
		dvc_tracking_free(t);
		return cli_emit_json(o);
	}
	cli_vnd_str(p.amount, paid, sizeof paid);
	printf("%s: %s %s, receipt %s (%s)\n", t->code, refund ? "refunded" : "paid", paid,
	       p.receipt_no, dvc_pay_method_name(p.method));
	cli_vnd_str(t->fee_paid - t->fee_refunded, paid, sizeof paid);
	printf("fee paid so far: %s", paid);
	cli_vnd_str(t->fee_due, paid, sizeof paid);
	printf(" of %s\n", paid);
	dvc_tracking_free(t);
	return 0;
}

int cli_payment_counter(dvc_cli *cli, int argc, char **argv)
{
	return payment_counter(cli, argc, argv, 0);
}

int cli_payment_refund(dvc_cli *cli, int argc, char **argv)
{
	return payment_counter(cli, argc, argv, 1);
}

/* --score CRITERION=N, repeated; names and ranges are checked by the library. */
int cli_dossier_rate(dvc_cli *cli, int argc, char **argv)
{
	dvc_rating_req q = DVC_RATING_REQ_INIT;
	const char *sc;
	dvc_db *db;
	int rc;
	q.comment = cli_option(&argc, argv, "--comment");
	while ((sc = cli_option(&argc, argv, "--score"))) {
		char name[32];
		const char *eq = strchr(sc, '=');
		dvc_rating_criterion c;
		long v;
		char *end;
		if (!eq || (size_t)(eq - sc) >= sizeof name)
			return cli_fail("--score takes CRITERION=N (e.g. overall=5)");
		memcpy(name, sc, (size_t)(eq - sc));
		name[eq - sc] = '\0';
		if (dvc_rating_criterion_parse(name, &c) != DVC_OK)
			return cli_fail_lib("rate");
		errno = 0;
		v = strtol(eq + 1, &end, 10);
		if (errno || end == eq + 1 || *end || v < -1000 || v > 1000)
			return cli_fail("--score %s: N is a whole number", name);
		q.scores[c] = (int)v;
	}
	if (!(db = actor_and_args(cli, &argc, argv, 2, &q.actor,
				  "usage: dvc dossier rate CODE (--account U | --secret S) "
				  "--score overall=N [--score CRITERION=N ...] [--comment TEXT]")))
		return 1;
	if (dvc_dossier_rate(db, argv[1], &q) != DVC_OK)
		return cli_fail_lib("rate");
	if (cli->json) {
		dvc_rating *r;
		char *j = NULL;
		if (dvc_dossier_rating_get(db, argv[1], &q.actor, &r) != DVC_OK)
			return cli_fail_lib("rating");
		rc = cli_emit_view(dvc_rating_json(r, &j), &j, "rating");
		dvc_rating_free(r);
		return rc;
	}
	printf("rated %s: overall %d/%d\n", argv[1], q.scores[DVC_CRIT_OVERALL], DVC_RATING_SCORE_MAX);
	return 0;
}

int cli_dossier_rating(dvc_cli *cli, int argc, char **argv)
{
	dvc_actor who;
	dvc_rating *r;
	dvc_db *db;
	char *j = NULL;
	int rc;
	if (!(db = actor_and_args(cli, &argc, argv, 2, &who,
				  "usage: dvc dossier rating CODE " CLI_ACTOR_OPTS)))
		return 1;
	if (dvc_dossier_rating_get(db, argv[1], &who, &r) != DVC_OK)
		return cli_fail_lib("rating");
	if (cli->json) {
		rc = cli_emit_view(dvc_rating_json(r, &j), &j, "rating");
		dvc_rating_free(r);
		return rc;
	}
	for (int i = 0; i < DVC_RATING_CRITERIA; i++)
		if (r->scores[i])
			printf("%-12s %d/%d  %s\n", dvc_rating_criterion_name((dvc_rating_criterion)i),
			       r->scores[i], DVC_RATING_SCORE_MAX,
			       dvc_rating_criterion_label_vi((dvc_rating_criterion)i));
	if (*r->comment)
		printf("comment: %s\n", r->comment);
	dvc_rating_free(r);
	return 0;
}
