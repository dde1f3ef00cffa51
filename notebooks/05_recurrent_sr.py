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
# # 05 · Recurrent networks for super-resolution: three ways to reuse a state
#
# **Learning goals.** After this notebook you can
#
# 1. write the recurrence $h_t = f(x_t, h_{t-1}; \theta)$ and say what $x_t$ and $h_t$ are in each of
#    the three ways SR uses it;
# 2. build a DRCN-style recursive network and explain why its parameters stay constant as it gets deeper;
# 3. build an "image as a sequence of rows" network and explain, with numbers, why it loses to a
#    CNN of the same size;
# 4. simulate a burst of shifted LR frames and run a ConvGRU over it, and measure what the extra frames add;
# 5. read the measured tables and the frames chart, and know when recurrence helps.

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
# ## The recurrence, three times
#
# A recurrent network applies **the same** function $f$ with **the same** weights $\theta$ at every step,
# carrying a state: $h_t = f(x_t, h_{t-1}; \theta)$. SR uses this in three ways:
#
# | use | step $t$ is | $x_t$ | $h_t$ | kit model |
# |---|---|---|---|---|
# | recursion in depth (DRCN) | one more pass of the same conv | nothing after $t=1$ (the image enters once) | the feature map after $t$ passes | `models.drcn` |
# | recurrence over a sequence | one pixel along a row (then a column) | that LR pixel | a summary of the row so far | `models.sequence_rnn` |
# | recurrence over frames | one frame of a burst | features of frame $t$ paired with the reference | what frames $1..t$ told about the scene | `models.multiframe_rnn` |
#
# Each section trains a model briefly, live. Those short runs show how training works; they are far too
# short to show the chapter's results, so each is followed by the shipped measurement: models trained for
# thousands of steps, scored by `bench/rnn_study.py` on a 2-core CPU (the commands and training details
# are in `bench/rnn_results.json` and in the zoo cards). While a model trains, it is validated on `'val'`
# (8 images held out from the training sets); the benchmarks test the final weights (see notebook 02).

# %%
import json
from pathlib import Path
import pandas as pd
from srkit import models, zoo
from srkit.env import pick
from srkit.train import TrainConfig, train

results = json.loads(Path("../bench/rnn_results.json").read_text())
print("the tables below were measured with:")
for command in results["command"]:
    print("  " + command)

# %% [markdown]
# ## 1. Recursion with shared weights (DRCN)
#
# An embedding convolution, then **one** 3x3 convolution applied $T$ times with the same weights, a shared
# reconstruction after every recursion (each recursion makes a full prediction), and a learned weighted
# average of the $T$ predictions. During training every prediction is supervised (*deep supervision*:
# `TrainConfig(supervision=0.5)` gives half the loss to the intermediate predictions), which keeps the
# gradients of the early recursions alive. Parameters do not grow with $T$; the receptive field does:

# %%
# NBVAL_CHECK_OUTPUT
for t in (1, 2, 4, 8, 16):
    m = models.drcn(3, recursions=t)
    print(f"T = {t:2d}: {m.count_params():,} parameters, receptive field {2 * t + 5} x {2 * t + 5} px")

# %% [markdown]
# (The only weights that depend on $T$ are the $T$ combination weights.) Train one briefly with deep
# supervision; the engine logs the loss of every prediction (`prediction1_loss` ...):

# %%
cfg = TrainConfig("drcn", 3, steps=pick(full=600, smoke=6), eval_every=pick(full=300, smoke=3),
                  model_config={"recursions": 4}, limit=pick(full=None, smoke=3), val_limit=pick(full=None, smoke=1))
drcn_run = train(cfg, out_dir="runs/notebook_drcn_x3", resume=False, verbose=0)
last = drcn_run.history[-1]
test_limit = pick(full=None, smoke=1)   # smoke mode tests on one image only
on_test = " (first image only, smoke mode)" if smoke_mode() else ""
print({k: round(v, 4) for k, v in last.items() if k.endswith("_loss")})
print(f"after {last['step']:.0f} steps: validation ('val') {drcn_run.final_val_psnr:.2f} dB, "
      f"Set5 test{on_test} {drcn_run.test_scores(['Set5'], limit=test_limit).psnr.iloc[0]:.2f} dB")
print(f"shipped drcn x3 (T = {zoo.card('drcn', 3)['architecture']['config']['recursions']}, "
      f"{zoo.card('drcn', 3)['training']['steps']} steps), Set5 test: "
      f"{zoo.card('drcn', 3)['scores']['Set5']['psnr']:.2f} dB")

