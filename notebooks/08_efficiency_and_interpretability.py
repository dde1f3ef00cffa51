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
# # 08 · Efficiency and interpretability: what a model costs, and what it looks at
#
# **Learning goals.** After this notebook you can
#
# 1. place a model on the quality-cost plane (PSNR against parameters, FLOPs and CPU time), read its Pareto
#    front, and say what FLOPs do and do not predict about speed;
# 2. measure training efficiency as the time to reach a validation PSNR, and say what precision, batch
#    size, steps per execution, the input pipeline and data parallelism do to it on a CPU;
# 3. make inference cheaper three ways and measure each: structural re-parameterisation (train a multi-branch
#    block, fuse it into one convolution, check that nothing changed but the cost), knowledge distillation
#    (a small student taught by the flagship) and post-training int8 quantisation;
# 4. compute a local attribution map (LAM) and its diffusion index, and compare a network's theoretical
#    receptive field with the one it actually uses;
# 5. look inside a network: its first-layer filters, its feature maps, and how its deep features separate
#    differently degraded inputs.
#
# The timings that depend on the machine, and the training runs, were measured once and ship with the kit
# (`bench/quality_cost.json`, `bench/training_efficiency.json`, `bench/cheaper_models.json`,
# `bench/quantization.json`, each with the command that made it); everything else here is computed live.

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
from srkit import interpret, zoo
from srkit.data import load_benchmark
from srkit.env import pick

pd.set_option("display.width", 140)
two = lambda v: f"{v:.2f}"  # noqa: E731  (tables print two decimals)

# %% [markdown]
# ## 1. What a model costs
#
# Three numbers describe the cost of an SR network:
#
# * **parameters**: the weights to store and ship;
# * **FLOPs**: the arithmetic of one forward pass (2 x the multiply-accumulates of every convolution), here
#   for one 1280 x 720 output, the convention of the efficient-SR papers. They do not depend on the machine;
# * **CPU time**: milliseconds per output megapixel, measured. It depends on the machine, the library and
#   the load of the machine at the time.
#
# `srkit.profile.quality_cost(scale)` puts the zoo's models (their cards' Set5 PSNR) next to published
# efficient-SR results (`srkit/reference/efficient_sr.json`, each with its paper). The CPU times were measured
# once, on a 2-core CPU, and ship in `bench/quality_cost.json`:

# %%
# NBVAL_CHECK_OUTPUT
shipped = json.loads(Path("../bench/quality_cost.json").read_text())
print("measured with:", shipped["command"], "on", shipped["cpu"], shipped["date"][:10])
print("load average at the start (1, 5, 15 min):", shipped["load_average_at_start"])
costs = pd.DataFrame(shipped["tables"]["x4"])
costs = costs[~costs.model.isin(["edsr_blind", "edsr_gan", "edsr_realistic", "espcn_distilled"])].reset_index(drop=True)
costs.attrs["dataset"] = "Set5"
print(costs[["model", "kind", "psnr", "params", "gflops", "ms_per_mp"]]
      .to_string(index=False, float_format=lambda v: f"{v:.2f}", na_rep="-"))

# %% [markdown]
# (The x4 zoo also holds `edsr_blind`, `edsr_gan` and `edsr_realistic`: the flagship's architecture, so the
# same cost, trained for robustness or texture rather than PSNR; and `espcn_distilled`, ESPCN trained with a
# teacher (section 2). They are left out here.) The load average
# printed above says how busy the machine was: the CPU times are a snapshot, not a constant. Parameters and
# FLOPs, on the other hand, can be counted again anywhere, in a second:

# %%
# NBVAL_CHECK_OUTPUT
from srkit.profile import quality_cost

live = quality_cost(4, models=["srcnn", "fsrcnn", "espcn", "edsr"], timing=False, published=False)
both = live.merge(costs, on="model", suffixes=("", "_shipped"))
print(both[["model", "params", "gflops", "params_shipped", "gflops_shipped"]].to_string(index=False, float_format=two))
print("parameters and FLOPs counted now equal the shipped ones:",
      bool((both.params == both.params_shipped).all() and np.allclose(both.gflops, both.gflops_shipped, atol=0.005)))
print("training time of each zoo model's last run, from the cards:",
      ", ".join(f"{n} {zoo.card(n, 4)['training']['train_time_s'] / 60:.0f} min" for n in both.model))

# %%
from srkit.viz import quality_cost_plot

fig, axes = plt.subplots(1, 3, figsize=(17, 4.6))
for ax, cost in zip(axes, ("params", "gflops", "ms_per_mp")):
    quality_cost_plot(costs, cost=cost, ax=ax, title=f"x4, Set5: PSNR against {cost}")
fig.tight_layout()

# %% [markdown]
# A model is on the **Pareto front** (the dashed staircase) when no other model is both cheaper and better.
# Which models are on it depends on the cost axis:

# %%
# NBVAL_CHECK_OUTPUT
from srkit.profile import pareto_front

for cost in ("params", "gflops", "ms_per_mp"):  # over the rows shown (the plots draw the same fronts)
    print(f"front for {cost:9s}: {', '.join(pareto_front(costs, cost).model)}")

