// Shim over Debian's libcsv-dev (no pkg-config file): the header lives in /usr/include.
#ifndef BANSO_CLIBCSV_SHIM_H
#define BANSO_CLIBCSV_SHIM_H
#include <csv.h>
#endif
