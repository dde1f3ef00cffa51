"""A generated corpus of bad, odd and extreme inputs, each with the outcome the kit promises for it.

Nothing here is stored: every file is written by the code below into a temporary folder, every array built
in memory.  Each case is run through the kit's entry points (``read_image``, ``srkit upscale``,
``srkit degrade``, ``srkit evaluate``, ``degrade.upscale``, ``InterpolationUpscaler``, ``KerasUpscaler``,
``Degradation``, ``upscale_burst``, ``predict_tiled``) and each (entry point, case) pair must end in one of
two ways:

* ``correct``: a result, checked against numbers computed another way (exact pixels, the colour of a
  constant image, the untiled result, ...);
* ``clear error``: an :class:`srkit.errors.SrkitError` whose message holds the expected words (on the
  command line: exit status 2 and ``srkit COMMAND: error: ...`` on stderr, no traceback, no output file).

Anything else is a failure of the kit: ``traceback`` (an exception the user was not meant to see),
``wrong`` (a result that fails its check, or a result where an error was due) or ``unclear`` (an error
without the expected words).  ``tests/test_corpus.py`` asserts every pair; running this file prints the
counts::

    .venv/bin/python tests/corpus.py          # add --json PATH to also write them
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import struct
import sys
import tempfile
import traceback
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

OK, ERROR = "correct", "clear error"
OUTCOMES = (OK, ERROR, "traceback", "wrong", "unclear")


@dataclass(frozen=True)
class Expect:
    """What one entry point must do with one case: ``kind`` is ``OK`` (then ``check(result)`` must pass)
    or ``ERROR`` (then the message must contain ``words``)."""

    kind: str
    words: str = ""
    check: Callable | None = None


def ok(check: Callable | None = None) -> Expect:
    """A correct result, verified by ``check`` (which raises AssertionError when the result is wrong)."""
    return Expect(OK, check=check)


def refused(words: str) -> Expect:
    """A clear error whose message contains ``words``."""
    return Expect(ERROR, words)


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------
def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(width: int, height: int, depth: int, colour: int, raw: bytes) -> bytes:
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b""))


def _rng_image(h: int, w: int, c: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, c), dtype=np.uint8)


SMOOTH = np.stack([*np.meshgrid(np.arange(24) * 10, np.arange(20) * 12, indexing="xy"), np.full((20, 24), 90)],
                  axis=-1).astype(np.uint8)  # 20x24 smooth colour image (lossy codecs keep it close)
NOISE = _rng_image(20, 24)
GREY16 = (np.arange(20 * 24, dtype=np.uint32).reshape(20, 24) * 137 % 65536).astype(np.uint16)
ROW = np.stack([np.linspace(20, 220, 9), np.linspace(200, 40, 9), np.full(9, 90)], axis=-1).astype(np.uint8)[None]
COLOUR = np.array([200, 60, 30], np.uint8)


def _equal(expected: np.ndarray) -> Callable:
    def check(a):
        assert a.dtype == np.uint8 and a.shape == expected.shape, (a.dtype, a.shape, expected.shape)
        assert np.array_equal(a, expected), f"{int((a != expected).sum())} pixels differ"
    return check


def _close(expected: np.ndarray, mean: float) -> Callable:
    def check(a):
        assert a.shape == expected.shape, (a.shape, expected.shape)
        d = np.abs(a.astype(float) - expected).mean()
        assert d < mean, f"mean difference {d:.2f} >= {mean}"
    return check


def _pil(array, mode=None, fmt=None, **kw) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        Image.fromarray(np.asarray(array), mode=mode).save(path, format=fmt, **kw)
    return make


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _truncated(save: Callable[[Path], None], keep: float) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        save(path)
        b = path.read_bytes()
        path.write_bytes(b[: int(len(b) * keep)])
    return make


def _palette(path: Path, transparent: bool = False) -> None:
    im = Image.fromarray(np.array([[0, 1, 2], [2, 1, 0]], np.uint8), mode="P")
    im.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * (256 * 3 - 9))
    im.save(path, **({"transparency": 1} if transparent else {}))


def _cmyk(path: Path) -> None:
    Image.new("CMYK", (12, 10), (0, 255, 0, 0)).save(path, quality=100)  # pure magenta ink


def _gif(path: Path) -> None:
    frames = [Image.new("RGB", (10, 8), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=50, loop=0)


def _multipage_tiff(path: Path) -> None:
    pages = [Image.fromarray(NOISE), Image.fromarray(255 - NOISE)]
    pages[0].save(path, save_all=True, append_images=pages[1:])


def _exif_rotated(path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    Image.fromarray(SMOOTH).save(path, exif=exif, quality=100)


def _bomb_png(path: Path) -> None:  # 100000 x 100000 declared in 100 bytes
    path.write_bytes(_png(100_000, 100_000, 8, 0, b"\0" * 1000))


def _bomb_bmp(path: Path) -> None:  # a BMP header declaring 60000 x 60000 x 24 bits, and no pixels
    header = struct.pack("<2sIHHI", b"BM", 54, 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, 60_000, 60_000, 1, 24, 0, 0, 2835, 2835, 0, 0)
    path.write_bytes(header + info)


def _rgb16_png(path: Path) -> None:
    px = np.zeros((6, 5, 3), ">u2")
    px[...] = (65535, 0, 32768)
    px[0, 0] = (256, 511, 65280)
    path.write_bytes(_png(5, 6, 16, 2, b"".join(b"\0" + row.tobytes() for row in px)))


def _grey_alpha(path: Path) -> None:
    la = np.zeros((3, 4, 2), np.uint8)
    la[..., 0], la[..., 1] = 40, 255
    la[0, 0] = (40, 0)  # transparent: white
    Image.fromarray(la, mode="LA").save(path)


def _rgba(path: Path) -> None:
    rgba = np.zeros((3, 4, 4), np.uint8)
    rgba[...] = (200, 100, 50, 255)
    rgba[0, 0] = (10, 20, 30, 0)  # transparent: white
    Image.fromarray(rgba, mode="RGBA").save(path)


def _expected_palette(transparent: bool) -> np.ndarray:
    colours = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255]], np.uint8)
    if transparent:
        colours[1] = 255
    return colours[np.array([[0, 1, 2], [2, 1, 0]])]


def _expected_la() -> np.ndarray:
    out = np.full((3, 4, 1), 40, np.uint8)
    out[0, 0] = 255
    return out


def _expected_rgba() -> np.ndarray:
    out = np.zeros((3, 4, 3), np.uint8)
    out[...] = (200, 100, 50)
    out[0, 0] = 255
    return out


def _expected_rgb16() -> np.ndarray:
    out = np.zeros((6, 5, 3), np.uint8)
    out[...] = (255, 0, 128)
    out[0, 0] = (1, 1, 255)  # 16-bit colour keeps the high byte
    return out


def _bits() -> np.ndarray:
    b = np.zeros((7, 9), bool)
    b[::2, 1::3] = True
    return b


def _grey16_check(a):
    expected = np.floor(GREY16.astype(np.float64) / 257.0 + 0.5).astype(np.uint8)[..., None]
    _equal(expected)(a)


def _cmyk_check(a):
    assert a.shape == (10, 12, 3)
    assert np.abs(a.astype(int) - [255, 0, 255]).max() <= 3, a[0, 0]


def _gif_check(a):
    assert a.shape == (8, 10, 3)
    assert np.array_equal(np.unique(a.reshape(-1, 3), axis=0), [[255, 0, 0]])  # the first frame, red


@dataclass(frozen=True)
class FileCase:
    """A generated file: ``make(path)`` writes it; ``read`` is what :func:`srkit.io.read_image` must do."""

    name: str
    filename: str
    make: Callable[[Path], None]
    read: Expect
    constant: bool = False  # a constant-colour image (a network must keep its colour)


FILE_CASES = [
    # broken, truncated, empty, mislabelled
    FileCase("zero_bytes", "empty.png", _bytes(b""), refused("is empty (0 bytes)")),
    FileCase("png_signature_only", "sig.png", _bytes(b"\x89PNG\r\n\x1a\n"), refused("is not an image file")),
    FileCase("truncated_png", "half.png", _truncated(_pil(NOISE), 0.5), refused("truncated or corrupt")),
    FileCase("truncated_jpeg", "half.jpg", _truncated(_pil(NOISE, quality=95), 0.5), refused("truncated")),
    FileCase("png_bad_pixel_data", "bad.png", _bytes(_png(24, 20, 8, 2, b"")[:41] + _chunk(b"IDAT", b"garbage")
                                                     + _chunk(b"IEND", b"")), refused("could not be decoded")),
    FileCase("text_named_png", "notes.png", _bytes(b"just some text, not pixels\n" * 5), refused("is not an image file")),
    FileCase("random_bytes_named_jpg", "noise.jpg", _bytes(bytes(range(256)) * 4), refused("is not an image file")),
    FileCase("png_named_jpg", "really_png.jpg", _pil(NOISE, fmt="PNG"), ok(_equal(NOISE))),
    FileCase("jpeg_named_png", "really_jpeg.png", _pil(SMOOTH, fmt="JPEG", quality=95), ok(_close(SMOOTH, 3))),
    FileCase("png_named_tif", "really_png.tif", _pil(NOISE, fmt="PNG"), ok(_equal(NOISE))),
    # extreme sizes
    FileCase("1x1", "one.png", _pil(COLOUR[None, None]), ok(_equal(COLOUR[None, None])), constant=True),
    FileCase("1x9_row", "row.png", _pil(ROW), ok(_equal(ROW))),
    FileCase("9x1_column", "column.png", _pil(ROW.transpose(1, 0, 2)), ok(_equal(ROW.transpose(1, 0, 2)))),
    FileCase("1x1_grey", "one_grey.png", _pil(np.full((1, 1), 77, np.uint8)), ok(_equal(np.full((1, 1, 1), 77, np.uint8)))),
    FileCase("2x40_constant", "thin.png", _pil(np.broadcast_to(COLOUR, (2, 40, 3)).copy()),
             ok(_equal(np.broadcast_to(COLOUR, (2, 40, 3)))), constant=True),
    FileCase("bomb_png_100000x100000", "bomb.png", _bomb_png, refused("decompression bomb")),
    FileCase("bomb_bmp_60000x60000", "bomb.bmp", _bomb_bmp, refused("decompression bomb")),
    # bit depths and pixel modes
    FileCase("grey16_png", "g16.png", _pil(GREY16), ok(_grey16_check)),
    FileCase("grey16_tiff", "g16.tif", _pil(GREY16), ok(_grey16_check)),
    FileCase("rgb16_png", "rgb16.png", _rgb16_png, ok(_equal(_expected_rgb16()))),
    FileCase("int32_tiff_0_255", "i32.tif", _pil(np.arange(480, dtype=np.int32).reshape(20, 24) % 256, mode="I"),
             refused("32-bit integer pixels (values from 0 to 255)")),
    FileCase("int32_tiff_large", "i32big.tif", _pil(np.arange(480, dtype=np.int32).reshape(20, 24) * 4_000_000, mode="I"),
             refused("32-bit integer pixels")),
    FileCase("float32_tiff", "f32.tif", _pil(np.linspace(0, 1, 480, dtype=np.float32).reshape(20, 24), mode="F"),
             refused("32-bit floating-point")),
    FileCase("palette", "pal.png", _palette, ok(_equal(_expected_palette(False)))),
    FileCase("palette_transparent", "paltr.png", lambda p: _palette(p, True), ok(_equal(_expected_palette(True)))),
    FileCase("grey_alpha", "la.png", _grey_alpha, ok(_equal(_expected_la()))),
    FileCase("rgba", "rgba.png", _rgba, ok(_equal(_expected_rgba()))),
    FileCase("cmyk_jpeg", "cmyk.jpg", _cmyk, ok(_cmyk_check), constant=True),
    FileCase("animated_gif", "anim.gif", _gif, ok(_gif_check), constant=True),
    FileCase("one_bit", "bits.png", lambda p: Image.fromarray(_bits()).save(p),
             ok(_equal((_bits() * 255).astype(np.uint8)[..., None]))),
    FileCase("grey8", "grey.png", _pil(NOISE[..., 0]), ok(_equal(NOISE[..., :1]))),
    FileCase("grey_jpeg", "grey.jpg", _pil(SMOOTH[..., 0], quality=95), ok(_close(SMOOTH[..., :1], 3))),
    FileCase("exif_rotated_jpeg", "rotated.jpg", _exif_rotated, ok(_close(np.rot90(SMOOTH, -1), 4))),
    FileCase("multipage_tiff", "pages.tif", _multipage_tiff, ok(_equal(NOISE))),
    FileCase("bmp", "plain.bmp", _pil(NOISE), ok(_equal(NOISE))),
    FileCase("webp_lossless", "plain.webp", _pil(NOISE, lossless=True), ok(_equal(NOISE))),
    FileCase("tiff", "plain.tif", _pil(NOISE), ok(_equal(NOISE))),
    # not files
    FileCase("folder_named_png", "folder.png", lambda p: p.mkdir(), refused("is a folder, not an image")),
    FileCase("missing_file", "missing.png", lambda p: None, refused("no such file")),
]


def write_file(case: FileCase, folder: Path) -> Path:
    """Write ``case``'s file into ``folder`` (created if needed) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / case.filename
    case.make(path)
    return path


