"""The differential harness: systematic mutations of real files, each loaded by gammapy 2.1 the way
users do and validated by `vodf validate --profile gammapy`. The rule it holds vodf to: in the
gammapy profile, an HDU has an error exactly when gammapy fails on it or misreads it.

The mutations are one table (MUTATIONS); a new kind of mutation is one row. Each row names what it
targets (keywords, columns, axis edges, the class keywords) and how it changes a copy of the HDU.
"""
import hashlib
import json
import logging
import os
import random
import subprocess
import tempfile
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from astropy.io import fits

# FITS structure, not content: mutating these breaks the file for every reader alike.
STRUCTURAL = {"XTENSION", "BITPIX", "NAXIS", "PCOUNT", "GCOUNT", "TFIELDS", "CHECKSUM", "DATASUM", "COMMENT",
              "HISTORY", "", "THEAP", "SIMPLE", "EXTEND"}
STRUCTURAL_PREFIXES = ("NAXIS", "TTYPE", "TFORM", "TUNIT", "TDIM", "TNULL", "TSCAL", "TZERO", "TDISP")
CLASS_KEYWORDS = ["HDUCLASS", "HDUCLAS1", "HDUCLAS2", "HDUCLAS3", "HDUCLAS4"]
IRF_TYPES = {"AEFF_2D": "aeff", "EDISP_2D": "edisp", "PSF_TABLE": "psf", "PSF_3GAUSS": "psf", "PSF_KING": "psf",
             "BKG_2D": "bkg", "BKG_3D": "bkg", "RAD_MAX_2D": "rad_max"}
# Unit spellings astropy parses to the same unit, and one it does not parse.
RESPELLED = {"deg": "degree", "TeV": "1e12 eV", "m2": "m**2", "s": "second", "1/sr": "sr-1", "sr-1": "1 / sr",
             "1/(MeV s sr)": "MeV-1 s-1 sr-1", "MeV-1 s-1 sr-1": "1 / (MeV s sr)", "s-1 MeV-1 sr-1": "1 / (MeV s sr)",
             "GeV": "1e9 eV", "m^2": "m2", "d": "day", "rad": "radian"}


def keyword_targets(hdu):
    return [k for k in dict.fromkeys(hdu.header.keys())
            if k not in STRUCTURAL and not k.startswith(STRUCTURAL_PREFIXES)]


def column_targets(hdu):
    return list(hdu.columns.names) if isinstance(hdu, fits.BinTableHDU) else []


def unit_targets(hdu):
    return [c.name for c in hdu.columns if c.unit] if isinstance(hdu, fits.BinTableHDU) else []


def edge_targets(hdu):
    """(LO column) of axis pairs with at least two bins, in one-row IRF tables."""
    if not isinstance(hdu, fits.BinTableHDU) or len(hdu.data) != 1:
        return []
    names = hdu.columns.names
    return [n for n in names if n.endswith("_LO") and n[:-3] + "_HI" in names and np.size(hdu.data[n][0]) > 2]


def _set(header, key, value):
    header[key] = (value, header.comments[key]) if key in header else value


def retype(value, to):
    """The value as another FITS type, or None when that type makes no sense for it."""
    if to == "string":
        return None if isinstance(value, str) else (str(value).upper() if isinstance(value, bool) else str(value))
    if to == "float":
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                return None
        return None
    if to == "int":
        # only integral floats: a rounded value would be a different value, not a different type
        if isinstance(value, float) and np.isfinite(value) and value == round(value):
            return int(value)
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                return None
    return None


def drop_column(hdul, i, name):
    hdu = hdul[i]
    cols = [c for c in hdu.columns if c.name != name]
    header = hdu.header.copy()
    for k in list(header.keys()):
        if k.startswith("CREF"):
            del header[k]
    new = fits.BinTableHDU.from_columns(fits.ColDefs(cols), header=None, nrows=len(hdu.data))
    for c in cols:
        new.data[c.name] = hdu.data[c.name]
    for k in header:
        if k not in new.header and k not in STRUCTURAL and not k.startswith(STRUCTURAL_PREFIXES):
            new.header[k] = header[k]
    hdul[i] = new


