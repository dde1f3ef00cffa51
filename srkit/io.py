"""Reading and writing images, with one documented policy for every kind of file.

:func:`read_image` always returns a ``uint8`` array of shape ``(H, W, 1)`` (grey) or ``(H, W, 3)``
(colour).  What happens to each kind of input:

==========================  ===========================================================================
input                       result
==========================  ===========================================================================
PNG, JPEG, BMP, TIFF, WebP  read with Pillow (other formats Pillow reads work too)
RGB / YCbCr / CMYK / HSV    converted to RGB, 3 channels
grey (``L``), 1-bit         kept single-channel (SR papers score grey images on their grey values);
                            1-bit becomes 0 / 255
palette (``P``)             expanded to RGB (or to grey when every palette entry is grey)
alpha (``RGBA``, ``LA``,    composited over a white background, then treated as above: SR models work
palette with transparency)  on colour, and transparent pixels would otherwise show arbitrary colours
16-bit grey (``I;16``)      scaled to 8 bits with ``round(v / 257)`` (65535 -> 255); 16-bit colour
                            PNGs are reduced to 8 bits per channel by Pillow (high byte kept)
32-bit integer (``I``)      refused: there is no agreed scale (0-255 values read as 16-bit would come out
                            black); convert to 8 or 16 bits first
EXIF orientation            applied, so the array is upright as a photo viewer shows it
32-bit float (``F``)        refused: there is no agreed scale; convert to 8 or 16 bits first
multi-frame (GIF, TIFF)     the first frame
==========================  ===========================================================================

Refused with :class:`~srkit.errors.ImageReadError` and a message that says what to do: missing files,
empty files, files that are not images, truncated files and images with more than ``max_pixels``
pixels (default 100 megapixels; decompression bombs declare huge sizes in a tiny file).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from .color import round_255, to_uint8
from .errors import ImageReadError, ImageTooLargeError, InvalidValueError, ShapeError

__all__ = ["read_image", "save_image", "IMAGE_EXTENSIONS", "DEFAULT_MAX_PIXELS", "to_uint8"]

#: File extensions :func:`srkit.data.list_images` treats as images.
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")

#: Largest image :func:`read_image` accepts by default (100 megapixels, about 10000 x 10000).
DEFAULT_MAX_PIXELS = 100_000_000


def read_image(path: str | os.PathLike, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read an image file into a ``uint8`` array of shape ``(H, W, 1)`` or ``(H, W, 3)``.

    See the module documentation for how each kind of image is converted.  ``max_pixels=None``
    lifts the size limit (only for files you trust).
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    if not path.exists():
        raise ImageReadError(f"{path}: no such file. Check the path (it is relative to {Path.cwd()}).")
    if path.is_dir():
        raise ImageReadError(f"{path} is a folder, not an image; use srkit.data.load_folder for folders.")
    if path.stat().st_size == 0:
        raise ImageReadError(f"{path} is empty (0 bytes); the file was not written completely.")
    old_limit = Image.MAX_IMAGE_PIXELS
    try:
        # We check the size ourselves below, with a clear message; Pillow's own check would warn or
        # raise DecompressionBombError at twice its default limit.
        Image.MAX_IMAGE_PIXELS = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                w, h = im.size
                if max_pixels is not None and w * h > max_pixels:
                    raise ImageTooLargeError(
                        f"{path} declares {w}x{h} = {w * h:,} pixels, more than the limit of "
                        f"{max_pixels:,}. If you trust the file, pass max_pixels=None or a larger "
                        "limit; otherwise it may be a decompression bomb."
                    )
                im.load()
                im = ImageOps.exif_transpose(im)
                return _to_array(im, path)
    except UnidentifiedImageError as e:
        raise ImageReadError(
            f"{path} is not an image file Pillow can read (PNG, JPEG, BMP, TIFF and WebP are supported)."
        ) from e
    except ImageReadError:
        raise
    except (OSError, SyntaxError, ValueError) as e:
        raise ImageReadError(f"{path} could not be decoded ({e}); the file is probably truncated or corrupt.") from e
    finally:
        Image.MAX_IMAGE_PIXELS = old_limit


def _composite_on_white(im):
    from PIL import Image

    rgba = im.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def _to_array(im, path) -> np.ndarray:
    mode = im.mode
    was_palette = mode == "P"
    if mode == "P":
        has_alpha = "transparency" in im.info
        im = im.convert("RGBA") if has_alpha else im.convert("RGB")
        mode = im.mode
        if mode == "RGB":
            arr = np.asarray(im)
            if np.array_equal(arr[..., 0], arr[..., 1]) and np.array_equal(arr[..., 1], arr[..., 2]):
                return np.ascontiguousarray(arr[..., :1])
            return arr
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        arr = np.asarray(_composite_on_white(im))
        grey = mode in ("LA", "La") or (
            was_palette and np.array_equal(arr[..., 0], arr[..., 1]) and np.array_equal(arr[..., 1], arr[..., 2])
        )
        return np.ascontiguousarray(arr[..., :1]) if grey else arr
    if mode == "1":
        return (np.asarray(im, dtype=np.uint8) * 255)[..., None]
    if mode == "L":
        return np.asarray(im)[..., None]
    if mode == "I" and _bits_per_sample(im) != 16:
        arr = np.asarray(im)
        raise ImageReadError(
            f"{path} holds 32-bit integer pixels (values from {int(arr.min())} to {int(arr.max())}), which have "
            "no agreed 0-255 scale: reading them as 16-bit would make the image black or white. Convert it to "
            "an 8- or 16-bit image first (e.g. rescale to 0-65535 and save as 16-bit PNG).")
    if mode.startswith("I;16") or mode == "I":
        arr = np.asarray(im).astype(np.float64)
        return round_255(arr / 257.0)[..., None]
    if mode == "F":
        raise ImageReadError(
            f"{path} holds 32-bit floating-point pixels, which have no agreed 0-255 scale. "
            "Convert it to an 8- or 16-bit image first."
        )
    if mode in ("RGB",):
        return np.asarray(im)
    try:
        return np.asarray(im.convert("RGB"))
    except (ValueError, OSError) as e:
        raise ImageReadError(f"{path} has pixel mode {mode!r}, which srkit cannot convert to RGB.") from e


def _bits_per_sample(im) -> int | None:
    """Bits per sample a file declares for a 32-bit ``I`` image (16 for 16-bit PNG/TIFF), if known."""
    if im.format == "PNG":
        return 16  # PNG has no 32-bit samples; Pillow may open 16-bit grey as "I"
    tags = getattr(im, "tag_v2", None)
    if tags is not None:
        bits = tags.get(258)
        if isinstance(bits, (tuple, list)):
            bits = bits[0] if bits else None
        return int(bits) if bits is not None else None
    return None


def _write_png_rows(path: Path, a: np.ndarray, level: int = 6) -> None:
    """Write a uint8 (H, W) or (H, W, 3) array as PNG, compressing row by row.

    Pillow first copies an RGB image into 4 bytes per pixel; for a 16000 x 12000 result that is 768 MB
    more.  This writer streams the rows through zlib instead, so saving needs almost no extra memory.
    """
    import struct
    import zlib

    h, w = a.shape[:2]
    colour = 2 if a.ndim == 3 else 0

    def chunk(f, kind: bytes, data: bytes) -> None:
        f.write(struct.pack(">I", len(data)) + kind + data)
        f.write(struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    comp = zlib.compressobj(level)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        chunk(f, b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour, 0, 0, 0))
        rows = max(1, (1 << 22) // max(1, a[0].nbytes))  # about 4 MB of pixels at a time
        for y in range(0, h, rows):
            block = a[y:y + rows].reshape(min(rows, h - y), -1)
            raw = np.concatenate([np.zeros((block.shape[0], 1), np.uint8), block], axis=1)  # filter type 0
            data = comp.compress(raw.tobytes())
            if data:
                chunk(f, b"IDAT", data)
        chunk(f, b"IDAT", comp.flush())
        chunk(f, b"IEND", b"")


#: Above this many pixels, PNGs are written row by row (see :func:`_write_png_rows`).
STREAMING_PNG_PIXELS = 16_000_000


def save_image(path: str | os.PathLike, image) -> Path:
    """Save an image (uint8, or float in [0, 1]; (H, W), (H, W, 1) or (H, W, 3)) with Pillow.

    The format follows the file extension; PNG is lossless and what SR results should be saved as.
    Large PNGs (over 16 megapixels) are written row by row to keep memory low.  The file is written to a
    temporary name in the same folder and renamed into place, so it either appears whole or not at all.
    """
    from PIL import Image

    a = to_uint8(image)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] != 3):
        raise ShapeError(f"Cannot save an array of shape {np.asarray(image).shape} as an image.")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidValueError(f"Cannot save {path}: unknown image extension {path.suffix!r}; use .png.")
    def write(tmp: Path) -> None:
        if fmt == "PNG" and a.shape[0] * a.shape[1] > STREAMING_PNG_PIXELS:
            _write_png_rows(tmp, np.ascontiguousarray(a))
        else:
            Image.fromarray(a).save(tmp, format=fmt)

    return _replace_atomically(path, write)


def _replace_atomically(path: Path, write) -> Path:
    """``write(tmp)`` to a temporary name next to ``path``, then rename it into place: a crash or a full disk
    never leaves a half-written file and never damages a file that was there before (an ``OSError`` names
    the file, see :func:`_write_error`)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as e:
        raise _write_error(path, e) from e
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _write_error(path: Path, e: OSError) -> OSError:
    """An OSError (same errno) that names the file being written and says that an old one is untouched."""
    reason = e.strerror or str(e)
    kept = " The file that was there is unchanged." if path.exists() else ""
    hint = " Free some space or write elsewhere." if e.errno in (28, 27, 122) else ""  # ENOSPC, EFBIG, EDQUOT
    return OSError(e.errno, f"Could not write {path}: {reason}.{kept}{hint}")


def _write_text_atomic(path: str | os.PathLike, text: str, newline: str | None = None) -> Path:
    """Write ``text`` to ``path`` under a temporary name in the same folder, then rename it into place: a
    crash or a full disk leaves the old file (if any) untouched and no partial file behind. ``newline`` is
    passed to :func:`open` (``""`` writes line endings as they are, as the :mod:`csv` module expects)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline=newline) as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())

    return _replace_atomically(path, write)


#: File extensions :func:`save_image` writes, and the Pillow format of each.
_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".bmp": "BMP", ".tif": "TIFF", ".tiff": "TIFF",
            ".webp": "WEBP"}
