/* XML-DSig with xmlsec1 (OpenSSL back end): the signed envelope of an
 * electronic result, signatures over any XML (slips), verification against
 * a trusted certificate, certificate fingerprints. Keys are read from files
 * at each call and never kept. */
#include "dvc/sign.h"
#include "dossier_internal.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/openssl/x509.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#define ENVELOPE_NS "urn:libdvc:ket-qua-dien-tu:1"
#define PARSE_FLAGS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA)

/* xmlsec and its crypto back end keep process-wide tables: set up once,
 * never torn down (like libxml2's parser), so store handles stay independent. */
static pthread_once_t xmlsec_once = PTHREAD_ONCE_INIT;
static int xmlsec_ready;

static void silent(const char *file, int line, const char *func, const char *obj,
		   const char *subj, int reason, const char *msg)
{
	(void)file, (void)line, (void)func, (void)obj, (void)subj, (void)reason, (void)msg;
}

static void xmlsec_setup(void)
{
	xmlInitParser();
	if (xmlSecInit() < 0)
		return;
	if (xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0)
		return;
	/* failures come back as status codes; xmlsec would print them on stderr */
	xmlSecErrorsSetCallback(silent);
	xmlsec_ready = 1;
}

static int ready(void)
{
	pthread_once(&xmlsec_once, xmlsec_setup);
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	return xmlsec_ready ? DVC_OK : dvc__err(DVC_ERROR, NULL, "xmlsec1 failed to initialise");
}

static int check_opts(const dvc_sign_opts *o)
{
	if (!o || !o->key_file || !*o->key_file || !o->cert_file || !*o->cert_file)
		return dvc__err(DVC_EINVAL, "key_file", "no signing key: name the key and certificate "
				"files (dvc_sign_opts); an electronic result is never issued unsigned");
	if (o->version != DVC_SIGN_OPTS_VERSION)
		return dvc__version_err("dvc_sign_opts", o->version, DVC_SIGN_OPTS_VERSION);
	return DVC_OK;
}

static void hex_n(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* SHA-256 of the DER form, hex. */
static int x509_fingerprint(X509 *cert, char *out)
{
	unsigned char *der = NULL, sha[32];
	int n = i2d_X509(cert, &der);
	if (n <= 0)
		return dvc__err(DVC_EIO, NULL, "cannot encode the certificate");
	crypto_hash_sha256(sha, der, (unsigned long long)n);
	OPENSSL_free(der);
	hex_n(sha, 32, out);
	return DVC_OK;
}

int dvc_cert_fingerprint(const char *cert_file, char *out)
{
	FILE *f;
	X509 *cert;
	int rc;
	if (!cert_file || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_cert_fingerprint needs a file and an out buffer");
	if ((rc = ready()) != DVC_OK)
		return rc;
	if (!(f = fopen(cert_file, "rb")))
		return dvc__err(DVC_EIO, "cert_file", "cannot open %.200s", cert_file);
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!cert)
		return dvc__err(DVC_EIO, "cert_file", "no PEM certificate in %.200s", cert_file);
	rc = x509_fingerprint(cert, out);
	X509_free(cert);
	return rc;
}

/* The certificate xmlsec matched to a verified key (the signer's), or NULL. */
static X509 *key_cert(xmlSecKeyPtr key)
{
	xmlSecKeyDataPtr x = key ? xmlSecKeyGetData(key, xmlSecOpenSSLKeyDataX509Id) : NULL;
	return x ? xmlSecOpenSSLKeyDataX509GetKeyCert(x) : NULL;
}

static void subject_of(X509 *cert, char *buf, size_t n)
{
	buf[0] = '\0';
	if (cert)
		X509_NAME_oneline(X509_get_subject_name(cert), buf, (int)n);
}

/* xmlsec 1.2.37 leaks its file BIO when a file cannot be opened: open it
 * here first, which also gives the caller a clear message. */
static int readable(const char *path, const char *field, const char *what)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return dvc__err(DVC_EIO, field, "cannot open the %s file %.200s", what, path);
	fclose(f);
	return DVC_OK;
}

