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
# # 06 · Training practice: over-fitting, under-fitting, regularisation, learning rates, augmentation
#
# **Learning goals.** After this notebook you can
#
# 1. measure the generalisation gap of an SR network, and explain why it is read as a difference of *gains
#    over bicubic* rather than of raw PSNR;
# 2. tell over-fitting from under-fitting by the training and validation curves, and say which of the two a
#    small SR network trained on a CPU suffers from;
# 3. write down and use the usual remedies (decoupled weight decay, an L1 penalty, dropout, early stopping,
#    augmentation, more data) and say, from measurements, which help SR and which do not;
# 4. find a learning rate with the range test, write a cosine schedule with warm-up, and compare schedules and
#    optimizers by the time they take to reach a PSNR.
#
# The folk advice says: *over-fitting? use L1/L2 regularisation or change the learning rate; under-fitting?
# make the model bigger or change the optimizer; too little data? augment with random crops and flips.*
# Each piece of it is an experiment here. Each section trains a small network live (tiny in smoke mode) and
# then reads the long sweeps from `bench/training_practice.json` (the command that made them is printed
# below, with how long its runs took on a 2-core CPU).

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

# %%
import json
from pathlib import Path
import matplotlib.pyplot as plt
import pandas as pd
from srkit.env import pick
from srkit.train import TrainConfig, train

results = json.loads(Path("../bench/training_practice.json").read_text())
runs = results["runs"]
print("measured with:", results["command"])
print("setup:", results["setup"])
print(f"{len(runs)} runs, {sum(r['final']['wall_time_s'] for r in runs.values()) / 60:.0f} minutes of training and scoring")


def table(group, columns=("val_psnr", "train_psnr", "gap_db", "val_gain_db", "train_gain_db", "gain_gap_db",
                          "set5_psnr", "set14_psnr", "train_time_s")):
    """The final numbers of one group of runs of the sweep, one row per run."""
    rows = [{"run": r["name"], "parameters": r["parameters"], "steps": r["final"]["step"],
             **{c: r["final"][c] for c in columns}}
            for r in runs.values() if r["group"] == group]
    return pd.DataFrame(rows)


# %% [markdown]
# ## 1. The generalisation gap, and how to read it in SR
#
# A network fits the images it trains on; what matters is how it does on images it has never seen. The
# **generalisation gap** is the difference between the two:
#
# $$\mathrm{gap} = \mathrm{PSNR}_{\text{train}} - \mathrm{PSNR}_{\text{val}}.$$
#
# The kit measures both the same way (whole images, Y channel, border shaved): `TrainConfig(train_psnr_images=8)`
# scores the first 8 training images after every epoch and logs `train_psnr` beside `val_psnr` (the 8
# held-out validation images). But in SR the raw gap mixes two things: how well the network fits, and how
# *hard* the images are: a smooth sky scores high even with bicubic, a textured wall low with any method.
# So the kit also logs bicubic's PSNR on the same images, and the fair gap compares **gains over bicubic**:
#
# $$G = \mathrm{PSNR}(\text{network}) - \mathrm{PSNR}(\text{bicubic}), \qquad
#   \mathrm{gap}_G = G_{\text{train}} - G_{\text{val}}.$$
#
# Train ESPCN (22,729 parameters) on **one** training image and watch both:

# %%
one = TrainConfig("espcn", 3, steps=pick(full=1500, smoke=10), eval_every=pick(full=300, smoke=5),
                  batch_size=16, patch_size=12, train_sets=("T91",), limit=1, train_psnr_images=1,
                  val_limit=pick(full=None, smoke=1))
one_run = train(one, live_plot=False, verbose=0)
last = one_run.history[-1]
print(f"after {last['step']:.0f} steps on one image: train {last['train_psnr']:.2f} dB, val {last['val_psnr']:.2f} dB, "
      f"raw gap {one_run.gap:+.2f} dB, gap of the gains {one_run.gain_gap:+.2f} dB")

