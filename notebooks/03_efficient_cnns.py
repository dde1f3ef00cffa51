# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Efficient CNNs: post-upsampling, sub-pixel convolution, residual networks
#
# **Learning goals.** After this notebook you can
#
# 1. explain why pre-upsampling (SRCNN) wastes computation and how post-upsampling fixes it;
# 2. carry out a sub-pixel convolution (pixel shuffle) by hand on a tiny tensor;
# 3. describe FSRCNN, ESPCN and the EDSR-style flagship, and their parameter counts;
# 4. read the trade-off between quality, parameters, FLOPs and latency;
# 5. regenerate the paper-style results table of the kit's pretrained models.

# %%
# Every notebook starts the same way: inline figures, the kit, and one set-up line. start() loads
# TensorFlow (a few seconds) without the start-up messages its C++ library prints, then says what it found.
import os
# %matplotlib inline
import numpy as np
import srkit
from srkit.env import smoke_mode, start
setup = start()  # prints the set-up line (and returns it)
import keras

# %% [markdown]
# ## 1. Pre- vs post-upsampling
#
# SRCNN runs every layer on the *upscaled* image: at x3, on 9 times more pixels than the LR input. FSRCNN
# and ESPCN run all their layers on the LR image and only enlarge at the very end. The cost per output
# megapixel, counted exactly (`srkit.profile.count_flops`):

# %%
# NBVAL_CHECK_OUTPUT
from srkit import models
from srkit.profile import cost_table

nets = {"SRCNN (pre)": (models.srcnn(3), True), "FSRCNN (post)": (models.fsrcnn(3), False),
        "ESPCN (post)": (models.espcn(3), False), "EDSR-style (post)": (models.edsr(3), False)}
costs = cost_table(nets, scale=3, lr_hw=(64, 64), timing=False)
print(costs.to_string(index=False, float_format=lambda v: f"{v:.2f}"))

# %% [markdown]
# ## 2. Sub-pixel convolution by hand
#
# ESPCN's last convolution outputs $r^2$ channels per output channel at LR resolution; the **pixel
# shuffle** (`keras.ops.depth_to_space`) moves each group of $r^2$ channels into an $r \times r$ block of
# output pixels. Here with $r = 2$, one output channel, on a 2x2 image whose four channels hold 0-3, 4-7,
# 8-11 and 12-15:

# %%
# NBVAL_CHECK_OUTPUT
x = np.arange(16, dtype=np.float32).reshape(1, 2, 2, 4)
print("channel c of the input, as 2x2 images:")
for c in range(4):
    print(f"  c={c}:", x[0, :, :, c].astype(int).tolist())
y = models.PixelShuffle(2)(x)
print("after PixelShuffle(2), one 4x4 image:")
print(np.asarray(y)[0, :, :, 0].astype(int))

# %% [markdown]
# Read it: output pixel $(2i + a, 2j + b)$ comes from input pixel $(i, j)$, channel $2a + b$. So the
# convolution before the shuffle computes, for every LR pixel, the 4 HR pixels around it: four
# interleaved convolutions, all at LR cost. FSRCNN does the same job with a transposed convolution
# (stride $r$).
#
# ## 3. The three post-upsampling networks

# %%
# NBVAL_CHECK_OUTPUT
for name in ("fsrcnn", "espcn", "edsr"):
    counts = [models.build(name, s).count_params() for s in (2, 3, 4)]
    print(f"{name:7s} parameters at x2 / x3 / x4: " + " / ".join(f"{c:,}" for c in counts))

# %% [markdown]
# * **FSRCNN**: 5x5 feature extraction (56), shrink to 12 channels with 1x1, four 3x3 mapping layers,
#   expand back to 56, then a 9x9 transposed convolution with stride $r$. PReLU activations.
# * **ESPCN**: 5x5 (64, tanh), 3x3 (32, tanh), 3x3 to $r^2$ channels, pixel shuffle.
# * **EDSR-style flagship**: 15 residual blocks (conv-ReLU-conv, no batch normalisation, scaled by 0.1),
#   a long skip connection, pixel-shuffle upsampling, and a *global* residual: the network only predicts
#   what a bilinear upscale is missing.
#
# ## 4. Quality against cost
#
# PSNR on Set5 (from each pretrained model's card) against parameters and measured CPU latency on this
# machine (a 64x64 LR input):

# %%
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