def _decoded(case: FileCase) -> np.ndarray | None:
    """What read_image must return for ``case`` (None for a refused file), from the case's own check."""
    if case.read.kind != OK:
        return None
    from srkit.io import read_image

    with tempfile.TemporaryDirectory() as d:
        return read_image(write_file(case, Path(d)))


# --------------------------------------------------------------------------------------------------
# Arrays
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ArrayCase:
    """An array given to the Python API, and what each entry point must do with it (see ARRAY_ENTRIES)."""

    name: str
    make: Callable[[], np.ndarray]
    expect: dict = field(default_factory=dict)


def _u8(h=24, w=20, seed=1):
    """A smooth colour image with mild noise (networks and bicubic agree on it closely)."""
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 200 / w + 30, y * 180 / h + 40, (x + y) * 100 / (h + w) + 80], axis=-1)
    return np.clip(base + np.random.default_rng(seed).normal(0, 4, base.shape), 0, 255).round().astype(np.uint8)


def _const(h, w, c=3):
    return np.broadcast_to(COLOUR[:c], (h, w, c)).copy()


def _same_as(reference: Callable[[], np.ndarray], atol: float = 0.0, scale_by: float = 1.0) -> Callable:
    """Check: the result equals ``reference()`` (times ``scale_by``) to ``atol``."""
    def check(a):
        ref = np.asarray(reference(), np.float64) * scale_by
        a = np.asarray(a)
        assert a.shape == ref.shape, (a.shape, ref.shape)
        d = np.abs(a.astype(np.float64) - ref).max() if a.size else 0.0
        assert d <= atol, f"max difference {d:g} > {atol:g}"
    return check