# %% [markdown]
# The sweep trained the same way on 1, 2, 5 and 20 T91 images and on all of T91 + BSD200 (batches of 16
# random patches, with the 8 flips and rotations), twice: with ESPCN, and with a wider and deeper network
# (4 layers of 64 filters, ReLU, 117,641 parameters). Final numbers (PSNR and gains in dB; Set5/Set14 are the
# final weights' test scores; time in seconds):

# %%
# NBVAL_CHECK_OUTPUT
overfit = table("overfit")
wide = table("overfit_wide")
pd.set_option("display.width", 140)
print("ESPCN (22,729 parameters)")
print(overfit.drop(columns="parameters").to_string(index=False, float_format=lambda v: f"{v:.2f}"))
print("\nwide network (117,641 parameters)")
print(wide.drop(columns="parameters").to_string(index=False, float_format=lambda v: f"{v:.2f}"))

# %% [markdown]
# Three things to read in these tables:
#
# * **The raw gap says more about the images than about the fit.** For ESPCN it jumps from +1.35 dB (1 image)
#   to -3.31 dB (2 images) and +2.16 dB (20 images), as training images of different difficulty come and go.
#   The gaps of the gains are all small and positive.
# * **With the flips there is little over-fitting to see.** ESPCN scores 29.51 dB on the validation images
#   after training on one image and 29.50 dB after training on all of T91 + BSD200; its gap of the gains
#   falls only from 0.41 to 0.21 dB. The wide network over-fits more (a gap of the gains of 0.73 dB on one
#   image) and yet scores 29.75 dB from that one image; its best, 29.92 dB with 20 images, is 0.17 dB higher.
# * **Why.** Each training image holds thousands of overlapping patches, and every patch brings a whole HR
#   patch of targets, not one label: even one image is a large data set for a network of 20,000 to 120,000
#   weights. What limits these networks is capacity and training time (section 3), far more than data.
#
# The explorer overlays the runs' curves: training dashed, validation solid, the gap shaded. It opens on the
# gains over bicubic; switch to PSNR to see the raw gap, and to seconds for the time axis:

# %%
from srkit.widgets import curves

curves({r["name"]: r for r in runs.values() if r["group"] == "overfit_wide"},
       selected=["images_1", "images_all"], measure="gain", title="wide network: training on 1 image vs all")

# %% [markdown]
# ## 2. Remedies for over-fitting, measured
#
# The remedies, each on the over-fitting setting (few images), each a `TrainConfig` field:
#
# * **Decoupled weight decay** (`weight_decay=`λ, the "L2" remedy, AdamW-style): after each optimizer step,
#   every weight shrinks towards zero, $w \leftarrow w - \eta_t \lambda w$, apart from the loss and its
#   gradient (Keras' optimizer `weight_decay`). Adding $\tfrac{\lambda}{2}\lVert w\rVert^2$ to the loss
#   instead is not the same with Adam, which rescales every gradient.
# * **L1 penalty** (`l1_penalty=`λ₁): the loss becomes $L + \lambda_1 \sum |w|$ over every convolution
#   kernel (a Keras kernel regulariser, saved with the model); it pushes small weights to exactly zero.
# * **Dropout** (`model_config={"dropout": p}`): during training each feature is zeroed with probability $p$
#   (and the rest scaled by $1/(1-p)$); at test time every feature is used.
# * **Early stopping** (`early_stopping=`patience): stop when the validation PSNR has not improved for that
#   many epochs, and keep the best epoch's weights.
# * **Augmentation** (`augment=`): `'flips'` applies one of the 8 flips and rotations to the LR and the HR
#   patch alike. A rotated photo is still a photo, and its LR is still its bicubic downsampling: the pair
#   stays true. `'colour_jitter'` is the classification habit: change the *input's* brightness and contrast
#   (here, the LR patch only). A cat is a cat in any light, but an SR network must output the HR pixels,
#   and a random change of its input that the target does not share is noise it is trained to undo without
#   being able to see it. `'none'` leaves patches as drawn.
# * **More data**: the same run on 20 images instead of a few.
#
# Live, the wide network on one image with each augmentation (fewer steps than the sweep's 4000), and their
# curves in the explorer:

