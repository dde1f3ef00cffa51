"""Cost of a model: parameters, FLOPs and measured CPU latency (for the efficiency chapter and the cards).

FLOPs are counted analytically (2 x multiply-accumulates of every convolution and dense layer at the
resolution it runs at), so they do not depend on the machine; latency is measured, so it does.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from .errors import InvalidValueError, check_choice, check_int

__all__ = ["count_flops", "latency_ms", "cost_table", "flops_per_output_pixel", "reference_points", "pareto_front",
           "quality_cost", "REFERENCE_FILE", "COST_COLUMNS"]


def count_flops(model, input_hw: tuple[int, int], channels: int | None = None) -> int:
    """FLOPs (2 x MACs) of one forward pass on an input of ``input_hw`` pixels.

    Counts Conv2D, Conv2DTranspose and Dense layers (the rest are negligible).
    """
    import keras

    c = channels or model.input_shape[-1]
    fixed = model.input_shape[1]
    hw = (fixed, model.input_shape[2]) if fixed is not None else tuple(input_hw)
    layers = [l for l in model.layers if isinstance(l, (keras.layers.Conv2D, keras.layers.Conv2DTranspose, keras.layers.Dense))]
    probe = keras.Model(model.input, [l.output for l in layers] + [l.input for l in layers])
    outs = probe(np.zeros((1, *hw, c), np.float32))
    n = len(layers)
    flops = 0
    for layer, out, inp in zip(layers, outs[:n], outs[n:]):
        if isinstance(layer, keras.layers.Dense):
            flops += 2 * int(np.prod(layer.kernel.shape))
        elif isinstance(layer, keras.layers.Conv2DTranspose):
            kh, kw, cout, cin = layer.kernel.shape
            flops += 2 * kh * kw * cin * cout * int(np.prod(inp.shape[1:3]))
        else:
            kh, kw, cin, cout = layer.kernel.shape
            flops += 2 * kh * kw * cin * cout * int(np.prod(out.shape[1:3]))
    return int(flops)


def latency_ms(model, input_hw: tuple[int, int], repeats: int = 5, warmup: int = 3) -> float:
    """Median wall time (ms) of one forward pass on this machine, after ``warmup`` untimed passes (the first
    few calls of some models, FSRCNN's transposed convolution among them, are erratic on a CPU)."""
    c = model.input_shape[-1]
    x = np.random.default_rng(0).random((1, *input_hw, c), dtype=np.float32)
    for _ in range(max(1, int(warmup))):
        np.asarray(model(x, training=False))
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        np.asarray(model(x, training=False))
        times.append(time.perf_counter() - t)
    return float(np.median(times) * 1000)


def cost_table(models: dict, scale: int, lr_hw: tuple[int, int] = (128, 128), timing: bool = True, repeats: int = 3):
    """One row per model: parameters, GFLOPs per output megapixel and (optionally) CPU ms per output megapixel.

    ``models`` maps a label to ``(model, pre_upsampling)``; pre-upsampling models are run on the
    ``scale``-times larger input, as they are in use.
    """
    import pandas as pd

    rows = []
    out_mp = lr_hw[0] * lr_hw[1] * scale * scale / 1e6
    for label, (model, pre) in models.items():
        hw = (lr_hw[0] * scale, lr_hw[1] * scale) if pre else lr_hw
        row = {"model": label, "params": int(model.count_params()),
               "gflops_per_mp": count_flops(model, hw) / 1e9 / out_mp}
        if timing:
            row["cpu_ms_per_mp"] = latency_ms(model, hw, repeats) / out_mp
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------------
# The quality-cost plane: the zoo's measured PSNR against parameters, FLOPs and CPU time, next to published
# efficient-SR results (srkit/reference/efficient_sr.json).

#: The published efficient-SR results (parameters, multiply-adds at 1280x720, Set5/Urban100 PSNR), with sources.
REFERENCE_FILE = Path(__file__).resolve().parent / "reference" / "efficient_sr.json"

#: The cost columns of :func:`quality_cost` and what they mean (axis labels of :func:`srkit.viz.quality_cost_plot`).
COST_COLUMNS = {
    "params": "parameters",
    "gflops": "GFLOPs per 1280x720 output (2 x multiply-adds)",
    "ms_per_mp": "CPU ms per output megapixel (this machine)",
}


def _all_flops(model, input_hw: tuple[int, int]) -> int:
    """:func:`count_flops` plus what it does not see: a convolution applied several times with the same
    weights (DRCN's recursion: ``count_flops`` counts its first call only) and recurrent layers (GRU/LSTM
    inside a layer such as :class:`srkit.models.layers.RowRNN`: one step per pixel of the layer's input)."""
    import keras

    flops = count_flops(model, input_hw)
    conv = (keras.layers.Conv2D, keras.layers.Conv2DTranspose)
    shared = [l for l in model.layers if isinstance(l, conv) and len(l._inbound_nodes) > 1]
    recurrent = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.RNN):
            rnns = [layer]
        else:
            rnns = [s for s in layer._flatten_layers(include_self=False) if isinstance(s, keras.layers.RNN)]
        if rnns:
            recurrent.append((layer, rnns))
    if not shared and not recurrent:
        return flops
    tensors, plan = [], []
    for layer in shared:  # every call after the first: 2 x MACs at the size count_flops uses for the first
        for node in layer._inbound_nodes[1:]:
            plan.append(("conv", layer, len(tensors)))
            transposed = isinstance(layer, keras.layers.Conv2DTranspose)
            tensors.append(node.input_tensors[0] if transposed else node.outputs[0])
    for layer, rnns in recurrent:  # one step per pixel of the layer's input (a row or column is a sequence)
        plan.append(("rnn", (layer, rnns), len(tensors)))
        tensors.append(layer.input)
    c = model.input_shape[-1]
    outs = keras.Model(model.input, tensors)(np.zeros((1, *input_hw, c), np.float32))
    outs = outs if isinstance(outs, (list, tuple)) else [outs]
    for kind, what, i in plan:
        pixels = int(np.prod(outs[i].shape[1:3]))
        if kind == "conv":
            kh, kw, a, b = what.kernel.shape  # Conv2D (kh, kw, in, out); Conv2DTranspose (kh, kw, out, in)
            flops += 2 * kh * kw * a * b * pixels
        else:
            for rnn in what[1]:
                cell = rnn.cell
                flops += 2 * pixels * (int(np.prod(cell.kernel.shape)) + int(np.prod(cell.recurrent_kernel.shape)))
    return int(flops)