# %% [markdown]
# ## 5. The zoo's results table, regenerated
#
# `evaluate` runs every pretrained model on the benchmarks with the paper protocol. (Smoke mode scores
# Set5 only; run the notebook normally for Set14 and BSD100 too, a few minutes on a CPU.) The cards hold
# the full numbers; `srkit zoo` prints them next to the paper targets.

# %%
# NBVAL_CHECK_OUTPUT
import pandas as pd
from srkit.env import pick
from srkit.evaluate import evaluate

sets = pick(full=["Set5", "Set14", "BSD100"], smoke=["Set5"])
rows = [evaluate(m, sets, [2, 3, 4]) for m in ("bicubic", "srcnn", "fsrcnn", "espcn", "edsr")]
table = pd.concat(rows).pivot_table(index=["dataset", "method"], columns="scale", values="psnr", sort=False)
print(table.to_string(float_format=lambda v: f"{v:.2f}"))

# %%
zoo.results_table().pivot_table(index=["dataset", "model"], columns="scale", values=["psnr", "target_psnr"], sort=False).round(2)

# %% [markdown]
# The targets are the numbers of the paper each model is named after (VDSR for the flagship). The shipped
# weights were trained for minutes, not days (see each card's `training` section), and do not all reach
# them yet; the cards and the README say which and by how much.
#
# ## Summary
#
# * Post-upsampling runs the network on LR pixels: far fewer FLOPs for the same receptive field.
# * Sub-pixel convolution = a convolution to $r^2$ channels + a pixel shuffle; it is exact and cheap.
# * Deeper residual networks buy quality with parameters and latency; the chart shows the trade-off.
#
# ## Exercises
#
# Write your answer in place of `None`, or the body of the function in place of `raise NotImplementedError`,
# then run the cell below it: `check` says whether the answer is right, or what differs and a hint. A
# function or model you write is run next to the kit's own on fresh random inputs.
# `solution("03.1")` prints a worked solution, where your copy of the course has them.

# %% nbgrader={"grade": false, "grade_id": "ex03_setup", "locked": true, "schema_version": 3, "solution": false}
from srkit.exercises import check, solution

# %% [markdown]
# **Exercise 03.1.** What is the output shape of `PixelShuffle(3)` applied to a tensor of shape (1, 5, 7, 18)? Answer with a
# tuple.

# %% nbgrader={"grade": false, "grade_id": "ex03_1_answer", "locked": false, "schema_version": 3, "solution": true}
answer_1 = None

# %% nbgrader={"grade": true, "grade_id": "ex03_1", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("03.1", answer_1)

# %% [markdown]
# **Exercise 03.2.** Which single-image zoo model has the highest Set14 PSNR at x4? Answer with its name.

# %% nbgrader={"grade": false, "grade_id": "ex03_2_answer", "locked": false, "schema_version": 3, "solution": true}
answer_2 = None

# %% nbgrader={"grade": true, "grade_id": "ex03_2", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("03.2", answer_2)

# %% [markdown]
# **Exercise 03.3.** Write the pixel shuffle in NumPy with `reshape` and `transpose` only: `pixel_shuffle(x, r)` turns a
# (B, H, W, C·r²) array into a (B, r·H, r·W, C) one exactly as `models.PixelShuffle(r)` does. Section 2 shows
# the rule for C = 1; with C channels, output channel c of the pixel at offset (a, b) in its r x r block
# comes from input channel (a·r + b)·C + c. The check compares the two on random arrays with r = 2, 3, 4.

# %% nbgrader={"grade": false, "grade_id": "ex03_3_answer", "locked": false, "schema_version": 3, "solution": true}
def pixel_shuffle(x, r):
    """(B, H, W, C*r*r) -> (B, r*H, r*W, C), as models.PixelShuffle(r)."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex03_3", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("03.3", pixel_shuffle)

# %% [markdown]
# **Exercise 03.4.** Write `conv_flops(h, w, k, c_in, c_out)`: the FLOPs of one `Conv2D(c_out, k, padding="same")`
# on an h x w input with c_in channels, counted as `srkit.profile.count_flops` counts them for the cost table
# of section 1 (a multiply-accumulate is 2 FLOPs; biases are not counted). The check compares it with
# `count_flops` of one-layer models of several sizes.

# %% nbgrader={"grade": false, "grade_id": "ex03_4_answer", "locked": false, "schema_version": 3, "solution": true}
def conv_flops(h, w, k, c_in, c_out):
    """FLOPs of a k x k 'same' convolution from c_in to c_out channels on an h x w input."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex03_4", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("03.4", conv_flops)
