"""The gammapy verdict, measured: systematic mutations of real files (harness.py) loaded by gammapy
2.1 as users load them and validated with `vodf validate --profile gammapy`. In that profile an HDU
has an error exactly when gammapy fails on it or misreads it; every disagreement is listed.

The mutations are sampled (a fixed seed, the same fraction of each base, HDU and kind of mutation)
to keep the suite in budget; VODF_HARNESS_FULL=1 runs all of them."""
import os
import shutil
from pathlib import Path

import pytest

import harness
from conftest import CORPUS, KM3IRF_DATA, REPO, TESTDATA, run_vodf

PRODUCERS = Path(os.environ.get("VODF_PRODUCERS", REPO / ".producers"))

FULL = os.environ.get("VODF_HARNESS_FULL") == "1"
HESS = CORPUS / "gadf" / "hess-dl3-dr1" / "data" / "hess_dl3_dr1_obs_id_020136.fits.gz"


def describe(disagreements, limit=40):
    lines = [f"{b} {kind} {m.kind}({m.target}) HDU {m.hdu}: gammapy {got}; vodf errors {errs}"
             for b, m, kind, got, errs in disagreements[:limit]]
    return f"{len(disagreements)} disagreement(s):\n" + "\n".join(lines)


@pytest.fixture(scope="module")
def bases(vodf, corpus, tmp_path_factory):
    """Real files of every producer at hand, and vodfkit's own outputs."""
    out = tmp_path_factory.mktemp("own")
    own = []
    for src, name in [(TESTDATA / "antares" / "sample_public.dat", "antares.fits"),
                      (CORPUS / "km3net-arca230-irf" / "aeff_coszen_allnumuCC_track.csv", "arca_aeff.fits"),
                      (CORPUS / "km3net-arca230-irf" / "psf_numuCC_track.csv", "arca_psf.fits"),
                      (CORPUS / "km3net-arca230-irf" / "energyresponse_numuCC_track.csv", "arca_edisp.fits")]:
        assert run_vodf(vodf, "convert", src, "-o", out / name, "-q").returncode == 0
        own.append(out / name)
    real = [HESS, CORPUS / "gadf" / "hess-dl3-dr1-full" / "data" / "hess_dl3_dr1_obs_id_020282.fits.gz",
            next((CORPUS / "gadf" / "magic-rad-max" / "data").glob("*CrabNebula*.fits")),
            next((CORPUS / "gadf" / "cta-prod5").glob("*.fits.gz"))]
    km3irf = [KM3IRF_DATA / n for n in ["aeff.fits", "psf.fits", "edisp.fits", "bkg_nu.fits"] if (KM3IRF_DATA / n).exists()]
    return [p for p in real if p.exists()] + km3irf + own + producer_bases() + templates(vodf, out)


def producer_bases():
    """The producers matrix's files (gammapy 2.1/1.3, pyirf, lstchain, astropy variants): GADF 0.3, float32
    axes, files written by gammapy itself (issue 27). Index tables go to the index harness."""
    files = sorted(PRODUCERS.glob("*/*.fits*")) + sorted(PRODUCERS.glob("*/*/*.fits*"))
    # The variants' data stores hold copies of H.E.S.S. runs for the index tests, not bases of their own.
    return [p for p in files if "index" not in p.name and not p.parent.name.startswith("store-")]


def templates(vodf, out):
    """A minimal valid file of every GADF IRF kind (`vodf spec template`), so that each spec version's
    rules have a base of their own kind."""
    made = []
    for sid in harness.gadf_specs(vodf):
        kind = sid.split("/")[1]
        # An events template has no GTI for gammapy's Observation.read to pair it with: event lists of
        # both versions come from the real files and the producers.
        if kind in harness.NO_ORACLE | harness.INDEX_KINDS | {"events", "gti"}:
            continue
        path = out / (sid.replace("/", "-") + ".fits")
        r = run_vodf(vodf, "spec", "template", sid, "-o", path)
        assert r.returncode == 0, r.stderr
        made.append(path)
    return made


