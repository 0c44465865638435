"""The Python path that `vodf convert` of a KM3NeT offline file replaces (make bench anchor):
km3io best_jmuon -> km3astro/astropy sky coordinates -> astropy FITS write."""
import sys

import awkward as ak
import km3io
import numpy as np
from astropy.io import fits
from astropy.table import Table
from astropy.time import Time
from astropy.utils import iers
import km3astro.coord

iers.conf.auto_download = False
path, out, location = sys.argv[1], sys.argv[2], sys.argv[3]
r = km3io.OfflineReader(path)
best = km3io.tools.best_jmuon(r.events.tracks)
has = ~ak.is_none(best.lik).to_numpy()
field = lambda name: ak.to_numpy(ak.fill_none(getattr(best, name), np.nan))[has]
dx, dy, dz = (field(f"dir_{a}") for a in "xyz")
theta, phi = np.arccos(dz), np.arctan2(dy, dx) % (2 * np.pi)
unix = r.events.t_sec.to_numpy()[has] + 1e-9 * r.events.t_ns.to_numpy()[has] + 1e-9 * field("t")
time = Time(unix, format="unix", scale="utc")
with iers.conf.set_temp("iers_degraded_accuracy", "warn"):
    sky = km3astro.coord.local_event(theta, phi, time, location).icrs
t = Table({"EVENT_ID": r.events.id.to_numpy()[has], "TIME": (time.tt - Time(51544.5, format="mjd", scale="tt")).sec,
           "RA": sky.ra.deg, "DEC": sky.dec.deg, "ENERGY": field("E") / 1000})
fits.HDUList([fits.PrimaryHDU(), fits.table_to_hdu(t)]).writeto(out, overwrite=True, checksum=True)