# %% [markdown]
# Three things to read from the plane:
#
# * **The zoo mostly sits below the published points** at similar cost. The zoo's networks see only the luma channel
#   and were trained for minutes to a few hours (T91 + BSD200; the last runs' times are printed above, on a shared
#   GPU or on this CPU, as each card says); the published ones were
#   trained far longer, the recent ones on DIV2K. Much of the gap is training: the published FSRCNN has the
#   zoo's design (12 k parameters against 12.8 k), and after about six hours of training on this CPU (its card)
#   the zoo's FSRCNN is 0.02 dB ahead of it.
# * **The fronts differ.** Counted in parameters or FLOPs, the published efficient models (SAFMN, RFDN,
#   SwinIR-light) make up the front, with FSRCNN at the cheap end: in parameters the published FSRCNN (12 k),
#   then the zoo's fsrcnn (12.8 k, 0.02 dB better); in FLOPs the zoo's fsrcnn alone, as the published one is
#   counted at 9.20 GFLOPs (see below). In CPU time only the zoo's models have a number (the papers' times were measured on other machines),
#   and that front is a different one: espcn, the fastest, then fsrcnn, slower and better, then edsr; srcnn
#   drops off it, both slower and worse than fsrcnn at x4.
# * **FLOP counts follow conventions.** The published FSRCNN's 9.20 GFLOPs against the zoo FSRCNN's 1.44 is not
#   a different network: CARN's table (Ahn et al. 2018, where the published cost comes from) counts FSRCNN's
#   final transposed convolution at every *output* pixel (16 per LR pixel at x4), the kit at every input
#   pixel, where its multiplications happen (the note in `srkit/reference/efficient_sr.json` does the sums).
#   Compare FLOPs from one source.
#
# ### What FLOPs do not predict
#
# FLOPs are arithmetic; time is arithmetic *and* moving data *and* the overhead of every layer. FSRCNN and
# ESPCN are the two cheapest zoo models at x4:

# %%
# NBVAL_CHECK_OUTPUT
pair = costs[costs.kind == "zoo"].set_index("model").loc[["fsrcnn", "espcn"]]
print(pair[["params", "gflops", "ms_per_mp"]].to_string(float_format=two))
print(f"fsrcnn has {pair.gflops['fsrcnn'] / pair.gflops['espcn']:.2f} x espcn's FLOPs "
      f"and takes {pair.ms_per_mp['fsrcnn'] / pair.ms_per_mp['espcn']:.2f} x its CPU time")
for name in ("fsrcnn", "espcn"):
    convs = [f"{type(l).__name__} {l.kernel_size[0]}x{l.kernel_size[1]} -> {l.filters}" for l in zoo.load(name, 4).layers
             if isinstance(l, (keras.layers.Conv2D, keras.layers.Conv2DTranspose))]
    print(f"{name}: {len(convs)} convolution layers: {'; '.join(convs)}")

# %% [markdown]
# FSRCNN needs about half of ESPCN's FLOPs and yet takes more than twice its CPU time (printed above). Where
# does its time go? Timed now, for the same 288 x 480 output as the shipped table, each part after ten
# warm-up runs (the first runs of a model are slower and erratic; these numbers move with the machine's load):

# %%
import time

from srkit.profile import count_flops


def steady_ms(f, x, warm=10, runs=pick(full=15, smoke=3)):
    """Median milliseconds of f(x) after `warm` runs that are not counted."""
    for _ in range(warm):
        np.asarray(f(x))
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        np.asarray(f(x))
        times.append(time.perf_counter() - t)
    return 1000 * float(np.median(times))


lr4 = np.random.default_rng(0).random((1, 72, 120, 1), dtype=np.float32)  # x4: a 288 x 480 output
fsrcnn4, espcn4 = zoo.load("fsrcnn", 4), zoo.load("espcn", 4)
fsrcnn_body = keras.Model(fsrcnn4.input, fsrcnn4.get_layer("deconv").input)  # every layer but the last
deconv = fsrcnn4.get_layer("deconv")
features = np.asarray(fsrcnn_body(lr4))
parts = {"espcn (whole)": (espcn4, lr4, count_flops(espcn4, (72, 120))),
         "fsrcnn: 7 thin layers + PReLUs": (fsrcnn_body, lr4, count_flops(fsrcnn_body, (72, 120))),
         "fsrcnn: transposed 9x9 conv": (deconv, features, count_flops(fsrcnn4, (72, 120)) - count_flops(fsrcnn_body, (72, 120)))}
rows = []
for label, (f, x, flops) in parts.items():
    ms = steady_ms(f, x)
    rows.append({"part": label, "MFLOPs": flops / 1e6, "ms": ms, "GFLOP/s": flops / 1e6 / ms})
print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.1f}"))
total_fsrcnn = rows[1]["ms"] + rows[2]["ms"]
print(f"fsrcnn / espcn time now: {total_fsrcnn / rows[0]['ms']:.1f} x")

# %% [markdown]
# ESPCN turns its FLOPs into time several times more efficiently (the GFLOP/s column): its 64- and 32-channel
# convolutions give the CPU's vector units long runs of arithmetic on every pixel. FSRCNN's 12-channel layers
# have too little work per pixel to keep them busy, and each layer, and each PReLU after it, is one more pass
# over the image in memory. The shipped times (three warm-up runs, five timed) were taken on another day and
# may be larger or smaller than these; the ratio between the two models is what to read. **FLOPs rank models
# by arithmetic; to rank them by speed, time them, on the hardware you will use.**
#
# ### What training costs: time to a validation PSNR
#
# Training has its own cost, and steps per second is the wrong measure of it: a bigger batch does more work
# per step, a cached input pipeline repeats its patches, a lower precision may learn less per step. What a
# user waits for is the **time to reach a quality**. `bench/training_efficiency.py` trains the same small
# EDSR-style network (4 residual blocks of 32 filters, x3) in nine set-ups, each for 150 s of training time,
# validating every 200 steps on held-out training images, and records the PSNR against the training time
# (validation excluded). The target is the PSNR the float32 baseline reached in the first half of its time.
# Each set-up ran once, so differences of about 10% are within the noise:

# %%
# NBVAL_CHECK_OUTPUT
effi = json.loads(Path("../bench/training_efficiency.json").read_text())
print("measured with:", effi["command"], "on", effi["machine"]["cpu"], f"({effi['machine']['cores']} cores),",
      "TensorFlow", effi["machine"]["tensorflow"])
print(f"target: {effi['summary']['target_val_psnr']:.2f} dB validation PSNR ({effi['summary']['rule']})")
eff_table = pd.DataFrame(effi["summary"]["rows"]).T
print(eff_table[["changes", "steps_per_s", "patches_per_s", "time_to_target_s", "speedup", "final_val_psnr"]]
      .to_string(float_format=lambda v: f"{v:.2f}", na_rep="not reached"))

