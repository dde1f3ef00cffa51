"""Structural re-parameterisation: RepConv2D fuses exactly, collapse keeps the outputs, rep_espcn trains."""

import json
import subprocess
import sys

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from srkit import models  # noqa: E402
from srkit.cli import main  # noqa: E402
from srkit.errors import InvalidValueError  # noqa: E402
from srkit.models import RepConv2D, collapse, fuse_repconv  # noqa: E402


def _randomise(layer, seed, std=0.3):
    """Give every weight (biases included) random values, so that no branch is zero."""
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, std, w.shape).astype(np.float32) for w in layer.get_weights()])


def _branch_sum(x, layer):
    """The three branches computed separately in NumPy-fed Keras ops (independent of RepConv2D.call)."""
    k, b, k1, b1 = (np.asarray(w) for w in layer.get_weights())
    y = keras.ops.conv(x, k, padding="same") + b + keras.ops.conv(x, k1, padding="same") + b1
    return np.asarray(y) + (x if layer.uses_identity else 0.0)


@pytest.mark.parametrize("cin, filters, kernel_size, identity", [
    (8, 8, 3, True), (8, 8, 3, False), (3, 16, 3, None), (16, 4, 3, None), (6, 6, 5, None), (1, 1, 3, None)])
@pytest.mark.parametrize("shape", [(1, 1, 1), (2, 7, 5), (1, 16, 23)])
def test_fused_kernel_equals_the_branch_sum(cin, filters, kernel_size, identity, shape):
    x = np.random.default_rng(1).normal(size=(*shape, cin)).astype(np.float32)
    layer = RepConv2D(filters, kernel_size, identity=identity)
    layer(x)
    _randomise(layer, 2)
    assert layer.uses_identity == (cin == filters if identity is None else identity)
    kernel, bias = fuse_repconv(layer)
    assert kernel.shape == (kernel_size, kernel_size, cin, filters) and bias.shape == (filters,)
    fused = np.asarray(keras.ops.conv(x, kernel, padding="same") + bias)
    expected = _branch_sum(x, layer)
    np.testing.assert_allclose(np.asarray(layer(x)), expected, atol=1e-5)
    np.testing.assert_allclose(fused, expected, atol=1e-5)
    # the identity really is in the fused kernel: without it the result is off by x
    if layer.uses_identity:
        c = kernel_size // 2
        no_id = kernel.copy()
        no_id[c, c] -= np.eye(cin, dtype=np.float32)
        off = np.asarray(keras.ops.conv(x, no_id, padding="same") + bias)
        np.testing.assert_allclose(off + x, expected, atol=1e-5)
        assert np.abs(off - expected).max() > 0.1


def test_fused_kernel_layout():
    layer = RepConv2D(2, identity=True)
    layer(np.zeros((1, 4, 4, 2), np.float32))
    k = np.zeros((3, 3, 2, 2), np.float32)
    k1 = np.array([[[[1.0, 2.0], [3.0, 4.0]]]], np.float32)
    layer.set_weights([k, np.array([0.5, -1.0], np.float32), k1, np.array([0.25, 0.25], np.float32)])
    kernel, bias = layer.deploy()
    np.testing.assert_array_equal(bias, [0.75, -0.75])
    np.testing.assert_array_equal(kernel[1, 1], [[2.0, 2.0], [3.0, 5.0]])  # 1x1 kernel + identity at the centre
    assert not np.any(np.delete(kernel.reshape(9, 4), 4, axis=0))  # zero everywhere else


