/*
 * libdvc — signed electronic results and slips (XML-DSig, xmlsec1).
 *
 * Decree 45/2020/NĐ-CP (art. 25) gives an electronic result the legal value
 * of the paper one when it carries the issuing agency's digital signature.
 * The signing leader's step attaches the result file (document.h, component
 * DVC_FILE_RESULT); dvc_dossier_sign_result() then wraps it in an XML
 * envelope (ketQuaDienTu: dossier code, procedure, agency, file name, media
 * type, size, SHA-256 and the content in base64) and signs the whole
 * envelope with an enveloped XML-DSig signature (RSA-SHA256, exclusive
 * C14N, the signer's X.509 certificate in KeyInfo). The signed XML is stored
 * as a result file of the dossier (form DVC_FILE_ECOPY); the journal gets an
 * entry (action sign) whose payload digest is the signed file's SHA-256 and
 * whose note names the certificate's SHA-256 fingerprint and subject. The
 * applicant downloads it like any file (dvc_dossier_download by code +
 * secret or account; dvc_account_download from the data store, where an
 * account's copy is kept). Anyone verifies it offline:
 *
 *     xmlsec1 --verify --trusted-pem CA.pem FILE.xml
 *
 * Keys and certificates are read from the files named in dvc_sign_opts at
 * each call and never stored in the database. docs/signing.md says what a
 * province plugs in for its government CA. data/demo-keys holds a DEMO key
 * whose private half is public: it proves nothing.
 */
#ifndef DVC_SIGN_H
#define DVC_SIGN_H

#include "dvc/common.h"
#include "dvc/document.h"
#include "dvc/dossier.h"
#include "dvc/slip.h"
#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest result file that is signed (it is embedded in the envelope): 16 MiB. */
#define DVC_SIGN_MAX_BYTES (16 * 1024 * 1024)
/** Largest XML document dvc_sign_xml() and dvc_sign_verify() take: 32 MiB. */
#define DVC_SIGN_MAX_XML (32 * 1024 * 1024)
/** Hex SHA-256 certificate fingerprint with its NUL. */
#define DVC_CERT_FINGERPRINT_SIZE 65

/** Where the signing key is. Initialise with DVC_SIGN_OPTS_INIT. */
typedef struct dvc_sign_opts {
	unsigned int version;
	const char *key_file;   /**< PEM private key (PKCS#8 or traditional), RSA */
	const char *cert_file;  /**< PEM certificate of that key (the signer's) */
	const char *password;   /**< the key file's password, or NULL when unencrypted */
} dvc_sign_opts;

#define DVC_SIGN_OPTS_VERSION 1
#define DVC_SIGN_OPTS_INIT {DVC_SIGN_OPTS_VERSION, NULL, NULL, NULL}

/**
 * Sign the dossier's current result file (see above) and store the signed
 * envelope as a result file in one transaction. The actor is the signing
 * leader at the dossier's current step, as for attaching the result.
 * @param out  optional, receives the stored signed file (strings borrowed as
 *   in dvc_dossier_attach)
 * @return DVC_OK; DVC_EINVAL (no key or certificate file named: a result is
 *   never issued unsigned); DVC_EIO (a key or certificate file cannot be
 *   read or parsed); DVC_ESIGNATURE (the key does not belong to the
 *   certificate); DVC_ENOTFOUND (no result attached); DVC_ETOOBIG (result
 *   over DVC_SIGN_MAX_BYTES); DVC_EAUTH / DVC_EPERM / DVC_ETRANSITION (as
 *   attaching a result); DVC_ENOMEM; DVC_EBUSY. Nothing is stored on failure.
 */
DVC_API int dvc_dossier_sign_result(dvc_db *db, const char *code, const dvc_actor *who,
				    const dvc_sign_opts *opts, dvc_file_info *out);

/**
 * Sign an XML document with an enveloped signature over the whole document
 * (appended as the root's last child).
 * @param out      receives the signed document, NUL-terminated (free with dvc_free)
 * @param out_len  optional, receives its length
 * @return DVC_OK; DVC_EINVAL (no key); DVC_EIO (key files); DVC_ESIGNATURE
 *   (key and certificate do not match); DVC_EPARSE (not well-formed XML, or
 *   it has a DTD); DVC_ETOOBIG (over DVC_SIGN_MAX_XML); DVC_ENOMEM.
 */
DVC_API int dvc_sign_xml(const char *xml, size_t len, const dvc_sign_opts *opts, char **out,
			 size_t *out_len);

/**
 * An official slip (slip.h, rendered as DVC_SLIP_XML) signed with the
 * agency's key: the electronic receipt (form 01) and the other forms.
 * Reads only (nothing is journaled); the caller is the trusted side, as
 * for dvc_slip_render.
 * @return as dvc_slip_render and dvc_sign_xml.
 */
DVC_API int dvc_slip_render_signed(dvc_db *db, const char *code, dvc_slip_kind kind,
				   const dvc_sign_opts *opts, char **out, size_t *out_len);

/**
 * Verify an enveloped XML-DSig signature made as above against a trusted
 * certificate (PEM file: the CA, or the signer's own certificate). The
 * signature must be the root's child and cover the whole document (one
 * reference, URI ""); nothing outside the document is fetched.
 * @param fingerprint  optional, DVC_CERT_FINGERPRINT_SIZE bytes: the signing
 *   certificate's hex SHA-256 fingerprint (of its DER form)
 * @return DVC_OK (valid); DVC_ESIGNATURE (no signature, a changed byte, an
 *   untrusted signer, a signature over part of the document); DVC_EPARSE
 *   (not XML, or a DTD); DVC_EIO (certificate file); DVC_ETOOBIG (over
 *   DVC_SIGN_MAX_XML); DVC_ENOMEM.
 */
DVC_API int dvc_sign_verify(const char *xml, size_t len, const char *trusted_cert_file,
			    char *fingerprint);

/**
 * The hex SHA-256 fingerprint of the first certificate in a PEM file (of
 * its DER bytes, as `openssl x509 -fingerprint -sha256` shows it) into
 * `out`, DVC_CERT_FINGERPRINT_SIZE bytes.
 * @return DVC_OK; DVC_EIO (unreadable, or no certificate in it); DVC_EINVAL.
 */
DVC_API int dvc_cert_fingerprint(const char *cert_file, char *out);

#ifdef __cplusplus
}
#endif
#endif
