"""A DL3 data store as cta-lstchain writes one (run in a venv with lstchain, which pins gammapy 1.3).

Usage: python lstchain_files.py OUTDIR
Feeds lstchain.high_level.hdu_table with small synthetic DL2 tables (two runs of events around the
Crab, seen from LST-1), appends point-like IRFs made with the pyirf lstchain pins (as
lstchain_create_dl3_file does), and makes the HDU and obs index tables with lstchain's own functions.
OUTDIR/files.json says what each file is."""
import json
import sys
import warnings
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.coordinates import AltAz, SkyCoord
from astropy.io import fits
from astropy.table import QTable
from astropy.time import Time

import lstchain
from lstchain.high_level import hdu_table
from ctapipe_io_lst.constants import LST1_LOCATION
from pyirf.io import gadf

warnings.simplefilter("ignore")
out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
label = f"cta-lstchain {lstchain.__version__}"
files = []
crab = SkyCoord(83.633, 22.0145, unit="deg", frame="icrs")
rng = np.random.default_rng(1)


def dl2(run, start):
    """A DL2 table as lstchain's DL3 step reads it: times, reconstructed alt/az and energy, gammaness,
    and the telescope pointing (a wobble 0.4 deg from the Crab)."""
    n = 400
    t = Time(start, scale="utc") + np.sort(rng.uniform(0, 1200, n)) * u.s
    frame = AltAz(obstime=t, location=LST1_LOCATION)
    pointing = SkyCoord(crab.ra + 0.4 * u.deg, crab.dec, frame="icrs").transform_to(frame)
    reco = crab.directional_offset_by(rng.uniform(0, 360, n) * u.deg, rng.rayleigh(0.1, n) * u.deg).transform_to(frame)
    return QTable({
        "event_id": np.arange(1, n + 1), "tel_id": np.ones(n, dtype=int), "dragon_time": t.unix,
        "reco_alt": reco.alt.to(u.deg), "reco_az": reco.az.to(u.deg),
        "reco_energy": rng.pareto(1.5, n) * 0.05 * u.TeV + 0.02 * u.TeV, "gh_score": rng.uniform(0.7, 1, n),
        "pointing_alt": pointing.alt.to(u.rad), "pointing_az": pointing.az.to(u.rad),
    })


def irfs():
    """Point-like IRFs as lstchain_create_irf_files writes them (pyirf, one offset bin)."""
    e_true = np.geomspace(0.005, 50, 21) * u.TeV
    e_reco = np.geomspace(0.01, 50, 16) * u.TeV
    off = [0.3, 0.5] * u.deg
    migra = np.linspace(0.2, 5, 31)
    mu = 0.5 * (migra[1:] + migra[:-1])
    ed = np.exp(-0.5 * (np.log(mu) / 0.25) ** 2)[None, :, None] * np.ones((20, 1, 1))
    ed /= (ed * np.diff(migra)[None, :, None]).sum(axis=1, keepdims=True)
    aeff = np.geomspace(1e3, 2e5, 20)[:, None] * u.m**2
    rad = np.linspace(0.25, 0.1, 15)[:, None] * u.deg
    return [gadf.create_aeff2d_hdu(aeff, e_true, off, point_like=True),
            gadf.create_energy_dispersion_hdu(ed, e_true, migra, off, point_like=True),
            gadf.create_rad_max_hdu(rad, e_reco, off, point_like=True)]


paths = []
for run, start in [(2968, "2026-02-10T21:00:00"), (2969, "2026-02-10T21:25:00")]:
    data = dl2(run, start)
    pars = {"ZEN_PNT": 20 * u.deg, "AZ_PNT": 90 * u.deg, "B_DELTA": 40 * u.deg}
    events, gti, pointing = hdu_table.create_event_list(data, run, "Crab", crab, 1150.0, 1200.0, pars)
    path = out / f"dl3_LST-1.Run{run:05d}.fits.gz"
    fits.HDUList([fits.PrimaryHDU(), events, gti, pointing, *irfs()]).writeto(path, overwrite=True)
    paths.append(path)
    files.append({"file": path.name, "producer": label, "what": "events, GTI, POINTING + point-like IRFs",
                  "events": len(data)})
hdu_table.create_hdu_index_hdu(paths, out / "hdu-index.fits.gz", overwrite=True)
hdu_table.create_obs_index_hdu(paths, out / "obs-index.fits.gz", overwrite=True)
files += [{"file": n, "producer": label, "what": w} for n, w in
          [("hdu-index.fits.gz", "HDU index (create_hdu_index_hdu)"), ("obs-index.fits.gz", "obs index (create_obs_index_hdu)")]]
(out / "files.json").write_text(json.dumps(files, indent=1))
print(f"{label}: {len(files)} files in {out}")
