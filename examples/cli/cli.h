/* The dvc command-line tool: shared declarations for the command files.
 * Each command group lives in its own cmd_<group>.c and is listed in the
 * table in dvc.c; all domain logic stays in the library. */
#ifndef DVC_CLI_H
#define DVC_CLI_H

#include "dvc/dvc.h"
#include <stdbool.h>

typedef struct dvc_cli {
	const char *db_path; /* --db, default ./dvc.db */
	bool json;           /* --json: machine-readable output on stdout */
	dvc_db *db;          /* opened lazily by cli_db() */
	dvc_time now;        /* --now: the store's clock stands at this instant; 0 = system clock */
} dvc_cli;

/* The program's name in error lines ("dvc", "dvc-gen"). */
extern const char cli_name[];

/* A command receives the arguments after its own name (argv[0] is the name). */
typedef int (*dvc_cli_fn)(dvc_cli *cli, int argc, char **argv);

/* Open (once) the store named by --db, its clock fixed at --now when given.
 * NULL after printing the error. */
dvc_db *cli_db(dvc_cli *cli);
/* A command's one argument ("dvc agency show CODE", argv[0] the command):
 * 0 with the store open, or 1 after printing `usage` (none or more than one)
 * or why the store did not open. */
int cli_one_arg(dvc_cli *cli, int argc, const char *usage);
/* A command's one optional argument ("dvc outbox list [CODE]", argv[0]
 * the command): 0 with *arg (NULL when absent) and the store open, or 1
 * after printing `usage` (more arguments) or why the store did not open. */
int cli_optional_arg(dvc_cli *cli, int argc, char **argv, const char *usage, const char **arg);

/* "2019-03-01" (00:00 +07:00 that day) or an ISO 8601 instant with its
 * offset; 1 after printing "<what>: ..." when it is neither. */
int cli_parse_instant(const char *s, const char *what, dvc_time *out);
/* A whole decimal number in int64 range, nothing after it: 0, else -1
 * (nothing printed: the caller names the option). */
int cli_parse_int64(const char *s, int64_t *out);

/* The directory of the shipped data (catalog/, calendar/, ...): `given` when
 * not NULL (an error when it is not a directory: never another one instead),
 * else $DVC_DATA_DIR (the same), else the installed <datadir>/dvc, looked up
 * first relative to the executable, then at the configured prefix. 0 with
 * the path in buf, or 1 after printing one line. */
int cli_data_dir(const char *given, char *buf, size_t size);
/* Room for a data directory: paths under it still fit a 4096-byte buffer. */
#define CLI_DATA_DIR_MAX 2048

/* Print "dvc: <msg>" on one line to stderr; returns 1 (the exit status). */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the library's last error on one line to stderr; returns 1. */
int cli_fail_lib(const char *what);

/* 1 after printing one line when --json was given to a command whose output
 * is a document of its own (CSV, XML, HTML, DOT) or a story: it has no JSON
 * form, and an option that is accepted must take effect. */
int cli_no_json(const dvc_cli *cli, const char *command);

/* Print `s` padded with spaces to `cols` terminal columns (dvc_text_width:
 * a Vietnamese letter is one column, not its two or three bytes). */
void cli_pad(const char *s, size_t cols);

/* Take the applicant options (--name, --citizen-id, --birth-date, --address,
 * --phone, --email) out of argv into *a (absent ones NULL); 1 when any was given. */
int cli_take_applicant(int *argc, char **argv, dvc_applicant *a);

/* A group's subcommands ("dvc dossier submit ..."), ended by {NULL, NULL}. */
typedef struct cli_sub {
	const char *name;
	dvc_cli_fn fn;
} cli_sub;
/* Run the subcommand argv[1] of `group` with the arguments after the group
 * (argv[0] is the subcommand); without one, or an unknown one, a one-line
 * error naming the group's subcommands. */
int cli_subcommand(dvc_cli *cli, int argc, char **argv, const char *group, const cli_sub *subs);

/* Take a boolean flag out of argv ("--leap"): returns true when present. */
bool cli_flag(int *argc, char **argv, const char *name);
/* Take "--name VALUE" (or "--name=VALUE") out of argv; NULL when absent. */
const char *cli_option(int *argc, char **argv, const char *name);

/* Take --officer U | --account U | --secret S out of argv (cmd_dossier.c):
 * 0 when one was given, -1 when none (nothing printed), 1 after an error. */
