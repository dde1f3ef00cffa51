import numpy as np


def fake_quant(x, lo, hi):
    lo, hi = min(lo, 0.0), max(hi, 0.0)  # the range must hold 0, so that 0 is exactly representable
    scale = (hi - lo) / 255.0  # 256 levels, -128 ... 127
    zero_point = np.round(-128 - lo / scale)  # the integer that stands for 0.0
    q = np.clip(np.round(np.asarray(x, np.float64) / scale) + zero_point, -128, 127)  # the int8 values
    return ((q - zero_point) * scale).astype(np.float32)  # back to floats: what the int8 network computes with


answer = fake_quant
