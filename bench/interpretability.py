"""Receptive fields (theoretical and measured) and LAM diffusion indices of the zoo's x3 models.

    python bench/interpretability.py            # writes bench/interpretability.json

On Set5 'baby', LR crop [40:104, 40:104] (64 x 64, output 192 x 192), for two 16 x 16 output windows:
flat skin at the centre (88, 88) and the eye's upper edge (57, 57). LAM: 32 integrated-gradient steps from
a Gaussian-blurred copy (sigma 8).  Also times LAM for the flagship on a 128 x 128 crop, with and without
running the network only on the part of the image the window can see (``crop=``).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODELS = ("srcnn", "espcn", "edsr", "drcn")
WINDOWS = {"flat skin (88, 88)": (88, 88, 16), "eye edge (57, 57)": (57, 57, 16)}


def main() -> int:
    from srkit import data, zoo
    from srkit import interpret as I

    t_start = time.time()
    load0 = os.getloadavg()
    pair = data.load_benchmark("Set5", 3)[0]
    lr = pair.lr[40:104, 40:104]
    models = {m: zoo.load(m, 3) for m in MODELS}
    for m in models.values():  # warm-up: the first call builds the graph
        I.lam(m, lr[:16, :16], (0, 0, 16), steps=1)
    rows = []
    for label, window in WINDOWS.items():
        t = I.receptive_field_table(models, lr, window=window, steps=32, sigma=8.0)
        print(label)
        print(t.to_string(float_format=lambda v: f"{v:.2f}"))
        for r in t.reset_index().to_dict("records"):
            rows.append({"window": label, **{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()}})
    timing = {}
    big = pair.lr[:128, :128]
    for crop in (True, False):
        t0 = time.perf_counter()
        r = I.lam(models["edsr"], big, (180, 180, 16), steps=32, crop=crop)
        timing[f"crop={crop}"] = {"seconds": round(time.perf_counter() - t0, 2), "diffusion_index": round(r.diffusion_index, 3)}
        print(f"edsr, 128x128 LR, 32 steps, crop={crop}: {timing[f'crop={crop}']}")
    out = {"command": "python bench/interpretability.py", "date": date.today().isoformat(),
           "machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "load_average_at_start": list(load0),
           "load_average_at_end": list(os.getloadavg()), "image": "Set5 baby x3, LR [40:104, 40:104]",
           "lam": {"steps": 32, "sigma": 8.0}, "rows": rows, "edsr_lam_timing_128px": timing,
           "wall_time_s": round(time.time() - t_start, 1)}
    (ROOT / "bench" / "interpretability.json").write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