/* Load the key and its certificate; refuse a pair that does not belong together. */
static int load_key(const dvc_sign_opts *o, xmlSecKeyPtr *out, dvc__signer *who)
{
	xmlSecKeyPtr key;
	EVP_PKEY *pk;
	X509 *cert;
	int rc;
	*out = NULL;
	if ((rc = readable(o->key_file, "key_file", "signing key")) != DVC_OK ||
	    (rc = readable(o->cert_file, "cert_file", "certificate")) != DVC_OK)
		return rc;
	if (!(key = xmlSecCryptoAppKeyLoad(o->key_file, xmlSecKeyDataFormatPem, o->password, NULL, NULL)))
		return dvc__err(DVC_EIO, "key_file", "cannot load a PEM private key from %.200s%s",
				o->key_file, o->password ? "" : " (is it encrypted? give its password)");
	if (xmlSecCryptoAppKeyCertLoad(key, o->cert_file, xmlSecKeyDataFormatPem) < 0) {
		xmlSecKeyDestroy(key);
		return dvc__err(DVC_EIO, "cert_file", "cannot load a PEM certificate from %.200s",
				o->cert_file);
	}
	/* loaded, not yet matched to the key: the file's first certificate */
	cert = xmlSecKeyGetData(key, xmlSecOpenSSLKeyDataX509Id) && xmlSecOpenSSLKeyDataX509GetCertsSize(
		xmlSecKeyGetData(key, xmlSecOpenSSLKeyDataX509Id)) > 0
		       ? xmlSecOpenSSLKeyDataX509GetCert(xmlSecKeyGetData(key, xmlSecOpenSSLKeyDataX509Id), 0)
		       : NULL;
	pk = xmlSecKeyGetValue(key) ? xmlSecOpenSSLEvpKeyDataGetEvp(xmlSecKeyGetValue(key)) : NULL;
	if (!cert || !pk || EVP_PKEY_eq(X509_get0_pubkey(cert), pk) != 1) {
		xmlSecKeyDestroy(key);
		return dvc__err(DVC_ESIGNATURE, "cert_file", "the key in %.200s does not belong to the "
				"certificate in %.200s", o->key_file, o->cert_file);
	}
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
		xmlSecKeyDestroy(key);
		return dvc__err(DVC_EIO, "key_file", "%.200s is not an RSA key (signatures are RSA-SHA256)",
				o->key_file);
	}
	if (who) {
		if ((rc = x509_fingerprint(cert, who->fingerprint)) != DVC_OK) {
			xmlSecKeyDestroy(key);
			return rc;
		}
		subject_of(cert, who->subject, sizeof who->subject);
	}
	*out = key;
	return DVC_OK;
}

/* Sign `doc` in place (enveloped, over the whole document) and serialise it. */
static int sign_doc(xmlDocPtr doc, const dvc_sign_opts *o, char **out, size_t *out_len,
		    dvc__signer *who)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), sig, ref, ki, x509;
	xmlSecDSigCtxPtr ctx = NULL;
	xmlSecKeyPtr key = NULL;
	xmlChar *mem = NULL;
	int n = 0, rc;
	*out = NULL;
	if (!root)
		return dvc__err(DVC_EPARSE, NULL, "the document has no root element");
	if ((rc = load_key(o, &key, who)) != DVC_OK)
		return rc;
	if (!(sig = xmlSecTmplSignatureCreate(doc, xmlSecTransformExclC14NId,
					      xmlSecTransformRsaSha256Id, NULL))) {
		xmlSecKeyDestroy(key);
		return dvc__oom();
	}
	xmlAddChild(root, sig);
	if (!(ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, NULL,
						    (const xmlChar *)"", NULL)) ||
	    !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) ||
	    !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) ||
	    !(ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL)) ||
	    !(x509 = xmlSecTmplKeyInfoAddX509Data(ki)) || !xmlSecTmplX509DataAddCertificate(x509) ||
	    !xmlSecTmplX509DataAddSubjectName(x509)) {
		xmlSecKeyDestroy(key);
		return dvc__oom();
	}
	if (!(ctx = xmlSecDSigCtxCreate(NULL))) {
		xmlSecKeyDestroy(key);
		return dvc__oom();
	}
	ctx->signKey = key; /* the context owns it from here */
	if (xmlSecDSigCtxSign(ctx, sig) < 0) {
		rc = dvc__err(DVC_EIO, "key_file", "signing with %.200s failed", o->key_file);
		goto done;
	}
	xmlDocDumpMemoryEnc(doc, &mem, &n, "UTF-8");
	if (!mem || n <= 0) {
		rc = dvc__oom();
		goto done;
	}
	if (!(*out = dvc__malloc((size_t)n + 1))) {
		rc = dvc__oom();
		goto done;
	}
	memcpy(*out, mem, (size_t)n);
	(*out)[n] = '\0';
	if (out_len)
		*out_len = (size_t)n;
	rc = DVC_OK;
