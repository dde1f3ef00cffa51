"""Model builders: shapes, parameter budgets, sub-pixel shuffle, serialisation with safe_mode."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from srkit import models  # noqa: E402


@pytest.mark.parametrize("scale", [2, 3, 4])
@pytest.mark.parametrize("name", ["fsrcnn", "espcn", "edsr"])
def test_post_upsampling_models_scale_any_input_size(name, scale):
    m = models.build(name, scale, **({"blocks": 2} if name == "edsr" else {}))
    for h, w in ((10, 12), (7, 5)):
        out = m(np.zeros((1, h, w, 1), np.float32))
        assert tuple(out.shape) == (1, h * scale, w * scale, 1)


def test_srcnn_keeps_the_input_size_and_is_9_5_5():
    m = models.srcnn(3)
    out = m(np.zeros((2, 30, 21, 1), np.float32))
    assert tuple(out.shape) == (2, 30, 21, 1)
    kernels = [l.kernel.shape[:2] for l in m.layers if isinstance(l, keras.layers.Conv2D)]
    assert kernels == [(9, 9), (5, 5), (5, 5)]
    assert [l.kernel.shape[:2] for l in models.srcnn(f2=1).layers if isinstance(l, keras.layers.Conv2D)][1] == (1, 1)


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_flagship_is_under_the_parameter_budget(scale):
    assert models.edsr(scale).count_params() < 1_500_000


def test_naive_cnn_needs_its_fixed_patch():
    m = models.naive_cnn(2, patch_size=16)
    assert m.input_shape == (None, 16, 16, 1)
    assert tuple(m(np.zeros((1, 16, 16, 1), np.float32)).shape) == (1, 32, 32, 1)
    assert any(isinstance(l, keras.layers.MaxPooling2D) for l in m.layers)
    assert any(isinstance(l, keras.layers.Dense) for l in m.layers)


def test_pixel_shuffle_rearranges_channels_into_blocks():
    r, c = 2, 3
    x = np.arange(1 * 2 * 2 * c * r * r, dtype=np.float32).reshape(1, 2, 2, c * r * r)
    out = np.asarray(models.PixelShuffle(r)(x))
    assert out.shape == (1, 4, 4, c)
    for y in range(2):
        for xx in range(2):
            for i in range(r):
                for j in range(r):
                    np.testing.assert_array_equal(out[0, y * r + i, xx * r + j], x[0, y, xx, (i * r + j) * c:(i * r + j + 1) * c])


@pytest.mark.parametrize("name", ["espcn", "edsr", "fsrcnn", "srcnn"])
def test_models_round_trip_through_keras_files_with_safe_mode(name, tmp_path):
    m = models.build(name, 3, **({"blocks": 1} if name == "edsr" else {}))
    x = np.random.default_rng(0).random((1, 9, 11, 1), dtype=np.float32)
    path = tmp_path / f"{name}.keras"
    m.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(m(x)), atol=1e-6)


def test_no_lambda_layers_anywhere():
    for name in models.REGISTRY:
        m = models.build(name, 2, **({"blocks": 1} if name == "edsr" else {}))
        assert not any(isinstance(l, keras.layers.Lambda) for l in m.layers), name


def test_custom_layers_have_complete_configs():
    assert models.PixelShuffle.from_config(models.PixelShuffle(3).get_config()).scale == 3
    assert models.ResidualScale.from_config(models.ResidualScale(0.2).get_config()).factor == 0.2


def test_bad_arguments():
    with pytest.raises(ValueError, match="scale 2, 3, 4 or 8"):
        models.espcn(5)
    with pytest.raises(ValueError, match="Unknown model"):
        models.build("vdsr", 2)


def test_drcn_shares_weights_across_recursions(tmp_path):
    counts = {t: models.drcn(3, recursions=t).count_params() for t in (1, 2, 4, 8)}
    for t in (2, 4, 8):  # the convolutions are shared: only the t combination weights are added
        assert counts[t] == counts[1] + t
    m = models.drcn(3, recursions=4)
    x = np.zeros((1, 21, 21, 1), np.float32)
    x[0, 10, 10, 0] = 1.0  # an impulse: the receptive field is where the output depends on it
    m.get_layer("reconstruct").set_weights([np.ones((3, 3, 32, 1), np.float32) * 0.01, np.zeros(1, np.float32)])
    for layer in ("embed", "recursive_conv"):
        k, b = m.get_layer(layer).get_weights()
        m.get_layer(layer).set_weights([np.abs(k) + 0.01, np.zeros_like(b)])
    reach = np.nonzero(np.asarray(m(x))[0, 10, :, 0] - x[0, 10, :, 0])[0]
    assert reach.min() == 10 - 6 and reach.max() == 10 + 6  # embed 1 + 4 recursions + reconstruct 1
    m.save(tmp_path / "drcn.keras")
    loaded = keras.saving.load_model(tmp_path / "drcn.keras", safe_mode=True)
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(m(x)), atol=1e-6)


def test_sequence_rnn_any_size_context_and_serialisation(tmp_path):
    m = models.sequence_rnn(3)
    espcn = models.espcn(3).count_params()
    assert 0.7 * espcn < m.count_params() < 1.5 * espcn  # a fair comparison with ESPCN
    x = np.random.default_rng(0).random((2, 7, 9, 1), dtype=np.float32)
    out = np.asarray(m(x))
    assert out.shape == (2, 21, 27, 1)
    # non-local: changing the last pixel of a row changes the output at the start of that row
    x2 = x.copy()
    x2[0, 3, -1, 0] += 0.5
    assert np.abs(np.asarray(m(x2))[0, 9:12, 0:3] - out[0, 9:12, 0:3]).max() > 1e-6
    m.save(tmp_path / "seq.keras")
    loaded = keras.saving.load_model(tmp_path / "seq.keras", safe_mode=True)
    np.testing.assert_allclose(np.asarray(loaded(x)), out, atol=1e-5)
    with pytest.raises(ValueError, match="axis"):
        models.RowRNN(4, axis="diagonal")


def test_bigru_computes_what_keras_bidirectional_computes():
    seq = np.random.default_rng(1).random((3, 6, 5), dtype=np.float32)
    ours = models.BiGRU(4)
    theirs = keras.layers.Bidirectional(keras.layers.GRU(4, return_sequences=True))
    ours.build(seq.shape)
    theirs.build(seq.shape)
    ours.set_weights(theirs.get_weights())  # same order: forward GRU's weights, then backward's
    np.testing.assert_allclose(np.asarray(ours(seq)), np.asarray(theirs(seq)), atol=1e-6)
    assert ours.compute_output_shape((None, 6, 5)) == (None, 6, 8)


def test_many_row_rnns_load_even_when_python_reuses_object_ids(tmp_path, monkeypatch):
    # Loading tracks objects by id(); once an object is freed, CPython may give its id to the next one.
    # Make every GRU share one id, the worst case of that reuse: each RowRNN must still get its own GRUs.
    from keras.src.saving import serialization_lib
    monkeypatch.setattr(serialization_lib, "id",
                        lambda obj: 1 if isinstance(obj, keras.layers.GRU) else id(obj), raising=False)
    inp = keras.Input((None, None, 1))
    x = inp
    for axis in ("rows", "cols", "rows"):
        x = models.RowRNN(3, axis)(x)
    m = keras.Model(inp, x)
    m.save(tmp_path / "rows.keras")
    loaded = keras.saving.load_model(tmp_path / "rows.keras", safe_mode=True)
    grus = [g for layer in loaded.layers[1:] for g in (layer.rnn.forward_layer, layer.rnn.backward_layer)]
    assert len({id(g) for g in grus}) == 6 and [g.go_backwards for g in grus] == [False, True] * 3
    x = np.random.default_rng(2).random((1, 4, 5, 1), dtype=np.float32)
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(m(x)), atol=1e-5)