def _input_kind(model, scale: int) -> str:
    """``'lr'`` (output ``scale`` times the input) or ``'pre_upsampled'`` (output the size of the input)."""
    if len(model.input_shape) != 4:
        raise InvalidValueError(f"{model.name} takes input of shape {model.input_shape}, not one image (B, h, w, C); "
                                "the quality-cost plane compares single-image models (burst models see several "
                                "frames, so their PSNR is not comparable). Leave it out of models=.")
    h = 12
    out = model(np.zeros((1, h, h, model.input_shape[-1]), np.float32), training=False)
    ratio = out.shape[1] / h
    if ratio == scale:
        return "lr"
    if ratio == 1:
        return "pre_upsampled"
    raise InvalidValueError(f"{model.name}'s output is {ratio:g} times its input, neither 1 (pre-upsampling) nor "
                            f"the scale {scale}. Pass the model trained for x{scale}.")


def flops_per_output_pixel(model, scale: int, probe_hw: tuple[int, int] = (24, 32)) -> float:
    """FLOPs (2 x MACs) the model spends per output pixel, counted exactly on two small inputs.

    For a fully-convolutional model every layer runs at a size proportional to the image, so FLOPs are
    (FLOPs per output pixel) x (output pixels) exactly: the count on a ``probe_hw`` LR input (and on one 8 pixels
    larger each way) gives the cost at any size, e.g. for a 1280x720 output, without building a 720p graph.
    The two counts are compared; if they differ (a Dense layer, a fixed-size input) an
    :class:`~srkit.errors.InvalidValueError` says so.  Pre-upsampling models (SRCNN, DRCN) are counted on the
    ``scale`` times larger input they run on.  Besides :func:`count_flops`'s layers, it counts repeated calls
    of a shared convolution (DRCN's recursion) and recurrent layers (one step per pixel).

        >>> from srkit import zoo
        >>> f = flops_per_output_pixel(zoo.load("espcn", 2), 2)    # 10592.0 (2 x 5296 MACs per output pixel)
        >>> f * 1280 * 720 / 1e9                                      # 9.76 GFLOPs for a 720p output
    """
    scale = check_int("scale", scale, low=1)
    kind = _input_kind(model, scale)
    per_pixel = []
    for extra in (0, 8):
        lr = (int(probe_hw[0]) + extra, int(probe_hw[1]) + extra)
        hw = (lr[0] * scale, lr[1] * scale) if kind == "pre_upsampled" else lr
        per_pixel.append(_all_flops(model, hw) / (lr[0] * lr[1] * scale * scale))
    if not np.isclose(per_pixel[0], per_pixel[1], rtol=1e-9, atol=0):
        raise InvalidValueError(f"The FLOPs of {model.name} do not grow in proportion to the image "
                                f"({per_pixel[0]:.1f} vs {per_pixel[1]:.1f} per output pixel): it is not fully "
                                "convolutional. Count it at the real size with count_flops(model, input_hw).")
    return float(per_pixel[0])


