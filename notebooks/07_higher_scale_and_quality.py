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
# # 07 · Higher scale and higher quality: x8, quality without a reference, real-world inputs
#
# **Learning goals.** After this notebook you can
#
# 1. say why super-resolution gets harder as the scale factor grows, score a method at x8, and read the gain
#    over bicubic against the scale for every model of the zoo;
# 2. compare direct and progressive (LapSRN-style) upsampling at x8, and read a progressive network's
#    prediction at every stage;
# 3. recognise *hallucination*: detail a network invents that agrees with the LR image but not with the
#    truth, and detail that no network can bring back;
# 4. score an image with no reference at all (NIQE), know what it can and cannot tell, and say what learned
#    metrics (LPIPS, DISTS) add;
# 5. describe the second-order ("real-world") degradation, measure how a model trained on clean bicubic
#    inputs breaks on blurred, noisy and compressed ones, and what blind training buys back.
#
# Everything heavy was measured once and ships with the kit (the zoo's cards, `bench/blind_sr.json`, with
# the commands that made them); every cell here re-measures a small part of it live.

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
from srkit import zoo
from srkit.color import rgb_to_y
from srkit.data import load_benchmark
from srkit.degrade import bicubic_downsample, upscale
from srkit.env import pick
from srkit.metrics import psnr
from srkit.viz import image_grid

pd.set_option("display.width", 140)
two = lambda v: f"{v:.2f}"  # noqa: E731  (tables print two decimals, as papers do)
u8 = lambda a: np.clip(np.rint(a), 0, 255).astype(np.uint8)  # noqa: E731  (0-255 floats to an image)

# %% [markdown]
# ## 1. Higher scale: x8
#
# At x8 every LR pixel stands for an 8 x 8 block, 64 HR pixels: a 512 x 512 photo becomes 64 x 64. The
# benchmarks' x8 LR images are made exactly as the x2/x3/x4 ones (MATLAB's bicubic `imresize`, which the kit
# reproduces bit for bit), so bicubic at x8 must give the published row (Lai et al., 2017). Scored live:

# %%
# NBVAL_CHECK_OUTPUT
from srkit.evaluate import compare_with_published, evaluate

x8 = compare_with_published(evaluate("bicubic", ["Set5", "Set14", "BSD100"], 8))
print(x8[["dataset", "scale", "psnr", "published_psnr", "d_psnr"]].to_string(index=False, float_format=two))

# %% [markdown]
# Set14 is 0.01 dB off (23.09 measured, 23.10 published), the rounding of a mean; Set5 and BSD100 match.
# This is what the network has to work from at x4 and at x8 (LR shown with nearest-neighbour pixels):

# %%
# NBVAL_CHECK_OUTPUT
comic = {s: next(p for p in load_benchmark("Set14", s) if p.name == "comic") for s in (4, 8)}
for s, p in comic.items():
    print(f"comic x{s}: LR {p.lr.shape[1]} x {p.lr.shape[0]} pixels for an HR of {p.hr.shape[1]} x {p.hr.shape[0]} "
          f"({p.lr.shape[0] * p.lr.shape[1]:,} numbers to make {p.hr.shape[0] * p.hr.shape[1]:,})")

# %%
image_grid({"LR x8": upscale(comic[8].lr, 8, "nearest"), "LR x4": upscale(comic[4].lr, 4, "nearest"),
            "bicubic x8": upscale(comic[8].lr, 8), "HR": comic[8].hr}, zoom_box=(80, 40, 80), size=3.2);

# %% [markdown]
# ### Gain over bicubic against the scale
#
# Raw PSNR falls with the scale for every method, bicubic too, so the fair measure of what a network adds is
# its **gain over bicubic** on the same images, $G = \mathrm{PSNR}_{\text{model}} - \mathrm{PSNR}_{\text{bicubic}}$.
# `srkit.evaluate.gain_table()` reads every zoo model's scores from its card and measures bicubic live (seconds per
# benchmark); it also adds the published x8 results of Lai et al. (2017) (SRCNN, FSRCNN, VDSR and LapSRN
# retrained at x8), each against that paper's own bicubic:

# %%
datasets = pick(full=["Set5", "Set14", "BSD100"], smoke=["Set5"])
from srkit.evaluate import gain_table
gains = gain_table(datasets)

# %%
# NBVAL_CHECK_OUTPUT
set5 = gains[gains.dataset == "Set5"]
print("Set5: gain over bicubic (dB) by scale")
print(set5.pivot_table(index="model", columns="scale", values="gain_db", sort=False)
      .to_string(float_format=two, na_rep="-"))
