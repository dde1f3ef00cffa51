"""Knowledge distillation (srkit.train.distill): the targets are the promised blend of teacher output and HR,
the LR the student sees is unchanged, training runs end to end with a teacher, bad set-ups are refused."""

import json

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from srkit.color import rgb_to_y  # noqa: E402
from srkit.configs import TrainConfig  # noqa: E402
from srkit.errors import InvalidValueError, ShapeError, SrkitError  # noqa: E402
from srkit.pipeline import PatchSampler  # noqa: E402
from srkit.train import train  # noqa: E402
from srkit.train.distill import attach_teacher, load_teacher, teacher_output  # noqa: E402


def images(n=3, size=(40, 44), seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (*size, 3), dtype=np.uint8) for _ in range(n)]


def nearest_teacher(scale=2, channels=1):
    """A teacher whose output is known exactly: nearest-neighbour upscaling."""
    inp = keras.Input((None, None, channels))
    return keras.Model(inp, keras.layers.UpSampling2D(scale, interpolation="nearest")(inp))


def luma(img):
    return rgb_to_y(np.asarray(img, np.float32))[..., None]


@pytest.mark.parametrize("weight", [1.0, 0.5, 0.2])
def test_targets_are_the_blend_of_teacher_and_hr(weight):
    sampler = PatchSampler(images(), 2, 8, augment="none")
    hr = [luma(h) for h in sampler.hr]
    lr = [luma(x) for x in sampler.lr]
    info = attach_teacher(sampler, nearest_teacher(), weight)
    assert info["images"] == 3
    for h, x, target, new_lr in zip(hr, lr, sampler.hr, sampler.lr):
        teacher = np.repeat(np.repeat(x, 2, axis=0), 2, axis=1)
        np.testing.assert_allclose(target, weight * teacher + (1 - weight) * h, atol=1e-3)
        np.testing.assert_array_equal(new_lr, x)


def test_the_student_sees_the_same_lr_batches_and_new_targets():
    sampler = PatchSampler(images(), 2, 8)
    lr0, hr0 = sampler.batch_at(3, 7, 4)
    attach_teacher(sampler, nearest_teacher(), 1.0)
    lr1, hr1 = sampler.batch_at(3, 7, 4)
    np.testing.assert_allclose(lr1, lr0, atol=1e-6)  # the same patches, flips and LR values
    assert hr1.shape == hr0.shape and hr1.dtype == np.float32
    assert 0.0 <= hr1.min() and hr1.max() <= 1.0
    assert np.abs(hr1 - hr0).mean() > 1e-3  # nearest-neighbour targets differ from the HR
    # a nearest-neighbour teacher's target is constant on each 2x2 block
    np.testing.assert_allclose(hr1[:, 0::2, 0::2], hr1[:, 1::2, 1::2], atol=1e-6)


def test_teacher_psnr_is_measured():
    sampler = PatchSampler(images(), 2, 8)
    info = attach_teacher(sampler, nearest_teacher(), 0.5)
    hr = [luma(h) for h in PatchSampler(images(), 2, 8).hr]
    lr = [luma(x) for x in PatchSampler(images(), 2, 8).lr]
    expect = np.mean([10 * np.log10(255.0 ** 2 / np.mean((np.repeat(np.repeat(x, 2, 0), 2, 1) - h) ** 2))
                      for x, h in zip(lr, hr)])
    assert info["teacher_psnr_vs_hr"] == pytest.approx(expect, abs=0.01)


def test_teacher_output_is_tiled_like_the_whole_image():
    teacher = nearest_teacher()
    x = np.random.default_rng(1).random((30, 20, 1), dtype=np.float32)
    out = teacher_output(teacher, x, 2)
    np.testing.assert_allclose(out, np.repeat(np.repeat(x, 2, 0), 2, 1), atol=1e-6)


@pytest.mark.parametrize("weight", [0, -0.5, 1.5, True, "0.5", float("nan")])
def test_bad_weights_are_refused(weight):
    with pytest.raises(InvalidValueError, match="teacher_weight must be a number in"):
        attach_teacher(PatchSampler(images(1), 2, 8), nearest_teacher(), weight)


