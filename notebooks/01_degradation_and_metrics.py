# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · Degradation and metrics: measuring SR the way papers do
#
# **Learning goals.** After this notebook you can
#
# 1. make low-resolution images exactly as SR benchmarks do (MATLAB bicubic `imresize`), and other
#    degradations (blur, noise, JPEG);
# 2. explain antialiasing and why the choice of resize function changes every number;
# 3. compute PSNR and SSIM with the standard protocol (Y channel, border shave, per-image mean) and say
#    how much each protocol choice moves the result;
# 4. reproduce the published bicubic baseline table to within 0.03 dB.
#
# *Why this matters:* the most common complaint in SR projects is "my PSNR does not match the paper". It
# is nearly always a different degradation or metric, not a better or worse model.

# %%
# Every notebook starts the same way: inline figures, the kit, and one set-up line. start() loads
# TensorFlow (a few seconds) without the start-up messages its C++ library prints, then says what it found.
# (This chapter trains no network, but the kit's fast bicubic upscaling runs through TensorFlow.)
import os
# %matplotlib inline
import numpy as np
import srkit
from srkit.env import smoke_mode, start
setup = start()  # prints the set-up line (and returns it)

# %% [markdown]
# ## 1. How LR images are made
#
# Benchmarks create their LR inputs with MATLAB's `imresize(HR, 1/k, 'bicubic')`. It is *not* the same as
# PIL, OpenCV or `tf.image.resize`:
#
# * the cubic kernel (Keys, $a=-0.5$) is **stretched by $k$ when shrinking** (antialiasing): each LR pixel
#   averages a $4k$-pixel-wide neighbourhood instead of sampling 4 pixels, which removes the frequencies
#   the LR grid cannot represent;
# * the image is resized rows first, then columns, and 8-bit images are rounded after each pass;
# * pixel *centres* are aligned, so LR pixel $i$ sits at HR position $k i + (k-1)/2$.
#
# `srkit.degrade.imresize` re-implements all of it. Check it against the shipped file:

# %%
# NBVAL_CHECK_OUTPUT
from srkit import data, degrade

pair = data.load_benchmark("Set5", 4)[0]            # baby, x4: LR from the benchmark files
ours = degrade.bicubic_downsample(pair.hr, 4)        # our MATLAB-compatible imresize
diff = np.abs(ours.astype(int) - pair.lr.astype(int))
print("LR size:", ours.shape, "| pixels that differ:", int((diff > 0).sum()), "| largest difference:", diff.max())

# %% [markdown]
# Identical. The test suite checks this for every image of Set5, Set14 and BSD100 at x2, x3 and x4.
#
# ### Antialiasing, seen
#
# Shrink a pattern of fine stripes by 3 with and without antialiasing. Without it, the LR image shows
# stripes that are not in the original at all (aliasing); with it, detail too fine for the LR grid becomes
# grey, as it should.

# %%
from srkit.viz import image_grid

yy, xx = np.mgrid[0:240, 0:240]
zone = (127.5 + 127.5 * np.cos(0.008 * ((xx - 120) ** 2 + (yy - 120) ** 2))).astype(np.uint8)  # a zone plate
image_grid({
    "original 240x240": zone,
    "x1/3, antialiased": degrade.imresize(zone, 1 / 3),
    "x1/3, no antialiasing": degrade.imresize(zone, 1 / 3, antialiasing=False),
}, size=3);

# %% [markdown]
# ### Other degradations
#
# Real LR images are also blurred by optics, noisy and compressed. `Degradation` implements the
# classical model $y = \mathrm{JPEG}((x \ast h)\downarrow_k + n)$ with the presets papers use: **BI**
# (bicubic only, the benchmarks), **BD** (Gaussian blur $\sigma=1.6$, then bicubic; RDN) and **DN**
# (bicubic, then noise $\sigma=30$).

# %%
from srkit.degrade import Degradation

hr = pair.hr
lrs = {
    "BI": Degradation.BI(4)(hr),
    "BD": Degradation.BD(4)(hr),
    "DN (sigma 30)": Degradation.DN(4)(hr, rng=0),
    "JPEG q=20": Degradation(4, jpeg_quality=20)(hr),
}
image_grid(lrs, zoom_box=(50, 40, 24), size=2.8);

# %% [markdown]
# ## 2. Interpolation baselines
#
# The simplest upscalers resample the LR grid with a fixed kernel. `srkit.evaluate.evaluate` scores any
# upscaler on the benchmarks. Here all of them on Set5 and Set14 at x3:

# %%
# NBVAL_CHECK_OUTPUT
import pandas as pd
from srkit.evaluate import evaluate

methods = ["nearest", "bilinear", "bicubic", "lanczos3"]
baselines = pd.concat([evaluate(m, ["Set5", "Set14"], 3) for m in methods], ignore_index=True)
print(baselines.to_string(index=False, float_format=lambda v: f"{v:.4f}"))

# %%
from srkit.viz import metric_bars
metric_bars(baselines, "psnr", group="dataset", hue="method");

# %% [markdown]
# ## 3. PSNR and SSIM
#
# **PSNR** compares pixel values: with $\mathrm{MSE} = \frac{1}{N}\sum (\hat{x} - x)^2$ on the 0-255
# scale, $\mathrm{PSNR} = 10 \log_{10} (255^2 / \mathrm{MSE})$ dB. +1 dB means about 21% less squared error.
#
# **SSIM** (Wang et al., 2004) compares local means, contrasts and structure in an 11x11 Gaussian window
# ($\sigma = 1.5$), giving 1 for identical images.
#
# The **protocol** that SR papers use, and `srkit.metrics` implements:
#
# 1. convert RGB to luma **Y** (ITU-R BT.601, studio swing): $Y = 16 + 65.481R + 128.553G + 24.966B$ with
#    $R,G,B \in [0,1]$. Grey images are scored on their grey values as they are;
# 2. **shave** `scale` pixels from every border;
# 3. compute per image in float64, then **average over images**.
#
# PSNR by hand, then with `srkit`:

# %%
# NBVAL_CHECK_OUTPUT
from srkit.metrics import psnr, ssim, to_y_channel, crop_border

sr = degrade.upscale(pair.lr, 4)                       # bicubic
y_sr = crop_border(to_y_channel(sr), 4)
y_hr = crop_border(to_y_channel(pair.hr), 4)
mse = np.mean((y_sr - y_hr) ** 2)
print(f"by hand : MSE {mse:.3f}  PSNR {10 * np.log10(255 ** 2 / mse):.4f} dB")
print(f"srkit   : PSNR {psnr(sr, pair.hr, crop_border=4):.4f} dB  SSIM {ssim(sr, pair.hr, crop_border=4):.4f}")

# %% [markdown]
# ### How much each protocol choice moves the number
#
# `protocol_effects` measures the bicubic baseline at x4 with the paper protocol and with one choice
# changed at a time. Read the `d_psnr` column: many of these differences are larger than the gain that
# separates published methods.

# %%
# NBVAL_CHECK_OUTPUT
from srkit.evaluate import protocol_effects, PROTOCOL_VARIANTS

effects = protocol_effects(["Set5", "Set14"], scale=4)
print(effects.to_string(index=False, float_format=lambda v: f"{v:.3f}"))

# %% [markdown]
# What the table shows (all measured above):
#
# * **RGB instead of Y** costs about 1.5-1.7 dB: colour channels are scored too, and the papers don't.
# * **No border shave** matters little on Set5 but about 0.2 dB on Set14, whose images have busy borders.
# * **Grey scored as RGB→Y** moves Set14 by about +0.09 dB through a single image (`bridge`): studio-swing
#   Y squeezes grey values into [16, 235], which shrinks the errors.
# * **LR from OpenCV bicubic** (no antialiasing) changes the *input*: aliased LR images give bicubic
#   0.6-1.0 dB less. A model trained on such inputs is being tested on a different problem.
# * **LR from PIL**, which also antialiases with a similar cubic kernel, is nearly the same as MATLAB here;
#   **upscaling with OpenCV** instead of MATLAB bicubic changes the baseline by 0.1-0.2 dB.

# %% [markdown]
# ## 4. Reproducing the published bicubic table
#
# With the protocol right, the kit's bicubic baseline matches the numbers published with the benchmarks
# (`data/README.md`). This is the check that everything else in the kit relies on.

# %%
# NBVAL_CHECK_OUTPUT
from srkit.evaluate import compare_with_published

table = compare_with_published(evaluate("bicubic", ["Set5", "Set14", "BSD100"], [2, 3, 4]))
print(table[["dataset", "scale", "psnr", "published_psnr", "d_psnr", "ssim", "published_ssim", "d_ssim"]]
      .to_string(index=False, float_format=lambda v: f"{v:.4f}"))
