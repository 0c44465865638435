"""IRF files as pyirf's GADF writers make them (run in a venv with the pyirf under test).

Usage: python pyirf_files.py OUTDIR [LABEL]
Writes a full-enclosure IRF file (AEFF, EDISP, PSF table, BKG 2D) and a point-like one (AEFF, EDISP,
RAD_MAX), as pyirf's users write them: one primary HDU, then the HDUs from pyirf.io.gadf; values are
smooth synthetic responses on typical CTA binnings. OUTDIR/files.json says what each file is."""
import json
import sys
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.io import fits

import pyirf
from pyirf.io import gadf

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
label = sys.argv[2] if len(sys.argv) > 2 else f"pyirf {pyirf.__version__}"
files = []

e_true = np.geomspace(0.01, 100, 25) * u.TeV
e_reco = np.geomspace(0.02, 50, 21) * u.TeV
offset = np.array([0, 1, 2, 3, 4, 5]) * u.deg
migra = np.linspace(0.2, 5, 31)
src_off = np.linspace(0, 1, 51) * u.deg
n_e, n_o, n_m, n_r = len(e_true) - 1, len(offset) - 1, len(migra) - 1, len(src_off) - 1
log_e = np.log10(np.sqrt(e_true[1:] * e_true[:-1]).to_value(u.TeV))

# Effective area: a rising then flat curve, falling with offset. Shape (energy, offset).
aeff = (1e6 / (1 + np.exp(-3 * (log_e + 1))))[:, None] * np.linspace(1, 0.4, n_o)[None, :] * u.m**2
# Energy dispersion: a log-normal in migration per (energy, offset), normalised to 1 over migra.
mu = 0.5 * (migra[1:] + migra[:-1])
edisp = np.exp(-0.5 * (np.log(mu) / 0.2) ** 2)[None, :, None] * np.ones((n_e, 1, n_o))
edisp /= (edisp * np.diff(migra)[None, :, None]).sum(axis=1, keepdims=True)
# PSF: a Gaussian in source offset, narrowing with energy, normalised over the solid angle.
r = 0.5 * (src_off[1:] + src_off[:-1]).to_value(u.deg)
sigma = np.linspace(0.3, 0.05, n_e)
psf = np.exp(-0.5 * (r[None, None, :] / sigma[:, None, None]) ** 2) * np.ones((n_e, n_o, 1))
omega = np.pi * np.diff((src_off.to_value(u.rad)) ** 2)
psf = psf / (psf * omega).sum(axis=2, keepdims=True) / u.sr
# Background: a power law in reco energy, flat in offset. Shape (energy, offset).
log_er = np.log10(np.sqrt(e_reco[1:] * e_reco[:-1]).to_value(u.TeV))
bkg = (1e-2 * 10 ** (-2.7 * (log_er + 1)))[:, None] * np.ones((1, n_o)) / (u.s * u.MeV * u.sr)
rad_max = np.linspace(0.3, 0.1, len(e_reco) - 1)[:, None] * np.ones((1, 1)) * u.deg

cards = dict(TELESCOP="CTAO-N", INSTRUME="synthetic", OBS_ID=1)
full = fits.HDUList([
    fits.PrimaryHDU(),
    gadf.create_aeff2d_hdu(aeff, e_true, offset, point_like=False, **cards),
    gadf.create_energy_dispersion_hdu(edisp, e_true, migra, offset, point_like=False, **cards),
    gadf.create_psf_table_hdu(psf, e_true, src_off, offset, **cards),
    gadf.create_background_2d_hdu(bkg, e_reco, offset, **cards),
])
full.writeto(out / "irf-full-enclosure.fits.gz", overwrite=True)
files.append({"file": "irf-full-enclosure.fits.gz", "producer": label, "what": "full-enclosure AEFF, EDISP, PSF table, BKG 2D"})

point = fits.HDUList([
    fits.PrimaryHDU(),
    gadf.create_aeff2d_hdu(aeff[:, :1], e_true, offset[:2], point_like=True, **cards),
    gadf.create_energy_dispersion_hdu(edisp[:, :, :1], e_true, migra, offset[:2], point_like=True, **cards),
    gadf.create_rad_max_hdu(rad_max, e_reco, offset[[0, -1]], point_like=True, **cards),
])
point.writeto(out / "irf-point-like.fits.gz", overwrite=True)
files.append({"file": "irf-point-like.fits.gz", "producer": label, "what": "point-like AEFF, EDISP, RAD_MAX"})

(out / "files.json").write_text(json.dumps(files, indent=1))
print(f"{label}: {len(files)} files in {out}")