def _constant_colour(colour, h, w, tol=2) -> Callable:
    def check(a):
        assert a.shape[:2] == (h, w), (a.shape, (h, w))
        assert np.abs(a.reshape(-1, a.shape[-1]).astype(int) - np.asarray(colour)).max() <= tol
    return check


BAD_DTYPE = "supports uint8 and float images"
NOT_FINITE = "NaN or infinite"

# Entry points for arrays, all at x2 (bursts x4): what each is called with is in run_array below.
ARRAY_ENTRIES = ("upscale", "interpolation", "keras", "degrade", "degrade_noise", "burst")


def _array_cases() -> list[ArrayCase]:
    from srkit import degrade

    u8 = _u8()
    up = lambda a, s=2: degrade.upscale(a, s, tile=None)  # noqa: E731 - the untiled reference
    cases = [
        ArrayCase("uint8_rgb", lambda: u8, {
            "upscale": ok(_same_as(lambda: up(u8))), "interpolation": ok(_same_as(lambda: up(u8))),
            "keras": ok(lambda a: _keras_check(a, u8)), "degrade": ok(_same_as(lambda: degrade.bicubic_downsample(u8, 2))),
            "degrade_noise": ok(lambda a: _close(degrade.bicubic_downsample(u8, 2), 6)(a)),
            "burst": ok(lambda a: _burst_check(a, u8))}),
        ArrayCase("float_0_1", lambda: u8 / 255.0, {
            "upscale": ok(_same_as(lambda: up(u8.astype(np.float64)), 1e-9, 1 / 255)),
            "interpolation": ok(_same_as(lambda: up(u8.astype(np.float64)), 1e-9, 1 / 255)),
            "keras": ok(lambda a: _KERAS_REF(u8, a)),
            "degrade": ok(_same_as(lambda: degrade.bicubic_downsample(u8.astype(np.float64), 2), 1e-9, 1 / 255)),
            "degrade_noise": refused("need a uint8 image"),
            "burst": ok(lambda a: _burst_check(a, u8))}),
        ArrayCase("float_0_255", lambda: u8.astype(np.float64), {
            "upscale": ok(_same_as(lambda: up(u8.astype(np.float64)))),  # the range is kept: floats are linear
            "interpolation": ok(_same_as(lambda: up(u8.astype(np.float64)))),
            "keras": refused("looks like 0-255: divide by 255"),
            "degrade": ok(_same_as(lambda: degrade.bicubic_downsample(u8.astype(np.float64), 2))),
            "degrade_noise": refused("need a uint8 image"),
            "burst": refused("looks like 0-255: divide by 255")}),
        ArrayCase("float_with_nan", lambda: _poisoned(u8, np.nan), {
            e: refused(NOT_FINITE) for e in ARRAY_ENTRIES}),
        ArrayCase("float_with_inf", lambda: _poisoned(u8, -np.inf), {
            e: refused(NOT_FINITE) for e in ARRAY_ENTRIES}),
        ArrayCase("bool", lambda: u8 > 128, {**{e: refused(BAD_DTYPE) for e in ARRAY_ENTRIES},
                                             "keras": refused(BAD_DTYPE), "burst": refused("uint8 (0-255) or float")}),
        ArrayCase("int64_0_255", lambda: u8.astype(np.int64), {**{e: refused(BAD_DTYPE) for e in ARRAY_ENTRIES},
                                                               "burst": refused("uint8 (0-255) or float")}),
        ArrayCase("empty_0x20", lambda: np.zeros((0, 20, 3), np.uint8), {
            "upscale": refused("empty image"), "interpolation": refused("shape (0, 20, 3)"),
            "keras": refused("shape (0, 20, 3)"), "degrade": refused("empty image"), "degrade_noise": refused("empty image"),
            "burst": refused("at least 8x8")}),
        ArrayCase("4d_batch", lambda: u8[None], {
            "upscale": refused("(H, W) or (H, W, C)"), "interpolation": refused("(H, W) or (H, W, C)"),
            "keras": refused("(H, W) or (H, W, C)"), "degrade": refused("one (H, W) or (H, W, C) image"),
            "degrade_noise": refused("one (H, W) or (H, W, C) image"), "burst": refused("needs 5 frames")}),
        ArrayCase("2_channels", lambda: u8[..., :2], {
            "upscale": ok(_same_as(lambda: up(u8)[..., :2])), "interpolation": ok(_same_as(lambda: up(u8)[..., :2])),
            "keras": refused("got 2 channels"), "degrade": ok(_same_as(lambda: degrade.bicubic_downsample(u8, 2)[..., :2])),
            "degrade_noise": ok(lambda a: _close(degrade.bicubic_downsample(u8, 2)[..., :2], 6)(a)),
            "burst": refused("grey (1 channel) or RGB (3)")}),
        ArrayCase("4_channels_rgba", lambda: np.concatenate([u8, u8[..., :1]], axis=2), {
            "upscale": ok(_same_as(lambda: up(np.concatenate([u8, u8[..., :1]], axis=2)))),
            "interpolation": ok(_same_as(lambda: up(np.concatenate([u8, u8[..., :1]], axis=2)))),
            "keras": refused("Drop the alpha channel"),
            "degrade": ok(_same_as(lambda: degrade.bicubic_downsample(np.concatenate([u8, u8[..., :1]], axis=2), 2))),
            "degrade_noise": ok(lambda a: _close(degrade.bicubic_downsample(np.concatenate([u8, u8[..., :1]], axis=2),
                                                                     2), 6)(a)),
            "burst": refused("Drop the alpha channel")}),
        ArrayCase("grey_2d", lambda: u8[..., 0], {
            "upscale": ok(_same_as(lambda: up(u8[..., 0]))), "interpolation": ok(_same_as(lambda: up(u8[..., 0]))),
            "keras": ok(lambda a: _keras_check(a, u8[..., :1])),
            "degrade": ok(_same_as(lambda: degrade.bicubic_downsample(u8[..., 0], 2))),
            "degrade_noise": ok(lambda a: _close(degrade.bicubic_downsample(u8[..., 0], 2), 6)(a)),
            "burst": ok(lambda a: _burst_check(a, u8[..., :1]))}),
        ArrayCase("1x1", lambda: _const(1, 1), {
            "upscale": ok(_constant_colour(COLOUR, 2, 2, 0)), "interpolation": ok(_constant_colour(COLOUR, 2, 2, 0)),
            "keras": ok(_constant_colour(COLOUR, 2, 2)), "degrade": refused("smaller than the scale factor 2"),
            "degrade_noise": refused("smaller than the scale factor 2"), "burst": refused("at least 8x8")}),
        ArrayCase("1x40_row", lambda: _const(1, 40), {
            "upscale": ok(_constant_colour(COLOUR, 2, 80, 0)), "interpolation": ok(_constant_colour(COLOUR, 2, 80, 0)),
            "keras": ok(_constant_colour(COLOUR, 2, 80)), "degrade": refused("smaller than the scale factor 2"),
            "degrade_noise": refused("smaller than the scale factor 2"), "burst": refused("at least 8x8")}),
        ArrayCase("40x1_column", lambda: _const(40, 1), {
            "upscale": ok(_constant_colour(COLOUR, 80, 2, 0)), "interpolation": ok(_constant_colour(COLOUR, 80, 2, 0)),
            "keras": ok(_constant_colour(COLOUR, 80, 2)), "degrade": refused("smaller than the scale factor 2"),
            "degrade_noise": refused("smaller than the scale factor 2"), "burst": refused("at least 8x8")}),
        ArrayCase("3x3_grey", lambda: np.full((3, 3, 1), 77, np.uint8), {
            "upscale": ok(_constant_colour([77], 6, 6, 0)), "interpolation": ok(_constant_colour([77], 6, 6, 0)),
            "keras": ok(_constant_colour([77], 6, 6)), "degrade": ok(_constant_colour([77], 1, 1, 0)),
            "degrade_noise": ok(_close(np.full((1, 1, 1), 77), 20)), "burst": refused("at least 8x8")}),
    ]
    return cases


