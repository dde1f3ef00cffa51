"""Datasets: the bundled training and benchmark sets, and any folder of your own images.

The data lives in the repository's ``data/`` folder (``data/README.md`` says where each set comes from)::

    data/train/T91, data/train/BSD200                      training images
    data/benchmark/{Set5,Set14,BSD100}/HR/NAME.png         ground truth
    data/benchmark/{Set5,Set14,BSD100}/LR_bicubic/X{k}/    MATLAB-bicubic LR inputs, k = 2, 3, 4, 8

Validation and testing are kept apart.  Eight of the 291 training images (:data:`VALIDATION_IMAGES`) are
held out: they are never trained on, and training validates (and selects) on them as the set ``'val'``
(:func:`load_validation`).  The benchmarks are test sets, used only to report a finished model.

srkit finds ``data/`` through the ``SRKIT_DATA`` environment variable if it is set, otherwise by looking
in the folders above the installed package and above the current directory.

Examples::

    >>> from srkit import data
    >>> data.list_datasets()
    {'train': ['BSD200', 'T91'], 'benchmark': ['BSD100', 'Set14', 'Set5']}
    >>> pairs = data.load_benchmark("Set5", scale=3)      # list of Pair(name, lr, hr)
    >>> val = data.load_validation(scale=3)              # the held-out training images, same form
    >>> images = data.load_folder("~/my_photos")          # list of (name, image)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from .errors import DatasetNotFoundError, InvalidValueError, check_int
from .io import IMAGE_EXTENSIONS, read_image

__all__ = [
    "data_dir",
    "list_datasets",
    "list_images",
    "load_folder",
    "load_benchmark",
    "load_training_images",
    "load_validation",
    "load_pairs",
    "is_validation",
    "check_dataset",
    "Pair",
    "BENCHMARKS",
    "VALIDATION",
    "VALIDATION_IMAGES",
    "TRAINING_SETS",
    "SCALES",
    "published_bicubic",
]

BENCHMARKS = ("Set5", "Set14", "BSD100")
TRAINING_SETS = ("T91", "BSD200")
SCALES = (2, 3, 4, 8)

#: The name of the validation set: images held out from the training sets (``'val'`` wherever a
#: dataset name is taken: ``TrainConfig.val_set``, :func:`srkit.evaluate.evaluate`, ``srkit evaluate``).
VALIDATION = "val"

#: The held-out training images, by training set: every 30th of T91 and every 40th of BSD200 in sorted
#: order, starting at the 16th and the 21st (3 + 5 images, about 1 megapixel in all).  Fixed so that every
#: run, on every machine, validates on the same images and never trains on them.
VALIDATION_IMAGES = {"T91": ("t23", "t51", "tt2"), "BSD200": ("12074", "176035", "232038", "317080", "65010")}


def data_dir() -> Path:
    """The folder holding ``train/`` and ``benchmark/``.

    Looks at ``$SRKIT_DATA`` first, then for a ``data/`` folder above the package and above the
    current working directory.  Raises :class:`DatasetNotFoundError` with what to do if none is found.
    """
    env = os.environ.get("SRKIT_DATA")
    if env:
        p = Path(env).expanduser()
        if not (p / "benchmark").is_dir() and not (p / "train").is_dir():
            raise DatasetNotFoundError(
                f"SRKIT_DATA={env} does not contain 'benchmark/' or 'train/'. Point it at the kit's data/ folder."
            )
        return p
    starts = [Path(__file__).resolve().parent, Path.cwd().resolve()]
    for start in starts:
        for folder in (start, *start.parents):
            candidate = folder / "data"
            if (candidate / "benchmark").is_dir():
                return candidate
    raise DatasetNotFoundError(
        "Could not find srkit's data/ folder. Run from inside the srkit repository, or set the "
        "SRKIT_DATA environment variable to the folder that holds 'train/' and 'benchmark/'."
    )


def list_datasets() -> dict[str, list[str]]:
    """Names of the bundled datasets, by kind: ``{'train': [...], 'benchmark': [...]}``."""
    root = data_dir()
    return {
        kind: sorted(p.name for p in (root / kind).iterdir() if p.is_dir()) if (root / kind).is_dir() else []
        for kind in ("train", "benchmark")
    }


def list_images(folder: str | os.PathLike) -> list[Path]:
    """Image files (by extension, see :data:`srkit.io.IMAGE_EXTENSIONS`) in ``folder``, sorted by name."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DatasetNotFoundError(f"{folder} is not a folder.")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)
    if not files:
        raise DatasetNotFoundError(
            f"{folder} contains no images (looked for {', '.join(IMAGE_EXTENSIONS)})."
        )
    return files


