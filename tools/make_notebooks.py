"""Write the notebooks in notebooks/ from the cell lists below, then execute them in place.

    .venv/bin/python tools/make_notebooks.py            # write + execute all
    .venv/bin/python tools/make_notebooks.py 01         # only notebooks whose name starts with 01

Keeping the source here makes notebook changes reviewable as plain Python diffs.  Cells whose first
line is ``# NBVAL_CHECK_OUTPUT`` have their outputs compared by nbval (``make test``), so a silent
change in those numbers fails the suite; only those cells keep their outputs in the saved notebooks.  Execution uses SRKIT_SMOKE=1 (as CI does); checked cells must
print the same thing in smoke and full mode.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str):
    return new_code_cell(text.strip("\n"))


SETUP = """
# Every notebook starts the same way: quiet TensorFlow logs, inline figures, the kit.
import os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
%matplotlib inline
import numpy as np
import srkit
from srkit.env import smoke_mode
print("srkit", srkit.__version__, "| smoke mode:", smoke_mode())
"""

NB00 = [
    md("""
# 00 · Welcome to super-resolution

**Learning goals.** After this notebook you can

1. say what single-image and multi-image super-resolution (SR) are, and why SR is an *ill-posed* problem;
2. find your way around this kit: its notebooks, its `srkit` package and its data;
3. check whether TensorFlow sees a GPU on your machine;
4. load a benchmark image and compare upscaled versions of it, side by side and zoomed, with PSNR/SSIM.

Run the cells from top to bottom (Shift+Enter). Nothing here downloads anything: the data and the
models ship with the kit.
"""),
    md("""
## What is super-resolution?

A camera, a video codec or a thumbnailer throws pixels away. **Super-resolution** tries to get them
back: from a low-resolution image $y$ (LR) it estimates the high-resolution image $x$ (HR) that $y$
came from, $k$ times larger in each direction ($k$ is the *scale*, usually 2, 3 or 4).

The standard model of how $y$ was made is

$$ y = (x \\ast h)\\downarrow_k + n $$

blur with a kernel $h$, keep every $k$-th pixel, add noise $n$. Going backwards is **ill-posed**: many
HR images shrink to the same LR image, so an SR method must *choose* one, using what it knows about
natural images. Classical interpolation (bicubic) knows only that images are smooth; the neural
networks of the next notebooks learn much more from example pairs.

* **Single-image SR (SISR)**: one LR image in, one HR image out. All detail beyond smoothness must come
  from what the model has learned.
* **Multi-image SR (MISR)**: several LR images of the *same* scene, each shifted by a fraction of a pixel
  (a burst of photos, video frames). The shifts mean each frame samples the scene at different places,
  so together they hold *real* information that no single frame has.
"""),
    md("""
## The kit in order

| notebook | what you learn |
|---|---|
| **00 welcome** (this one) | what SR is, the kit, the data, the comparison widget |
| **01 degradation and metrics** | how LR images are made, interpolation baselines, PSNR and SSIM measured exactly as papers do |
| 02 CNN basics | why a classification network fails at SR; SRCNN trained live |
| 03 efficient CNNs | post-upsampling, sub-pixel convolution, FSRCNN, ESPCN, an EDSR-style residual net |
| 04 GANs | SRGAN-style training and the perception-distortion trade-off |
| 05 RNNs | recursion (DRCN), sequence models, multi-frame SR with ConvGRU |

Chapters 02-05 are being built; this notebook and 01 are the ground they stand on. The package
`srkit` holds all the code the notebooks call: `srkit.data` (datasets), `srkit.degrade` (making LR
images), `srkit.metrics` (PSNR/SSIM), `srkit.evaluate` (benchmark tables), `srkit.widgets` and
`srkit.viz` (pictures). Every function has a docstring: try `help(srkit.metrics.psnr)`.
"""),
    code(SETUP),
    md("""
## Your machine

Training neural networks is much faster on a GPU, but every notebook of this kit runs on a laptop CPU:
where training would take long, you can load the pretrained model instead. `srkit info` on the command
line prints the same report.
"""),
    code("""
from srkit.env import describe
for key, value in describe().items():
    print(f"{key:14s} {value}")
"""),
    md("""
## The data

The kit ships the datasets that SR papers use (see `data/README.md` for where each comes from):

* **training**: T91 (91 small images) and BSD200 (200 photos), together the "291 images" of VDSR and DRCN;
* **benchmarks**: Set5, Set14 and BSD100, each with the HR ground truth and LR inputs at x2, x3 and x4
  made with MATLAB's bicubic `imresize`, the inputs every paper reports on.
"""),
    code("""
from srkit import data
data.list_datasets()
"""),
    code("""