# %% [markdown]
# This live run is a few hundred steps, far too short to reach the shipped model; what depth buys is
# shown by the depth study (shipped measurement): the same network with 1, 2, 4 and 8 recursions, each trained the
# same way, x3, PSNR in dB on the test sets Set5 and Set14; each row's command is in
# `bench/rnn_results.json`, e.g. `srkit train drcn --scale 3 --steps 6000 --eval-every 2000 --model-config '{"recursions": 1}'`:

# %%
# NBVAL_CHECK_OUTPUT
depth = pd.DataFrame(results["drcn_depth_x3"])
print("input: one LR image, bicubic-upscaled (Y channel); receptive field in pixels of that image, PSNR in dB")
print(depth[["recursions", "parameters", "receptive_field", "set5_psnr", "set14_psnr", "steps"]].to_string(index=False))

# %%
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(4.5, 3))
ax.plot(depth.recursions, depth.set5_psnr, "o-")
ax.set_xscale("log", base=2); ax.set_xticks(depth.recursions, [str(t) for t in depth.recursions])
ax.set_xlabel("recursions T (same parameters)"); ax.set_ylabel("Set5 PSNR x3 (dB)")
ax.set_title("same parameters, deeper recursion");

# %% [markdown]
# ## 2. Recurrence over a sequence: the image as rows
#
# A classic way to bring an RNN to images: split the LR image into sequences (its rows), encode them with a
# recurrent network, decode HR rows. `models.sequence_rnn` runs a bidirectional GRU along every row, then
# another along every column of the result, and a 1x1 convolution decodes each pixel's state into its
# $s \times s$ HR pixels (sub-pixel along both axes). No convolution looks at neighbours: all context comes
# through the recurrences. With 30 units it has about as many parameters as ESPCN:

# %%
# NBVAL_CHECK_OUTPUT
seq, esp = models.sequence_rnn(3), models.espcn(3)
print(f"sequence RNN: {seq.count_params():,} parameters | ESPCN: {esp.count_params():,} parameters")

# %%
cfg = TrainConfig("sequence_rnn", 3, steps=pick(full=300, smoke=4), eval_every=pick(full=300, smoke=4),
                  limit=pick(full=None, smoke=3), val_limit=pick(full=None, smoke=1))
seq_run = train(cfg, out_dir="runs/notebook_seq_x3", resume=False, verbose=0)
from srkit.evaluate import evaluate
bicubic_x3 = evaluate("bicubic", "Set5", 3, limit=test_limit).psnr.iloc[0]
print(f"after {seq_run.history[-1]['step']:.0f} steps: validation ('val') {seq_run.final_val_psnr:.2f} dB, "
      f"Set5 test{on_test} {seq_run.test_scores(['Set5'], limit=test_limit).psnr.iloc[0]:.2f} dB "
      f"(bicubic {bicubic_x3:.2f} dB)")
print(f"shipped sequence_rnn x3 ({zoo.card('sequence_rnn', 3)['training']['steps']} steps), Set5 test: "
      f"{zoo.card('sequence_rnn', 3)['scores']['Set5']['psnr']:.2f} dB")

# %% [markdown]
# A few hundred steps are not enough for the row RNN: after this live run (300 steps in full mode) it is
# still *below* bicubic on Set5. Trained for 3000 steps it beats bicubic, but not an ESPCN of the same size trained
# the same way. The shipped measurement (x3, PSNR in dB on the test sets; commands `srkit train sequence_rnn --scale 3 --steps 3000 --eval-every 1000` and the same for
# `espcn`, scored by `bench/rnn_study.py`; latency per LR megapixel on a 2-core CPU):

# %%
# NBVAL_CHECK_OUTPUT
seq_table = pd.DataFrame(results["sequence_vs_espcn_x3"])[["model", "parameters", "set5_psnr", "set14_psnr",
                                                            "cpu_ms_per_lr_megapixel", "steps"]]
bicubic_row = {"model": "bicubic (measured now)", "parameters": 0, "cpu_ms_per_lr_megapixel": float("nan"), "steps": 0,
               **{f"{ds.lower()}_psnr": round(evaluate("bicubic", ds, 3).psnr.iloc[0], 3) for ds in ("Set5", "Set14")}}
