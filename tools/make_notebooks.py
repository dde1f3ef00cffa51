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

# Notebooks that train or run networks load TensorFlow in their first cell, so that its start-up
# messages (on stderr) land there and not in a cell whose output nbval compares.
SETUP_TF = SETUP + """import keras  # loads TensorFlow (a few seconds)
print("Keras", keras.__version__, "on", keras.backend.backend())
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
| **02 CNN basics** | why a classification network fails at SR; SRCNN trained live |
| **03 efficient CNNs** | post-upsampling, sub-pixel convolution, FSRCNN, ESPCN, an EDSR-style residual net |
| 04 GANs | SRGAN-style training and the perception-distortion trade-off |
| 05 RNNs | recursion (DRCN), sequence models, multi-frame SR with ConvGRU |

Chapters 04 and 05 are being built; 00 and 01 are the ground everything stands on. The package
`srkit` holds all the code the notebooks call: `srkit.data` (datasets), `srkit.degrade` (making LR
images), `srkit.metrics` (PSNR/SSIM), `srkit.evaluate` (benchmark tables), `srkit.widgets` and
`srkit.viz` (pictures), `srkit.models`, `srkit.train` and `srkit.zoo` (networks, training, pretrained
models). Every function has a docstring: try `help(srkit.metrics.psnr)`.
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


NB02 = [
    md("""
# 02 · CNN basics: why classification networks fail, and SRCNN

**Learning goals.** After this notebook you can

1. explain, with measured numbers, why the classification recipe (convolutions, pooling, a dense head)
   is a poor SR network;
2. describe SRCNN's three layers (patch extraction, non-linear mapping, reconstruction) and build it;
3. train a model with `srkit.train` and read its live loss / validation-PSNR plot;
4. compare your model with the pretrained one, and look at what the first-layer filters learned.

Training cells are short here (smoke mode makes them tiny). Where you would wait an hour, the kit ships a
pretrained model: `srkit.zoo.load("srcnn", 3)`.
"""),
    code(SETUP_TF),
    md("""
## 1. The classification recipe, applied to SR

An image classifier shrinks its input step by step (pooling) and ends with dense layers that see the
whole image at once. Let us build that for SR: two conv + max-pooling blocks, then two dense layers that
output the whole HR patch. And, for comparison, ESPCN, which never leaves the pixel grid.
"""),
    code("""
from srkit import models

naive = models.naive_cnn(scale=3, patch_size=16)
espcn = models.espcn(scale=3)
print(f"naive CNN: {naive.count_params():,} parameters (fixed 16x16 input)")
print(f"ESPCN    : {espcn.count_params():,} parameters (any input size)")
"""),
    md("""
Both are trained with the same engine, on the same patches, for the same number of steps, and scored on
Set5 with the paper protocol (`srkit.train` validates on Set5 every `eval_every` steps). The naive net
has about 60 times more parameters.
"""),
    code("""
from srkit.env import pick
from srkit.train import TrainConfig, train

steps = pick(full=1500, smoke=20)
common = dict(scale=3, steps=steps, eval_every=steps, patch_size=16, batch_size=32,
              limit=pick(full=None, smoke=5), val_limit=pick(full=None, smoke=2))
naive_run = train(TrainConfig("naive_cnn", **common), live_plot=False, verbose=0)
espcn_run = train(TrainConfig("espcn", **common), live_plot=False, verbose=0)
print(f"after {steps} steps: naive CNN {naive_run.best_val_psnr:.2f} dB, ESPCN {espcn_run.best_val_psnr:.2f} dB on Set5 x3")
"""),
    md("""
With the full number of steps (1500, about a minute each on a 2-core CPU), we measured the naive
network at 22.93 dB on Set5 x3, far *below bicubic* (30.40 dB), and ESPCN at 31.09 dB, above it, with
1% of the parameters. Why:

* **Pooling throws away positions.** After two 2x2 max-poolings, the network knows *that* an edge is in a
  4x4 block, not *where*. SR needs exactly that sub-pixel detail.
* **Dense layers are not translation equivariant.** Shifting the input should shift the output; a dense
  layer has to learn this separately for every position, with a separate weight for each. Convolutions
  get it for free and share their weights across the image.
* **A fixed input size.** The dense head only accepts 16x16 patches, so big images must be cut into
  tiles, with visible seams.

Equivariance, measured: shift the input by one LR pixel and compare with the shifted output.
"""),
    code("""
x = np.random.default_rng(0).random((1, 17, 17, 1), dtype=np.float32)
m = 15  # HR pixels ignored at the borders, where zero padding differs
def shift_error(model):
    a = np.asarray(model(x[:, :16, :16]))                    # original (16x16 LR -> 48x48 HR)
    b = np.asarray(model(x[:, 1:17, 1:17]))                  # input shifted by one LR pixel = 3 HR pixels
    return float(np.abs(a[:, 3 + m:-m, 3 + m:-m] - b[:, m:-m - 3, m:-m - 3]).mean())
print(f"naive CNN: output changes by {shift_error(naive_run.model):.4f} after a 1-pixel shift")
print(f"ESPCN    : output changes by {shift_error(espcn_run.model):.4f} (a pure shift, up to float error)")
"""),
    md("""
## 2. SRCNN, step by step

SRCNN (Dong et al., 2014) was the first CNN for SR. It works on the **bicubic-upscaled** Y channel
(*pre-upsampling*) and has three convolutions, each with a meaning:

