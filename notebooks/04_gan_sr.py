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
# # 04 · GANs for super-resolution: sharper, at a price
#
# **Learning goals.** After this notebook you can
#
# 1. explain why a network trained on a pixel loss produces blur, and measure the missing detail with a
#    power spectrum;
# 2. build an SRGAN-style generator and discriminator from `srkit` parts and name each loss term;
# 3. run a GAN fine-tune and read each loss term and the discriminator's accuracy as it trains;
# 4. recognise the signs of a failing GAN (a discriminator that wins outright, a generator that drifts);
# 5. walk the perception-distortion trade-off with network interpolation and place every model on it.

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
# ## 1. Why pixel losses blur
#
# Many HR images shrink to the same LR image. A network trained to minimise the L1 or L2 distance to the
# true HR predicts (roughly) the *average* of all those candidates, and the average of many different
# fine textures is a smooth surface. PSNR rewards exactly that average, so a PSNR-optimised model looks soft.
#
# We can measure the softness. Take the radially averaged **power spectrum** of the Y channel: how much
# energy the image has at each spatial frequency. Above the LR image's Nyquist frequency ($0.5/s$ cycles
# per HR pixel at scale $s$) lies the detail the network had to invent.

# %%
from srkit import gan, zoo
from srkit.data import load_benchmark
from srkit.degrade import upscale
from srkit.infer import KerasUpscaler
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

# %% [markdown]
# Both curves fall far below 0 dB as the frequency rises: at the finest scales the outputs have about
# 30 dB (1000 times) less power than the real image, and the PSNR model, though above bicubic, restores
# little of it. The **texture distance** condenses the curve into one number,
#
# $$ \mathrm{TD} = \operatorname{mean}_{f > 0.5/s} \left| 10 \log_{10} \frac{P_{SR}(f)}{P_{HR}(f)} \right| \text{ dB}, $$
#
# 0 for HR itself, lower = closer to the real amount of detail. It needs no downloaded network. Its limits:
# it ignores *where* detail is (noise with the right spectrum scores as well as real texture), so it is
# only ever read next to PSNR/SSIM; and it is noisy on small images.

# %%
# NBVAL_CHECK_OUTPUT
for label, img in outputs.items():
    print(f"{label:11s} texture distance {texture_distance(img, baboon.hr, scale):5.1f} dB")
print(f"{'HR':11s} texture distance {texture_distance(baboon.hr, baboon.hr, scale):5.1f} dB")

# %% [markdown]
# ## 2. Generator and discriminator
#
# * **Generator** $G$: any SR network. We start from the pretrained PSNR flagship (an EDSR-style residual
#   net), so the GAN only has to learn to add texture, not SR from scratch (SRGAN did the same with SRResNet).
# * **Discriminator** $D$: a classifier of HR-sized patches, real or generated: pairs of 3x3 convolutions
#   (the second with stride 2), leaky ReLUs, global average pooling (any patch size) and one logit.

# %%
# NBVAL_CHECK_OUTPUT
generator = gan.load_generator("edsr", scale)
disc = gan.discriminator(channels=1)
print(f"generator:     {generator.count_params():,} parameters, x{scale}")
print(f"discriminator: {disc.count_params():,} parameters; features for matching:",
      [l.name for l in disc.layers if l.name.startswith("down")])

# %% [markdown]
# ## 3. The losses, one by one
#
# | term | formula | role |
# |---|---|---|
# | pixel | $\lVert G(y) - x \rVert_1$ | stay faithful to the input (distortion) |
# | adversarial (standard) | $D$: $\mathrm{BCE}(D(x),1)+\mathrm{BCE}(D(G(y)),0)$; $G$: $\mathrm{BCE}(D(G(y)),1)$ | look real |
# | adversarial (relativistic) | $D_{ra}(a,b)=\sigma(C(a)-\overline{C(b)})$, targets swapped for $G$ | "more real than the average fake" (ESRGAN) |
# | feature matching | $\operatorname{mean}_l \lVert D_l(x) - D_l(G(y)) \rVert_1$ | match the texture statistics $D$ sees |
# | VGG (optional) | $\lVert \phi(x) - \phi(G(y)) \rVert_1$, $\phi$ = VGG19 features | needs ImageNet weights already on disk |
#
# The generator minimises `pixel_weight * pixel + adversarial_weight * adversarial + feature_weight *
# feature`. The values of the adversarial losses for a few discriminators:

