"""The teacher's release path: the student copy of the course holds no solution text and no outputs, its
nbgrader cell metadata is valid, its checks work, solution() says solutions are not part of it, and its
notebooks run (nbval, smoke mode)."""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from srkit.exercises import EXERCISES, SOLUTIONS_ENV, solution

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
SOLUTIONS = NB_DIR / "solutions"

# nbgrader's cell metadata schema, version 3 (nbgrader/nbgraderformat/v3.json), written out here so that the
# test needs no nbgrader installation
NBGRADER_V3 = {
    "type": "object",
    "properties": {
        "schema_version": {"type": "integer", "minimum": 3, "maximum": 3},
        "grade": {"type": "boolean"},
        "locked": {"type": "boolean"},
        "solution": {"type": "boolean"},
        "task": {"type": "boolean"},
        "grade_id": {"type": "string", "pattern": "^[a-zA-Z0-9_\\-]*$"},
        "points": {"type": "number", "minimum": 0},
        "checksum": {"type": "string", "minLength": 32, "maxLength": 32},
        "cell_type": {"type": "string", "enum": ["raw", "code", "markdown"]},
    },
    "required": ["schema_version", "grade", "locked", "solution"],
    "additionalProperties": False,
}


def _tool():
    spec = importlib.util.spec_from_file_location("release_course", ROOT / "tools" / "release_course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    out = tmp_path_factory.mktemp("course") / "student"
    _tool().release(out, check_pairs=False)  # the pairs' agreement is tested in test_course.py
    return out


def _code_lines(text: str) -> list[str]:
    """The lines of a worked solution that give it away (code, not imports, comments or def lines)."""
    keep = []
    for line in text.splitlines():
        line = line.split("  #")[0].strip()
        if len(line) >= 12 and not line.startswith(("#", "import ", "from ", "def ")):
            keep.append(line)
    return keep


def test_the_copy_holds_the_notebooks_and_what_they_read(copy):
    names = sorted(p.name for p in (copy / "notebooks").iterdir())
    assert names == sorted(p.name for p in NB_DIR.glob("[0-9][0-9]_*.ipynb"))
    assert (copy / "bench" / "rnn_results.json").read_bytes() == (ROOT / "bench" / "rnn_results.json").read_bytes()
    assert not list(copy.rglob("*.py")), "no .py twins and no solution files in the copy"


def _shown_outside_answer_cells() -> str:
    """What the course itself shows every student: its notebooks' cells other than answer cells."""
    import nbformat

    return "\n".join(c.source for p in sorted(NB_DIR.glob("[0-9][0-9]_*.ipynb"))
                     for c in nbformat.read(p, as_version=4).cells
                     if not c.get("metadata", {}).get("nbgrader", {}).get("solution"))


def test_the_copy_holds_no_solution_text(copy):
    text = "\n".join(p.read_text() for p in copy.rglob("*") if p.is_file())
    shown = _shown_outside_answer_cells()
    checked = 0
    for path in sorted(SOLUTIONS.glob("*.py")):
        for line in _code_lines(path.read_text()):
            if line in shown:  # e.g. the lab's own demonstration builds a LabState too: no giveaway
                continue
            assert line not in text, f"the student copy holds the solution of {path.stem}: {line!r}"
            checked += 1
    assert checked >= 2 * len(EXERCISES)


def test_the_copy_has_no_outputs_and_no_test_markers(copy):
    for path in sorted((copy / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name
                assert "NBVAL_CHECK_OUTPUT" not in cell.source, path.name
        assert "widgets" not in nb.metadata


def _nbgrader_cells(nb):
    return [c for c in nb.cells if "nbgrader" in c.metadata]


def _validate_nbgrader(nb, name):
    import jsonschema

    ids = set()
    for cell in _nbgrader_cells(nb):
        meta = cell.metadata["nbgrader"]
        jsonschema.validate(meta, NBGRADER_V3)
        if meta["grade"] or meta["solution"] or meta["locked"]:
            assert meta.get("grade_id"), f"{name}: an nbgrader cell without grade_id: {cell.source[:60]!r}"
            assert meta["grade_id"] not in ids, f"{name}: duplicate grade_id {meta['grade_id']}"
            ids.add(meta["grade_id"])
        if meta["grade"]:
            assert "points" in meta, f"{name}: grade cell {meta['grade_id']} has no points"
        if cell.cell_type == "markdown":
            assert meta["grade"] == meta["solution"], f"{name}: a markdown cell must be both grade and solution"


@pytest.mark.parametrize("where", ["course", "copy"])
def test_nbgrader_metadata_is_valid_and_marks_every_exercise(where, copy):
    folder = NB_DIR if where == "course" else copy / "notebooks"
    graded = {}
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        _validate_nbgrader(nb, path.name)
        cells = nb.cells
        for i, cell in enumerate(cells):
            meta = cell.metadata.get("nbgrader", {})
            if not meta.get("grade"):
                continue
            keys = re.findall(r"""\bcheck\(\s*["'](\d\d\.\d+)["']""", cell.source)
            assert len(keys) == 1, f"{path.name}: grade cell {meta['grade_id']} checks {keys}"
            key = keys[0]
            assert meta["grade_id"] == "ex" + key.replace(".", "_") and meta["locked"] and not meta["solution"]
            assert meta["points"] == EXERCISES[key].points, f"{key}: {meta['points']} points"
            answer = cells[i - 1].metadata.get("nbgrader", {})
            assert answer.get("solution") and not answer.get("grade") and not answer.get("locked"), \
                f"{key}: the cell before its check must be the answer cell (nbgrader solution: true)"
            assert answer["grade_id"] == meta["grade_id"] + "_answer"
            graded[key] = path.name
    missing = sorted(set(EXERCISES) - set(graded))
    assert not missing, (f"exercises without an nbgrader grade cell: {missing}. Give each exercise an answer cell "
                         "(# %% nbgrader={... \"grade_id\": \"exNN_k_answer\", \"solution\": true ...}) followed by its check "
                         "cell (\"grade_id\": \"exNN_k\", \"grade\": true, \"locked\": true, \"points\": ...), as the "
                         "chapters 00-05 do (README: For teachers).")


def test_the_validator_catches_bad_metadata():
    good = {"grade": True, "grade_id": "ex01_1", "locked": True, "points": 1, "schema_version": 3, "solution": False}
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("check('01.1', 1)", metadata={"nbgrader": good})])
    _validate_nbgrader(nb, "ok")
    for bad in ({**good, "grade_id": "ex01.1"}, {**good, "points": "1"}, {**good, "schema_version": 2},
                {k: v for k, v in good.items() if k != "points"}, {**good, "extra": 1},
                {k: v for k, v in good.items() if k != "locked"}):
        nb.cells[0].metadata["nbgrader"] = bad
        with pytest.raises(Exception):
            _validate_nbgrader(nb, "bad")
    nb.cells[0].metadata["nbgrader"] = good
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {**good, "grade": False}}))
    with pytest.raises(AssertionError, match="duplicate grade_id"):
        _validate_nbgrader(nb, "twice")


