"""Multi-frame building blocks: synthetic bursts, shift-and-add, the convolutional recurrent layer."""

import numpy as np
import pytest

from srkit.burst import Burst, load_frames, make_burst, shift_and_add
from srkit.data import load_benchmark
from srkit.errors import ShapeError
from srkit.io import save_image
from srkit.metrics import psnr


@pytest.fixture(scope="module")
def hr():
    return load_benchmark("Set14", 4)[2].hr  # 'comic'-sized colour image


def test_burst_shapes_shifts_and_reproducibility(hr):
    b = make_burst(hr, scale=4, frames=5, seed=3)
    assert b.frames.shape[0] == 5 and b.frames.dtype == np.uint8
    assert b.hr.shape == (4 * b.frames.shape[1], 4 * b.frames.shape[2], hr.shape[2])
    assert np.all(b.shifts[0] == 0) and np.all(np.abs(b.shifts) < 1)
    assert np.all((b.shifts * 4) == np.round(b.shifts * 4))  # multiples of 1/scale LR pixel
    np.testing.assert_array_equal(make_burst(hr, 4, 5, seed=3).frames, b.frames)
    assert not np.array_equal(make_burst(hr, 4, 5, seed=4).frames, b.frames)


def test_frames_are_area_averages_of_the_shifted_scene(hr):
    b = make_burst(hr, scale=2, frames=3, seed=1)
    for frame, (dy, dx) in zip(b.frames, np.round(b.shifts * 2).astype(int)):
        # the interior of each frame is the 2x2 block mean of the target shifted by (dy, dx)
        y0, x0 = 2 + dy, 2 + dx
        block = b.hr[y0:y0 + 2, x0:x0 + 2].astype(float).mean(axis=(0, 1))
        np.testing.assert_allclose(frame[1, 1], np.floor(block + 0.5), atol=0)


def test_noise_and_bad_input(hr):
    clean = make_burst(hr, 4, 2, seed=0)
    noisy = make_burst(hr, 4, 2, noise_sigma=10, seed=0)
    assert 5 < np.abs(noisy.frames.astype(int) - clean.frames).mean() < 15
    with pytest.raises(ShapeError, match="too small"):
        make_burst(hr[:20, :20], 4, 3)
    with pytest.raises(ValueError, match="at least one frame"):
        make_burst(hr, 4, 0)


def test_shift_and_add_uses_the_extra_frames(hr):
    from srkit.degrade import upscale

    one = make_burst(hr, 4, 1, seed=1)
    np.testing.assert_allclose(shift_and_add(one), np.clip(upscale(one.frames[0] / 255.0, 4), 0, 1), atol=1e-12)  # = bicubic
    many = make_burst(hr, 4, 16, seed=1)
    assert psnr(shift_and_add(many), many.hr, 4) > psnr(shift_and_add(one), one.hr, 4) + 0.1
    wrong = Burst(many.frames, -many.shifts, many.hr, 4)  # registering the wrong way must hurt
    assert psnr(shift_and_add(wrong), many.hr, 4) < psnr(shift_and_add(many), many.hr, 4) - 0.5
    with pytest.raises(ValueError, match="true shifts"):
        shift_and_add(Burst(many.frames, None, None, 4))


def test_burst_sampler_and_evaluation():
    from srkit.burst import BurstSampler, evaluate_bursts
    from srkit.data import load_training_images

    sampler = BurstSampler(load_training_images(["T91"], limit=4), scale=4, patch_size=8, frames=3)
    lr, hr_ = sampler.batch_at(0, 5, 2)
    assert lr.shape == (2, 3, 8, 8, 1) and hr_.shape == (2, 32, 32, 1)
    np.testing.assert_array_equal(sampler.batch_at(0, 5, 2)[0], lr)
    bic = evaluate_bursts("bicubic", "Set5", 4, 3, limit=2)
    sa = evaluate_bursts("shift_and_add", "Set5", 4, 3, limit=2)
    assert sa.psnr[0] > bic.psnr[0]


def test_load_frames_from_a_folder(tmp_path):
    rng = np.random.default_rng(0)
    for i in range(3):
        save_image(tmp_path / f"frame_{i:03d}.png", rng.integers(0, 256, (16, 20, 3), dtype=np.uint8))
    b = load_frames(tmp_path)
    assert b.frames.shape == (3, 16, 20, 3) and b.shifts is None and b.hr is None
    save_image(tmp_path / "frame_999.png", rng.integers(0, 256, (16, 21, 3), dtype=np.uint8))
    with pytest.raises(ShapeError, match="same size"):
        load_frames(tmp_path)


