// libxml2 is linked from its static Debian archive. Its shared library pulls in ICU (libicuuc,
// libicudata), whose loading and relocation cost about 1.2 ms at every start of `vodf` (measured: a C
// program linking libxml2.so starts in 2.9 ms, 1.7 ms without it). libxml2 uses ICU only to convert
// document encodings it does not handle itself; UTF-8, UTF-16, ISO-8859-1 and ASCII are built in, and
// VOTables are UTF-8. These stand-ins make every other encoding "unsupported", which libxml2 reports.
#include <stddef.h>

typedef int UErrorCode;
enum { U_FILE_ACCESS_ERROR = 4 };

void *ucnv_open_72(const char *name, UErrorCode *err) { (void)name; if (err) *err = U_FILE_ACCESS_ERROR; return NULL; }
void ucnv_close_72(void *converter) { (void)converter; }
void ucnv_setToUCallBack_72(void *c, void *a, const void *b, void *d, const void **e, UErrorCode *err) {
    (void)c; (void)a; (void)b; (void)d; (void)e; if (err) *err = U_FILE_ACCESS_ERROR;
}
void ucnv_setFromUCallBack_72(void *c, void *a, const void *b, void *d, const void **e, UErrorCode *err) {
    (void)c; (void)a; (void)b; (void)d; (void)e; if (err) *err = U_FILE_ACCESS_ERROR;
}
void ucnv_convertEx_72(void *t, void *s, char **tb, const char *tl, const char **sb, const char *sl, void *pb,
                       void **ps, void **pt, const void *pl, int reset, int flush, UErrorCode *err) {
    (void)t; (void)s; (void)tb; (void)tl; (void)sb; (void)sl; (void)pb; (void)ps; (void)pt; (void)pl; (void)reset; (void)flush;
    if (err) *err = U_FILE_ACCESS_ERROR;
}
void UCNV_FROM_U_CALLBACK_STOP_72(void) {}
void UCNV_TO_U_CALLBACK_STOP_72(void) {}
