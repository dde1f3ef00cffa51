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
# # 09 · The lab: your own images, every model, your own eyes
#
# **Learning goals.** After this notebook you can
#
# 1. super-resolve an image of your own (an upload, a file, a folder, or a bundled image) with every model
#    of the kit and compare the results side by side, zoomed and swiped, with their numbers and timings;
# 2. say when PSNR and SSIM can be measured (you degraded a sharp image yourself, so it is the reference) and
#    when they cannot (a photo that *is* low-resolution), and use a no-reference measure then;
# 3. explain how NIQE judges an image with no reference (MSCN coefficients, 36 features, a Gaussian model of
#    sharp natural patches) and what its numbers do and do not mean;
# 4. export results and process whole folders without overwriting anything;
# 5. test your own eyes in a blind A/B test and see how often they agree with PSNR, SSIM and NIQE: the
#    perception-distortion trade-off of notebook 04, measured on you.
#
# Everything here runs on a laptop CPU; nothing is downloaded.

# %%
# Inline figures, the kit, and one set-up line (start() loads TensorFlow quietly and says what it found).
import tempfile
from pathlib import Path
# %matplotlib inline
import numpy as np
import matplotlib.pyplot as plt
from srkit.env import pick, start
setup = start()

# The lab writes its exports and votes here; point WORK at a folder of your own to keep them.
WORK = Path(tempfile.mkdtemp(prefix="srkit-lab-"))

# %% [markdown]
# ## The lab in one widget
#
# 1. **Bring an image**: upload one (any format Pillow reads), type the path of a file, or pick a bundled image.
# 2. **Say what it is.** *Degrade it first* when the image is sharp: the lab makes the low-resolution (LR)
#    input from it (MATLAB bicubic, optionally with blur before, noise and JPEG after, as in notebook 01),
#    so the image itself is the ground truth and PSNR/SSIM are measured. *Already low-resolution* when it is
#    a small photo you want enlarged: then there is no ground truth, and only a no-reference measure (NIQE,
#    below) and your eyes can judge.
# 3. **Choose** the scale and any models and interpolations (Ctrl/Shift-click for several), press **run**:
#    a progress bar, then a table (PSNR, SSIM, NIQE, seconds per model) and the comparison widget of notebook 00
#    (click the overview to move the shared zoom, swipe between two results).
# 4. **Export** the outputs as PNG and the table as CSV; with a folder in *path*, **process the folder**;
#    **start the A/B test** to judge two anonymised outputs at a time.
#
# A corrupt file, a 1-pixel image or an export that would replace a file is answered by a message in the
# widget; nothing you bring is ever written over.

# %%
from srkit.lab import LabWidget

lab_widget = LabWidget(votes=WORK / "votes.csv", out=WORK / "results")
lab_widget

# %% [markdown]
# ## The same in code
#
# The widget only draws a `LabState`, plain Python that you can drive yourself, which makes every number
# below reproducible. We take Set14's zebra, let the lab degrade it by bicubic x4, and run every method the
# kit has for x4 (smoke mode runs three).

# %%
from srkit.lab import LabState, available_methods

lab = LabState()
lab.load_bundled("Set14/zebra")
lab.configure(scale=4, mode="degrade")
methods = pick(full=available_methods(4), smoke=["bicubic", "espcn", "edsr_gan"])
print("methods:", ", ".join(methods))
table = lab.run(methods, progress=lambda done, total, what: print(f"[{done}/{total}] {what}"))
table.round({"psnr": 2, "ssim": 4, "niqe": 2, "seconds": 3})

# %% [markdown]
# Each row is one method: PSNR and SSIM against the reference (paper protocol: Y channel, 4 pixels shaved),
# NIQE (lower is more natural; the reference has one too) and the seconds the upscaling took (after a
# warm-up run, so loading and compiling the network are not counted). The comparison widget shows the
# same images; the figure below puts a zoomed inset on each.

# %%
from srkit.viz import image_grid
from srkit.widgets import CompareWidget

comparison = CompareWidget(lab.comparison(zoom_size=64))
comparison

# %%
cs = comparison.state
shown = [m for m in ("bicubic", "edsr", "edsr_gan", "espcn") if m in cs.labels][:3] + ["HR"]
image_grid({m: cs.images[m] for m in shown}, zoom_box=cs.zoom.as_tuple(),
           captions={m: cs.metric_text(m) for m in shown}, size=3.2);

