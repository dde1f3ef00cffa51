"""Every exercise's worked solution, run as printed, is accepted; wrong answers get feedback saying what differs
(for exercises that build something: shape, dtype, value, where), missing answers get 'not answered yet',
and nothing raises outside nbgrader's autograder."""

import math
import re
from pathlib import Path

import numpy as np
import pytest

from srkit.exercises import EXERCISES, SOLUTIONS_ENV, check, feedback, is_correct, solution, solutions_folder

SOLUTIONS = Path(__file__).resolve().parents[1] / "notebooks" / "solutions"
BUILD = sorted(k for k, ex in EXERCISES.items() if ex.test is not None)
LOOKUP = sorted(k for k, ex in EXERCISES.items() if ex.test is None)


def _run_solution(key: str):
    """Execute the worked solution of ``key`` in a fresh namespace (as a student pasting it would) and
    return the ``answer`` it sets."""
    namespace: dict = {}
    exec(compile((SOLUTIONS / f"{key}.py").read_text(), f"<solution {key}>", "exec"), namespace)
    assert "answer" in namespace, f"solution of {key} does not set `answer`"
    return namespace["answer"]


def _wrong(answer):
    """A value that must be rejected: off by one unit, another name, another tuple."""
    if isinstance(answer, str):
        return answer + "_not"
    if isinstance(answer, tuple):
        return tuple(float(v) + 1.0 for v in answer)
    return float(answer) + 1.0


def test_every_exercise_has_a_solution_file_and_every_file_an_exercise():
    files = {p.stem for p in SOLUTIONS.glob("*.py")}
    assert files == set(EXERCISES), f"unmatched: {sorted(files ^ set(EXERCISES))}"


def test_at_least_two_build_exercises_per_chapter():
    chapters = sorted({k[:2] for k in EXERCISES} - {"09"})  # every chapter; 09 is the lab, not a chapter
    assert chapters[:7] == ["00", "01", "02", "03", "04", "05", "06"]
    for chapter in chapters:
        assert sum(k.startswith(chapter) for k in BUILD) >= 2, chapter


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_every_solution_passes_its_check(key, capsys):
    answer = _run_solution(key)
    assert is_correct(key, answer), f"the worked solution of {key} gives {answer!r}: {feedback(key, answer)}"
    check(key, answer)
    assert capsys.readouterr().out.strip() == f"Exercise {key}: correct."


@pytest.mark.parametrize("key", LOOKUP)
def test_a_wrong_value_fails(key):
    answer = _run_solution(key)
    assert not is_correct(key, _wrong(answer))
    assert "not yet" in feedback(key, _wrong(answer)) and "Hint:" in feedback(key, _wrong(answer))


def test_tolerances_follow_the_printed_precision():
    assert is_correct("01.1", 81.48) and is_correct("01.1", 81.481) and not is_correct("01.1", 81.5)
    assert is_correct("04.1", 1.386) and is_correct("04.1", 2 * math.log(2)) and not is_correct("04.1", 1.39)
    assert not is_correct("04.1", 1.0)
    three = round(_run_solution("01.3"), 3)  # the protocol table prints three decimals
    assert is_correct("01.3", three) and not is_correct("01.3", three + 0.01)


def test_single_image_question_explains_a_burst_model(capsys):
    assert not is_correct("03.2", "multiframe_rnn")
    assert "bursts" in feedback("03.2", "multiframe_rnn")
    assert "bursts" not in feedback("03.2", "srcnn")


def test_chapter_exercises():
    from srkit import zoo
    from srkit.burst import make_burst
    from srkit.data import load_benchmark

    assert is_correct("05.1", 21) and not is_correct("05.1", 19)
    b = make_burst(load_benchmark("Set14", 4)[0].hr, 4, 5, seed=7)
    assert is_correct("05.2", tuple(b.shifts[3]))
    assert not is_correct("05.2", (9.0, 9.0)) and not is_correct("05.2", "left")
    drop = zoo.card("edsr", 4)["scores"]["Set5"]["psnr"] - zoo.card("edsr_gan", 4)["scores"]["Set5"]["psnr"]
    assert is_correct("04.2", round(drop, 2)) and not is_correct("04.2", drop + 0.5)
    assert is_correct("08.4", 15) and not is_correct("08.4", 13)  # 5x5, 1x1, four 3x3, 1x1, then the 9x9 deconvolution
    assert is_correct("08.5", 2208)  # rep_espcn(4): 1x1 kernels 1*64 + 64*32, biases 64 + 32


