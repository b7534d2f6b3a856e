/* dvc slip ... and dvc register ...: the one-stop shop's official papers
 * (Circular 01/2018/TT-VPCP), printed from what the library recorded.
 *
 *   dvc slip CODE KIND --format html|xml [--sign [--key FILE --cert FILE]]
 *       KIND: receipt (form 01), supplement (02), refusal (03), apology (04),
 *       control (05); --sign: the XML form signed with XML-DSig (sign.h)
 *   dvc register [--from DATE --to DATE] [--unit AGENCY] --format html|xml
 *       the tracking register (form 06); DATE is a local day (2018-07-01,
 *       --to inclusive) or an instant with its offset (--to exclusive)
 *
 * The document goes to stdout as it is (already machine-readable, so
 * --json is refused). */
#include "cli.h"
#include "dvc/slip.h"

#include <stdio.h>
#include <string.h>

#define SECONDS_PER_DAY 86400 /* Vietnam keeps no daylight saving time */

static int parse_format(const char *s, dvc_slip_format *out)
{
	if (!s)
		return cli_fail("--format html|xml is required");
	if (strcmp(s, "html") == 0)
		*out = DVC_SLIP_HTML;
	else if (strcmp(s, "xml") == 0)
		*out = DVC_SLIP_XML;
	else
		return cli_fail("--format must be html or xml");
	return 0;
}

/* A local day (its first instant, or with `end` the first of the next day),
 * or an ISO 8601 instant. */
static int parse_bound(const char *opt, const char *s, bool end, dvc_time *out)
{
	dvc_date d;
	char tail;
	if (sscanf(s, "%4d-%2d-%2d%c", &d.year, &d.month, &d.day, &tail) == 3) {
		if (dvc_time_from_local(d, 0, 0, 0, out) != DVC_OK)
			return cli_fail_lib(opt);
		if (end)
			*out += SECONDS_PER_DAY;
		return 0;
	}
	if (dvc_time_parse(s, out) != DVC_OK)
		return cli_fail_lib(opt);
	return 0;
}

static int emit(char *doc, size_t len)
{
	size_t n = fwrite(doc, 1, len, stdout);
	dvc_free(doc);
	if (n != len)
		return cli_fail("cannot write the document");
	return 0;
}

int cmd_slip(dvc_cli *cli, int argc, char **argv)
{
	const char *format = cli_option(&argc, argv, "--format");
	bool sign = cli_flag(&argc, argv, "--sign");
	dvc_sign_opts o = DVC_SIGN_OPTS_INIT;
	dvc_slip_format fmt = DVC_SLIP_HTML; /* set by parse_format */
	dvc_slip_kind kind;
	char *doc;
	size_t len;

	if (sign)
		cli_sign_opts(&argc, argv, &o);
	if (argc != 3)
		return cli_fail("usage: dvc slip CODE receipt|supplement|refusal|apology|control "
				"--format html|xml [--sign [--key FILE --cert FILE]]");
	if (parse_format(format, &fmt) || cli_no_json(cli, "slip"))
		return 1;
	if (sign && fmt != DVC_SLIP_XML)
		return cli_fail("--sign signs the XML form: give --format xml");

	if (dvc_slip_kind_parse(argv[2], &kind) != DVC_OK)
		return cli_fail_lib("slip");
	if (!cli_db(cli))
		return 1;
	if (sign ? dvc_slip_render_signed(cli->db, argv[1], kind, &o, &doc, &len) != DVC_OK
		 : dvc_slip_render(cli->db, argv[1], kind, fmt, &doc, &len) != DVC_OK)
		return cli_fail_lib(argv[1]);
	return emit(doc, len);
}

int cmd_register(dvc_cli *cli, int argc, char **argv)
{
	dvc_register_opts o = DVC_REGISTER_OPTS_INIT;
	const char *format = cli_option(&argc, argv, "--format");
	const char *from = cli_option(&argc, argv, "--from");
	const char *to = cli_option(&argc, argv, "--to");
	dvc_slip_format fmt = DVC_SLIP_HTML; /* set by parse_format */
	char *doc;
	size_t len;

	o.unit = cli_option(&argc, argv, "--unit");
	if (argc != 1)
		return cli_fail("usage: dvc register [--from DATE --to DATE] [--unit AGENCY] "
				"--format html|xml");
	if (cli_no_json(cli, "register") || parse_format(format, &fmt) || (from && parse_bound("--from", from, false, &o.from)) ||
	    (to && parse_bound("--to", to, true, &o.to)))
		return 1;
	if (!cli_db(cli))
		return 1;
	if (dvc_register_render(cli->db, &o, fmt, &doc, &len) != DVC_OK)
		return cli_fail_lib("register");
	return emit(doc, len);
}
