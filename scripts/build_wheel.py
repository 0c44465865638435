#!/usr/bin/env python3
"""make wheel: the static vodf, the shared libraries it needs beyond glibc, and the vodfkit Python
package (python/vodfkit) in a wheel for linux x86_64, the way ruff and uv ship their binaries.
Written with zipfile (no build backend needed); RECORD has the sha256 of every file.
    scripts/build_wheel.py BINARY OUT_DIR
"""
import base64
import hashlib
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NAME, VERSION = "vodfkit", "0.1.0"
TAG = "py3-none-linux_x86_64"
# Provided by every glibc system; never bundled.
SYSTEM = re.compile(r"^(linux-vdso|ld-linux|libc|libm|libdl|libpthread|librt|libresolv|libutil)\.")


def shared_libraries(binary):
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    libs = []
    for line in out.splitlines():
        parts = line.split("=>")
        if len(parts) != 2:
            continue
        name, path = parts[0].strip(), parts[1].split("(")[0].strip()
        if SYSTEM.match(name):
            continue
        if not path or path == "not":
            sys.exit(f"wheel: {binary} needs {name}, which is not installed")
        libs.append(Path(path))
    return libs


def record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def main(binary, out_dir):
    binary, out_dir = Path(binary), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {}
    for p in sorted((REPO / "python" / NAME).glob("*.py")):
        files[f"{NAME}/{p.name}"] = (p.read_bytes(), 0o644)
    files[f"{NAME}/bin/vodf"] = (binary.read_bytes(), 0o755)
    for lib in shared_libraries(binary):
        files[f"{NAME}/lib/{lib.name}"] = (lib.resolve().read_bytes(), 0o644)
    info = f"{NAME}-{VERSION}.dist-info"
    readme = (REPO / "README.md").read_text()
    files[f"{info}/METADATA"] = ("\n".join([
        "Metadata-Version: 2.1", f"Name: {NAME}", f"Version: {VERSION}",
        "Summary: KM3NeT data to GADF/VODF, validation against the format specs, VO publication (the vodf command)",
        "License: see the repository", "Requires-Python: >=3.8", "Description-Content-Type: text/markdown", "", readme]).encode(), 0o644)
    files[f"{info}/WHEEL"] = (f"Wheel-Version: 1.0\nGenerator: vodfkit build_wheel.py\nRoot-Is-Purelib: false\nTag: {TAG}\n".encode(), 0o644)
    files[f"{info}/entry_points.txt"] = (b"[console_scripts]\nvodf = vodfkit.__main__:main\n", 0o644)
    files[f"{info}/top_level.txt"] = (f"{NAME}\n".encode(), 0o644)
    record = [record_line(a, d) for a, (d, _) in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = (("\n".join(record) + "\n").encode(), 0o644)
    wheel = out_dir / f"{NAME}-{VERSION}-{TAG}.whl"
    tmp = wheel.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for arcname, (data, mode) in files.items():
            zi = zipfile.ZipInfo(arcname, date_time=(2026, 1, 1, 0, 0, 0))
            zi.external_attr = (0o100000 | mode) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    os.replace(tmp, wheel)
    libs = [a for a in files if "/lib/" in a]
    print(f"wheel: {wheel} ({wheel.stat().st_size // 1024} kB; vodf and {len(libs)} shared libraries: {', '.join(Path(a).name for a in libs)})")


if __name__ == "__main__":
    main(*sys.argv[1:3])