# %%
wide_net = {"filters": [64, 64, 64, 64], "activation": "relu"}
few = dict(scale=3, steps=pick(full=2000, smoke=10), eval_every=pick(full=250, smoke=5), batch_size=16, patch_size=12,
           train_sets=("T91",), limit=1, train_psnr_images=1, val_limit=pick(full=None, smoke=1), model_config=wide_net)
live = {aug: train(TrainConfig("espcn", augment=aug, **few), live_plot=False, verbose=0)
        for aug in ("flips", "none", "colour_jitter")}
for aug, r in live.items():
    print(f"augment={aug!r:16s} validation PSNR {r.final_val_psnr:.2f} dB, gap of the gains {r.gain_gap:+.2f} dB "
          f"after {r.history[-1]['step']:.0f} steps")

# %%
curves(live, measure="gain", title="wide network, one training image: augmentations")

# %% [markdown]
# The sweep: every remedy on ESPCN with 2 images, and on the wide network with 1 image (the setting where
# it over-fits most), for 4000 steps each. "change" is the validation PSNR against the flips baseline of
# the same network; "cost" is the training time.

# %%
# NBVAL_CHECK_OUTPUT
def remedies(group, baseline, more):
    """The group's runs with the flips baseline and the 20-image run; 'change' is against the baseline."""
    cols = ("val_psnr", "gain_gap_db", "set5_psnr", "train_time_s")
    row = lambda name, key: {"run": name, **{c: runs[key]["final"][c] for c in cols}}
    t = table(group, cols).drop(columns=["parameters", "steps"])
    if baseline:
        t = pd.concat([pd.DataFrame([row("flips (baseline)", baseline)]), t])
    t = pd.concat([t, pd.DataFrame([row("more data (20 images)", more)])], ignore_index=True)
    t.insert(2, "change", t.val_psnr - t.val_psnr[t.run == "flips (baseline)"].iloc[0])
    return t.rename(columns={"train_time_s": "cost_s"})

small_remedies = remedies("remedies", None, "overfit/images_20")
wide_remedies = remedies("remedies_wide", "overfit_wide/images_1", "overfit_wide/images_20")
print("ESPCN, 2 training images")
print(small_remedies.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
print("\nwide network, 1 training image")
print(wide_remedies.to_string(index=False, float_format=lambda v: f"{v:.2f}"))

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), sharex=False)
for ax, (title, t) in zip(axes, (("ESPCN, 2 images", small_remedies), ("wide network, 1 image", wide_remedies))):
    shown = t.change.clip(lower=-6)  # a broken run would hide the others: drawn at -6 dB, its value written
    ax.barh(t.run, shown, color=["C2" if v > 0.005 else "C3" if v < -0.005 else "C7" for v in t.change])
    for y, (v, w) in enumerate(zip(t.change, shown)):
        if v != w:
            ax.annotate(f"{v:.1f} dB", (w, y), xytext=(3, -3), textcoords="offset points", fontsize=7)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel("validation PSNR change vs flips (dB)")
    ax.set_title(title)
    ax.invert_yaxis()
fig.tight_layout()