def test_solution_regions_are_stripped_from_answer_cells():
    tool = _tool()
    answer = ("def f(x):\n    \"\"\"Doc.\"\"\"\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n\n"
              "### BEGIN SOLUTION\nanswer_1 = 42\n### END SOLUTION")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(answer, metadata={"nbgrader": {"solution": True}}),
        nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)", outputs=[nbformat.v4.new_output("stream", text="1\n")],
                                  execution_count=3),
    ])
    out = tool.student_notebook(nb)
    assert out.cells[0].source == "def f(x):\n    \"\"\"Doc.\"\"\"\n    raise NotImplementedError\n\nraise NotImplementedError"
    assert out.cells[1].source == "print(1)" and out.cells[1].outputs == [] and out.cells[1].execution_count is None
    nb.cells[0].source = "### BEGIN SOLUTION\nx = 1"
    with pytest.raises(tool.ReleaseError, match="without"):
        tool.student_notebook(nb)


def test_bad_output_folders_are_refused(tmp_path):
    tool = _tool()
    for folder in (NB_DIR / "student", ROOT, ROOT.parent):
        with pytest.raises(tool.ReleaseError, match="course itself"):
            tool.release(folder, check_pairs=False)
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(tool.ReleaseError, match="not empty"):
        tool.release(tmp_path, check_pairs=False)
    assert (tmp_path / "mine.txt").read_text() == "keep me"
    with pytest.raises(tool.ReleaseError, match="no notebook"):
        tool.release(tmp_path / "new", ["99"], check_pairs=False)


