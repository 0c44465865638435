"""Every keyword and column rule that applies to a valid file gets a failing fixture.

For each HDU of a set of valid files (vodfkit's own GADF 0.2/0.3 and VODF outputs, the HESS, MAGIC
and CTA files of the corpus, km3irf's IRFs and the HESS index tables), the resolved spec that checks
it (`vodf spec show ID --json`) lists its rules. The test breaks each rule once, in its own copy of
the file: a required keyword removed, a keyword given a value outside its allowed values or its
range, a required column renamed, a column given a unit of another dimension. Every copy must fail
with that rule's id. All copies are validated in one `vodf validate` run.
"""
import json
import shutil

import pytest
from astropy.io import fits

from conftest import CORPUS, KM3IRF_DATA, TESTDATA, convert, run_vodf

# Keywords that choose the spec (breaking them changes which rule applies) or that FITS owns.
CLASS_KEYS = {"HDUCLASS", "HDUCLAS1", "HDUCLAS2", "HDUCLAS3", "HDUCLAS4", "HDUVERS", "HDUDOC", "XTENSION",
              "BITPIX", "NAXIS", "NAXIS1", "NAXIS2", "PCOUNT", "GCOUNT", "TFIELDS"}


def spec_ids(vodf):
    out = run_vodf(vodf, "spec", "list").stdout.splitlines()
    return [line.split()[0] for line in out if "/" in line.split()[0]]