def _check_limit(limit) -> int | None:
    return check_int("limit", limit, low=1, allow_none=True, hint="Use None (no limit) for every image.")


def load_folder(folder: str | os.PathLike, limit: int | None = None) -> list[tuple[str, np.ndarray]]:
    """Load every image of a folder as ``(name, uint8 array)`` pairs, sorted by file name.

    ``limit``: only the first ``limit`` images (a whole number >= 1), or ``None`` for all."""
    limit = _check_limit(limit)
    files = list_images(folder)[:limit]
    return [(p.stem, read_image(p)) for p in files]


def _resolve_dataset(name: str, kind: str) -> Path:
    if not isinstance(name, str) or not name:
        raise InvalidValueError(f"A {kind} dataset name must be a non-empty string such as "
                                f"{(BENCHMARKS if kind == 'benchmark' else TRAINING_SETS)[0]!r}, got {name!r}.")
    root = data_dir()
    path = root / kind / name
    if path.is_dir():
        return path
    # Be forgiving about case ("set5" -> "Set5").
    if (root / kind).is_dir():
        for p in (root / kind).iterdir():
            if p.name.lower() == name.lower():
                return p
    available = list_datasets()[kind]
    raise DatasetNotFoundError(
        f"No {kind} dataset named {name!r}. Available: {', '.join(available) or 'none'}."
    )


def load_training_images(names: Iterable[str] = TRAINING_SETS, limit: int | None = None,
                         hold_out: bool = True):
    """Load the named training sets (default T91 + BSD200) as a list of ``(name, image)``.

    ``names`` may also contain paths to folders of your own images.  ``limit`` caps the images per set.
    ``hold_out`` (default): leave out the validation images (:data:`VALIDATION_IMAGES`) of the bundled
    sets, so that validation never sees an image the model trained on; folders of your own keep every image.
    """
    if isinstance(names, (str, os.PathLike)):
        names = [names]
    limit = _check_limit(limit)
    out: list[tuple[str, np.ndarray]] = []
    for name in names:
        folder = Path(name).expanduser()
        if not folder.is_dir():
            folder = _resolve_dataset(str(name), "train")
        files = list_images(folder)
        if hold_out and folder.resolve().parent == (data_dir() / "train").resolve():
            held = set(VALIDATION_IMAGES.get(folder.name, ()))
            files = [p for p in files if p.stem not in held]
        out.extend((f"{folder.name}/{p.stem}", read_image(p)) for p in files[:limit])
    return out


@dataclass(frozen=True)
class Pair:
    """One benchmark image: its name, the LR input and the HR ground truth (cropped to a multiple of
    the scale, so ``hr.shape == (scale * lr.shape[0], scale * lr.shape[1], C)``)."""

    name: str
    lr: np.ndarray
    hr: np.ndarray
    scale: int


def _check_scale(scale) -> int:
    if isinstance(scale, bool) or scale not in SCALES:
        raise InvalidValueError(f"Benchmarks ship LR images at scales {SCALES}, not {scale!r}. Choose one of "
                                f"{', '.join(map(str, SCALES))}.")
    return int(scale)


def is_validation(name) -> bool:
    """Whether a dataset name means the validation set (``'val'``, any case)."""
    return isinstance(name, str) and name.lower() == VALIDATION


def check_dataset(name: str) -> str:
    """The canonical name of an evaluation set: ``'val'`` or a benchmark (any case); a clear error otherwise."""
    if is_validation(name):
        return VALIDATION
    try:
        return _resolve_dataset(name, "benchmark").name
    except DatasetNotFoundError as e:
        raise DatasetNotFoundError(f"{e.args[0].rstrip('.')}, or '{VALIDATION}' (the held-out training images).") from None


_VALIDATION_CACHE: dict[int, list] = {}