# NBVAL_CHECK_OUTPUT
pairs = data.load_benchmark("Set5", scale=3)
for p in pairs:
    print(f"{p.name:10s} LR {p.lr.shape}  ->  HR {p.hr.shape}")
"""),
    md("""
Each `Pair` holds the LR input and its HR ground truth. The HR is cropped to a multiple of the scale, so
it is exactly 3 times the LR size. Let us upscale the LR image of the baby three ways: **nearest**
(repeat each pixel), **bilinear** and **bicubic** (fit smooth curves through the pixels).
"""),
    code("""
from srkit.degrade import upscale
from srkit.viz import image_grid

baby = pairs[0]
outputs = {m: upscale(baby.lr, 3, m) for m in ("nearest", "bilinear", "bicubic")}
image_grid({"LR input": baby.lr, **outputs, "HR (ground truth)": baby.hr}, zoom_box=(110, 190, 90), ncols=5, size=2.6);
"""),
    md("""
## The comparison widget

Pictures side by side are the heart of SR work: numbers hide *where* a method fails. The widget below
shows every image of one scene with **one shared zoom window**: move it with the `x`/`y` sliders and
resize it with `zoom`. Under each crop you see the image's **PSNR / SSIM** against the ground truth
(measured the paper way, next notebook explains) and the PSNR of the crop alone. The bottom row is a
**before/after swipe** between any two images: pick them and drag the divider.
"""),
    code("""
from srkit.widgets import compare

widget = compare({**outputs, "HR": baby.hr}, reference="HR", crop_border=3, zoom_size=64)
widget
"""),
    md("""
The widget's logic is plain Python in `widget.state`, so you can also drive it from code, which is
handy for reproducible figures. Here we centre the zoom on the baby's eye and read the numbers:
"""),
    code("""
# NBVAL_CHECK_OUTPUT
state = widget.state
state.center_on(155, 235)
state.resize_zoom(48)
print("zoom box (x, y, size):", state.zoom.as_tuple())
for label in state.labels:
    print(f"{label:9s} {state.metric_text(label)}")
print("closest to HR:", state.best())
"""),
    code("""
widget.render()   # redraw after changing the state from code
widget
"""),
    md("""
## Summary

* SR estimates a high-resolution image from a low-resolution one (SISR) or from several shifted ones (MISR).
  It is ill-posed: an SR method must choose among many HR images that fit.
* The kit ships training sets (T91, BSD200) and benchmarks (Set5, Set14, BSD100) with the exact LR inputs
  papers use; `srkit.data.load_benchmark(name, scale)` loads them.
* Even classical interpolations differ visibly and measurably; the comparison widget shows both.

## Exercises

Write your answer in place of `None` and run the cell: `check` tells you if it is right, or gives a hint.
`srkit.exercises.solution("00.1")` shows a worked solution.
"""),
    code("""
from srkit.exercises import check, solution

# 1. How many pixels does the x4 low-resolution input of Set5 'butterfly' have?
answer_1 = None
check("00.1", answer_1)
"""),
    code("""
# 2. Of nearest, bilinear and bicubic, which gives the highest PSNR on Set5 'baby' at x3?
#    (Hint: the widget's state knows.)  Answer with the method's name, e.g. "bilinear".
answer_2 = None
check("00.2", answer_2)
"""),
    md("""
**Think further.** Zoom the widget onto the baby's eyelashes and onto the smooth cheek. Where does
bicubic beat nearest by the most? Why would a PSNR averaged over the whole image hide this?
"""),
]

NB01 = [
    md("""
# 01 · Degradation and metrics: measuring SR the way papers do

**Learning goals.** After this notebook you can

1. make low-resolution images exactly as SR benchmarks do (MATLAB bicubic `imresize`), and other
   degradations (blur, noise, JPEG);
2. explain antialiasing and why the choice of resize function changes every number;
3. compute PSNR and SSIM with the standard protocol (Y channel, border shave, per-image mean) and say
   how much each protocol choice moves the result;
4. reproduce the published bicubic baseline table to within 0.03 dB.

*Why this matters:* the most common complaint in SR projects is "my PSNR does not match the paper". It
is nearly always a different degradation or metric, not a better or worse model.
"""),
    code(SETUP),
    md("""
## 1. How LR images are made

Benchmarks create their LR inputs with MATLAB's `imresize(HR, 1/k, 'bicubic')`. It is *not* the same as
PIL, OpenCV or `tf.image.resize`:

* the cubic kernel (Keys, $a=-0.5$) is **stretched by $k$ when shrinking** (antialiasing): each LR pixel
  averages a $4k$-pixel-wide neighbourhood instead of sampling 4 pixels, which removes the frequencies
  the LR grid cannot represent;
* the image is resized rows first, then columns, and 8-bit images are rounded after each pass;
* pixel *centres* are aligned, so LR pixel $i$ sits at HR position $k i + (k-1)/2$.