# %%
# NBVAL_CHECK_OUTPUT
cases = {"D cannot tell": (0.0, 0.0), "D fairly sure": (2.0, -2.0), "D certain": (10.0, -10.0)}
for name, (r, f) in cases.items():
    real, fake = np.full((4, 1), r, "float32"), np.full((4, 1), f, "float32")
    for kind in ("standard", "relativistic"):
        d, g = gan.adversarial_loss(real, fake, kind)
        print(f"{name:14s} {kind:12s} d_loss {float(d):6.3f}  g_loss {float(g):6.3f}")

# %% [markdown]
# A certain discriminator has a loss near 0 and hands the generator a large loss; if it stays there,
# its gradients carry little useful direction. The kit never downloads, so without the VGG19 weights on
# disk the perceptual loss refuses to start, and its error says where the file must go and how to get it.
# Here we pretend the Keras cache is empty (`KERAS_HOME` pointed at an empty folder) to see the message:

# %%
# NBVAL_CHECK_OUTPUT
import textwrap
from srkit.errors import SrkitError
empty_cache = os.path.abspath("runs/no_keras_cache")
os.environ["KERAS_HOME"] = empty_cache                       # pretend the cache is empty
try:
    gan.VGGFeatures()
except SrkitError as e:
    print(textwrap.fill("SrkitError: " + str(e).replace(empty_cache, "$KERAS_HOME"), 100))
del os.environ["KERAS_HOME"]

# %% [markdown]
# `$KERAS_HOME` is `~/.keras` unless you set it. With the file there, `GANConfig(perceptual_weight=...)`
# above 0 adds the VGG term to the generator's loss (SRGAN used it with the adversarial term); with
# `perceptual_weight=0`, the default, the GAN below uses feature matching on the discriminator instead.

# %% [markdown]
# ## 4. A short GAN fine-tune, live
#
# `gan.train_gan` starts from the PSNR generator, builds a fresh discriminator, and per batch makes one
# generator update and then one discriminator update. The live plot shows each term on its own (running
# means over the epoch) and the discriminator's accuracy on real and fake patches. Every `eval_every`
# steps it scores the validation set `'val'` (8 held-out training images; PSNR and texture distance) and
# writes a checkpoint; running the cell again resumes. The benchmarks stay test sets (notebook 02).
# The cell prints how long a step took on this machine (smoke mode runs only a handful of steps).

# %%
from srkit.env import pick
from srkit.gan import GANConfig, train_gan

config = GANConfig(steps=pick(full=200, smoke=4), eval_every=pick(full=100, smoke=2), patch_size=pick(full=16, smoke=8),
                   batch_size=pick(full=16, smoke=2), limit=pick(full=None, smoke=3), val_limit=pick(full=None, smoke=1))
run = train_gan(config, out_dir="runs/notebook_gan_x4", resume=False, verbose=0)
for h in run.history:
    print(f"step {h['step']:4.0f}: pixel {h['pixel']:.4f} adversarial {h['adversarial']:.3f} feature {h['feature']:.4f} "
          f"d_loss {h['d_loss']:.3f} | validation ('val') PSNR {h['val_psnr']:.2f} dB, texture {h['val_texture']:.1f} dB")
print(f"{config.steps} steps in {run.wall_time_s:.0f} s ({run.wall_time_s / config.steps:.1f} s per step, "
      "validation included)")
print("warnings:", run.warnings or "none")

# %% [markdown]
# Watch for: the pixel term rising a little (the price of texture), the texture distance falling fast, and
# the discriminator's accuracy on fakes climbing as it learns what the generator's artefacts look like.
#
# ## 5. When GAN training goes wrong
#
# `gan.diagnose` reads a run's history and names the classic failures. Here it is on a made-up history of
# a run where the discriminator took over:

# %%
# NBVAL_CHECK_OUTPUT
collapsing = [dict(d_loss=1.1, d_real_acc=0.70, d_fake_acc=0.72, adversarial=1.6, val_psnr=29.4),
              dict(d_loss=0.4, d_real_acc=0.93, d_fake_acc=0.95, adversarial=3.1, val_psnr=27.9),
              dict(d_loss=0.1, d_real_acc=0.99, d_fake_acc=0.99, adversarial=6.0, val_psnr=26.2),
              dict(d_loss=0.02, d_real_acc=1.00, d_fake_acc=1.00, adversarial=11.0, val_psnr=24.8)]
