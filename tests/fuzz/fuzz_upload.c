/* Upload metadata and content: the file name, the form, the mode, the
 * component, the replaced file, the declared size and the bytes themselves,
 * as a client sends them, into dvc_dossier_attach() by the reception desk.
 *
 * Input: byte 0 the component (-1 = result, 0..3; the procedure has 0..2),
 * byte 1 the form (0..3; 3 is no form), byte 2 the mode (0..3; 3 is no
 * mode), byte 3 how the declared size relates to the content (unknown,
 * exact, one less, one more, 2 GiB, a multiple of 1000), byte 4 which file
 * a replacement names; then the name up to the first '\n', then the content.
 *
 * Whatever happens: a status the header lists, never DVC_ERROR; a refused
 * upload stores nothing (the file list is unchanged); a stored one has
 * exactly the given name, the content's size and an accepted media type,
 * and downloads back byte for byte. */
#include "fuzz_common.h"

typedef struct sink {
	const uint8_t *want;
	size_t n, off;
	int same;
} sink;

static int sink_write(void *ctx, const void *buf, size_t n)
{
	sink *s = ctx;
	if (s->off + n > s->n || memcmp(s->want + s->off, buf, n) != 0)
		s->same = 0;
	s->off += n;
	return 0;
}

static size_t n_files(dvc_db *db, const char *code, const dvc_actor *who)
{
	dvc_file_list *l;
	size_t n;
	FUZZ_CHECK(dvc_dossier_files(db, code, who, &l) == DVC_OK);
	n = dvc_file_list_count(l);
	dvc_file_list_free(l);
	return n;
}

static const char first_pdf[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static dvc_db *db;
	static char code[DVC_CODE_MAX];
	static int64_t existing;
	static const dvc_actor desk = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	dvc_attach_req q = DVC_ATTACH_INIT;
	dvc_file_info fi;
	const uint8_t *nl, *body;
	char *name;
	size_t name_len, body_len, before;
	dvc_mem_reader in;
	int rc;

	if (!db) {
		dvc_submission s = DVC_SUBMISSION_INIT;
		dvc_receipt r = DVC_RECEIPT_INIT;
		static const dvc_applicant citizen = {
			"Nguyễn Văn An", "031099001234", "1999-05-12", "Thôn 3, xã Thụy Hương",
			"0912 345 678", "an.nguyen@example.vn"};
		if (dvc_open(&db, ":memory:", NULL) != DVC_OK)
			abort();
		dvc_set_clock(db, fuzz_clock, NULL);
		if (dvc_catalog_import_file(db, DVC_SOURCE_ROOT "/tests/data/document_catalog.json",
					    DVC_FORMAT_AUTO, NULL) != DVC_OK ||
		    dvc_officer_add(db, "le.tiep.nhan", "Lê Tiếp Nhận", "000.00.30.H24",
				    DVC_ROLE_RECEPTION) != DVC_OK)
			abort();
		s.procedure = "T.000005";
		s.applicant = &citizen;
		if (dvc_dossier_submit(db, &s, &r) != DVC_OK)
			abort();
		memcpy(code, r.code, DVC_CODE_MAX);
		/* one file already there, for replacements to name */
		q.actor = desk;
		q.name = "co-san.pdf";
		in = (dvc_mem_reader){(const uint8_t *)first_pdf, sizeof first_pdf - 1, 0};
		q.read = dvc_mem_read;
		q.read_ctx = &in;
		if (dvc_dossier_attach(db, code, &q, &fi) != DVC_OK)
			abort();
		existing = fi.id;
		q = (dvc_attach_req)DVC_ATTACH_INIT;
	}
	if (size < 5)
		return 0;
	nl = memchr(data + 5, '\n', size - 5);
	name_len = nl ? (size_t)(nl - (data + 5)) : size - 5;
	body = nl ? nl + 1 : data + size;
	body_len = (size_t)(data + size - body);
	name = fuzz_cstr(data + 5, name_len);

	q.actor = desk;
	q.component = (int)(data[0] % 5) - 1;
	q.form = (dvc_file_form)(data[1] % 4);
	q.mode = (dvc_attach_mode)(data[2] % 4);
	switch (data[3] % 6) {
	case 0: q.declared_size = -1; break;
	case 1: q.declared_size = (int64_t)body_len; break;
	case 2: q.declared_size = (int64_t)body_len - 1; break;
	case 3: q.declared_size = (int64_t)body_len + 1; break;
	case 4: q.declared_size = (int64_t)2 << 30; break;
	default: q.declared_size = (int64_t)(data[3] / 6) * 1000; break;
	}
	q.replaces = data[4] % 3 == 0 ? existing : data[4] % 3 == 1 ? 0 : existing + data[4];
	q.name = name;
	in = (dvc_mem_reader){body, body_len, 0};
	q.read = dvc_mem_read;
	q.read_ctx = &in;

	FUZZ_CHECK(dvc_begin(db) == DVC_OK);
	before = n_files(db, code, &desk);
	rc = dvc_dossier_attach(db, code, &q, &fi);
	FUZZ_CHECK(rc == DVC_OK || rc == DVC_EINVAL || rc == DVC_EUTF8 || rc == DVC_ENOTFOUND ||
		   rc == DVC_EPERM || rc == DVC_ETRANSITION || rc == DVC_ETOOBIG ||
		   rc == DVC_ETRUNCATED || rc == DVC_EMEDIATYPE);
	if (rc == DVC_OK) {
		sink out = {body, body_len, 0, 1};
		FUZZ_CHECK(strcmp(fi.name, name) == 0);
		FUZZ_CHECK(fi.size == (int64_t)body_len && body_len > 0);
		FUZZ_CHECK(strstr(DVC_FILE_DEFAULT_TYPES, fi.media_type) != NULL);
		FUZZ_CHECK(q.declared_size < 0 || q.declared_size == (int64_t)body_len);
		FUZZ_CHECK(n_files(db, code, &desk) == before + 1);
		FUZZ_CHECK(dvc_dossier_download(db, code, &desk, fi.id, sink_write, &out) == DVC_OK);
		FUZZ_CHECK(out.same && out.off == body_len);
	} else {
		FUZZ_CHECK(n_files(db, code, &desk) == before);
	}
	FUZZ_CHECK(dvc_rollback(db) == DVC_OK);
	free(name);
	return 0;
}