1. **patch extraction** (9x9, 64 filters, ReLU): describe each 9x9 neighbourhood with 64 features;
2. **non-linear mapping** (5x5, 32 filters, ReLU): map LR features to HR features;
3. **reconstruction** (5x5, 1 filter): average the predicted HR patches into the output.
"""),
    code("""
srcnn = models.srcnn(scale=3)
srcnn.summary()
"""),
    md("""
Train it live. The plot updates in place: training loss (L1) per step on the left, Set5 PSNR at each
validation on the right. In full mode (1000 steps) we measured 31.13 dB on Set5 x3 after about 1.5
minutes on a 2-core CPU, 0.7 dB above bicubic; the pretrained model trained for about 40,000 steps on
a GPU.
"""),
    code("""
config = TrainConfig("srcnn", scale=3, steps=pick(full=1000, smoke=20), eval_every=pick(full=250, smoke=10),
                     limit=pick(full=None, smoke=5), val_limit=pick(full=None, smoke=2))
run = train(config, out_dir="runs/notebook_srcnn_x3", resume=False, verbose=0)
print(f"{run.history[-1]['step']:.0f} steps in {run.wall_time_s:.0f} s, Set5 PSNR {run.best_val_psnr:.2f} dB")
"""),
    md("""
## 3. Compare with the pretrained SRCNN

`srkit.zoo` ships an SRCNN for each scale, with a card that says how it was trained and what it scores.
"""),
    code("""
# NBVAL_CHECK_OUTPUT
from srkit import zoo
card = zoo.card("srcnn", 3)
print("parameters:", card["architecture"]["parameters"], "| training steps:", card["training"]["steps"])
print({ds: round(v["psnr"], 2) for ds, v in card["scores"].items()}, "(PSNR, dB)")
print("paper (SRCNN):", {ds: t[3] for ds, t in zoo.TARGETS["srcnn"]["psnr"].items()})
"""),
    code("""
from srkit.data import load_benchmark
from srkit.degrade import upscale
from srkit.evaluate import KerasUpscaler
from srkit.widgets import compare

butterfly = load_benchmark("Set5", 3)[2]
pretrained = zoo.load("srcnn", 3)
compare({
    "bicubic": upscale(butterfly.lr, 3),
    "your SRCNN": KerasUpscaler(run.model)(butterfly.lr, 3),
    "pretrained SRCNN": KerasUpscaler(pretrained)(butterfly.lr, 3),
    "HR": butterfly.hr,
}, reference="HR", crop_border=3, zoom_size=48)
"""),
    md("""
## 4. What did the first layer learn?

Each of the 64 first-layer filters is a 9x9 pattern the network looks for. Look for oriented edge
detectors, blobs and high-frequency texture detectors. Many of our filters are still noisy: the
SRCNN paper trained for about 10^8 back-propagations and got smoother, Gabor-like filters; ours
trained for about 40,000 steps (see its card). Noise in a filter that the next layers ignore costs little,
which is why the PSNR can be good while the filters look rough.
"""),
    code("""
from srkit.viz import show_filters
show_filters(pretrained.get_layer("extract").kernel, title="pretrained SRCNN x3: first-layer filters");
"""),
    md("""
## Summary

* Pooling and dense heads destroy the positional detail SR needs and break translation equivariance;
  the naive network does worse than bicubic with many more parameters.
* SRCNN: three convolutions on the bicubic-upscaled image, each with an interpretation.
* `srkit.train` trains any kit model in two lines, with validation on Set5 and checkpoints;
  `srkit.zoo` has pretrained models with cards.

## Exercises
"""),
    code("""
from srkit.exercises import check, solution

# 1. How many parameters does SRCNN 9-5-5 (64 and 32 filters, one channel) have? Count them by hand.
answer_1 = None
check("02.1", answer_1)
"""),
    code("""
# 2. By how many dB does the pretrained SRCNN x3 beat bicubic on Set5?
answer_2 = None
check("02.2", answer_2)
"""),
    md("""
