#include "cipherflow/version.h"

const char *cf_version(void) { return CF_VERSION_STRING; }