# %% [markdown]
# ## When there is no reference
#
# A photo that is already small has no ground truth: PSNR and SSIM cannot be computed, and the table
# leaves them empty. Here the LR file of Set14's comic is treated as such a photo (we pretend not to know
# its HR).

# %%
from srkit.data import data_dir

photo = LabState()
photo.load_path(data_dir() / "benchmark" / "Set14" / "LR_bicubic" / "X4" / "comic.png")
photo.configure(scale=4, mode="lr")
photo.run(pick(full=["nearest", "bicubic", "fsrcnn", "edsr", "edsr_gan"], smoke=["nearest", "bicubic"])).round(3)

# %% [markdown]
# ## How NIQE judges an image without a reference
#
# NIQE (Mittal, Soundararajan and Bovik, 2013) rests on one observation: in sharp natural photos, the
# **MSCN coefficients**
#
# $$ \hat I(i,j) = \frac{I(i,j) - \mu(i,j)}{\sigma(i,j) + 1}, $$
#
# each pixel minus its local mean $\mu$, divided by its local contrast $\sigma$ (both under a 7x7 Gaussian
# window), have an almost Gaussian histogram. Blur makes it peakier, noise wider, JPEG blockier. NIQE
# describes each 96x96 patch by **36 numbers**: at the image's scale and at half of it, the shape and
# variance of a generalised Gaussian fitted to the MSCN coefficients, and for each of four neighbour directions
# the shape, mean and left and right variance of an asymmetric generalised Gaussian fitted to the products of
# neighbouring coefficients. A **pristine model**, the mean $\nu_1$ and covariance $\Sigma_1$ of these features
# over the sharp patches of undistorted photos, is fitted once; an image's patches give $\nu_2, \Sigma_2$, and
#
# $$ \mathrm{NIQE} = \sqrt{(\nu_1 - \nu_2)^\top \left(\tfrac{\Sigma_1 + \Sigma_2}{2}\right)^{-1} (\nu_1 - \nu_2)}. $$
#
# Lower means closer to sharp photos. The histograms below show what blur and noise do to the coefficients.

# %%
from srkit.color import rgb_to_y
from srkit.degrade import add_gaussian_noise, gaussian_blur, jpeg_compress
from srkit.quality import mscn

hr = lab.hr
versions = {"HR": hr, "blur σ=2": gaussian_blur(hr, 2.0), "noise σ=15": add_gaussian_noise(hr, 15, 0)}
fig, ax = plt.subplots(figsize=(6, 3))
for name, im in versions.items():
    coeffs, _ = mscn(rgb_to_y(im.astype(float)))
    ax.hist(coeffs.ravel(), bins=np.linspace(-3, 3, 121), histtype="step", density=True, label=name)
ax.set_xlabel("MSCN coefficient")
ax.set_ylabel("density")
ax.legend();

# %% [markdown]
# **The kit's pristine model.** The paper fitted its pristine model on 125 photos of its own. The kit fits
# its own on the training photos it ships (T91 and BSD200 without the validation images), with the paper's
# recipe: 96x96 patches, and of each photo only the patches at least 0.75 as sharp as its sharpest (sharpness
# is a patch's mean $\sigma$). `python tools/fit_niqe.py` remakes it in about 20 seconds. Because the
# pristine photos differ, **the kit's NIQE values are not the published ones**: they rank images the same
# way, but compare only numbers measured with the same model.

# %%
from srkit.quality import pristine_model

info = pristine_model().info
print(f"fitted by `{info['command']}` on {info['images']} images of {' + '.join(info['data'])}: "
      f"{info['patches']} sharp patches of {info['patch_size']}x{info['patch_size']}")

# %% [markdown]
# Does it work? NIQE should grow as an image is damaged more. The kit's tests check this on four Set14
# images; here is the zebra.

# %%
# NBVAL_CHECK_OUTPUT
from srkit.quality import niqe

damages = {"blur σ": (gaussian_blur, (1.0, 2.0, 3.0)),
           "noise σ": (lambda im, v: add_gaussian_noise(im, v, 0), (5, 15, 30)),
           "JPEG quality": (jpeg_compress, (50, 20, 5))}