flagship = set5[set5.model == "edsr"].sort_values("scale")
print("flagship (edsr) gain shrinks at every step of scale:", bool(np.all(np.diff(flagship.gain_db) < 0)))
ours = flagship[flagship.scale == 8].gain_db.iloc[0]
published = set5[set5.source == "published"].set_index("model").gain_db
print(f"edsr x8 (+{ours:.2f} dB) is above {', '.join(published[published < ours].index) or 'none'} "
      f"and below {', '.join(published[published >= ours].index) or 'none'} of the published x8 methods")

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
from srkit.viz import gain_plot

gain_plot(gains, "Set5", ax=axes[0])
gain_plot(gains, "Set5", y="psnr", ax=axes[1])
fig.tight_layout()

# %% [markdown]
# Read the chart every SR practitioner should have in mind:
#
# * **The gain shrinks as the scale grows.** The flagship adds most at x2 and least at x8. At x2 the LR keeps
#   most of the image and the network restores the edges bicubic blurs; at x8 most of the structure finer
#   than 8 pixels is simply not in the input, and what is gone cannot be computed back, only guessed.
# * **The flagship leads at every scale** it shares with the small models: depth and width help at x2 as at
#   x4. Among the small models the order has changed each time one of them was trained further (ESPCN led
#   FSRCNN at x2 and x4 until FSRCNN was trained 30 more minutes at each scale; after further runs of both,
#   FSRCNN leads the other small models on Set5 at all three scales, by 0.25 dB at x2, 0.28 dB at x3 and
#   0.14 dB at x4): a ranking is a statement about models *and* their training.
# * **The published x8 points** (open squares) show the field at x8 in 2017: LapSRN +1.75 dB on Set5, VDSR
#   +1.53 dB, SRCNN +0.93 dB. Where the kit's x8 flagship lands among them is printed above; it was trained
#   briefly, starting from the x4 weights (its card has the steps and the time).
#
# ### Direct vs progressive upsampling at x8
#
# Two ways to reach x8 with the same body (the flagship's 15 residual blocks, started from the x4 weights):
#
# * **direct** (`edsr` x8): the body works at LR size, then three x2 pixel-shuffle steps make the x8 image at
#   the very end; one loss, on the x8 output;
# * **progressive** (`edsr_progressive` x8, in the style of LapSRN): three x2 *stages*, each one upsamples the
#   features, predicts a residual and adds it to the bilinear x2 of the previous stage's image, so there is an
#   image at x2, x4 and x8. Each is trained against the HR averaged over 4 x 4, 2 x 2 and 1 x 1 blocks (deep
#   supervision): the coarse stages learn the coarse structure first.

# %%
# NBVAL_CHECK_OUTPUT
rows = []
for name in ("edsr", "edsr_progressive"):
    c = zoo.card(name, 8)
    rows.append({"model": name, "parameters": c["architecture"]["parameters"], "steps": c["training"]["steps"],
                 "minutes": c["training"]["train_time_s"] / 60,
                 **{ds: c["scores"][ds]["psnr"] for ds in ("Set5", "Set14", "BSD100")}})
direct_vs_progressive = pd.DataFrame(rows)
print("x8, PSNR (dB) from the cards")
print(direct_vs_progressive.to_string(index=False, float_format=lambda v: f"{v:.2f}" if v < 100 else f"{v:.0f}"))
d = direct_vs_progressive.set_index("model")
print("progressive minus direct (dB):", ", ".join(f"{ds} {d.loc['edsr_progressive', ds] - d.loc['edsr', ds]:+.2f}"
                                                  for ds in ("Set5", "Set14", "BSD100")))

# %% [markdown]
# With the same body, the same start, the same steps and the same batches, the two layouts land on the same
# scores (the differences round to 0.00 dB): on this budget, progressive upsampling buys no PSNR at x8. What
# it gives is an image at every stage for free: a coarse answer early (a slow device can stop there) and a
# view of what the network does at each step.
#
# The progressive model's intermediate images are ordinary layers (`prediction1`, `prediction2`, and the
# output `sr`), so a Keras model with three outputs shows every stage. One small image, live (the network
# works on the luma Y, scaled to [0, 1]); each stage is scored against the HR averaged over blocks of its
# size, the target it was trained towards:

# %%
# NBVAL_CHECK_OUTPUT
from srkit.train.supervised import box_downscale