seq_table = pd.concat([seq_table, pd.DataFrame([bicubic_row])], ignore_index=True)
print("input of every model in this table: one LR image (Y channel)")
print(seq_table.to_string(index=False))
print(f"the row RNN is {seq_table.cpu_ms_per_lr_megapixel[0] / seq_table.cpu_ms_per_lr_megapixel[1]:.0f} times "
      "slower per LR pixel than ESPCN")

# %% [markdown]
# Why the CNN wins at equal size:
#
# * **Locality.** SR detail depends mostly on a small neighbourhood. A convolution looks exactly there;
#   the GRU must squeeze everything on one side of a pixel, along its row, into 30 numbers (per direction)
#   and hope the relevant part survives.
# * **Translation equivariance.** A convolution treats every position alike. A row RNN's state depends on
#   where the row starts, so the same edge is processed differently at different places.
# * **Cost per pixel.** A GRU step is a chain of matrix products that must run one after another along the
#   row; convolutions run every pixel in parallel. The measured CPU latency above shows it.
#
# What recurrence over a row *does* bring is unlimited context along the row, which SR rarely needs.
#
# ## 3. Multi-frame SR: recurrence over a burst
#
# A burst is several LR frames of one scene, each shifted by a fraction of an LR pixel (a shaking hand,
# a moving camera). Each frame samples the scene on a different grid, so together they hold detail no
# single frame has. `burst.make_burst` simulates one from any image: random shifts (known to the
# simulator, not to the model), area-averaged downsampling (each LR pixel integrates its $s \times s$ block,
# as a sensor does, which keeps aliasing), optional noise, fixed seeds. Frames are counted from 1 here;
# frame 1 is the reference and is not shifted. (In code, frame $n$ is `burst.frames[n - 1]`.)

# %%
# NBVAL_CHECK_OUTPUT
from srkit.burst import make_burst, shift_and_add, upscale_burst
from srkit.data import load_benchmark

scale = 4
scene = next(p for p in load_benchmark("Set14", scale) if p.name == "lenna")
burst = make_burst(scene.hr, scale, frames=8, seed=0)
shifts = [tuple(s) for s in burst.shifts.tolist()]
assert len(set(shifts)) == len(shifts), "two frames of the demo burst have the same shift"
print("frames (count, height, width, channels):", burst.frames.shape)
for n, (dy, dx) in enumerate(shifts, start=1):
    print(f"frame {n}: shift (dy, dx) = ({dy:+.2f}, {dx:+.2f}) LR pixels")
print(f"all {len(shifts)} shifts are different")

# %% [markdown]
# Step through the frames with the slider (the caption names the frame, from 1 to 8, and its shift); the
# right image, the difference to frame 1 amplified 4 times, shows where the sub-pixel shifts change the samples:

# %%
from srkit.widgets import BurstViewer
BurstViewer(burst)

# %% [markdown]
# The model (`models.multiframe_rnn`): every frame is paired with the reference frame 1 (so the network
# can see, locally, how the frame is shifted), a shared convolution stack turns each pair into features
# $x_t$, a **ConvGRU** reads them in order, $h_t = \mathrm{ConvGRU}(x_t, h_{t-1})$ (the GRU's matrix
# products replaced by 3x3 convolutions, so $h_t$ is a feature map), and a sub-pixel convolution
# upsamples $h_T$. Keras 3 has no ConvGRU, so `models.ConvRecurrent2D` implements it (and ConvLSTM) as
# a serialisable layer. No weight depends on the number of frames, so the same weights run on 1 to 8
# frames (`models.with_frames`). The baselines: the same network trained on one frame (equal capacity),
# and classical shift-and-add with the *true* shifts.

# %%
cfg = TrainConfig("multiframe_rnn", scale, steps=pick(full=300, smoke=4), eval_every=pick(full=300, smoke=4),
                  model_config={"frames": 5}, limit=pick(full=None, smoke=3),
                  val_limit=pick(full=None, smoke=1), batch_size=pick(full=16, smoke=2), patch_size=pick(full=16, smoke=8))
mf_run = train(cfg, out_dir="runs/notebook_multiframe_x4", resume=False, verbose=0)
from srkit.burst import evaluate_bursts
bicubic_bursts = evaluate_bursts("bicubic", ["Set14"], scale, frames=5, limit=test_limit).psnr.iloc[0]
print(f"after {mf_run.history[-1]['step']:.0f} steps: validation ('val' bursts) {mf_run.final_val_psnr:.2f} dB, "
      f"Set14 bursts test{on_test} {mf_run.test_scores(['Set14'], limit=test_limit).psnr.iloc[0]:.2f} dB "
      f"(bicubic of frame 1: {bicubic_bursts:.2f} dB)")
