"""Tests for srkit.io: the read_image policy for every kind of file, the refusals, and save_image."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from srkit.errors import ImageReadError, ImageTooLargeError, ShapeError, SrkitError
from srkit.io import DEFAULT_MAX_PIXELS, IMAGE_EXTENSIONS, read_image, save_image, to_uint8


@pytest.fixture
def rgb():
    """A 13x17 colour image with varied values (odd sizes catch height/width mix-ups)."""
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(13, 17, 3), dtype=np.uint8)


def _smooth_rgb(h=32, w=48):
    """A smooth image, so that lossy codecs reproduce it closely."""
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 255 // (w - 1), y * 255 // (h - 1), np.full((h, w), 128)], axis=-1).astype(np.uint8)


# --------------------------------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("ext", [".png", ".bmp", ".tif", ".tiff"])
def test_lossless_rgb_formats_read_back_exactly(tmp_path, rgb, ext):
    path = tmp_path / f"im{ext}"
    Image.fromarray(rgb).save(path)
    out = read_image(path)
    assert out.dtype == np.uint8
    assert out.shape == (13, 17, 3)
    np.testing.assert_array_equal(out, rgb)


@pytest.mark.parametrize("ext", [".jpg", ".jpeg", ".webp"])
def test_lossy_rgb_formats_read_as_uint8_rgb(tmp_path, ext):
    src = _smooth_rgb()
    path = tmp_path / f"im{ext}"
    Image.fromarray(src).save(path, quality=95)
    out = read_image(path)
    assert out.dtype == np.uint8
    assert out.shape == (32, 48, 3)
    # Lossy, but it is the same picture (not, e.g., transposed or channel-swapped).
    assert np.abs(out.astype(int) - src.astype(int)).mean() < 3


def test_all_documented_extensions_are_lowercase_with_dot():
    assert set(IMAGE_EXTENSIONS) >= {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}
    assert all(e.startswith(".") and e == e.lower() for e in IMAGE_EXTENSIONS)


# --------------------------------------------------------------------------------------------------
# Pixel modes
# --------------------------------------------------------------------------------------------------
def test_grey_stays_single_channel(tmp_path):
    grey = np.arange(12 * 10, dtype=np.uint8).reshape(12, 10)
    path = tmp_path / "grey.png"
    Image.fromarray(grey, mode="L").save(path)
    out = read_image(path)
    assert out.shape == (12, 10, 1)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out[..., 0], grey)


def test_one_bit_image_becomes_0_and_255(tmp_path):
    bits = np.zeros((6, 9), dtype=bool)
    bits[::2, 1::3] = True
    im = Image.fromarray(bits.astype(np.uint8) * 255, mode="L").convert("1")
    assert im.mode == "1"
    path = tmp_path / "bits.png"
    im.save(path)
    out = read_image(path)
    assert out.shape == (6, 9, 1)
    assert out.dtype == np.uint8
    assert set(np.unique(out)) == {0, 255}
    np.testing.assert_array_equal(out[..., 0] == 255, bits)


def test_palette_image_expands_to_rgb(tmp_path):
    palette = [255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * (256 * 3 - 9)
    idx = np.array([[0, 1, 2], [2, 1, 0]], dtype=np.uint8)
    im = Image.fromarray(idx, mode="P")
    im.putpalette(palette)
    path = tmp_path / "pal.png"
    im.save(path)
    assert Image.open(path).mode == "P"
    out = read_image(path)
    assert out.shape == (2, 3, 3)
    colours = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255]], dtype=np.uint8)
    np.testing.assert_array_equal(out, colours[idx])


def test_palette_with_only_grey_entries_is_single_channel(tmp_path):
    levels = [0, 60, 200]
    palette = [v for g in levels for v in (g, g, g)] + [0] * (256 * 3 - 9)
    idx = np.array([[0, 1, 2, 1], [2, 2, 0, 1]], dtype=np.uint8)
    im = Image.fromarray(idx, mode="P")
    im.putpalette(palette)
    path = tmp_path / "greypal.png"
    im.save(path)
    assert Image.open(path).mode == "P"
    out = read_image(path)
    assert out.shape == (2, 4, 1)
    np.testing.assert_array_equal(out[..., 0], np.array(levels, dtype=np.uint8)[idx])


def test_rgba_is_composited_on_white(tmp_path):
    rgba = np.zeros((2, 3, 4), dtype=np.uint8)
    rgba[0, 0] = (10, 20, 30, 0)  # fully transparent: becomes white
    rgba[0, 1] = (10, 20, 30, 255)  # opaque: unchanged
    rgba[0, 2] = (0, 0, 0, 128)  # half-transparent black over white: about mid grey
    rgba[1] = (200, 100, 50, 255)
    path = tmp_path / "rgba.png"
    Image.fromarray(rgba, mode="RGBA").save(path)
    out = read_image(path)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out[0, 0], [255, 255, 255])
    np.testing.assert_array_equal(out[0, 1], [10, 20, 30])
    assert np.all(np.abs(out[0, 2].astype(int) - 127) <= 1)
    np.testing.assert_array_equal(out[1], np.tile([200, 100, 50], (3, 1)))


def test_grey_with_alpha_is_single_channel_on_white(tmp_path):
    la = np.zeros((2, 2, 2), dtype=np.uint8)
    la[0, 0] = (40, 0)  # transparent -> white
    la[0, 1] = (40, 255)  # opaque -> unchanged
    la[1] = (90, 255)
    path = tmp_path / "la.png"
    Image.fromarray(la, mode="LA").save(path)
    out = read_image(path)
    assert out.shape == (2, 2, 1)
    np.testing.assert_array_equal(out[..., 0], [[255, 40], [90, 90]])


def test_palette_with_transparency_is_composited_on_white(tmp_path):
    palette = [255, 0, 0, 0, 0, 255] + [0] * (256 * 3 - 6)
    idx = np.array([[0, 1], [1, 0]], dtype=np.uint8)
    im = Image.fromarray(idx, mode="P")
    im.putpalette(palette)
    path = tmp_path / "paltrans.png"
    im.save(path, transparency=1)  # entry 1 (blue) is fully transparent
    out = read_image(path)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out[0, 0], [255, 0, 0])
    np.testing.assert_array_equal(out[0, 1], [255, 255, 255])


def test_sixteen_bit_grey_is_scaled_to_eight_bits(tmp_path):
    a = np.array([[0, 257 * 100, 65535], [128, 129, 257 * 37 + 100]], dtype=np.uint16)
    path = tmp_path / "g16.png"
    Image.fromarray(a).save(path)
    assert Image.open(path).mode.startswith("I")
    out = read_image(path)
    assert out.dtype == np.uint8
    assert out.shape == (2, 3, 1)
    # round(v / 257): 128/257 = 0.498 -> 0, 129/257 = 0.502 -> 1, (257*37+100)/257 = 37.39 -> 37
    np.testing.assert_array_equal(out[..., 0], [[0, 100, 255], [0, 1, 37]])


def test_cmyk_jpeg_becomes_rgb(tmp_path):
    path = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (8, 5), (0, 0, 0, 0)).save(path, quality=95)
    out = read_image(path)
    assert out.shape == (5, 8, 3)
    assert out.min() >= 250  # no ink is white


def test_exif_orientation_is_applied(tmp_path):
    # 40 wide, 20 high, left half red and right half blue; orientation 6 = rotate 90 degrees clockwise
    src = np.zeros((20, 40, 3), dtype=np.uint8)
    src[:, :20] = (255, 0, 0)
    src[:, 20:] = (0, 0, 255)
    im = Image.fromarray(src)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "rotated.jpg"
    im.save(path, exif=exif, quality=95)
    out = read_image(path)
    assert out.shape == (40, 20, 3)
    # After a clockwise rotation the left (red) half is at the top.
    assert out[5, 10, 0] > 200 and out[5, 10, 2] < 50
    assert out[35, 10, 2] > 200 and out[35, 10, 0] < 50


def test_multi_frame_gif_reads_first_frame(tmp_path):
    path = tmp_path / "anim.gif"
    frames = [Image.new("RGB", (6, 4), c) for c in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    out = read_image(path)
    assert out.shape == (4, 6, 3)
    assert np.all(out == [255, 0, 0])


def test_float_tiff_is_refused(tmp_path):
    path = tmp_path / "float.tif"
    Image.fromarray(np.linspace(0, 1, 20, dtype=np.float32).reshape(4, 5)).save(path)
    assert Image.open(path).mode == "F"
    with pytest.raises(ImageReadError, match="floating-point"):
        read_image(path)


# --------------------------------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------------------------------
def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ImageReadError, match="no such file"):
        read_image(tmp_path / "nope.png")


def test_errors_are_also_builtin_exceptions(tmp_path):
    with pytest.raises(ValueError):
        read_image(tmp_path / "nope.png")
    with pytest.raises(SrkitError):
        read_image(tmp_path / "nope.png")


def test_directory_is_refused(tmp_path):
    with pytest.raises(ImageReadError, match="folder"):
        read_image(tmp_path)


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(ImageReadError, match="empty"):
        read_image(path)


def test_text_file_named_png_is_refused(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("these are my notes, not a picture\n" * 10)
    with pytest.raises(ImageReadError, match="not an image"):
        read_image(path)


def test_truncated_png_is_refused(tmp_path):
    full = tmp_path / "full.png"
    big = np.random.default_rng(1).integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    Image.fromarray(big).save(full)
    data = full.read_bytes()
    cut = tmp_path / "cut.png"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageReadError, match="truncated"):
        read_image(cut)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny, valid-looking PNG whose header declares width x height 8-bit RGB pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 100)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding(tmp_path, monkeypatch):
    import PIL.ImageFile

    path = tmp_path / "bomb.png"
    path.write_bytes(_bomb_png(60000, 60000))
    assert path.stat().st_size < 1000
    data = path.read_bytes()
    assert data[12:16] == b"IHDR" and struct.unpack(">II", data[16:24]) == (60000, 60000)

    decoded = []
    original_load = PIL.ImageFile.ImageFile.load

    def spy_load(self, *args, **kwargs):
        decoded.append(self.size)
        return original_load(self, *args, **kwargs)

    monkeypatch.setattr(PIL.ImageFile.ImageFile, "load", spy_load)
    limit_before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(ImageTooLargeError, match="decompression bomb") as info:
        read_image(path)
    assert "60000x60000" in str(info.value)
    assert decoded == []  # refused from the header alone
    assert Image.MAX_IMAGE_PIXELS == limit_before  # Pillow's global limit is restored
    assert isinstance(info.value, ImageReadError)


def test_max_pixels_limit_and_lifting_it(tmp_path):
    path = tmp_path / "twenty.png"
    img = np.full((20, 20, 3), 77, dtype=np.uint8)
    Image.fromarray(img).save(path)
    with pytest.raises(ImageTooLargeError, match="max_pixels"):
        read_image(path, max_pixels=100)
    np.testing.assert_array_equal(read_image(path, max_pixels=400), img)  # exactly at the limit is fine
    np.testing.assert_array_equal(read_image(path, max_pixels=None), img)
    assert DEFAULT_MAX_PIXELS == 100_000_000


# --------------------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------------------
def test_save_uint8_round_trip(tmp_path, rgb):
    path = save_image(tmp_path / "sub" / "out.png", rgb)
    assert path.exists() and path.parent.name == "sub"
    np.testing.assert_array_equal(read_image(path), rgb)


def test_save_float_is_scaled_and_rounded(tmp_path):
    f = np.array([[0.0, 1.0, 100.4 / 255], [100.6 / 255, 0.5, 1.7]], dtype=np.float64)
    f = np.stack([f, f, f], axis=-1)
    path = save_image(tmp_path / "f.png", f)
    out = read_image(path)
    expected = np.array([[0, 255, 100], [101, 128, 255]], dtype=np.uint8)  # 127.5 -> 128, 1.7 clipped
    np.testing.assert_array_equal(out[..., 0], expected)
    np.testing.assert_array_equal(out, np.stack([expected] * 3, axis=-1))


@pytest.mark.parametrize("shape", [(7, 5, 1), (7, 5)])
def test_single_channel_is_saved_as_grey(tmp_path, shape):
    a = np.arange(35, dtype=np.uint8).reshape(shape)
    path = save_image(tmp_path / "g.png", a)
    with Image.open(path) as im:
        assert im.mode == "L"
    out = read_image(path)
    assert out.shape == (7, 5, 1)
    np.testing.assert_array_equal(out[..., 0], a.reshape(7, 5))


def test_save_refuses_bad_shapes_and_extensions(tmp_path):
    with pytest.raises(ShapeError):
        save_image(tmp_path / "x.png", np.zeros((4, 4, 2), dtype=np.uint8))
    with pytest.raises(ValueError, match="extension"):
        save_image(tmp_path / "x.nonsense", np.zeros((4, 4, 3), dtype=np.uint8))


def test_to_uint8():
    u = np.array([[1, 2]], dtype=np.uint8)
    assert to_uint8(u) is u
    np.testing.assert_array_equal(to_uint8(np.array([-0.2, 0.0, 0.5, 1.0, 3.0])), [0, 0, 128, 255, 255])
    with pytest.raises(ShapeError, match="NaN"):
        to_uint8(np.array([0.1, np.nan]))
    with pytest.raises(ShapeError):
        to_uint8(np.array([0.1, np.inf]))
    with pytest.raises(ShapeError, match="dtype"):
        to_uint8(np.array([1, 2], dtype=np.int64))


# --------------------------------------------------------------------------------------------------
# Known bugs
# --------------------------------------------------------------------------------------------------
def test_too_large_message_states_the_real_limit(tmp_path):
    path = tmp_path / "twenty.png"
    Image.fromarray(np.zeros((20, 20, 3), dtype=np.uint8)).save(path)
    with pytest.raises(ImageTooLargeError) as info:
        read_image(path, max_pixels=100)
    message = str(info.value)
    assert "limit of 0" not in message
    assert "100" in message and "400" in message


def test_grey_palette_with_transparency_stays_single_channel(tmp_path):
    idx = np.array([[0, 1], [1, 0]], dtype=np.uint8)
    im = Image.fromarray(idx, mode="P")
    im.putpalette([50, 50, 50, 200, 200, 200] + [0] * (256 * 3 - 6))
    path = tmp_path / "greypal_t.png"
    im.save(path, transparency=1)
    out = read_image(path)
    assert out.shape == (2, 2, 1)
    np.testing.assert_array_equal(out[..., 0], [[50, 255], [255, 50]])


@pytest.mark.parametrize("shape", [(37, 53, 3), (29, 41), (300, 7, 3)])
def test_streaming_png_writer_round_trips(tmp_path, monkeypatch, shape):
    import srkit.io as sio

    a = np.random.default_rng(5).integers(0, 256, size=shape, dtype=np.uint8)
    monkeypatch.setattr(sio, "STREAMING_PNG_PIXELS", 10)  # force the row-by-row writer
    path = sio.save_image(tmp_path / "big.png", a)
    back = sio.read_image(path)
    np.testing.assert_array_equal(back, a if a.ndim == 3 else a[..., None])