def _trained(scale, filters=(64, 32), steps=3, seed=0):
    keras.utils.set_random_seed(seed)
    m = models.build("rep_espcn", scale, filters=filters)
    rng = np.random.default_rng(seed)
    x = rng.random((4, 10, 10, 1), dtype=np.float32)
    y = rng.random((4, 10 * scale, 10 * scale, 1), dtype=np.float32)
    m.compile(keras.optimizers.Adam(1e-2), "mse")
    m.fit(x, y, batch_size=2, epochs=steps // 2 + 1, verbose=0)
    return m


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_collapse_keeps_the_outputs_of_a_trained_rep_espcn(scale):
    m = _trained(scale)
    biases = np.concatenate([np.asarray(m.get_layer("rep1").bias), np.asarray(m.get_layer("rep1").bias_1x1)])
    assert np.abs(biases).max() > 1e-3  # trained: the branches moved away from their initial values
    plain = collapse(m)
    reps = [l for l in m.layers if isinstance(l, RepConv2D)]
    convs = [l for l in plain.layers if isinstance(l, keras.layers.Conv2D)]
    assert not any(isinstance(l, RepConv2D) for l in plain.layers)
    assert len(reps) == 2 and [l.name for l in plain.layers if l.name.startswith("rep")] == ["rep1", "rep2"]
    assert len(convs) == len(reps) + 1  # the sub-pixel head was a Conv2D already
    assert plain.count_params() < m.count_params()
    assert plain.count_params() == models.espcn(scale).count_params()  # collapsed, it is an ESPCN
    np.testing.assert_array_equal(np.asarray(plain.get_layer("subpixel_conv").kernel),
                                  np.asarray(m.get_layer("subpixel_conv").kernel))
    rng = np.random.default_rng(scale)
    for shape in ((1, 17, 23, 1), (2, 8, 8, 1), (1, 1, 3, 1)):
        x = rng.random(shape, dtype=np.float32)
        out, ref = np.asarray(plain(x)), np.asarray(m(x))
        assert out.shape == (shape[0], shape[1] * scale, shape[2] * scale, 1)
        np.testing.assert_allclose(out, ref, atol=1e-5)


def test_collapse_with_identity_branches_and_relu():
    keras.utils.set_random_seed(3)
    m = models.rep_espcn(3, channels=3, filters=(16, 16, 16), activation="relu")
    for layer in m.layers:
        if isinstance(layer, RepConv2D):
            _randomise(layer, 4, std=0.05)
    assert [l.uses_identity for l in m.layers if isinstance(l, RepConv2D)] == [False, True, True]
    plain = collapse(m)
    x = np.random.default_rng(5).random((1, 12, 9, 3), dtype=np.float32)
    np.testing.assert_allclose(np.asarray(plain(x)), np.asarray(m(x)), atol=1e-5)
    assert plain.count_params() == models.espcn(3, channels=3, filters=(16, 16, 16)).count_params()
    # collapsing a plain model changes nothing
    again = collapse(plain)
    np.testing.assert_allclose(np.asarray(again(x)), np.asarray(plain(x)), atol=1e-6)


def test_collapse_works_on_sequential_models():
    m = keras.Sequential([keras.Input((None, None, 4)), RepConv2D(4), keras.layers.ReLU(), RepConv2D(2)])
    for layer in m.layers:
        if isinstance(layer, RepConv2D):
            _randomise(layer, 6, std=0.1)
    plain = collapse(m)
    assert [type(l).__name__ for l in plain.layers] == ["Conv2D", "ReLU", "Conv2D"]
    x = np.random.default_rng(7).normal(size=(1, 6, 6, 4)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(plain(x)), np.asarray(m(x)), atol=1e-5)


def test_round_trips_through_keras_files_with_safe_mode(tmp_path):
    m = _trained(3, filters=(8, 8))
    x = np.random.default_rng(8).random((1, 11, 13, 1), dtype=np.float32)
    m.save(tmp_path / "rep.keras")
    loaded = models.load_model(tmp_path / "rep.keras")
    assert [l.uses_identity for l in loaded.layers if isinstance(l, RepConv2D)] == [False, True]
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(m(x)), atol=1e-6)
    plain = collapse(m)
    plain.save(tmp_path / "plain.keras")
    np.testing.assert_allclose(np.asarray(models.load_model(tmp_path / "plain.keras")(x)), np.asarray(m(x)), atol=1e-5)
    layer = RepConv2D(5, kernel_size=5, identity=False, kernel_initializer="he_normal", name="r")
    again = RepConv2D.from_config(layer.get_config())
    assert (again.filters, again.kernel_size, again.identity, again.name) == (5, 5, False, "r")
    assert isinstance(again.kernel_initializer, keras.initializers.HeNormal)
    # in a fresh process: load_model knows RepConv2D, and the collapsed file needs nothing of the reparam module
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", np.asarray(m(x)))
    code = ("import sys, numpy as np, keras; import srkit.models.layers\n"
            f"d = {str(tmp_path)!r}\n"
            "plain = keras.saving.load_model(d + '/plain.keras', safe_mode=True)\n"
            "assert 'srkit.models.reparam' not in sys.modules\n"
            "from srkit.models import load_model\n"
            "rep = load_model(d + '/rep.keras')\n"
            "x, y = np.load(d + '/x.npy'), np.load(d + '/y.npy')\n"
            "print(float(np.abs(np.asarray(plain(x)) - y).max()), float(np.abs(np.asarray(rep(x)) - y).max()))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    plain_err, rep_err = map(float, proc.stdout.split()[-2:])
    assert plain_err < 1e-5 and rep_err < 1e-6


def test_bad_arguments_are_refused():
    for kwargs, match in (({"filters": 0}, "filters must be a whole number >= 1"),
                          ({"filters": 2.5}, "filters must be a whole number"),
                          ({"filters": 8, "kernel_size": 4}, "kernel_size must be odd"),
                          ({"filters": 8, "kernel_size": 1}, "kernel_size must be a whole number >= 3"),
                          ({"filters": 8, "identity": "yes"}, "identity must be None")):
        with pytest.raises(InvalidValueError, match=match):
            RepConv2D(**kwargs)
    with pytest.raises(InvalidValueError, match="identity=True needs as many input channels as filters"):
        RepConv2D(8, identity=True)(np.zeros((1, 4, 4, 3), np.float32))
    with pytest.raises(InvalidValueError, match="no weights yet"):
        RepConv2D(8).deploy()
    with pytest.raises(InvalidValueError, match="needs a RepConv2D"):
        fuse_repconv(keras.layers.Conv2D(4, 3))
    with pytest.raises(InvalidValueError, match="needs a Keras model"):
        collapse("rep_espcn")

    class Sub(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(InvalidValueError, match="subclassed"):
        collapse(Sub())
    with pytest.raises(ValueError, match="scale 2, 3, 4 or 8"):
        models.rep_espcn(5)
    with pytest.raises(InvalidValueError, match="filters must be a list"):
        models.rep_espcn(3, filters=(64, 0))
    with pytest.raises(InvalidValueError, match="filters must be a list"):
        models.rep_espcn(3, filters=())
    with pytest.raises(InvalidValueError, match="activation must be one of"):
        models.rep_espcn(3, activation="gelu")


def test_rep_espcn_is_registered():
    s = models.spec("rep_espcn")
    assert s.input_kind == "lr" and s.targets == {} and "ECBSR" in s.paper and "RepVGG" in s.paper
    assert (s.patch_size, s.batch_size, s.learning_rate) == (models.spec("espcn").patch_size,
                                                            models.spec("espcn").batch_size,
                                                            models.spec("espcn").learning_rate)


def test_srkit_train_rep_espcn(tmp_path, capsys):
    out = tmp_path / "rep"
    rc = main(["train", "rep_espcn", "--scale", "3", "--steps", "10", "--eval-every", "5", "--val-limit", "1",
               "--limit", "2", "--model-config", '{"filters": [16, 16]}', "--out", str(out), "--quiet"])
    assert rc == 0
    assert "rep_espcn x3: 10 steps" in capsys.readouterr().out
    state = json.loads((out / "state.json").read_text())
    assert [h["step"] for h in state["history"]] == [5, 10]
    m = models.load_model(out / "model.keras")
    assert sum(isinstance(l, RepConv2D) for l in m.layers) == 2
    x = np.random.default_rng(9).random((1, 10, 12, 1), dtype=np.float32)
    np.testing.assert_allclose(np.asarray(collapse(m)(x)), np.asarray(m(x)), atol=1e-5)
