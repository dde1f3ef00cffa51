"""Check that srkit installs from binary wheels on every Python version it claims to support.

For each version (default: every minor version ``requires-python`` in pyproject.toml allows, from 3.10 on),
pip resolves the kit's dependencies and its ``lab`` and ``test`` extras for that Python on this platform,
taking only binary wheels (``--only-binary=:all:``), without installing anything (``--dry-run``; pip reads
wheel metadata, it does not build).  Any requirement without a wheel for a version fails the check.

    python tools/check_wheels.py                  # every supported version
    python tools/check_wheels.py --python 3.13    # one version

Needs access to the package index pip is configured for (PyPI or a mirror).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def requirements(extras=("lab", "test")) -> list[str]:
    """The dependencies of pyproject.toml plus those of the given extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in extras:
        reqs += project["optional-dependencies"][extra]
    return sorted(set(reqs))


def supported_versions() -> list[str]:
    """The minor Python versions ``requires-python`` allows (of 3.10 ... 3.14)."""
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    low = re.search(r">=\s*3\.(\d+)", spec)
    high = re.search(r"<\s*3\.(\d+)", spec)
    lo, hi = int(low.group(1)) if low else 10, int(high.group(1)) if high else 15
    return [f"3.{m}" for m in range(max(lo, 10), min(hi, 15))]


def resolve(python: str, reqs: list[str]) -> tuple[bool, str, list[tuple[str, str, str]]]:
    """Resolve ``reqs`` for ``python`` from binary wheels only: (ok, pip's error output, [(name, version, wheel)])."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
               "--only-binary=:all:", "--python-version", python, "--target", str(Path(tmp) / "target"),
               "--report", str(report), *reqs]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            lines = [ln for ln in proc.stderr.splitlines() if "is ignored" not in ln]
            return False, "\n".join(lines[-6:]), []
        installs = json.loads(report.read_text())["install"]
        return True, "", [(i["metadata"]["name"], i["metadata"]["version"],
                           i["download_info"]["url"].rsplit("/", 1)[-1]) for i in installs]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", nargs="+", help="versions to check (default: all that requires-python allows)")
    args = parser.parse_args(argv)
    reqs = requirements()
    failed = []
    for version in args.python or supported_versions():
        ok, err, wheels = resolve(version, reqs)
        if ok:
            tf = next((w for n, v, w in wheels if n.lower() == "tensorflow"), "?")
            print(f"Python {version}: {len(wheels)} packages resolve to binary wheels (TensorFlow: {tf})")
        else:
            failed.append(version)
            print(f"Python {version}: FAILED\n{err}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