def _reference() -> dict:
    return json.loads(REFERENCE_FILE.read_text())


def reference_points(scale: int, dataset: str = "Set5"):
    """The published efficient-SR results at ``scale`` (2 or 4) as a DataFrame (``kind='published'``).

    Columns: ``model``, ``kind``, ``scale``, ``dataset``, ``psnr``, ``params``, ``gflops`` (2 x the paper's
    multiply-adds for a 1280x720 output, the kit's FLOPs convention), ``macs_g`` (as printed), ``input``
    (``'lr'``, or ``'pre_upsampled'`` for VDSR), ``source``.
    Rows without a number for ``dataset`` are left out.  Every number and its source are in
    :data:`REFERENCE_FILE`.

        >>> reference_points(4)[["model", "psnr", "params", "gflops"]]    # CARN 32.13 dB, 1592000, 181.8 ...
    """
    import pandas as pd

    ref = _reference()
    datasets = sorted({k for e in ref["entries"] for r in e["results"].values() for k in r
                       if k not in ("params", "macs_g")})
    scale = check_int("scale", scale, low=1)
    check_choice("dataset", dataset, datasets, hint="These are the datasets the published reference points give.")
    rows = []
    for e in ref["entries"]:
        r = e["results"].get(str(scale))
        if r is None or r.get(dataset) is None:
            continue
        src = e["source"]
        rows.append({"model": e["model"], "kind": "published", "scale": scale, "dataset": dataset,
                     "psnr": float(r[dataset]), "params": int(r["params"]),
                     "gflops": 2.0 * r["macs_g"] if r.get("macs_g") is not None else np.nan,
                     "macs_g": r.get("macs_g"), "input": e.get("input", "lr"), "source": f"{src['paper'].split(':')[0]}, {src['venue']} {src['year']}"})
    # no rows at scales the papers do not cover (x3, x8 here): quality_cost then shows the zoo alone
    return pd.DataFrame(rows, columns=["model", "kind", "scale", "dataset", "psnr", "params", "gflops", "macs_g",
                                       "input", "source"])


