"""Keep the course notebooks and their .py twins the same, and re-run the notebooks in smoke mode.

    .venv/bin/python tools/run_notebooks.py              # sync, execute, re-sync every notebook
    .venv/bin/python tools/run_notebooks.py 01 04        # only notebooks whose name starts with 01 or 04
    .venv/bin/python tools/run_notebooks.py --sync-only  # only sync the pairs, run nothing
    make notebooks                                       # the same as the first line

How the course is stored
------------------------
Every ``notebooks/NN_name.ipynb`` is paired by Jupytext with ``notebooks/NN_name.py`` in the "percent"
format (``notebooks/jupytext.toml``).  Edit either one, in JupyterLab or in a text editor; with Jupytext
installed (the kit's ``lab`` extra), JupyterLab saves both.  The .py is the reviewable source (plain
Markdown and LaTeX in ``# %% [markdown]`` cells, plain Python in ``# %%`` cells); the .ipynb also keeps the
outputs of the cells that nbval checks.  ``tests/test_course.py`` fails when the two differ.

What this tool does, per notebook
---------------------------------
1. ``jupytext --sync``: whichever of the two files was saved last updates the other (a new chapter can be
   written as a .py alone: the sync creates its .ipynb).
2. Executes the .ipynb in place with ``SRKIT_SMOKE=1`` (tiny training runs, as ``make test`` does) in the
   ``python3`` kernel of the Python running this script (run it with ``.venv/bin/python``), from the
   ``notebooks/`` folder, 600 s per cell at most.
3. Keeps outputs only in code cells whose first line is ``# NBVAL_CHECK_OUTPUT``.  Those are the outputs
   ``pytest notebooks --nbval-lax`` compares with a fresh run, so a silent change in their numbers fails the
   suite; they must print the same thing in smoke and full mode.  Every other cell is stored without
   outputs (figures and widget state are made again when the notebook runs) to keep the files small.
4. ``jupytext --sync`` again, so the .py is not older than the freshly written .ipynb.

TensorFlow writes start-up messages to stderr when it is first imported.  They must not land in a
checked cell, where nbval would compare them: every notebook's first code cell (unchecked) calls
``srkit.env.start()``, which loads TensorFlow with those messages silenced (``start(tensorflow=False)``
in chapters that do not use it) and prints one set-up line.  This tool also sets ``TF_CPP_MIN_LOG_LEVEL=3`` for the kernel, and it
exits with an error, naming the cells, when a checked cell still wrote to stderr or printed a
TensorFlow/Keras/absl log line (such as a tf.function retracing warning) on stdout.

A notebook whose execution fails is left unchanged (the error is printed) and the others still run; the
tool then exits with status 1.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
CHECK_MARK = "# NBVAL_CHECK_OUTPUT"
# Log lines of TensorFlow, Keras and absl, which may also reach stdout (e.g. "WARNING:tensorflow:5 out of the
# last 11 calls ... triggered tf.function retracing"); they differ from run to run, so no checked cell may hold one.
LOG_LINE = re.compile(r"^(?:(?:DEBUG|INFO|WARNING|ERROR):(?:tensorflow|absl|keras)|[IWEF]\d{4} \d\d:\d\d:\d\d)", re.M)


def noisy(outputs) -> bool:
    """Whether cell outputs hold stderr or TensorFlow/absl log lines."""
    for out in outputs:
        if out.get("output_type") == "stream" and (out.get("name") == "stderr" or LOG_LINE.search(out.get("text", ""))):
            return True
    return False


def course_notebooks(prefixes: list[str]) -> list[Path]:
    """The notebooks' stems (``notebooks/NN_name`` without suffix), from .ipynb or .py twins."""
    stems = sorted({p.with_suffix("") for p in NB_DIR.glob("[0-9][0-9]_*.ipynb")}
                   | {p.with_suffix("") for p in NB_DIR.glob("[0-9][0-9]_*.py")})
    return [s for s in stems if not prefixes or any(s.name.startswith(a) for a in prefixes)]


def sync(stem: Path) -> None:
    """``jupytext --sync`` one pair (starting from the .ipynb when it exists, else from the .py)."""
    path = stem.with_suffix(".ipynb") if stem.with_suffix(".ipynb").exists() else stem.with_suffix(".py")
    subprocess.run([sys.executable, "-m", "jupytext", "--sync", "--quiet", str(path)], check=True, cwd=ROOT)


def execute(path: Path) -> list[int]:
    """Run ``path`` in place in smoke mode; keep only checked cells' outputs.  Returns the indices of
    checked cells whose outputs hold stderr or log lines (see :func:`noisy`)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    os.environ["SRKIT_SMOKE"] = "1"                       # the kernel inherits this environment
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(NB_DIR)}}).execute()
    nb.metadata.pop("widgets", None)
    noisy_cells = []
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if cell.source.startswith(CHECK_MARK):
            if noisy(cell.outputs):
                noisy_cells.append(i)
        else:
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(nb, path)
    return noisy_cells


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("prefixes", nargs="*", help="only notebooks whose name starts with one of these")
    parser.add_argument("--sync-only", action="store_true", help="sync the .ipynb/.py pairs, execute nothing")
    args = parser.parse_args(argv)
    stems = course_notebooks(args.prefixes)
    if not stems:
        parser.error(f"no notebook in {NB_DIR} starts with {' or '.join(args.prefixes)}")
    from nbclient.exceptions import CellExecutionError

    problems, failed = [], []
    for stem in stems:
        sync(stem)
        if args.sync_only:
            print("synced", stem.relative_to(ROOT))
            continue
        try:
            noisy_cells = execute(stem.with_suffix(".ipynb"))
        except CellExecutionError as err:  # the notebook is left as it was; go on with the others
            print(f"FAILED {stem.relative_to(ROOT)}.ipynb (left unchanged):\n{err}", file=sys.stderr)
            failed.append(stem.name)
            continue
        sync(stem)
        print("executed and synced", stem.relative_to(ROOT))
        problems += [f"{stem.name}.ipynb cell {i}" for i in noisy_cells]
    if problems:
        print("Checked cells (# NBVAL_CHECK_OUTPUT) printed log lines or wrote to stderr; nbval would compare "
              "that noise (the notebooks were written; fix the source of the noise and run again):\n  "
              + "\n  ".join(problems), file=sys.stderr)
    if failed:
        print("Notebooks that failed to run: " + ", ".join(failed), file=sys.stderr)
    return 1 if problems or failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
