/* dvc proof — a journal that proves itself (proof.h):
 *   dvc proof keygen FILE            a new journal key (secret into FILE, 0600)
 *   dvc proof key FILE               the public key and key id of a key file
 *   dvc proof export CODE            the dossier's proof bundle, on stdout
 *   dvc proof seal [CODE]            sign checkpoints over journals none covers
 *   dvc proof verify FILE [--trust FILE] [--require-signed]
 *                                    check a bundle offline (no store)
 * The store's own journals: dvc dossier verify [CODE]. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* keygen FILE makes a key, key FILE reads one; both print its public half. */
static int proof_key(dvc_cli *cli, int argc, char **argv)
{
	const bool gen = strcmp(argv[0], "keygen") == 0;
	char pub[DVC_PROOF_KEY_HEX_SIZE], id[DVC_PROOF_KEY_ID_SIZE];
	if (argc != 2)
		return cli_fail("usage: dvc proof %s FILE", argv[0]);
	if ((gen ? dvc_proof_keygen : dvc_proof_key_public)(argv[1], pub, id) != DVC_OK)
		return cli_fail_lib(argv[0]);
	if (cli->json)
		printf("{\"key\":\"%s\",\"key_id\":\"%s\"}\n", pub, id);
	else
		printf("public key %s\nkey id     %s\n", pub, id);
	return 0;
}

static int proof_export(dvc_cli *cli, int argc, char **argv)
{
	char *json;
	if (argc != 2)
		return cli_fail("usage: dvc proof export CODE > FILE");
	if (cli_no_json(cli, "proof export") || !cli_db(cli))
		return 1;
	if (dvc_proof_export(cli->db, argv[1], &json) != DVC_OK)
		return cli_fail_lib("export");
	fputs(json, stdout); /* byte for byte: the bundle is canonical */
	dvc_free(json);
	return fflush(stdout) == 0 ? 0 : cli_fail("cannot write the bundle");
}

/* The whole file, at most `limit` bytes (more is refused, never cut). */
static int read_all(const char *path, size_t limit, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	if (!f || !buf) {
		free(buf);
		if (f)
			fclose(f);
		return cli_fail("cannot read '%s'", path);
	}
	for (;;) {
		size_t got;
		if (n == cap) {
			char *g = cap > limit ? NULL : realloc(buf, cap * 2);
			if (!g) {
				free(buf);
				fclose(f);
				return cli_fail("'%s' is larger than a proof bundle may be (%d bytes)", path,
						DVC_PROOF_BUNDLE_MAX);
			}
			buf = g;
			cap *= 2;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f) || n > limit) {
		free(buf);
		fclose(f);
		return cli_fail("cannot read '%s' (or it is larger than %d bytes)", path, DVC_PROOF_BUNDLE_MAX);
	}
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
}

static int proof_verify(dvc_cli *cli, int argc, char **argv)
{
	dvc_proof_verify_opts o = DVC_PROOF_VERIFY_OPTS_INIT;
	dvc_journal_report r = DVC_JOURNAL_REPORT_INIT;
	size_t len = 0;
	char *text = NULL;
	int rc;
	o.trust_file = cli_option(&argc, argv, "--trust");
	o.require_signed = cli_flag(&argc, argv, "--require-signed");
	if (argc != 2)
		return cli_fail("usage: dvc proof verify FILE [--trust FILE] [--require-signed]");
	if (read_all(argv[1], DVC_PROOF_BUNDLE_MAX, &text, &len))
		return 1;
	rc = dvc_proof_verify(text, len, &o, &r);
	free(text);
	if (rc != DVC_OK)
		return cli_fail_lib("verify");
	return cli_print_journal_report(cli, &r, "bundle");
}

static int proof_seal(dvc_cli *cli, int argc, char **argv)
{
	const char *code;
	size_t n = 0;
	if (cli_optional_arg(cli, argc, argv, "usage: dvc proof seal [CODE]   (with DVC_JOURNAL_KEY)",
			     &code))
		return 1;
	if (dvc_journal_seal(cli->db, code, &n) != DVC_OK)
		return cli_fail_lib("seal");
	if (cli->json)
		printf("{\"sealed\":%zu}\n", n);
	else
		printf("%zu journal%s sealed with a signed checkpoint\n", n, n == 1 ? "" : "s");
	return 0;
}

int cmd_proof(dvc_cli *cli, int argc, char **argv)
{
	static const cli_sub subs[] = {{"keygen", proof_key}, {"key", proof_key},
		{"export", proof_export}, {"verify", proof_verify}, {"seal", proof_seal}, {NULL, NULL}};
	return cli_subcommand(cli, argc, argv, "proof", subs);
}
