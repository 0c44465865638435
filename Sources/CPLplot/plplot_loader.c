// Resolves PLplot's functions from libplplot.so.17 at the first use (see CPLplot.h for why).
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "CPLplot.h"

// PLplot's types and the prototypes of the functions used, as plplot.h 5.15 declares them (Debian's
// libplplot-dev; PLFLT is double in Debian's build). Declared here rather than included, so that
// building vodfkit needs no PLplot headers and no compiler flags: the library is only dlopen'd.
typedef double PLFLT;
typedef int32_t PLINT;
typedef PLINT PLBOOL;
typedef void *PLPointer;
typedef void (*PLTRANSFORM_callback)(PLFLT x, PLFLT y, PLFLT *xp, PLFLT *yp, PLPointer data);
typedef const PLFLT *const *PLFLT_MATRIX;
void c_plsdev(const char *devname);
void c_plsfnam(const char *fnam);
void c_plspage(PLFLT xp, PLFLT yp, PLINT xleng, PLINT yleng, PLINT xoff, PLINT yoff);
void c_plscolbg(PLINT r, PLINT g, PLINT b);
void c_plssub(PLINT nx, PLINT ny);
void c_plinit(void);
void c_plend(void);
void c_pladv(PLINT page);
void c_plvpor(PLFLT xmin, PLFLT xmax, PLFLT ymin, PLFLT ymax);
void c_plwind(PLFLT xmin, PLFLT xmax, PLFLT ymin, PLFLT ymax);
void c_plbox(const char *xopt, PLFLT xtick, PLINT nxsub, const char *yopt, PLFLT ytick, PLINT nysub);
void c_pllab(const char *xlabel, const char *ylabel, const char *tlabel);
void c_plmtex(const char *side, PLFLT disp, PLFLT pos, PLFLT just, const char *text);
void c_plptex(PLFLT x, PLFLT y, PLFLT dx, PLFLT dy, PLFLT just, const char *text);
void c_plscol0(PLINT icol0, PLINT r, PLINT g, PLINT b);
void c_plcol0(PLINT icol0);
void c_plcol1(PLFLT col1);
void c_plscmap1l(PLBOOL itype, PLINT npts, const PLFLT *intensity, const PLFLT *coord1, const PLFLT *coord2,
                 const PLFLT *coord3, const PLBOOL *alt_hue_path);
void c_plwidth(PLFLT width);
void c_pllsty(PLINT lin);
void c_plschr(PLFLT def, PLFLT scale);
void c_plline(PLINT n, const PLFLT *x, const PLFLT *y);
void c_plpoin(PLINT n, const PLFLT *x, const PLFLT *y, PLINT code);
void c_plfill(PLINT n, const PLFLT *x, const PLFLT *y);
void c_plimagefr(PLFLT_MATRIX idata, PLINT nx, PLINT ny, PLFLT xmin, PLFLT xmax, PLFLT ymin, PLFLT ymax, PLFLT zmin,
                 PLFLT zmax, PLFLT valuemin, PLFLT valuemax, PLTRANSFORM_callback pltr, PLPointer pltr_data);
void c_plscmap0n(PLINT ncol0);
PLINT c_plsetopt(const char *opt, const char *optarg);

#define FUNCTIONS(X) \
  X(plsdev) X(plsfnam) X(plspage) X(plscolbg) X(plssub) X(plinit) X(plend) X(pladv) X(plvpor) X(plwind) \
  X(plbox) X(pllab) X(plmtex) X(plptex) X(plscol0) X(plcol0) X(plcol1) X(plscmap1l) X(plwidth) X(pllsty) \
  X(plschr) X(plline) X(plpoin) X(plfill) X(plimagefr) X(plscmap0n) X(plsetopt)

#define POINTER(name) static __typeof__(c_##name) *p_##name;
FUNCTIONS(POINTER)

int vodf_pl_load(char *error, int length) {
  static int loaded = 0;
  if (loaded) return 0;
  void *h = dlopen("libplplot.so.17", RTLD_NOW | RTLD_LOCAL);
  if (!h) h = dlopen("libplplot.so", RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(error, (size_t)length, "PLplot is not installed (libplplot.so.17: %s); install Debian's libplplot17 and plplot-driver-cairo", dlerror());
    return -1;
  }
#define RESOLVE(name) \
  p_##name = (__typeof__(c_##name) *)dlsym(h, "c_" #name); \
  if (!p_##name) { snprintf(error, (size_t)length, "PLplot lacks c_" #name); return -1; }
  FUNCTIONS(RESOLVE)
  loaded = 1;
  return 0;
}

void vodf_pl_begin(const char *device, const char *file, int width, int height, int nx, int ny) {
  p_plsdev(device);
  p_plsfnam(file);
  p_plspage(0, 0, width, height, 0, 0);
  p_plscolbg(255, 255, 255);
  p_plscmap0n(16);
  p_plssub(nx, ny);
  p_plinit();
}
void vodf_pl_end(void) { p_plend(); }
void vodf_pl_advance(int page) { p_pladv(page); }
void vodf_pl_viewport(double a, double b, double c, double d) { p_plvpor(a, b, c, d); }
void vodf_pl_window(double a, double b, double c, double d) { p_plwind(a, b, c, d); }
void vodf_pl_box(const char *xo, double xt, int nx, const char *yo, double yt, int ny) { p_plbox(xo, xt, nx, yo, yt, ny); }
void vodf_pl_label(const char *x, const char *y, const char *t) { p_pllab(x, y, t); }
void vodf_pl_mtex(const char *s, double d, double p, double j, const char *t) { p_plmtex(s, d, p, j, t); }
void vodf_pl_ptex(double x, double y, double dx, double dy, double j, const char *t) { p_plptex(x, y, dx, dy, j, t); }
void vodf_pl_set_color0(int i, int r, int g, int b) { p_plscol0(i, r, g, b); }
void vodf_pl_color0(int i) { p_plcol0(i); }
void vodf_pl_color1(double p) { p_plcol1(p); }
void vodf_pl_colormap1(int n, const double *pos, const double *r, const double *g, const double *b) { p_plscmap1l(1, n, pos, r, g, b, NULL); }
void vodf_pl_width(double w) { p_plwidth(w); }
void vodf_pl_line_style(int s) { p_pllsty(s); }
void vodf_pl_charsize(double s) { p_plschr(0, s); }
void vodf_pl_line(int n, const double *x, const double *y) { p_plline(n, x, y); }
void vodf_pl_points(int n, const double *x, const double *y, int code) { p_plpoin(n, x, y, code); }
void vodf_pl_fill(int n, const double *x, const double *y) { p_plfill(n, x, y); }

void vodf_pl_image(const double *z, int nx, int ny, double xmin, double xmax, double ymin, double ymax, double zmin, double zmax) {
  PLFLT **rows = malloc(sizeof(PLFLT *) * (size_t)nx);
  if (!rows) return;
  for (int i = 0; i < nx; i++) rows[i] = (PLFLT *)(z + (size_t)i * (size_t)ny);
  p_plimagefr((PLFLT_MATRIX)rows, nx, ny, xmin, xmax, ymin, ymax, zmin, zmax, zmin, zmax, NULL, NULL);
  free(rows);
}
