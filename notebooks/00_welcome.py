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
# # 00 · Welcome to super-resolution
#
# **Learning goals.** After this notebook you can
#
# 1. say what single-image and multi-image super-resolution (SR) are, and why SR is an *ill-posed* problem;
# 2. find your way around this kit: its notebooks, its `srkit` package and its data;
# 3. check whether TensorFlow sees a GPU on your machine;
# 4. load a benchmark image and compare upscaled versions of it, side by side and zoomed, with PSNR/SSIM.
#
# Run the cells from top to bottom (Shift+Enter). Nothing here downloads anything: the data and the
# models ship with the kit.

# %% [markdown]
# ## What is super-resolution?
#
# A camera, a video codec or a thumbnailer throws pixels away. **Super-resolution** tries to get them
# back: from a low-resolution image $y$ (LR) it estimates the high-resolution image $x$ (HR) that $y$
# came from, $k$ times larger in each direction ($k$ is the *scale*, usually 2, 3 or 4).
#
# The standard model of how $y$ was made is
#
# $$ y = (x \ast h)\downarrow_k + n $$
#
# blur with a kernel $h$, keep every $k$-th pixel, add noise $n$. Going backwards is **ill-posed**: many
# HR images shrink to the same LR image, so an SR method must *choose* one, using what it knows about
# natural images. Classical interpolation (bicubic) knows only that images are smooth; the neural
# networks of the next notebooks learn much more from example pairs.
#
# * **Single-image SR (SISR)**: one LR image in, one HR image out. All detail beyond smoothness must come
#   from what the model has learned.
# * **Multi-image SR (MISR)**: several LR images of the *same* scene, each shifted by a fraction of a pixel
#   (a burst of photos, video frames). The shifts mean each frame samples the scene at different places,
#   so together they hold *real* information that no single frame has.

# %% [markdown]
# ## The kit in order
#
# | notebook | what you learn |
# |---|---|
# | **00 welcome** (this one) | what SR is, the kit, the data, the comparison widget |
# | **01 degradation and metrics** | how LR images are made, interpolation baselines, PSNR and SSIM measured exactly as papers do |
# | **02 CNN basics** | why a classification network fails at SR; SRCNN trained live |
# | **03 efficient CNNs** | post-upsampling, sub-pixel convolution, FSRCNN, ESPCN, an EDSR-style residual net |
# | **04 GANs** | SRGAN-style training and the perception-distortion trade-off |
# | **05 RNNs** | recursion (DRCN), sequence models, multi-frame SR with ConvGRU |
#
# 00 and 01 are the ground everything stands on; 02 to 05 each build on them. The package
# `srkit` holds all the code the notebooks call: `srkit.data` (datasets), `srkit.degrade` (making LR
# images), `srkit.metrics` (PSNR/SSIM), `srkit.evaluate` (benchmark tables), `srkit.widgets` and
# `srkit.viz` (pictures), `srkit.models`, `srkit.train`, `srkit.infer` and `srkit.zoo` (networks, training,
# running a network on an image, pretrained models), `srkit.gan` (GAN training) and `srkit.burst`
# (multi-frame bursts). Every function has a docstring: try `help(srkit.metrics.psnr)`.

# %%
# Every notebook starts the same way: inline figures, the kit, and one set-up line. start() loads
# TensorFlow (a few seconds) without the start-up messages its C++ library prints, then says what it found.
import os
# %matplotlib inline
import numpy as np
import srkit
from srkit.env import smoke_mode, start
setup = start()  # prints the set-up line (and returns it)

# %% [markdown]
# ## Your machine
#
# Training neural networks is much faster on a GPU, but every notebook of this kit runs on a laptop CPU:
# where training would take long, you can load the pretrained model instead. `srkit info` on the command
# line prints the same report.

# %%
from srkit.env import describe
for key, value in describe().items():
    print(f"{key:14s} {value}")

# %% [markdown]
# ## The data
#
# The kit ships the datasets that SR papers use (see `data/README.md` for where each comes from):
#
# * **training**: T91 (91 small images) and BSD200 (200 photos), together the "291 images" of VDSR and DRCN.
#   8 of them are held out as the **validation** set `'val'` (`data.VALIDATION_IMAGES`): training never
#   sees them and checks its progress on them;
# * **benchmarks** (test sets): Set5, Set14 and BSD100, each with the HR ground truth and LR inputs at x2,
#   x3 and x4 made with MATLAB's bicubic `imresize`, the inputs every paper reports on. They only ever
#   score finished models (notebook 02 says why).

# %%
from srkit import data
data.list_datasets()

# %%
# NBVAL_CHECK_OUTPUT
pairs = data.load_benchmark("Set5", scale=3)
for p in pairs:
    print(f"{p.name:10s} LR {p.lr.shape}  ->  HR {p.hr.shape}")

# %% [markdown]
# Each `Pair` holds the LR input and its HR ground truth. The HR is cropped to a multiple of the scale, so
# it is exactly 3 times the LR size. Let us upscale the LR image of the baby three ways: **nearest**
# (repeat each pixel), **bilinear** and **bicubic** (fit smooth curves through the pixels).

# %%
from srkit.degrade import upscale
from srkit.viz import image_grid

baby = pairs[0]
outputs = {m: upscale(baby.lr, 3, m) for m in ("nearest", "bilinear", "bicubic")}
image_grid({"LR input": baby.lr, **outputs, "HR (ground truth)": baby.hr}, zoom_box=(110, 190, 90), ncols=5, size=2.6);