def _poisoned(u8: np.ndarray, value: float) -> np.ndarray:
    """``u8 / 255`` with one pixel set to ``value`` (NaN or infinity)."""
    a = u8 / 255.0
    a[3, 4, 1] = value
    return a


def _fail(detail):
    raise AssertionError(detail)


_MODELS: dict = {}


def _model(name: str, scale: int):
    if (name, scale) not in _MODELS:
        from srkit import zoo

        _MODELS[(name, scale)] = zoo.load(name, scale)
    return _MODELS[(name, scale)]


def _KERAS_REF(u8: np.ndarray, a: np.ndarray) -> None:  # noqa: N802 - reads as a constant check
    """A float [0, 1] image gives exactly what its uint8 twin gives."""
    from srkit.infer import KerasUpscaler

    ref = KerasUpscaler(_model("espcn", 2), tile=8)(u8, 2)
    _equal(ref)(a)


def _keras_check(a: np.ndarray, u8: np.ndarray) -> None:
    """A network's result: tiled equals untiled (to one grey level of quantisation) and is close to bicubic."""
    from srkit import degrade
    from srkit.infer import KerasUpscaler

    whole = KerasUpscaler(_model("espcn", 2))(u8, 2)
    assert a.shape == whole.shape, (a.shape, whole.shape)
    assert np.abs(a.astype(int) - whole).max() <= 1
    _close(degrade.upscale(u8, 2), 6)(a)