for w in gan.diagnose(collapsing):
    print("-", w)

# %% [markdown]
# And a loss that becomes NaN (too high a learning rate, say) stops training at once with the step and
# the term that failed; the last good checkpoint stays, so no garbage weights are ever saved.
#
# ## 6. The pretrained GAN against the PSNR model
#
# `edsr_gan` in the zoo was fine-tuned from `edsr` x4 on T91 + BSD200 only (its card has the command, the
# loss weights, the steps and the hardware). Zoom into the fur and the whiskers:

# %%
from srkit.widgets import compare

gan_model = zoo.load("edsr_gan", scale)
compare({"bicubic": outputs["bicubic"], "PSNR model": outputs["PSNR model"],
         "GAN": KerasUpscaler(gan_model)(baboon.lr, scale), "HR": baboon.hr},
        reference="HR", crop_border=scale, zoom_size=64)

# %% [markdown]
# ## 7. Network interpolation: walk the trade-off
#
# Because the GAN was fine-tuned from the PSNR model, their weights stay close, and blending them,
# $\theta_\alpha = (1-\alpha)\,\theta_{PSNR} + \alpha\,\theta_{GAN}$, gives a smooth family of models
# (ESRGAN). Move the slider: the blend's image and its PSNR / SSIM / texture distance update live.

# %%
from srkit.widgets import InterpolationState, InterpolationWidget

zebra = next(p for p in load_benchmark("Set14", scale) if p.name == "zebra")
state = InterpolationState(psnr_model, gan_model, zebra.lr, zebra.hr, scale, alpha=0.5)
InterpolationWidget(state)

# %% [markdown]
# ## 8. The perception-distortion plane
#
# Every method is a point: PSNR (distortion, better to the right) against texture distance (better
# down). Blau & Michaeli (2018) proved that the bottom-right corner is out of reach: past a point, any
# gain in one costs the other. Left: the methods on a benchmark (mean over images). Middle: the same methods
# with NIQE as the perception axis (no reference needed, lower = more natural: `srkit.quality.niqe`); the HR's
# own NIQE is the dotted line. Right: the zebra image, with the network-interpolation curve from the PSNR
# model ($\alpha = 0$) to the GAN ($\alpha = 1$).

# %%
import pandas as pd
from srkit.viz import perception_distortion_plot

sets = ["Set5"]
limit = pick(full=None, smoke=2)
methods = {"HR": "hr", "bicubic": "bicubic", "PSNR model": psnr_model, "GAN": gan_model}
table = gan.perception_distortion_table(methods, sets, scale, limit=limit)
curve = state.curve((0.0, 0.25, 0.5, 0.75, 1.0))
points = pd.DataFrame([{"method": k, **m} for k, m in state.compare.metrics.items() if m and k != "blend"])
fig, axes = plt.subplots(1, 3, figsize=(16, 3.8))
n_images = limit or len(load_benchmark(sets[0], scale))
perception_distortion_plot(table[table.dataset == sets[0]], ax=axes[0], title=f"{sets[0]} x4 (mean over {n_images} images)")
perception_distortion_plot(table[table.dataset == sets[0]], y="niqe", ax=axes[1], title=f"{sets[0]} x4, NIQE")
perception_distortion_plot(points, curve=curve, ax=axes[2], title="zebra x4: network interpolation")
fig.tight_layout()

# %% [markdown]
# The curve on zebra, as numbers (x4, PSNR on Y in dB, texture distance in dB):

