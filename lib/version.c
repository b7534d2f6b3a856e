#include "dvc/dvc.h"

const char *dvc_version(void) { return DVC_VERSION; }
int dvc_version_number(void) { return DVC_VERSION_NUMBER; }