def _burst_check(a: np.ndarray, u8: np.ndarray) -> None:
    """A burst of five copies of one image: the SR luma is close to the bicubic luma of that image."""
    from srkit import degrade
    from srkit.metrics import to_y_channel

    ref = to_y_channel(degrade.upscale(u8, 4)) / 255.0
    assert a.shape == ref.shape[:2], (a.shape, ref.shape)
    d = np.abs(a - ref.reshape(a.shape)).mean() * 255
    assert d < 12, f"mean difference {d:.1f} grey levels from bicubic"


def run_array(entry: str, array: np.ndarray):
    """Call the Python entry point ``entry`` on ``array`` (x2; bursts: five copies, x4)."""
    from srkit import burst, degrade
    from srkit.infer import InterpolationUpscaler, KerasUpscaler

    if entry == "upscale":
        return degrade.upscale(array, 2, tile=8)
    if entry == "interpolation":
        return InterpolationUpscaler("bicubic", tile=8)(array, 2)
    if entry == "keras":
        return KerasUpscaler(_model("espcn", 2), tile=8)(array, 2)
    if entry == "degrade":
        return degrade.Degradation(2)(array)
    if entry == "degrade_noise":
        return degrade.Degradation(2, noise_sigma=5)(array, rng=0)
    if entry == "burst":
        frames = array if array.ndim == 4 else [array] * 5
        return burst.upscale_burst(_model("multiframe_rnn", 4), frames, scale=4, tile=8)
    raise KeyError(entry)