def pareto_front(table, cost: str, quality: str = "psnr"):
    """The Pareto-optimal rows of ``table``: no other row is at least as good on both axes (``cost`` no
    higher, ``quality`` no lower) and strictly better on one.

    Ties: rows with exactly the same cost and quality are both on the front; of two rows with the same cost
    only the higher quality one is (and of two with the same quality, only the cheaper one).  Rows whose
    cost or quality is missing (NaN, e.g. a published model's CPU time) are never on the front.  Returns the
    front's rows (the original index kept), sorted by cost.

        >>> import pandas as pd
        >>> t = pd.DataFrame({"model": list("abc"), "params": [10, 20, 30], "psnr": [30.0, 29.0, 31.0]})
        >>> list(pareto_front(t, "params")["model"])          # b costs more than a and is worse
        ['a', 'c']
    """
    for name, col in (("cost", cost), ("quality", quality)):
        if not isinstance(col, str) or col not in table.columns:
            numeric = [c for c in table.columns if np.issubdtype(np.asarray(table[c]).dtype, np.number)]
            raise InvalidValueError(f"{name}={col!r} is not a column of the table; pick one of its numeric columns: "
                                    f"{', '.join(map(str, numeric)) or '(none)'}.")
    c = np.asarray(table[cost], dtype=float)
    q = np.asarray(table[quality], dtype=float)
    ok = np.isfinite(c) & np.isfinite(q)
    # row j dominates row i: c_j <= c_i, q_j >= q_i, one of them strict
    no_worse = (c[None, :] <= c[:, None]) & (q[None, :] >= q[:, None])
    better = (c[None, :] < c[:, None]) | (q[None, :] > q[:, None])
    dominated = (no_worse & better & ok[None, :]).any(axis=1)
    front = table[ok & ~dominated]
    return front.sort_values(cost, kind="stable")


