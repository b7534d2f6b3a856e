/* Files compiled into a binary by tools/embed.py: the library's data files
 * and the example server's web page use this one table layout. */
#ifndef DVC_TOOLS_EMBEDDED_H
#define DVC_TOOLS_EMBEDDED_H
#include <stddef.h>

typedef struct dvc_embedded_file {
	const char *name; /* base name, e.g. "2024.json"; NULL ends the table */
	const char *data; /* NUL-terminated */
	size_t size;      /* without the terminator */
} dvc_embedded_file;

#endif