# predict_tiled on its own: a run function (the network) and its arguments.
def _upsample(k):
    def run(rows, cols):
        return np.kron(np.ones((rows.stop - rows.start, cols.stop - cols.start)), np.ones((k, k)))
    return run


def _tiled_cases():
    from srkit.infer import predict_tiled

    return [
        ("odd_size_small_tiles", lambda: predict_tiled(_upsample(3), (17, 5), tile=4, overlap=2),
         ok(lambda a: a.shape == (51, 15) and np.all(a == 1) or _fail(a.shape))),
        ("1x1_image", lambda: predict_tiled(_upsample(2), (1, 1), tile=4, overlap=2),
         ok(lambda a: a.shape == (2, 2) and np.all(a == 1) or _fail(a.shape))),
        ("empty_image", lambda: predict_tiled(_upsample(2), (0, 7), tile=4), refused("empty 0x7 image")),
        ("tile_0", lambda: predict_tiled(_upsample(2), (8, 8), tile=0), refused("tile must be a positive whole number")),
        ("tile_2.5", lambda: predict_tiled(_upsample(2), (8, 8), tile=2.5), refused("got 2.5")),
        ("tile_true", lambda: predict_tiled(_upsample(2), (8, 8), tile=True), refused("got True")),
        ("overlap_negative", lambda: predict_tiled(_upsample(2), (8, 8), tile=4, overlap=-1), refused("overlap must be")),
        ("window_larger_than_image", lambda: predict_tiled(_upsample(2), (8, 8), window=16), refused("at least 16x16")),
        ("non_integer_factor", lambda: predict_tiled(lambda r, c: np.zeros((3, 3)), (2, 2)),
         refused("not one whole upscaling factor")),
        ("factor_changes_between_tiles",
         lambda: predict_tiled(lambda r, c: _upsample(2 if r.start == 0 else 3)(r, c), (8, 4), tile=4),
         refused("upscaled one tile x2 and another x3")),
        ("result_over_the_limit", lambda: predict_tiled(_upsample(8), (4000, 3000), tile=2),
         refused("more than the kit's limit of 400,000,000")),
    ]


