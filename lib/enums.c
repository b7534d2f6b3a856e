/* Names of the public enumerations: each module keeps one table of names
 * indexed by value and defines its dvc_<enum>_name/_parse pair with
 * DVC__ENUM_NAMES, so every front end prints and parses the same words. */
#include "internal.h"

#include <string.h>

const char *dvc__enum_name(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : "?";
}

int dvc__enum_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

int dvc__enum_parse(const char *const *names, size_t n, const char *what, const char *s, int *out)
{
	dvc_buf all = DVC_BUF_INIT;
	int i = dvc__enum_index(names, n, s);
	if (i >= 0 && out) {
		*out = i;
		return DVC_OK;
	}
	if (!out)
		return dvc__err(DVC_EINVAL, NULL, "parsing a %s needs an out pointer", what);
	for (size_t k = 0; k < n; k++)
		dvc_buf_printf(&all, "%s%s", k ? ", " : "", names[k]);
	dvc__err(DVC_EINVAL, what, "unknown %s '%.40s' (one of: %s)", what, s ? s : "(null)",
		 all.ptr ? all.ptr : "");
	dvc_buf_free(&all);
	return DVC_EINVAL;
}