print("largest |d_psnr|:", f"{table.d_psnr.abs().max():.3f} dB", "| largest |d_ssim|:", f"{table.d_ssim.abs().max():.4f}")

# %% [markdown]
# The same table from the command line: `srkit evaluate bicubic --data Set5 Set14 BSD100 --scale 2 3 4`
# (add `--json results.json` to save it).
#
# ## Summary
#
# * Benchmark LR images come from MATLAB's antialiased bicubic `imresize`; `srkit.degrade.imresize`
#   reproduces them pixel for pixel. Other resize functions make *different* inputs.
# * Blur, noise and JPEG model harder, more realistic degradations (BD, DN).
# * PSNR/SSIM are measured on Y (BT.601 studio swing), with `scale` pixels shaved, per image, then averaged.
#   Each departure from this changes the result by up to ~1.7 dB.
# * With the protocol right, the bicubic baseline matches the published table (within 0.02 dB here).
#
# ## Exercises
#
# Write your answer in place of `None`, or the body of the function in place of `raise NotImplementedError`,
# then run the cell below it: `check` says whether the answer is right, or what differs and a hint. A
# function or model you write is run next to the kit's own on fresh random inputs.
# `solution("01.1")` prints a worked solution, where your copy of the course has them.

# %% nbgrader={"grade": false, "grade_id": "ex01_setup", "locked": true, "schema_version": 3, "solution": false}
from srkit.exercises import check, solution

# %% [markdown]
# **Exercise 01.1.** What is the Y value (BT.601 studio swing, 0-255 scale) of pure red (255, 0, 0)?

# %% nbgrader={"grade": false, "grade_id": "ex01_1_answer", "locked": false, "schema_version": 3, "solution": true}
answer_1 = None

# %% nbgrader={"grade": true, "grade_id": "ex01_1", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("01.1", answer_1)

# %% [markdown]
# **Exercise 01.2.** What is the average PSNR (dB) of nearest-neighbour upscaling on Set5 at x4, with the paper protocol?

# %% nbgrader={"grade": false, "grade_id": "ex01_2_answer", "locked": false, "schema_version": 3, "solution": true}
answer_2 = None

# %% nbgrader={"grade": true, "grade_id": "ex01_2", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("01.2", answer_2)

# %% [markdown]
# **Exercise 01.3.** By how many dB does bicubic's Set14 x4 PSNR change if you forget the border shave? Give the no-shave
# PSNR minus the paper-protocol PSNR (it can be negative).

# %% nbgrader={"grade": false, "grade_id": "ex01_3_answer", "locked": false, "schema_version": 3, "solution": true}
answer_3 = None

# %% nbgrader={"grade": true, "grade_id": "ex01_3", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("01.3", answer_3)

# %% [markdown]
# **Exercise 01.4.** Write `rgb_to_y(rgb)`: the BT.601 studio-swing luma of an (H, W, 3) uint8 image, as an
# (H, W) float array on the 0-255 scale, unrounded (the formula is in section 3). The check compares it with
# `srkit.color.rgb_to_y` on random images and on black, white and the three primaries.

# %% nbgrader={"grade": false, "grade_id": "ex01_4_answer", "locked": false, "schema_version": 3, "solution": true}
def rgb_to_y(rgb):
    """Y (float, 0-255 scale) of an (H, W, 3) uint8 RGB image."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex01_4", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("01.4", rgb_to_y)

# %% [markdown]
# **Exercise 01.5.** Write `psnr_y(sr, hr, scale)`: the PSNR in dB of an RGB uint8 SR image against its HR with the
# paper protocol of section 3 (Y channel, `scale` pixels shaved from every border, float64). The check compares
# it with `srkit.metrics.psnr(sr, hr, crop_border=scale)` on random images whose errors, like those of real SR
# outputs, are largest near the border.

# %% nbgrader={"grade": false, "grade_id": "ex01_5_answer", "locked": false, "schema_version": 3, "solution": true}
def psnr_y(sr, hr, scale):
    """PSNR (dB) of `sr` against `hr` (both (H, W, 3) uint8) on Y, with `scale` pixels shaved per border."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex01_5", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("01.5", psnr_y)

# %% [markdown]
# **Think further.** A friend trains a model on LR patches made with `cv2.resize(..., INTER_CUBIC)` and
# reports Set5 x4 PSNR on LR images made the same way. Using the protocol table, explain why their number
# cannot be compared with a paper's, and in which direction it is off for the bicubic baseline.