def narrow_column(hdul, i, name):
    """The table with column `name` stored as float32 (as pyirf, ctapipe and CTAO-GADF store IRF axes and
    data, and RA/DEC/ENERGY)."""
    hdu = hdul[i]
    cols = []
    for c in hdu.columns:
        if c.name == name:
            data = np.asarray(hdu.data[name], dtype=np.float32)
            repeat = int(np.prod(data.shape[1:])) if data.ndim > 1 else 1
            cols.append(fits.Column(name=c.name, format=f"{repeat}E" if repeat > 1 else "E", unit=c.unit, dim=c.dim,
                                    array=data))
        else:
            cols.append(c)
    hdul[i] = fits.BinTableHDU.from_columns(cols, header=hdu.header)


def float64_targets(hdu):
    """Float64 columns that producers store as float32: IRF axes and data, RA/DEC/ENERGY. Times stay."""
    if not isinstance(hdu, fits.BinTableHDU):
        return []
    keep = {"TIME", "START", "STOP", "TSTART", "TSTOP"}
    return [c.name for c in hdu.columns if c.format.endswith("D") and c.name not in keep]


def move_edge(hdul, i, lo, how):
    """Moves bin k's LO away from bin k-1's HI: by one ulp of the stored type, or by 1e-12 relative."""
    data = hdul[i].data[lo]
    k = np.size(data[0]) // 2
    v = data[0][k]
    if how == "ulp":
        data[0][k] = np.nextafter(v, v.dtype.type(np.inf))
    else:
        data[0][k] = v * (1 + 1e-12) if v != 0 else 1e-300


@dataclass(frozen=True)
class Mutation:
    kind: str            # the row of MUTATIONS
    target: str          # keyword, column or axis
    hdu: int


def _keyword_removed(h, m): h[m.hdu].header.remove(m.target)
def _keyword_blank(h, m): _set(h[m.hdu].header, m.target, "")
def _unit_removed(h, m):
    n = h[m.hdu].columns.names.index(m.target) + 1
    h[m.hdu].header.remove(f"TUNIT{n}")
def _unit_respelled(h, m):
    n = h[m.hdu].columns.names.index(m.target) + 1
    h[m.hdu].header[f"TUNIT{n}"] = RESPELLED[h[m.hdu].header[f"TUNIT{n}"].strip()]
def _unit_misspelled(h, m):
    n = h[m.hdu].columns.names.index(m.target) + 1
    h[m.hdu].header[f"TUNIT{n}"] = h[m.hdu].header[f"TUNIT{n}"].strip() + "zz"
def _class_removed(h, m):
    for k in CLASS_KEYWORDS:
        h[m.hdu].header.remove(k, ignore_missing=True)
def _retyped(to):
    def f(h, m):
        _set(h[m.hdu].header, m.target, retype(h[m.hdu].header[m.target], to))
    return f


