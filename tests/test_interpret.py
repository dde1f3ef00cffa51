"""Tests for srkit.interpret: LAM, the diffusion index, receptive fields, feature maps, the degradation embedding,
the figures and the errors on bad input."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from srkit import data, zoo
from srkit import interpret as I
from srkit.errors import InvalidValueError, ShapeError, SrkitError
from srkit.models import PixelShuffle


@pytest.fixture(scope="module")
def pairs():
    return data.load_benchmark("Set5", 3)


@pytest.fixture(scope="module")
def lr(pairs):
    return pairs[0].lr[40:88, 40:88]  # 48x48 LR crop of 'baby'


@pytest.fixture(scope="module")
def espcn():
    return zoo.load("espcn", 3)


@pytest.fixture(scope="module")
def srcnn():
    return zoo.load("srcnn", 3)


def _hand_model(activation=None):
    """LR: 3x3 dilated 2 (5) + a shared 3x3 applied twice (+2 +2) + 3x3 (+2) = 11 LR pixels; then a x2 pixel
    shuffle and a 3x3 convolution at HR, whose 3 HR pixels always fall on 2 LR pixels: 12."""
    inp = keras.Input((None, None, 1))
    x = layers.Conv2D(4, 3, dilation_rate=2, padding="same", activation=activation)(inp)
    shared = layers.Conv2D(4, 3, padding="same", activation=activation, name="shared")
    x = shared(shared(x))
    x = layers.Conv2D(4, 3, padding="same")(x)
    x = PixelShuffle(2)(x)
    out = layers.Conv2D(1, 3, padding="same", name="tail")(x)
    return keras.Model(inp, out, name="hand_x2")


def _support_width(model, n, scale, o):
    """Width of the nonzero gradient of output pixel (o, o) w.r.t. the input, along rows."""
    x = tf.constant(np.random.default_rng(0).random((1, n, n, 1), np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = model(x)[0, o, o, 0]
    g = np.abs(tape.gradient(y, x).numpy()[0, :, :, 0])
    rows = np.nonzero(g.sum(axis=1) > 0)[0]
    return rows.max() - rows.min() + 1


# ----------------------------------------------------------------------------------------------------------------
# Diffusion index
# ----------------------------------------------------------------------------------------------------------------
def test_diffusion_index_of_one_pixel_and_of_a_uniform_map():
    one = np.zeros((32, 32))
    one[5, 7] = -3.0
    assert I.diffusion_index(one) == pytest.approx(100 / 1024)  # near 0: Gini = (n-1)/n
    assert I.diffusion_index(np.full((32, 32), 0.2)) == pytest.approx(100.0, abs=1e-9)
    half = np.zeros((32, 32))
    half[:16] = 1.0
    assert I.diffusion_index(half) == pytest.approx(50.0)  # half the pixels alike: Gini 1/2
    assert I.gini([0, 0, 0, 1]) == pytest.approx(0.75)


def test_diffusion_index_of_nothing_is_an_error():
    with pytest.raises(InvalidValueError, match="all-zero"):
        I.diffusion_index(np.zeros((4, 4)))
    with pytest.raises(ShapeError):
        I.diffusion_index(np.zeros((0,)))


# ----------------------------------------------------------------------------------------------------------------
# Receptive fields
# ----------------------------------------------------------------------------------------------------------------
def test_receptive_field_of_a_hand_computable_model():
    m = _hand_model()
    assert I.receptive_field(m) == 12
    assert I.receptive_field(m, per_axis=True) == (12, 12)
    # the walk agrees exactly with the support of the gradient (linear layers: no ReLU zeroes a path), at both
    # phases of the x2 output
    assert max(_support_width(m, 40, 2, o) for o in (40, 41)) == 12


def test_receptive_field_of_transposed_and_bilinear_upsampling():
    inp = keras.Input((None, None, 1))
    x = layers.Conv2D(2, 5, padding="same")(inp)                         # 5
    a = layers.Conv2DTranspose(1, 9, strides=3, padding="same")(x)       # 9 HR taps fall on 3 LR pixels: +2
    b = layers.UpSampling2D(3, interpolation="bilinear")(inp)            # 2 LR pixels (a branch: the union)
    m = keras.Model(inp, layers.Add()([a, b]))
    assert I.receptive_field(m) == 7
    assert max(_support_width(m, 30, 3, o) for o in range(45, 48)) == 7


def test_zoo_receptive_fields_and_the_recursion_counts_every_time():
    assert I.receptive_field(zoo.load("srcnn", 3)) == 9 + 4 + 4          # 9-5-5, bicubic (HR) pixels
    assert I.receptive_field(zoo.load("espcn", 3)) == 5 + 2 + 2          # LR pixels
    assert I.receptive_field(zoo.load("fsrcnn", 3)) == 5 + 4 * 2 + 2     # + the 9-tap stride-3 deconvolution
    # DRCN x3: embed + 8 recursions of one shared 3x3 + reconstruct = 10 convolutions
    assert I.receptive_field(zoo.load("drcn", 3)) == 1 + 2 * 10
    # EDSR x3: 33 3x3 convolutions at LR, then the tail's 3x3 at HR adds one LR pixel
    assert I.receptive_field(zoo.load("edsr", 3)) == 1 + 2 * 33 + 1


@pytest.mark.parametrize("name", ["espcn", "drcn"])
def test_measured_receptive_field_is_within_the_theoretical_one(name, pairs):
    m = zoo.load(name, 3)
    crop = pairs[0].lr[:48, :48]
    theory = I.receptive_field(m)
    measured = I.measured_receptive_field(m, crop)
    assert 1 < measured <= theory
    assert I.measured_receptive_field(m, crop, fraction=0.5) < measured


def test_receptive_field_refuses_global_layers():
    inp = keras.Input((8, 8, 1))
    out = layers.Dense(4)(layers.Flatten()(inp))
    with pytest.raises(SrkitError, match="whole input"):
        I.receptive_field(keras.Model(inp, out))


# ----------------------------------------------------------------------------------------------------------------
# LAM
# ----------------------------------------------------------------------------------------------------------------
def test_lam_map_lies_inside_the_windows_receptive_field(espcn, lr):
    r = I.lam(espcn, lr, (60, 66, 16), steps=16)
    assert r.map.shape == lr.shape[:2]
    assert r.window == (60, 66, 16) and r.scale == 3 and not r.pre_upsampling
    # the window and its Sobel margin (HR rows 59..76, cols 65..82) cover LR rows 19..25 and cols 21..27;
    # ESPCN's receptive field (9) adds 4 on each side
    outside = np.ones_like(r.map, bool)
    outside[19 - 4:25 + 5, 21 - 4:27 + 5] = False
    assert np.abs(r.map[outside]).max() == 0.0
    assert np.abs(r.map[~outside]).max() > 0
    assert 0 < r.diffusion_index < 100 * (15 * 15) / r.map.size + 1e-9  # at most the share of the field
    # completeness of integrated gradients: the map adds up to F(input) - F(baseline)
    assert r.target > r.target_baseline
    assert r.completeness_gap < 0.02


def test_lam_on_a_pre_upsampling_model_is_over_lr_pixels(srcnn, lr):
    r = I.lam(srcnn, lr, (30, 30, 16), steps=8)
    assert r.pre_upsampling and r.scale == 3 and r.map.shape == lr.shape[:2]
    assert r.completeness_gap < 0.05
    assert np.abs(r.map).sum() > 0


def test_lam_blur_path_and_float_input_agree_with_uint8(espcn, lr):
    from srkit.pipeline import to_channels

    a = I.lam(espcn, lr, (60, 66, 16), steps=8)
    b = I.lam(espcn, to_channels(lr, "y"), (60, 66, 16), steps=8)
    np.testing.assert_allclose(a.map, b.map, atol=1e-6)
    c = I.lam(espcn, lr, (60, 66, 16), steps=16, path="blur")
    assert c.path == "blur" and c.completeness_gap < 0.05


def test_lam_errors_name_the_problem(espcn, lr):
    with pytest.raises(InvalidValueError, match="not inside the 144x144 output"):
        I.lam(espcn, lr, (140, 10, 16))
    with pytest.raises(InvalidValueError, match="not inside"):
        I.lam(espcn, lr, (-1, 10, 16))
    with pytest.raises(InvalidValueError, match="window size"):
        I.lam(espcn, lr, (10, 10, 0))
    with pytest.raises(InvalidValueError, match="not differentiable end to end, LAM needs a Keras model"):
        I.lam("bicubic", lr, (10, 10, 16))
    with pytest.raises(InvalidValueError, match="not differentiable end to end"):
        I.lam(lambda im, s: im, lr, (10, 10, 16))
    with pytest.raises(ShapeError, match="one LR image"):
        I.lam(espcn, np.zeros((1, 48, 48, 1), np.float32), (10, 10, 16))
    with pytest.raises(ShapeError, match="alpha"):
        I.lam(espcn, np.zeros((48, 48, 4), np.uint8), (10, 10, 16))
    with pytest.raises(InvalidValueError, match="0-255"):
        I.lam(espcn, np.full((48, 48), 200.0), (10, 10, 16))
    with pytest.raises(InvalidValueError, match="steps"):
        I.lam(espcn, lr, (10, 10, 16), steps=0)


def test_lam_accepts_an_upscaler_holding_a_model(espcn, lr):
    from srkit.infer import KerasUpscaler

    r = I.lam(KerasUpscaler(espcn), lr, (60, 66, 16), steps=4)
    assert r.model_name == espcn.name


def test_another_backend_is_refused(espcn, lr, monkeypatch):
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    with pytest.raises(SrkitError, match="tf.GradientTape.*TensorFlow backend"):
        I.lam(espcn, lr, (10, 10, 16))


# ----------------------------------------------------------------------------------------------------------------
# Inside the network
# ----------------------------------------------------------------------------------------------------------------
def test_feature_maps_of_the_first_and_of_a_named_layer(espcn, lr):
    f = I.feature_maps(espcn, lr)
    assert f.shape == (48, 48, 64)
    drcn = zoo.load("drcn", 3)
    first = I.feature_maps(drcn, lr[:16, :16], layer="recursive_conv", call=0)
    last = I.feature_maps(drcn, lr[:16, :16], layer="recursive_conv")
    assert first.shape == last.shape == (48, 48, 32)  # pre-upsampling: HR-sized features
    assert not np.allclose(first, last)
    with pytest.raises(InvalidValueError, match="no layer 'nope'"):
        I.feature_maps(espcn, lr, layer="nope")


def test_degradation_embedding_separates_noise(pairs):
    crops = {p.name: p.hr[30:126, 30:126] for p in pairs[:4]}
    edsr = zoo.load("edsr", 3)
    plain = I.degradation_embedding(edsr, crops, scale=3)
    assert list(plain.columns) == ["x", "y", "image", "degradation"] and len(plain) == 16
    assert plain.attrs["layer"] == "body_end"
    # Measured: with plain PCA the first component follows the image (98% of the variance): the spread between
    # images dwarfs the spread of one image's four degradations.
    by_image = plain.groupby("image").x
    assert by_image.mean().std() > 10 * by_image.std().max()
    # Taking out each image's own mean leaves what the degradations change: noise stands apart on component 1.
    within = I.degradation_embedding(edsr, crops, scale=3, centre="image")
    g = within.groupby("degradation").x
    gap = abs(g.mean()["noise"] - g.mean()["bicubic"])
    assert gap > 2 * max(g.std()["noise"], g.std()["bicubic"])
    noise_side = np.sign(g.mean()["noise"] - g.mean()["bicubic"])
    for name in crops:  # and for every image, not just on average
        rows = within[within.image == name].set_index("degradation").x
        assert noise_side * (rows["noise"] - rows["bicubic"]) > 0


def test_degradation_embedding_errors(espcn, pairs):
    with pytest.raises(InvalidValueError, match="degradation"):
        I.degradation_embedding(espcn, [pairs[0].hr[:48, :48]], degradations=("bicubic", "rain"))
    with pytest.raises(ShapeError, match="uint8"):
        I.degradation_embedding(espcn, [pairs[0].hr[:48, :48] / 255.0])


# ----------------------------------------------------------------------------------------------------------------
# Figures
# ----------------------------------------------------------------------------------------------------------------
def test_figures(espcn, lr):
    import matplotlib
    import pandas as pd

    r = I.lam(espcn, lr, (60, 66, 16), steps=4)
    fig = I.show_attribution(r, lr, sr=np.zeros((144, 144), np.uint8))
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 3
    assert f"DI {r.diffusion_index:.2f}" in fig.axes[1].get_title()
    heat = fig.axes[1].get_images()[1].get_array()
    alpha, used = heat[..., 3], np.abs(r.map)
    assert heat.shape == (48, 48, 4) and alpha[np.unravel_index(np.argmax(used), used.shape)] == pytest.approx(0.9)
    assert (alpha[used == 0] == 0).all() and (alpha[used > 0] > 0).all()  # opaque exactly where pixels were used
    with pytest.raises(ShapeError, match="give the LR image"):
        I.show_attribution(r, lr[:20, :20])
    t = pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0], "image": ["a", "a"], "degradation": ["bicubic", "noise"]})
    fig = I.embedding_plot(t)
    assert {tx.get_text() for tx in fig.axes[0].get_legend().get_texts()} == {"bicubic", "noise"}
    with pytest.raises(ShapeError, match="missing"):
        I.embedding_plot(t.drop(columns="image"))
    matplotlib.pyplot.close("all")


@pytest.mark.parametrize("name", ["espcn", "srcnn"])
def test_lam_on_the_receptive_field_crop_is_exact(name, lr):
    m = zoo.load(name, 3)
    full = I.lam(m, lr, (12, 100, 16), steps=4, crop=False)
    rows, cols = I._Prepared(m, lr, None, "t").crop_for((12, 100, 16))
    assert (rows.stop - rows.start) * (cols.stop - cols.start) < lr.shape[0] * lr.shape[1] / 3  # really a crop
    fast = I.lam(m, lr, (12, 100, 16), steps=4)
    # float32 summation order differs with the input size (oneDNN): up to ~4e-4 of the largest value (the
    # shipped SRCNN x3), in the middle, not at the edge; a crop that cut the receptive field would lose whole pixels
    np.testing.assert_allclose(fast.map, full.map, atol=1e-3 * np.abs(full.map).max())
    assert fast.target == pytest.approx(full.target, rel=1e-5)
    assert fast.diffusion_index == pytest.approx(full.diffusion_index, rel=1e-4)


def test_lam_crop_is_exact_for_the_flagship(pairs):
    m = zoo.load("edsr", 3)
    crop = pairs[1].lr[:84, :84]  # EDSR's field is 68: the crop around a corner window is 42x42 of 84x84
    full = I.lam(m, crop, (0, 0, 16), steps=2, crop=False)
    fast = I.lam(m, crop, (0, 0, 16), steps=2)
    assert I._Prepared(m, crop, None, "t").crop_for((0, 0, 16))[0].stop < 84
    np.testing.assert_allclose(fast.map, full.map, atol=1e-4 * np.abs(full.map).max())
