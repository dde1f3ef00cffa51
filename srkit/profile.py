"""Cost of a model: parameters, FLOPs and measured CPU latency (for the efficiency chapter and the cards).

FLOPs are counted analytically (2 x multiply-accumulates of every convolution and dense layer at the
resolution it runs at), so they do not depend on the machine; latency is measured, so it does.
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["count_flops", "latency_ms", "cost_table"]


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


def latency_ms(model, input_hw: tuple[int, int], repeats: int = 5) -> float:
    """Median wall time (ms) of one forward pass on this machine, after one warm-up pass."""
    c = model.input_shape[-1]
    x = np.random.default_rng(0).random((1, *input_hw, c), dtype=np.float32)
    model(x, training=False)
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