# %%
from srkit.viz import psnr_time_plot

fig, ax = plt.subplots(figsize=(9, 4.5))
psnr_time_plot({n: r["curve"] for n, r in effi["results"].items()}, target=effi["summary"]["target_val_psnr"], ax=ax,
               title="small EDSR x3: validation PSNR against training time (dots: target reached)")
ax.set_xlim(0, effi["budget_s"] + 5);

# %% [markdown]
# What the table says about training on this 2-core CPU:
#
# * **Precision** is the switch that buys speed. Mixed bfloat16 (the CPU has AVX512-BF16 instructions)
#   processes about 1.6 times the patches per second of float32 and reaches the target about 1.5 times sooner;
#   after 150 s it is also higher, since it did more steps. On a CPU without bfloat16 instructions it can be
#   *slower* than float32: measure before you switch.
# * **Batch size** changes what a step is worth, not how fast patches go through: every float32 batch size
#   processes about the same number of patches per second, since the CPU is busy either way. Batch 16 makes
#   twice the updates of batch 32 and reaches the target about 1.5 times sooner; batch 64 makes half of them
#   and needs about 1.6 times longer. Early in training, more updates beat more exact gradients.
# * **steps_per_execution=16**, the input pipeline (serial, parallel, or cached patches) and data parallelism
#   over two logical CPU devices all stay within about 10% of the baseline, the noise of single runs. The
#   training step itself is the bottleneck: the pipeline keeps up with it, and TensorFlow already spreads each
#   convolution over both cores, so two replicas have nothing more to share. Data parallelism pays with more
#   devices (GPUs, machines), not on one small CPU.
#
# ## 2. Making inference cheaper
#
# Three ways to spend less at inference time, each measured here: change the *structure* after training
# (re-parameterisation), train a small network *better* with a large one's help (distillation), and compute
# with *fewer bits* (int8 quantisation).
#
# ### Structural re-parameterisation
#
# Training likes extra branches (a 1x1 path, a shortcut) because they make the network easier to optimise;
# inference likes one plain convolution per layer. Structural re-parameterisation (RepVGG, Ding et al. 2021;
# ECBSR, Zhang et al. 2021, for SR) has both. `srkit.models.reparam.RepConv2D` trains
#
# $$y = K_3 * x + b_3 + K_1 * x + b_1 + x,$$
#
# a 3x3 convolution, a 1x1 convolution and the identity (when input and output widths match). All three are
# linear in $x$, so their sum is **one** 3x3 convolution: put the 1x1 kernel at the centre of the 3x3 one,
# write the identity as a kernel with a 1 at the centre from channel $c$ to channel $c$, and add the kernels
# and the biases. `fuse_repconv(layer)` does it; `collapse(model)` does it for every such layer of a model.
# Live, on one layer with random weights:

# %%
# NBVAL_CHECK_OUTPUT
from srkit.models.reparam import RepConv2D, collapse, fuse_repconv, rep_espcn


def below(d, bound=1e-5):
    """Whether d is below ``bound``, in words (the exact value depends on the CPU's float rounding)."""
    return f"below {bound:.0e}" if d < bound else f"{d:.1e}, above {bound:.0e}"


keras.utils.set_random_seed(0)
x = np.random.default_rng(0).random((1, 32, 32, 8), dtype=np.float32)
branchy = RepConv2D(8, 3, bias_initializer="random_normal")
y_branchy = np.asarray(branchy(x))
kernel, bias = fuse_repconv(branchy)
plain_conv = keras.layers.Conv2D(8, 3, padding="same")
plain_conv.build(x.shape)
plain_conv.set_weights([kernel, bias])
d = np.abs(np.asarray(plain_conv(x)) - y_branchy).max()
print(f"RepConv2D: {branchy.count_params()} weights in three branches (identity: {branchy.uses_identity}); "
      f"fused: {kernel.shape} kernel + {bias.shape[0]} biases = {kernel.size + bias.size}")
d_layer = d
print("largest difference between the branches and the fused convolution:", below(d))

# %% [markdown]
# The difference is float rounding, about a millionth (the exact values are printed two cells below): the
# fused kernel adds the three paths before multiplying, the layer after. The same for a whole network: `rep_espcn(scale)` is ESPCN with re-parameterisable feature layers.
# Collapsed, it is exactly an ESPCN:

# %%
# NBVAL_CHECK_OUTPUT
rep = rep_espcn(3)
deployed = collapse(rep)
lr_test = np.random.default_rng(1).random((1, 48, 48, 1), dtype=np.float32)
d = np.abs(np.asarray(rep(lr_test)) - np.asarray(deployed(lr_test))).max()
print(f"rep_espcn x3: {rep.count_params():,} parameters while training; collapsed: {deployed.count_params():,} "
      f"(zoo espcn x3: {zoo.load('espcn', 3).count_params():,})")
print("layers after collapse:", ", ".join(type(l).__name__ for l in deployed.layers[1:]))
d_model = d
print("largest difference in the output:", below(d))

# %% [markdown]
# And what it saves, timed now on a small input (median of several runs; on a busy machine the numbers
# move from run to run):

# %%
from srkit.profile import latency_ms

repeats = pick(full=30, smoke=5)
t_rep, t_plain = latency_ms(rep, (128, 128), repeats), latency_ms(deployed, (128, 128), repeats)
print(f"128 x 128 input: training form {t_rep:.2f} ms, collapsed {t_plain:.2f} ms "
      f"(the training form takes {t_rep / t_plain:.2f} x the collapsed one's time)")
print(f"(the exact largest differences above: {d_layer:.1e} for the layer, {d_model:.1e} for rep_espcn)")