def load_validation(scale: int, limit: int | None = None) -> list[Pair]:
    """The validation set at a scale: the held-out training images (:data:`VALIDATION_IMAGES`) as :class:`Pair` objects.

    Made exactly as the benchmarks were: the HR cropped to a multiple of ``scale``, the LR by MATLAB's
    bicubic ``imresize`` (:func:`srkit.degrade.bicubic_downsample`).  Computed once per scale and cached.
    ``limit``: only the first ``limit`` images, or ``None`` for all.
    """
    from .degrade import bicubic_downsample, modcrop

    scale = _check_scale(scale)
    limit = _check_limit(limit)
    if scale not in _VALIDATION_CACHE:
        root = data_dir() / "train"
        pairs = []
        for ds, names in VALIDATION_IMAGES.items():
            for n in names:
                path = root / ds / f"{n}.png"
                if not path.exists():
                    raise DatasetNotFoundError(f"{path} is missing: the validation set holds out {ds}/{n} "
                                               "from the training images. Restore data/train from the kit.")
                hr = modcrop(read_image(path), scale)
                pairs.append(Pair(f"{ds}/{n}", bicubic_downsample(hr, scale), hr, scale))
        _VALIDATION_CACHE[scale] = pairs
    return list(_VALIDATION_CACHE[scale][:limit])


def load_pairs(name: str, scale: int, limit: int | None = None) -> list[Pair]:
    """LR/HR pairs of an evaluation set: ``'val'`` (:func:`load_validation`) or a benchmark (:func:`load_benchmark`)."""
    if is_validation(name):
        return load_validation(scale, limit)
    return load_benchmark(name, scale, limit)


def load_benchmark(name: str, scale: int, limit: int | None = None) -> list[Pair]:
    """Load a benchmark set (``'Set5'``, ``'Set14'``, ``'BSD100'``) at a scale (2, 3, 4 or 8).

    The LR inputs are the shipped MATLAB-bicubic files; the HR is cropped to a multiple of ``scale``.
    ``limit``: only the first ``limit`` images (a whole number >= 1), or ``None`` for all.
    Benchmarks are test sets: report a finished model on them, validate on :func:`load_validation`.
    """
    if is_validation(name):
        return load_validation(scale, limit)
    scale = _check_scale(scale)
    limit = _check_limit(limit)
    folder = _resolve_dataset(name, "benchmark")
    lr_dir = folder / "LR_bicubic" / f"X{scale}"
    if not lr_dir.is_dir():
        raise DatasetNotFoundError(f"{lr_dir} is missing: the dataset has no LR images at x{scale}.")
    pairs = []
    for hr_path in list_images(folder / "HR")[:limit]:
        lr_path = lr_dir / hr_path.name
        if not lr_path.exists():
            raise DatasetNotFoundError(f"{lr_path} is missing (the LR of {hr_path.name}).")
        hr, lr = read_image(hr_path), read_image(lr_path)
        h, w = lr.shape[0] * scale, lr.shape[1] * scale
        if hr.shape[0] - h not in range(scale) or hr.shape[1] - w not in range(scale):
            raise DatasetNotFoundError(
                f"{lr_path} is {lr.shape[1]}x{lr.shape[0]}, which does not match its HR "
                f"({hr.shape[1]}x{hr.shape[0]}) at x{scale}."
            )
        pairs.append(Pair(hr_path.stem, lr, hr[:h, :w], scale))
    return pairs


def published_bicubic() -> dict[tuple[str, int], tuple[float, float]]:
    """The published bicubic baseline from ``data/README.md``: ``{(dataset, scale): (psnr, ssim)}``."""
    import re

    text = (data_dir() / "README.md").read_text()
    table = {}
    for line in text.splitlines():
        m = re.match(r"\|\s*(\w+)\s*\|((?:\s*[\d.]+\s*/\s*[\d.]+\s*\|)+)\s*$", line)
        if not m:
            continue
        cells = [c.strip() for c in m.group(2).split("|") if c.strip()]
        for scale, cell in zip(SCALES, cells):
            p, s = (float(v) for v in cell.split("/"))
            table[(m.group(1), scale)] = (p, s)
    if not table:
        raise DatasetNotFoundError(f"No published bicubic table found in {data_dir() / 'README.md'}.")
    return table