done:
	xmlFree(mem);
	xmlSecDSigCtxDestroy(ctx);
	return rc;
}

/* A document we sign or verify: well-formed, bounded, no DTD (no entities
 * to expand, no external subset to fetch). */
static void quiet(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

static int parse(const char *xml, size_t len, xmlDocPtr *out)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	int wf;
	*out = NULL;
	if (len > DVC_SIGN_MAX_XML)
		return dvc__err(DVC_ETOOBIG, NULL, "XML documents over %d bytes are not signed or verified",
				DVC_SIGN_MAX_XML);
	/* Errors go to this context's handler: libxml2's global ones print
	 * to the host's stderr (a "huge text node" even with NOERROR). */
	if (!(ctxt = xmlNewParserCtxt()))
		return dvc__oom();
	ctxt->sax->serror = quiet;
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, NULL, PARSE_FLAGS);
	wf = ctxt->wellFormed;
	xmlFreeParserCtxt(ctxt);
	xmlResetLastError();
	if (doc && !wf) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	if (!doc)
		return dvc__err(DVC_EPARSE, NULL, "not well-formed XML");
	if (doc->intSubset || doc->extSubset || !xmlDocGetRootElement(doc)) {
		xmlFreeDoc(doc);
		return dvc__err(DVC_EPARSE, NULL, "XML with a DTD (or no root element) is not signed or verified");
	}
	*out = doc;
	return DVC_OK;
}

int dvc_sign_xml(const char *xml, size_t len, const dvc_sign_opts *opts, char **out, size_t *out_len)
{
	xmlDocPtr doc;
	int rc;
	if (!xml || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_sign_xml needs a document and an out pointer");
	*out = NULL;
	if ((rc = check_opts(opts)) != DVC_OK || (rc = ready()) != DVC_OK ||
	    (rc = parse(xml, len, &doc)) != DVC_OK)
		return rc;
	rc = sign_doc(doc, opts, out, out_len, NULL);
	xmlFreeDoc(doc);
	return rc;
}

static xmlNodePtr text_child(xmlNodePtr parent, const char *name, const char *value)
{
	return xmlNewTextChild(parent, NULL, (const xmlChar *)name, (const xmlChar *)(value ? value : ""));
}

int dvc__sign_result_xml(const dvc__sign_meta *m, const unsigned char *data, size_t n,
			 const dvc_sign_opts *opts, char **out, size_t *out_len, dvc__signer *who)
{
	static const char *const names[] = {"maHoSo", "maThuTuc", "tenThuTuc", "coQuanCap", "tenTep",
					    "kieuTep", "kichThuoc", "sha256", "ngayKy", "nguoiKy"};
	const char *values[10];
	xmlDocPtr doc;
	xmlNodePtr root, content;
	char size_s[32], *b64;
	size_t b64_len;
	int rc;
	*out = NULL;
	if ((rc = check_opts(opts)) != DVC_OK || (rc = ready()) != DVC_OK)
		return rc;
	b64_len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	if (!(b64 = dvc__malloc(b64_len)))
		return dvc__oom();
	sodium_bin2base64(b64, b64_len, data, n, sodium_base64_VARIANT_ORIGINAL);
	if (!(doc = xmlNewDoc((const xmlChar *)"1.0")) ||
	    !(root = xmlNewNode(NULL, (const xmlChar *)"ketQuaDienTu"))) {
		xmlFreeDoc(doc);
		dvc__free(b64);
		return dvc__oom();
	}
	xmlDocSetRootElement(doc, root);
	xmlSetNs(root, xmlNewNs(root, (const xmlChar *)ENVELOPE_NS, NULL));
	snprintf(size_s, sizeof size_s, "%zu", n);
	values[0] = m->dossier;
	values[1] = m->procedure;
	values[2] = m->procedure_name;
	values[3] = m->agency;
	values[4] = m->file_name;
	values[5] = m->media_type;
	values[6] = size_s;
	values[7] = m->sha256;
	values[8] = m->signed_at;
	values[9] = m->signer;
	rc = DVC_OK;
	for (size_t i = 0; i < sizeof names / sizeof *names && rc == DVC_OK; i++)
		if (!text_child(root, names[i], values[i]))
			rc = dvc__oom();
	content = rc == DVC_OK ? text_child(root, "noiDung", b64) : NULL;
	dvc__free(b64);
	if (!content || !xmlSetProp(content, (const xmlChar *)"encoding", (const xmlChar *)"base64")) {
		xmlFreeDoc(doc);
		return dvc__oom();
	}
	rc = sign_doc(doc, opts, out, out_len, who);
	xmlFreeDoc(doc);
	return rc;
}

/* The signature we make: the root's child, one reference to the whole document. */
static int signature_shape(xmlNodePtr root, xmlSecDSigCtxPtr ctx, xmlNodePtr sig)
{
	xmlSecDSigReferenceCtxPtr ref;
	if (sig->parent != root)
		return dvc__err(DVC_ESIGNATURE, NULL, "the signature is not a child of the root element");
	if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1 ||
	    !(ref = xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0)) ||
	    (ref->uri && ref->uri[0] != '\0'))
		return dvc__err(DVC_ESIGNATURE, NULL, "the signature does not cover the whole document "
				"(one reference with URI \"\")");
	return DVC_OK;
}

