"""How strong a periodic grid an SR model's outputs carry: spectral peaks at the frequencies of a period-P grid.

    .venv/bin/python tools/gan_grid.py                         # edsr_gan and edsr x4 from the zoo, and the HR
    .venv/bin/python tools/gan_grid.py path/to/generator.keras # also a generator from a run folder

A GAN generator can add a faint checkerboard with the period of its upsampling steps (4 px at x4: two x2
pixel shuffles). On the Y channel of each Set14 x4 output this prints, for the frequencies ``(ky/P, kx/P)``
of a period-P grid (P = 4), the power at the frequency divided by the median power of its 7x7 neighbourhood
of frequencies, averaged over those frequencies; then the mean and median over the 14 images. A natural
image gives about 1-2; a visible grid gives tens to hundreds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def grid_peak_ratio(y: np.ndarray, period: int = 4) -> float:
    """Mean over the period-``period`` grid frequencies of power / median power of the 7x7 frequencies around."""
    f = np.abs(np.fft.fft2(y - y.mean())) ** 2
    h, w = f.shape
    ratios = []
    for ky in range(period):
        for kx in range(period):
            cy, cx = ky * h // period, kx * w // period
            if (ky, kx) == (0, 0) or not (3 <= cy < h - 3 and 3 <= cx < w - 3):
                continue
            ratios.append(f[cy, cx] / (np.median(f[cy - 3 : cy + 4, cx - 3 : cx + 4]) + 1e-9))
    return float(np.mean(ratios)) if ratios else float("nan")


def main() -> int:
    from srkit import zoo
    from srkit.color import rgb_to_y
    from srkit.data import load_benchmark
    from srkit.infer import KerasUpscaler
    from srkit.models import load_model

    def luma(img):
        return rgb_to_y(img.astype(np.float32)) if img.shape[-1] == 3 else img[..., 0].astype(np.float64)

    pairs = load_benchmark("Set14", 4)
    methods = {"edsr_gan": zoo.upscaler("edsr_gan"), "edsr": zoo.upscaler("edsr")}
    for path in sys.argv[1:]:
        methods[Path(path).name] = KerasUpscaler(load_model(path, compile=False))
    print("Set14 x4: power at the period-4 grid frequencies / median of their neighbourhood")
    print("| method | mean | median |\n|---|---|---|")
    for name, up in {**methods, "HR": None}.items():
        r = [grid_peak_ratio(luma(p.hr if up is None else up(p.lr, 4))) for p in pairs]
        print(f"| {name} | {np.mean(r):.1f} | {np.median(r):.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
