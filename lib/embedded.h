/* Data files compiled into the library (see tools/embed.py). */
#ifndef DVC_EMBEDDED_H
#define DVC_EMBEDDED_H
#include <stddef.h>

typedef struct dvc_embedded_file {
	const char *name; /* base name, e.g. "2024.json"; NULL ends the table */
	const char *data; /* NUL-terminated */
	size_t size;      /* without the terminator */
} dvc_embedded_file;

extern const dvc_embedded_file dvc__calendar_files[]; /* data/calendar/YYYY.json */
extern const dvc_embedded_file dvc__schema_files[];   /* data/schema/NAME.xsd */
extern const dvc_embedded_file dvc__template_files[]; /* data/templates/NAME.json */

#endif