# One row per kind of mutation: (kind, targets of an HDU, applies to a target?, mutate).
MUTATIONS = [
    ("keyword-removed", keyword_targets, lambda hdu, t: True, _keyword_removed),
    ("keyword-blank", keyword_targets, lambda hdu, t: hdu.header[t] != "", _keyword_blank),
    ("keyword-as-string", keyword_targets, lambda hdu, t: retype(hdu.header[t], "string") is not None, _retyped("string")),
    ("keyword-as-float", keyword_targets, lambda hdu, t: retype(hdu.header[t], "float") is not None, _retyped("float")),
    ("keyword-as-int", keyword_targets, lambda hdu, t: retype(hdu.header[t], "int") is not None, _retyped("int")),
    ("unit-removed", unit_targets, lambda hdu, t: True, _unit_removed),
    ("unit-respelled", unit_targets, lambda hdu, t: hdu.columns[t].unit.strip() in RESPELLED, _unit_respelled),
    ("unit-misspelled", unit_targets, lambda hdu, t: True, _unit_misspelled),
    ("edge-1ulp", edge_targets, lambda hdu, t: True, lambda h, m: move_edge(h, m.hdu, m.target, "ulp")),
    ("edge-1e-12", edge_targets, lambda hdu, t: True, lambda h, m: move_edge(h, m.hdu, m.target, "rel")),
    ("column-dropped", column_targets, lambda hdu, t: True, lambda h, m: drop_column(h, m.hdu, m.target)),
    ("class-keywords-removed", lambda hdu: ["HDUCLASn"] if "HDUCLAS1" in hdu.header else [], lambda hdu, t: True, _class_removed),
    ("column-as-float32", float64_targets, lambda hdu, t: True, lambda h, m: narrow_column(h, m.hdu, m.target)),
]
APPLY = {kind: mutate for kind, _, _, mutate in MUTATIONS}


def mutations_of(path):
    """Every mutation of every extension of `path`."""
    out = []
    with fits.open(path) as h:
        for i, hdu in enumerate(h):
            if i == 0:
                continue
            for kind, targets, applies, _ in MUTATIONS:
                out += [Mutation(kind, t, i) for t in targets(hdu) if applies(hdu, t)]
    return out


# ---------------------------------------------------------------- gammapy, the way users read files

# EXTNAMEs of the HDUs gammapy writes without class keywords, and the kind they are (issue 27).
CLASSLESS = {"PSF_2D_GAUSS": "PSF_3GAUSS", "PSF_2D_KING": "PSF_KING", "GTI": "GTI", "EVENTS": "EVENTS"}


def kind_of(header):
    c1 = str(header.get("HDUCLAS1", "")).upper()
    c4 = str(header.get("HDUCLAS4", "")).upper()
    if c1 == "RESPONSE":
        return c4
    return c1 or CLASSLESS.get(str(header.get("EXTNAME", "")).upper(), "")


def as_observation_gives(path, irf):
    """`irf` (read from `path` by its class) with the FoV alignment gammapy's Observation gives it: a
    background in a file whose events say H.E.S.S. SASH and GADF 0.2 is REVERSE_LON_RADEC
    (gammapy/data/observations.py, `Observation.bkg`). Returns the irf."""
    from gammapy.irf import FoVAlignment
    with fits.open(path) as h:
        sash = any(x.header.get("HDUCLAS1") == "EVENTS" and x.header.get("CREATOR") == "SASH FITS::EventListWriter"
                   and str(x.header.get("HDUVERS", "")).strip() == "0.2" for x in h[1:])
    if sash and "fov_lon" in irf.axes.names:
        irf._fov_alignment = FoVAlignment.REVERSE_LON_RADEC
    return irf


def aligned(irf):
    """A background as gammapy's makers use it, in GADF's RADEC alignment: one that gammapy reads with
    REVERSE_LON_RADEC (H.E.S.S. DR1) is given here mirrored in FoV longitude, as the makers evaluate it.
    Returns (data quantity, {axis name: edges})."""
    edges = {ax.name: ax.edges for ax in irf.axes}
    data = irf.quantity
    if getattr(getattr(irf, "fov_alignment", None), "value", "") == "REVERSE_LON_RADEC":
        k = irf.axes.names.index("fov_lon")
        data = np.flip(data, axis=k)
        edges["fov_lon"] = -edges["fov_lon"][::-1]
    return data, edges