# %% [markdown]
# What the measurements say:
#
# * **ESPCN on 2 images has nothing to cure.** Weight decay, the L1 penalty, dropout and early stopping all
#   end within 0.01 dB of the flips baseline (29.52 dB); even 20 images instead of 2 change it by -0.02 dB.
# * **The wide network on one image does over-fit, and the flips are the cure.** Without augmentation its
#   gap of the gains grows from 0.73 to 2.71 dB and its validation PSNR drops by 0.60 dB (29.15 against
#   29.75). More data helps too: +0.17 dB with 20 images.
# * **Weight decay does nothing useful.** At 1e-2 and 1e-1 it moves the validation PSNR by -0.03 dB; at 1 it
#   costs 0.23 dB (exercise 06.5 shows how little the usual values shrink a weight in a short run).
# * **The L1 penalty narrows the gap by fitting worse everywhere**: 0.48 and 0.41 dB instead of 0.73, but
#   the validation PSNR falls by 0.16 and 0.26 dB.
# * **Dropout hurts badly**: -3.06 dB on the wide network (ESPCN, with its tanh layers, hardly noticed:
#   +0.01). The output at every pixel is a precise weighted sum of the features; dropout makes that sum
#   noisy in training, and the network answers by hedging. Kong et al. ("Reflash dropout in image
#   super-resolution", CVPR 2022) found the same inside SR networks.
# * **Early stopping changed nothing** (+0.00 dB): with the flips the validation PSNR had not turned down,
#   so the best epoch was the last one.
# * **Changing the learning rate did not cure over-fitting**: at 1e-4 the network ends 0.36 dB lower (it
#   learns too slowly), and at 1e-2 the ReLU network broke (13.54 dB).
# * **The classification habit hurts most**: the LR-only colour jitter costs 1.83 dB on ESPCN and 4.98 dB
#   on the wide network. Augment only in ways that keep the LR/HR pair true.
#
# ## 3. Under-fitting: capacity and training time
#
# A network under-fits when it cannot even fit its training images: training and validation PSNR are both
# low and close. The folk remedy is a bigger model. The sweep trains, on all the data for 2000 steps, a
# ladder of networks from 865 to 1.34 million parameters (depth x width of the hidden layers; ReLU; the
# same sub-pixel output), and the paper's ESPCN for too few and for more steps.
#
# Live, two sizes for 1000 steps:

# %%
cap = dict(scale=3, steps=pick(full=1000, smoke=6), eval_every=pick(full=500, smoke=6), batch_size=16, patch_size=12,
           limit=pick(full=None, smoke=2), val_limit=pick(full=None, smoke=1))
for filters in ([16, 16], [64, 64, 64, 64]):
    r = train(TrainConfig("espcn", model_config={"filters": filters, "activation": "relu"}, **cap), live_plot=False, verbose=0)
    print(f"{len(filters)} x {filters[0]:3d} filters, {r.model.count_params():7,} parameters: "
          f"validation PSNR {r.final_val_psnr:.2f} dB in {r.wall_time_s:.0f} s")

# %%
# NBVAL_CHECK_OUTPUT
capacity = table("capacity", ("val_psnr", "train_psnr", "val_gain_db", "gain_gap_db", "set5_psnr", "set14_psnr",
                              "train_time_s"))
steps_table = table("steps", ("val_psnr", "train_psnr", "val_gain_db", "set5_psnr", "set14_psnr", "train_time_s"))
print("capacity (2000 steps, all data)")
print(capacity.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
print("\nESPCN, steps (all data)")
print(steps_table.drop(columns="parameters").to_string(index=False, float_format=lambda v: f"{v:.2f}"))

# %%
fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.4))
a.plot(capacity.parameters, capacity.val_psnr, "o-", label="validation")
a.plot(capacity.parameters, capacity.train_psnr, "s--", label="training (first 8 images)")
a.set_xscale("log"); a.set_xlabel("parameters"); a.set_ylabel("PSNR x3 (dB)"); a.legend(fontsize=8)
a.set_title("capacity, 2000 steps")
b.plot(steps_table.train_time_s, steps_table.val_psnr, "o-")
for _, r in steps_table.iterrows():
    b.annotate(r.run, (r.train_time_s, r.val_psnr), fontsize=7)
b.set_xscale("log"); b.set_xlabel("training time (s)"); b.set_ylabel("validation PSNR x3 (dB)")
b.set_title("ESPCN: more steps")
fig.tight_layout()

# %% [markdown]
# Under-fitting is what these networks suffer from. Training and validation PSNR rise together with the
# capacity, and the gap of the gains stays at 0.25 dB or less for every size: from 865 parameters (28.35 dB
# on the validation images, below bicubic) to 751,625 (29.70 dB), +1.35 dB. But the 1.34-million network,
# deeper still, reaches only 29.40 dB in the same 2000 steps: a plain deep stack learns more slowly, so
# "make it bigger" holds only as far as the training budget can follow (residual connections, as in the
# kit's EDSR, are the usual cure). Training longer helps too, with diminishing returns: ESPCN reaches
# 26.14 dB after 100 steps, 28.06 after 400, 29.42 after 2000 and 29.50 after 6000.
#
# ## 4. Learning rate and optimizer
#
# **The range test.** Train for a few hundred steps while the learning rate rises exponentially from
# $10^{-5}$ to 10, and record the loss. It stays flat while the rate is too small to move the weights,
# falls over the useful range, and explodes when the steps overshoot. A common choice of peak rate is a
# tenth of the rate at the lowest (smoothed) loss. `srkit.train.lr_range_test` runs it on any `TrainConfig`:

# %%
from srkit.train import lr_range_test

rt = lr_range_test(TrainConfig("espcn", 3, batch_size=16, patch_size=12, limit=pick(full=None, smoke=2)),
                   min_lr=1e-5, max_lr=10.0, steps=pick(full=200, smoke=20))
print(f"lowest loss at {rt.best:.2g}, suggested peak rate {rt.suggested:.2g}, diverged at "
      f"{'no rate up to 10' if rt.diverged is None else f'{rt.diverged:.2g}'} ({len(rt.losses)} steps)")

# %%
# NBVAL_CHECK_OUTPUT
for opt, r in results["range_test"].items():
    print(f"{opt:4s}: lowest smoothed loss at lr {r['best']:.3g}, suggested {r['suggested']:.3g}, diverged at {r['diverged']}")

# %%
fig, ax = plt.subplots(figsize=(6, 3.4))
for opt, r in results["range_test"].items():
    ax.plot(r["learning_rates"], r["smoothed"], label=f"{opt} (sweep)")
    ax.axvline(r["best"], ls=":", color=ax.lines[-1].get_color())
ax.plot(rt.learning_rates, rt.smoothed, "k--", lw=1, label="adam (live)")
ax.set_xscale("log"); ax.set_yscale("log"); ax.set_ylim(top=0.5)
ax.set_xlabel("learning rate"); ax.set_ylabel("training loss (L1, smoothed)"); ax.legend(fontsize=8)
ax.set_title("range test: dotted at the lowest loss");

# %% [markdown]
# **Schedules.** With peak rate $\eta$, $T$ steps and $W$ warm-up steps, the rate at step $t$ is
# $\eta\, t/W$ during the warm-up and then, with $u = (t - W)/(T - W)$:
#
# * cosine (the kit's default): $\eta\,\big(\alpha + (1-\alpha)\tfrac12(1 + \cos \pi u)\big)$, $\alpha = 0.01$;
# * step: $\eta$, halved at $u = 0.5$ and again at $u = 0.75$;
# * constant: $\eta$.
#
# Warm-up protects the first steps, when Adam's estimates of the gradient's scale are still poor and a
# large rate can throw the weights far off. `srkit.train.learning_rate_at` computes any of them:

# %%
from srkit.train import learning_rate_at

t = np.arange(2000)
fig, ax = plt.subplots(figsize=(6, 3))
for kind, w in (("cosine", 0), ("cosine", 200), ("step", 0), ("constant", 0)):
    ax.plot(t, [learning_rate_at(s, 1e-3, 2000, kind, w) for s in t], label=f"{kind}" + (f", {w} warm-up steps" if w else ""))
ax.set_xlabel("training step"); ax.set_ylabel("learning rate"); ax.legend(fontsize=8);

# %% [markdown]
# The sweep: ESPCN on all the data for 2000 steps with each schedule, Adam at a high rate with and without
# warm-up, SGD with momentum 0.9, and the L2 loss instead of L1 (validation and test PSNR in dB):

# %%
# NBVAL_CHECK_OUTPUT
optim = table("optim", ("val_psnr", "best_val_psnr", "set5_psnr", "set14_psnr", "train_time_s"))
print(optim.drop(columns="parameters").to_string(index=False, float_format=lambda v: f"{v:.2f}"))

# %% [markdown]
# Time to PSNR: the same runs' validation PSNR against training seconds (choose runs in the explorer):

# %%
curves({r["name"]: r for r in runs.values() if r["group"] == "optim"},
       selected=["adam cosine 1e-3", "adam constant 1e-3", "sgd momentum cosine 1e-2", "adam cosine 1e-2 + warm-up"],
       x="time", title="validation PSNR against training time")