# ---- exercises that build something: subtly wrong versions are caught, and the feedback says how ----------
def _full_range_y(rgb):
    return np.asarray(rgb, np.float64) @ np.array([0.299, 0.587, 0.114])


def _rounded_y(rgb):
    return np.rint(16 + np.asarray(rgb, np.float64) / 255 @ np.array([65.481, 128.553, 24.966])).astype(np.uint8)


def _psnr_no_shave(sr, hr, scale):
    w = np.array([65.481, 128.553, 24.966]) / 255
    mse = np.mean((np.asarray(sr, float) @ w - np.asarray(hr, float) @ w) ** 2)
    return 10 * np.log10(255 ** 2 / mse)


def _psnr_rgb(sr, hr, scale):
    d = np.asarray(sr, float)[scale:-scale, scale:-scale] - np.asarray(hr, float)[scale:-scale, scale:-scale]
    return 10 * np.log10(255 ** 2 / np.mean(d ** 2))


def _shuffle_transposed(x, r):
    b, h, w, cr2 = x.shape
    c = cr2 // (r * r)
    return x.reshape(b, h, w, r, r, c).transpose(0, 1, 4, 2, 3, 5).reshape(b, h * r, w * r, c)


def _shuffle_channels_first(x, r):
    b, h, w, cr2 = x.shape
    c = cr2 // (r * r)
    return x.reshape(b, h, w, c, r, r).transpose(0, 1, 4, 2, 5, 3).reshape(b, h * r, w * r, c)