def _arrays_of_irf(irf):
    """What a user gets from an IRF: its data, its axes, and evaluate / containment_radius results
    (a background in GADF's alignment, see `aligned`)."""
    import astropy.units as u
    out = {}
    if getattr(getattr(irf, "fov_alignment", None), "value", "") == "REVERSE_LON_RADEC":
        data, edges = aligned(irf)
        out["data"] = data
        out.update({f"axis {n}": e for n, e in edges.items()})
        # Evaluated where the mirrored table is: at -lon of the table as stored.
        centers = {ax.name: (-ax.center[::-1] if ax.name == "fov_lon" else ax.center) for ax in irf.axes}
        grids = dict(zip(centers, np.meshgrid(*centers.values(), indexing="ij")))
        grids["fov_lon"] = -grids["fov_lon"]
        out["evaluate"] = irf.evaluate(**grids)
        return out
    if irf.data.dtype.names:          # parametric PSFs: one field per parameter
        for name in irf.data.dtype.names:
            out[f"data {name}"] = irf.quantity[name]
    else:
        out["data"] = irf.quantity
    for ax in irf.axes:
        out[f"axis {ax.name}"] = ax.edges
    if not irf.data.dtype.names:
        kw = {ax.name: ax.center for ax in irf.axes}
        grids = np.meshgrid(*[kw[n] for n in kw], indexing="ij")
        out["evaluate"] = irf.evaluate(**{n: g for n, g in zip(kw, grids)})
    if hasattr(irf, "containment_radius"):
        e = irf.axes["energy_true"].center
        off = irf.axes["offset"].center[0] if "offset" in irf.axes.names else 0 * u.deg
        out["containment_radius"] = irf.containment_radius(fraction=0.68, energy_true=e, offset=off)
    return out


def read_events(path):
    """An observation as users open one file: its events, GTI, live time, dead time and pointing."""
    from gammapy.data import Observation
    obs = Observation.read(path)
    ev, gti = obs.events, obs.gti
    pointing = obs.get_pointing_icrs(obs.tmid)
    return {"time": ev.time.tt.mjd, "radec": np.array([ev.radec.ra.deg, ev.radec.dec.deg]),
            "energy": ev.energy, "gti": np.array([gti.time_start.tt.mjd, gti.time_stop.tt.mjd]),
            "live_time": obs.observation_live_time_duration, "dead_time_fraction": obs.observation_dead_time_fraction,
            "pointing": np.array([pointing.ra.deg, pointing.dec.deg])}


def read_gti(path):
    from gammapy.data import GTI
    g = GTI.read(path)
    return {"start": g.time_start.tt.mjd, "stop": g.time_stop.tt.mjd}


def gammapy_view(path, kind):
    """What gammapy gives a user for an HDU of this kind in `path` (raises when it fails)."""
    if kind == "EVENTS":
        return read_events(path)
    if kind == "GTI":
        return read_gti(path)
    from gammapy.irf import load_irf_dict_from_file
    irfs = load_irf_dict_from_file(path)
    if IRF_TYPES[kind] not in irfs:
        raise LookupError(f"gammapy found no {IRF_TYPES[kind]} in the file")
    return _arrays_of_irf(irfs[IRF_TYPES[kind]])


# Quantities gammapy derives by interpolation or root finding move by more than the stored values do
# when an edge moves by round-off: with negative PSF bins (H.E.S.S. run 20282) the cumulative is not
# monotonic, and one float32 ulp of a RAD edge moves a 68% radius by 0.3%. A misread (a unit, an axis
# order) changes them by factors.
DERIVED = ("evaluate", "containment_radius")


