"""The lab: super-resolve your own images with every model, compare them, export them, and test your own eyes.

Notebook 09 is built on this module.  As every widget of the kit, it has two layers, so that everything can be
tested without a browser:

* plain Python: :class:`LabState` (bring an image, choose how the LR input is made, run any zoo models and
  interpolations, score them, export the results), :func:`process_folder` (many images at once, with a
  summary table), :class:`ABTest` (a blind A/B preference test whose votes go to a local CSV) and
  :func:`vote_summary` (how often the viewers' choices agree with PSNR, SSIM and NIQE);
* ipywidgets views: :class:`LabWidget` (upload, choices, a progress bar, the comparison widget, export, folder
  mode) and :class:`ABWidget` (two anonymised crops and two buttons).

**Two kinds of input.**  An image that *is* low-resolution (a small photo, a thumbnail) has no ground truth:
the outputs can only be compared by eye and by a no-reference measure (NIQE, :mod:`srkit.quality`).  A
sharp image can instead be *degraded first* (MATLAB bicubic, optionally blurred before and with noise and JPEG
after, :class:`srkit.degrade.Degradation`): then it is the reference, and PSNR/SSIM are measured with the paper
protocol (:mod:`srkit.scoring`).

**Files.**  Nothing is ever written over the image you brought.  Exports and votes are written under a
temporary name and renamed into place, so a crash leaves no half-written file; an export refuses to replace
existing files unless ``overwrite=True`` (the widget's "overwrite" box); the votes file is only appended to.

Quick use::

    from srkit.lab import LabState
    lab = LabState()
    lab.load_path("my_photo.jpg")
    lab.configure(scale=4, mode="degrade", blur=0.0, noise=0.0, jpeg=None)
    table = lab.run(["bicubic", "espcn", "edsr"])   # a pandas DataFrame: PSNR, SSIM, NIQE, seconds
    lab.export("results/")
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from .errors import ImageReadError, InvalidValueError, ShapeError, SrkitError
from .widgets.compare import CompareState

__all__ = ["Source", "LabState", "LabCompareState", "ABTest", "LabWidget", "ABWidget", "available_methods",
           "bundled_images", "read_upload", "read_source", "process_folder", "vote_summary", "read_votes",
           "MODES", "MIN_LR_SIDE", "LAB_TILE", "VOTE_COLUMNS"]

#: How the LR input is made: ``'degrade'`` (the image is the HR reference) or ``'lr'`` (it is the input).
MODES = ("degrade", "lr")
#: The smallest LR input the lab accepts, per side: below this there is nothing to super-resolve.
MIN_LR_SIDE = 8
#: Networks run tile by tile on pieces of this many LR pixels, with 40 pixels of context on every side: the untiled
#: result up to float rounding, with bounded memory.
LAB_TILE = 256
#: The columns of the votes CSV, in order.
VOTE_COLUMNS = ("time", "voter", "image", "scale", "x", "y", "size", "left", "right", "choice", "other",
                "psnr_choice", "psnr_other", "ssim_choice", "ssim_other", "niqe_choice", "niqe_other")

Progress = Callable[[int, int, str], None]


# --------------------------------------------------------------------------------------------------
# Bringing an image
# --------------------------------------------------------------------------------------------------
@dataclass
class Source:
    """An image brought to the lab: its ``name`` (file stem, used for exports), the pixels (uint8,
    ``(H, W, C)``) and the ``path`` it was read from (``None`` for uploads and bundled images), which the
    lab never writes to."""

    name: str
    image: np.ndarray
    path: Path | None = None


def _safe_stem(name: str) -> str:
    stem = Path(str(name)).stem or "image"
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem).strip("._")
    return keep or "image"


def read_upload(content: bytes, name: str = "upload") -> Source:
    """Read the bytes of an uploaded file (ipywidgets ``FileUpload``) with the kit's image policy
    (:func:`srkit.io.read_image`): the bytes go to a private temporary file, which is removed afterwards.

    Raises :class:`~srkit.errors.ImageReadError` naming the upload for empty, corrupt, truncated or non-image
    bytes (whatever the file's extension).
    """
    from .io import read_image

    data = bytes(content or b"")
    label = str(name or "upload")
    if not data:
        raise ImageReadError(f"The upload {label!r} is empty (0 bytes); choose the file again.")
    fd, tmp = tempfile.mkstemp(suffix=Path(label).suffix or ".img", prefix="srkit-upload-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            image = read_image(tmp)
        except ImageReadError as e:
            raise ImageReadError(str(e).replace(tmp, f"The upload {label!r}")) from None
    finally:
        os.unlink(tmp)
    return Source(_safe_stem(label), image, None)


def read_source(path: str | os.PathLike) -> Source:
    """Read an image file as a :class:`Source` (see :func:`srkit.io.read_image` for the policy)."""
    from .io import read_image

    p = Path(path).expanduser()
    return Source(_safe_stem(p.name), read_image(p), p)


def bundled_images() -> list[str]:
    """The kit's benchmark HR images by name, ``'Set5/baby'``, ... (for :meth:`LabState.load_bundled`)."""
    from .data import BENCHMARKS, data_dir, list_images

    out = []
    for ds in BENCHMARKS:
        folder = data_dir() / "benchmark" / ds / "HR"
        if folder.is_dir():
            out += [f"{ds}/{p.stem}" for p in list_images(folder)]
    return out


def available_methods(scale: int) -> list[str]:
    """What can upscale by ``scale``: every interpolation, then every single-image zoo model trained for it
    (burst models, which need several frames, are left out)."""
    from . import zoo
    from .degrade import INTERPOLATIONS

    models = sorted(n for n, s in zoo.available() if s == int(scale) and zoo.card(n, s).get("input_kind") != "burst")
    return list(INTERPOLATIONS) + models


def _zoo_scales() -> list[int]:
    from . import zoo

    return sorted({s for _, s in zoo.available()})


def _upscaler(method: str):
    from . import zoo
    from .degrade import INTERPOLATIONS
    from .infer import InterpolationUpscaler

    if method in INTERPOLATIONS:
        return InterpolationUpscaler(method)
    return zoo.upscaler(method, tile=LAB_TILE)


# --------------------------------------------------------------------------------------------------
# The comparison, with NIQE in the captions
# --------------------------------------------------------------------------------------------------
@dataclass
class LabCompareState(CompareState):
    """A :class:`~srkit.widgets.CompareState` whose captions also give each image's NIQE (``niqe``:
    ``{label: value}``; lower is more natural), so that a comparison without a reference still has a number."""

    niqe: dict = field(default_factory=dict)
    show_niqe: bool | None = False  # the lab's own NIQE values (``niqe``) are captioned instead

    def metric_text(self, label: str) -> str:
        """PSNR/SSIM as in :class:`CompareState` (when there is a reference), then ``NIQE 4.21``."""
        base = super().metric_text(label)
        v = self.niqe.get(label)
        if v is None or not math.isfinite(v):
            return base or "NIQE n/a"
        return f"{base} / NIQE {v:.2f}" if base else f"NIQE {v:.2f}"


def _niqe_or_nan(image, crop_border: int) -> float:
    from .quality import PATCH_SIZE, niqe

    h, w = image.shape[:2]
    if min(h, w) - 2 * crop_border < PATCH_SIZE:
        return float("nan")
    return niqe(image, crop_border=crop_border)


# --------------------------------------------------------------------------------------------------
# The lab's state
# --------------------------------------------------------------------------------------------------
@dataclass
class Output:
    """One method's result: the SR image, its seconds (after a warm-up run) and its scores."""

    method: str
    image: np.ndarray
    seconds: float
    scores: dict


class LabState:
    """Everything the lab does, in plain Python (the widget only draws it).

    1. bring an image: :meth:`load_bytes` (an upload), :meth:`load_path` (a file), :meth:`load_bundled`;
    2. :meth:`configure` the scale and how the LR input is made (``mode='degrade'``: the image is the
       reference and is degraded by bicubic, optionally with ``blur`` before and ``noise``/``jpeg`` after;
       ``mode='lr'``: the image is the input and there is no reference);
    3. :meth:`run` any methods of :func:`available_methods`: a table of PSNR/SSIM (with a reference), NIQE
       and seconds, and :meth:`comparison` for the comparison widget;
    4. :meth:`export` the outputs as PNG and the table as CSV.
    """

    def __init__(self):
        self.source: Source | None = None
        self.scale, self.mode = 4, "degrade"
        self.blur, self.noise, self.jpeg, self.seed = 0.0, 0.0, None, 0
        self.lr: np.ndarray | None = None
        self.hr: np.ndarray | None = None
        self.outputs: dict[str, Output] = {}
        self.hr_niqe: float | None = None

    # -- input ----------------------------------------------------------------------------------------
    def _set_source(self, source: Source) -> Source:
        self.source = source
        self._invalidate()
        return source

    def _invalidate(self) -> None:
        self.lr = self.hr = None
        self.outputs = {}
        self.hr_niqe = None

    def load_bytes(self, content: bytes, name: str = "upload") -> Source:
        """Use uploaded bytes (see :func:`read_upload`)."""
        return self._set_source(read_upload(content, name))

    def load_path(self, path: str | os.PathLike) -> Source:
        """Use an image file."""
        return self._set_source(read_source(path))

    def load_bundled(self, name: str) -> Source:
        """Use a benchmark HR image of the kit, e.g. ``'Set14/zebra'`` (see :func:`bundled_images`)."""
        from .data import data_dir, list_images

        ds, _, stem = str(name).partition("/")
        folder = data_dir() / "benchmark" / ds / "HR"
        files = [p for p in list_images(folder) if p.stem == stem] if folder.is_dir() else []
        if not files:
            raise InvalidValueError(f"No bundled image {name!r}; choose one of bundled_images(), e.g. 'Set5/baby'.")
        from .io import read_image

        return self._set_source(Source(stem, read_image(files[0]), None))

    def configure(self, scale: int | None = None, mode: str | None = None, blur: float | None = None,
                  noise: float | None = None, jpeg: int | None | str = "keep", seed: int | None = None) -> None:
        """Set the scale (one the zoo offers) and how the LR input is made; ``jpeg=None`` (or 0) means no JPEG.
        Arguments left out keep their value.  Invalid values are refused with what to do."""
        from .degrade import Degradation

        new_scale, new_mode = self.scale, self.mode
        if scale is not None:
            scales = _zoo_scales()
            if isinstance(scale, bool) or scale not in scales:
                raise InvalidValueError(f"The lab's models exist for scales {scales}; got {scale!r}.")
            new_scale = int(scale)
        if mode is not None:
            if mode not in MODES:
                raise InvalidValueError(f"mode must be 'degrade' (the image is the reference) or 'lr' (it is the "
                                        f"low-resolution input), got {mode!r}.")
            new_mode = mode
        new_blur = self.blur if blur is None else blur
        new_noise = self.noise if noise is None else noise
        new_jpeg = self.jpeg if jpeg == "keep" else (None if jpeg in (None, 0) else jpeg)
        # checks every value (with what to do) before anything changes
        Degradation(new_scale, blur_sigma=new_blur, noise_sigma=new_noise, jpeg_quality=new_jpeg)
        self.scale, self.mode, self.blur, self.noise, self.jpeg = new_scale, new_mode, float(new_blur), \
            float(new_noise), new_jpeg
        if seed is not None:
            self.seed = int(seed)
        self._invalidate()

    @property
    def has_reference(self) -> bool:
        """Whether PSNR/SSIM can be measured (the image was degraded, so it is the reference)."""
        return self.mode == "degrade"

    def prepare(self) -> tuple[np.ndarray, np.ndarray | None]:
        """Make the LR input (and the HR reference in ``'degrade'`` mode) from the source; returns ``(lr, hr)``.

        Raises :class:`~srkit.errors.ShapeError` for an image too small for the chosen scale and mode."""
        from .degrade import Degradation, modcrop

        if self.source is None:
            raise InvalidValueError("Bring an image first: upload one, give a path, or pick a bundled image.")
        img, s = self.source.image, self.scale
        h, w = img.shape[:2]
        if self.mode == "lr":
            if min(h, w) < MIN_LR_SIDE:
                raise ShapeError(f"{self.source.name} is {w}x{h} pixels: too small to super-resolve. The lab needs "
                                 f"an input of at least {MIN_LR_SIDE}x{MIN_LR_SIDE} pixels.")
            self.lr, self.hr = img, None
        else:
            if min(h, w) < MIN_LR_SIDE * s:
                raise ShapeError(f"{self.source.name} is {w}x{h} pixels: too small to degrade by x{s}. The reference "
                                 f"needs at least {MIN_LR_SIDE * s}x{MIN_LR_SIDE * s} pixels (an LR input of "
                                 f"{MIN_LR_SIDE}x{MIN_LR_SIDE}); choose a smaller scale, a larger image, or "
                                 "'already low-resolution'.")
            self.hr = modcrop(img, s)
            deg = Degradation(s, blur_sigma=self.blur, noise_sigma=self.noise, jpeg_quality=self.jpeg)
            self.lr = deg(self.hr, rng=self.seed)
        return self.lr, self.hr

    # -- running --------------------------------------------------------------------------------------
    def run(self, methods: Sequence[str], progress: Progress | None = None):
        """Upscale the LR input with each method, timing each (after a warm-up on a tiny image, so that
        loading and compiling the model are not counted), and score the outputs.

        ``progress(done, total, what)`` is called before each method and at the end.  Returns :meth:`table`.
        """
        if self.source is None:
            raise InvalidValueError("Bring an image first: upload one, give a path, or pick a bundled image.")
        methods = list(dict.fromkeys(methods))
        if not methods:
            raise InvalidValueError("Choose at least one method (a zoo model or an interpolation).")
        allowed = available_methods(self.scale)
        unknown = [m for m in methods if m not in allowed]
        if unknown:
            raise InvalidValueError(f"{', '.join(map(repr, unknown))} cannot upscale x{self.scale}; choose from "
                                    f"{', '.join(allowed)}.")
        lr, hr = self.prepare()
        from .degrade import check_upscale_size

        check_upscale_size(lr.shape[0], lr.shape[1], self.scale)
        border = self.scale
        total = len(methods) + 1
        self.outputs = {}
        for i, m in enumerate(methods):
            if progress:
                progress(i, total, m)
            up = _upscaler(m)
            up(np.zeros((MIN_LR_SIDE, MIN_LR_SIDE, lr.shape[2]), np.uint8), self.scale)  # warm-up
            t0 = time.perf_counter()
            sr = np.asarray(up(lr, self.scale))
            seconds = time.perf_counter() - t0
            from .color import to_uint8

            sr = to_uint8(sr)
            sr = sr[..., None] if sr.ndim == 2 else sr
            self.outputs[m] = Output(m, sr, seconds, self._scores(sr, hr, border))
        if progress:
            progress(len(methods), total, "scoring the reference")
        self.hr_niqe = _niqe_or_nan(hr, border) if hr is not None else None
        if progress:
            progress(total, total, "done")
        return self.table()

    def _scores(self, sr: np.ndarray, hr: np.ndarray | None, border: int) -> dict:
        from .scoring import score_image

        out = {"psnr": float("nan"), "ssim": float("nan")}
        if hr is not None:
            small = min(hr.shape[:2]) - 2 * border < 11  # SSIM's window
            out.update(score_image(sr, hr, self.scale, ("psnr",) if small else ("psnr", "ssim")))
        out["niqe"] = _niqe_or_nan(sr, border)
        return out

    def table(self):
        """The results as a pandas DataFrame: one row per method (and the reference's NIQE), with
        ``psnr``, ``ssim`` (NaN without a reference), ``niqe`` (NaN for images under 96x96 pixels) and
        ``seconds``."""
        import pandas as pd

        name = self.source.name if self.source else ""
        rows = [{"image": name, "scale": self.scale, "method": m, **o.scores, "seconds": o.seconds}
                for m, o in self.outputs.items()]
        if self.hr is not None and self.outputs:
            rows.append({"image": name, "scale": self.scale, "method": "HR (reference)", "psnr": float("nan"),
                         "ssim": float("nan"), "niqe": self.hr_niqe, "seconds": float("nan")})
        return pd.DataFrame(rows, columns=["image", "scale", "method", "psnr", "ssim", "niqe", "seconds"])

    def comparison(self, zoom_size: int = 64) -> LabCompareState:
        """The outputs (and the reference) as a :class:`LabCompareState` for the comparison widget."""
        if not self.outputs:
            raise InvalidValueError("Run at least one method first.")
        images = {m: o.image for m, o in self.outputs.items()}
        niqes = {m: o.scores["niqe"] for m, o in self.outputs.items()}
        ref = None
        if self.hr is not None:
            images["HR"], niqes["HR"], ref = self.hr, self.hr_niqe, "HR"
        return LabCompareState(images, reference=ref, crop_border=self.scale, zoom_size=zoom_size, niqe=niqes)

    # -- export ---------------------------------------------------------------------------------------
    def export_paths(self, folder: str | os.PathLike) -> dict[str, Path]:
        """Where :meth:`export` writes: ``{method: NAME_xS_METHOD.png, ..., 'metrics': NAME_xS_metrics.csv}``."""
        if not self.outputs:
            raise InvalidValueError("Run at least one method first: there is nothing to export.")
        folder = Path(folder).expanduser()
        stem = f"{self.source.name}_x{self.scale}"
        paths = {m: folder / f"{stem}_{_safe_stem(m)}.png" for m in self.outputs}
        paths["metrics"] = folder / f"{stem}_metrics.csv"
        return paths

    def export(self, folder: str | os.PathLike, overwrite: bool = False) -> list[Path]:
        """Write every output as PNG and the table as CSV into ``folder`` (created if needed).

        Each file is written under a temporary name and renamed into place.  Existing files are not replaced
        unless ``overwrite=True``: then nothing is written and the error names them.  The image the lab read
        is never written over, whatever ``overwrite`` says.
        """
        from .io import save_image

        paths = self.export_paths(folder)
        _check_targets(paths.values(), overwrite, self.source.path if self.source else None)
        written = []
        for m, o in self.outputs.items():
            written.append(save_image(paths[m], o.image))
        written.append(_write_text_atomic(paths["metrics"], self.table().to_csv(index=False, float_format="%.6g")))
        return written


def _same_file(a: Path, b: Path | None) -> bool:
    if b is None:
        return False
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _check_targets(paths, overwrite: bool, protected: Path | None) -> None:
    paths = list(paths)
    for p in paths:
        if _same_file(p, protected) or (protected is not None and p.resolve() == Path(protected).resolve()):
            raise InvalidValueError(f"{p} is the image you brought: the lab never writes over it. Export to "
                                    "another folder.")
    existing = [p for p in paths if p.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{len(existing)} file(s) already exist: " + ", ".join(str(p) for p in existing[:4])
                              + (" ..." if len(existing) > 4 else "")
                              + ". Nothing was written; export to another folder or allow overwriting.")


def _write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` under a temporary name next to ``path``, then rename it into place (line endings as
    they are: the CSV and log text here already carries its own)."""
    from .io import _write_text_atomic as write_atomic

    return write_atomic(path, text, newline="")


# --------------------------------------------------------------------------------------------------
# Folder mode
# --------------------------------------------------------------------------------------------------
def process_folder(folder: str | os.PathLike, methods: Sequence[str], scale: int = 4, mode: str = "degrade",
                   blur: float = 0.0, noise: float = 0.0, jpeg: int | None = None, out: str | os.PathLike | None = None,
                   overwrite: bool = False, limit: int | None = None, progress: Progress | None = None):
    """Run the lab on every image of a folder: returns ``(rows, summary)``, two pandas DataFrames.

    ``rows`` has one row per image and method (as :meth:`LabState.table`, plus an ``error`` column: an image
    that cannot be read or is too small is listed with the reason instead of stopping the run); ``summary``
    has the mean PSNR, SSIM, NIQE and seconds of each method over the images that worked.  With ``out``,
    each image's outputs and table are exported there (see :meth:`LabState.export`) and a
    ``summary.csv`` beside them.  ``progress(done, total, image)`` is called for each image.
    """
    import pandas as pd

    from .data import list_images

    files = list_images(folder)[: limit if limit else None]
    if out is not None and Path(out).expanduser().resolve() == Path(folder).expanduser().resolve():
        raise InvalidValueError(f"Write the results to another folder than {folder}: outputs written among the "
                                "inputs would be taken as inputs by the next run.")
    lab = LabState()
    lab.configure(scale=scale, mode=mode, blur=blur, noise=noise, jpeg=jpeg)
    if out is not None and not overwrite:
        summary_path = Path(out).expanduser() / "summary.csv"
        if summary_path.exists():
            raise FileExistsError(f"{summary_path} already exists. Nothing was written; choose another folder "
                                  "or allow overwriting.")
    rows = []
    for i, path in enumerate(files):
        if progress:
            progress(i, len(files), path.name)
        try:
            lab.load_path(path)
            table = lab.run(methods)
            if out is not None:
                _check_targets(lab.export_paths(out).values(), overwrite, path)
                lab.export(out, overwrite=overwrite)
            for r in table.to_dict("records"):
                rows.append({**r, "error": ""})
        except (SrkitError, OSError, ValueError) as e:
            if isinstance(e, FileExistsError):
                raise
            rows.append({"image": path.stem, "scale": scale, "method": "", "psnr": float("nan"),
                         "ssim": float("nan"), "niqe": float("nan"), "seconds": float("nan"), "error": str(e)})
    if progress:
        progress(len(files), len(files), "done")
    frame = pd.DataFrame(rows, columns=["image", "scale", "method", "psnr", "ssim", "niqe", "seconds", "error"])
    ok = frame[(frame.error == "") & (frame.method != "HR (reference)")]
    summary = (ok.groupby("method", sort=False)[["psnr", "ssim", "niqe", "seconds"]].mean()
               .assign(images=ok.groupby("method", sort=False).size()).reset_index())
    if out is not None:
        _write_text_atomic(Path(out).expanduser() / "summary.csv", summary.to_csv(index=False, float_format="%.6g"))
    return frame, summary


# --------------------------------------------------------------------------------------------------
# The blind A/B test
# --------------------------------------------------------------------------------------------------
@dataclass
class Trial:
    """One A/B question: the two methods in the order shown (``left``, ``right``) and the crop ``(x, y, size)``."""

    left: str
    right: str
    x: int
    y: int
    size: int


class ABTest:
    """A blind preference test: two outputs of the same crop, in random order; the viewer picks the better.

    Args:
        images: ``{method: SR image}``, all the same size (e.g. ``{m: o.image for m, o in lab.outputs.items()}``).
        scores: ``{method: {'psnr': .., 'ssim': .., 'niqe': ..}}`` of the whole images (NaN where unknown),
            recorded with each vote so that :func:`vote_summary` can say which metric agrees with the viewers.
        votes: the CSV the votes are appended to (created with a header if missing).
        image: the scene's name (a column of the CSV); scale: the scale (a column).
        crop: side of the crops shown, in pixels (clamped to the image).
        seed: the trials (pair, order, crop position) are drawn from ``numpy.random.default_rng(seed)``.
        voter: a name or initials, a column of the CSV (several people can share one file).

    The methods' names are never shown before the vote; :meth:`vote` returns them afterwards.
    """

    def __init__(self, images: Mapping[str, np.ndarray], scores: Mapping[str, Mapping[str, float]],
                 votes: str | os.PathLike, image: str = "", scale: int = 0, crop: int = 96, seed: int = 0,
                 voter: str = ""):
        from .color import to_uint8

        if len(images) < 2:
            raise InvalidValueError("An A/B test needs at least two outputs: run two or more methods.")
        self.images = {str(k): to_uint8(v) for k, v in images.items()}
        sizes = {v.shape[:2] for v in self.images.values()}
        if len(sizes) != 1:
            raise ShapeError(f"The outputs of an A/B test must have one size, got {sorted(sizes)}.")
        self.height, self.width = sizes.pop()
        self.scores = {k: dict(scores.get(k, {})) for k in self.images}
        self.votes_path = Path(votes).expanduser()
        self.image, self.scale, self.voter = str(image), int(scale), str(voter)
        self.crop = int(max(1, min(crop, self.height, self.width)))
        self.rng = np.random.default_rng(seed)
        self.labels = list(self.images)
        self.count = 0
        _check_votes_file(self.votes_path)
        self.trial = self._draw()

    def _draw(self) -> Trial:
        n = len(self.labels)
        i, j = self.rng.choice(n, size=2, replace=False)
        a, b = self.labels[int(i)], self.labels[int(j)]  # the order is random too
        x = int(self.rng.integers(0, self.width - self.crop + 1))
        y = int(self.rng.integers(0, self.height - self.crop + 1))
        return Trial(a, b, x, y, self.crop)

    def crops(self) -> tuple[np.ndarray, np.ndarray]:
        """The two crops of the current trial (left, right), uint8."""
        t = self.trial
        region = (slice(t.y, t.y + t.size), slice(t.x, t.x + t.size))
        return self.images[t.left][region], self.images[t.right][region]

    def skip(self) -> Trial:
        """Draw the next trial without voting."""
        self.trial = self._draw()
        return self.trial

    def vote(self, side: str) -> dict:
        """Record that the viewer prefers the ``'left'`` or ``'right'`` crop; append it to the votes CSV and
        draw the next trial.  Returns the recorded row (which names the methods)."""
        if side not in ("left", "right"):
            raise InvalidValueError(f"A vote is 'left' or 'right', got {side!r}.")
        t = self.trial
        choice, other = (t.left, t.right) if side == "left" else (t.right, t.left)
        row = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "voter": self.voter,
               "image": self.image, "scale": self.scale, "x": t.x, "y": t.y, "size": t.size, "left": t.left,
               "right": t.right, "choice": choice, "other": other}
        for m in ("psnr", "ssim", "niqe"):
            row[f"{m}_choice"] = self.scores[choice].get(m, float("nan"))
            row[f"{m}_other"] = self.scores[other].get(m, float("nan"))
        _append_vote(self.votes_path, row)
        self.count += 1
        self.trial = self._draw()
        return row


def _check_votes_file(path: Path) -> None:
    if path.exists():
        if path.is_dir():
            raise InvalidValueError(f"{path} is a folder; give a file name for the votes, e.g. votes.csv.")
        with open(path, encoding="utf-8", newline="") as f:
            header = next(csv.reader(f), None)
        if header is not None and tuple(header) != VOTE_COLUMNS:
            raise InvalidValueError(f"{path} is not an A/B votes file (its first line is {','.join(header)[:80]!r}); "
                                    "the lab does not write into it. Give another file name.")


def _append_vote(path: Path, row: dict) -> None:
    """Append one row: the old content plus the row is written under a temporary name and renamed into place,
    so the file is always either the old one or the old one plus the new row."""
    _check_votes_file(path)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=VOTE_COLUMNS, lineterminator="\n")
    if not old:
        w.writeheader()
    elif not old.endswith("\n"):
        old += "\n"
    w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})
    _write_text_atomic(path, old + buf.getvalue())


def read_votes(path: str | os.PathLike):
    """The votes CSV as a pandas DataFrame (empty, with the columns, when the file does not exist)."""
    import pandas as pd

    path = Path(path).expanduser()
    if not path.exists():
        return pd.DataFrame(columns=list(VOTE_COLUMNS))
    _check_votes_file(path)
    return pd.read_csv(path)


def vote_summary(votes) -> dict:
    """How often the viewers' choices agree with each metric.

    ``votes``: a path to the votes CSV or its DataFrame.  For PSNR and SSIM a vote agrees when the chosen
    output has the *higher* value, for NIQE when it has the *lower* one; votes where the metric is unknown
    (no reference) or tied are not counted.  Returns ``{'votes': n, 'psnr': {'agree': k, 'counted': m,
    'rate': k / m}, 'ssim': ..., 'niqe': ..., 'wins': {method: times chosen}, 'shown': {method: times shown}}``;
    ``rate`` is NaN when nothing was counted.
    """
    frame = votes if hasattr(votes, "columns") else read_votes(votes)
    out = {"votes": int(len(frame))}
    for m, higher in (("psnr", True), ("ssim", True), ("niqe", False)):
        a = frame[f"{m}_choice"].astype(float).to_numpy() if len(frame) else np.array([])
        b = frame[f"{m}_other"].astype(float).to_numpy() if len(frame) else np.array([])
        ok = np.isfinite(a) & np.isfinite(b) & (a != b)
        agree = int(np.sum((a > b)[ok] if higher else (a < b)[ok]))
        counted = int(ok.sum())
        out[m] = {"agree": agree, "counted": counted, "rate": agree / counted if counted else float("nan")}
    out["wins"] = frame["choice"].value_counts().to_dict() if len(frame) else {}
    shown = {}
    for col in ("choice", "other"):
        for k, v in (frame[col].value_counts().to_dict() if len(frame) else {}).items():
            shown[k] = shown.get(k, 0) + v
    out["shown"] = shown
    return out


def _summary_text(s: dict) -> str:
    parts = [f"{s['votes']} vote(s)"]
    for m in ("psnr", "ssim", "niqe"):
        r = s[m]
        parts.append(f"{m.upper()} agrees {r['agree']}/{r['counted']}" + (f" ({r['rate']:.0%})" if r["counted"] else ""))
    return " | ".join(parts)


# --------------------------------------------------------------------------------------------------
# Widgets
# --------------------------------------------------------------------------------------------------
def _message(err: BaseException) -> str:
    """A bad input's message for the widget (the error's own words; its type for anything unexpected)."""
    if isinstance(err, (SrkitError, FileExistsError, FileNotFoundError)):
        return str(err)
    return f"{type(err).__name__}: {err}"


def _html_escape(text: str) -> str:
    import html

    return html.escape(str(text))


class ABWidget:
    """ipywidgets view of an :class:`ABTest`: two anonymised crops ("A" and "B"), a button for each, a skip
    button, the number of votes and the summary of the votes file (agreement with PSNR, SSIM and NIQE)."""

    def __init__(self, test: ABTest, size: int = 256):
        import ipywidgets as w

        self.test, self.size = test, size
        self.left = w.Image(format="png", width=size, height=size)
        self.right = w.Image(format="png", width=size, height=size)
        self.left.add_class("srkit-ab-left")
        self.right.add_class("srkit-ab-right")
        self.pick_left = w.Button(description="A is better", button_style="info")
        self.pick_right = w.Button(description="B is better", button_style="info")
        self.pick_left.add_class("srkit-ab-vote-a")
        self.pick_right.add_class("srkit-ab-vote-b")
        self.skip = w.Button(description="skip")
        self.status = w.HTML()
        self.status.add_class("srkit-ab-status")
        self.summary = w.HTML()
        self.summary.add_class("srkit-ab-summary")
        self.pick_left.on_click(lambda _b: self._vote("left"))
        self.pick_right.on_click(lambda _b: self._vote("right"))
        self.skip.on_click(lambda _b: self._skip())
        self.widget = w.VBox([
            w.HBox([w.VBox([w.HTML("<b>A</b>"), self.left, self.pick_left]),
                    w.VBox([w.HTML("<b>B</b>"), self.right, self.pick_right])]),
            w.HBox([self.skip, self.status]), self.summary,
        ])
        self.render()

    def render(self) -> None:
        """Draw the current trial's crops and the counts."""
        from .widgets.compare import to_png

        a, b = self.test.crops()
        self.left.value = to_png(a, display_size=self.size)
        self.right.value = to_png(b, display_size=self.size)
        self.summary.value = _html_escape(_summary_text(vote_summary(self.test.votes_path)))

    def _vote(self, side: str) -> None:
        try:
            row = self.test.vote(side)
        except Exception as e:  # shown in the widget, not as a traceback
            self.status.value = f"<span style='color:#b00'>{_html_escape(_message(e))}</span>"
            return
        self.status.value = (f"votes this session: <b class='srkit-ab-count'>{self.test.count}</b>; you chose "
                             f"{_html_escape(row['choice'])} over {_html_escape(row['other'])}")
        self.render()

    def _skip(self) -> None:
        self.test.skip()
        self.render()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


class LabWidget:
    """The lab in one widget: bring an image (upload, path, bundled), choose the scale, the input mode (with
    the degradation) and the methods, run them with a progress bar, compare the results (shared zoom,
    swipe, PSNR/SSIM/NIQE), export them, process a whole folder, and start a blind A/B test.

    ``state`` is the :class:`LabState` it draws; ``votes`` the CSV the A/B test appends to; ``out`` the
    default export folder; ``voter`` the name first shown in the voter box (recorded with each vote).  Every bad input (a corrupt or 1-pixel upload, a missing path, an existing export)
    is shown as a message in the widget.
    """

    def __init__(self, state: LabState | None = None, votes: str | os.PathLike = "votes.csv",
                 out: str | os.PathLike = "lab_results", voter: str = ""):
        import ipywidgets as w

        from .widgets.compare import CompareWidget  # noqa: F401  (imported here: ipywidgets is needed)

        self.state = state or LabState()
        self.votes = Path(votes)
        s = self.state
        self.upload = w.FileUpload(accept="image/*", multiple=False, description="upload")
        self.path = w.Text(placeholder="path to an image or a folder", description="path")
        self.load_path_btn = w.Button(description="use path")
        self.bundled = w.Dropdown(options=[""] + bundled_images(), value="", description="bundled")
        self.mode = w.RadioButtons(options=[("degrade it first (it is the reference)", "degrade"),
                                            ("it is already low-resolution (no reference)", "lr")],
                                   value=s.mode, description="input")
        self.scale = w.Dropdown(options=_zoo_scales(), value=s.scale, description="scale")
        self.blur = w.FloatSlider(value=s.blur, min=0.0, max=3.0, step=0.1, description="blur σ")
        self.noise = w.FloatSlider(value=s.noise, min=0.0, max=30.0, step=1.0, description="noise σ")
        self.jpeg = w.IntSlider(value=s.jpeg or 0, min=0, max=95, step=5, description="JPEG q (0: none)")
        self.methods = w.SelectMultiple(options=available_methods(s.scale), rows=8, description="methods")
        self.run_btn = w.Button(description="run", button_style="primary")
        self.run_btn.add_class("srkit-lab-run")
        self.progress = w.IntProgress(value=0, min=0, max=1, description="progress")
        self.status = w.HTML("Bring an image: upload one, type a path, or pick a bundled image.")
        self.status.add_class("srkit-lab-status")
        self.results = w.HTML()
        self.results.add_class("srkit-lab-table")
        self.compare_box = w.VBox()
        self.out_dir = w.Text(value=str(out), description="export to")
        self.overwrite = w.Checkbox(value=False, description="overwrite existing files")
        self.export_btn = w.Button(description="export PNG + CSV")
        self.folder_btn = w.Button(description="process the folder")
        self.ab_btn = w.Button(description="start the A/B test")
        self.voter_name = w.Text(value=str(voter), placeholder="your name or initials", description="voter")
        self.ab_box = w.VBox()
        self.compare_widget = None
        self.ab = None

        self.upload.observe(self._on_upload, names="value")
        self.load_path_btn.on_click(lambda _b: self._guard(self._use_path))
        self.bundled.observe(lambda ch: self._guard(self._use_bundled), names="value")
        self.scale.observe(lambda ch: self._guard(self._on_scale), names="value")
        self.run_btn.on_click(lambda _b: self._guard(self._run))
        self.export_btn.on_click(lambda _b: self._guard(self._export))
        self.folder_btn.on_click(lambda _b: self._guard(self._folder))
        self.ab_btn.on_click(lambda _b: self._guard(self._start_ab))
        self.widget = w.VBox([
            w.HTML("<b>1. Bring an image</b>"),
            w.HBox([self.upload, self.bundled]),
            w.HBox([self.path, self.load_path_btn,
                    w.HTML("<small>very large files: type their path rather than uploading them</small>")]),
            w.HTML("<b>2. Make the input and choose methods</b>"),
            w.HBox([w.VBox([self.mode, self.scale, self.blur, self.noise, self.jpeg]), self.methods]),
            w.HBox([self.run_btn, self.progress]), self.status, self.results, self.compare_box,
            w.HTML("<b>3. Export, folders, A/B test</b>"),
            w.HBox([self.out_dir, self.overwrite]), w.HBox([self.export_btn, self.folder_btn]),
            w.HBox([self.voter_name, self.ab_btn]),
            self.ab_box,
        ])
        self.widget.add_class("srkit-lab")

    # -- helpers --------------------------------------------------------------------------------------
    def say(self, text: str, error: bool = False) -> None:
        """Show a message under the controls (red for errors)."""
        style = " style='color:#b00'" if error else ""
        self.status.value = f"<span{style}>{_html_escape(text)}</span>"

    def _guard(self, fn) -> None:
        try:
            fn()
        except Exception as e:  # every problem is shown in the widget, never as a traceback
            self.say(_message(e), error=True)

    def _loaded(self, src: Source) -> None:
        h, w_ = src.image.shape[:2]
        self.results.value = ""
        self.compare_box.children = ()
        self.say(f"{src.name}: {w_}x{h} pixels, {'grey' if src.image.shape[2] == 1 else 'colour'}. Now choose "
                 "methods and press run.")

    def _on_upload(self, change) -> None:
        value = change["new"]
        if not value:
            return
        item = value[0] if isinstance(value, (tuple, list)) else next(iter(value.values()))
        self._guard(lambda: self._loaded(self.state.load_bytes(bytes(item["content"]), item.get("name", "upload"))))

    def _use_path(self) -> None:
        p = Path(self.path.value.strip()).expanduser()
        if not self.path.value.strip():
            raise InvalidValueError("Type the path of an image (or of a folder, then press 'process the folder').")
        if p.is_dir():
            self.say(f"{p} is a folder: press 'process the folder' to run every image in it.")
            return
        self._loaded(self.state.load_path(p))

    def _use_bundled(self) -> None:
        if self.bundled.value:
            self._loaded(self.state.load_bundled(self.bundled.value))

    def _on_scale(self) -> None:
        chosen = [m for m in self.methods.value if m in available_methods(self.scale.value)]
        self.methods.options = available_methods(self.scale.value)
        self.methods.value = tuple(chosen)

    def _configure(self) -> None:
        self.state.configure(scale=self.scale.value, mode=self.mode.value, blur=self.blur.value,
                             noise=self.noise.value, jpeg=self.jpeg.value or None)

    def _progress(self, done: int, total: int, what: str) -> None:
        self.progress.max = total
        self.progress.value = done
        self.progress.description = f"{done}/{total}"
        if done < total:
            self.say(f"running {what} ...")

    # -- actions --------------------------------------------------------------------------------------
    def _run(self) -> None:
        from .widgets.compare import CompareWidget

        self._configure()
        table = self.state.run(list(self.methods.value), progress=self._progress)
        self.results.value = table.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep="–")
        self.compare_widget = CompareWidget(self.state.comparison())
        self.compare_box.children = (self.compare_widget.widget,)
        ref = "PSNR/SSIM against the reference and NIQE" if self.state.has_reference else "NIQE (no reference)"
        self.say(f"done: {len(self.state.outputs)} method(s) on {self.state.source.name}; scores: {ref}.")

    def _export(self) -> None:
        written = self.state.export(self.out_dir.value, overwrite=self.overwrite.value)
        self.say(f"wrote {len(written)} files to {Path(self.out_dir.value).expanduser()}")

    def _folder(self) -> None:
        folder = Path(self.path.value.strip()).expanduser()
        if not self.path.value.strip() or not folder.is_dir():
            raise InvalidValueError("Type the path of a folder of images in 'path' first.")
        if not self.methods.value:
            raise InvalidValueError("Choose at least one method.")
        rows, summary = process_folder(folder, list(self.methods.value), self.scale.value, self.mode.value,
                                       self.blur.value, self.noise.value, self.jpeg.value or None,
                                       out=self.out_dir.value, overwrite=self.overwrite.value,
                                       progress=self._progress)
        failed = rows[rows.error != ""]
        note = f"; {len(failed)} image(s) failed (see the error column)" if len(failed) else ""
        self.results.value = (summary.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep="–")
                              + (failed[["image", "error"]].to_html(index=False) if len(failed) else ""))
        self.say(f"processed {rows.image.nunique()} image(s) from {folder}{note}; wrote them and summary.csv to "
                 f"{Path(self.out_dir.value).expanduser()}")

    def _start_ab(self) -> None:
        s = self.state
        if len(s.outputs) < 2:
            raise InvalidValueError("Run at least two methods first: the A/B test compares two outputs.")
        self.ab = ABTest({m: o.image for m, o in s.outputs.items()}, {m: o.scores for m, o in s.outputs.items()},
                         self.votes, image=s.source.name, scale=s.scale, seed=s.seed,
                         voter=self.voter_name.value.strip())
        self.ab_widget = ABWidget(self.ab)
        self.ab_box.children = (_html_label("<b>Which crop looks better?</b> The methods are hidden; the order is "
                                       "random."), self.ab_widget.widget)
        self.say(f"A/B test on {s.source.name}: votes are appended to {self.votes}")

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def _html_label(text: str):
    """An ipywidgets HTML label."""
    import ipywidgets as w

    return w.HTML(text)