# --------------------------------------------------------------------------------------------------
# Running the cases
# --------------------------------------------------------------------------------------------------
def judge(expect: Expect, call: Callable) -> tuple[str, str]:
    """Run ``call()`` and classify what happened against ``expect``: (outcome, detail)."""
    from srkit.errors import SrkitError

    try:
        result = call()
    except SrkitError as e:
        if expect.kind == ERROR and expect.words in str(e):
            return ERROR, str(e)
        return ("unclear" if expect.kind == ERROR else "wrong"), f"{type(e).__name__}: {e}"
    except Exception:  # noqa: BLE001 - anything else is a traceback the user was not meant to see
        return "traceback", traceback.format_exc()
    if expect.kind == ERROR:
        return "wrong", f"no error, got a result ({getattr(result, 'shape', result)})"
    try:
        if expect.check is not None:
            expect.check(result)
    except AssertionError as e:
        return "wrong", f"check failed: {e}"
    return OK, ""


def run_cli(argv: list[str]) -> tuple[int | None, str, str]:
    """``srkit ARGV`` in this process: (exit status, stdout, stderr); status None if it raised."""
    from srkit.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as e:
            rc = e.code
        except Exception:  # noqa: BLE001
            err.write(traceback.format_exc())
            rc = None
    return rc, out.getvalue(), err.getvalue()


def judge_cli(expect: Expect, argv: list[str], output: Path | None, result: Callable[[], np.ndarray]):
    """Run ``srkit ARGV`` and classify it: a clear error is exit status 2, ``srkit CMD: error:`` and the
    expected words on stderr, no traceback and no ``output`` file; a correct result is exit status 0 and
    ``result()`` (reading what was written) passing the check."""
    rc, _, err = run_cli(argv)
    if rc is None or "Traceback" in err:
        return "traceback", err
    if expect.kind == ERROR:
        if rc == 2 and err.startswith(f"srkit {argv[0]}: error: ") and expect.words in err and \
                (output is None or not output.exists()):
            return ERROR, err.strip()
        return ("unclear" if rc == 2 else "wrong"), f"exit {rc}: {err.strip()}"
    if rc != 0:
        return "wrong", f"exit {rc}: {err.strip()}"
    return judge(expect, result)