def resolved(vodf, spec_id):
    r = run_vodf(vodf, "spec", "show", spec_id, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def which_spec(specs, header, columns):
    """The spec the validator picks (Specs/README.md, "Which spec checks an HDU"): family from
    HDUCLASS, version from HDUVERS, then recognize_by_columns, select, legacy_select, later versions."""
    hduclass = str(header.get("HDUCLASS", "")).upper()
    if not hduclass:
        return None
    family = "vodf" if hduclass == "VODF" else "gadf"
    version = str(header.get("HDUVERS", "")).strip().lstrip("vV")
    def numeric(v):
        return [int(x) for x in v.split(".")] if all(x.isdigit() for x in v.split(".")) else None

    # Numbered versions fall back to later ones; a named dialect (vodf-mock-0.1) only by its HDUVERS.
    versions = sorted({s.split("/")[0].split("-", 1)[1] for s in specs if s.startswith(family + "-")} - {""},
                      key=lambda v: (numeric(v) is None, numeric(v) or [], v))

    def selects(select):
        return bool(select) and all(str(header.get(k, "")).upper() in [v.upper() for v in vals] for k, vals in select.items())

    def candidates(v):
        return sorted((i, s) for i, s in specs.items() if i.startswith(f"{family}-{v}/"))

    later = [x for x in versions if numeric(x) and numeric(version) and numeric(x) > numeric(version)]
    for v in [version] + later:
        for i, s in candidates(v):
            if s["recognizeByColumns"] and all(c in columns for c in s["recognizeByColumns"]):
                return i
        for i, s in candidates(v):
            if selects(s["select"]):
                return i
        for i, s in candidates(v):
            if s["legacySelect"] and selects({**s["select"], **s["legacySelect"]}):
                return i
    return None


def valid_files(vodf, tmp):
    arca = CORPUS / "km3net-arca230-irf"
    files = []
    for fmt in ["gadf-0.3", "gadf-0.2", "vodf"]:
        files.append(convert(vodf, TESTDATA / "antares" / "sample_public.dat", tmp / f"own-events-{fmt}.fits", "--format", fmt))
        files.append(convert(vodf, arca, tmp / f"own-irf-{fmt}.fits", "--kind", "irf", "--format", fmt))
    # GADF files from other producers rewritten by vodfkit: BKG_3D, RAD_MAX_2D, PSF_3GAUSS in every format.
    for src in [CORPUS / "gadf" / "hess-dl3-dr1" / "data" / "hess_dl3_dr1_obs_id_020136.fits.gz",
                *sorted((CORPUS / "gadf" / "magic-rad-max" / "data").glob("*.fits"))[:1], *sorted((CORPUS / "gadf").rglob("*Prod5*.fits*"))[:1]]:
        for fmt in ["gadf-0.3", "vodf"]:
            files.append(convert(vodf, src, tmp / f"own-{fmt}-{src.name.split('.')[0][:20]}.fits", "--format", fmt))
    files += [CORPUS / "gadf" / "hess-dl3-dr1" / "data" / "hess_dl3_dr1_obs_id_020136.fits.gz",
              CORPUS / "gadf" / "hess-dl3-dr1" / "hdu-index.fits.gz", CORPUS / "gadf" / "hess-dl3-dr1" / "obs-index.fits.gz"]
    files += sorted((CORPUS / "gadf" / "magic-rad-max" / "data").glob("*.fits"))[:1]
    files += sorted((CORPUS / "gadf").rglob("*Prod5*.fits*"))[:1]
    files += [KM3IRF_DATA / n for n in ["aeff.fits", "psf.fits", "edisp.fits", "bkg_nu.fits"]]
    return [f for f in files if f.exists()]


def breakages(spec, header, columns):
    """(what, mutate(hdu), expected rule) for each rule of `spec` this HDU can break."""
    sid = spec["id"]
    out = []
    for k, r in sorted(spec["keywords"].items()):
        if k in CLASS_KEYS or k not in header:
            continue
        if r["level"] == "required":
            out.append((f"drop {k}", lambda h, k=k: h.header.remove(k), f"{sid}:keyword:{k}:missing"))
        if r.get("values") and r.get("type") == "string":
            out.append((f"{k} not allowed", lambda h, k=k: h.header.set(k, "NOT-ALLOWED-VALUE"), f"{sid}:keyword:{k}:value"))
        rng = r.get("range")
        if rng and r.get("type") in ("float", "int") and isinstance(header[k], (int, float)):
            bad = (rng[1] + 1) if rng[1] is not None else (rng[0] - 1)
            out.append((f"{k} out of range", lambda h, k=k, bad=bad: h.header.set(k, bad), f"{sid}:keyword:{k}:range"))
    recognising = set(spec.get("recognizeByColumns") or [])
    for c, r in sorted(spec["columns"].items()):
        if c not in columns:
            continue
        n = columns.index(c) + 1
        if r["level"] == "required" and c not in recognising:
            out.append((f"rename {c}", lambda h, n=n, c=c: h.header.set(f"TTYPE{n}", c[:4] + "_XX"), f"{sid}:column:{c}:missing"))
        if r.get("unit"):
            # A unit of another dimension that the unit parser knows (seconds, or metres for times).
            wrong = "m" if r["unit"] in ("s", "d") else "s"
            out.append((f"{c} in {wrong}", lambda h, n=n, wrong=wrong: h.header.set(f"TUNIT{n}", wrong), f"{sid}:column:{c}:unit"))
    # Conditions that hold for this HDU: drop what they require (one keyword of `require`).
    for c in spec.get("conditions") or []:
        holds = all(str(header.get(k, "")).upper() in [v.upper() for v in vals] for k, vals in c["when"].items())
        for k in (c.get("require") or [])[:1]:
            if holds and k in header and k not in CLASS_KEYS:
                out.append((f"condition {c['id']}", lambda h, k=k: h.header.remove(k), f"{sid}:condition:{c['id']}"))
    # Axes: the first bin turned around (HI below LO).
    for a in spec.get("axes") or []:
        if a["lo"] in columns and a["hi"] in columns:
            def swap(h, a=a):
                lo, hi = h.data[a["lo"]], h.data[a["hi"]]
                first_lo, first_hi = lo.flat[0], hi.flat[0]
                if first_lo == first_hi:          # node axes (LO = HI) cannot be turned around
                    hi.flat[1] = lo.flat[0] - abs(lo.flat[0]) - 1
                    lo.flat[1] = hi.flat[1]
                else:
                    lo.flat[0], hi.flat[0] = first_hi, first_lo
            out.append((f"axis {a['lo']} reversed", swap, f"{sid}:axis:{a['lo']}"))
    # Normalisation: the density a thousand times too large (CTA prod5's EDISP integrates to 0.01:
    # it holds per-bin probabilities, so a factor 10 would still pass the upper bound).
    norm = spec.get("normalisation")
    if norm and norm["column"] in columns:
        def scale(h, c=norm["column"]):
            h.data[c] *= 1000
        out.append((f"{norm['column']} x1000", scale, f"{sid}:normalisation:{norm['column']}"))
    return out


def test_every_applicable_rule_has_a_failing_fixture(vodf, corpus, km3net_data, tmp_path):
    specs = {i: resolved(vodf, i) for i in spec_ids(vodf)}
    cases = []            # (mutated file, description, expected rule)
    used = set()
    for n, src in enumerate(valid_files(vodf, tmp_path)):
        with fits.open(src) as h:
            headers = [(i, hdu.header.copy(), list(hdu.columns.names) if hasattr(hdu, "columns") else []) for i, hdu in enumerate(h)]
        for i, header, columns in headers[1:]:
            sid = which_spec(specs, header, columns)
            if sid is None:
                continue
            for what, mutate, rule in breakages(specs[sid], header, columns):
                out = tmp_path / f"m{len(cases):04d}.fits"
                with fits.open(src) as h:
                    mutate(h[i])
                    for hdu in h:
                        hdu.header.remove("CHECKSUM", ignore_missing=True)
                        hdu.header.remove("DATASUM", ignore_missing=True)
                    h.writeto(out, output_verify="silentfix", checksum=False)
                cases.append((out, f"{src.name} HDU {i} {what}", rule))
                used.add(rule.rsplit(":", 2)[0] + ":" + rule.rsplit(":", 1)[1])
    assert len(cases) > 150, len(cases)
    r = run_vodf(vodf, "validate", "--profile", "strict", "--report", "json", *[c[0] for c in cases])
    report = json.loads(r.stdout)
    # A rule the spec caps at a warning (`severity`: declared by a draft, not enforced by its checker,
    # such as vodf-0.0.0's EXTNAME value) fires as a warning; every other one as an error.
    capped = {f"{sid}:keyword:{k}:{what}" for sid in spec_ids(vodf) for k, r in resolved(vodf, sid)["keywords"].items()
              if r.get("severity") == "warning" for what in ("value", "range")} if any("vodf-" in c[2] for c in cases) else set()
    errors = {}
    for f in report["findings"]:
        if f["severity"] == "error" or (f["severity"] == "warning" and f["rule"] in capped):
            errors.setdefault(f["file"], set()).add(f["rule"])
    missed = [(what, rule, sorted(errors.get(str(path), []))) for path, what, rule in cases if rule not in errors.get(str(path), set())]
    assert missed == [], missed[:10]
    # The fixtures reach every spec family and version, and both keyword and column rules.
    families = {c[2].split("/")[0] for c in cases}
    assert {"gadf-0.2", "gadf-0.3", "vodf-0.0.0"} <= families, families
    print(f"{len(cases)} fixtures, {len({c[2] for c in cases})} distinct rules, over {len({c[2].split(':')[0] for c in cases})} specs")