def test_set_ups_that_cannot_be_distilled_are_refused():
    with pytest.raises(SrkitError, match="luma"):
        attach_teacher(PatchSampler(images(1), 2, 8, channels="rgb"), nearest_teacher(), 0.5)
    with pytest.raises(SrkitError, match="pre-upsampling"):
        attach_teacher(PatchSampler(images(1), 2, 8, pre_upsample=True), nearest_teacher(), 0.5)
    with pytest.raises(SrkitError, match="random degradation"):
        attach_teacher(PatchSampler(images(1, (64, 64)), 2, 8, degradation="realistic"), nearest_teacher(), 0.5)
    with pytest.raises(ShapeError, match="3 channels"):
        attach_teacher(PatchSampler(images(1), 2, 8), nearest_teacher(channels=3), 0.5)
    with pytest.raises(ShapeError, match="scale 2"):  # an x3 teacher for an x2 student
        attach_teacher(PatchSampler(images(1), 2, 8), nearest_teacher(scale=3), 0.5)
    sampler = PatchSampler(images(1), 2, 8)
    attach_teacher(sampler, nearest_teacher(), 0.5)
    with pytest.raises(SrkitError, match="already come from a teacher"):
        attach_teacher(sampler, nearest_teacher(), 0.5)


def test_teachers_are_named_clearly():
    with pytest.raises(InvalidValueError, match="No pretrained 'nosuch' model at x2"):
        load_teacher("nosuch", 2)
    with pytest.raises(InvalidValueError, match="is not a file"):
        load_teacher("/nowhere/teacher.keras", 2)
    with pytest.raises(InvalidValueError, match="teacher must be"):
        load_teacher(3, 2)
    assert load_teacher("edsr", 2).output_shape[-1] == 1


def tiny(**kw):
    base = dict(model="espcn", scale=2, steps=6, eval_every=3, val_limit=1, limit=2, batch_size=4, patch_size=10)
    base.update(kw)
    return TrainConfig(**base)


def test_config_checks_the_teacher():
    with pytest.raises(InvalidValueError, match="teacher_weight"):
        tiny(teacher="edsr", teacher_weight=0)
    with pytest.raises(InvalidValueError, match="distillation is for luma"):
        tiny(teacher="edsr", channels="rgb")
    with pytest.raises(InvalidValueError, match="distillation is for luma"):
        tiny(teacher="edsr", degradation="realistic")
    with pytest.raises(InvalidValueError, match="distillation is for luma"):
        TrainConfig(model="srcnn", scale=2, teacher="edsr")
    with pytest.raises(InvalidValueError, match="is not a file"):
        tiny(teacher="missing.keras")
    stored = tiny().to_json()
    assert "teacher" not in stored and "teacher_weight" not in stored  # old run folders still resume
    assert tiny(teacher="edsr", teacher_weight=0.7).to_json()["teacher_weight"] == 0.7


def test_training_with_a_teacher_runs_and_is_recorded(tmp_path):
    teacher = tmp_path / "teacher.keras"
    nearest_teacher().save(teacher)
    result = train(tiny(teacher=str(teacher), teacher_weight=1.0), tmp_path / "run", verbose=0)
    assert len(result.history) == 2 and np.isfinite(result.history[-1]["val_psnr"])
    stored = json.loads((tmp_path / "run" / "config.json").read_text())
    assert stored["teacher"] == str(teacher) and stored["teacher_weight"] == 1.0


def test_the_command_line_takes_the_teacher(tmp_path):
    from srkit.cli import main

    teacher = tmp_path / "teacher.keras"
    nearest_teacher().save(teacher)
    out = tmp_path / "run"
    main(["train", "espcn", "--scale", "2", "--steps", "3", "--eval-every", "3", "--limit", "2", "--val-limit", "1",
          "--batch-size", "4", "--patch-size", "10", "--teacher", str(teacher), "--teacher-weight", "0.25",
          "--out", str(out), "--test", "--quiet"])
    stored = json.loads((out / "config.json").read_text())
    assert stored["teacher"] == str(teacher) and stored["teacher_weight"] == 0.25