# %% [markdown]
# What the measurements say:
#
# * **The range test finds the scale of the rate.** Adam's loss was lowest at 0.00445 and diverged at
#   0.02245; SGD with momentum needs rates ten times larger (lowest at 0.0566, diverged at 0.5442).
# * **The schedule hardly matters here**: cosine 29.42 dB, constant 29.39, step 29.41 on the validation
#   images after 2000 steps. Adam at 1e-2 (above the suggested rate, below the divergence) ended at 29.44,
#   with or without warm-up; warm-up only moved the best epoch (29.47 against 29.44).
# * **Changing the optimizer means changing its rate**: SGD with momentum at 1e-2 falls short (28.49 dB),
#   at 1e-1, the rate its range test points to, it matches Adam (29.46).
# * **The loss matters more than the schedule**: training on L2 ends 0.20 dB behind L1 (29.22 against
#   29.42), although PSNR is a function of the L2 error; L1 is the SR field's usual choice for this reason.
#
# The times are wall-clock seconds on a CPU shared with other jobs: runs of the same cost took from 7.6 to
# 46.8 seconds, so compare the curves' shapes against steps, and their times only roughly.
#
# Is L1's lead only a short-run effect? One might expect a well-trained model to gain its last fraction
# of a dB from a polish with L2, the error PSNR measures. The pretrained ESPCN x3's card keeps two equal
# continuations of it (same starting weights, seed, data order, learning rate and 50,000 steps), one per
# loss:

# %%
# NBVAL_CHECK_OUTPUT
from srkit import zoo

for a in zoo.card("espcn", 3)["status"]["attempts"]:
    if a.get("study") == "loss":
        print(f"{a['loss']}: validation PSNR {a['val_before']:.2f} -> {a['val_after']:.2f} dB in {a['steps']:,} steps")

# %% [markdown]
# Both gained, and L1 gained more, so the squared error is no shortcut to PSNR here either. A likely
# reason: the L2 gradient grows with the error, so the few pixels with large errors (edges, texture the
# network cannot resolve) dominate each step, while L1 gives every pixel's error the same pull.
#
# The same design answers a data question. FSRCNN's authors trained on every image and on copies of it
# shrunk by 0.9, 0.8, 0.7 and 0.6, the same scenes with their detail packed into fewer pixels
# (`TrainConfig(rescale=(0.9, 0.8, 0.7, 0.6))`, or `srkit train --rescale 0.9 0.8 0.7 0.6`). The card keeps
# two equal continuations of the same ESPCN x3 (60,000 steps each), with and without the shrunk copies:

# %%
# NBVAL_CHECK_OUTPUT
for a in zoo.card("espcn", 3)["status"]["attempts"]:
    if a.get("study") == "rescale":
        copies = ", ".join(map(str, a["rescale"])) or "none"
        print(f"rescaled copies {copies:18s}: validation PSNR {a['val_before']:.3f} -> {a['val_after']:.3f} dB")

# %% [markdown]
# The copies were worth about 0.01 dB, a small gain, and the zoo's ESPCN x3 was trained on from that run. In
# this chapter's short runs from scratch more training images did nothing for ESPCN (the table below); a
# network trained for hours has learnt most of what its images teach, and new views of them still add a
# little.
#
# ## 5. The folk advice, checked
#
# Each piece of advice as the change of validation PSNR it brought (dB, from the tables above; for
# over-fitting, against the flips baseline of the same setting, the best of the strengths tried):

# %%
# NBVAL_CHECK_OUTPUT
def change(run, base):
    return runs[run]["final"]["val_psnr"] - runs[base]["final"]["val_psnr"]

def best(group, prefix, base):
    return max(change(k, base) for k, r in runs.items() if r["group"] == group and r["name"].startswith(prefix))

