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
# # 08 · Efficiency and interpretability: what a model costs, and what it looks at
#
# **Learning goals.** After this notebook you can
#
# 1. place a model on the quality-cost plane (PSNR against parameters, FLOPs and CPU time), read its Pareto
#    front, and say what FLOPs do and do not predict about speed;
# 2. explain structural re-parameterisation: train a multi-branch block, fuse it into one convolution for
#    inference, and check that nothing changed but the cost;
# 3. compute a local attribution map (LAM) and its diffusion index, and compare a network's theoretical
#    receptive field with the one it actually uses;
# 4. look inside a network: its first-layer filters, its feature maps, and how its deep features separate
#    differently degraded inputs.
#
# The timings that depend on the machine were measured once and ship with the kit (`bench/quality_cost.json`,
# with the command that made it); everything else here is computed live.

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
costs = costs[~costs.model.isin(["edsr_blind", "edsr_gan", "edsr_realistic"])].reset_index(drop=True)
costs.attrs["dataset"] = "Set5"
print(costs[["model", "kind", "psnr", "params", "gflops", "ms_per_mp"]]
      .to_string(index=False, float_format=lambda v: f"{v:.2f}", na_rep="-"))

# %% [markdown]
# (The x4 zoo also holds `edsr_blind`, `edsr_gan` and `edsr_realistic`: the flagship's architecture, so the
# same cost, trained for robustness or texture rather than PSNR; they are left out here.) The load average
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
print("zoo training time on a CPU, from the cards:",
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
for cost in ("params", "gflops", "ms_per_mp"):
    front = costs[costs[f"pareto_{cost}"]]
    print(f"front for {cost:9s}: {', '.join(front.sort_values(cost).model)}")

# %% [markdown]
# Three things to read from the plane:
#
# * **The zoo sits below the published points** at similar cost. The zoo's networks see only the luma channel
#   and were trained for minutes on a CPU (T91 + BSD200; the times are printed above); the published ones were
#   trained far longer, the recent ones on DIV2K. Much of the gap is training: the published FSRCNN has the
#   zoo's design (12 k parameters against 12.8 k) and is 0.86 dB better.
# * **The fronts differ.** Counted in parameters or FLOPs, the published efficient models (SAFMN, RFDN,
#   SwinIR-light) make up the front, with the published FSRCNN (and, in FLOPs, the zoo's fsrcnn) at the
#   cheap end. In CPU time only the zoo's models have a
#   number (the papers' times were measured on other machines), and all four are on that front: each one
#   buys its extra PSNR with more time.
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
# FSRCNN needs about half of ESPCN's FLOPs and yet takes several times its CPU time (printed above). Where
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
# over the image in memory. The shipped times were taken after one warm-up run on a loaded machine, so they
# are larger than these; the ratio between the two models is what to read. **FLOPs rank models by arithmetic;
# to rank them by speed, time them, on the hardware you will use.**
#
# ## 2. Making inference cheaper: structural re-parameterisation
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
# * FLOPs do not predict speed: FSRCNN has half of ESPCN's FLOPs and takes several times its CPU time; its
#   thin layers turn far fewer FLOPs into work per second than ESPCN's wide ones.
# * Structural re-parameterisation trains branches (3x3 + 1x1 + identity) and runs one convolution: the
#   fused kernel gives the same outputs to float rounding, with fewer parameters and one convolution per layer.
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
# **Think further.** Train `rep_espcn` and `espcn` at x3 with the same steps (`srkit train`) and compare their
# PSNR: do the extra branches help at this size? And compute LAM for the same window with `path="blur"`
# (LAM's own path): does the diffusion index change?