def quality_cost(scale: int, dataset: str = "Set5", models=None, timing: bool = True,
                 output_hw: tuple[int, int] = (720, 1280), cost: str = "gflops", published: bool = True,
                 timing_hw: tuple[int, int] = (192, 288), repeats: int = 5):
    """The quality-cost plane at ``scale``: one row per zoo model (its card's measured PSNR) and, with
    ``published=True``, the published efficient-SR results (:func:`reference_points`, ``kind='published'``).

    Columns: ``model``, ``kind`` (``'zoo'`` or ``'published'``), ``scale``, ``dataset``, ``psnr``, ``params``,
    ``gflops`` (FLOPs = 2 x MACs for one ``output_hw`` output: the zoo's counted per output pixel by
    :func:`flops_per_output_pixel`, exact for these fully-convolutional models; the papers' multiply-adds x 2),
    ``ms_per_mp`` (zoo only, with ``timing``: median CPU milliseconds of ``repeats`` forward passes, after a
    warm-up, for a ``timing_hw`` output, per output megapixel; it depends on the machine and its load; for
    pre-upsampling models the network alone, without the bicubic upscaling before it),
    ``input`` (``'lr'`` or ``'pre_upsampled'``), ``source`` and ``pareto`` (on the front of :func:`pareto_front`
    for ``cost``, higher PSNR and lower cost being better).

    Args:
        scale: the zoo's scales (2, 3, 4, 8); the papers' points exist at 2 and 4.
        dataset: a dataset the zoo's cards score (Set5, Set14, BSD100); published points are given for Set5
            (and Urban100, which the cards do not have), so other datasets show the zoo alone.
        models: zoo model names at ``scale`` (default: every single-image zoo model at that scale; the burst
            models ``multiframe_rnn``/``singleframe_rnn`` are left out: they see several frames).
        cost: the cost column the ``pareto`` column is computed for: ``'params'``, ``'gflops'`` or ``'ms_per_mp'``
            (published rows have no CPU time, so with ``'ms_per_mp'`` the front is the zoo's).

    Caveats the table cannot show: the zoo models are luma (1-channel) networks trained briefly on T91 + BSD200;
    the published ones are RGB networks trained long on DIV2K. Their first and last layers differ (3 channels).

        >>> t = quality_cost(2, timing=False)                       # every x2 zoo model + the papers, Set5
        >>> t[t.pareto][["model", "kind", "psnr", "gflops"]]        # the front for GFLOPs
        >>> quality_cost(4, models=["espcn", "fsrcnn"], cost="ms_per_mp")
    """
    import pandas as pd

    from . import zoo

    scale = check_int("scale", scale, low=1)
    check_choice("cost", cost, list(COST_COLUMNS), hint="It picks the cost axis of the Pareto front.")
    if cost == "ms_per_mp" and not timing:
        raise InvalidValueError("cost='ms_per_mp' needs CPU times: pass timing=True (or pick cost='params' or 'gflops').")
    repeats = check_int("repeats", repeats, low=1)
    oh, ow = (check_int("output_hw[0]", output_hw[0], low=1), check_int("output_hw[1]", output_hw[1], low=1))
    th, tw = (check_int("timing_hw[0]", timing_hw[0], low=scale), check_int("timing_hw[1]", timing_hw[1], low=scale))
    if timing and (th % scale or tw % scale):
        raise InvalidValueError(f"timing_hw={tuple(timing_hw)} is not a multiple of the scale {scale}; use an output "
                                "size divisible by it (the default (192, 288) divides by 2, 3, 4 and 8).")
    at_scale = {n: zoo.card(n, s) for n, s in zoo.available() if s == scale}
    if not at_scale:
        raise InvalidValueError(f"The zoo has no models at x{scale}; its scales are "
                                f"{sorted({s for _, s in zoo.available()})}. Pick one of those.")
    single = {n: c for n, c in at_scale.items() if c.get("input_kind", "single image") != "burst"}
    if models is None:
        names = sorted(single)
    else:
        names = [models] if isinstance(models, str) else list(models)
        if not names:
            raise InvalidValueError(f"models is empty; pass zoo model names at x{scale} ({', '.join(sorted(single))}) "
                                    "or None for all of them.")
        for n in names:
            if n not in at_scale:
                raise InvalidValueError(f"{n!r} is not a zoo model at x{scale}; the zoo has {', '.join(sorted(single))} "
                                        f"at x{scale}.")
            if n not in single:
                raise InvalidValueError(f"{n!r} is a burst model (it sees several frames, so its PSNR is not comparable "
                                        f"with single-image models); pick from {', '.join(sorted(single))}.")
    scored = list(dict.fromkeys(ds for n in names for ds in single[n]["scores"]))  # the cards' order
    if dataset not in scored or any(dataset not in single[n]["scores"] for n in names):
        raise InvalidValueError(f"dataset must be one of the datasets the zoo's cards score at x{scale}: {', '.join(scored)}; got "
                                f"{dataset!r}. (Urban100 has published points but no zoo scores: run srkit evaluate "
                                "on it and compare by hand.)")
    rows = []
    for n in names:
        c = single[n]
        model = zoo.load(n, scale)
        row = {"model": n, "kind": "zoo", "scale": scale, "dataset": dataset, "psnr": float(c["scores"][dataset]["psnr"]),
               "params": int(model.count_params()),
               "gflops": flops_per_output_pixel(model, scale) * oh * ow / 1e9,
               "ms_per_mp": np.nan, "input": _input_kind(model, scale), "source": f"zoo card {n}_x{scale}"}
        if timing:
            hw = (th, tw) if row["input"] == "pre_upsampled" else (th // scale, tw // scale)
            row["ms_per_mp"] = latency_ms(model, hw, repeats) / (th * tw / 1e6)
        rows.append(row)
    table = pd.DataFrame(rows)
    if published:
        given = {k for e in _reference()["entries"] for r in e["results"].values() for k in r}
        ref = reference_points(scale, dataset) if dataset in given else None
        if ref is not None and len(ref):
            ref = ref.drop(columns=["macs_g"]).assign(ms_per_mp=np.nan)
            if (oh, ow) != (720, 1280):  # the papers count for 1280x720: per output pixel, as for the zoo
                ref["gflops"] = ref["gflops"] * (oh * ow) / (720 * 1280)
            table = pd.concat([table, ref[table.columns]], ignore_index=True)
    table["pareto"] = table.index.isin(pareto_front(table, cost).index)
    table.attrs.update(scale=scale, dataset=dataset, output_hw=(oh, ow), cost=cost,
                       timing_hw=(th, tw) if timing else None)
    return table