# %% [markdown]
# ## The comparison widget
#
# Pictures side by side are the heart of SR work: numbers hide *where* a method fails. The widget below
# shows every image of one scene with **one shared zoom window**: move it with the `x`/`y` sliders and
# resize it with `zoom`. Under each crop you see the image's **PSNR / SSIM** against the ground truth
# (measured the paper way, next notebook explains) and the PSNR of the crop alone. The bottom row is a
# **before/after swipe** between any two images: pick them and drag the divider.

# %%
from srkit.widgets import compare

widget = compare({**outputs, "HR": baby.hr}, reference="HR", crop_border=3, zoom_size=64)
widget

# %% [markdown]
# The widget's logic is plain Python in `widget.state`, so you can also drive it from code, which is
# handy for reproducible figures. Here we centre the zoom on the baby's eye and read, for each image, the
# whole image's PSNR / SSIM and the PSNR of the zoom box alone:

# %%
# NBVAL_CHECK_OUTPUT
state = widget.state
state.center_on(155, 235)
state.resize_zoom(48)
print("zoom box (x, y, size):", state.zoom.as_tuple())
for label in state.labels:
    crop = state.crop_metrics(label)
    numbers = f"whole image {state.metric_text(label)} | zoom box {crop['psnr']:.2f} dB" if crop else state.metric_text(label)
    print(f"{label:9s} {numbers}")
print("closest to HR (whole image, PSNR):", state.best())

# %%
widget.render()   # redraw after changing the state from code
widget

# %% [markdown]
# ## Summary
#
# * SR estimates a high-resolution image from a low-resolution one (SISR) or from several shifted ones (MISR).
#   It is ill-posed: an SR method must choose among many HR images that fit.
# * The kit ships training sets (T91, BSD200) and benchmarks (Set5, Set14, BSD100) with the exact LR inputs
#   papers use; `srkit.data.load_benchmark(name, scale)` loads them.
# * Even classical interpolations differ visibly and measurably; the comparison widget shows both.
#
# ## Exercises
#
# Write your answer in place of `None`, or the body of the function in place of `raise NotImplementedError`,
# then run the cell below it: `check` says whether the answer is right, or what differs and a hint. A
# function or model you write is run next to the kit's own on fresh random inputs.
# `solution("00.1")` prints a worked solution, where your copy of the course has them.

# %% nbgrader={"grade": false, "grade_id": "ex00_setup", "locked": true, "schema_version": 3, "solution": false}
from srkit.exercises import check, solution

# %% [markdown]
# **Exercise 00.1.** How many pixels does the x4 low-resolution input of Set5 'butterfly' have?

# %% nbgrader={"grade": false, "grade_id": "ex00_1_answer", "locked": false, "schema_version": 3, "solution": true}
answer_1 = None

# %% nbgrader={"grade": true, "grade_id": "ex00_1", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("00.1", answer_1)

# %% [markdown]
# **Exercise 00.2.** Of nearest, bilinear and bicubic, which gives the highest PSNR on Set5 'baby' at x3? Answer with the
# method's name, e.g. `"bilinear"`. (The comparison widget's state knows.)

# %% nbgrader={"grade": false, "grade_id": "ex00_2_answer", "locked": false, "schema_version": 3, "solution": true}
answer_2 = None

# %% nbgrader={"grade": true, "grade_id": "ex00_2", "locked": true, "points": 1, "schema_version": 3, "solution": false}
check("00.2", answer_2)

# %% [markdown]
# **Exercise 00.3.** Write the nearest-neighbour upscaler yourself: `nearest_upscale(lr, scale)` turns every pixel
# of an (H, W) or (H, W, C) uint8 image into a `scale` x `scale` block of copies of itself and returns the
# (`scale`·H, `scale`·W) image, still uint8. The check runs it on random images next to
# `srkit.degrade.upscale(lr, scale, "nearest")`.

# %% nbgrader={"grade": false, "grade_id": "ex00_3_answer", "locked": false, "schema_version": 3, "solution": true}
def nearest_upscale(lr, scale):
    """The image `scale` times larger in each direction, every pixel of `lr` repeated in a scale x scale block."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex00_3", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("00.3", nearest_upscale)

# %% [markdown]
# **Exercise 00.4.** A benchmark HR image is cropped so that its height and width are multiples of the scale
# (that is why HR is exactly 3 times the LR above). Write `crop_to_scale(hr, scale)`: cut an (H, W) or (H, W, C)
# image at the bottom and on the right as little as possible so that both sides are multiples of `scale`.
# The check compares it with `srkit.degrade.modcrop` on random images, some already of the right size.

# %% nbgrader={"grade": false, "grade_id": "ex00_4_answer", "locked": false, "schema_version": 3, "solution": true}
def crop_to_scale(hr, scale):
    """`hr` without its last rows and columns, so that height and width are multiples of `scale`."""
    raise NotImplementedError  # replace this line with your code


# %% nbgrader={"grade": true, "grade_id": "ex00_4", "locked": true, "points": 2, "schema_version": 3, "solution": false}
check("00.4", crop_to_scale)

# %% [markdown]
# **Think further.** Zoom the widget onto the baby's eyelashes and onto the smooth cheek. Where does
# bicubic beat nearest by the most? Why would a PSNR averaged over the whole image hide this?
