"""The course notebooks: each .ipynb and its Jupytext .py twin say the same thing, every chapter has its
learning goals, summary and exercises, and every exercise is asked in exactly one notebook and checked by
srkit.exercises."""

import re
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")

from srkit.exercises import EXERCISES  # noqa: E402

NB_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("[0-9][0-9]_*.ipynb"))
TWINS = sorted(NB_DIR.glob("[0-9][0-9]_*.py"))
CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\d\d\.\d+)["']""")
QUESTION = re.compile(r"\*\*Exercise (\d\d\.\d+)\.\*\*")


def _cells(path: Path) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in jupytext.read(path).cells]


def first_difference(a: list[tuple[str, str]], b: list[tuple[str, str]]) -> str | None:
    """Where two cell lists first differ, in words (``None``: they are the same)."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            what = "type" if x[0] != y[0] else "source"
            return f"cell {i} ({what}): .ipynb has {x[0]} {x[1][:120]!r}, .py has {y[0]} {y[1][:120]!r}"
    if len(a) != len(b):
        i = min(len(a), len(b))
        extra = (a if len(a) > len(b) else b)[i]
        side = ".ipynb" if len(a) > len(b) else ".py"
        return f"cell {i}: only the {side} has it ({extra[0]} {extra[1][:120]!r}); {len(a)} cells vs {len(b)}"
    return None


def test_the_course_has_notebooks():
    assert len(NOTEBOOKS) >= 6, f"expected the six chapters in {NB_DIR}, found {[p.name for p in NOTEBOOKS]}"


def test_pairing_is_configured_once():
    config = (NB_DIR / "jupytext.toml").read_text()
    assert re.findall(r'^formats\s*=\s*"([^"]*)"', config, re.M) == ["ipynb,py:percent"]


def test_every_notebook_has_a_twin_and_every_twin_a_notebook():
    lonely = sorted({p.stem for p in NOTEBOOKS} ^ {p.stem for p in TWINS})
    assert not lonely, (f"unpaired: {lonely}; run `.venv/bin/python tools/run_notebooks.py --sync-only` "
                        "to write the missing half of each pair")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_and_twin_have_the_same_cells(notebook):
    twin = notebook.with_suffix(".py")
    assert twin.exists(), f"{notebook.name} has no paired {twin.name}"
    assert twin.read_text().lstrip().startswith("# ---") and "format_name: percent" in twin.read_text()
    diff = first_difference(_cells(notebook), _cells(twin))
    assert diff is None, (f"{notebook.name} and {twin.name} differ at {diff}. Save the one you edited in JupyterLab "
                          "(with Jupytext) or run `.venv/bin/python tools/run_notebooks.py --sync-only`.")


def test_first_difference_names_the_cell():
    a = [("markdown", "# Title"), ("code", "x = 1")]
    assert first_difference(a, list(a)) is None
    assert first_difference(a, [("markdown", "# Title"), ("code", "x = 2")]).startswith("cell 1 (source)")
    assert first_difference(a, [("markdown", "# Title"), ("markdown", "x = 1")]).startswith("cell 1 (type)")
    assert first_difference(a, a[:1]).startswith("cell 1: only the .ipynb")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_structure(notebook):
    cells = _cells(notebook)
    markdown = [src for kind, src in cells if kind == "markdown"]
    assert markdown and markdown[0].startswith(f"# {notebook.name[:2]} "), f"{notebook.name}: no title cell first"
    assert "**Learning goals.**" in markdown[0], f"{notebook.name}: the first cell must state the learning goals"
    for heading in ("## Summary", "## Exercises"):
        assert any(re.search(rf"^{re.escape(heading)}\s*$", m, re.M) for m in markdown), \
            f"{notebook.name} has no '{heading}' section"
    assert not any("\\\\frac" in m or "\\\\mathrm" in m for m in markdown), f"{notebook.name}: double-escaped LaTeX"


def _exercise_keys():
    checked, asked = {}, {}
    for nb in NOTEBOOKS:
        for kind, src in _cells(nb):
            for key in (CHECK_CALL if kind == "code" else QUESTION).findall(src):
                (checked if kind == "code" else asked).setdefault(key, []).append(nb.name)
    return checked, asked


def test_every_exercise_is_asked_and_checked_in_exactly_one_notebook():
    checked, asked = _exercise_keys()
    for key in EXERCISES:
        assert len(checked.get(key, [])) == 1, f"exercise {key} is checked in {checked.get(key, [])} (want one notebook)"
        assert asked.get(key) == checked[key], \
            f"exercise {key}: its question (**Exercise {key}.**) must be in {checked[key][0]}, found in {asked.get(key)}"
        assert checked[key][0][:2] == key[:2], f"exercise {key} lives in {checked[key][0]}"
    unknown = sorted((set(checked) | set(asked)) - set(EXERCISES))
    assert not unknown, f"notebooks check or ask exercises srkit.exercises does not know: {unknown}"


def test_shipped_text_speaks_of_the_kit_only():
    pattern = re.compile(r"\bissue\s*#?\d|being built|\bTODO\b|\bseed's\b", re.I)
    for nb in NOTEBOOKS:
        for i, (_, src) in enumerate(_cells(nb)):
            assert not pattern.search(src), f"{nb.name} cell {i}: {pattern.search(src).group(0)!r}"


def _run_notebooks_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("run_notebooks", NB_DIR.parent / "tools" / "run_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_noise_detector():
    noisy = _run_notebooks_tool().noisy
    assert not noisy([{"output_type": "stream", "name": "stdout", "text": "Set5  32.49\n"}])
    assert noisy([{"output_type": "stream", "name": "stderr", "text": "anything"}])
    assert noisy([{"output_type": "stream", "name": "stdout",
                   "text": "ok\nWARNING:tensorflow:5 out of the last 11 calls to <function f> triggered tf.function retracing"}])
    assert noisy([{"output_type": "stream", "name": "stdout", "text": "I0000 00:00:1795699123.083303 port.cc:153] oneDNN"}])


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_checked_cells_hold_no_start_up_noise(notebook):
    """Outputs nbval compares (cells starting with # NBVAL_CHECK_OUTPUT) hold no stderr and no TensorFlow/absl
    log lines: those differ from run to run."""
    import nbformat

    noisy = _run_notebooks_tool().noisy
    nb = nbformat.read(notebook, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.startswith("# NBVAL_CHECK_OUTPUT"):
            assert not noisy(cell.outputs), f"{notebook.name} cell {i} stores log noise: {cell.outputs!r:.300}"
