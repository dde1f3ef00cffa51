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
# # 03 · Efficient CNNs: post-upsampling, sub-pixel convolution, residual networks
#
# **Learning goals.** After this notebook you can
#
# 1. explain why pre-upsampling (SRCNN) wastes computation and how post-upsampling fixes it;
# 2. carry out a sub-pixel convolution (pixel shuffle) by hand on a tiny tensor;
# 3. describe FSRCNN, ESPCN and the EDSR-style flagship, and their parameter counts;
# 4. read the trade-off between quality, parameters, FLOPs and latency;
# 5. read the paper-style results table of the kit's pretrained models, and check part of it yourself.

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
# * **ESPCN**: 5x5 (64, tanh), 3x3 (32, tanh), 3x3 to $r^2$ channels, pixel shuffle (the paper's
#   network; the kit's pretrained ESPCNs use ReLU instead of tanh, for the reason measured below).
# * **EDSR-style flagship**: 15 residual blocks (conv-ReLU-conv, no batch normalisation, scaled by 0.1),
#   a long skip connection, pixel-shuffle upsampling, and a *global* residual: the network only predicts
#   what a bilinear upscale is missing.
#
# **One departure from a paper, and why.** ESPCN's authors used tanh. On this kit's training images, two
# ESPCN x3 runs that differed only in the activation (same random start, data order, learning rate and number
# of steps) ended far apart. The zoo's ESPCN x3 card keeps both runs:

# %%
# NBVAL_CHECK_OUTPUT
from srkit import zoo

espcn3_card = zoo.card("espcn", 3)
for a in espcn3_card["status"]["attempts"]:
    if a.get("study") == "activation":
        print(f"{a['activation']:4s}: {a['steps']:,} steps from a random start ({a['minutes']:.0f} min on a 2-core CPU), "
              f"validation PSNR {a['val_after']:.2f} dB")
print("the zoo's ESPCN x3:", espcn3_card["architecture"]["departures_from_paper"])

# %% [markdown]
# Equal steps, one change, a large difference. A likely reason is saturation: tanh flattens out for large
# inputs, so a unit whose input has grown large passes almost no gradient back, while ReLU passes its
# gradient unchanged wherever it is active. The paper trained for far longer on far more images, where the
# slower start matters less; with a CPU's budget it decides the result. The zoo's ESPCNs continued the ReLU
# run, and their cards say so: `srkit zoo` lists every model whose network departs from its paper's.
#
# ## 4. Quality against cost
#
# PSNR on Set5 (from each pretrained model's card) against parameters and measured CPU latency on this
# machine (one 128x128 LR input, 384x384 output; SRCNN runs on the bicubic-upscaled 384x384 image). The
# latency is a wall-clock measurement: it varies from run to run and from machine to machine, and more
# so when other programs share the CPU.

# %%
from srkit.viz import tradeoff_plot
import matplotlib.pyplot as plt