print(f"shipped multiframe_rnn x4 (thousands of steps, see its card), Set14 bursts test: "
      f"{zoo.card('multiframe_rnn', 4)['scores']['Set14']['psnr']:.2f} dB")

# %% [markdown]
# A few hundred steps cannot show what the extra frames are worth: after this live run (300 steps in full
# mode) the model is still close to bicubic. The shipped models, trained for thousands of steps, show it (the tables below).
# The pretrained models on this burst, side by side:

# %%
from srkit.degrade import upscale
from srkit.metrics import to_y_channel
from srkit.widgets import compare

multi, single = zoo.load("multiframe_rnn", scale), zoo.load("singleframe_rnn", scale)
five = make_burst(scene.hr, scale, frames=5, seed=0)   # the first 5 frames of the demo burst
compare({"bicubic (frame 1)": to_y_channel(upscale(five.frames[0], scale)) / 255,
         "single-frame RNN": upscale_burst(single, five), "shift-and-add (5)": to_y_channel(shift_and_add(five)) / 255,
         "multi-frame RNN (5)": upscale_burst(multi, five), "HR": to_y_channel(five.hr) / 255},
        reference="HR", crop_border=scale, zoom_size=64)

# %% [markdown]
# The shipped measurement, on bursts made from Set14 and BSD100 (x4, 5 frames, image $i$ uses seed $i$),
# PSNR in dB on Y. Each method gets a different input, named in the `input` column; the two RNNs have the
# same weights' shapes (equal capacity). The models were trained with the commands in their cards
# (printed below) and scored by `bench/rnn_study.py`. Those runs validated on Set14 (`--val Set14`), but
# the shipped weights are the final ones, so Set14 chose no checkpoint:

# %%
# NBVAL_CHECK_OUTPUT
mf = results["multiframe_x4"]
inputs = {"multiframe_rnn_5_frames": "burst of 5 LR frames", "singleframe_rnn": "frame 1 only",
          "shift_and_add_5_frames": "burst of 5 LR frames + true shifts", "bicubic_frame0": "frame 1 only"}
names = {"multiframe_rnn_5_frames": "multi-frame RNN", "singleframe_rnn": "single-frame RNN",
         "shift_and_add_5_frames": "shift-and-add", "bicubic_frame0": "bicubic"}
mf_table = pd.DataFrame([{"method": names[k], "input": inputs[k],
                          **{ds: mf["summary"][ds][k]["psnr"] for ds in mf["summary"]}} for k in names])
