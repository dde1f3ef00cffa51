"""Write a student copy of the course: the notebooks without solutions or outputs, with every check working.

    .venv/bin/python tools/release_course.py                       # into build/student-course
    .venv/bin/python tools/release_course.py ~/course-2025         # into a folder of your choice
    make student-copy [OUT=folder]                                  # the same as the first line

What the copy holds
-------------------
``OUT/notebooks/NN_name.ipynb`` for every chapter, and the few files the notebooks read by a relative path
(such as ``OUT/bench/rnn_results.json``, read as ``../bench/rnn_results.json``), so that the notebooks run
from ``OUT/notebooks`` as they do from the repository; plus a short ``OUT/README.md``.  In every notebook:

* all outputs and execution counts are cleared, and the ``# NBVAL_CHECK_OUTPUT`` test markers are removed
  (there are no stored outputs left to compare);
* in an answer cell (nbgrader ``solution: true``), any lines between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION`` are replaced by ``raise NotImplementedError``, as nbgrader's generator does (the
  course's own answer cells hold only placeholders, so there is usually nothing to replace);
* the nbgrader cell metadata stays, so nbgrader can autograde the students' submissions.

The worked solutions (``notebooks/solutions/``) and the Jupytext ``.py`` twins are not copied, so
``srkit.exercises.solution`` says in the copy that solutions are not part of it; ``check`` works as before,
because the checks live in the installed ``srkit`` package.  As a last safety net, the tool refuses to
finish (and removes the copy) if a line of any worked solution appears in a copied file.

The notebooks are read from their ``.ipynb``; the tool stops first if a notebook and its ``.py`` twin differ
(run ``.venv/bin/python tools/run_notebooks.py --sync-only``, or pass ``--no-pair-check`` to copy the
``.ipynb`` files as they are).  An existing folder is replaced only when it
is an earlier student copy (it holds the file ``.srkit-student-copy``).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
SOLUTIONS = NB_DIR / "solutions"
MARKER = ".srkit-student-copy"
CHECK_MARK = "# NBVAL_CHECK_OUTPUT"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
RELATIVE_PATH = re.compile(r"""["'](\.\./[^"'\s]+)["']""")
README = """# Super-resolution with srkit: the course notebooks