butterfly = next(p for p in load_benchmark("Set5", 8) if p.name == "butterfly")
progressive = zoo.load("edsr_progressive", 8)
stages = keras.Model(progressive.input, [progressive.get_layer(n).output for n in ("prediction1", "prediction2", "sr")])
y_lr = rgb_to_y(butterfly.lr.astype(np.float32))[None, ..., None] / 255.0
predictions = [np.clip(np.asarray(p)[0] * 255, 0, 255) for p in stages.predict(y_lr, verbose=0)]
y_hr = rgb_to_y(butterfly.hr.astype(np.float32))[None, ..., None]
for k, pred in zip((2, 4, 8), predictions):
    target = box_downscale(y_hr, 8 // k)[0]
    err = np.mean((np.rint(pred) - target)[k:-k, k:-k] ** 2)
    against = f"the HR averaged over {8 // k}x{8 // k} blocks" if k < 8 else "the HR itself"
    print(f"stage x{k}: {pred.shape[1]} x {pred.shape[0]}, PSNR against {against}: {10 * np.log10(255 ** 2 / err):.2f} dB")

# %%
image_grid({"LR (x1)": u8(y_lr[0] * 255), "stage 1 (x2)": u8(predictions[0]), "stage 2 (x4)": u8(predictions[1]),
            "stage 3 (x8)": u8(predictions[2]), "HR (Y)": u8(y_hr[0])}, ncols=5, size=2.6);

# %% [markdown]
# Each stage is further from its target than the one before (printed above): the finer the target, the more
# of it the LR has lost.

# %% [markdown]
# ### Hallucination at x8
#
# Many HR images shrink to the same LR image. A network trained on a pixel loss returns something close to
# their average (notebook 04), and where the LR leaves a choice open it still has to draw *something*. Two
# cases to tell apart:
#
# * **Invented detail**: where the LR holds a trace of a familiar structure (an edge, a letter stroke, a
#   stripe), the network draws a sharp, plausible version of it, which may be the wrong one.
# * **Lost detail**: structure finer than the LR's pixel grid (here 8 HR pixels) leaves no trace, or
#   an *aliased* one, and no method can bring it back.
#
# A simple test shows which one happened: shrink the output back to x8 LR and compare it with the input.
# If it matches the input closely but not the HR, the network has drawn *an* image that explains the LR
# and is not the true one. Live, on two Set14 images: `ppt3` (text, screen graphics) and `baboon` (fur):

# %%
# NBVAL_CHECK_OUTPUT
direct = zoo.upscaler("edsr")
pairs8 = {p.name: p for p in load_benchmark("Set14", 8) if p.name in ("ppt3", "baboon")}
outputs8, scores8 = {}, []
for name, p in pairs8.items():
    outputs8[name] = {"bicubic": upscale(p.lr, 8), "edsr x8": direct(p.lr, 8)}
    for method, out in outputs8[name].items():
        scores8.append({"image": name, "method": method, "PSNR vs HR": psnr(out, p.hr, 8),
                        "x8 downscale vs LR": psnr(bicubic_downsample(out, 8), p.lr, 1)})
scores8 = pd.DataFrame(scores8)
print(scores8.to_string(index=False, float_format=two))
gain = scores8.pivot(index="image", columns="method")
closer_lr = gain["x8 downscale vs LR"]["edsr x8"] - gain["x8 downscale vs LR"]["bicubic"]
closer_hr = gain["PSNR vs HR"]["edsr x8"] - gain["PSNR vs HR"]["bicubic"]
for name in gain.index:
    print(f"{name}: edsr x8 is {closer_lr[name]:.1f} dB closer to the LR than bicubic, {closer_hr[name]:.2f} dB closer to the HR")

# %% [markdown]
# Re-shrunk, the network's outputs reproduce their input far better than bicubic's do (more than 10 dB
# closer): they explain the LR almost exactly. Yet against the HR they gain only a small fraction of that
# (about a tenth at most). Both statements hold at once because
# many different HR images explain the same LR; the network has drawn one of them, and consistency with the
# input does not make it the true one. Zoom in, with the error against the HR (brighter = larger error,
# luma Y, multiplied by 4):


# %%
def crops(name, box):
    """HR, bicubic, edsr x8 and |edsr - HR| (Y) in the square ``box = (x, y, side)`` of a Set14 x8 image."""
    x, y, s = box
    p, out = pairs8[name], outputs8[name]
    err = np.abs(rgb_to_y(out["edsr x8"].astype(np.float32)) - rgb_to_y(p.hr.astype(np.float32)))
    cut = lambda im: im[y:y + s, x:x + s]  # noqa: E731
    return {f"{name}: HR": cut(p.hr), "bicubic": cut(out["bicubic"]), "edsr x8": cut(out["edsr x8"]),
            "|edsr - HR| x 4": u8(cut(err) * 4)}


image_grid({**crops("ppt3", (40, 40, 160))}, size=3.0)
image_grid({**crops("baboon", (300, 20, 160))}, size=3.0);

# %% [markdown]
# In the text, a letter stroke a few HR pixels wide is one LR pixel or less. The network sharpens the outline
# of every word, but inside it the letters run together or change shape (the openings of the small letters
# fill in), and the error map traces every stroke. In the fur, the single hairs are finer than the 8-pixel grid and
# leave no trace in the LR: the network paints streaks that do not follow the real hairs, and the error is
# bright over all the fur and dark only on the smooth skin. A network trained on a pixel loss hedges (it
# blurs where it is unsure); a GAN (notebook 04) commits to sharp hairs and letters, and they are just as
# invented. This is why an x8 result must never be read as evidence of what a scene held (a licence plate,
# a face, the text in a surveillance frame).
#
# ## 2. Quality without a reference
#
# PSNR and SSIM need the true HR. For your own photos there is none. **NIQE** (Mittal et al., 2013;
# `srkit.quality.niqe`) measures instead how far an image's local statistics (normalised contrasts and the
# products of neighbours, on 96 x 96 patches) are from those of sharp, undistorted photos: lower = more
# natural. The kit fitted its "pristine" model on its own training photos (notebook 09 shows the steps), so
# its values rank images as the paper's do, though not with the same numbers. First, HR images and
# distorted versions of them, live:

# %%
# NBVAL_CHECK_OUTPUT
from srkit.degrade import add_gaussian_noise, gaussian_blur, jpeg_compress
from srkit.quality import niqe

set14 = {p.name: p for p in load_benchmark("Set14", 4)}
names = ["baboon", "comic", "zebra"]
distortions = {"HR": lambda im: im, "blur 2": lambda im: gaussian_blur(im, 2.0),
               "noise 15": lambda im: add_gaussian_noise(im, 15, 0), "JPEG 20": lambda im: jpeg_compress(im, 20)}
niqe_hr = pd.DataFrame({k: [niqe(f(set14[n].hr)) for n in names] for k, f in distortions.items()}, index=names)
print("NIQE (lower = more natural), whole images")
print(niqe_hr.to_string(float_format=two))

# %% [markdown]
# On these three images every distortion raises NIQE well above the HR's score, blur the most. Note that
# the HR images themselves differ (the fur of `baboon` scores higher than the flat colours of `comic`):
# compare NIQE between versions of the *same* scene, not across scenes. Now the outputs of SR methods at
# x4 (4 pixels shaved at every border, as for PSNR):

# %%
# NBVAL_CHECK_OUTPUT
edsr4, gan4 = zoo.upscaler("edsr"), zoo.upscaler("edsr_gan")
gan_out = {n: gan4(set14[n].lr, 4) for n in names}
sr_methods = {"HR": lambda n: set14[n].hr, "bicubic": lambda n: upscale(set14[n].lr, 4),
              "edsr (PSNR)": lambda n: edsr4(set14[n].lr, 4), "edsr_gan (GAN)": lambda n: gan_out[n],
              "GAN + blur 0.7": lambda n: gaussian_blur(gan_out[n], 0.7)}
niqe_sr = pd.DataFrame({k: [niqe(f(n), crop_border=4) for n in names] for k, f in sr_methods.items()}, index=names)
niqe_sr.loc["mean"] = niqe_sr.mean()
print("x4, NIQE (lower = more natural)")
print(niqe_sr.to_string(float_format=two))
methods_only = niqe_sr.loc["mean", ["bicubic", "edsr (PSNR)", "edsr_gan (GAN)"]]
print("of the three methods, lowest mean NIQE:", methods_only.idxmin(), "| highest:", methods_only.idxmax())
print("edsr below bicubic on every image:", bool((niqe_sr["edsr (PSNR)"] < niqe_sr["bicubic"]).all()),
      "| blurring the GAN output lowers its NIQE on every image:",
      bool((niqe_sr["GAN + blur 0.7"] < niqe_sr["edsr_gan (GAN)"]).all()))

# %% [markdown]
# Read it carefully. NIQE ranks both networks above bicubic, and the GAN as the most natural of the three by a
# wide margin on `baboon` and `zebra`: the fine detail it paints has local statistics close to those of real
# photos. Its texture distance, in the table below, is the lowest too. This is the perception side of the
# trade-off: the GAN's PSNR is the lower one (notebook 04). NIQE is not a detail meter, though. Blurring the
# GAN output slightly (sigma 0.7) makes it less natural on `baboon` and `zebra` but *more* natural on `comic`,
# where the added texture lies on flat painted colours (the last line printed). An earlier GAN of the kit,
# trained the same way from older weights, added a fine periodic grid, and NIQE rated it the least natural of
# all: the measure penalises artefacts even where they add detail. Read several measures, and look at the
# images. Placed on the perception-distortion plane (PSNR needs the HR; NIQE
# does not), with the HR's own NIQE as the dotted line:

# %%
from srkit import gan
from srkit.viz import perception_distortion_plot

pd_limit = pick(full=None, smoke=1)
pd_table = gan.perception_distortion_table({"HR": "hr", "bicubic": "bicubic", "edsr (PSNR)": zoo.load("edsr", 4),
                                            "edsr_gan (GAN)": zoo.load("edsr_gan", 4)}, "Set5", 4, limit=pd_limit)
ax = perception_distortion_plot(pd_table, y="niqe", title=f"Set5 x4 ({pd_limit or 5} images): NIQE against PSNR")
print(pd_table[["method", "psnr", "ssim", "texture", "niqe"]].to_string(index=False, float_format=two))

# %% [markdown]
# **What NIQE cannot do.** It knows nothing of the scene: a sharp image of the *wrong* content (section 1's
# invented letters) can score as well as the truth, and added noise with natural statistics can fool it.
# It is computed from grey levels on 96 x 96 patches, so it needs images of at least that size. Use it to
# compare versions of the same photo, next to PSNR when an HR exists, and never alone.
#
# **Learned metrics.** *LPIPS* (Zhang et al., 2018) compares two images through the features of a network
# trained on ImageNet (AlexNet or VGG), with per-channel weights fitted to thousands of human judgments of
# which of two distorted patches looks closer to a reference; *DISTS* (Ding et al., 2020) combines structure
# and texture similarity of VGG features and tolerates resampled texture. Both need a reference (they are
# full-reference, like PSNR), and both agree with human ratings of SR outputs far better than PSNR or SSIM,
# which is why SR papers since 2018 report LPIPS next to PSNR. The kit does not ship them: they need the
# pretrained backbone's weights and the fitted calibration (tens to hundreds of MB, published under the
# backbones' own terms) and the kit never downloads anything. Its offline stand-ins are the texture distance
# (notebook 04, full-reference, from the power spectrum) and NIQE (no reference). With the weights on disk,
# any LPIPS implementation can be passed to the kit's scoring as a metric function.
#
# ## 3. Real-world degradations and blind SR
#
# The benchmarks' LR images are the HR shrunk by bicubic: clean, sharp, noise-free, the one degradation every
# model here was trained on. Real photos are made by a lens (blur), a sensor (noise), resizing, and JPEG,
# often more than once (a photo shared, saved, re-uploaded). Real-ESRGAN (Wang et al., 2021) trains on a
# **second-order** degradation: two rounds of blur, random resize, noise and JPEG, then a final resize to
# the LR size and one more JPEG, each setting drawn at random for every training patch.
# `srkit.degrade.SecondOrderDegradation(scale)` implements it (seeded). Here is one draw of its first
# round, written out with the kit's building blocks so that every step can be seen:

# %%
# NBVAL_CHECK_OUTPUT
from srkit.degrade import SecondOrderDegradation, blur_kernel, imresize
from scipy.ndimage import correlate

rng = np.random.default_rng(7)
hr = set14["lenna"].hr
kernel = blur_kernel(21, sigma_x=rng.uniform(0.2, 3.0), sigma_y=rng.uniform(0.2, 3.0), angle=rng.uniform(-np.pi, np.pi))
steps = {"HR": hr}
steps["1. blur"] = np.stack([correlate(hr[..., c].astype(float), kernel, mode="nearest") for c in range(3)], -1)
factor = rng.uniform(0.3, 1.0)
steps[f"2. resize x{factor:.2f}"] = imresize(steps["1. blur"], factor)
steps["3. noise"] = add_gaussian_noise(np.clip(np.rint(steps[f"2. resize x{factor:.2f}"]), 0, 255).astype(np.uint8),
                                       rng.uniform(1, 30), rng)
quality = int(rng.integers(30, 96))
steps[f"4. JPEG q{quality}"] = jpeg_compress(steps["3. noise"], quality)
for name, im in steps.items():
    print(f"{name:16s} {im.shape[1]} x {im.shape[0]}")

# %%
image_grid({k: u8(v) for k, v in steps.items()}, zoom_box=(250, 250, 96), ncols=5, size=2.6)
fig, ax = plt.subplots(figsize=(2.4, 2.4))
ax.imshow(kernel, cmap="magma"); ax.set_title("the blur kernel (21 x 21)", fontsize=9); ax.axis("off");

# %% [markdown]
# The second round does it again, milder, on the already degraded image, then the final resize and JPEG.
# The real pipeline is one call; every seed gives another mix of settings (here four x4 LR images of the
# same HR, shown at the HR size):

# %%
degrade4 = SecondOrderDegradation(4)
image_grid({f"seed {s}": upscale(degrade4(hr, s), 4, "nearest") for s in range(4)} | {"clean bicubic LR":
           upscale(set14["lenna"].lr, 4, "nearest")}, zoom_box=(250, 250, 96), ncols=5, size=2.6);

# %% [markdown]
# ### How a bicubic-trained model copes, and what blind training buys
#
# `edsr_blind` in the zoo is the flagship x4 fine-tuned from the bicubic-trained `edsr` on randomly degraded
# inputs (`srkit train --degradation NAME`: `'realistic'` is the second-order pipeline above, `'mixed'` the
# classical one-round set-up of blur, noise and JPEG; its card says which, printed below). A "blind" model
# never learns one degradation: it must handle whatever the input went through. `bench/blind_sr.py` scored
# bicubic, `edsr` ("BI": trained on bicubic inputs) and `edsr_blind` on Set14 x4 with LR made under
# several conditions: Gaussian blur on the HR before the bicubic shrink, Gaussian noise on the LR (grey
# levels), JPEG, and a mix, every method on the very same seeded inputs:

# %%
# NBVAL_CHECK_OUTPUT
blind = json.loads(Path("../bench/blind_sr.json").read_text())
blind_card = zoo.card("edsr_blind", 4)["training"]
print(f"edsr_blind: fine-tuned on the degradation {blind_card['config']['degradation']!r}, "
      f"{blind_card['steps']} steps, {blind_card['train_time_s'] / 60:.0f} minutes")
print("measured with:", blind["command"])
print(f"{blind['dataset']} x{blind['scale']}, {blind['rows'][0]['images']} images, {blind['wall_time_s'] / 60:.0f} min")
robust = pd.DataFrame(blind["rows"])
conditions = list(blind["conditions"])
psnr_table = robust.pivot(index="condition", columns="method", values="psnr").loc[conditions]
psnr_table["edsr gain"] = psnr_table["edsr"] - psnr_table["bicubic"]
psnr_table["edsr_blind gain"] = psnr_table["edsr_blind"] - psnr_table["bicubic"]
print(psnr_table[["bicubic", "edsr", "edsr_blind", "edsr gain", "edsr_blind gain"]].to_string(float_format=two))

# %%
fig, ax = plt.subplots(figsize=(11, 3.6))
gains_by_condition = psnr_table[["edsr gain", "edsr_blind gain"]]
gains_by_condition.plot.bar(ax=ax, rot=30)
ax.axhline(0, color="k", lw=0.8)
ax.set_ylabel("gain over bicubic (dB)")
ax.set_title(f"{blind['dataset']} x{blind['scale']}: what each model adds to bicubic, by input condition")
for label in ax.get_xticklabels():
    label.set_ha("right")
fig.tight_layout()

# %%
# NBVAL_CHECK_OUTPUT
clean, noisy = psnr_table.loc["clean"], psnr_table.loc["noise 25"]
print(f"clean inputs: edsr_blind {clean['edsr_blind'] - clean['edsr']:+.2f} dB against edsr")
print(f"noise 25:     edsr_blind {noisy['edsr_blind'] - noisy['edsr']:+.2f} dB against edsr")
worse = [c for c in conditions if psnr_table.loc[c, "edsr gain"] < 0]
print("conditions where edsr scores below bicubic:", worse or "none")
better = [c for c in conditions if psnr_table.loc[c, "edsr_blind"] > psnr_table.loc[c, "edsr"]]
print(f"conditions where edsr_blind beats edsr: {better or 'none'}")
above = [c for c in conditions if psnr_table.loc[c, "edsr_blind gain"] > 0]
print(f"conditions where edsr_blind beats bicubic: {above or 'none'}")

# %% [markdown]
# Read the two gain columns (the chart above shows them) and the lines just printed:
#
# * **The BI model is excellent on what it was trained for and fragile beyond it.** It beats bicubic by
#   more than 1.5 dB on clean inputs and keeps a gain under blur and light noise, but strong noise pushes it
#   below bicubic: it sharpens the noise as if it were detail. Under JPEG its gain shrinks as the quality drops.
# * **The blind model trades.** Where it beats the BI model is printed above; what it pays is its loss on
#   clean inputs, the first line. It was fine-tuned for the time printed at the top, on a CPU; Real-ESRGAN
#   trains for days on GPUs, with a GAN loss that puts texture back.
#
# Which model to ship depends on the inputs you expect: benchmark images, or photos from the world.
#
# A few of these numbers, live: the same function (`srkit.evaluate.robustness`) on two of the conditions
# (in smoke mode: one image and one condition, so the numbers differ from the table):

# %%
from srkit.evaluate import robustness

live_conditions = pick(full=["clean", "noise 25"], smoke=["noise 25"])
live = robustness(["bicubic", "edsr", "edsr_blind"], blind["dataset"], blind["scale"], conditions=live_conditions,
                  limit=pick(full=None, smoke=1))
live = live.merge(robust[["method", "condition", "psnr"]], on=["method", "condition"], suffixes=("", "_shipped"))
print(live[["condition", "method", "images", "psnr", "psnr_shipped"]].to_string(index=False, float_format=two))
if not smoke_mode():
    print("largest difference from the shipped table:", f"{(live.psnr - live.psnr_shipped).abs().max():.4f} dB")

# %% [markdown]
# ### A degraded photo, no HR
#
# Last, the situation of a real photo: an LR image from the second-order pipeline (we pretend we do not have
# its HR) upscaled by bicubic, the BI model and the blind model. Without a reference the comparison widget
# captions every image with its NIQE. Zoom into the face, the feather and the hat:

# %%
from srkit.widgets import compare

photo = SecondOrderDegradation(4)(set14["man"].hr, 11)
photo_outputs = {"bicubic": upscale(photo, 4), "edsr (BI)": zoo.upscaler("edsr")(photo, 4),
                 "edsr_blind": zoo.upscaler("edsr_blind")(photo, 4)}
compare(photo_outputs, crop_border=4, zoom_size=96)

# %% [markdown]
# Look at the noise and the JPEG blocks in the dark hair and the coat: the BI model sharpens them into false
# texture. Here we do have the HR, so NIQE's verdict can be checked against PSNR:

# %%
# NBVAL_CHECK_OUTPUT
photo_scores = pd.DataFrame({label: {"NIQE": niqe(out, crop_border=4), "PSNR vs HR": psnr(out, set14["man"].hr, 4)}
                             for label, out in photo_outputs.items()}).T
print(photo_scores.to_string(float_format=two))
print("lowest NIQE:", photo_scores.NIQE.idxmin(), "| highest PSNR:", photo_scores["PSNR vs HR"].idxmax(),
      f"| PSNR spread {photo_scores['PSNR vs HR'].max() - photo_scores['PSNR vs HR'].min():.2f} dB")

# %% [markdown]
# Compare the two rankings printed above: NIQE judges how natural the textures look, PSNR how close the
# pixels are to a truth a real photo does not come with. Neither says which output a viewer would choose, or
# which one is faithful to the scene where it matters: for real photos, look, and measure the models on
# images whose HR you have, degraded the same way (the table above).

# %% [markdown]
# ## Summary
#
# * At x8 the LR keeps one number for every 64 HR pixels. Bicubic x8 reproduces the published row; every
#   model's gain over bicubic shrinks as the scale grows, and `srkit.evaluate.gain_table()` / `viz.gain_plot()` show it
#   for the whole zoo next to the published x8 methods.
# * Direct and progressive upsampling with the same body and training are compared on their cards; the
#   progressive model has an image at every stage, each trained towards the HR averaged over blocks.
# * At high scale a network draws *an* image that explains the LR, not necessarily the true one: invented
#   letters and textures, and detail lost for good. Re-shrinking the output shows the difference.
# * NIQE scores an image with no reference (lower = more natural): it ranks blur, noise and JPEG, but it
#   measures how natural the local statistics look, not how much detail there is or whether it is true (it
#   rates the kit's GAN below bicubic). Learned metrics (LPIPS, DISTS) need a reference and pretrained
#   weights the kit does not ship.
# * Real inputs are blurred, noisy and compressed, more than once. A model trained on bicubic LR breaks on
#   strong noise; a blind model, fine-tuned on random degradations, buys robustness with some PSNR on
#   clean inputs: robustness is a trade.
#
# ## Exercises
#
# Write your answer in place of `None`, or the body of the function in place of `raise NotImplementedError`,
# then run the cell below it: `check` says whether the answer is right, or what differs and a hint. A
# function you write is run next to the kit's own on fresh random inputs.
# `solution("07.1")` prints a worked solution, where your copy of the course has them.

# %% nbgrader={"grade": false, "grade_id": "ex07_setup", "locked": true, "schema_version": 3, "solution": false}
from srkit.exercises import check, solution

# %% [markdown]
# **Exercise 07.1.** Write the target of a progressive network's intermediate stages (section 1):
# `box_target(hr, f)` takes a batch of HR patches, a float array of shape (B, H, W, C) with H and W multiples
# of `f`, and returns it averaged over non-overlapping `f x f` blocks, shape (B, H / f, W / f, C) and the same
# dtype. The check compares it with the kit's `box_downscale` on random batches.

# %% nbgrader={"grade": false, "grade_id": "ex07_1_answer", "locked": false, "schema_version": 3, "solution": true}
def box_target(hr, f):
    """The HR batch averaged over f x f blocks."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex07_1", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("07.1", box_target)

# %% [markdown]
# **Exercise 07.2.** Write the anisotropic Gaussian blur kernel of the second-order degradation:
# `aniso_kernel(size, sigma_x, sigma_y, angle)` returns a `size x size` array (odd `size`), summing to 1, of
# $\exp(-\tfrac12\, p^\top \Sigma^{-1} p)$ with $\Sigma = R\,\mathrm{diag}(\sigma_x^2, \sigma_y^2)\,R^\top$ and
# $R$ the rotation by `angle` (radians, counter-clockwise), where $p = (x, y)$ is the offset from the centre
# with $x$ to the right and $y$ **up** (so the kernel's row $i$ is $y = $ `size // 2 - i`). The check compares
# it with `srkit.degrade.blur_kernel` for several sizes, sigmas and angles.

# %% nbgrader={"grade": false, "grade_id": "ex07_2_answer", "locked": false, "schema_version": 3, "solution": true}
def aniso_kernel(size, sigma_x, sigma_y, angle):
    """A normalised, rotated anisotropic Gaussian kernel."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex07_2", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("07.2", aniso_kernel)

# %% [markdown]
# **Exercise 07.3.** How many dB does the zoo's direct x8 flagship (`edsr` x8) add to bicubic on Set14? Use its
# card and bicubic measured with the paper protocol (or section 1's gain table).

# %% nbgrader={"grade": false, "grade_id": "ex07_3_answer", "locked": false, "schema_version": 3, "solution": true}
answer_3 = None

# %% nbgrader={"grade": true, "grade_id": "ex07_3", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("07.3", answer_3)

# %% [markdown]
# **Exercise 07.4.** Of bicubic, `edsr` and `edsr_gan` at x4, which has the lowest mean NIQE on the Set14
# images `baboon`, `comic` and `zebra` (4 pixels shaved at every border)? Answer with its zoo name, or
# `"bicubic"`.

# %% nbgrader={"grade": false, "grade_id": "ex07_4_answer", "locked": false, "schema_version": 3, "solution": true}
answer_4 = None

# %% nbgrader={"grade": true, "grade_id": "ex07_4", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("07.4", answer_4)

# %% [markdown]
# **Exercise 07.5.** In the shipped robustness table (`bench/blind_sr.json`), how many dB of PSNR does the
# bicubic-trained `edsr` lose against `edsr_blind` at "noise 25"? (A positive number: blind minus BI.)

# %% nbgrader={"grade": false, "grade_id": "ex07_5_answer", "locked": false, "schema_version": 3, "solution": true}
answer_5 = None

# %% nbgrader={"grade": true, "grade_id": "ex07_5", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("07.5", answer_5)

# %% [markdown]
# **Think further.** Train `edsr_progressive` x8 with `supervision=0` (a loss on the x8 output only) and compare
# its stage images with those above.
# And score `edsr_blind` on the clean benchmarks at x4 (`srkit evaluate`):
# how much does robustness cost where the inputs are clean?