scale = 3
zoo_nets = {name: (zoo.load(name, scale), name == "srcnn") for name in ("srcnn", "fsrcnn", "espcn", "edsr")}
costs = cost_table(zoo_nets, scale=scale, lr_hw=(128, 128), repeats=3)
costs["psnr"] = [zoo.card(m, scale)["scores"]["Set5"]["psnr"] for m in costs.model]
print(costs.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
tradeoff_plot(costs, "params", "psnr", ax=axes[0])
tradeoff_plot(costs, "cpu_ms_per_mp", "psnr", ax=axes[1])
axes[0].set_xlabel("parameters (log scale)")
axes[1].set_xlabel("CPU latency (ms per output megapixel, log scale)")
for ax in axes:
    ax.set_ylabel("Set5 PSNR x3 (dB)")
fig.tight_layout()

# %% [markdown]
# **Latency is not FLOPs.** FSRCNN needs about 40 times fewer FLOPs than SRCNN (printed below), yet on
# a CPU it is far from 40 times faster (the measured ratio is printed below too). FLOPs count only the
# multiply-adds of the convolutions. A CPU is also limited by how fast it moves data: every layer reads
# and writes a whole feature map, and FSRCNN has 15 small layers (8 convolutions with 12 to 56
# channels, 7 PReLU activations with no multiply-adds at all), where SRCNN has 3 large ones that do much
# arithmetic per byte moved. Such small layers are *memory-bound*: their time is set by the bytes moved
# and the per-layer overhead, not by the FLOPs. FSRCNN's last layer, a 9x9 transposed convolution
# with stride 3, is also less well optimised on CPUs than ordinary convolutions. Time each FSRCNN layer on
# its own (on this machine; the numbers vary between runs) next to its share of the FLOPs:

# %%
import time
import pandas as pd

def layer_times(model, lr_hw=(128, 128), repeats=5):
    """Median time (ms) of each layer run on its own, eagerly, on the feature map the layer before made,
    and its FLOPs (2 x multiply-adds; every FSRCNN layer reads an LR-sized map; activations count 0)."""
    x = np.random.default_rng(0).random((1, *lr_hw, 1), dtype=np.float32)
    rows = []
    for layer in model.layers[1:]:
        layer(x)                                                    # warm-up
        times = []
        for _ in range(repeats):
            t = time.perf_counter(); y = np.asarray(layer(x)); times.append(time.perf_counter() - t)
        macs = int(np.prod(layer.kernel.shape)) * lr_hw[0] * lr_hw[1] if hasattr(layer, "kernel") else 0
        rows.append({"layer": layer.name, "type": type(layer).__name__, "ms": 1000 * float(np.median(times)),
                     "gflops": 2 * macs / 1e9})
        x = y
    return pd.DataFrame(rows)

print(f"FLOPs per output pixel, SRCNN / FSRCNN: {costs.gflops_per_mp[0] / costs.gflops_per_mp[1]:.0f}"
      f"; measured latency, SRCNN / FSRCNN: {costs.cpu_ms_per_mp[0] / costs.cpu_ms_per_mp[1]:.1f}")
per_layer = layer_times(zoo_nets["fsrcnn"][0])
by_type = per_layer.groupby("type", sort=False)[["ms", "gflops"]].sum()
by_type["% of time"] = 100 * by_type.ms / by_type.ms.sum()
by_type["% of FLOPs"] = 100 * by_type.gflops / by_type.gflops.sum()
by_type["ms per GFLOP"] = by_type.ms / by_type.gflops.where(by_type.gflops > 0)
print("FSRCNN x3, one 128x128 LR input, each layer timed on its own (summed by layer type):")
print(by_type[["ms", "% of time", "% of FLOPs", "ms per GFLOP"]].to_string(float_format=lambda v: f"{v:.0f}"))

# %% [markdown]
# Read the table: the PReLU activations do no multiply-adds at all, yet take a good part of the time;
# the transposed convolution usually costs more time per GFLOP than the ordinary convolutions. On a GPU,
# which hides much of the per-layer cost, FSRCNN's FLOP advantage shows more fully. For latency on a
# given machine, measure; FLOPs only say how much arithmetic there is.

# %% [markdown]
# ## 5. The zoo's results table
#
# Scoring five methods on three benchmarks at three scales takes a CPU a quarter of an hour, so the
# pretrained models' scores are stored in their cards: each card holds the PSNR/SSIM of the shipped
# weights on Set5, Set14 and BSD100 (paper protocol) and the command that measured them. `srkit zoo`
# prints the same table. Every model here takes one LR image (Y channel) as input; SRCNN gets it
# bicubic-upscaled first.

# %%
# NBVAL_CHECK_OUTPUT
import pandas as pd
from srkit.evaluate import evaluate

single = ["srcnn", "fsrcnn", "espcn", "edsr"]
cards = zoo.results_table()
cards = cards[cards.model.isin(single) & cards.scale.isin([2, 3, 4])].copy()  # x8: chapter 07
cards["model"] = pd.Categorical(cards.model, categories=single)                # the chapter's order
cards["dataset"] = pd.Categorical(cards.dataset, categories=["Set5", "Set14", "BSD100"])
print("measured with:", zoo.card("srcnn", 3)["evaluated_with"]["srkit_command"], "(and the same for each model and scale)")
print("input: one LR image, Y channel. PSNR in dB; in brackets the paper each model is held to")
shown = cards.assign(cell=[f"{p:.2f} ({t:.2f})" if pd.notna(t) else f"{p:.2f}" for p, t in zip(cards.psnr, cards.target_psnr)])
print(shown.pivot_table(index=["dataset", "model"], columns="scale", values="cell", aggfunc="first", observed=True)
      .rename(columns=lambda s: f"x{s}").to_string())

# %% [markdown]
# The targets are the numbers of the paper each model is named after (VDSR for the flagship). The shipped
# weights were trained for minutes to hours, not days (see each card's `training` section). ESPCN, held to
# SRCNN's numbers, reaches them at every scale in the table above; the others do not yet at every scale (FSRCNN
# x2 and x4 and SRCNN x2 meet their papers on all three test sets, SRCNN x3 on all but Set14 and FSRCNN x3 on all
# but Set5), and the cards and the README say by how much.
#
# Do the stored numbers reproduce? Score the four models and bicubic live on Set5 at x3 (a few seconds)
# and compare with the cards:

# %%
# NBVAL_CHECK_OUTPUT
live = pd.concat([evaluate(m, "Set5", 3) for m in ["bicubic", *single]], ignore_index=True)
live["card_psnr"] = [zoo.card(m, 3)["scores"]["Set5"]["psnr"] if m != "bicubic" else float("nan") for m in live.method]
live["difference"] = (live.psnr - live.card_psnr).round(4) + 0.0   # + 0.0: no "-0.0000"
print("Set5 x3, PSNR in dB, measured now against the card:")
print(live[["method", "psnr", "card_psnr", "difference"]].to_string(index=False, float_format=lambda v: f"{v:.4f}"))

# %% [markdown]
# ## Summary
#
# * Post-upsampling runs the network on LR pixels: far fewer FLOPs for the same receptive field.
# * Sub-pixel convolution = a convolution to $r^2$ channels + a pixel shuffle; it is exact and cheap.
# * Deeper residual networks buy quality with parameters and latency; the chart shows the trade-off.
# * FLOPs are not latency: small, memory-bound layers and transposed convolutions cost a CPU more time
#   than their multiply-adds suggest.
# * A detail such as the activation can decide a small network's result: in equal runs ESPCN with ReLU
#   beat the paper's tanh by a wide margin (section 3). Where a shipped model departs from its paper, its
#   card says so.
# * The zoo cards store every model's benchmark scores with the command that made them; a live run on
#   one set reproduces them.
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