# %% [markdown]
# The collapsed network does one convolution per layer instead of two and an addition, so it needs less
# arithmetic and fewer passes over the feature maps; how much faster it is here depends on the machine and
# its load (printed above). The point is that the gain costs nothing: the outputs are the same.
#
# Do the branches help training, as RepVGG found for deep classifiers? `bench/cheaper_models.py` trained
# `rep_espcn` and `espcn` at x3 with the same recipe and steps (the zoo's `rep_espcn` x3 is that run):

# %%
# NBVAL_CHECK_OUTPUT
cheap = json.loads(Path("../bench/cheaper_models.json").read_text())
print("measured with:", cheap["command"], "on", cheap["machine"]["cpu"])


def run_row(name):
    r = cheap["runs"][name]
    c = r["config"]
    return {"run": name, "model": c["model"], "params": r["parameters"], "steps": c["steps"],
            "train_min": r["train_time_s"] / 60, "val": r["final_val_psnr"],
            **{ds: r["test"][ds]["psnr"] for ds in ("Set5", "Set14", "BSD100")}}


print(pd.DataFrame([run_row("espcn_x3"), run_row("rep_espcn_x3")]).to_string(index=False, float_format=two))
col = cheap["runs"]["rep_espcn_x3"]["collapse"]
print(f"rep_espcn x3 collapsed: {col['parameters_collapsed']:,} parameters, largest output difference "
      f"{below(col['max_abs_difference'])}")

# %% [markdown]
# No: the two runs end within a few hundredths of a dB of each other, on validation and on every test set. The
# branches cost training time (the training form computes three paths per layer) and bought nothing here.
# RepVGG's and ECBSR's gains come from deeper plain networks, where the extra paths make the optimisation
# easier (as residual connections do); a three-layer network like ESPCN optimises well without them. What
# re-parameterisation guarantees is the other half: the deployed network is exactly ESPCN, at ESPCN's cost,
# whatever the branches did during training. (Both runs are short, 15,000 steps of the paper's tanh network;
# the zoo's ESPCN x3, trained longer and with ReLU, scores more: compare its card in the tables of chapter 03.)
#
# ### Knowledge distillation
#
# A small network trained on HR images has to guess detail that its few parameters cannot represent; a large
# network's *output* is a target it can get closer to. **Knowledge distillation** trains the student against
# the teacher's super-resolved images, blended with the HR ones:
#
# $$\text{target} = w \cdot \text{teacher}(x_{LR}) + (1 - w) \cdot y_{HR}.$$
#
# `srkit train espcn --scale 4 --teacher edsr --teacher-weight 0.5` does it (`srkit.train.distill`): the
# teacher, the zoo's 1.4 M-parameter flagship, runs once over the training images before training, and the
# patches are cut from the blended images. Validation and tests still compare with the real HR images. What
# the student learns from, for one training image:

# %%
from srkit.pipeline import make_sampler
from srkit.train.distill import attach_teacher
from srkit.viz import image_grid

demo = make_sampler(["T91"], 4, 12, limit=1)
hr_demo = demo.hr[0]
info = attach_teacher(demo, "edsr", 1.0)  # w = 1: the teacher's output itself
teacher_demo = demo.hr[0][..., 0]
hr_y = srkit.color.rgb_to_y(hr_demo.astype(np.float32))
box = (slice(40, 104), slice(40, 104))
image_grid({"HR (luma)": hr_y[box] / 255,
            f"teacher edsr x4 ({info['teacher_psnr_vs_hr']:.1f} dB on this image)": teacher_demo[box] / 255,
            "w = 0.5 target": (0.5 * teacher_demo + 0.5 * hr_y)[box] / 255});

# %% [markdown]
# The teacher's image is a smoother, cleaner version of the HR one: it keeps what can be inferred from the
# LR image and drops what cannot. `bench/cheaper_models.py` trained ESPCN x4 five times with the same recipe
# and number of steps: three from a random start with teacher weights 0, 0.5 and 1, and two started from the
# zoo's ESPCN x3 of the time, a tanh network (its two feature layers; the last convolution, with 16 output channels at x4 instead of 9,
# starts fresh), without and with the teacher; then the x3 start twice more without the teacher, with other
# random draws of that last layer's initial weights (`seed1`, `seed2`):

# %%
# NBVAL_CHECK_OUTPUT
t = cheap["teacher"]
print(f"teacher: {t['name']} x4, {t['parameters']:,} parameters, Set5 {t['test']['Set5']['psnr']:.2f} dB; "
      f"its outputs for the {t['images']} training images took {t['targets_time_s']:.0f} s")
kd = pd.DataFrame([{**run_row(n), "start": cheap["runs"][n]["start"], "teacher_weight": cheap["runs"][n]["teacher_weight"]}
                   for n in ("alone", "teacher_0.5", "teacher_1.0", "alone_from_x3", "teacher_0.5_from_x3",
                             "alone_from_x3_seed1", "alone_from_x3_seed2")])
print(kd[["run", "start", "teacher_weight", "params", "steps", "val", "Set5", "Set14", "BSD100"]]
      .to_string(index=False, float_format=two))

# %% [markdown]
# Read the table in two steps.
#
# **The teacher changed nothing measurable.** From the same start and for the same steps, the targets with
# teacher weights 0, 0.5 and 1 end within a few hundredths of a dB of each other, on validation and on every
# test set, from a random start and from the x3 one alike. The student learns the same function whether it
# is shown the HR images or the flagship's: a 25 k-parameter network cannot represent the detail in which
# the two targets differ, so it ends where its capacity and its optimisation put it. (The training loss is
# lower with the teacher, since its targets are easier to fit; the PSNR against the real HR images is not.)
#
# **The start changed a lot, and not reliably.** From a random start ESPCN x4 sits on a plateau near 27.96 dB
# (the zoo's first ESPCN x4 and a 30-minute continuation of it sat there too). From the x3 body it stays
# there or leaves it depending on the random draw of the last layer's initial weights: the three
# `alone_from_x3` runs differ only in that draw and end up to several tenths of a dB apart. What held this
# student back was optimisation, not its targets.
#
# Published distillation for SR uses larger students and teachers' intermediate features, not only their
# outputs; for a network this small, output distillation is a measured null result. The zoo keeps the
# evidence: `espcn_distilled` x4 is 30 minutes of this recipe with teacher weight 0.5 from the x3 body. The same
# 30 minutes without the teacher, from the same initial weights, is one of the measured attempts on the card of
# the zoo's `espcn` x4 (which has since been retrained with ReLU, chapter 03, and scores more than both):