Open `notebooks/00_welcome.ipynb` in JupyterLab, with the `srkit` kit installed in the Python environment
of its kernel, and run the cells from top to bottom. Each chapter ends with exercises: write your answer
in its cell, then run the cell below it; `check` says whether the answer is right, or what differs and a
hint. Exercises that ask for a function or a model run it next to the kit's own on random inputs.
Worked solutions are not part of this copy: ask your teacher.
"""


class ReleaseError(Exception):
    """The student copy cannot be written; the message says why and what to do."""


def solution_lines(text: str) -> list[str]:
    """The lines of a worked solution that would give it away: code, not blank lines, comments, imports
    or ``def`` lines (the notebooks' answer cells start with the same ``def`` line)."""
    lines = []
    for raw in text.splitlines():
        line = raw.split("  #")[0].strip()
        if (len(line) < 12 or line.startswith(("#", "import ", "from ", "def ", '"""'))):
            continue
        lines.append(line)
    return lines


def _strip_solution_regions(source: str) -> str:
    out, inside = [], False
    for line in source.splitlines():
        if line.strip() == BEGIN:
            inside = True
            out.append(line[: len(line) - len(line.lstrip())] + "raise NotImplementedError")
        elif line.strip() == END:
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ReleaseError(f"an answer cell has '{BEGIN}' without '{END}':\n{source[:300]}")
    return "\n".join(out)


def student_notebook(nb):
    """The student version of a notebook (an ``nbformat`` node, changed in place and returned)."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        if cell.source.startswith(CHECK_MARK):
            cell.source = cell.source[len(CHECK_MARK):].lstrip("\n")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = _strip_solution_regions(cell.source)
    return nb


def _check_pairs(stems: list[Path]) -> None:
    """Stop when a notebook and its ``.py`` twin hold different cells (``stems``: paths without suffix)."""
    import jupytext

    for stem in stems:
        twin = stem.with_suffix(".py")
        if not twin.exists():
            continue
        a = [(c.cell_type, c.source) for c in jupytext.read(stem.with_suffix(".ipynb")).cells]
        b = [(c.cell_type, c.source) for c in jupytext.read(twin).cells]
        if a != b:
            raise ReleaseError(f"{stem.name}.ipynb and {twin.name} differ. Run `.venv/bin/python "
                               "tools/run_notebooks.py --sync-only` first, so that the copy has your latest edits.")


def _referenced_files(nb) -> list[Path]:
    """Files the notebook reads by a path relative to its folder that lies outside it (``../bench/...``)."""
    found = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for rel in RELATIVE_PATH.findall(cell.source):
                path = (NB_DIR / rel).resolve()
                if not path.is_relative_to(ROOT):
                    raise ReleaseError(f"a notebook reads {rel}, which lies outside the course.")
                if not path.is_file():
                    raise ReleaseError(f"a notebook reads {rel}, which does not exist ({path}).")
                found.append(path)
    return found


def _check_folder(out: Path) -> None:
    if out == ROOT or ROOT.is_relative_to(out) or out.is_relative_to(NB_DIR):
        raise ReleaseError(f"{out} is the course itself (or holds it, or lies in notebooks/): choose another folder, "
                           "e.g. build/student-course.")
    if out.exists():
        if not out.is_dir():
            raise ReleaseError(f"{out} exists and is not a folder.")
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise ReleaseError(f"{out} is not empty and is not an earlier student copy: choose an empty or new folder.")


def _shown_by_the_course() -> str:
    """The text every student sees anyway: all cells of the course notebooks except the answer cells."""
    import nbformat

    parts = []
    for path in sorted(NB_DIR.glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if not cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                parts.append(cell.source)
    return "\n".join(parts)


def _leaks(out: Path) -> list[str]:
    """Lines of worked solutions found in the copy.  A line the course shows outside its answer cells (say
    ``lab = LabState()`` in the lab's own demonstration) gives nothing away and is not counted."""
    shown = _shown_by_the_course()
    lines = {}
    for path in sorted(SOLUTIONS.glob("*.py")):
        for line in solution_lines(path.read_text()):
            if line not in shown:
                lines.setdefault(line, path.stem)
    found = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        text = path.read_text(errors="replace")
        found += [f"{path.relative_to(out)}: the solution of {key}: {line!r}" for line, key in lines.items() if line in text]
    return found


def release(out: Path, prefixes: list[str] | None = None, check_pairs: bool = True) -> list[Path]:
    """Write the student copy into ``out`` (see the module docs); returns the notebooks written.

    ``prefixes`` keeps only the notebooks whose names start so; ``check_pairs=False`` skips the check that
    every notebook agrees with its ``.py`` twin."""
    import nbformat

    stems = sorted(p.with_suffix("") for p in NB_DIR.glob("[0-9][0-9]_*.ipynb"))
    stems = [s for s in stems if not prefixes or any(s.name.startswith(p) for p in prefixes)]
    if not stems:
        raise ReleaseError(f"no notebook in {NB_DIR} starts with {' or '.join(prefixes or [])}.")
    out = out.resolve()
    _check_folder(out)
    if check_pairs:
        _check_pairs(stems)
    if out.exists():
        shutil.rmtree(out)  # an earlier student copy (or an empty folder)
    out.mkdir(parents=True)
    (out / MARKER).write_text("A student copy of the srkit course, written by tools/release_course.py.\n")
    (out / "README.md").write_text(README)
    written = []
    for stem in stems:
        nb = nbformat.read(stem.with_suffix(".ipynb"), as_version=4)
        for path in _referenced_files(nb):
            target = out / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        target = out / "notebooks" / stem.with_suffix(".ipynb").name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_notebook(nb), target)
        written.append(target)
    leaks = _leaks(out)
    if leaks:
        shutil.rmtree(out)
        raise ReleaseError("solution text found in the copy (removed it):\n  " + "\n  ".join(leaks))
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", default=str(ROOT / "build" / "student-course"),
                        help="the folder to write (default: build/student-course); an earlier copy there is replaced")
    parser.add_argument("--only", nargs="+", metavar="NN", help="only the notebooks whose names start so, e.g. 00 01")
    parser.add_argument("--no-pair-check", action="store_true",
                        help="copy the .ipynb files as they are, even where a .py twin differs")
    args = parser.parse_args(argv)
    try:
        written = release(Path(args.out).expanduser(), args.only, check_pairs=not args.no_pair_check)
    except ReleaseError as err:
        print(f"release_course: {err}", file=sys.stderr)
        return 2
    out = written[0].parents[1]
    print(f"Student copy written to {out}: {len(written)} notebooks, no solutions, no outputs.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
