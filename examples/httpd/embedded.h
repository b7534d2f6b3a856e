/* Web assets compiled into the example server (tools/embed.py writes the
 * table, in the layout the library uses for its own data files). */
#ifndef DVC_HTTPD_EMBEDDED_H
#define DVC_HTTPD_EMBEDDED_H
#include "../../tools/embedded.h"
#endif
