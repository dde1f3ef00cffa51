"""Scale 8 wherever a user meets scales: evaluation, the command line, the builders, the zoo, tiny images."""

import numpy as np
import pytest
from PIL import Image

from srkit.cli import build_parser, main
from srkit.degrade import bicubic_downsample, modcrop
from srkit.errors import ShapeError


@pytest.fixture(autouse=True)
def _repo_data(monkeypatch):
    monkeypatch.delenv("SRKIT_DATA", raising=False)


def test_bicubic_x8_scores_the_numbers_in_data_readme():
    from srkit.evaluate import evaluate

    table = evaluate("bicubic", ["Set5", "Set14", "BSD100"], [8])
    psnr = {row.dataset: row.psnr for row in table.itertuples()}
    assert set(table.scale) == {8}
    for ds, ref in (("Set5", 24.40), ("Set14", 23.09), ("BSD100", 23.67)):
        assert psnr[ds] == pytest.approx(ref, abs=0.005), ds


def test_an_image_smaller_than_the_scale_is_refused_clearly(tmp_path, capsys):
    tiny = np.full((5, 5), 0.5, np.float32)
    with pytest.raises(ShapeError, match=r"5x5 is smaller than the scale factor 8.*less than one pixel|"
                                         r"5x5 is smaller than the scale factor 8.*smaller than one pixel"):
        bicubic_downsample(tiny, 8)
    with pytest.raises(ShapeError, match="scale factor 8"):
        modcrop(np.zeros((5, 9, 3), np.uint8), 8)
    assert bicubic_downsample(np.full((8, 16), 0.5, np.float32), 8).shape == (1, 2)
    src = tmp_path / "tiny.png"
    Image.fromarray(np.full((5, 5, 3), 128, np.uint8)).save(src)
    assert main(["degrade", str(src), str(tmp_path / "lr.png"), "--scale", "8"]) != 0
    assert "smaller than one pixel" in capsys.readouterr().err
    assert not (tmp_path / "lr.png").exists()


def test_upscale_at_x8_on_the_command_line(tmp_path, capsys):
    src = tmp_path / "small.png"
    Image.fromarray((np.random.default_rng(0).random((5, 6, 3)) * 255).astype(np.uint8)).save(src)
    assert main(["upscale", str(src), str(tmp_path / "sr.png"), "--model", "bicubic", "--scale", "8"]) == 0
    assert Image.open(tmp_path / "sr.png").size == (48, 40)
    capsys.readouterr()
    assert main(["upscale", str(src), str(tmp_path / "edsr.png"), "--model", "edsr", "--scale", "8"]) == 0
    assert Image.open(tmp_path / "edsr.png").size == (48, 40)  # the zoo ships edsr x8
    capsys.readouterr()
    assert main(["upscale", str(src), str(tmp_path / "espcn.png"), "--model", "espcn", "--scale", "8"]) != 0
    err = capsys.readouterr().err
    assert "no x8 weights for 'espcn'" in err and "srkit train espcn --scale 8" in err
    assert not (tmp_path / "espcn.png").exists()


def test_zoo_upscaler_says_it_has_no_x8_weights():
    from srkit import zoo

    if any(s == 8 for n, s in zoo.available() if n == "espcn"):
        pytest.skip("the zoo ships espcn x8")
    up = zoo.upscaler("espcn")
    with pytest.raises(zoo.ZooError, match=r"no x8 weights for 'espcn' \(only scales \[2, 3, 4\]\)"):
        up(np.zeros((6, 6, 3), np.uint8), 8)
    with pytest.raises(zoo.ZooError, match="not x5"):  # other missing scales keep the short message
        zoo.card("espcn", 5)


def test_command_line_help_offers_scale_8():
    subs = build_parser()._subparsers._group_actions[0].choices
    for name in ("evaluate", "degrade", "upscale", "train", "train-gan"):
        text = subs[name].format_help()
        option = text[text.index("\n  --scale"):]
        option = option[:option.index("\n  -", 3)]  # the option's help, up to the next option
        assert "8" in option, (name, option)
    ns = build_parser().parse_args(["evaluate", "bicubic"])
    assert ns.scale == [2, 3, 4]  # the default stays 2 3 4 (x8 on request)


@pytest.mark.parametrize("name", ["espcn", "fsrcnn", "srcnn", "edsr", "rep_espcn"])
def test_builders_at_x8(name):
    from srkit import models
    from srkit.infer import KerasUpscaler

    m = models.build(name, 8, **({"blocks": 1, "filters": 8} if name == "edsr" else {}))
    sr = KerasUpscaler(m, tile=None)(np.random.default_rng(0).random((6, 7)).astype(np.float32), 8)
    assert sr.shape[:2] == (48, 56)


def test_train_at_x8_from_the_command_line(tmp_path, capsys):
    rc = main(["train", "espcn", "--scale", "8", "--steps", "2", "--eval-every", "2", "--limit", "2",
               "--val-limit", "1", "--batch-size", "2", "--patch-size", "4", "--out", str(tmp_path / "run"),
               "--test"])
    out = capsys.readouterr().out
    assert rc == 0 and "espcn x8: 2 steps" in out
    from srkit import models

    model = models.load_model(tmp_path / "run" / "model.keras")
    assert np.asarray(model(np.zeros((1, 3, 4, 1), np.float32))).shape == (1, 24, 32, 1)


def test_multi_frame_models_work_at_x8():
    from srkit import models
    from srkit.burst import make_burst, upscale_burst

    img = (np.random.default_rng(0).random((96, 96)) * 255).astype(np.uint8)
    burst = make_burst(img, 8, frames=3)
    h, w = burst.frames.shape[1:3]
    sr = upscale_burst(models.build("multiframe_rnn", 8, frames=3), burst.frames, 8)
    assert sr.shape[:2] == (8 * h, 8 * w)