**Think further.** Build `models.srcnn(f2=1)` (the paper's 9-1-5 network) and train it with the same
config. Is the 5x5 mapping layer worth its parameters?
"""),
]

NB03 = [
    md("""
# 03 · Efficient CNNs: post-upsampling, sub-pixel convolution, residual networks

**Learning goals.** After this notebook you can

1. explain why pre-upsampling (SRCNN) wastes computation and how post-upsampling fixes it;
2. carry out a sub-pixel convolution (pixel shuffle) by hand on a tiny tensor;
3. describe FSRCNN, ESPCN and the EDSR-style flagship, and their parameter counts;
4. read the trade-off between quality, parameters, FLOPs and latency;
5. regenerate the paper-style results table of the kit's pretrained models.
"""),
    code(SETUP_TF),
    md("""
## 1. Pre- vs post-upsampling

SRCNN runs every layer on the *upscaled* image: at x3, on 9 times more pixels than the LR input. FSRCNN
and ESPCN run all their layers on the LR image and only enlarge at the very end. The cost per output
megapixel, counted exactly (`srkit.profile.count_flops`):
"""),
    code("""
# NBVAL_CHECK_OUTPUT
from srkit import models
from srkit.profile import cost_table

nets = {"SRCNN (pre)": (models.srcnn(3), True), "FSRCNN (post)": (models.fsrcnn(3), False),
        "ESPCN (post)": (models.espcn(3), False), "EDSR-style (post)": (models.edsr(3), False)}
costs = cost_table(nets, scale=3, lr_hw=(64, 64), timing=False)
print(costs.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
"""),
    md("""
## 2. Sub-pixel convolution by hand

ESPCN's last convolution outputs $r^2$ channels per output channel at LR resolution; the **pixel
shuffle** (`keras.ops.depth_to_space`) moves each group of $r^2$ channels into an $r \\times r$ block of
output pixels. Here with $r = 2$, one output channel, on a 2x2 image whose four channels hold 0-3, 4-7,
8-11 and 12-15:
"""),
    code("""
# NBVAL_CHECK_OUTPUT
x = np.arange(16, dtype=np.float32).reshape(1, 2, 2, 4)
print("channel c of the input, as 2x2 images:")
for c in range(4):
    print(f"  c={c}:", x[0, :, :, c].astype(int).tolist())
y = models.PixelShuffle(2)(x)
print("after PixelShuffle(2), one 4x4 image:")
print(np.asarray(y)[0, :, :, 0].astype(int))
"""),
    md("""
Read it: output pixel $(2i + a, 2j + b)$ comes from input pixel $(i, j)$, channel $2a + b$. So the
convolution before the shuffle computes, for every LR pixel, the 4 HR pixels around it: four
interleaved convolutions, all at LR cost. FSRCNN does the same job with a transposed convolution
(stride $r$).

## 3. The three post-upsampling networks
"""),
    code("""
# NBVAL_CHECK_OUTPUT
for name in ("fsrcnn", "espcn", "edsr"):
    counts = [models.build(name, s).count_params() for s in (2, 3, 4)]
    print(f"{name:7s} parameters at x2 / x3 / x4: " + " / ".join(f"{c:,}" for c in counts))
"""),
    md("""
* **FSRCNN**: 5x5 feature extraction (56), shrink to 12 channels with 1x1, four 3x3 mapping layers,
  expand back to 56, then a 9x9 transposed convolution with stride $r$. PReLU activations.
* **ESPCN**: 5x5 (64, tanh), 3x3 (32, tanh), 3x3 to $r^2$ channels, pixel shuffle.
* **EDSR-style flagship**: 15 residual blocks (conv-ReLU-conv, no batch normalisation, scaled by 0.1),
  a long skip connection, pixel-shuffle upsampling, and a *global* residual: the network only predicts
  what a bilinear upscale is missing.

## 4. Quality against cost

PSNR on Set5 (from each pretrained model's card) against parameters and measured CPU latency on this
machine (a 64x64 LR input):
"""),
    code("""
from srkit import zoo
from srkit.viz import tradeoff_plot
import matplotlib.pyplot as plt

scale = 3
zoo_nets = {name: (zoo.load(name, scale), name == "srcnn") for name in ("srcnn", "fsrcnn", "espcn", "edsr")}
costs = cost_table(zoo_nets, scale=scale, lr_hw=(64, 64), repeats=2)
costs["psnr"] = [zoo.card(m, scale)["scores"]["Set5"]["psnr"] for m in costs.model]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
tradeoff_plot(costs, "params", "psnr", ax=axes[0])
tradeoff_plot(costs, "cpu_ms_per_mp", "psnr", ax=axes[1])
axes[0].set_ylabel("Set5 PSNR x3 (dB)");
"""),
    md("""
## 5. The zoo's results table, regenerated

`evaluate` runs every pretrained model on the benchmarks with the paper protocol. (Smoke mode scores
Set5 only; run the notebook normally for Set14 and BSD100 too, a few minutes on a CPU.) The cards hold
the full numbers; `srkit zoo` prints them next to the paper targets.
"""),
    code("""
# NBVAL_CHECK_OUTPUT
import pandas as pd
from srkit.env import pick
from srkit.evaluate import evaluate

sets = pick(full=["Set5", "Set14", "BSD100"], smoke=["Set5"])
rows = [evaluate(m, sets, [2, 3, 4]) for m in ("bicubic", "srcnn", "fsrcnn", "espcn", "edsr")]
table = pd.concat(rows).pivot_table(index=["dataset", "method"], columns="scale", values="psnr", sort=False)
print(table.to_string(float_format=lambda v: f"{v:.2f}"))
"""),
    code("""
zoo.results_table().pivot_table(index=["dataset", "model"], columns="scale", values=["psnr", "target_psnr"], sort=False).round(2)
"""),
    md("""
The targets are the numbers of the paper each model is named after (VDSR for the flagship). The shipped
weights were trained for minutes, not days (see each card's `training` section), and do not all reach
them yet; the cards and the README say which and by how much.

## Summary

* Post-upsampling runs the network on LR pixels: far fewer FLOPs for the same receptive field.
* Sub-pixel convolution = a convolution to $r^2$ channels + a pixel shuffle; it is exact and cheap.
* Deeper residual networks buy quality with parameters and latency; the chart shows the trade-off.

## Exercises
"""),
    code("""
from srkit.exercises import check, solution

# 1. What is the output shape of PixelShuffle(3) applied to a tensor of shape (1, 5, 7, 18)?
answer_1 = None
check("03.1", answer_1)
"""),
    code("""
# 2. Which zoo model has the highest Set14 PSNR at x4?
answer_2 = None
check("03.2", answer_2)
"""),
]

NB04 = [
    md("""
# 04 · GANs for super-resolution: sharper, at a price

**Learning goals.** After this notebook you can

1. explain why a network trained on a pixel loss produces blur, and measure the missing detail with a
   power spectrum;
2. build an SRGAN-style generator and discriminator from `srkit` parts and name each loss term;
3. run a GAN fine-tune and read each loss term and the discriminator's accuracy as it trains;
4. recognise the signs of a failing GAN (a discriminator that wins outright, a generator that drifts);
5. walk the perception-distortion trade-off with network interpolation and place every model on it.
"""),
    code(SETUP_TF),
    md("""
## 1. Why pixel losses blur

Many HR images shrink to the same LR image. A network trained to minimise the L1 or L2 distance to the
true HR predicts (roughly) the *average* of all those candidates, and the average of many different
fine textures is a smooth surface. PSNR rewards exactly that average, so a PSNR-optimised model looks soft.

We can measure the softness. Take the radially averaged **power spectrum** of the Y channel: how much
energy the image has at each spatial frequency. Above the LR image's Nyquist frequency ($0.5/s$ cycles
per HR pixel at scale $s$) lies the detail the network had to invent.
"""),
    code("""
from srkit import gan, zoo
from srkit.data import load_benchmark
from srkit.degrade import upscale
from srkit.evaluate import KerasUpscaler
from srkit.metrics import spectral_log_ratio, texture_distance
import matplotlib.pyplot as plt

scale = 4
baboon = next(p for p in load_benchmark("Set14", scale) if p.name == "baboon")
psnr_model = zoo.load("edsr", scale)                      # the flagship, trained on L1 (notebook 03)
outputs = {"bicubic": upscale(baboon.lr, scale), "PSNR model": KerasUpscaler(psnr_model)(baboon.lr, scale)}
fig, ax = plt.subplots(figsize=(6, 3.2))
for label, img in outputs.items():
    f, ratio = spectral_log_ratio(img, baboon.hr, scale)
    ax.plot(f, ratio, "o-", ms=3, label=label)
ax.axhline(0, color="k", lw=0.8)
ax.set_xlabel("spatial frequency (cycles / HR pixel)"); ax.set_ylabel("power vs HR (dB)")
ax.set_title("baboon x4: detail above the LR Nyquist frequency"); ax.legend();
"""),
    md("""
Both curves lie far below 0 dB: at the finest scales the outputs have 10-30 dB (10 to 1000 times) less
power than the real image. The **texture distance** condenses the curve into one number,

$$ \\mathrm{TD} = \\operatorname{mean}_{f > 0.5/s} \\left| 10 \\log_{10} \\frac{P_{SR}(f)}{P_{HR}(f)} \\right| \\text{ dB}, $$

0 for HR itself, lower = closer to the real amount of detail. It needs no downloaded network. Its limits:
it ignores *where* detail is (noise with the right spectrum scores as well as real texture), so it is
only ever read next to PSNR/SSIM; and it is noisy on small images.
"""),
    code("""
# NBVAL_CHECK_OUTPUT
for label, img in outputs.items():
    print(f"{label:11s} texture distance {texture_distance(img, baboon.hr, scale):5.1f} dB")
print(f"{'HR':11s} texture distance {texture_distance(baboon.hr, baboon.hr, scale):5.1f} dB")
"""),
    md("""
## 2. Generator and discriminator

* **Generator** $G$: any SR network. We start from the pretrained PSNR flagship (an EDSR-style residual
  net), so the GAN only has to learn to add texture, not SR from scratch (SRGAN did the same with SRResNet).
* **Discriminator** $D$: a classifier of HR-sized patches, real or generated: pairs of 3x3 convolutions
  (the second with stride 2), leaky ReLUs, global average pooling (any patch size) and one logit.
"""),
    code("""
# NBVAL_CHECK_OUTPUT
generator = gan.load_generator("edsr", scale)
disc = gan.discriminator(channels=1)
print(f"generator:     {generator.count_params():,} parameters, x{scale}")
print(f"discriminator: {disc.count_params():,} parameters; features for matching:",
      [l.name for l in disc.layers if l.name.startswith("down")])
"""),
    md("""
## 3. The losses, one by one

| term | formula | role |
|---|---|---|
| pixel | $\\lVert G(y) - x \\rVert_1$ | stay faithful to the input (distortion) |
| adversarial (standard) | $D$: $\\mathrm{BCE}(D(x),1)+\\mathrm{BCE}(D(G(y)),0)$; $G$: $\\mathrm{BCE}(D(G(y)),1)$ | look real |
| adversarial (relativistic) | $D_{ra}(a,b)=\\sigma(C(a)-\\overline{C(b)})$, targets swapped for $G$ | "more real than the average fake" (ESRGAN) |
| feature matching | $\\operatorname{mean}_l \\lVert D_l(x) - D_l(G(y)) \\rVert_1$ | match the texture statistics $D$ sees |
| VGG (optional) | $\\lVert \\phi(x) - \\phi(G(y)) \\rVert_1$, $\\phi$ = VGG19 features | needs ImageNet weights already on disk |

The generator minimises `pixel_weight * pixel + adversarial_weight * adversarial + feature_weight *
feature`. The values of the adversarial losses for a few discriminators:
"""),
    code("""
# NBVAL_CHECK_OUTPUT
cases = {"D cannot tell": (0.0, 0.0), "D fairly sure": (2.0, -2.0), "D certain": (10.0, -10.0)}
for name, (r, f) in cases.items():
    real, fake = np.full((4, 1), r, "float32"), np.full((4, 1), f, "float32")
    for kind in ("standard", "relativistic"):
        d, g = gan.adversarial_loss(real, fake, kind)
        print(f"{name:14s} {kind:12s} d_loss {float(d):6.3f}  g_loss {float(g):6.3f}")
"""),
    md("""
A certain discriminator has a loss near 0 and hands the generator a large loss; if it stays there,
its gradients carry little useful direction. Without the VGG weights on disk the perceptual loss refuses
to start (the kit never downloads), and says what to do:
"""),
    code("""
# NBVAL_CHECK_OUTPUT
from srkit.errors import SrkitError
import os
os.environ["KERAS_HOME"] = os.path.abspath("runs/no_keras_cache")   # pretend the cache is empty
try:
    gan.VGGFeatures()
except SrkitError as e:
    print("SrkitError:", str(e).split("and they are not there. ")[1].split(".")[0] + ".")
del os.environ["KERAS_HOME"]
"""),
    md("""
## 4. A short GAN fine-tune, live

`gan.train_gan` starts from the PSNR generator, builds a fresh discriminator, and per batch makes one
generator update and then one discriminator update. The live plot shows each term on its own (running
means over the epoch) and the discriminator's accuracy on real and fake patches. Every `eval_every`
steps it scores Set5 (PSNR and texture distance) and writes a checkpoint; running the cell again resumes.
On a 2-core CPU a step takes about a second (smoke mode runs only a handful).
"""),
    code("""
from srkit.env import pick
from srkit.gan import GANConfig, train_gan

config = GANConfig(steps=pick(full=200, smoke=4), eval_every=pick(full=100, smoke=2), patch_size=pick(full=16, smoke=8),
                   batch_size=pick(full=16, smoke=2), limit=pick(full=None, smoke=3), val_limit=pick(full=None, smoke=1))
run = train_gan(config, out_dir="runs/notebook_gan_x4", resume=False, verbose=0)
for h in run.history:
    print(f"step {h['step']:4.0f}: pixel {h['pixel']:.4f} adversarial {h['adversarial']:.3f} feature {h['feature']:.4f} "
          f"d_loss {h['d_loss']:.3f} | Set5 {h['val_psnr']:.2f} dB, texture {h['val_texture']:.1f} dB")
print("warnings:", run.warnings or "none")
"""),
    md("""
Watch for: the pixel term rising a little (the price of texture), the texture distance falling fast, and
the discriminator's accuracy on fakes climbing as it learns what the generator's artefacts look like.

## 5. When GAN training goes wrong

`gan.diagnose` reads a run's history and names the classic failures. Here it is on a made-up history of
a run where the discriminator took over:
"""),
    code("""
# NBVAL_CHECK_OUTPUT
collapsing = [dict(d_loss=1.1, d_real_acc=0.70, d_fake_acc=0.72, adversarial=1.6, val_psnr=29.4),
              dict(d_loss=0.4, d_real_acc=0.93, d_fake_acc=0.95, adversarial=3.1, val_psnr=27.9),
              dict(d_loss=0.1, d_real_acc=0.99, d_fake_acc=0.99, adversarial=6.0, val_psnr=26.2),
              dict(d_loss=0.02, d_real_acc=1.00, d_fake_acc=1.00, adversarial=11.0, val_psnr=24.8)]
for w in gan.diagnose(collapsing):
    print("-", w)
"""),
    md("""
And a loss that becomes NaN (too high a learning rate, say) stops training at once with the step and
the term that failed; the last good checkpoint stays, so no garbage weights are ever saved.

## 6. The pretrained GAN against the PSNR model

`edsr_gan` in the zoo was fine-tuned from `edsr` x4 on T91 + BSD200 only (its card has the command, the
loss weights, the steps and the hardware). Zoom into the fur and the whiskers:
"""),
    code("""
from srkit.widgets import compare

gan_model = zoo.load("edsr_gan", scale)
compare({"bicubic": outputs["bicubic"], "PSNR model": outputs["PSNR model"],
         "GAN": KerasUpscaler(gan_model)(baboon.lr, scale), "HR": baboon.hr},
        reference="HR", crop_border=scale, zoom_size=64)
"""),
    md("""
## 7. Network interpolation: walk the trade-off

Because the GAN was fine-tuned from the PSNR model, their weights stay close, and blending them,
$\\theta_\\alpha = (1-\\alpha)\\,\\theta_{PSNR} + \\alpha\\,\\theta_{GAN}$, gives a smooth family of models
(ESRGAN). Move the slider: the blend's image and its PSNR / SSIM / texture distance update live.
"""),
    code("""
from srkit.widgets import InterpolationState, InterpolationWidget

zebra = next(p for p in load_benchmark("Set14", scale) if p.name == "zebra")
state = InterpolationState(psnr_model, gan_model, zebra.lr, zebra.hr, scale, alpha=0.5)
InterpolationWidget(state)
"""),
    md("""
## 8. The perception-distortion plane

Every method is a point: PSNR (distortion, better to the right) against texture distance (better
down). Blau & Michaeli (2018) proved that the bottom-right corner is out of reach: past a point, any
gain in one costs the other. The interpolation curve traces that boundary for our pair of models.
"""),
    code("""
import pandas as pd
from srkit.viz import perception_distortion_plot

sets = pick(full=["Set5", "Set14"], smoke=["Set5"])
limit = pick(full=None, smoke=2)
methods = {"HR": "hr", "bicubic": "bicubic", "PSNR model": psnr_model, "GAN": gan_model}
table = gan.perception_distortion_table(methods, sets, scale, limit=limit)
curve = state.curve(pick(full=(0.0, 0.25, 0.5, 0.75, 1.0), smoke=(0.0, 1.0)))
points = pd.DataFrame([{"method": k, **m} for k, m in state.compare.metrics.items() if m and k != "blend"])
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
perception_distortion_plot(table[table.dataset == sets[0]], ax=axes[0], title=f"{sets[0]} x4 (mean over images)")
perception_distortion_plot(points, curve=curve, ax=axes[1], title="zebra: network interpolation");
"""),
    md("""
The measured x4 table (from the GAN's card; `tools/build_zoo_chapters.py` made it with the same
functions, on all images):
"""),
    code("""
# NBVAL_CHECK_OUTPUT
import pandas as pd
card = zoo.card("edsr_gan", 4)
pdt = pd.DataFrame(card["perception_distortion"])
print(pdt.pivot_table(index="method", columns="dataset", values=["psnr", "texture"], sort=False)
      .to_string(float_format=lambda v: f"{v:.2f}"))
print("targets met (texture halfway to HR, PSNR drop <= 3 dB):", card["targets_met"])
"""),
    md("""
## Summary

* A pixel loss predicts the average of the plausible answers: high PSNR, missing high frequencies.
  The texture distance measures the missing power; it must always be read next to PSNR.
* A GAN adds an adversarial term (standard or relativistic) and here feature matching on the
  discriminator's features; every term is logged on its own, with the discriminator's accuracy.
* Failures have signatures: a discriminator at ~100% with loss near 0, a climbing generator loss,
  PSNR drifting away; `gan.diagnose` names them and NaNs stop the run.
* Network interpolation walks the perception-distortion curve with no retraining.

## Exercises
"""),
    code("""
from srkit.exercises import check, solution

# 1. What is the relativistic discriminator loss when D outputs 0 for every real and every fake image?
answer_1 = None
check("04.1", answer_1)
"""),
    code("""
# 2. How many dB of Set5 PSNR does edsr_gan x4 give up against edsr x4? Use the zoo cards.
answer_2 = None
check("04.2", answer_2)
"""),
    md("""
**Think further.** Train with `GANConfig(adversarial="standard")` and then with a 10x larger
`adversarial_weight`. Where do the two runs land on the perception-distortion plane, and what does
`gan.diagnose` say about them?
"""),
]

NB05 = [
    md("""
# 05 · Recurrent networks for super-resolution: three ways to reuse a state

**Learning goals.** After this notebook you can

1. write the recurrence $h_t = f(x_t, h_{t-1}; \\theta)$ and say what $x_t$ and $h_t$ are in each of
   the three ways SR uses it;
2. build a DRCN-style recursive network and explain why its parameters stay constant as it gets deeper;
3. build the seed's "image as a sequence of rows" network and explain, with numbers, why it loses to a
   CNN of the same size;
4. simulate a burst of shifted LR frames and run a ConvGRU over it, and measure what the extra frames add;
5. read the measured tables and the frames chart, and know when recurrence helps.
"""),
    code(SETUP_TF),
    md("""
## The recurrence, three times

A recurrent network applies **the same** function $f$ with **the same** weights $\\theta$ at every step,
carrying a state: $h_t = f(x_t, h_{t-1}; \\theta)$. SR uses this in three ways:

| use | step $t$ is | $x_t$ | $h_t$ | kit model |
|---|---|---|---|---|
| recursion in depth (DRCN) | one more pass of the same conv | nothing after $t=1$ (the image enters once) | the feature map after $t$ passes | `models.drcn` |
| recurrence over a sequence | one pixel along a row (then a column) | that LR pixel | a summary of the row so far | `models.sequence_rnn` |
| recurrence over frames | one frame of a burst | features of frame $t$ paired with the reference | what frames $1..t$ told about the scene | `models.multiframe_rnn` |

Every number below was measured with `bench/rnn_study.py` (on the kit's 2-core CPU; the command and
training details are in `bench/rnn_results.json` and the README).
"""),
    code("""
import json
from pathlib import Path
import pandas as pd
from srkit import models, zoo
from srkit.env import pick
from srkit.train import TrainConfig, train

results = json.loads(Path("../bench/rnn_results.json").read_text())
print("measured with:", results["command"][:60], "...")
"""),
    md("""
## 1. Recursion with shared weights (DRCN)

An embedding convolution, then **one** 3x3 convolution applied $T$ times with the same weights, a shared
reconstruction after every recursion (each recursion makes a full prediction), and a learned weighted
average of the $T$ predictions. During training every prediction is supervised (*deep supervision*:
`TrainConfig(supervision=0.5)` gives half the loss to the intermediate predictions), which keeps the
gradients of the early recursions alive. Parameters do not grow with $T$; the receptive field does:
"""),
    code("""
# NBVAL_CHECK_OUTPUT
for t in (1, 2, 4, 8, 16):
    m = models.drcn(3, recursions=t)
    print(f"T = {t:2d}: {m.count_params():,} parameters, receptive field {2 * t + 5} x {2 * t + 5} px")
"""),
    md("""
(The only weights that depend on $T$ are the $T$ combination weights.) Train one briefly with deep
supervision; the engine logs the loss of every prediction (`prediction1_loss` ...):
"""),
    code("""
cfg = TrainConfig("drcn", 3, steps=pick(full=600, smoke=6), eval_every=pick(full=300, smoke=3),
                  model_config={"recursions": 4}, limit=pick(full=None, smoke=3), val_limit=pick(full=None, smoke=1))
drcn_run = train(cfg, out_dir="runs/notebook_drcn_x3", resume=False, verbose=0)
last = drcn_run.history[-1]
print({k: round(v, 4) for k, v in last.items() if k.endswith("_loss")})
print(f"Set5 after {last['step']:.0f} steps: {last['val_psnr']:.2f} dB (pretrained drcn x3: "
      f"{zoo.card('drcn', 3)['scores']['Set5']['psnr']:.2f} dB)")
"""),
    md("""
The depth study: the same network with 1, 2, 4 and 8 recursions, each trained the same way (x3):
"""),
    code("""
# NBVAL_CHECK_OUTPUT
depth = pd.DataFrame(results["drcn_depth_x3"])
print(depth[["recursions", "parameters", "receptive_field", "set5_psnr", "set14_psnr", "steps"]].to_string(index=False))
"""),
    code("""
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(4.5, 3))
ax.plot(depth.recursions, depth.set5_psnr, "o-")
ax.set_xscale("log", base=2); ax.set_xlabel("recursions T"); ax.set_ylabel("Set5 PSNR x3 (dB)")
ax.set_title("same parameters, deeper recursion");
"""),
    md("""
## 2. Recurrence over a sequence: the image as rows

The scheme of the course notes: split the LR image into sequences (its rows), encode them with a
recurrent network, decode HR rows. `models.sequence_rnn` runs a bidirectional GRU along every row, then
another along every column of the result, and a 1x1 convolution decodes each pixel's state into its
$s \\times s$ HR pixels (sub-pixel along both axes). No convolution looks at neighbours: all context comes
through the recurrences. With 30 units it has about as many parameters as ESPCN:
"""),
    code("""
# NBVAL_CHECK_OUTPUT
seq, esp = models.sequence_rnn(3), models.espcn(3)
print(f"sequence RNN: {seq.count_params():,} parameters | ESPCN: {esp.count_params():,} parameters")
"""),
    code("""
cfg = TrainConfig("sequence_rnn", 3, steps=pick(full=300, smoke=4), eval_every=pick(full=300, smoke=4),
                  limit=pick(full=None, smoke=3), val_limit=pick(full=None, smoke=1))
seq_run = train(cfg, out_dir="runs/notebook_seq_x3", resume=False, verbose=0)
print(f"after {seq_run.history[-1]['step']:.0f} steps: Set5 {seq_run.best_val_psnr:.2f} dB "
      f"(pretrained sequence_rnn x3: {zoo.card('sequence_rnn', 3)['scores']['Set5']['psnr']:.2f} dB)")
"""),
    md("""
Measured with the same training for both (x3):
"""),
    code("""
# NBVAL_CHECK_OUTPUT
print(pd.DataFrame(results["sequence_vs_espcn_x3"])[["model", "parameters", "set5_psnr", "set14_psnr",
      "cpu_ms_per_lr_megapixel", "steps"]].to_string(index=False))
"""),
    md("""
Why the CNN wins at equal size:

* **Locality.** SR detail depends mostly on a small neighbourhood. A convolution looks exactly there;
  the GRU must squeeze everything to the left of a pixel into 30 numbers and hope the relevant part
  survives.
* **Translation equivariance.** A convolution treats every position alike. A row RNN's state depends on
  where the row starts, so the same edge is processed differently at different places.
* **Cost per pixel.** A GRU step is a chain of matrix products that must run one after another along the
  row; convolutions run every pixel in parallel. The measured CPU latency above shows it.

What recurrence over a row *does* bring is unlimited context along the row, which SR rarely needs.

## 3. Multi-frame SR: recurrence over a burst

A burst is several LR frames of one scene, each shifted by a fraction of an LR pixel (a shaking hand,
a moving camera). Each frame samples the scene on a different grid, so together they hold detail no
single frame has. `burst.make_burst` simulates one from any image: random shifts (known to the
simulator, not to the model), area-averaged downsampling (each LR pixel integrates its $s \\times s$ block,
as a sensor does, which keeps aliasing), optional noise, fixed seeds.
"""),
    code("""
# NBVAL_CHECK_OUTPUT
from srkit.burst import make_burst, shift_and_add, upscale_burst
from srkit.data import load_benchmark

scale = 4
scene = next(p for p in load_benchmark("Set14", scale) if p.name == "lenna")
burst = make_burst(scene.hr, scale, frames=8, seed=1)
print("frames:", burst.frames.shape, "| shifts (dy, dx) in LR pixels:", burst.shifts.tolist())
"""),
    md("""
Step through the frames; the difference to frame 0 shows where the sub-pixel shifts change the samples:
"""),
    code("""
from srkit.widgets import BurstViewer
BurstViewer(burst)
"""),
    md("""
The model (`models.multiframe_rnn`): every frame is paired with the reference frame 0 (so the network
can see, locally, how the frame is shifted), a shared convolution stack turns each pair into features
$x_t$, a **ConvGRU** reads them in order, $h_t = \\mathrm{ConvGRU}(x_t, h_{t-1})$ (the GRU's matrix
products replaced by 3x3 convolutions, so $h_t$ is a feature map), and a sub-pixel convolution
upsamples $h_T$. Keras 3 has no ConvGRU, so `models.ConvRecurrent2D` implements it (and ConvLSTM) as
a serialisable layer. No weight depends on the number of frames, so the same weights run on 1 to 8
frames (`models.with_frames`). The baselines: the same network trained on one frame (equal capacity),
and classical shift-and-add with the *true* shifts.
"""),
    code("""
cfg = TrainConfig("multiframe_rnn", scale, steps=pick(full=300, smoke=4), eval_every=pick(full=300, smoke=4),
                  model_config={"frames": 5}, val_set="Set14", limit=pick(full=None, smoke=3),
                  val_limit=pick(full=None, smoke=1), batch_size=pick(full=16, smoke=2), patch_size=pick(full=16, smoke=8))
mf_run = train(cfg, out_dir="runs/notebook_multiframe_x4", resume=False, verbose=0)
print(f"after {mf_run.history[-1]['step']:.0f} steps: Set14 bursts {mf_run.best_val_psnr:.2f} dB "
      f"(pretrained multiframe_rnn x4: {zoo.card('multiframe_rnn', 4)['scores']['Set14']['psnr']:.2f} dB)")
"""),
    md("""
The pretrained models on this burst, side by side:
"""),
    code("""
from srkit.degrade import upscale
from srkit.metrics import to_y_channel
from srkit.widgets import compare

multi, single = zoo.load("multiframe_rnn", scale), zoo.load("singleframe_rnn", scale)
five = make_burst(scene.hr, scale, frames=5, seed=1)
compare({"bicubic (frame 0)": to_y_channel(upscale(five.frames[0], scale)) / 255,
         "single-frame RNN": upscale_burst(single, five), "shift-and-add (5)": to_y_channel(shift_and_add(five)) / 255,
         "multi-frame RNN (5)": upscale_burst(multi, five), "HR": to_y_channel(five.hr) / 255},
        reference="HR", crop_border=scale, zoom_size=64)
"""),
    md("""
Measured on bursts from Set14 and BSD100 (x4, 5 frames, image $i$ uses seed $i$):
"""),
    code("""
# NBVAL_CHECK_OUTPUT
mf = results["multiframe_x4"]
rows = {ds: {k: v["psnr"] for k, v in s.items() if isinstance(v, dict)} for ds, s in mf["summary"].items()}
print(pd.DataFrame(rows).to_string(float_format=lambda v: f"{v:.2f}"))
print("gain of 5 frames over the equal-capacity single-frame model (dB):", {ds: s["gain_db"] for ds, s in mf["summary"].items()})
"""),
    md("""
And the frames chart: the 5-frame model's weights run on 1, 2, 3, 5 and 8 frames, next to
shift-and-add with the same frames:
"""),
    code("""
# NBVAL_CHECK_OUTPUT
chart = pd.DataFrame(mf["frames_chart"])
print(chart.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
"""),
    code("""
fig, ax = plt.subplots(figsize=(5.5, 3.4))
for ds, c in (("Set14", "C0"), ("BSD100", "C1")):
    ax.plot(chart.frames, chart[f"{ds}_multiframe_rnn"], "o-", color=c, label=f"{ds}: multi-frame RNN")
    ax.plot(chart.frames, chart[f"{ds}_shift_and_add"], "s--", color=c, alpha=0.6, label=f"{ds}: shift-and-add")
    ax.axhline(mf["summary"][ds]["singleframe_rnn"]["psnr"], color=c, ls=":", lw=1)
ax.set_xlabel("frames in the burst"); ax.set_ylabel("PSNR x4 (dB)"); ax.legend(fontsize=7)
ax.set_title("dotted: single-frame model");
"""),
    md("""
## Summary

* Recursion (DRCN) reuses one layer: depth and receptive field grow, parameters do not; deep supervision
  trains every recursion to predict.
* Recurrence over rows is the seed's scheme; at equal size it loses to a CNN, because SR needs local,
  translation-equivariant processing, which convolutions give for free and cheaply.
* Recurrence over frames is where RNNs shine in SR: a ConvGRU accumulates the extra samples of a burst,
  beating the same network on one frame and classical shift-and-add.

## Exercises
"""),
    code("""
from srkit.exercises import check, solution

# 1. Receptive field (one side, pixels) of the kit's DRCN with 8 recursions?
answer_1 = None
check("05.1", answer_1)
"""),
    code("""
# 2. make_burst(load_benchmark("Set14", 4)[0].hr, 4, 5, seed=7): the shift (dy, dx) of frame 3, in LR pixels?
answer_2 = None
check("05.2", answer_2)
"""),
    md("""
**Think further.** Build `models.multiframe_rnn(4, cell="lstm", bidirectional=True)` and train it like the
GRU. Does reading the burst in both directions help when frame 0 is the reference?
"""),
]

NOTEBOOKS = {
    "00_welcome.ipynb": NB00,
    "01_degradation_and_metrics.ipynb": NB01,
    "02_cnn_basics.ipynb": NB02,
    "03_efficient_cnns.ipynb": NB03,
    "04_gan_sr.ipynb": NB04,
    "05_recurrent_sr.ipynb": NB05,
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