def test_conv_recurrent_layer_and_multiframe_model(tmp_path):
    keras = pytest.importorskip("keras")
    from srkit.models import ConvRecurrent2D, multiframe_rnn

    x = np.random.default_rng(0).random((2, 4, 6, 7, 3), dtype=np.float32)
    for cell in ("gru", "lstm"):
        layer = ConvRecurrent2D(8, cell=cell)
        assert tuple(layer(x).shape) == (2, 6, 7, 8)
        seq = ConvRecurrent2D(8, cell=cell, return_sequences=True)(x)
        assert tuple(seq.shape) == (2, 4, 6, 7, 8)
    # the order of the frames matters to a recurrent layer, and go_backwards reverses it
    fwd = ConvRecurrent2D(4, name="r")
    out = np.asarray(fwd(x))
    bwd = ConvRecurrent2D(4, go_backwards=True)
    bwd(x)
    bwd.set_weights(fwd.get_weights())
    np.testing.assert_allclose(np.asarray(bwd(x[:, ::-1])), out, atol=1e-6)
    assert np.abs(np.asarray(fwd(x[:, ::-1])) - out).max() > 1e-4

    model = multiframe_rnn(4, frames=5, bidirectional=True)
    single = multiframe_rnn(4, frames=1)
    assert single.count_params() == multiframe_rnn(4, frames=5).count_params()  # equal capacity
    burst = np.random.default_rng(1).random((1, 5, 9, 11, 1), dtype=np.float32)
    assert tuple(model(burst).shape) == (1, 36, 44, 1)
    model.save(tmp_path / "mf.keras")
    loaded = keras.saving.load_model(tmp_path / "mf.keras", safe_mode=True)
    np.testing.assert_allclose(np.asarray(loaded(burst)), np.asarray(model(burst)), atol=1e-6)
    with pytest.raises(ValueError, match="cell must be"):
        ConvRecurrent2D(4, cell="rnn")


@pytest.mark.slow
def test_multiframe_model_trains_with_the_engine():
    pytest.importorskip("keras")
    from srkit.train import TrainConfig, train

    cfg = TrainConfig("multiframe_rnn", 4, steps=4, eval_every=4, limit=3, val_limit=1, batch_size=2, patch_size=8,
                      model_config={"frames": 3, "filters": 8})
    result = train(cfg, verbose=0)
    assert result.model.input_shape[1] == 3
    assert result.history[-1]["step"] == 4 and result.history[-1]["val_psnr"] > 15


def test_upscale_burst_tiles_and_rejects_bad_bursts(hr):
    from srkit.burst import check_frames, upscale_burst
    from srkit.errors import ShapeError
    from srkit.models import multiframe_rnn, with_frames

    model = multiframe_rnn(4, frames=3, filters=8)
    b = make_burst(hr, 4, frames=5, seed=1)
    whole = upscale_burst(model, b)
    assert whole.shape == (b.frames.shape[1] * 4, b.frames.shape[2] * 4)
    tiled = upscale_burst(model, b, scale=4, tile=24, overlap=12)  # 24x24 pieces, 12 px of context around
    np.testing.assert_allclose(tiled, whole, atol=1e-4)  # the overlap hides the tile borders
    np.testing.assert_allclose(upscale_burst(model, b, tile=10_000), whole, atol=1e-6)  # one tile: the whole burst
    assert upscale_burst(model, list(b.frames)).shape == whole.shape  # a list of frames works too
    with pytest.raises(ShapeError, match="needs 3 frames but the burst has 2"):
        upscale_burst(model, b.frames[:2])
    assert upscale_burst(with_frames(model, 2), b.frames[:2]).shape == whole.shape
    frames = list(b.frames)
    with pytest.raises(ShapeError, match="Frame 2 is .* same size"):
        check_frames(frames[:2] + [frames[2][:-1]])
    rgb = np.repeat(frames[1], 3, axis=-1)
    with pytest.raises(ShapeError, match="Frame 1 has 3 channel"):
        check_frames([frames[0], rgb])
    with pytest.raises(ValueError, match="tile must be a positive whole number"):
        upscale_burst(model, b, tile=0)
    with pytest.raises(ValueError, match="overlap must be a whole number"):
        upscale_burst(model, b, tile=24, overlap=-1)
    with pytest.raises(ShapeError, match="not x3"):
        upscale_burst(model, b, scale=3)
    with pytest.raises(ShapeError, match="at least 8x8"):
        upscale_burst(model, b.frames[:, :6, :6])
    with pytest.raises(ShapeError, match="multi-frame"):
        from srkit.models import espcn

        upscale_burst(espcn(4), b)


def test_with_frames_keeps_the_weights():
    from srkit.models import multiframe_rnn, with_frames

    m5 = multiframe_rnn(4, frames=5, filters=8, bidirectional=True)
    for t in (1, 2, 8):
        mt = with_frames(m5, t)
        assert mt.input_shape[1] == t
        assert all(np.array_equal(a, b) for a, b in zip(m5.get_weights(), mt.get_weights()))