S, W = "remedies/flips (baseline)", "overfit_wide/images_1"
over = pd.DataFrame([
    ("L2 weight decay", best("remedies", "weight decay", S), best("remedies_wide", "weight decay", W)),
    ("L1 penalty", best("remedies", "L1", S), best("remedies_wide", "L1", W)),
    ("dropout 0.1", change("remedies/dropout 0.1", S), change("remedies_wide/dropout 0.1", W)),
    ("early stopping", change("remedies/early stopping (patience 3)", S), change("remedies_wide/early stopping (patience 3)", W)),
    ("another learning rate", np.nan, best("remedies_wide", "learning rate", W)),  # NaN: not tried
    ("flips instead of no augmentation", -change("remedies/no augmentation", S), -change("remedies_wide/no augmentation", W)),
    ("more data (20 images)", change("overfit/images_20", S), change("overfit_wide/images_20", W)),
    ("LR-only colour jitter", change("remedies/colour jitter on LR", S), change("remedies_wide/colour jitter on LR", W)),
], columns=["against over-fitting", "ESPCN, 2 images", "wide, 1 image"])
under = pd.DataFrame([
    ("bigger model (best size vs ESPCN)", max(capacity.val_psnr) - runs["steps/2000 steps"]["final"]["val_psnr"]),
    ("3x more steps (6000 vs 2000)", change("steps/6000 steps", "steps/2000 steps")),
    ("SGD + momentum at its own rate vs Adam", change("optim/sgd momentum cosine 1e-1", "optim/adam cosine 1e-3")),
], columns=["against under-fitting", "change (dB)"])
print(over.to_string(index=False, float_format=lambda v: f"{v:+.2f}"))
print()
print(under.to_string(index=False, float_format=lambda v: f"{v:+.2f}"))

# %% [markdown]
# So, for SR networks of this size trained on a CPU:
#
# * *Over-fitting: use L1/L2 regularisation*: **does not hold.** Weight decay changed nothing (+0.00 and
#   -0.03 dB), the L1 penalty cost 0.16 dB where there was over-fitting to cure, dropout cost 3.06 dB.
# * *Over-fitting: change the learning rate*: **does not hold**; the other rates were worse (-0.36 dB at best).
# * *Too little data: augment with random crops and flips*: **holds**. The flips are worth +0.60 dB where the
#   network over-fits; random crops are what every SR pipeline draws anyway (every batch is random patches).
#   But only augmentations that keep the LR/HR pair true: the classification-style jitter of the input costs
#   1.83 to 4.98 dB.
# * *More data*: **holds where there is over-fitting** (+0.17 dB for the wide network), and does nothing for
#   ESPCN (-0.02 dB).
# * *Under-fitting: make the model bigger*: **holds, as far as the training budget can train it**: +0.27 dB
#   for the best size over ESPCN in 2000 steps, while the deepest network fell back (section 3).
# * *Under-fitting: change the optimizer*: **holds only together with its learning rate**. SGD with momentum
#   matched Adam (+0.04 dB) at the rate its range test points to, and fell to 28.49 dB at a rate ten times
#   smaller. Training 3 times longer gave +0.08 dB.
# * *Early stopping* is cheap insurance for long runs, not a cure: here it changed nothing (+0.00 dB).
#
# ## Summary
#
# * Read an SR network's generalisation gap as the gap of its gains over bicubic; the raw PSNR gap follows
#   which images are in the training set.
# * Small SR networks under-fit far more than they over-fit: with the flips, one training image trains ESPCN
#   as well as the whole training set, because every image holds thousands of patches of targets.
# * The flips and more data cure what over-fitting there is; weight decay and the L1 penalty do not help SR,
#   dropout hurts it badly, and an augmentation must keep the LR/HR pair true.
# * Capacity and training time pay, as long as the network can still be trained in the budget.
# * The range test gives the scale of the learning rate (Adam's about ten times smaller than SGD's with
#   momentum); the schedule matters less than the rate, and the L1 loss beats L2, in a short run from scratch
#   and in a long-trained model's continuation alike.
# * FSRCNN's shrunk copies of the training images (`rescale`) added about 0.01 dB to a long-trained ESPCN x3
#   in an equal continuation: more views of the same images still pay a little.
# * Every switch is a `TrainConfig` field: `weight_decay`, `l1_penalty`, `augment`, `rescale`, `train_psnr_images`,
#   `early_stopping`, `schedule`, `optimizer`, `warmup_steps`; `srkit.train.lr_range_test` runs the range test
#   and `srkit.widgets.curves` the learning-curve explorer.
#
# ## Exercises
#
# Write your answer in place of `None`, or the body of the function in place of `raise NotImplementedError`,
# then run the cell below it: `check` says whether the answer is right, or what differs and a hint. A
# function you write is run next to the kit's own on several inputs.
# `solution("06.1")` prints a worked solution, where your copy of the course has them.

