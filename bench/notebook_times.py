"""How long each course notebook takes, top to bottom in a fresh kernel, in full and in smoke mode.

    .venv/bin/python bench/notebook_times.py                  # every notebook, both modes
    .venv/bin/python bench/notebook_times.py 03 05 --modes full

Each notebook runs as a student's would (``jupyter``'s own executor, a fresh ``python3`` kernel, from the
``notebooks/`` folder), without writing the notebook.  ``full`` is the default mode a student gets;
``smoke`` sets ``SRKIT_SMOKE=1`` (tiny training, as CI runs the course).  The results, with the machine, the
date and the command, are merged into ``bench/notebook_times.json`` (one entry per notebook and mode, so
notebooks can be re-timed one at a time); the three slowest cells of each run are kept to show where the
time goes.  The course promises at most 10 minutes per notebook in full mode on a 2-core CPU: the script
exits with status 1 if a full-mode run is over that budget or fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
OUT = ROOT / "bench" / "notebook_times.json"
BUDGET_S = 600


def machine() -> str:
    """The CPU model and core count (what the times depend on)."""
    from srkit.env import cpu_model

    return f"{cpu_model()}, {os.cpu_count()} cores"


def time_notebook(path: Path, mode: str) -> dict:
    """Execute ``path`` in ``mode`` ('full' or 'smoke'); wall time, slowest cells, and whether it ran."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", MPLBACKEND="Agg")
    env.pop("SRKIT_SMOKE", None)
    if mode == "smoke":
        env["SRKIT_SMOKE"] = "1"
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)  # the kernel inherits this environment
    t0 = time.perf_counter()
    error = None
    try:
        NotebookClient(nb, timeout=1800, kernel_name="python3", record_timing=True,
                       resources={"metadata": {"path": str(NB_DIR)}}).execute()
    except CellExecutionError as e:
        error = str(e).strip().splitlines()[-1][:300]
    finally:
        os.environ.clear()
        os.environ.update(saved)
    wall = time.perf_counter() - t0
    cells = []
    for i, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if cell.cell_type == "code" and start and end:
            secs = (dt.datetime.fromisoformat(end.replace("Z", "+00:00"))
                    - dt.datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
            cells.append((secs, i, cell.source.splitlines()[0][:70] if cell.source else ""))
    slowest = [{"cell": i, "seconds": round(s, 1), "first_line": line} for s, i, line in sorted(cells, reverse=True)[:3]]
    return {"seconds": round(wall, 1), "ok": error is None, "error": error, "slowest_cells": slowest}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("prefixes", nargs="*", help="only notebooks whose name starts with one of these")
    parser.add_argument("--modes", nargs="+", default=["full", "smoke"], choices=["full", "smoke"])
    args = parser.parse_args(argv)
    paths = [p for p in sorted(NB_DIR.glob("[0-9][0-9]_*.ipynb"))
             if not args.prefixes or any(p.name.startswith(a) for a in args.prefixes)]
    if not paths:
        parser.error(f"no notebook in {NB_DIR} starts with {' or '.join(args.prefixes)}")
    results = json.loads(OUT.read_text()) if OUT.exists() else {"notebooks": {}}
    bad = []
    for path in paths:
        for mode in args.modes:
            r = time_notebook(path, mode)
            r.update(machine=machine(), date=dt.date.today().isoformat(),
                     command=f".venv/bin/python bench/notebook_times.py {path.name[:2]} --modes {mode}")
            results["notebooks"].setdefault(path.stem, {})[mode] = r
            status = "ok" if r["ok"] else f"FAILED: {r['error']}"
            print(f"{path.stem:32s} {mode:5s} {r['seconds']:7.1f} s  {status}", flush=True)
            if mode == "full" and (not r["ok"] or r["seconds"] > BUDGET_S):
                bad.append(f"{path.stem} ({mode})")
            results["budget_s"] = BUDGET_S
            results["note"] = ("Wall time of a whole notebook in a fresh kernel (kernel start included); full = "
                               "what a student runs, smoke = SRKIT_SMOKE=1 as in CI.")
            tmp = OUT.with_suffix(".json.tmp")
            tmp.write_text(json.dumps(results, indent=1) + "\n")
            tmp.replace(OUT)
    if bad:
        print("Over the 10-minute budget or failed in full mode: " + ", ".join(bad), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