print(f"zebra HR: NIQE {niqe(hr):.2f}")
for name, (damage, levels) in damages.items():
    scores = [niqe(damage(hr, v)) for v in levels]
    print(f"{name:13s}", "  ".join(f"{v:>3}: {s:5.2f}" for v, s in zip(levels, scores)),
          " increasing" if all(a < b for a, b in zip(scores, scores[1:])) else " NOT increasing")

# %% [markdown]
# NIQE is a model of *natural statistics*, not of taste. Look back at the zebra table: the PSNR-trained
# networks usually get a lower (better) NIQE than bicubic, because they restore edges. The GAN of notebook 04
# often gets a *higher* one: its invented texture is sharp, but its statistics are not those of a photo (it
# was fine-tuned for minutes, and its artefacts look like noise to NIQE, which punishes noise hard). Whether
# *you* prefer it is the question of the A/B test below.
#
# ## Large images
#
# Networks run tile by tile (`srkit.lab.LAB_TILE` = 256 LR pixels, with 40 pixels of context each side, so the
# result is the untiled one up to float rounding) and memory stays bounded. The zebra repeated 3 x 3 times
# makes the point (once in smoke mode):

# %%
import time

from srkit.lab import LAB_TILE, Source

big = LabState()
reps = pick(full=3, smoke=1)
big.source = Source("big_zebra", np.tile(lab.source.image, (reps, reps, 1)))
big.configure(scale=2, mode="lr")
t0 = time.perf_counter()
big_table = big.run(["bicubic", "espcn"])
h, w = big.lr.shape[:2]
print(f"input {w}x{h} ({w * h / 1e6:.1f} MP) -> {2 * w}x{2 * h} ({4 * w * h / 1e6:.1f} MP), tiles of {LAB_TILE} LR px; "
      f"{time.perf_counter() - t0:.1f} s in all (upscaling and NIQE)")
big_table.round(3)

# %% [markdown]
# ## Export, and whole folders
#
# `export` writes each output as PNG and the table as CSV, each under a temporary name renamed into place
# (a crash never leaves half a file). It refuses to replace existing files unless you say `overwrite=True`,
# and it never writes over the image you brought.

# %%
for path in lab.export(WORK / "results"):
    print(path.name)
try:
    lab.export(WORK / "results")
except FileExistsError as err:
    print("second export:", str(err)[:90], "...")

# %% [markdown]
# `process_folder` runs the lab on every image of a folder, with a progress report, and returns one row per
# image and method plus a summary (means over the images). An image that cannot be read is listed with the
# reason instead of stopping the run. Here: Set5 at x3, degraded first.

# %%
from srkit.lab import process_folder

rows, summary = process_folder(data_dir() / "benchmark" / "Set5" / "HR", ["bicubic", "fsrcnn", "edsr"], scale=3,
                               limit=pick(full=None, smoke=2), out=WORK / "set5",
                               progress=lambda done, total, what: print(f"[{done}/{total}] {what}"))
summary.round(3)

# %% [markdown]
# ## Test your own eyes: a blind A/B test
#
# Which output *looks* better? Below are two crops of the same place, from two methods whose names are hidden,
# in random order (seeded). Click the better one; each vote is appended to a CSV file (`WORK / "votes.csv"`,
# several people can share one), and the line under the buttons says how often the choices so far agree with
# PSNR (higher is better), SSIM (higher) and NIQE (lower). Vote twenty times or more before you read it.

# %%
from srkit.lab import ABTest, ABWidget, vote_summary

outputs = {m: o.image for m, o in lab.outputs.items()}
scores = {m: o.scores for m, o in lab.outputs.items()}
ab = ABWidget(ABTest(outputs, scores, WORK / "votes.csv", image="zebra", scale=4, crop=96, seed=0))
ab

# %% [markdown]
# What the summary means is easiest to see with two made-up viewers. One always prefers the output with the
# higher PSNR (the distortion view); the other prefers the crop with more fine detail, measured as the energy
# of its Laplacian (a crude stand-in for "looks sharp"). Both vote 40 times on the zebra.

# %%
from scipy.ndimage import laplace


def detail(crop):
    return float(np.mean(laplace(rgb_to_y(crop.astype(float))) ** 2))


viewers = {"prefers PSNR": lambda test, a, b: scores[test.trial.left]["psnr"] >= scores[test.trial.right]["psnr"],
           "prefers detail": lambda test, a, b: detail(a) >= detail(b)}