# %%
# NBVAL_CHECK_OUTPUT
def last_val(t):
    """The last validation PSNR of a card's training record (two layouts: [step, psnr] pairs, or dicts)."""
    if "val_psnr_during_training" in t:
        return t["val_psnr_during_training"][-1][1]
    return t["validation_during_training"][-1]["val_psnr"]


distilled = zoo.card("espcn_distilled", 4)["training"]
alone = next(a for a in zoo.card("espcn", 4)["status"]["attempts"]
             if "espcn_x4_from_x3.keras" in a["command"] and "--teacher" not in a["command"])
print(f"espcn_distilled x4, teacher {distilled['config']['teacher']}: {distilled['steps']:,} steps, "
      f"validation {last_val(distilled):.2f} dB")
print(f"the same run without the teacher (an attempt on espcn x4's card): {alone['steps']:,} steps, "
      f"validation {alone['val_after']:.2f} dB")
print(f"the zoo's espcn x4 now (ReLU, chapter 03): validation {last_val(zoo.card('espcn', 4)['training']):.2f} dB")

# %% [markdown]
# ### Post-training int8 quantisation
#
# A float32 weight takes 4 bytes; an int8 one takes 1. **Post-training quantisation** stores every weight *and
# every activation* as an 8-bit integer $q$ standing for $\text{scale} \cdot (q - \text{zero point})$ and runs
# the convolutions in integer arithmetic. Weight scales come from the weights; activation scales need the
# range each activation takes on real inputs, measured on a **calibration set** of LR training patches.
# `srkit.quantize` converts a model with TensorFlow Lite's converter and scores the result with the kit's
# one protocol (`TFLiteUpscaler`). Live, for the zoo's ESPCN x3:

# %%
from srkit.evaluate import evaluate
from srkit.quantize import TFLiteUpscaler, calibration_patches, float_tflite, int8_tflite, tflite_ops

espcn3 = zoo.load("espcn", 3)
calibration = calibration_patches(3, count=32)  # LR training patches, never benchmark images
flat32, flat8 = float_tflite(espcn3, 3), int8_tflite(espcn3, 3, calibration)
print(f"file size: float32 {len(flat32):,} bytes, int8 {len(flat8):,} bytes ({len(flat32) / len(flat8):.1f} x smaller)")
print("int8 model's operators:", ", ".join(sorted({f"{o['op']} ({o['inputs'][0]})" for o in tflite_ops(flat8)})))
live_q = evaluate(TFLiteUpscaler(flat8, name="espcn x3 int8"), ["Set5"], [3])
print(f"Set5 x3: float {zoo.card('espcn', 3)['scores']['Set5']['psnr']:.2f} dB, int8 {live_q.psnr.iloc[0]:.2f} dB")

# %% [markdown]
# The bench (`bench/quantization.py`) did the same for the other models, with the float32 TFLite as the
# control (it equals the Keras model, so every difference below is quantisation):

# %%
# NBVAL_CHECK_OUTPUT
quant = json.loads(Path("../bench/quantization.json").read_text())
print("measured with:", quant["command"], "on", quant["cpu"], "| load average at the start:",
      quant["load_average_at_start"])
q = pd.DataFrame(quant["rows"])
q = q[q.dataset == "Set5"].pivot_table(index=["model", "scale"], columns="variant",
                                        values=["psnr", "bytes", "latency_ms"], aggfunc="first")
q_table = pd.DataFrame({"keras_psnr": q["psnr"]["keras"], "int8_psnr": q["psnr"]["tflite_int8"],
                        "int8_cost_db": q["psnr"]["keras"] - q["psnr"]["tflite_int8"],
                        "size_ratio": q["bytes"]["tflite_float32"] / q["bytes"]["tflite_int8"],
                        "speedup_vs_tflite_float": q["latency_ms"]["tflite_float32"] / q["latency_ms"]["tflite_int8"]})
print(q_table.to_string(float_format=two))

# %% [markdown]
# Three things to read. **Size**: the int8 flatbuffers are 2 to 4 times smaller than the float32 ones (the
# smallest gain is FSRCNN's, whose 12-channel layers hold so few weights that the file's fixed parts
# weigh). **Speed** depends on the CPU: on the one this table was measured on (an AMD EPYC, whose AVX512 VNNI
# instructions multiply int8 values) the int8 flagship ran about 4 times faster than its float32 TFLite control,
# the ESPCNs 2.9 to 5.2 times, and the int8 FSRCNN 1.5 times, the least. One run each, and the small models' few
# milliseconds move with the machine and its load (other runs of this bench gave the flagship 4 to 11 times,
# ESPCN x3 up to 5.6 times, and FSRCNN 0.6 to 2.6 times, slower than its control in some): read the ratios as
# rough. **Quality**: the flagship loses about 0.25 dB, FSRCNN x3 about 1.2 dB, and the ESPCNs 0.1 to 0.4 dB. The price was once far
# higher: the tanh ESPCNs the zoo shipped before its ReLU ones (the same layers with the paper's activation,
# chapter 03) lost 1.1 to 2.9 dB in this same bench, at x2 and x3 more than all they had gained over bicubic.
# Why? Quantisation spends 256 levels on the range each tensor takes on the calibration patches; a tensor with
# a few large values gets coarse steps for all the others. Look at the tensor int8 stores after ESPCN's second
# convolution: the input of its tanh or, since TensorFlow Lite fuses a ReLU into the convolution before it,
# the ReLU's output:

# %%
# NBVAL_CHECK_OUTPUT
def stored_range(model, x):
    """The tensor int8 stores after the second feature convolution, on calibration patches: the input of its
    tanh, or its ReLU output. Returns the activation, the largest |value|, the 99.9th percentile of |value|
    and the int8 step over the tensor's min-max range (widened to hold 0)."""
    convs = [l for l in model.layers if isinstance(l, keras.layers.Conv2D)]
    h = keras.Model(model.input, convs[0].output)(x)
    pre = np.asarray(keras.ops.conv(h, convs[1].kernel, padding="same") + convs[1].bias)
    activation = convs[1].get_config()["activation"]
    t = np.maximum(pre, 0) if activation == "relu" else pre
    step = (max(t.max(), 0) - min(t.min(), 0)) / 255
    return activation, float(np.abs(t).max()), float(np.percentile(np.abs(t), 99.9)), float(step)


for s in (2, 3, 4):
    act, top, p999, step = stored_range(zoo.load("espcn", s), calibration_patches(s, count=32))
    print(f"espcn x{s} ({act}): largest |value| {top:.2f}, 99.9% of values within {p999:.2f}; int8 step {step:.4f}")

# %% [markdown]
# What to look for: how far the largest value lies beyond the 99.9th percentile. Min-max calibration spends
# the int8 levels on the whole range, so where a few values are far larger than the rest, the bulk of them get
# steps coarser than they need. In the ReLU ESPCNs above the largest value is 1.3 to 1.6 times the 99.9th
# percentile: the steps fit the bulk of the values. In the tanh ESPCNs the largest input of the second tanh was 4 to 6.4 and
# 99.9% of the values lay within less than half of it, and the tanh, steepest near 0 where the bulk of the
# values are, passed those rounding errors on to the layer that draws the output. The same layers with other
# weights can lose almost nothing: an earlier tanh ESPCN x4 of this kit kept this tensor within about 0.5 and
# lost only 0.2 dB. The cures are the standard ones: calibrate the range on a percentile instead of the
# extremes, give each channel its own scale, keep the one sensitive layer in float, or train with the
# rounding simulated (quantisation-aware training, which exercise 08.7's `fake_quant` is the core of).
#
# **Int8 is not free, and its price depends on the trained weights, not only on the architecture: measure it
# for every model you deploy.**
#
# ## 3. What the network looks at
#
# ### Local attribution maps
#
# Which LR pixels did the network use to draw one small patch of its output? **LAM** (Gu & Dong, CVPR 2021)
# answers with integrated gradients: it measures the edges in a 16 x 16 output window (the sum of the Sobel
# gradient magnitude), and integrates the gradient of that number with respect to the input along a path
# from a heavily blurred copy of the input (no edges) to the input itself. The map $A$ over the LR pixels
# adds up to the window's edge content minus the blurred copy's (completeness). `srkit.interpret.lam` computes
# it for any Keras model of the zoo, pre-upsampling ones included (the bicubic step is inside the gradient).
# On a 64 x 64 crop of Set5's `bird` at x3:

# %%
bird = next(p for p in load_benchmark("Set5", 3) if p.name == "bird")
lr_crop = bird.lr[40:104, 40:104]
window = (90, 90, 16)  # row, column, side, in output (HR) pixels
names = pick(full=["srcnn", "espcn", "edsr", "drcn"], smoke=["espcn", "edsr"])
maps = {n: interpret.lam(zoo.load(n, 3), lr_crop, window, steps=pick(full=32, smoke=8)) for n in names}
for n, r in maps.items():
    sr = zoo.upscaler(n)(lr_crop, 3) if n == "edsr" else None
    interpret.show_attribution(r, lr_crop, sr=sr)

# %% [markdown]
# The **diffusion index** summarises a map in one number: $DI = (1 - G) \cdot 100$, with $G$ the Gini
# coefficient of $|A|$ over all pixels. A map with one nonzero pixel among $n$ has $DI = 100 / n$; a uniform
# map has 100. It depends on the number of pixels, so compare DIs on the same crop only.
#
# ### Receptive fields, theoretical and measured
#
# The **theoretical** receptive field is the square of input pixels one output pixel can depend on
# (`interpret.receptive_field` walks the layers). The **measured** one is the side of the smallest square, centred
# under the output pixel, that holds 99 % of the absolute gradient of that pixel (`measured_receptive_field`).
# For pre-upsampling models (SRCNN, DRCN) both count pixels of the bicubic-upscaled input; `rf_measured_lr`
# counts LR pixels for every model. `receptive_field_table` puts them and the DI (32 steps) side by side:

# %%
# NBVAL_CHECK_OUTPUT
rf = interpret.receptive_field_table({n: zoo.load(n, 3) for n in ("srcnn", "espcn", "edsr", "drcn")},
                                     lr_crop, window=window, steps=32)
print(rf.drop(columns="lam_s").to_string(float_format=two))
print("diffusion index, smallest to largest:", " < ".join(rf.di.sort_values().index))
print(f"edsr uses a {rf.rf_measured['edsr']} x {rf.rf_measured['edsr']} square of the "
      f"{rf.rf_theory['edsr']} x {rf.rf_theory['edsr']} it could see")

# %% [markdown]
# Read the table:
#
# * **Depth buys reach.** The flagship (15 residual blocks) could see a 68 x 68 square of LR pixels; ESPCN,
#   three layers, 9 x 9; SRCNN 17 x 17 pixels of the bicubic image (7 x 7 LR pixels, measured through the
#   bicubic step).
# * **Reach is not use.** 99 % of the flagship's gradient lies in a 13 x 13 square, a fraction of what it
#   could see: deep CNNs look mostly near the pixel they draw (Luo et al.'s "effective receptive field").
#   SRCNN and ESPCN use all they see (measured = theoretical); DRCN, with its recursion, 17 of its 21.
# * **The DI agrees in order**: the flagship spreads its attribution over the most pixels, DRCN over the
#   fewest. On this crop every DI is small: the edges of one 16-pixel window are drawn from a few LR pixels
#   around it.
#
# Pick other windows and models yourself with the attribution widget (drag the window's sliders, then
# compute; results are cached):