# %%
# NBVAL_CHECK_OUTPUT
print(curve[["alpha", "psnr", "ssim", "texture"]].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
gan_point = curve[curve.alpha == 1.0].iloc[0]
better = curve[(curve.alpha < 1) & (curve.psnr > gan_point.psnr) & (curve.texture < gan_point.texture)]
print("blends better than the GAN (alpha 1) on both axes:", better.alpha.tolist() or "none")

# %% [markdown]
# Read the table. From $\alpha = 0$ to $0.75$ each step trades PSNR for texture, as the plane says it
# must. But on zebra the GAN itself ($\alpha = 1$) is *not* the end of that trade: the blend at
# $\alpha = 0.75$ has both a higher PSNR and a lower texture distance than the GAN. The
# texture distance counts too much high-frequency power as well as too little, and on this image the GAN
# adds more than the real stripes hold; blending it with the PSNR model tones it down. So the curve is
# the best trade-off *these two models* offer, not the boundary of what is possible, and the best
# $\alpha$ depends on the image. Averaged over whole benchmarks (the card's table below) the order is
# regular: PSNR falls and texture improves at every step from the PSNR model to the GAN.

# %% [markdown]
# The measured x4 table (from the GAN's card; `tools/build_zoo_chapters.py` made it with the same
# functions, on all images):

# %%
# NBVAL_CHECK_OUTPUT
import pandas as pd
card = zoo.card("edsr_gan", 4)
pdt = pd.DataFrame(card["perception_distortion"])
print(pdt.pivot_table(index="method", columns="dataset", values=["psnr", "texture"], sort=False)
      .to_string(float_format=lambda v: f"{v:.2f}"))
print("targets met (texture halfway to HR, PSNR drop <= 3 dB):", card["targets_met"])

# %% [markdown]
# ## Summary
#
# * A pixel loss predicts the average of the plausible answers: high PSNR, missing high frequencies.
#   The texture distance measures the missing power; it must always be read next to PSNR.
# * A GAN adds an adversarial term (standard or relativistic) and here feature matching on the
#   discriminator's features; every term is logged on its own, with the discriminator's accuracy.
# * Failures have signatures: a discriminator at ~100% with loss near 0, a climbing generator loss,
#   PSNR drifting away; `gan.diagnose` names them and NaNs stop the run.
# * Network interpolation walks the perception-distortion curve with no retraining.
#
# ## Exercises
#
# Write your answer in place of `None`, or the body of the function in place of `raise NotImplementedError`,
# then run the cell below it: `check` says whether the answer is right, or what differs and a hint. A
# function or model you write is run next to the kit's own on fresh random inputs.
# `solution("04.1")` prints a worked solution, where your copy of the course has them.

# %% nbgrader={"grade": false, "grade_id": "ex04_setup", "locked": true, "schema_version": 3, "solution": false}
from srkit.exercises import check, solution

# %% [markdown]
# **Exercise 04.1.** What is the relativistic discriminator loss when D outputs the logit 0 for every real and every fake
# image (D cannot tell them apart)?

# %% nbgrader={"grade": false, "grade_id": "ex04_1_answer", "locked": false, "schema_version": 3, "solution": true}
answer_1 = None

# %% nbgrader={"grade": true, "grade_id": "ex04_1", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("04.1", answer_1)

# %% [markdown]
# **Exercise 04.2.** How many dB of Set5 PSNR does the pretrained GAN (`edsr_gan` x4) give up against the PSNR generator it
# started from (`edsr` x4)? Use the zoo cards.

# %% nbgrader={"grade": false, "grade_id": "ex04_2_answer", "locked": false, "schema_version": 3, "solution": true}
answer_2 = None

# %% nbgrader={"grade": true, "grade_id": "ex04_2", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("04.2", answer_2)

# %% [markdown]
# **Exercise 04.3.** Write the relativistic average discriminator loss of section 3 in NumPy:
# `d_loss_ra(real_logits, fake_logits)` takes D's logits on a batch of real and of generated images (arrays
# of shape (n, 1)) and returns the loss as one float. The check compares it with
# `gan.adversarial_loss(real, fake, "relativistic")[0]` on random logits.

# %% nbgrader={"grade": false, "grade_id": "ex04_3_answer", "locked": false, "schema_version": 3, "solution": true}
def d_loss_ra(real_logits, fake_logits):
    """The relativistic average discriminator loss (a float)."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex04_3", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("04.3", d_loss_ra)

# %% [markdown]
# **Exercise 04.4.** Write network interpolation (section 7) on weight lists: `interpolate_weights(w_psnr, w_gan, alpha)`
# takes two lists of arrays (`model.get_weights()` of two models of the same architecture) and returns the list
# of blended arrays, the PSNR model's at `alpha = 0` and the GAN's at `alpha = 1`. The check compares it with
# the kit's blend of two models at several values of `alpha`.

# %% nbgrader={"grade": false, "grade_id": "ex04_4_answer", "locked": false, "schema_version": 3, "solution": true}
def interpolate_weights(w_psnr, w_gan, alpha):
    """The weights of the blended model, as a list of arrays."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex04_4", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("04.4", interpolate_weights)

# %% [markdown]
# **Think further.** Train with `GANConfig(adversarial="standard")` and then with a 10x larger
# `adversarial_weight`. Where do the two runs land on the perception-distortion plane, and what does
# `gan.diagnose` say about them?
