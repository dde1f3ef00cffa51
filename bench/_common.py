"""What the benchmark scripts share: how they describe the machine and turn a result table into JSON rows.

The scripts are run as ``python bench/NAME.py``, so this folder is on ``sys.path`` and they import it as
``_common``.
"""

from __future__ import annotations

import datetime
import os
import platform
import sys

import numpy as np


def cpu() -> str:
    """The CPU model and how many logical CPUs this machine has, e.g. ``'AMD EPYC 9B14 (2 logical CPUs)'``."""
    from srkit.env import cpu_model

    return f"{cpu_model()} ({os.cpu_count()} logical CPUs)"


def load() -> list[float] | None:
    """The 1-, 5- and 15-minute load averages (None where the system has none): timings depend on them."""
    return [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None


def run_record(argv: list[str] | None) -> dict:
    """The head of a result file: the command that made it (``argv`` as given to ``main``, else the
    command line), when (UTC), on which CPU and under which Python."""
    args = argv if argv is not None else sys.argv[1:]
    return {
        "command": "python " + " ".join([sys.argv[0], *args]),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu(),
        "python": platform.python_version(),
    }


def table_rows(table, precise: tuple[str, ...] = ("psnr",), digits: int = 2) -> list[dict]:
    """A pandas table as a list of JSON-ready dicts: numpy scalars become Python ones, NaN and infinity
    become None, the ``precise`` columns are rounded to 4 decimals and other floats to ``digits``."""
    out = []
    for rec in table.to_dict(orient="records"):
        row = {}
        for k, v in rec.items():
            if isinstance(v, (float, np.floating)):
                v = None if not np.isfinite(v) else round(float(v), 4 if k in precise else digits)
            elif isinstance(v, np.integer):
                v = int(v)
            elif isinstance(v, np.bool_):
                v = bool(v)
            row[k] = v
        out.append(row)
    return out
