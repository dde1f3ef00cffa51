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
# # 02 · CNN basics: why classification networks fail, and SRCNN
#
# **Learning goals.** After this notebook you can
#
# 1. explain, with measured numbers, why the classification recipe (convolutions, pooling, a dense head)
#    is a poor SR network;
# 2. describe SRCNN's three layers (patch extraction, non-linear mapping, reconstruction) and build it;
# 3. train a model with `srkit.train`, read its live loss / validation-PSNR plot, and say why the images it
#    validates on are kept apart from the benchmarks it is tested on;
# 4. compare your model with the pretrained one, and look at what the first-layer filters learned.
#
# Training cells are short here (smoke mode makes them tiny). Where you would wait an hour, the kit ships a
# pretrained model: `srkit.zoo.load("srcnn", 3)`.

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
# ## 1. The classification recipe, applied to SR
#
# An image classifier shrinks its input step by step (pooling) and ends with dense layers that see the
# whole image at once. Let us build that for SR: two conv + max-pooling blocks, then two dense layers that
# output the whole HR patch. And, for comparison, ESPCN, which never leaves the pixel grid.

# %%
# NBVAL_CHECK_OUTPUT
from srkit import models

naive = models.naive_cnn(scale=3, patch_size=16)
espcn = models.espcn(scale=3)
print(f"naive CNN: {naive.count_params():,} parameters (fixed 16x16 input)")
print(f"ESPCN    : {espcn.count_params():,} parameters (any input size)")
print(f"the naive CNN has {naive.count_params() / espcn.count_params():.0f} times as many parameters as ESPCN")

# %% [markdown]
# ### Validation and test sets are kept apart
#
# While it trains, `srkit.train` measures the model every `eval_every` steps on a **validation set**,
# `'val'`: 8 images held out from the training sets (`srkit.data.VALIDATION_IMAGES`), never trained on.
# Those numbers are what you choose by: between checkpoints, learning rates, numbers of steps. The benchmarks
# (Set5, Set14, BSD100) are **test sets**: they score the *final* weights once, after training
# (`result.test_scores(["Set5"])`). Why not validate on Set5 directly? Picking the best of many Set5
# measurements is itself a choice made by looking at Set5 (model selection on the test set), and the
# number it picks is biased upwards: it no longer says how the model does on images it has never been
# tuned on. Papers report test sets; keep them for the end.
#
# Both networks are trained with the same engine, on the same patches, for the same number of steps;
# the cell prints their validation PSNR and the final weights' Set5 test PSNR (paper protocol), next to
# bicubic on Set5.

# %%
from srkit.env import pick
from srkit.evaluate import evaluate
from srkit.train import TrainConfig, train

steps = pick(full=1500, smoke=20)
common = dict(scale=3, steps=steps, eval_every=steps, patch_size=16, batch_size=32,
              limit=pick(full=None, smoke=5), val_limit=pick(full=None, smoke=2))
naive_run = train(TrainConfig("naive_cnn", **common), live_plot=False, verbose=0)
espcn_run = train(TrainConfig("espcn", **common), live_plot=False, verbose=0)
bicubic_set5 = evaluate("bicubic", "Set5", 3).psnr.iloc[0]
print(f"x3, after {steps} steps   validation PSNR ('val')   test PSNR (Set5, final weights)")
for name, r in (("naive CNN", naive_run), ("ESPCN", espcn_run)):
    print(f"{name:20s} {r.final_val_psnr:20.2f} dB {r.test_scores(['Set5']).psnr.iloc[0]:28.2f} dB")
print(f"{'bicubic':20s} {'':23s} {bicubic_set5:28.2f} dB")

# %% [markdown]
# In full mode (1500 steps, about a minute each on a 2-core CPU) the naive network ends far *below
# bicubic* on Set5, and ESPCN above it, with about 1% of the parameters. (Smoke mode trains for only a
# few steps, so both are still far from trained there.) The validation and test columns hold different
# images, so their numbers differ (in full mode ESPCN scores lower on `'val'` than on Set5): compare
# models on the same set, never a number on one set with a number on another. Why the naive network loses:
#
# * **Pooling throws away positions.** After two 2x2 max-poolings, the network knows *that* an edge is in a
#   4x4 block, not *where*. SR needs exactly that sub-pixel detail.
# * **Dense layers are not translation equivariant.** Shifting the input should shift the output; a dense
#   layer has to learn this separately for every position, with a separate weight for each. Convolutions
#   get it for free and share their weights across the image.
# * **A fixed input size.** The dense head only accepts 16x16 patches, so big images must be cut into
#   tiles, with visible seams.
#
# Equivariance, measured: shift the input by one LR pixel and compare with the shifted output.