# %%
from srkit.widgets import attribution

attribution({n: zoo.load(n, 3) for n in ("srcnn", "espcn", "edsr", "drcn")}, lr_crop, steps=16)

# %% [markdown]
# ## 4. Inside the network
#
# ### First-layer filters and feature maps
#
# The flagship's first layer (`head`) is 64 3x3 filters on the luma channel. Each is shown scaled to its own
# range (white = large weight):

# %%
flagship = zoo.load("edsr", 3)
from srkit.viz import show_filters

head = flagship.get_layer("head")
show_filters(head.get_weights()[0], ncols=16, size=0.6, title=f"edsr x3, first layer: {head.kernel.shape[-1]} "
             f"{head.kernel_size[0]}x{head.kernel_size[1]} filters");

# %% [markdown]
# 3x3 filters are too small to read as pictures (notebook 02 shows SRCNN's 9x9 ones), but their responses are
# easy to read. `interpret.feature_maps` returns a layer's activations for an image: the first layer's, and
# those of `body_end`, the last layer of the residual body, on the whole `bird` LR image (eight channels of each):

# %%
fig, axes = plt.subplots(2, 8, figsize=(16, 4.4))
for row, layer in zip(axes, ("head", "body_end")):
    f = interpret.feature_maps(flagship, bird.lr, layer=layer)
    for i, ax in enumerate(row):
        ax.imshow(f[..., i], cmap="gray")
        ax.set_title(f"{layer} #{i}", fontsize=8)
        ax.axis("off")
fig.tight_layout()

# %% [markdown]
# Most of the first layer's maps are copies of the image's brightness, some inverted; a few (#2, #7 here) keep
# mainly its edges. At `body_end` the maps still carry regions of brightness, with the edges and the fine
# texture of the leaves marked more strongly in several of them.
#
# ### How the features see degradations
#
# `interpret.degradation_embedding` degrades HR images in several ways (bicubic, blur + bicubic, bicubic +
# noise, bicubic + JPEG), runs each LR input through the flagship up to `body_end`, averages every feature map
# to one number (64 numbers per input), and projects these vectors to 2-D with PCA. With `centre="image"`
# each image's own mean is subtracted first, so what is left is what the degradation changes, not what the
# image shows. Five Set5 crops:

# %%
# NBVAL_CHECK_OUTPUT
crops = {p.name: p.hr[:96, :96] for p in load_benchmark("Set5", 3)}
emb = interpret.degradation_embedding(flagship, crops, scale=3, centre="image")
print(f"layer {emb.attrs['layer']}; share of variance of the two components: "
      + ", ".join(f"{v:.2f}" for v in emb.attrs["explained"]))
centres = emb.groupby("degradation")[["x", "y"]].mean()
print("mean position per degradation (x 1000):")
print((centres * 1000).to_string(float_format=two))
lone = centres.x.sub(centres.x.median()).abs().idxmax()
print("furthest from the others on the first component:", lone, "| on the other side of 0:",
      ", ".join(d for d in centres.index if np.sign(centres.x[d]) != np.sign(centres.x[lone])))

# %%
interpret.embedding_plot(emb);

# %% [markdown]
# Noise stands apart: on average it lies alone on one side of the first component, which holds more than half
# of the variance (printed above), and in the plot every noisy input lies outside the one cluster that blur,
# JPEG and clean bicubic inputs form together. The flagship was trained on clean bicubic inputs only,
# yet its features already tell noisy inputs from the rest: noise adds energy at every frequency, which every
# edge filter answers. Blur and JPEG mostly *remove* detail, and their features stay close to the clean ones:
# to the network, a blurred input looks like a smoother image, not like a different kind of input (which is
# why notebook 07's bicubic-trained model does not correct blur).

# %% [markdown]
# ## Summary
#
# * A model's cost has three faces: parameters, FLOPs (counted, machine-independent) and time (measured,
#   machine- and load-dependent). `profile.quality_cost` and `viz.quality_cost_plot` draw the quality-cost
#   plane with its Pareto front; the front depends on the cost axis.
# * FLOPs do not predict speed: FSRCNN has half of ESPCN's FLOPs and takes more than twice its CPU time; its
#   thin layers turn far fewer FLOPs into work per second than ESPCN's wide ones.
# * Training efficiency is the time to a validation PSNR, not steps per second. On this CPU mixed bfloat16
#   reached it about 1.5 times sooner and a smaller batch (more updates) too; steps per execution, caching and
#   data parallelism changed nothing measurable: the step, not the pipeline, is the bottleneck.
# * Structural re-parameterisation trains branches (3x3 + 1x1 + identity) and runs one convolution: the
#   fused kernel gives the same outputs to float rounding, with fewer parameters and one convolution per layer.
#   On three-layer ESPCN the branches did not improve training (equal PSNR after equal steps): they are a tool
#   for deep plain networks.
# * Knowledge distillation (targets blended with the flagship's outputs) gave the 25 k-parameter ESPCN x4 no
#   measurable gain; its start did: from the x3 body it can leave the plateau that a random start stays on.
# * Post-training int8 quantisation made the files 2-4 times smaller and most models faster in TensorFlow Lite
#   (by how much depends on the CPU; FSRCNN gained least, or lost); it cost the flagship about 0.25 dB and
#   the ReLU ESPCNs 0.1 to 0.4 dB, where the tanh ESPCNs before them lost 1.1 to 2.9 dB to a few large inputs
#   of a tanh. Its price depends on the
#   trained weights, not only the architecture: measure it.
# * LAM shows which LR pixels an output window was drawn from; the diffusion index says how spread they are.
#   Deep networks can see far (68 x 68 LR pixels for the flagship) but use a much smaller region.
# * Inside the flagship, the first layer responds to brightness and edges; its deep features set noisy
#   inputs apart from clean, blurred and compressed ones.
#
# ## Exercises
#
# Write your answer in place of `None`, or the body of the function in place of `raise NotImplementedError`,
# then run the cell below it: `check` says whether the answer is right, or what differs and a hint. A
# function you write is run next to the kit's own on fresh random inputs.
# `solution("08.1")` prints a worked solution, where your copy of the course has them.

