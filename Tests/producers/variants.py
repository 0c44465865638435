"""Variants of real DL3 files, made with astropy as other producers' habits make them (issue 27).

Usage: python variants.py CORPUS OUTDIR
From H.E.S.S. DR1 (run 020136 and the excerpt's index) and pyirf-style IRFs:
  hess-float32.fits        every IRF axis and data column, and RA/DEC/ENERGY, stored as float32
  hess-hduvers-0.3.fits    the same run with HDUVERS '0.3' on every HDU: the keywords GADF 0.3 added are
                           missing, as a 0.2 producer never wrote them
  hess-hduvers-v0.3.fits   HDUVERS 'v0.3', as the ctapipe DL3 writer under review writes it
  (these three carry the run's dates in their GTI header too, and DATE-BEG, as some producers write)
  hess-int-gti.fits        GTI START/STOP and the EVENTS TSTART/TSTOP as integers (whole seconds)
  int-axes-aeff.fits       an effective area whose offset edges are an integer column
  store-empty-filedir/     the excerpt's data store with FILE_DIR '' (the files beside the index)
  store-masked-filedir/    the same with FILE_DIR masked (astropy writes it blank)
OUTDIR/files.json says what each file is."""
import json
import shutil
import sys
from pathlib import Path

import numpy as np
from astropy.io import fits
from astropy.table import MaskedColumn, Table

corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
excerpt = corpus / "gadf" / "hess-dl3-dr1"
run = excerpt / "data" / "hess_dl3_dr1_obs_id_020136.fits.gz"
files = []


def note(name, what):
    files.append({"file": name, "producer": "astropy variant", "what": what})


def retyped(hdu, names, fmt):
    """The table with `names` stored in `fmt` (E for float32, K for int64), values cast."""
    cols = []
    for c in hdu.columns:
        if c.name in names:
            data = hdu.data[c.name]
            kind = {"E": np.float32, "K": np.int64, "J": np.int32}[fmt]
            value = np.round(data).astype(kind) if fmt in "KJ" else data.astype(kind)
            dim = c.dim
            repeat = int(np.prod(data.shape[1:])) if data.ndim > 1 else 1
            cols.append(fits.Column(name=c.name, format=f"{repeat}{fmt}" if repeat > 1 else fmt, unit=c.unit,
                                    dim=dim, array=value))
        else:
            cols.append(c)
    new = fits.BinTableHDU.from_columns(cols, header=hdu.header)
    return new


def dated_gti(stamped):
    """The GTI given the run's dates as the EVENTS header states them (some producers write them there)."""
    ev = next(x for x in stamped if x.header.get("HDUCLAS1") == "EVENTS")
    gti = next(x for x in stamped if x.header.get("HDUCLAS1") == "GTI")
    for key in ("DATE-OBS", "TIME-OBS", "DATE-END", "TIME-END"):
        if key in ev.header:
            gti.header[key] = ev.header[key]
    begin = f"{ev.header['DATE-OBS']}T{ev.header['TIME-OBS']}"
    ev.header["DATE-BEG"] = begin
    gti.header["DATE-BEG"] = begin


with fits.open(run) as h:
    hdus = [x.copy() for x in h]

# float32 axes and data, and float32 RA/DEC/ENERGY.
f32 = [hdus[0]]
for x in hdus[1:]:
    names = [c.name for c in x.columns if c.format.endswith("D") or c.format.endswith("E")]
    if x.header.get("HDUCLAS1") == "EVENTS":
        names = ["RA", "DEC", "ENERGY"]
    elif x.header.get("HDUCLAS1") == "GTI":
        names = []
    f32.append(retyped(x, names, "E") if names else x)
dated_gti(f32)
fits.HDUList(f32).writeto(out / "hess-float32.fits", overwrite=True)
note("hess-float32.fits", "H.E.S.S. run 020136 with float32 axes, IRF data and RA/DEC/ENERGY")

for version, name in [("0.3", "hess-hduvers-0.3.fits"), ("v0.3", "hess-hduvers-v0.3.fits")]:
    stamped = [x.copy() for x in hdus]
    for x in stamped[1:]:
        x.header["HDUVERS"] = version
    dated_gti(stamped)
    fits.HDUList(stamped).writeto(out / name, overwrite=True)
    note(name, f"H.E.S.S. run 020136 stamped HDUVERS '{version}' (0.3's added keywords absent)")

# Whole-second GTI and TSTART/TSTOP as integers.
ints = [x.copy() for x in hdus]
for i, x in enumerate(ints):
    if x.header.get("HDUCLAS1") == "GTI":
        ints[i] = retyped(x, ["START", "STOP"], "K")
        start, stop = int(ints[i].data["START"][0]), int(ints[i].data["STOP"][-1])
    if x.header.get("HDUCLAS1") == "EVENTS":
        events = i
ints[events].header["TSTART"] = start
ints[events].header["TSTOP"] = stop
fits.HDUList(ints).writeto(out / "hess-int-gti.fits", overwrite=True)
note("hess-int-gti.fits", "H.E.S.S. run 020136 with integer GTI START/STOP and TSTART/TSTOP")

# An effective area with integer offset edges (0..5 deg).
aeff = next(x for x in hdus if x.header.get("HDUCLAS4") == "AEFF_2D")
n_theta = aeff.data["THETA_LO"].shape[-1]
cols = []
for c in aeff.columns:
    if c.name in ("THETA_LO", "THETA_HI"):
        edges = np.arange(n_theta + 1, dtype=np.int32)
        value = (edges[:-1] if c.name == "THETA_LO" else edges[1:])[None, :]
        cols.append(fits.Column(name=c.name, format=f"{n_theta}J", unit="deg", array=value))
    else:
        cols.append(c)
fits.HDUList([fits.PrimaryHDU(), fits.BinTableHDU.from_columns(cols, header=aeff.header)]).writeto(
    out / "int-axes-aeff.fits", overwrite=True)
note("int-axes-aeff.fits", "an AEFF_2D with integer THETA_LO/THETA_HI columns")

# Data stores with FILE_DIR empty, and masked.
for name, masked in [("store-empty-filedir", False), ("store-masked-filedir", True)]:
    d = out / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir()
    index = Table.read(excerpt / "hdu-index.fits.gz")
    # The excerpt's index lists the whole release: keep the observations whose files it holds.
    present = {r["OBS_ID"] for r in index if (excerpt / r["FILE_DIR"].strip() / r["FILE_NAME"].strip()).exists()}
    missing = {r["OBS_ID"] for r in index if not (excerpt / r["FILE_DIR"].strip() / r["FILE_NAME"].strip()).exists()}
    index = index[[r["OBS_ID"] in present - missing for r in index]]
    for row in index:
        src = excerpt / row["FILE_DIR"].strip() / row["FILE_NAME"].strip()
        if not (d / src.name).exists():
            shutil.copy(src, d / src.name)
    blank = [""] * len(index)
    index["FILE_DIR"] = MaskedColumn(blank, mask=[masked] * len(index)) if masked else blank
    index.write(d / "hdu-index.fits.gz", overwrite=True)
    obs = Table.read(excerpt / "obs-index.fits.gz")
    obs[[o in present - missing for o in obs["OBS_ID"]]].write(d / "obs-index.fits.gz", overwrite=True)
    note(f"{name}/hdu-index.fits.gz", f"H.E.S.S. excerpt data store with FILE_DIR {'masked' if masked else 'empty'}")

(out / "files.json").write_text(json.dumps(files, indent=1))
print(f"astropy variants: {len(files)} files in {out}")