print(mf_table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
print("gain of 5 frames over the single-frame model (dB):", {ds: s["gain_db"] for ds, s in mf["summary"].items()})
for name in ("multiframe_rnn", "singleframe_rnn"):
    print(f"{name} trained with:")
    for command in zoo.card(name, scale)["training"]["commands"]:
        print("  " + command)

# %% [markdown]
# And the frames chart: the 5-frame model's weights run on 1, 2, 3, 5 and 8 frames, next to
# shift-and-add with the same frames:

# %%
# NBVAL_CHECK_OUTPUT
chart = pd.DataFrame(mf["frames_chart"])
print(chart.to_string(index=False, float_format=lambda v: f"{v:.2f}"))

# %%
fig, ax = plt.subplots(figsize=(5.5, 3.4))
for ds, c in (("Set14", "C0"), ("BSD100", "C1")):
    ax.plot(chart.frames, chart[f"{ds}_multiframe_rnn"], "o-", color=c, label=f"{ds}: multi-frame RNN")
    ax.plot(chart.frames, chart[f"{ds}_shift_and_add"], "s--", color=c, alpha=0.6, label=f"{ds}: shift-and-add")
    ax.axhline(mf["summary"][ds]["singleframe_rnn"]["psnr"], color=c, ls=":", lw=1)
ax.set_xticks(chart.frames)
ax.set_xlabel("frames in the burst"); ax.set_ylabel("PSNR on Y, x4 (dB)"); ax.legend(fontsize=7)
ax.set_title("shipped models on bursts; dotted: single-frame model", fontsize=10);

# %% [markdown]
# Read the chart. On a single frame the 5-frame weights do worse than the dedicated single-frame model
# (dotted line): they never saw a lone frame in training. From 2 frames on they beat it, and every added
# frame helps, less and less. Shift-and-add, even with the true shifts, gains only about 0.2-0.25 dB over
# its single frame from 8 frames: averaging registered frames cannot undo the blur of each LR pixel's area.

# %% [markdown]
# ## Summary
#
# * Recursion (DRCN) reuses one layer: depth and receptive field grow, parameters do not; deep supervision
#   trains every recursion to predict.
# * Recurrence over rows (the image as a sequence) works, but at equal size it loses to a CNN, because SR needs local,
#   translation-equivariant processing, which convolutions give for free and cheaply.
# * Recurrence over frames is where RNNs shine in SR: a ConvGRU accumulates the extra samples of a burst,
#   beating the same network on one frame and classical shift-and-add.
#
# ## Exercises
#
# Write your answer in place of `None`, or the body of the function in place of `raise NotImplementedError`,
# then run the cell below it: `check` says whether the answer is right, or what differs and a hint. A
# function or model you write is run next to the kit's own on fresh random inputs.
# `solution("05.1")` prints a worked solution, where your copy of the course has them.

# %% nbgrader={"grade": false, "grade_id": "ex05_setup", "locked": true, "schema_version": 3, "solution": false}
from srkit.exercises import check, solution

# %% [markdown]
# **Exercise 05.1.** What is the receptive field (in pixels, one side) of the kit's DRCN with 8 recursions? All its
# convolutions are 3x3: one embedding, the shared one applied 8 times, one reconstruction.

# %% nbgrader={"grade": false, "grade_id": "ex05_1_answer", "locked": false, "schema_version": 3, "solution": true}
answer_1 = None

# %% nbgrader={"grade": true, "grade_id": "ex05_1", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("05.1", answer_1)

# %% [markdown]
# **Exercise 05.2.** `make_burst(load_benchmark("Set14", 4)[0].hr, 4, 5, seed=7)`: by how much (dy, dx), in LR pixels, is
# frame 4 shifted against frame 1, the reference? (Frames are counted from 1, as above; in Python the burst's
# `shifts` array counts from 0.) Answer with a tuple.

# %% nbgrader={"grade": false, "grade_id": "ex05_2_answer", "locked": false, "schema_version": 3, "solution": true}
answer_2 = None

# %% nbgrader={"grade": true, "grade_id": "ex05_2", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("05.2", answer_2)

# %% [markdown]
# **Exercise 05.3.** Write one ConvGRU step: `gru_step(x, h, conv_x, conv_h, conv_n)` returns the new state from the
# frame features `x` (B, H, W, C) and the state `h` (B, H, W, F). `conv_x(x)` has 3F channels (the update,
# reset and candidate parts, in that order), `conv_h(h)` has 2F (update and reset parts) and `conv_n` is the
# candidate's convolution of the reset state; the equations are in `help(models.ConvRecurrent2D)`. Use
# `keras.ops` (or NumPy). The check runs your step over random bursts with the convolutions of a
# `ConvRecurrent2D` layer, starting from a zero state, and compares the last state with the layer's output.

# %% nbgrader={"grade": false, "grade_id": "ex05_3_answer", "locked": false, "schema_version": 3, "solution": true}
def gru_step(x, h, conv_x, conv_h, conv_n):
    """The ConvGRU state after seeing the features x of one more frame."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex05_3", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("05.3", gru_step)

# %% [markdown]
# **Exercise 05.4.** Write shift-and-add yourself: `fuse(burst)` takes a `Burst` with known shifts (`burst.frames`
# (N, h, w, C) uint8, `burst.shifts` (N, 2) as (dy, dx) in LR pixels, `burst.scale` s) and returns an
# (s·h, s·w, C) float image in [0, 1]. Upscale every frame with `upscale(frame / 255, s)` (bicubic), round its
# shift to whole HR pixels, (dy, dx) = round(s · shift): its pixel at p shows what frame 0's grid has at p + (dy, dx);
# put it there, and average per pixel the frames that reach it. The check compares it with
# `srkit.burst.shift_and_add` on random bursts.

# %% nbgrader={"grade": false, "grade_id": "ex05_4_answer", "locked": false, "schema_version": 3, "solution": true}
def fuse(burst):
    """Shift-and-add of a burst with known shifts: an (s*h, s*w, C) float image in [0, 1]."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex05_4", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("05.4", fuse)

# %% [markdown]
# **Think further.** Build `models.multiframe_rnn(4, cell="lstm", bidirectional=True)` and train it like the
# GRU. Does reading the burst in both directions help when frame 1 is the reference?
