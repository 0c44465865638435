"""Anchor for `vodf validate` of a whole release: what users run to check one, gammapy 2.1 loading
every observation of the data store and touching each of its IRFs and its events."""
import sys
import warnings

warnings.simplefilter("ignore")
from gammapy.data import DataStore  # noqa: E402

ds = DataStore.from_dir(sys.argv[1])
n = 0
for obs in ds.get_observations(required_irf="all-optional"):
    n += len(obs.events.table) + len(obs.gti.table)
    for irf in (obs.aeff, obs.edisp, obs.psf, obs.bkg):
        if irf is not None:
            n += irf.data.size
print(len(ds.obs_table), n)