int cli_take_actor(int *argc, char **argv, dvc_actor *who);
#define CLI_ACTOR_OPTS "(--officer U | --account U | --secret S)"
/* Documents and counter payments (cmd_paper.c), as cli_sub entries. */
int cli_dossier_attach(dvc_cli *cli, int argc, char **argv);
int cli_dossier_files(dvc_cli *cli, int argc, char **argv);
int cli_dossier_download(dvc_cli *cli, int argc, char **argv);
int cli_dossier_sign(dvc_cli *cli, int argc, char **argv);
/* Take --key FILE and --cert FILE (else $DVC_SIGN_KEY, $DVC_SIGN_CERT; the
 * password from $DVC_SIGN_KEY_PASSWORD) out of argv into *o; 0. */
int cli_sign_opts(int *argc, char **argv, dvc_sign_opts *o);
int cli_dossier_rate(dvc_cli *cli, int argc, char **argv);
int cli_dossier_rating(dvc_cli *cli, int argc, char **argv);
int cli_payment_counter(dvc_cli *cli, int argc, char **argv);
int cli_payment_refund(dvc_cli *cli, int argc, char **argv);
int cli_account_files(dvc_cli *cli, int argc, char **argv);

/* Shared printing helpers (cmd_dossier.c). */
struct cJSON;
/* Print a cJSON value on one line to stdout and free it; 1 when out of memory. */
int cli_emit_json(struct cJSON *o);
/* Print a library view (dvc_*_json) made with status `rc` into *json and
 * free it, or the library's error about `what`; the exit status. Takes the
 * pointer's address: `cli_emit_view(dvc_x_json(.., &j), &j, ..)` reads j
 * only after the call. */
int cli_emit_view(int rc, char **json, const char *what);
/* An instant as "2018-07-02T08:00:00+07:00", or "-" for 0. */
void cli_time_str(dvc_time t, char buf[DVC_TIME_FORMAT_SIZE]);
/* A working-time duration as "2 h 15 min" (or "3 days 2 h" over a working day). */
void cli_duration_str(int64_t seconds, char *buf, size_t n);
/* The human-readable tracking view (state, step, deadlines) and the journal. */
void cli_print_tracking(const dvc_tracking *t, const char *indent);
void cli_print_history(const dvc_tracking *t, const char *indent);
/* A cutover report's moves, one line each after `indent` (cmd_agency.c). */
void cli_print_cutover_moves(const dvc_cutover_report *r, const char *indent);

/* Shared payment and outbox helpers (cmd_payment.c, cmd_outbox.c). */
/* An amount in VND the way Vietnamese texts write it: "50.000 đồng". */
void cli_vnd_str(int64_t amount, char *buf, size_t n);
/* Configure the gateway from DVC_GATEWAY_SECRET (and DVC_GATEWAY, default
 * "vnpay"); 1 after printing one line when the secret is not set. */
int cli_gateway(dvc_cli *cli);
/* One message: the one-line summary, and with `full` every field and the text. */
void cli_print_message(const dvc_message *m, bool full, const char *indent);
struct cJSON *cli_message_json(const dvc_message *m);

/* command groups */
int cmd_init(dvc_cli *cli, int argc, char **argv);
int cmd_catalog(dvc_cli *cli, int argc, char **argv);
int cmd_procedure(dvc_cli *cli, int argc, char **argv);
int cmd_calendar(dvc_cli *cli, int argc, char **argv);
int cmd_demo(dvc_cli *cli, int argc, char **argv);
int cmd_account(dvc_cli *cli, int argc, char **argv);
int cmd_officer(dvc_cli *cli, int argc, char **argv);
int cmd_identity(dvc_cli *cli, int argc, char **argv);
int cmd_national(dvc_cli *cli, int argc, char **argv);
int cmd_dossier(dvc_cli *cli, int argc, char **argv);
int cmd_statemachine(dvc_cli *cli, int argc, char **argv);
int cmd_payment(dvc_cli *cli, int argc, char **argv);
int cmd_outbox(dvc_cli *cli, int argc, char **argv);
int cmd_slip(dvc_cli *cli, int argc, char **argv);
int cmd_register(dvc_cli *cli, int argc, char **argv);
int cmd_report(dvc_cli *cli, int argc, char **argv);
int cmd_agency(dvc_cli *cli, int argc, char **argv);
int cmd_proof(dvc_cli *cli, int argc, char **argv);
/* A journal verification's report, as text or --json (cmd_dossier.c). */
int cli_print_journal_report(dvc_cli *cli, const dvc_journal_report *r, const char *what);

#endif