def cli_expectations(case: FileCase) -> dict[str, Expect]:
    """What ``srkit upscale`` (bicubic, and a network for tiny constant images), ``srkit degrade`` and
    ``srkit evaluate`` must do with ``case``'s file."""
    from srkit import degrade

    if case.read.kind == ERROR:
        same = refused(case.read.words)
        # a benchmark whose LR file is missing is named as such
        return {"upscale_bicubic": same, "degrade": same,
                "evaluate": refused("is missing (the LR of") if case.name == "missing_file" else same}
    arr = _decoded(case)
    out = {"upscale_bicubic": ok(_equal(degrade.upscale(arr, 2, tile=None)))}
    if min(arr.shape[:2]) < 2:
        out["degrade"] = refused("smaller than the scale factor 2")
    else:
        out["degrade"] = ok(_equal(degrade.bicubic_downsample(arr, 2)))
    # the benchmark's HR is 2h x 2w; the paper protocol shaves 2 pixels per side and SSIM needs 11x11
    hr_h, hr_w = 2 * arr.shape[0], 2 * arr.shape[1]
    if Path(case.filename).suffix.lower() not in (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"):
        out["evaluate"] = refused("contains no images (looked for")
    elif min(hr_h, hr_w) <= 4:
        out["evaluate"] = refused(f"Image of size {hr_h}x{hr_w} is too small to shave 2 pixels per side")
    elif min(hr_h, hr_w) - 4 < 11:
        out["evaluate"] = refused("SSIM needs at least 11x11 pixels after cropping")
    else:
        out["evaluate"] = ok(_evaluate_check)
    if case.constant:
        colour = arr.reshape(-1, arr.shape[2])[0]
        out["upscale_espcn"] = ok(_constant_colour(colour, 2 * arr.shape[0], 2 * arr.shape[1]))
    return out


def _evaluate_check(rows):
    """The evaluated benchmark is the file (LR) and its own bicubic x2 (HR): identical, PSNR infinite (null)."""
    assert len(rows) == 1 and rows[0]["images"] == 1, rows
    assert rows[0]["psnr"] is None, rows  # identical images: infinite PSNR, written as null


def run_file_entry(case: FileCase, entry: str, folder: Path):
    """Classify what ``entry`` (read_image or a command) does with ``case``'s file, written in ``folder``."""
    from srkit import degrade
    from srkit.io import read_image, save_image

    folder.mkdir(parents=True, exist_ok=True)
    path = write_file(case, folder / "in")
    out = folder / "out.png"
    if entry == "read_image":
        return judge(case.read, lambda: read_image(path))
    expect = cli_expectations(case)[entry]
    if entry == "upscale_bicubic":
        return judge_cli(expect, ["upscale", str(path), str(out), "--model", "bicubic", "--scale", "2", "--tile", "4"],
                         out, lambda: read_image(out))
    if entry == "upscale_espcn":
        return judge_cli(expect, ["upscale", str(path), str(out), "--model", "espcn", "--scale", "2", "--tile", "8"],
                         out, lambda: read_image(out))
    if entry == "degrade":
        return judge_cli(expect, ["degrade", str(path), str(out), "--scale", "2"], out, lambda: read_image(out))
    if entry == "evaluate":
        # a one-image benchmark: the file is its LR, and the file's bicubic x2 its HR
        root = folder / "data" / "benchmark" / "Corpus"
        (root / "LR_bicubic" / "X2").mkdir(parents=True)
        (root / "HR").mkdir()
        name = case.filename
        lr_path = root / "LR_bicubic" / "X2" / name
        if path.is_dir():
            lr_path.mkdir()
        elif path.exists():
            lr_path.write_bytes(path.read_bytes())
        hr_arr = degrade.upscale(read_image(path), 2) if case.read.kind == OK else np.zeros((40, 48, 3), np.uint8)
        save_image(folder / "hr.png", hr_arr)
        (root / "HR" / name).write_bytes((folder / "hr.png").read_bytes())
        js = folder / "scores.json"
        old = os.environ.get("SRKIT_DATA")
        os.environ["SRKIT_DATA"] = str(folder / "data")
        try:
            return judge_cli(expect, ["evaluate", "bicubic", "--data", "Corpus", "--scale", "2", "--json", str(js)],
                             js, lambda: json.loads(js.read_text()))
        finally:
            if old is None:
                os.environ.pop("SRKIT_DATA")
            else:
                os.environ["SRKIT_DATA"] = old
    raise KeyError(entry)


FILE_ENTRIES = ("read_image", "upscale_bicubic", "upscale_espcn", "degrade", "evaluate")


def file_pairs() -> list[tuple[FileCase, str]]:
    """Every (file case, entry point) pair that has an expectation."""
    pairs = []
    for case in FILE_CASES:
        for entry in FILE_ENTRIES:
            if entry == "upscale_espcn" and not case.constant:
                continue
            pairs.append((case, entry))
    return pairs


def array_pairs() -> list[tuple[ArrayCase, str]]:
    """Every (array case, entry point) pair."""
    return [(case, entry) for case in _array_cases() for entry in ARRAY_ENTRIES if entry in case.expect]


def expected_counts() -> dict:
    """How many runs the case tables expect to end in a correct result and in a clear error."""
    kinds = []
    for case, entry in file_pairs():
        kinds.append(case.read.kind if entry == "read_image" else cli_expectations(case)[entry].kind)
    kinds += [case.expect[entry].kind for case, entry in array_pairs()]
    kinds += [expect.kind for _, _, expect in _tiled_cases()]
    return {"runs": len(kinds), OK: kinds.count(OK), ERROR: kinds.count(ERROR)}


def run_all(folder: Path) -> dict:
    """Run every case through every entry point; returns the counts and the failures."""
    results = []
    for i, (case, entry) in enumerate(file_pairs()):
        results.append(("file", case.name, entry, case.read.kind if entry == "read_image" else None,
                        run_file_entry(case, entry, folder / f"f{i}")))
    for case, entry in array_pairs():
        results.append(("array", case.name, entry, None, judge(case.expect[entry], lambda: run_array(entry, case.make()))))
    for name, call, expect in _tiled_cases():
        results.append(("tiling", name, "predict_tiled", None, judge(expect, call)))
    counts = {k: 0 for k in OUTCOMES}
    for *_, (outcome, _) in results:
        counts[outcome] += 1
    return {
        "file_cases": len(FILE_CASES), "array_cases": len(_array_cases()), "tiling_cases": len(_tiled_cases()),
        "runs": len(results), "outcomes": counts,
        "failures": [f"{kind} {name} via {entry}: {outcome}: {detail[-300:]}"
                     for kind, name, entry, _, (outcome, detail) in results if outcome not in (OK, ERROR)],
    }


def main(argv=None) -> int:
    """Print the corpus counts (``--json PATH`` also writes them); exit status 1 if any run failed."""
    import argparse

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", metavar="PATH")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        summary = run_all(Path(d))
    o = summary["outcomes"]
    print(f"{summary['file_cases']} generated files, {summary['array_cases']} arrays, {summary['tiling_cases']} "
          f"tiling set-ups: {summary['runs']} runs through the entry points")
    print(f"  correct result: {o[OK]}   clear error: {o[ERROR]}   traceback: {o['traceback']}   "
          f"silently wrong: {o['wrong']}   unclear error: {o['unclear']}")
    for line in summary["failures"]:
        print("  FAILED", line)
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1) + "\n")
    return 0 if not summary["failures"] else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
