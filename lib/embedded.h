/* Data files compiled into the library (see tools/embed.py). */
#ifndef DVC_EMBEDDED_H
#define DVC_EMBEDDED_H
#include "../tools/embedded.h"

extern const dvc_embedded_file dvc__calendar_files[]; /* data/calendar/YYYY.json */
extern const dvc_embedded_file dvc__schema_files[];   /* data/schema/NAME.xsd */
extern const dvc_embedded_file dvc__template_files[]; /* data/templates/NAME.json */
extern const dvc_embedded_file dvc__national_files[]; /* data/national/NAME.json */

#endif
