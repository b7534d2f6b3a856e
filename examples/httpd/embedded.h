/* Web assets compiled into the example server (tools/embed.py writes the
 * table; the layout is the one the library uses for its own data files). */
#ifndef DVC_HTTPD_EMBEDDED_H
#define DVC_HTTPD_EMBEDDED_H
#include <stddef.h>

typedef struct dvc_embedded_file {
	const char *name; /* base name, e.g. "app.js"; NULL ends the table */
	const char *data; /* NUL-terminated */
	size_t size;      /* without the terminator */
} dvc_embedded_file;

#endif