`srkit.degrade.imresize` re-implements all of it. Check it against the shipped file:
"""),
    code("""
# NBVAL_CHECK_OUTPUT
from srkit import data, degrade

pair = data.load_benchmark("Set5", 4)[0]            # baby, x4: LR from the benchmark files
ours = degrade.bicubic_downsample(pair.hr, 4)        # our MATLAB-compatible imresize
diff = np.abs(ours.astype(int) - pair.lr.astype(int))
print("LR size:", ours.shape, "| pixels that differ:", int((diff > 0).sum()), "| largest difference:", diff.max())
"""),
    md("""
Identical. The test suite checks this for every image of Set5, Set14 and BSD100 at x2, x3 and x4.

### Antialiasing, seen

Shrink a pattern of fine stripes by 3 with and without antialiasing. Without it, the LR image shows
stripes that are not in the original at all (aliasing); with it, detail too fine for the LR grid becomes
grey, as it should.
"""),
    code("""
from srkit.viz import image_grid

yy, xx = np.mgrid[0:240, 0:240]
zone = (127.5 + 127.5 * np.cos(0.008 * ((xx - 120) ** 2 + (yy - 120) ** 2))).astype(np.uint8)  # a zone plate
image_grid({
    "original 240x240": zone,
    "x1/3, antialiased": degrade.imresize(zone, 1 / 3),
    "x1/3, no antialiasing": degrade.imresize(zone, 1 / 3, antialiasing=False),
}, size=3);
"""),
    md("""
### Other degradations

Real LR images are also blurred by optics, noisy and compressed. `Degradation` implements the
classical model $y = \\mathrm{JPEG}((x \\ast h)\\downarrow_k + n)$ with the presets papers use: **BI**
(bicubic only, the benchmarks), **BD** (Gaussian blur $\\sigma=1.6$, then bicubic; RDN) and **DN**
(bicubic, then noise $\\sigma=30$).
"""),
    code("""
from srkit.degrade import Degradation

hr = pair.hr
lrs = {
    "BI": Degradation.BI(4)(hr),
    "BD": Degradation.BD(4)(hr),
    "DN (sigma 30)": Degradation.DN(4)(hr, rng=0),
    "JPEG q=20": Degradation(4, jpeg_quality=20)(hr),
}
image_grid(lrs, zoom_box=(50, 40, 24), size=2.8);
"""),
    md("""
## 2. Interpolation baselines

The simplest upscalers resample the LR grid with a fixed kernel. `srkit.evaluate.evaluate` scores any
upscaler on the benchmarks. Here all of them on Set5 and Set14 at x3:
"""),
    code("""
# NBVAL_CHECK_OUTPUT
import pandas as pd
from srkit.evaluate import evaluate

