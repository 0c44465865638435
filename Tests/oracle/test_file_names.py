"""A file name is only a name: cfitsio's extended file-name syntax ([ext], [0, 30], +n, a leading !,
-, mem://) must never be applied to a user's path, in validate, convert, or index FILE_NAME values."""
import gzip
import json
import shutil

import numpy as np
import pytest
from astropy.io import fits

from conftest import CORPUS, run_vodf

RUN = CORPUS / "gadf" / "hess-dl3-dr1" / "data" / "hess_dl3_dr1_obs_id_020136.fits.gz"
NAMES = ["run[0, 30].fits", "run[1].fits.gz", "run 1.fits", "a,b.fits", "run+1.fits", "run#2.fits",
         "!bang.fits", "-dash.fits", "ünïcödé.fits", "mem:.fits", "run.fits[EVENTS]"]


def place(src, directory, name):
    path = directory / name
    if name.endswith(".gz"):
        shutil.copy(src, path)
    else:
        path.write_bytes(gzip.decompress(src.read_bytes()))
    return path


@pytest.fixture(scope="module")
def run_file(corpus):
    if not RUN.exists():
        pytest.skip(f"needs {RUN}")
    return RUN


@pytest.mark.parametrize("name", NAMES)
def test_validate_and_convert_take_the_name_literally(vodf, run_file, tmp_path, name):
    path = place(run_file, tmp_path, name)
    r = run_vodf(vodf, "validate", "--report", "json", "--", path)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    # every HDU of the run was read: EVENTS, GTI and the four IRFs got a verdict
    assert len([f for f in report["findings"] if f["rule"] == "gammapy:verdict"]) == 6, r.stdout[:2000]
    assert {f["file"] for f in report["findings"]} == {str(path)}
    out = tmp_path / ("out " + name.replace(".gz", "") + ".fits")
    r = run_vodf(vodf, "convert", "-q", "-o", out, "--", path)
    assert r.returncode == 0, r.stderr
    with fits.open(run_file) as a, fits.open(out) as b:
        # The whole run is converted (issue 26): its event list and GTI, then the four IRFs.
        kinds = [h.header.get("HDUCLAS4") or h.header.get("HDUCLAS1") for h in b[1:]]
        assert kinds == ["EVENTS", "GTI", "AEFF_2D", "EDISP_2D", "PSF_TABLE", "BKG_3D"]
        np.testing.assert_allclose(b["AEFF"].data["EFFAREA"][0], a["AEFF"].data["EFFAREA"][0], rtol=1e-7)


def test_index_rows_name_files_literally(vodf, run_file, tmp_path):
    """FILE_NAME values with brackets, spaces, commas, +, #, ! and non-ASCII resolve to those files."""
    with fits.open(CORPUS / "gadf" / "hess-dl3-dr1" / "hdu-index.fits.gz") as h:
        index = h[1].copy()
    rows = index.data[index.data["OBS_ID"] == 20136]
    names = [n for n in NAMES if not n.endswith(".gz")]
    table = fits.BinTableHDU.from_columns(index.columns, nrows=len(rows) * len(names), header=index.header)
    # FITS strings are ASCII and astropy writes no other; a non-ASCII name is stored as its UTF-8
    # bytes by patching a placeholder of the same length in the written file.
    placeholder = {n: (n if n.isascii() else "Q" * len(n.encode())) for n in names}
    for k, name in enumerate(names):
        place(run_file, tmp_path, name)
        for j, row in enumerate(rows):
            i = k * len(rows) + j
            for c in index.columns.names:
                table.data[c][i] = row[c]
            table.data["FILE_DIR"][i] = ""
            table.data["FILE_NAME"][i] = placeholder[name]
    assert table.columns["FILE_NAME"].format.repeat >= max(len(n.encode()) for n in names)
    fits.HDUList([fits.PrimaryHDU(), table]).writeto(tmp_path / "hdu-index.fits")
    raw = (tmp_path / "hdu-index.fits").read_bytes()
    for n, p in placeholder.items():
        raw = raw.replace(p.encode(), n.encode()) if p != n else raw
    (tmp_path / "hdu-index.fits").write_bytes(raw)
    r = run_vodf(vodf, "validate", "--report", "json", tmp_path / "hdu-index.fits")
    report = json.loads(r.stdout)
    links = [f for f in report["findings"] if f["rule"].endswith("index-links")]
    assert r.returncode == 0 and links == [], links
    # and a name that is not there is still found missing, under its literal name
    table.data["FILE_NAME"][0] = "absent[1].fits"
    fits.HDUList([fits.PrimaryHDU(), table]).writeto(tmp_path / "hdu-index2.fits")
    report = json.loads(run_vodf(vodf, "validate", "--report", "json", tmp_path / "hdu-index2.fits").stdout)
    assert any("absent[1].fits is listed" in f["message"] for f in report["findings"] if f["rule"].endswith("index-links"))
