// PLplot (Debian's libplplot-dev), loaded when the first picture is drawn: linked, its shared
// library and its ~12 dependencies would be mapped at every start of `vodf` (+1.4 ms measured on
// a C program), though most commands draw nothing. plplot_loader.c resolves the few functions
// vodfkit uses; these wrappers take plain C types, so Swift needs none of PLplot's headers.
#ifndef VODF_CPLPLOT_H
#define VODF_CPLPLOT_H

/// 0 when PLplot is loaded; otherwise -1 and the reason in `error`.
int vodf_pl_load(char *error, int length);

void vodf_pl_begin(const char *device, const char *file, int width, int height, int nx, int ny);
void vodf_pl_end(void);
void vodf_pl_advance(int page);
void vodf_pl_viewport(double xmin, double xmax, double ymin, double ymax);
void vodf_pl_window(double xmin, double xmax, double ymin, double ymax);
void vodf_pl_box(const char *xopt, double xtick, int nxsub, const char *yopt, double ytick, int nysub);
void vodf_pl_label(const char *x, const char *y, const char *title);
void vodf_pl_mtex(const char *side, double disp, double pos, double just, const char *text);
void vodf_pl_ptex(double x, double y, double dx, double dy, double just, const char *text);
void vodf_pl_set_color0(int index, int r, int g, int b);
void vodf_pl_color0(int index);
void vodf_pl_color1(double position);
void vodf_pl_colormap1(int n, const double *position, const double *r, const double *g, const double *b);
void vodf_pl_width(double width);
void vodf_pl_line_style(int style);
void vodf_pl_charsize(double scale);
void vodf_pl_line(int n, const double *x, const double *y);
void vodf_pl_points(int n, const double *x, const double *y, int code);
void vodf_pl_fill(int n, const double *x, const double *y);
/// A map of `nx` by `ny` values (row-major: z[i * ny + j] is x cell i, y cell j) over the window
/// [xmin, xmax] x [ymin, ymax], coloured by colour map 1 between zmin and zmax.
void vodf_pl_image(const double *z, int nx, int ny, double xmin, double xmax, double ymin, double ymax, double zmin, double zmax);

#endif