# %%
x = np.random.default_rng(0).random((1, 17, 17, 1), dtype=np.float32)
m = 15  # HR pixels ignored at the borders, where zero padding differs
def shift_error(model):
    a = np.asarray(model(x[:, :16, :16]))                    # original (16x16 LR -> 48x48 HR)
    b = np.asarray(model(x[:, 1:17, 1:17]))                  # input shifted by one LR pixel = 3 HR pixels
    return float(np.abs(a[:, 3 + m:-m, 3 + m:-m] - b[:, m:-m - 3, m:-m - 3]).mean())
print(f"naive CNN: output changes by {shift_error(naive_run.model):.4f} after a 1-pixel shift")
print(f"ESPCN    : output changes by {shift_error(espcn_run.model):.4f} (a pure shift, up to float error)")

# %% [markdown]
# ## 2. SRCNN, step by step
#
# SRCNN (Dong et al., 2014) was the first CNN for SR. It works on the **bicubic-upscaled** Y channel
# (*pre-upsampling*) and has three convolutions, each with a meaning:
#
# 1. **patch extraction** (9x9, 64 filters, ReLU): describe each 9x9 neighbourhood with 64 features;
# 2. **non-linear mapping** (5x5, 32 filters, ReLU): map LR features to HR features;
# 3. **reconstruction** (5x5, 1 filter): average the predicted HR patches into the output.

# %%
srcnn = models.srcnn(scale=3)
srcnn.summary()

# %% [markdown]
# Train it live. The plot updates in place: training loss (L1) per step on the left, validation PSNR
# (on `'val'`) at each validation on the right. After training, the final weights are tested once on
# Set5. In full mode (1000 steps, a few minutes on a 2-core CPU; the cell prints the time) it ends above
# bicubic on Set5 x3; the pretrained model trained for about 40,000 steps (see its card below).

# %%
config = TrainConfig("srcnn", scale=3, steps=pick(full=1000, smoke=20), eval_every=pick(full=250, smoke=10),
                     limit=pick(full=None, smoke=5), val_limit=pick(full=None, smoke=2))
run = train(config, out_dir="runs/notebook_srcnn_x3", resume=False, verbose=0)
print(f"{run.history[-1]['step']:.0f} steps in {run.wall_time_s:.0f} s: validation PSNR {run.final_val_psnr:.2f} dB, "
      f"Set5 test PSNR {run.test_scores(['Set5']).psnr.iloc[0]:.2f} dB (bicubic {bicubic_set5:.2f} dB)")

# %% [markdown]
# ## 3. Compare with the pretrained SRCNN
#
# `srkit.zoo` ships an SRCNN for each scale, with a card that says how it was trained and what it scores
# (`card["training"]["note"]` tells what came before its last run; `card["status"]["attempts"]` lists every run).

# %%
# NBVAL_CHECK_OUTPUT
from srkit import zoo
card = zoo.card("srcnn", 3)
print("parameters:", card["architecture"]["parameters"], "| steps of its last training run:", card["training"]["steps"])
print({ds: round(v["psnr"], 2) for ds, v in card["scores"].items()}, "(PSNR, dB)")
print("paper (SRCNN):", {ds: zoo.target(card, ds) for ds in card["scores"]})

# %%
from srkit.data import load_benchmark
from srkit.degrade import upscale
from srkit.infer import KerasUpscaler
from srkit.widgets import compare

butterfly = load_benchmark("Set5", 3)[2]
pretrained = zoo.load("srcnn", 3)
compare({
    "bicubic": upscale(butterfly.lr, 3),
    "your SRCNN": KerasUpscaler(run.model)(butterfly.lr, 3),
    "pretrained SRCNN": KerasUpscaler(pretrained)(butterfly.lr, 3),
    "HR": butterfly.hr,
}, reference="HR", crop_border=3, zoom_size=48)