def _conv_flipped(image, kernel):
    k = kernel.shape[0]
    p = np.pad(image, k // 2)
    flipped = kernel[::-1, ::-1]
    return np.array([[np.sum(p[i:i + k, j:j + k] * flipped) for j in range(image.shape[1])]
                     for i in range(image.shape[0])])


def _conv_valid(image, kernel):
    k = kernel.shape[0]
    return np.array([[np.sum(image[i:i + k, j:j + k] * kernel) for j in range(image.shape[1] - k + 1)]
                     for i in range(image.shape[0] - k + 1)])


def _srcnn_3x3_mapping():
    import keras

    inp = keras.Input((None, None, 1))
    x = keras.layers.Conv2D(64, 9, padding="same", activation="relu")(inp)
    x = keras.layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    return keras.Model(inp, keras.layers.Conv2D(1, 5, padding="same")(x))


def _srcnn_no_relu():
    import keras

    inp = keras.Input((None, None, 1))
    x = keras.layers.Conv2D(64, 9, padding="same", activation="relu")(inp)
    x = keras.layers.Conv2D(32, 5, padding="same")(x)
    return keras.Model(inp, keras.layers.Conv2D(1, 5, padding="same")(x))


def _srcnn_valid():
    import keras

    inp = keras.Input((None, None, 1))
    x = keras.layers.Conv2D(64, 9, activation="relu")(inp)
    x = keras.layers.Conv2D(32, 5, activation="relu")(x)
    return keras.Model(inp, keras.layers.Conv2D(1, 5)(x))


def _d_loss_standard(real, fake):
    return float(np.mean(np.logaddexp(0, -real)) + np.mean(np.logaddexp(0, fake)))


def _d_loss_pairwise(real, fake):  # real - fake pair by pair instead of against the other side's mean
    return float(np.mean(np.logaddexp(0, -(real - fake))) + np.mean(np.logaddexp(0, fake - real)))


def _gru_swapped(x, h, conv_x, conv_h, conv_n):
    from keras import ops

    gx, gh = conv_x(x), conv_h(h)
    f = h.shape[-1]
    z = ops.sigmoid(gx[..., :f] + gh[..., :f])
    r = ops.sigmoid(gx[..., f:2 * f] + gh[..., f:])
    n = ops.tanh(gx[..., 2 * f:] + conv_n(r * h))
    return z * h + (1.0 - z) * n


def _gru_no_reset(x, h, conv_x, conv_h, conv_n):
    from keras import ops

    gx, gh = conv_x(x), conv_h(h)
    f = h.shape[-1]
    z = ops.sigmoid(gx[..., :f] + gh[..., :f])
    n = ops.tanh(gx[..., 2 * f:] + conv_n(h))
    return (1.0 - z) * h + z * n


def _fuse_wrong_direction(burst):
    from srkit.degrade import upscale

    s, (_, h, w, c) = burst.scale, burst.frames.shape
    total, count = np.zeros((h * s, w * s, c)), np.zeros((h * s, w * s, 1))
    for frame, shift in zip(burst.frames, burst.shifts):
        dy, dx = -np.round(shift * s).astype(int)
        big = upscale(frame / 255.0, s)
        y0, y1, x0, x1 = max(0, dy), min(h * s, h * s + dy), max(0, dx), min(w * s, w * s + dx)
        total[y0:y1, x0:x1] += big[y0 - dy:y1 - dy, x0 - dx:x1 - dx]
        count[y0:y1, x0:x1] += 1
    return np.clip(total / np.maximum(count, 1), 0, 1)


def _fuse_plain_mean(burst):
    from srkit.degrade import upscale

    s = burst.scale
    total = 0
    for frame, shift in zip(burst.frames, burst.shifts):
        dy, dx = np.round(shift * s).astype(int)
        total = total + np.roll(upscale(frame / 255.0, s), (dy, dx), axis=(0, 1))
    return np.clip(total / len(burst.frames), 0, 1)


def _stub(*args):
    raise NotImplementedError


WRONG = {  # key -> [(a subtly wrong answer, words the feedback must contain)]
    "00.3": [(lambda lr, s: np.repeat(lr, s, axis=0), "shape"),
             (lambda lr, s: np.repeat(np.repeat(lr, s, 0), s, 1).astype(np.float64), "dtype"),
             (lambda lr, s: np.repeat(np.repeat(lr, s, 0), s, 1)[::-1].copy(), "values differ")],
    "00.4": [(lambda hr, s: hr[hr.shape[0] % s:, hr.shape[1] % s:], "values differ"),
             (lambda hr, s: hr[:-(hr.shape[0] % s), :-(hr.shape[1] % s)], "shape")],
    "01.4": [(_full_range_y, "values differ"), (_rounded_y, "dtype")],
    "01.5": [(_psnr_no_shave, "off by"), (_psnr_rgb, "off by")],
    "02.3": [(_srcnn_3x3_mapping, "kernel shape"), (_srcnn_no_relu, "activation"), (_srcnn_valid, "padding"),
             (lambda: "srcnn", "not a keras.Model")],
    "02.4": [(_conv_flipped, "values differ"), (_conv_valid, "shape")],
    "03.3": [(_shuffle_transposed, "values differ"), (_shuffle_channels_first, "values differ"),
             (lambda x, r: x.reshape(x.shape[0], x.shape[1] * r, x.shape[2] * r, -1), "values differ")],
    "03.4": [(lambda h, w, k, ci, co: k * k * ci * co * h * w, "0.5 times"),
             (lambda h, w, k, ci, co: 2 * k * k * ci * co * h * w + 2 * co * h * w, "FLOPs")],
    "04.3": [(_d_loss_standard, "off by"), (_d_loss_pairwise, "off by")],
    "04.4": [(lambda a, b, alpha: [alpha * x + (1 - alpha) * y for x, y in zip(a, b)], "values differ"),
             (lambda a, b, alpha: [(1 - alpha) * x + alpha * y for x, y in zip(a[:-1], b[:-1])], "weight tensors")],
    "05.3": [(_gru_swapped, "values differ"), (_gru_no_reset, "values differ")],
    "05.4": [(_fuse_wrong_direction, "values differ"), (_fuse_plain_mean, "values differ")],
    "06.1": [(lambda t, lr, n, w: lr * (0.01 + 0.99 * 0.5 * (1 + np.cos(np.pi * min(t, n) / n))), "schedule gives"),
             (lambda t, lr, n, w: lr * t / w if t < w else lr * 0.5 * (1 + np.cos(np.pi * min(t - w, n - w) / (n - w))),
              "schedule gives")],
    "06.2": [(lambda lr, hr, k, f: (np.rot90(lr[:, ::-1] if f else lr, k), np.rot90(hr[:, ::-1] if f else hr, k)),
              "values differ"),
             (lambda lr, hr, k, f: (np.rot90(lr, k)[::-1] if f else np.rot90(lr, k), np.rot90(hr, k)[::-1] if f else np.rot90(hr, k)),
              "values differ")],
    "07.1": [(lambda hr, f: hr[:, ::f, ::f], "values differ"),
             (lambda hr, f: hr.reshape(hr.shape[0], f, hr.shape[1] // f, f, hr.shape[2] // f, -1).mean(axis=(1, 3)),
              "values differ"),
             (lambda hr, f: hr.reshape(hr.shape[0], hr.shape[1] // f, f, hr.shape[2] // f, f, -1).mean(axis=2), "shape"),
             (lambda hr, f: hr.reshape(hr.shape[0], hr.shape[1] // f, f, hr.shape[2] // f, f, -1).sum(axis=(2, 4)),
              "values differ")],
    "07.2": [(lambda n, sx, sy, a: _aniso(n, sx, sy, -a), "values differ"),
             (lambda n, sx, sy, a: _aniso(n, sx, sy, a, y_up=False), "values differ"),
             (lambda n, sx, sy, a: _aniso(n, np.sqrt(sx), np.sqrt(sy), a), "values differ"),
             (lambda n, sx, sy, a: _aniso(n, sx, sy, a) / _aniso(n, sx, sy, a).max(), "values differ")],
    "08.1": [(lambda k, b, k1, b1, i: _fuse(k, b, k1, b1, i, at=(0, 0)), "the kernel: "),
             (lambda k, b, k1, b1, i: _fuse(k, b, k1, b1, i, eye=np.ones), "the kernel: "),
             (lambda k, b, k1, b1, i: (_fuse(k, b, k1, b1, i)[0], b), "the bias: "),
             (lambda k, b, k1, b1, i: _fuse(k, b, k1, b1, i)[0], "return the pair")],
    "08.2": [(lambda a: _diffusion(a, absolute=False), "off by"), (lambda a: _diffusion(a, sort=False), "off by"),
             (lambda a: 100 - _diffusion(a), "off by")],
    "08.7": [(lambda x, lo, hi: _fake_quant(x, lo, hi, hold_zero=False), "values differ"),
             (lambda x, lo, hi: _fake_quant(x, lo, hi, levels=256), "values differ"),
             (lambda x, lo, hi: _fake_quant(x, lo, hi, clip=False), "values differ"),
             (lambda x, lo, hi: np.asarray(x, np.float32), "values differ")],
    "09.3": [(lambda g: (g - _mscn_mean(g)) / (_mscn_std(g) + 1e-9), "values differ"),
             (lambda g: (g - _mscn_mean(g, "constant")) / (_mscn_std(g, "constant") + 1), "values differ")],
}


def _aniso(size, sx, sy, angle, y_up=True):
    r = np.arange(size) - size // 2
    xx, yy = np.meshgrid(r, -r if y_up else r)
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, -s], [s, c]])
    inv = np.linalg.inv(rot @ np.diag([sx ** 2, sy ** 2]) @ rot.T)
    p = np.stack([xx, yy], axis=-1)
    k = np.exp(-0.5 * np.einsum("...i,ij,...j->...", p, inv, p))
    return k / k.sum()


def _fuse(kernel, bias, kernel_1x1, bias_1x1, identity, at=None, eye=None):
    k, _, c_in, c_out = kernel.shape
    r, c = at if at is not None else (k // 2, k // 2)
    fused = kernel.astype(np.float64)
    fused[r, c] += kernel_1x1[0, 0]
    if identity:
        fused[r, c] += eye((c_in, c_out)) if eye else np.eye(c_in, c_out)
    return fused.astype(np.float32), (bias + bias_1x1).astype(np.float32)


def _fake_quant(x, lo, hi, hold_zero=True, levels=255, clip=True):
    if hold_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / levels
    zero = np.round(-128 - lo / scale)
    q = np.round(np.asarray(x, np.float64) / scale) + zero
    q = np.clip(q, -128, 127) if clip else q
    return ((q - zero) * scale).astype(np.float32)


def _diffusion(a, absolute=True, sort=True):
    v = (np.abs(a) if absolute else np.asarray(a, dtype=np.float64)).ravel()
    v = np.sort(v) if sort else v
    n, i = v.size, np.arange(1, v.size + 1)
    return (1 - ((2 * i - n - 1) * v).sum() / (n * v.sum())) * 100


def _mscn_mean(g, mode="nearest"):
    from scipy.ndimage import correlate

    from srkit.degrade import gaussian_kernel

    return correlate(g, gaussian_kernel(7 / 6, 7), mode=mode)


def _mscn_std(g, mode="nearest"):
    return np.sqrt(np.abs(_mscn_mean(g * g, mode) - _mscn_mean(g, mode) ** 2))


def test_every_build_exercise_has_wrong_versions():
    assert sorted(WRONG) == BUILD


@pytest.mark.parametrize("key", BUILD)
def test_a_subtly_wrong_build_is_reported_with_what_differs(key):
    for wrong, words in WRONG[key]:
        text = feedback(key, wrong)
        assert not is_correct(key, wrong)
        assert text.startswith(f"Exercise {key}: not yet: ") and words in text and "Hint:" in text, text


@pytest.mark.parametrize("key", BUILD)
def test_placeholders_are_not_answered_yet(key):
    assert "not answered yet" in feedback(key, _stub) and "NotImplementedError" in feedback(key, _stub)
    assert "returned None" in feedback(key, lambda *a: None)
    assert "not yet" in feedback(key, 42) and "not answered" not in feedback(key, 42)


def test_the_difference_is_located():
    text = feedback("03.3", _shuffle_transposed)
    assert re.search(r"\d+ of \d+ values differ; the largest difference is at index \(\d+, \d+, \d+, \d+\)", text)
    assert "instead of" in text and "off by" in text
    crash = feedback("01.5", lambda sr, hr, s: sr.missing)
    assert "raised AttributeError" in crash and "on 24x30 RGB images" in crash


def test_feedback_never_raises(capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    for key in EXERCISES:
        check(key, None)
        check(key, ...)
        check(key, object())
    out = capsys.readouterr().out
    assert out.count("not answered yet") == 2 * len(EXERCISES)
    assert out.count("Hint:") == len(EXERCISES)
    with pytest.raises(KeyError, match="No exercise"):
        check("99.9", 1)


def test_under_the_autograder_a_wrong_answer_fails_its_cell(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(AssertionError, match="not yet"):
        check("05.1", 19)
    with pytest.raises(AssertionError, match="not answered yet"):
        check("03.3", _stub)
    check("05.1", 21)  # a right answer passes
    assert capsys.readouterr().out.count("Exercise 05.1") == 2


# ---- worked solutions: read from the teacher's folder, absent from a student's copy -----------------------
def test_solution_prints_the_teachers_file(capsys, monkeypatch):
    monkeypatch.delenv(SOLUTIONS_ENV, raising=False)
    monkeypatch.chdir(SOLUTIONS.parents[1])  # the repository root
    assert solutions_folder() == SOLUTIONS
    for key in EXERCISES:
        solution(key)
        assert (SOLUTIONS / f"{key}.py").read_text().strip() in capsys.readouterr().out
    monkeypatch.chdir(SOLUTIONS.parent)  # the notebooks' folder, where Jupyter runs them
    assert solutions_folder() == SOLUTIONS


def test_without_solutions_solution_says_so(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv(SOLUTIONS_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert solutions_folder() is None
    solution("01.2")
    out = capsys.readouterr().out
    assert "not part of this copy" in out and "teacher" in out
    monkeypatch.setenv(SOLUTIONS_ENV, str(SOLUTIONS))
    solution("01.2")
    assert (SOLUTIONS / "01.2.py").read_text().strip() in capsys.readouterr().out
    with pytest.raises(KeyError, match="No exercise"):
        solution("99.9")


def test_the_package_holds_no_solution_code():
    import srkit

    package = "\n".join(p.read_text() for p in Path(srkit.__file__).parent.rglob("*.py"))
    for key in EXERCISES:
        for line in (SOLUTIONS / f"{key}.py").read_text().splitlines():
            line = line.strip()
            if line.startswith("answer =") and len(line) > 20:
                assert line not in package, f"the package holds the solution line of {key}: {line!r}"


def test_a_model_is_accepted_as_well_as_its_builder():
    import keras

    build = _run_solution("02.3")
    assert is_correct("02.3", build()) and is_correct("02.3", build)
    assert "kernel shape" in feedback("02.3", _srcnn_3x3_mapping())
    assert "not a keras.Model" in feedback("02.3", lambda: keras.layers.Dense(1))