# %% nbgrader={"grade": false, "grade_id": "ex06_setup", "locked": true, "schema_version": 3, "solution": false}
from srkit.exercises import check, solution

# %% [markdown]
# **Exercise 06.1.** Write the kit's default learning-rate schedule: `cosine_lr(step, base_lr, steps, warmup_steps)`
# returns the rate of training step `step` (0 is the first): a linear rise from 0 over `warmup_steps`
# steps, then the cosine from `base_lr` down to 1% of it at step `steps` (and 1% after that).
# The check runs your function next to `srkit.train.learning_rate_at` on several schedules.

# %% nbgrader={"grade": false, "grade_id": "ex06_1_answer", "locked": false, "schema_version": 3, "solution": true}
def cosine_lr(step, base_lr, steps, warmup_steps):
    """The learning rate of training step `step` (cosine with linear warm-up)."""
    raise NotImplementedError  # replace this line with your code

# %% nbgrader={"grade": true, "grade_id": "ex06_1", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("06.1", cosine_lr)

# %% [markdown]
# **Exercise 06.2.** Write the flips augmentation: `augment_pair(lr, hr, k, flip)` rotates both patches by `k`
# quarter turns (`np.rot90`), then mirrors both left-right if `flip`, and returns `(lr, hr)`. The check
# runs all 8 symmetries against `srkit.pipeline.dihedral`.

# %% nbgrader={"grade": false, "grade_id": "ex06_2_answer", "locked": false, "schema_version": 3, "solution": true}
def augment_pair(lr, hr, k, flip):
    """The LR and HR patches with the same flip/rotation applied to both."""
    raise NotImplementedError  # replace this line with your code

# %% nbgrader={"grade": true, "grade_id": "ex06_2", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("06.2", augment_pair)

# %% [markdown]
# **Exercise 06.3.** In the over-fitting sweep, what is the gap of the gains, $G_{\text{train}} - G_{\text{val}}$ in dB,
# of the wide network trained on one image? Read it from `runs`.

# %% nbgrader={"grade": false, "grade_id": "ex06_3_answer", "locked": false, "schema_version": 3, "solution": true}
answer_3 = None

# %% nbgrader={"grade": true, "grade_id": "ex06_3", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("06.3", answer_3)

# %% [markdown]
# **Exercise 06.4.** By how many dB did the LR-only colour jitter lower ESPCN's validation PSNR against the
# flips, with 2 training images? (A positive number: flips minus jitter.)

# %% nbgrader={"grade": false, "grade_id": "ex06_4_answer", "locked": false, "schema_version": 3, "solution": true}
answer_4 = None

# %% nbgrader={"grade": true, "grade_id": "ex06_4", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("06.4", answer_4)

# %% [markdown]
# **Exercise 06.5.** Decoupled weight decay multiplies each weight by $(1 - \eta_t \lambda)$ every step. A
# weight whose gradient stays zero, trained for 4000 steps with the default cosine schedule from
# $\eta = 10^{-3}$ and $\lambda = 0.1$: by what factor has it shrunk at the end? (Use `learning_rate_at`.)
# What does that say about the weight decays in the remedies tables?

# %% nbgrader={"grade": false, "grade_id": "ex06_5_answer", "locked": false, "schema_version": 3, "solution": true}
answer_5 = None

# %% nbgrader={"grade": true, "grade_id": "ex06_5", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("06.5", answer_5)

# %% [markdown]
# **Think further.** Train the wide network on one image with `augment="none"` for 20,000 steps and plot
# the curves in the explorer. Does the validation PSNR finally turn down, and would early stopping catch it?
