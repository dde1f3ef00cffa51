"""Every supported Python version installs srkit from binary wheels (tools/check_wheels.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import check_wheels  # noqa: E402


def test_supported_versions_follow_requires_python():
    assert check_wheels.supported_versions() == ["3.11", "3.12", "3.13"]
    reqs = check_wheels.requirements()
    assert any(r.startswith("tensorflow==") for r in reqs) and any(r.startswith("nbval") for r in reqs)


@pytest.mark.slow
def test_every_supported_python_resolves_to_binary_wheels():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "check_wheels.py")], capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for v in ("3.11", "3.12", "3.13"):
        assert f"Python {v}: " in proc.stdout and f"cp{v.replace('.', '')}" in proc.stdout


@pytest.mark.slow
def test_python_3_10_is_refused_for_a_reason():
    ok, err, _ = check_wheels.resolve("3.10", check_wheels.requirements())
    assert not ok and "keras" in err.lower()  # why requires-python starts at 3.11