methods = ["nearest", "bilinear", "bicubic", "lanczos3"]
baselines = pd.concat([evaluate(m, ["Set5", "Set14"], 3) for m in methods], ignore_index=True)
print(baselines.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
"""),
    code("""
from srkit.viz import metric_bars
metric_bars(baselines, "psnr", group="dataset", hue="method");
"""),
    md("""
## 3. PSNR and SSIM

**PSNR** compares pixel values: with $\\mathrm{MSE} = \\frac{1}{N}\\sum (\\hat{x} - x)^2$ on the 0-255
scale, $\\mathrm{PSNR} = 10 \\log_{10} (255^2 / \\mathrm{MSE})$ dB. +1 dB means about 21% less squared error.

**SSIM** (Wang et al., 2004) compares local means, contrasts and structure in an 11x11 Gaussian window
($\\sigma = 1.5$), giving 1 for identical images.

The **protocol** that SR papers use, and `srkit.metrics` implements:

1. convert RGB to luma **Y** (ITU-R BT.601, studio swing): $Y = 16 + 65.481R + 128.553G + 24.966B$ with
   $R,G,B \\in [0,1]$. Grey images are scored on their grey values as they are;
2. **shave** `scale` pixels from every border;
3. compute per image in float64, then **average over images**.

PSNR by hand, then with `srkit`:
"""),
    code("""
# NBVAL_CHECK_OUTPUT
from srkit.metrics import psnr, ssim, to_y_channel, crop_border

sr = degrade.upscale(pair.lr, 4)                       # bicubic
y_sr = crop_border(to_y_channel(sr), 4)
y_hr = crop_border(to_y_channel(pair.hr), 4)
mse = np.mean((y_sr - y_hr) ** 2)
print(f"by hand : MSE {mse:.3f}  PSNR {10 * np.log10(255 ** 2 / mse):.4f} dB")
print(f"srkit   : PSNR {psnr(sr, pair.hr, crop_border=4):.4f} dB  SSIM {ssim(sr, pair.hr, crop_border=4):.4f}")
"""),
    md("""
### How much each protocol choice moves the number

`protocol_effects` measures the bicubic baseline at x4 with the paper protocol and with one choice
changed at a time. Read the `d_psnr` column: many of these differences are larger than the gain that
separates published methods.
"""),
    code("""
# NBVAL_CHECK_OUTPUT
from srkit.evaluate import protocol_effects, PROTOCOL_VARIANTS

effects = protocol_effects(["Set5", "Set14"], scale=4)
print(effects.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
"""),
    md("""
What the table shows (all measured above):

* **RGB instead of Y** costs about 1.5-1.7 dB: colour channels are scored too, and the papers don't.
* **No border shave** matters little on Set5 but about 0.2 dB on Set14, whose images have busy borders.
* **Grey scored as RGB→Y** moves Set14 by about +0.09 dB through a single image (`bridge`): studio-swing
  Y squeezes grey values into [16, 235], which shrinks the errors.
* **LR from OpenCV bicubic** (no antialiasing) changes the *input*: aliased LR images give bicubic
  0.6-0.9 dB less. A model trained on such inputs is being tested on a different problem.
* **LR from PIL**, which also antialiases with a similar cubic kernel, is nearly the same as MATLAB here;
  **upscaling with OpenCV** instead of MATLAB bicubic changes the baseline by 0.1-0.2 dB.
"""),
    md("""
## 4. Reproducing the published bicubic table

With the protocol right, the kit's bicubic baseline matches the numbers published with the benchmarks
(`data/README.md`). This is the check that everything else in the kit relies on.
"""),
    code("""
# NBVAL_CHECK_OUTPUT
from srkit.evaluate import compare_with_published

table = compare_with_published(evaluate("bicubic", ["Set5", "Set14", "BSD100"], [2, 3, 4]))
print(table[["dataset", "scale", "psnr", "published_psnr", "d_psnr", "ssim", "published_ssim", "d_ssim"]]
      .to_string(index=False, float_format=lambda v: f"{v:.4f}"))
print("largest |d_psnr|:", f"{table.d_psnr.abs().max():.3f} dB", "| largest |d_ssim|:", f"{table.d_ssim.abs().max():.4f}")
"""),
    md("""
The same table from the command line: `srkit evaluate bicubic --data Set5 Set14 BSD100 --scale 2 3 4`
(add `--json results.json` to save it).

## Summary

* Benchmark LR images come from MATLAB's antialiased bicubic `imresize`; `srkit.degrade.imresize`
  reproduces them pixel for pixel. Other resize functions make *different* inputs.
* Blur, noise and JPEG model harder, more realistic degradations (BD, DN).
* PSNR/SSIM are measured on Y (BT.601 studio swing), with `scale` pixels shaved, per image, then averaged.
  Each departure from this changes the result by up to ~1.7 dB.
* With the protocol right, the bicubic baseline matches the published table (within 0.02 dB here).

## Exercises
"""),
    code("""
from srkit.exercises import check, solution

# 1. What is the Y value (BT.601 studio swing, 0-255 scale) of pure red (255, 0, 0)?
answer_1 = None
check("01.1", answer_1)
"""),
    code("""
# 2. Average PSNR (dB) of nearest-neighbour upscaling on Set5 at x4, with the paper protocol.
answer_2 = None
check("01.2", answer_2)
"""),
    code("""
# 3. By how many dB does bicubic's Set14 x4 PSNR change if you forget the border shave?
#    (no-shave PSNR minus paper-protocol PSNR)
answer_3 = None
check("01.3", answer_3)
"""),
    md("""
**Think further.** A friend trains a model on LR patches made with `cv2.resize(..., INTER_CUBIC)` and
reports Set5 x4 PSNR on LR images made the same way. Using the protocol table, explain why their number
cannot be compared with a paper's, and in which direction it is off for the bicubic baseline.
"""),
]

NOTEBOOKS = {
    "00_welcome.ipynb": NB00,
    "01_degradation_and_metrics.ipynb": NB01,
}


def write(name: str, cells) -> Path:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    path = NB_DIR / name
    nbformat.write(nb, path)
    return path


def execute(path: Path) -> None:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    os.environ["SRKIT_SMOKE"] = "1"
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NB_DIR)}}).execute()
    # Keep the repository light: only the outputs nbval checks are stored (figures and widget state are
    # regenerated when the notebook runs).
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if not cell.source.startswith("# NBVAL_CHECK_OUTPUT"):
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(nb, path)


def main(argv: list[str]) -> None:
    NB_DIR.mkdir(exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        if argv and not any(name.startswith(a) for a in argv):
            continue
        path = write(name, cells)
        execute(path)
        print("wrote and executed", path.relative_to(ROOT))


if __name__ == "__main__":
    main(sys.argv[1:])