# %% [markdown]
# ## 4. What did the first layer learn?
#
# Each of the 64 first-layer filters is a 9x9 pattern the network looks for. Look for oriented edge
# detectors, blobs and high-frequency texture detectors. Many of our filters are still noisy: the
# SRCNN paper trained for about 10^8 back-propagations and got smoother, Gabor-like filters; ours
# trained for about 261,000 steps in seven runs (see its card). Noise in a filter that the next layers
# ignore costs little, which is why the PSNR can be good while the filters look rough.

# %%
from srkit.viz import show_filters
show_filters(pretrained.get_layer("extract").kernel, title="pretrained SRCNN x3: first-layer filters");

# %% [markdown]
# ## Summary
#
# * Pooling and dense heads destroy the positional detail SR needs and break translation equivariance;
#   the naive network does worse than bicubic with many more parameters.
# * SRCNN: three convolutions on the bicubic-upscaled image, each with an interpretation.
# * `srkit.train` trains any kit model in two lines, validating on held-out training images (`'val'`) and
#   writing checkpoints; the benchmarks test only the final weights, so that no choice is made on them;
#   `srkit.zoo` has pretrained models with cards.
#
# ## Exercises
#
# Write your answer in place of `None`, or the body of the function in place of `raise NotImplementedError`,
# then run the cell below it: `check` says whether the answer is right, or what differs and a hint. A
# function or model you write is run next to the kit's own on fresh random inputs.
# `solution("02.1")` prints a worked solution, where your copy of the course has them.

# %% nbgrader={"grade": false, "grade_id": "ex02_setup", "locked": true, "schema_version": 3, "solution": false}
from srkit.exercises import check, solution

# %% [markdown]
# **Exercise 02.1.** How many parameters (weights and biases) does SRCNN 9-5-5 with 64 and 32 filters on one channel have?
# Count them by hand.

# %% nbgrader={"grade": false, "grade_id": "ex02_1_answer", "locked": false, "schema_version": 3, "solution": true}
answer_1 = None

# %% nbgrader={"grade": true, "grade_id": "ex02_1", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("02.1", answer_1)

# %% [markdown]
# **Exercise 02.2.** By how many dB does the pretrained SRCNN x3 beat bicubic on Set5? Use its zoo card and `evaluate`.

# %% nbgrader={"grade": false, "grade_id": "ex02_2_answer", "locked": false, "schema_version": 3, "solution": true}
answer_2 = None

# %% nbgrader={"grade": true, "grade_id": "ex02_2", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("02.2", answer_2)

# %% [markdown]
# **Exercise 02.3.** Build SRCNN 9-5-5 yourself with Keras layers: `build_srcnn()` returns a `keras.Model` that
# takes one-channel images of any size, `(None, None, 1)`, through the three convolutions of section 2 (64 and
# 32 filters, `"same"` padding, ReLU after the first two, none after the last). The check compares your layers
# and parameter count with `models.srcnn()`, runs your model with SRCNN's weights on random images, and
# trains it for 3 steps.

# %% nbgrader={"grade": false, "grade_id": "ex02_3_answer", "locked": false, "schema_version": 3, "solution": true}
def build_srcnn():
    """SRCNN 9-5-5 on one channel, as a keras.Model."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex02_3", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("02.3", build_srcnn)

# %% [markdown]
# **Exercise 02.4.** What does a convolution layer compute? Write `conv2d(image, kernel)` in NumPy: the output of a
# Keras `Conv2D` with one input and one output channel, no bias and `padding="same"`, on an (H, W) float image
# with a (k, k) kernel, k odd. The output has the image's size; outside the image, pixels count as 0. The check
# compares it with `keras.ops.conv` on random images and kernels.

# %% nbgrader={"grade": false, "grade_id": "ex02_4_answer", "locked": false, "schema_version": 3, "solution": true}
def conv2d(image, kernel):
    """'same' convolution of an (H, W) image with a (k, k) kernel, as Keras's Conv2D computes it."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex02_4", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("02.4", conv2d)

# %% [markdown]
# **Think further.** Build `models.srcnn(f2=1)` (the paper's 9-1-5 network) and train it with the same
# config. Is the 5x5 mapping layer worth its parameters?