int dvc_sign_verify(const char *xml, size_t len, const char *trusted_cert_file, char *fingerprint)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr sig, root;
	xmlSecKeysMngrPtr mngr = NULL;
	xmlSecDSigCtxPtr ctx = NULL;
	X509 *cert;
	int rc;
	if (!xml || !trusted_cert_file)
		return dvc__err(DVC_EINVAL, NULL, "dvc_sign_verify needs a document and a trusted certificate");
	if (fingerprint)
		fingerprint[0] = '\0';
	if ((rc = ready()) != DVC_OK ||
	    (rc = readable(trusted_cert_file, "trusted_cert_file", "trusted certificate")) != DVC_OK ||
	    (rc = parse(xml, len, &doc)) != DVC_OK)
		return rc;
	root = xmlDocGetRootElement(doc);
	if (!(sig = xmlSecFindNode(root, xmlSecNodeSignature, xmlSecDSigNs))) {
		rc = dvc__err(DVC_ESIGNATURE, NULL, "the document carries no XML signature");
		goto done;
	}
	if (!(mngr = xmlSecKeysMngrCreate()) || xmlSecCryptoAppDefaultKeysMngrInit(mngr) < 0) {
		rc = dvc__oom();
		goto done;
	}
	if (xmlSecCryptoAppKeysMngrCertLoad(mngr, trusted_cert_file, xmlSecKeyDataFormatPem,
					    xmlSecKeyDataTypeTrusted) < 0) {
		rc = dvc__err(DVC_EIO, "trusted_cert_file", "cannot load a PEM certificate from %.200s",
			      trusted_cert_file);
		goto done;
	}
	if (!(ctx = xmlSecDSigCtxCreate(mngr))) {
		rc = dvc__oom();
		goto done;
	}
	/* only this document: no file, no network */
	ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty;
	/* the key comes from a certificate the trusted one vouches for, never
	 * from a bare KeyValue the document could carry */
	if (xmlSecPtrListAdd(&ctx->keyInfoReadCtx.enabledKeyData,
			     (xmlSecPtr)(uintptr_t)xmlSecKeyDataX509Id) < 0) {
		rc = dvc__oom();
		goto done;
	}
	ctx->keyInfoReadCtx.flags |= XMLSEC_KEYINFO_FLAGS_X509DATA_STOP_ON_INVALID_CERT;
	if (xmlSecDSigCtxVerify(ctx, sig) < 0 || ctx->status != xmlSecDSigStatusSucceeded) {
		rc = dvc__err(DVC_ESIGNATURE, NULL, "the signature does not verify against %.200s "
			      "(changed content, or a signer that certificate does not vouch for)",
			      trusted_cert_file);
		goto done;
	}
	if ((rc = signature_shape(root, ctx, sig)) != DVC_OK)
		goto done;
	if (!(cert = key_cert(ctx->signKey))) {
		rc = dvc__err(DVC_ESIGNATURE, NULL, "the signature names no certificate");
		goto done;
	}
	rc = fingerprint ? x509_fingerprint(cert, fingerprint) : DVC_OK;
done:
	xmlSecDSigCtxDestroy(ctx);
	if (mngr)
		xmlSecKeysMngrDestroy(mngr);
	xmlFreeDoc(doc);
	return rc;
}

int dvc__sign_ready(const dvc_sign_opts *opts)
{
	int rc = check_opts(opts);
	return rc != DVC_OK ? rc : ready();
}