def test_an_earlier_copy_is_replaced(tmp_path):
    tool = _tool()
    tool.release(tmp_path / "c", ["00"], check_pairs=False)
    tool.release(tmp_path / "c", ["01"], check_pairs=False)
    assert sorted(p.name for p in (tmp_path / "c" / "notebooks").iterdir()) == ["01_degradation_and_metrics.ipynb"]


def test_pairs_that_differ_stop_the_release(tmp_path):
    tool = _tool()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 00 · Title")])
    nbformat.write(nb, tmp_path / "00_x.ipynb")
    (tmp_path / "00_x.py").write_text("# %% [markdown]\n# # 00 · Another title\n")
    with pytest.raises(tool.ReleaseError, match="run_notebooks.py --sync-only"):
        tool._check_pairs([tmp_path / "00_x"])


def test_in_the_copy_solution_says_to_ask_the_teacher(copy, monkeypatch, capsys):
    monkeypatch.delenv(SOLUTIONS_ENV, raising=False)
    for folder in (copy, copy / "notebooks"):
        monkeypatch.chdir(folder)
        solution("01.2")
        out = capsys.readouterr().out
        assert "not part of this copy" in out and "teacher" in out
        assert (SOLUTIONS / "01.2.py").read_text().strip() not in out


def test_the_command_line(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "release_course.py"), str(tmp_path / "c"), "--only", "00",
                           "--no-pair-check"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "1 notebooks" in done.stdout, done.stderr
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "release_course.py"), str(NB_DIR / "x")],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "choose another folder" in done.stderr


@pytest.mark.slow
def test_student_copy_notebooks_run_and_check(tmp_path):
    """Two notebooks of the copy run top to bottom under nbval in smoke mode, from the copy's folder; run
    again with nbclient, every check cell says its exercise is not answered yet."""
    from nbclient import NotebookClient

    out = tmp_path / "student"
    _tool().release(out, ["00", "01"], check_pairs=False)
    env = {**os.environ, "SRKIT_SMOKE": "1", "MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop(SOLUTIONS_ENV, None)
    notebooks = sorted(str(p) for p in (out / "notebooks").glob("*.ipynb"))
    done = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-q",
                           "-p", "no:cacheprovider", "--nbval-cell-timeout=600", *notebooks],
                          cwd=out, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    monkey = {k: os.environ.get(k) for k in ("SRKIT_SMOKE", SOLUTIONS_ENV)}
    os.environ["SRKIT_SMOKE"] = "1"
    os.environ.pop(SOLUTIONS_ENV, None)
    try:
        path = out / "notebooks" / "01_degradation_and_metrics.ipynb"
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        for k, v in monkey.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    texts = {c.metadata["nbgrader"]["grade_id"]: "".join(o.get("text", "") for o in c.outputs)
             for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
    assert sorted(texts) == [f"ex01_{k}" for k in range(1, 6)]
    for grade_id, text in texts.items():
        assert "not answered yet" in text, (grade_id, text)
