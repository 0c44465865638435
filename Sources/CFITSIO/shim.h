#include <fitsio.h>
// malloc_usable_size, for the realloc that FITSFile hands to cfitsio's memory driver.
#include <malloc.h>