def same(a, b, rtol_stored=1e-6):
    """Whether two views hold the same numbers (units converted): stored values to rtol 1e-6, derived
    ones to 1e-2."""
    if a.keys() != b.keys():
        return False, f"keys {sorted(a)} != {sorted(b)}"
    for k in a:
        x, y = a[k], b[k]
        try:
            if hasattr(x, "unit") or hasattr(y, "unit"):
                if not hasattr(x, "unit") or not hasattr(y, "unit"):
                    return False, f"{k}: unit lost"
                y = y.to(x.unit)
                x, y = x.value, y.value
            x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        except Exception as e:
            return False, f"{k}: {e}"
        if x.shape != y.shape:
            return False, f"{k}: shape {x.shape} != {y.shape}"
        scale = np.nanmax(np.abs(x)) if x.size and np.isfinite(x).any() else 0.0
        rtol = 1e-2 if k.split(".")[-1] in DERIVED else rtol_stored
        if not np.allclose(x, y, rtol=rtol, atol=1e-9 * scale, equal_nan=True):
            return False, f"{k}: values differ"
    return True, ""


IRF_READERS = {"AEFF_2D": "EffectiveAreaTable2D", "EDISP_2D": "EnergyDispersion2D", "PSF_TABLE": "PSF3D",
               "PSF_3GAUSS": "EnergyDependentMultiGaussPSF", "PSF_KING": "PSFKing", "BKG_2D": "Background2D",
               "BKG_3D": "Background3D", "RAD_MAX_2D": "RadMax2D"}


def by_name_view(path, hdu, kind):
    """An IRF HDU read the other way users read one: its gammapy class's reader with the HDU's own
    name (`EffectiveAreaTable2D.read(path, hdu="EFFECTIVE AREA")`), which ignores class keywords."""
    import gammapy.irf
    with fits.open(path) as h:
        name = h[hdu].header.get("EXTNAME")
    if name is None:
        raise LookupError("no EXTNAME to read it by")
    return _arrays_of_irf(getattr(gammapy.irf, IRF_READERS[kind]).read(path, hdu=name))


def _attempt(view):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(logging.CRITICAL)
        try:
            return view(), None
        except Exception as e:
            return None, f"fails: {type(e).__name__}: {str(e)[:120]}"
        finally:
            logging.disable(logging.NOTSET)


def outcome(path, kind, reference, hdu=None):
    """'ok', or 'fails: ...' or 'misreads: ...', with gammapy's warnings silenced. An IRF HDU counts as
    read when either way users read one gets its numbers right: `load_irf_dict_from_file` (by class
    keywords) or the class reader by the HDU's name (issue 27: gammapy's own PSF_3GAUSS and PSF_KING
    HDUs have no class keywords and are read so)."""
    view, failure = _attempt(lambda: gammapy_view(path, kind))
    if view is not None:
        ok, why = same(reference, view)
        if ok:
            return "ok"
        failure = f"misreads: {why}"
    if kind in IRF_READERS and hdu is not None:
        other, _ = _attempt(lambda: by_name_view(path, hdu, kind))
        if other is not None and same(reference, other)[0]:
            return "ok"
    return failure


# ---------------------------------------------------------------- running it

_REFERENCES = {}


def _reference(base, hdu, kind):
    """What gammapy reads from the unmutated base: by class keywords, or for an HDU without them (gammapy's
    own PSF_3GAUSS and PSF_KING) by its name."""
    key = (base, kind)
    if key not in _REFERENCES:
        view, failure = _attempt(lambda: gammapy_view(base, kind))
        if view is None and kind in IRF_READERS:
            view, failure = _attempt(lambda: by_name_view(base, hdu, kind))
        if view is None:
            raise RuntimeError(f"{base} HDU {hdu} ({kind}): gammapy cannot read the base itself: {failure}")
        _REFERENCES[key] = view
    return _REFERENCES[key]


def _run_one(args):
    base, m, out_dir = args
    with fits.open(base) as h:
        h = fits.HDUList([x.copy() for x in h])
    kind = kind_of(h[m.hdu].header)
    name = hashlib.sha1(f"{base}|{m}".encode()).hexdigest()[:16] + ".fits"
    path = Path(out_dir) / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            APPLY[m.kind](h, m)
            h.writeto(path, output_verify="silentfix", checksum=False)
        except Exception as e:
            return (base, m, kind, None, f"not written: {e}")
    return (base, m, kind, str(path), outcome(path, kind, _reference(base, m.hdu, kind), hdu=m.hdu))


