"""Tiled prediction equals untiled prediction, and the upscale command works on any image."""

import numpy as np
import pytest

from srkit import zoo
from srkit.cli import main
from srkit.data import load_benchmark
from srkit.errors import ShapeError
from srkit.infer import KerasUpscaler
from srkit.io import read_image, save_image


@pytest.fixture(scope="module")
def lr_rgb():
    return load_benchmark("Set14", 2)[0].lr[:70, :90]  # a 70x90 colour crop


@pytest.mark.parametrize("name,scale", [("edsr", 2), ("fsrcnn", 3), ("srcnn", 4), ("espcn", 3)])
def test_tiled_equals_untiled(name, scale, lr_rgb):
    model = zoo.load(name, scale)
    whole = KerasUpscaler(model, output="float")(lr_rgb, scale)
    tiled = KerasUpscaler(model, output="float", tile=24, overlap=40)(lr_rgb, scale)
    assert whole.shape == tiled.shape == (70 * scale, 90 * scale, 3)
    assert np.abs(whole - tiled).max() < 1e-4


def test_tiled_grey_image(lr_rgb):
    grey = lr_rgb[..., :1]
    up = KerasUpscaler(zoo.load("espcn", 2), output="float", tile=20)
    out = up(grey, 2)
    assert out.shape == (140, 180, 1)
    assert np.abs(out - KerasUpscaler(zoo.load("espcn", 2), output="float")(grey, 2)).max() < 1e-4


def test_fixed_size_model_is_tiled_and_refuses_small_images():
    from srkit.models import naive_cnn

    up = KerasUpscaler(naive_cnn(2, patch_size=16))
    assert up(np.zeros((40, 33, 3), np.uint8), 2).shape == (80, 66, 3)
    with pytest.raises(ShapeError, match="at least 16x16"):
        up(np.zeros((10, 40, 3), np.uint8), 2)


def test_upscale_command(tmp_path, lr_rgb, capsys):
    src = save_image(tmp_path / "in.png", lr_rgb)
    assert main(["upscale", str(src), str(tmp_path / "out.png"), "--model", "espcn", "--scale", "2", "--tile", "32"]) == 0
    out = read_image(tmp_path / "out.png")
    assert out.shape == (140, 180, 3)
    grey = save_image(tmp_path / "grey.png", lr_rgb[..., 0])
    assert main(["upscale", str(grey), str(tmp_path / "grey_x3.png"), "--model", "fsrcnn", "--scale", "3"]) == 0
    assert read_image(tmp_path / "grey_x3.png").shape == (210, 270, 1)
    assert main(["upscale", str(src), str(tmp_path / "b.png"), "--model", "bicubic", "--scale", "4"]) == 0
    assert main(["upscale", str(src), str(tmp_path / "x.png"), "--model", "espcn", "--scale", "5"]) == 2
    assert "not x5" in capsys.readouterr().err
