"""DL3 files as gammapy writes them (run with the gammapy under test: 2.1 in the oracle venv, 1.3 in its own).

Usage: python gammapy_files.py PROD5_IRF_FILE OUTDIR
Writes, from CTA prod5's published IRFs:
  obs-write/           Observation.write with its IRFs, events from MapDatasetEventSampler, and the
                       obs/hdu index tables DataStore.from_events_files makes for it
  events-write.fits    EventList.write of the same events, with their GTI
  irf-<class>.fits     each IRF class's own writer (aeff, edisp, psf table, 3-Gauss, King, bkg 2D/3D, RAD_MAX)
and OUTDIR/files.json: what each file is and which gammapy wrote it."""
import json
import sys
import warnings
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord
from astropy.time import Time

import gammapy
from gammapy.data import DataStore, FixedPointingInfo, Observation, observatory_locations
from gammapy.datasets import MapDataset, MapDatasetEventSampler
from gammapy.irf import (Background2D, EnergyDependentMultiGaussPSF, PSFKing, RadMax2D,
                         load_irf_dict_from_file)
from gammapy.makers import MapDatasetMaker
from gammapy.maps import MapAxis, WcsGeom
from gammapy.modeling.models import (FoVBackgroundModel, Models, PointSpatialModel, PowerLawSpectralModel,
                                     SkyModel)

prod5, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
files = []


def note(path, what, **extra):
    files.append({"file": str(Path(path).relative_to(out)), "producer": f"gammapy {gammapy.__version__}",
                  "what": what, **extra})


irfs = load_irf_dict_from_file(prod5)
target = SkyCoord(83.63, 22.01, unit="deg", frame="icrs")
pointing = FixedPointingInfo(fixed_icrs=SkyCoord(83.63, 22.51, unit="deg", frame="icrs"))
obs = Observation.create(pointing=pointing, livetime=0.5 * u.h, irfs=irfs, location=observatory_locations["cta_south"],
                         obs_id=1001, tstart=0 * u.s, reference_time=Time("2026-01-01T00:00:00", scale="utc"))

# Events as the sampler makes them (HDUVERS 0.2, EQUINOX 'J2000', RADESYSa 'icrs').
energy = MapAxis.from_energy_bounds("0.1 TeV", "100 TeV", nbin=5, per_decade=True, name="energy")
energy_true = MapAxis.from_energy_bounds("0.05 TeV", "200 TeV", nbin=8, per_decade=True, name="energy_true")
migra = MapAxis.from_edges(np.linspace(0.5, 1.5, 21), name="migra")
geom = WcsGeom.create(skydir=pointing.fixed_icrs, width=(3, 3), binsz=0.05, frame="icrs", axes=[energy])
empty = MapDataset.create(geom, energy_axis_true=energy_true, migra_axis=migra, name="sim")
dataset = MapDatasetMaker(selection=["exposure", "background", "psf", "edisp"]).run(empty, obs)
source = SkyModel(spectral_model=PowerLawSpectralModel(index=2.5, amplitude="3e-11 cm-2 s-1 TeV-1"),
                  spatial_model=PointSpatialModel.from_position(target), name="src")
dataset.models = Models([source, FoVBackgroundModel(dataset_name="sim")])
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    sampled = MapDatasetEventSampler(random_state=0).run(dataset, obs)
events = sampled.events if isinstance(sampled, Observation) else sampled
obs_sim = obs.copy(in_memory=True, events=events)

store = out / "obs-write"
store.mkdir(exist_ok=True)
run = store / "obs_001001.fits.gz"
obs_sim.write(run, include_irfs=True, overwrite=True)
note(run, "Observation.write with IRFs (events from MapDatasetEventSampler)", events=len(events.table))
ds = DataStore.from_events_files([run], irfs_paths=[run])
ds.obs_table.write(store / "obs-index.fits.gz", overwrite=True)
ds.hdu_table.write(store / "hdu-index.fits.gz", overwrite=True)
note(store / "obs-index.fits.gz", "obs index from DataStore.from_events_files")
note(store / "hdu-index.fits.gz", "hdu index from DataStore.from_events_files")

ev = out / "events-write.fits"
if hasattr(events, "write"):  # gammapy 1.x
    events.write(ev, gti=obs.gti, overwrite=True)
else:  # gammapy 2.x dropped EventList.write: its table HDU and the GTI's, as a user writes them
    from astropy.io import fits
    fits.HDUList([fits.PrimaryHDU(), events.to_table_hdu(format="gadf"),
                  obs.gti.to_table_hdu(format="gadf")]).writeto(ev, overwrite=True)
note(ev, "EventList.write with its GTI", events=len(events.table))

for name, irf in [("aeff", irfs["aeff"]), ("edisp", irfs["edisp"]), ("psf-table", irfs["psf"]), ("bkg-3d", irfs["bkg"])]:
    path = out / f"irf-{name}.fits"
    irf.write(path, overwrite=True)
    note(path, f"{type(irf).__name__}.write")

# The other classes, built on the prod5 axes from the published tables' own values.
aeff = irfs["aeff"]
e_reco = MapAxis.from_energy_bounds("0.03 TeV", "100 TeV", nbin=10, name="energy")
offset = MapAxis.from_edges(np.linspace(0, 5, 6), unit="deg", name="offset")
bkg2d = Background2D(axes=[e_reco, offset], data=np.outer(np.logspace(-2, -6, 10), np.linspace(1, 0.5, 5)),
                     unit="s-1 MeV-1 sr-1")
true_e = aeff.axes["energy_true"]
off = aeff.axes["offset"]
n_e, n_o = true_e.nbin, off.nbin
sig = np.broadcast_to(np.linspace(0.2, 0.05, n_e)[:, None], (n_e, n_o))


def parametric(cls, values, units):
    """A parametric PSF as gammapy holds one: a structured array of its parameters."""
    data = np.empty((n_e, n_o), dtype={"names": list(values), "formats": [np.float32] * len(values)})
    for k, v in values.items():
        data[k] = v
    return cls(axes=[true_e, off], data=data, unit={k: u.Unit(units.get(k, "")) for k in values})


gauss = parametric(EnergyDependentMultiGaussPSF,
                   {"sigma_1": sig, "sigma_2": 2 * sig, "sigma_3": 3 * sig, "scale": np.ones((n_e, n_o)),
                    "ampl_2": np.full((n_e, n_o), 0.1), "ampl_3": np.full((n_e, n_o), 0.01)},
                   {"sigma_1": "deg", "sigma_2": "deg", "sigma_3": "deg"})
king = parametric(PSFKing, {"gamma": np.full((n_e, n_o), 2.0), "sigma": sig}, {"sigma": "deg"})
radmax = RadMax2D(axes=[e_reco, MapAxis.from_edges([0, 5], unit="deg", name="offset")],
                  data=np.linspace(0.3, 0.1, 10)[:, None], unit="deg")
for name, irf in [("bkg-2d", bkg2d), ("psf-3gauss", gauss), ("psf-king", king), ("rad-max", radmax)]:
    path = out / f"irf-{name}.fits"
    irf.write(path, overwrite=True)
    note(path, f"{type(irf).__name__}.write")

(out / "files.json").write_text(json.dumps(files, indent=1))
print(f"gammapy {gammapy.__version__}: {len(files)} files in {out}")
