"""Tests for srkit.data: finding the data folder, the bundled benchmarks and training sets, folders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from srkit import data
from srkit.errors import DatasetNotFoundError, SrkitError

REPO_DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def _no_srkit_data_env(monkeypatch):
    """The tests below use the repository's data/ unless they set SRKIT_DATA themselves."""
    monkeypatch.delenv("SRKIT_DATA", raising=False)


def _write(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


@pytest.fixture
def fake_data(tmp_path):
    """A tiny data folder: benchmark 'Tiny' with one 8x8 HR image and its 4x4 LR at x2."""
    rng = np.random.default_rng(0)
    hr = rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
    lr = rng.integers(0, 256, size=(4, 4, 3), dtype=np.uint8)
    root = tmp_path / "mydata"
    _write(root / "benchmark" / "Tiny" / "HR" / "a.png", hr)
    _write(root / "benchmark" / "Tiny" / "LR_bicubic" / "X2" / "a.png", lr)
    return root, hr, lr


# --------------------------------------------------------------------------------------------------
# The bundled data
# --------------------------------------------------------------------------------------------------
def test_data_dir_is_the_repository_data_folder():
    assert data.data_dir().resolve() == REPO_DATA.resolve()


def test_list_datasets():
    assert data.list_datasets() == {"train": ["BSD200", "T91"], "benchmark": ["BSD100", "Set14", "Set5"]}


def test_load_benchmark_set5_x3():
    pairs = data.load_benchmark("Set5", 3)
    assert len(pairs) == 5
    assert [p.name for p in pairs] == ["baby", "bird", "butterfly", "head", "woman"]
    for p in pairs:
        assert isinstance(p, data.Pair)
        assert p.scale == 3
        assert p.lr.dtype == np.uint8 and p.hr.dtype == np.uint8
        assert p.lr.ndim == 3 and p.lr.shape[2] == 3
        assert p.hr.shape == (3 * p.lr.shape[0], 3 * p.lr.shape[1], 3)


def test_benchmark_hr_is_top_left_crop_of_the_file():
    from srkit.io import read_image

    pair = data.load_benchmark("Set5", 4, limit=1)[0]
    full = read_image(REPO_DATA / "benchmark" / "Set5" / "HR" / f"{pair.name}.png")
    h, w = pair.hr.shape[:2]
    assert h % 4 == 0 and w % 4 == 0
    assert full.shape[0] - h < 4 and full.shape[1] - w < 4
    np.testing.assert_array_equal(pair.hr, full[:h, :w])


def test_set14_bridge_is_single_channel():
    pairs = {p.name: p for p in data.load_benchmark("Set14", 2)}
    assert len(pairs) == 14
    bridge = pairs["bridge"]
    assert bridge.hr.shape[2] == 1 and bridge.lr.shape[2] == 1
    assert bridge.hr.shape == (2 * bridge.lr.shape[0], 2 * bridge.lr.shape[1], 1)
    assert pairs["baboon"].hr.shape[2] == 3


def test_benchmark_name_is_case_insensitive():
    lower = data.load_benchmark("set5", 2, limit=2)
    exact = data.load_benchmark("Set5", 2, limit=2)
    assert [p.name for p in lower] == [p.name for p in exact] == ["baby", "bird"]
    np.testing.assert_array_equal(lower[1].lr, exact[1].lr)


def test_unknown_benchmark_lists_available_ones():
    with pytest.raises(DatasetNotFoundError, match="Set6") as info:
        data.load_benchmark("Set6", 2)
    message = str(info.value)
    for name in ("Set5", "Set14", "BSD100"):
        assert name in message
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, SrkitError)


@pytest.mark.parametrize("scale", [1, 5, 6, 16])
def test_unsupported_scale_is_a_value_error(scale):
    with pytest.raises(ValueError, match="scales"):
        data.load_benchmark("Set5", scale)


def test_limit_caps_the_images():
    assert len(data.load_benchmark("Set14", 4, limit=3)) == 3


# --------------------------------------------------------------------------------------------------
# SRKIT_DATA
# --------------------------------------------------------------------------------------------------
def test_srkit_data_env_is_honoured(monkeypatch, fake_data):
    root, hr, lr = fake_data
    monkeypatch.setenv("SRKIT_DATA", str(root))
    assert data.data_dir() == root
    assert data.list_datasets() == {"train": [], "benchmark": ["Tiny"]}
    pairs = data.load_benchmark("Tiny", 2)
    assert len(pairs) == 1
    assert pairs[0].name == "a"
    np.testing.assert_array_equal(pairs[0].hr, hr)
    np.testing.assert_array_equal(pairs[0].lr, lr)
    # The bundled sets are not visible through a different data folder.
    with pytest.raises(DatasetNotFoundError, match="Tiny"):
        data.load_benchmark("Set5", 2)


def test_srkit_data_missing_scale_folder(monkeypatch, fake_data):
    root, _, _ = fake_data
    monkeypatch.setenv("SRKIT_DATA", str(root))
    with pytest.raises(DatasetNotFoundError, match="X3"):
        data.load_benchmark("Tiny", 3)


def test_srkit_data_lr_of_wrong_size_is_reported(monkeypatch, fake_data):
    root, _, _ = fake_data
    _write(root / "benchmark" / "Tiny" / "LR_bicubic" / "X2" / "a.png", np.zeros((3, 4, 3), np.uint8))
    monkeypatch.setenv("SRKIT_DATA", str(root))
    with pytest.raises(DatasetNotFoundError, match="does not match"):
        data.load_benchmark("Tiny", 2)