def vodf_errors(vodf, paths, allow_outside=()):
    """{(path, hdu): [error rules]} in the gammapy profile; hdu None for file-level findings.
    `allow_outside`: directories index rows may point into (a release whose data/ is a symlink)."""
    out = {}
    extra = [a for d in allow_outside for a in ("--allow-outside", str(d))]
    for k in range(0, len(paths), 200):
        chunk = paths[k:k + 200]
        r = subprocess.run([str(vodf), "validate", "--profile", "gammapy", "--report", "json", *extra, *chunk], capture_output=True, text=True)
        if not r.stdout.strip():
            raise RuntimeError(f"vodf validate printed no report (exit {r.returncode}): {r.stderr[-2000:]}")
        for f in json.loads(r.stdout)["findings"]:
            if f["severity"] == "error":
                out.setdefault((f["file"], f.get("hdu")), []).append(f["rule"])
    return out


def stratified(todo, sample, seed):
    """About `sample` mutants, the same fraction of every (base, HDU, kind of mutation) group and at
    least one of each, chosen with a fixed seed so that a failure reproduces."""
    groups = {}
    for item in todo:
        groups.setdefault((item[0], item[1].hdu, item[1].kind), []).append(item)
    rng = random.Random(seed)
    fraction = min(1.0, sample / max(1, len(todo)))
    out = []
    for key in sorted(groups):
        g = groups[key]
        out += rng.sample(g, max(1, round(fraction * len(g))))
    return out


def run(vodf, bases, sample=None, seed=11, env=None, only=None):
    """Mutates every base, loads each mutant with gammapy and vodf, and returns the disagreements as
    (base, mutation, kind, gammapy outcome, vodf errors) plus the number of mutants compared.
    `only` keeps the mutations whose target it names; `env` is given to vodf (e.g. VODF_SPECS)."""
    todo = []
    for b in bases:
        with fits.open(b) as h:
            kinds = [kind_of(x.header) for x in h]
        # HDUs gammapy has no reader for (POINTING, GH_CUTS) have no verdict to compare with.
        todo += [(str(b), m) for m in mutations_of(b)
                 if (only is None or m.target in only) and (kinds[m.hdu] in ("EVENTS", "GTI") or kinds[m.hdu] in IRF_READERS)]
    if sample and len(todo) > sample:
        todo = stratified(todo, sample, seed)
    with tempfile.TemporaryDirectory(prefix="vodf-harness-", dir=os.environ.get("VODF_HARNESS_DIR")) as d:
        with ProcessPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(_run_one, [(b, m, d) for b, m in todo], chunksize=8))
        written = [r for r in results if r[3] is not None]
        old = os.environ.copy()
        try:
            if env:
                os.environ.update(env)
            errors = vodf_errors(vodf, [r[3] for r in written])
        finally:
            os.environ.clear()
            os.environ.update(old)
        disagreements = []
        for base, m, kind, path, got in written:
            errs = errors.get((path, m.hdu), []) + errors.get((path, None), [])
            gammapy_bad = got != "ok"
            if gammapy_bad != bool(errs):
                disagreements.append((Path(base).name, m, kind, got, errs))
    return disagreements, len(written)


# ---------------------------------------------------------------- index tables, through DataStore

