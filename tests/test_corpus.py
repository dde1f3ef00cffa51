"""The generated bad-input corpus (tests/corpus.py) through every entry point: each run ends in the correct
result (checked against numbers computed another way) or in a clear error naming the problem; never a
traceback, never a silently wrong result."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import corpus
from corpus import ERROR, OK


@pytest.fixture(autouse=True)
def _repo_data(monkeypatch):
    monkeypatch.delenv("SRKIT_DATA", raising=False)


def _assert_as_expected(outcome, detail, expected_kind):
    assert outcome in (OK, ERROR), f"{outcome}: {detail}"
    assert outcome == expected_kind, f"expected {expected_kind}, got {outcome}: {detail}"


@pytest.mark.parametrize("case, entry", corpus.file_pairs(), ids=[f"{c.name}-{e}" for c, e in corpus.file_pairs()])
def test_generated_file(case, entry, tmp_path):
    expected = case.read if entry == "read_image" else corpus.cli_expectations(case)[entry]
    outcome, detail = corpus.run_file_entry(case, entry, tmp_path)
    _assert_as_expected(outcome, detail, expected.kind)
    if outcome == ERROR and entry != "read_image":
        assert "Traceback" not in detail and detail.startswith("srkit ")


@pytest.mark.parametrize("case, entry", corpus.array_pairs(), ids=[f"{c.name}-{e}" for c, e in corpus.array_pairs()])
def test_generated_array(case, entry):
    expected = case.expect[entry]
    outcome, detail = corpus.judge(expected, lambda: corpus.run_array(entry, case.make()))
    _assert_as_expected(outcome, detail, expected.kind)


@pytest.mark.parametrize("name, call, expected", corpus._tiled_cases(), ids=[c[0] for c in corpus._tiled_cases()])
def test_tiling_set_up(name, call, expected):
    outcome, detail = corpus.judge(expected, call)
    _assert_as_expected(outcome, detail, expected.kind)


def test_the_corpus_covers_what_it_promises():
    names = {c.name for c in corpus.FILE_CASES}
    for needed in ("zero_bytes", "truncated_png", "truncated_jpeg", "png_named_jpg", "text_named_png", "1x1",
                   "1x9_row", "9x1_column", "bomb_png_100000x100000", "grey16_png", "int32_tiff_0_255",
                   "float32_tiff", "palette", "grey_alpha", "rgba", "cmyk_jpeg", "animated_gif"):
        assert needed in names
    arrays = {c.name for c in corpus._array_cases()}
    assert {"float_0_1", "float_0_255", "float_with_nan", "float_with_inf", "bool", "int64_0_255", "empty_0x20",
            "4d_batch", "2_channels", "4_channels_rgba"} <= arrays
    counts = corpus.expected_counts()
    assert counts["runs"] == counts[OK] + counts[ERROR] == len(corpus.file_pairs()) + len(corpus.array_pairs()) + \
        len(corpus._tiled_cases())
    assert counts[OK] > 50 and counts[ERROR] > 50  # both kinds of outcome are exercised


def test_the_readme_states_the_corpus_counts():
    """The counts in the README's guarantees are the ones the case tables give (each asserted above)."""
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    counts = corpus.expected_counts()
    pattern = (r"(\d+) generated files, (\d+) arrays and (\d+) tiling set-ups, (\d+) runs: (\d+) end in the "
               r"correct result and (\d+) in a clear error").replace(" ", r"\s+")
    m = re.search(pattern, text)
    assert m, "the README's 'What the kit guarantees' section does not state the corpus counts"
    stated = tuple(int(v) for v in m.groups())
    assert stated == (len(corpus.FILE_CASES), len(corpus._array_cases()), len(corpus._tiled_cases()),
                      counts["runs"], counts[OK], counts[ERROR])