def test_srkit_data_missing_lr_file_is_reported(monkeypatch, fake_data):
    root, hr, _ = fake_data
    _write(root / "benchmark" / "Tiny" / "HR" / "b.png", hr)
    monkeypatch.setenv("SRKIT_DATA", str(root))
    with pytest.raises(DatasetNotFoundError, match="b.png"):
        data.load_benchmark("Tiny", 2)


def test_bad_srkit_data_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("SRKIT_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(DatasetNotFoundError, match="SRKIT_DATA"):
        data.data_dir()
    with pytest.raises(DatasetNotFoundError, match="SRKIT_DATA"):
        data.load_benchmark("Set5", 2)


# --------------------------------------------------------------------------------------------------
# Folders of images and training sets
# --------------------------------------------------------------------------------------------------
def test_load_folder_sorted_and_ignores_non_images(tmp_path):
    a = np.full((5, 6, 3), 10, dtype=np.uint8)
    b = np.full((7, 4), 200, dtype=np.uint8)
    _write(tmp_path / "b_second.png", b)
    _write(tmp_path / "a_first.bmp", a)
    (tmp_path / "readme.txt").write_text("not an image")
    (tmp_path / "sub.png").mkdir()  # a folder with an image-like name is not an image
    items = data.load_folder(tmp_path)
    assert [name for name, _ in items] == ["a_first", "b_second"]
    np.testing.assert_array_equal(items[0][1], a)
    assert items[1][1].shape == (7, 4, 1)
    assert [p.name for p in data.list_images(tmp_path)] == ["a_first.bmp", "b_second.png"]
    assert [name for name, _ in data.load_folder(tmp_path, limit=1)] == ["a_first"]


def test_load_folder_accepts_upper_case_extensions(tmp_path):
    _write(tmp_path / "PHOTO.PNG", np.zeros((3, 3, 3), np.uint8))
    assert [name for name, _ in data.load_folder(tmp_path)] == ["PHOTO"]


def test_empty_folder_is_an_error(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(DatasetNotFoundError, match="no images"):
        data.load_folder(tmp_path)


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="not a folder"):
        data.load_folder(tmp_path / "missing")


def test_load_training_images_with_limit():
    items = data.load_training_images(["T91"], limit=3)
    assert len(items) == 3
    assert [name for name, _ in items] == ["T91/t1", "T91/t10", "T91/t11"]
    for _, im in items:
        assert im.dtype == np.uint8 and im.ndim == 3 and im.shape[2] in (1, 3)
    # A single name works as well as a list of names, and names are case-insensitive.
    assert [n for n, _ in data.load_training_images("t91", limit=1)] == ["T91/t1"]


def test_load_training_images_several_sets_and_folders(tmp_path):
    _write(tmp_path / "mine" / "x.png", np.zeros((4, 4, 3), np.uint8))
    items = data.load_training_images(["T91", "BSD200", str(tmp_path / "mine")], limit=2)
    names = [n for n, _ in items]
    assert len(items) == 5
    assert names[:2] == ["T91/t1", "T91/t10"]
    assert all(n.startswith("BSD200/") for n in names[2:4])
    assert names[4] == "mine/x"


def test_unknown_training_set():
    with pytest.raises(DatasetNotFoundError, match="T91"):
        data.load_training_images(["T92"])


# --- validation apart from testing -------------------------------------------------------------------------

def test_validation_images_are_held_out_of_training():
    names = {n for n, _ in data.load_training_images()}
    held = {f"{ds}/{n}" for ds, ns in data.VALIDATION_IMAGES.items() for n in ns}
    assert len(held) == 8 and not names & held
    assert len(names) == 291 - 8
    everything = {n for n, _ in data.load_training_images(hold_out=False)}
    assert held <= everything and len(everything) == 291


def test_limit_counts_only_images_that_are_trained_on():
    first = data.load_training_images(["T91"], limit=20)
    assert len(first) == 20 and "T91/t23" not in {n for n, _ in first}


def test_validation_pairs_are_made_like_the_benchmarks():
    from srkit.degrade import bicubic_downsample, modcrop
    from srkit.io import read_image

    for scale in (2, 3, 4):
        pairs = data.load_validation(scale)
        assert [p.name for p in pairs] == [f"{ds}/{n}" for ds, ns in data.VALIDATION_IMAGES.items() for n in ns]
        for p in pairs:
            assert p.hr.shape[0] == scale * p.lr.shape[0] and p.hr.shape[1] == scale * p.lr.shape[1]
            assert p.lr.dtype == np.uint8
    p = data.load_validation(3)[0]
    hr = modcrop(read_image(data.data_dir() / "train" / "T91" / "t23.png"), 3)
    np.testing.assert_array_equal(p.hr, hr)
    np.testing.assert_array_equal(p.lr, bicubic_downsample(hr, 3))
    assert len(data.load_validation(2, limit=2)) == 2


def test_val_is_an_evaluation_set_everywhere():
    assert data.check_dataset("VAL") == "val" and data.check_dataset("set5") == "Set5"
    assert [p.name for p in data.load_pairs("val", 4, limit=1)] == ["T91/t23"]
    assert data.load_benchmark("val", 4, limit=1)[0].name == "T91/t23"
    with pytest.raises(DatasetNotFoundError, match="Available"):
        data.check_dataset("Set6")


def test_validation_scores_bicubic_below_benchmark_free_of_training():
    from srkit.evaluate import evaluate

    table = evaluate("bicubic", ["val"], [3])
    assert table.dataset.tolist() == ["val"]
    assert 24 < table.psnr.iloc[0] < 34  # natural photos at x3: the bicubic range of Set14/BSD100