# %% nbgrader={"grade": false, "grade_id": "ex08_setup", "locked": true, "schema_version": 3, "solution": false}
from srkit.exercises import check, solution

# %% [markdown]
# **Exercise 08.1.** Fuse the branches of a `RepConv2D` (section 2) yourself:
# `fuse_branches(kernel, bias, kernel_1x1, bias_1x1, identity)` takes the `k x k` kernel, shape
# (k, k, C_in, C_out), its bias (C_out,), the 1x1 kernel (1, 1, C_in, C_out) and its bias, and whether the
# identity branch is there (only when C_in = C_out), and returns the pair `(kernel, bias)` of the single
# `k x k` convolution that computes the same, as float32. The check compares it with the kit's fusion for
# several sizes.

# %% nbgrader={"grade": false, "grade_id": "ex08_1_answer", "locked": false, "schema_version": 3, "solution": true}
def fuse_branches(kernel, bias, kernel_1x1, bias_1x1, identity):
    """The single k x k kernel and bias equal to the three branches."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex08_1", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("08.1", fuse_branches)

# %% [markdown]
# **Exercise 08.2.** Write LAM's diffusion index in NumPy: `diffusion(a)` takes an attribution map (a 2-D
# float array, signed) and returns $DI = (1 - G(|a|)) \cdot 100$, with $G$ the Gini coefficient of the absolute
# values over all pixels: $G = \sum_i (2i - n - 1)\, v_{(i)} / (n \sum_i v_i)$ for the $n$ values sorted
# ascending, $v_{(1)} \le \dots \le v_{(n)}$. The check compares it with `srkit.interpret.diffusion_index`
# on random maps.

# %% nbgrader={"grade": false, "grade_id": "ex08_2_answer", "locked": false, "schema_version": 3, "solution": true}
def diffusion(a):
    """LAM's diffusion index of an attribution map."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex08_2", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("08.2", diffusion)

# %% [markdown]
# **Exercise 08.3.** Section 1 compared FSRCNN and ESPCN at x4. In the shipped table at **x2**
# (`bench/quality_cost.json`), how many times ESPCN's CPU time per megapixel does FSRCNN take? (Two decimals.)

# %% nbgrader={"grade": false, "grade_id": "ex08_3_answer", "locked": false, "schema_version": 3, "solution": true}
answer_3 = None

# %% nbgrader={"grade": true, "grade_id": "ex08_3", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("08.3", answer_3)

# %% [markdown]
# **Exercise 08.4.** What is the theoretical receptive field of the zoo's `fsrcnn` at x3, in LR pixels (the
# side of the square)? It is not in section 3's table.

# %% nbgrader={"grade": false, "grade_id": "ex08_4_answer", "locked": false, "schema_version": 3, "solution": true}
answer_4 = None

# %% nbgrader={"grade": true, "grade_id": "ex08_4", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("08.4", answer_4)

# %% [markdown]
# **Exercise 08.5.** How many parameters does `collapse` remove from `rep_espcn(4)` (the default widths)?
# Count them, or work them out from section 2.

# %% nbgrader={"grade": false, "grade_id": "ex08_5_answer", "locked": false, "schema_version": 3, "solution": true}
answer_5 = None

# %% nbgrader={"grade": true, "grade_id": "ex08_5", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("08.5", answer_5)

# %% [markdown]
# **Exercise 08.6.** In the shipped training-efficiency table (`bench/training_efficiency.json`), how many
# times faster did mixed bfloat16 (`bf16`) reach the target PSNR than the float32 baseline? (Two decimals.)

# %% nbgrader={"grade": false, "grade_id": "ex08_6_answer", "locked": false, "schema_version": 3, "solution": true}
answer_6 = None

# %% nbgrader={"grade": true, "grade_id": "ex08_6", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("08.6", answer_6)

# %% [markdown]
# **Exercise 08.7.** Simulate int8 quantisation of one activation. `fake_quant(x, lo, hi)` takes an array and
# the range `[lo, hi]` measured on the calibration set, and returns what an int8 network computes with instead
# of `x`, as float32: extend the range to hold 0 (so that 0 is represented exactly), split it into 256 levels,
# `scale = (hi - lo) / 255`, find the integer `zero_point` that stands for 0 (`q` runs from -128 to 127, so
# `zero_point = round(-128 - lo / scale)`), round `x / scale` to the nearest level and add `zero_point`, clip to
# [-128, 127], and map back: `(q - zero_point) * scale`. Then try it on the espcn x3 pre-activations above: how
# large is the rounding error of a value near 0 when the range is the largest value, and when it is the
# 99.9% one?

# %% nbgrader={"grade": false, "grade_id": "ex08_7_answer", "locked": false, "schema_version": 3, "solution": true}
def fake_quant(x, lo, hi):
    """x as an int8 network sees it: quantised to 256 levels over [lo, hi] (extended to hold 0), then back."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex08_7", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("08.7", fake_quant)

# %% [markdown]
# **Think further.** Distil FSRCNN x3 from the flagship (`srkit train fsrcnn --scale 3 --teacher edsr`) and
# compare it with the zoo's FSRCNN on the validation images. Quantise the zoo's `edsr` x3 with 8 and with 256
# calibration patches (`calibration_patches(3, count=...)`): does the PSNR cost change? And compute LAM for
# the same window with `path="blur"` (LAM's own path): does the diffusion index change?
