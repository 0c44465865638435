// libxml2 (Debian's libxml2-dev), linked from its static archive: see icu_stubs.c.
#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU, and encoding.h then includes ICU's headers, which clash with the
// ICU that Foundation brings. Nothing here uses libxml2's ICU types.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/HTMLtree.h>

// xmlFree is a global function pointer, which Swift 6 sees as shared mutable state.
static inline void vodf_xml_free(void *p) { xmlFree(p); }