for name, prefers_left in viewers.items():
    test = ABTest(outputs, scores, WORK / f"votes_{name.replace(' ', '_')}.csv", seed=1)
    for _ in range(40):
        a, b = test.crops()
        test.vote("left" if prefers_left(test, a, b) else "right")
    s = vote_summary(test.votes_path)
    print(f"{name:15s}" + "  ".join(f"{m.upper()} {s[m]['rate']:.0%}" for m in ("psnr", "ssim", "niqe")))

# %% [markdown]
# The PSNR viewer agrees with PSNR every time by construction, and with SSIM almost always: both measure
# *distortion*, closeness to the reference. The detail viewer sides with PSNR less often (how much less
# depends on the methods in the test). That is the
# **perception-distortion trade-off** (Blau and Michaeli, 2018): the output closest to the truth on average is
# blurry, and an output that looks detailed must invent detail that is not exactly right. Where do your own
# votes fall? If you and your classmates share one votes file, `vote_summary` answers for all of you.

# %%
print(vote_summary(WORK / "votes.csv"))

# %% [markdown]
# ## Summary
#
# * The lab (`srkit.lab`) runs any zoo model and interpolation on any image: uploaded, from a path, from a
#   folder, or bundled; large images are processed tile by tile, with the untiled result up to float rounding.
# * With a sharp image you degrade yourself there is a reference, so PSNR/SSIM measure distortion. A real
#   low-resolution photo has none: then a **no-reference** measure such as NIQE, and your eyes, are all there is.
# * NIQE compares the statistics of an image's MSCN coefficients with those of sharp photos. The kit fits
#   its pristine model on its own training photos, so its values rank images as NIQE does but differ from
#   published numbers. It rises steadily with blur, noise and JPEG, but it is not a judge of taste.
# * Exports and votes are written atomically, and nothing is overwritten without asking.
# * A blind A/B test on your own eyes shows the perception-distortion trade-off: what looks best is often not
#   what scores best.
#
# ## Exercises
#
# Write your answer in place of `None`, or the body of the function in place of `raise NotImplementedError`,
# then run the cell below it: `check` says whether the answer is right, or what differs and a hint.
# `solution("09.1")` prints a worked solution, where your copy of the course has them.

# %% nbgrader={"grade": false, "grade_id": "ex09_setup", "locked": true, "schema_version": 3, "solution": false}
from srkit.exercises import check, solution

# %% [markdown]
# **Exercise 09.1.** Degrade Set14's zebra by bicubic x4 in the lab (as above) and run every zoo model the
# lab offers at x4. Which one has the lowest NIQE? Answer with its name, e.g. `"espcn"`.

# %% nbgrader={"grade": false, "grade_id": "ex09_1_answer", "locked": false, "schema_version": 3, "solution": true}
answer_1 = None

# %% nbgrader={"grade": true, "grade_id": "ex09_1", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("09.1", answer_1)

# %% [markdown]
# **Exercise 09.2.** In the same run, which zoo model has the highest PSNR? Is it the one NIQE prefers?

# %% nbgrader={"grade": false, "grade_id": "ex09_2_answer", "locked": false, "schema_version": 3, "solution": true}
answer_2 = None

# %% nbgrader={"grade": true, "grade_id": "ex09_2", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("09.2", answer_2)

# %% [markdown]
# **Exercise 09.3.** Write the MSCN coefficients yourself: `my_mscn(grey)` takes a float (H, W) grey image
# (0-255) and returns $(I - \mu) / (\sigma + 1)$, where $\mu$ is the image filtered with a normalised 7x7
# Gaussian of $\sigma_w = 7/6$ and $\sigma = \sqrt{|G * I^2 - \mu^2|}$ with the same filter, the image's edge
# pixels repeated at the borders. The check runs it on random images next to `srkit.quality.mscn`.

# %% nbgrader={"grade": false, "grade_id": "ex09_3_answer", "locked": false, "schema_version": 3, "solution": true}
def my_mscn(grey):
    """MSCN coefficients of a float (H, W) grey image, as NIQE computes them."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex09_3", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("09.3", my_mscn)

# %% [markdown]
# **Think further.** Upload a photo of your own that is already small (a thumbnail, an old web image) and run
# it with *already low-resolution*. Which model would you pick by eye? Does NIQE agree? Then vote twenty
# times in the A/B test and compare your agreement rates with a classmate's.