def index_release(src_dir, out_dir, keep=2):
    """A small release: the first `keep` runs present in `src_dir`'s index, its data linked, and its
    hdu-index/obs-index cut to those rows (written uncompressed, as a mutable base)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    src_dir = Path(src_dir)
    with fits.open(src_dir / "hdu-index.fits.gz") as h:
        d = h[1].data
        present = [int(o) for o, fd, fn in zip(d["OBS_ID"], d["FILE_DIR"], d["FILE_NAME"]) if (src_dir / fd.strip() / fn.strip()).exists()]
        ids = sorted(set(present))[:keep]
        t = h[1].copy()
        t.data = t.data[np.isin(t.data["OBS_ID"], ids)]
        fits.HDUList([fits.PrimaryHDU(), t]).writeto(out_dir / "hdu-index.fits", overwrite=True)
    with fits.open(src_dir / "obs-index.fits.gz") as h:
        t = h[1].copy()
        t.data = t.data[np.isin(t.data["OBS_ID"], ids)]
        fits.HDUList([fits.PrimaryHDU(), t]).writeto(out_dir / "obs-index.fits", overwrite=True)
    if not (out_dir / "data").exists():
        (out_dir / "data").symlink_to((src_dir / "data").resolve())
    return out_dir, ids


def datastore_view(directory, ids):
    """What a user gets from a data store: the observations, each IRF touched, the events counted."""
    from gammapy.data import DataStore
    ds = DataStore.from_dir(directory, hdu_table_filename="hdu-index.fits", obs_table_filename="obs-index.fits")
    out = {"obs_ids": np.array(sorted(int(i) for i in ds.obs_table["OBS_ID"]))}
    for obs in ds.get_observations(ids, skip_missing=False):
        k = int(obs.obs_id)
        out[f"{k} events"] = np.array([len(obs.events.table)])
        out[f"{k} gti"] = np.array([obs.gti.time_sum.to_value("s")])
        out[f"{k} live"] = obs.observation_live_time_duration
        for name in ["aeff", "edisp", "psf", "bkg"]:
            irf = getattr(obs, name)
            out[f"{k} {name}"] = irf.quantity.sum()
    return out


def _run_index_one(args):
    base_dir, ids, which, m, out_dir = args
    name = hashlib.sha1(f"{which}|{m}".encode()).hexdigest()[:16]
    d = Path(out_dir) / name
    d.mkdir()
    (d / "data").symlink_to((Path(base_dir) / "data").resolve())
    other = "obs-index.fits" if which == "hdu-index.fits" else "hdu-index.fits"
    (d / other).write_bytes((Path(base_dir) / other).read_bytes())
    with fits.open(Path(base_dir) / which) as h:
        h = fits.HDUList([x.copy() for x in h])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            APPLY[m.kind](h, m)
            h.writeto(d / which, output_verify="silentfix", checksum=False)
        except Exception as e:
            return (which, m, None, f"not written: {e}")
        logging.disable(logging.CRITICAL)
        try:
            if ("ref", base_dir) not in _REFERENCES:
                _REFERENCES[("ref", base_dir)] = datastore_view(base_dir, ids)
            view = datastore_view(d, ids)
            ok, why = same(_REFERENCES[("ref", base_dir)], view)
            got = "ok" if ok else f"misreads: {why}"
        except Exception as e:
            got = f"fails: {type(e).__name__}: {str(e)[:120]}"
        finally:
            logging.disable(logging.NOTSET)
    return (which, m, str(d / which), got)


def run_index(vodf, base_dir, ids, sample=None, seed=11):
    """The index-table half of the harness: mutations of hdu-index and obs-index, loaded through
    DataStore.from_dir + get_observations; an index HDU has an error in vodf's gammapy profile
    (its own rules or the checks that follow its rows) exactly when the data store fails or misreads."""
    todo = []
    for which in ["hdu-index.fits", "obs-index.fits"]:
        todo += [(which, m) for m in mutations_of(Path(base_dir) / which)]
    if sample and len(todo) > sample:
        todo = stratified(todo, sample, seed)
    with tempfile.TemporaryDirectory(prefix="vodf-harness-index-", dir=os.environ.get("VODF_HARNESS_DIR")) as d:
        with ProcessPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(_run_index_one, [(str(base_dir), ids, w, m, d) for w, m in todo], chunksize=4))
        written = [r for r in results if r[2] is not None]
        # The mutants' data/ is a symlink into the corpus: a directory they may point into.
        errors = vodf_errors(vodf, [r[2] for r in written], allow_outside=[(Path(base_dir) / "data").resolve()])
        disagreements = []
        for which, m, path, got in written:
            errs = errors.get((path, m.hdu), []) + errors.get((path, None), [])
            if (got != "ok") != bool(errs):
                disagreements.append((which, m, "INDEX", got, errs))
    return disagreements, len(written)


# ---------------------------------------------------------------- coverage of the annotated rules

SPEC_KINDS = {"EVENTS": "events", "GTI": "gti", "AEFF_2D": "aeff_2d", "EDISP_2D": "edisp_2d",
              "PSF_TABLE": "psf_table", "PSF_3GAUSS": "psf_3gauss", "PSF_KING": "psf_king", "BKG_2D": "bkg_2d",
              "BKG_3D": "bkg_3d", "RAD_MAX_2D": "rad_max_2d"}
# Kinds gammapy reads through the index harness (run_index), and kinds it has no reader for (POINTING):
# the file harness cannot say what gammapy does with them.
INDEX_KINDS = {"hdu_index", "obs_index"}
NO_ORACLE = {"pointing"}


def gadf_specs(vodf):
    """{spec id: resolved spec} of every GADF spec vodf has."""
    listed = subprocess.run([str(vodf), "spec", "list"], capture_output=True, text=True, check=True).stdout
    out = {}
    for line in listed.splitlines():
        sid = line.split()[0] if line.strip() else ""
        if sid.startswith("gadf-"):
            out[sid] = json.loads(subprocess.run([str(vodf), "spec", "show", sid, "--json"], capture_output=True,
                                                 text=True, check=True).stdout)
    return out


def annotated_rules(specs):
    """(spec id, keyword or column) of every rule that says what gammapy does (a `gammapy:` annotation)."""
    out = set()
    for sid, spec in specs.items():
        if sid.split("/")[1] in NO_ORACLE:
            continue
        for part in ("keywords", "columns"):
            out |= {(sid, name) for name, rule in spec[part].items() if "gammapy" in rule}
    return out


def spec_id(header, specs):
    """The GADF spec an HDU is checked against: its kind by class keywords, its version by HDUVERS (a
    later version when its own has no spec of the kind, as vodf falls back)."""
    kind = SPEC_KINDS.get(kind_of(header))
    if kind is None:
        return None
    version = str(header.get("HDUVERS", "0.2")).strip().lstrip("v") or "0.2"
    versions = sorted({sid.split("/")[0][5:] for sid in specs})
    if version not in versions:
        version = versions[0]
    for v in [version] + [x for x in versions if x > version]:
        if f"gadf-{v}/{kind}" in specs:
            return f"gadf-{v}/{kind}"
    return None


def reached_rules(bases, specs, index_bases=()):
    """(spec id, target) of every mutation the file harness makes of `bases`, and the index harness of
    `index_bases` (hdu-index/obs-index files)."""
    out = set()
    for b in bases:
        with fits.open(b) as h:
            ids = {i: spec_id(x.header, specs) for i, x in enumerate(h)}
        for m in mutations_of(b):
            if ids.get(m.hdu):
                targets = CLASS_KEYWORDS if m.target == "HDUCLASn" else [m.target]
                out |= {(ids[m.hdu], t) for t in targets}
    for b in index_bases:
        kind = "hdu_index" if "hdu" in Path(b).name else "obs_index"
        with fits.open(b) as h:
            version = str(h[1].header.get("HDUVERS", "0.2")).strip() or "0.2"
        sid = f"gadf-{version}/{kind}" if f"gadf-{version}/{kind}" in specs else f"gadf-0.2/{kind}"
        out |= {(sid, m.target) for m in mutations_of(b)}
    return out