def test_gammapy_verdict_agrees_on_mutations_of_real_files(vodf, bases):
    disagreements, n = harness.run(vodf, bases, sample=None if FULL else 1000)
    print(f"harness: {n} mutants of {len(bases)} bases compared, {len(disagreements)} disagreement(s)")
    assert n >= (1800 if FULL else 900), f"only {n} mutants compared"
    assert disagreements == [], describe(disagreements)


def test_gammapy_verdict_agrees_on_index_tables(vodf, corpus, tmp_path):
    base, ids = harness.index_release(CORPUS / "gadf" / "hess-dl3-dr1", tmp_path / "release")
    disagreements, n = harness.run_index(vodf, base, ids, sample=None if FULL else 70)
    print(f"harness (index): {n} mutants compared, {len(disagreements)} disagreement(s)")
    assert n >= 60, f"only {n} mutants compared"
    assert disagreements == [], describe(disagreements)


def test_a_wrong_verdict_rule_is_caught(vodf, corpus, tmp_path):
    """The harness can fail: with DEADC declared as ignored by gammapy (it is not: gammapy computes
    1 - DEADC), the DEADC mutations disagree; with the real specs they do not."""
    specs = tmp_path / "Specs"
    shutil.copytree(harness.Path(__file__).resolve().parents[2] / "Specs", specs)
    events = specs / "gadf" / "0.2" / "events.yaml"
    text = events.read_text()
    assert "DEADC: {gammapy: typed," in text
    events.write_text(text.replace("DEADC: {gammapy: typed,", "DEADC: {gammapy: ignored,"))
    wrong, n = harness.run(vodf, [HESS], only={"DEADC"}, env={"VODF_SPECS": str(specs)})
    assert n >= 3 and len(wrong) >= 2, describe(wrong)
    assert all(m.target == "DEADC" and got.startswith("fails") and not errs for _, m, _, got, errs in wrong), describe(wrong)
    right, _ = harness.run(vodf, [HESS], only={"DEADC"})
    assert right == [], describe(right)


def test_gammapy_verdict_agrees_on_gadf_03_index_tables(vodf, corpus, tmp_path):
    """The same for a GADF 0.3 data store: the H.E.S.S. excerpt upgraded by vodf (HDUVERS 0.3 indexes)."""
    r = run_vodf(vodf, "release", "upgrade", CORPUS / "gadf" / "hess-dl3-dr1", "-o", tmp_path / "up", "--to", "gadf-0.3",
                 "--skip-missing", "-q")
    assert r.returncode == 0, r.stderr
    for name in ("hdu-index.fits.gz", "obs-index.fits.gz"):
        with harness.fits.open(tmp_path / "up" / name) as h:
            h.writeto(tmp_path / "up" / name.replace(".gz", ""))
    base, ids = tmp_path / "up", None
    with harness.fits.open(base / "obs-index.fits") as h:
        ids = sorted(int(i) for i in h[1].data["OBS_ID"])[:2]
    (base / "data").mkdir(exist_ok=True)
    disagreements, n = harness.run_index(vodf, base, ids, sample=None if FULL else 70)
    print(f"harness (GADF 0.3 index): {n} mutants compared, {len(disagreements)} disagreement(s)")
    assert n >= 40, f"only {n} mutants compared"
    assert disagreements == [], describe(disagreements)


def test_every_gammapy_annotated_rule_is_reached(vodf, bases, tmp_path):
    """A rule that says what gammapy does (`gammapy:` in a spec) is only measured when some mutation of
    some base touches it: every such rule of every GADF spec version is the target of a mutation of a
    base of its kind (POINTING, which gammapy does not read, aside)."""
    specs = harness.gadf_specs(vodf)
    up = tmp_path / "up"
    assert run_vodf(vodf, "release", "upgrade", CORPUS / "gadf" / "hess-dl3-dr1", "-o", up, "--to", "gadf-0.3",
                    "--skip-missing", "-q").returncode == 0
    index = [CORPUS / "gadf" / "hess-dl3-dr1" / n for n in ("hdu-index.fits.gz", "obs-index.fits.gz")]
    index += [up / "hdu-index.fits.gz", up / "obs-index.fits.gz"]
    unreached = sorted(harness.annotated_rules(specs) - harness.reached_rules(bases, specs, index))
    assert unreached == [], f"{len(unreached)} annotated rule(s) no mutation reaches: {unreached}"
