"""decode_image on real files of every mode/format: shape, colour, orientation, failure reasons."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dcgan.data.decode import UnreadableImage, decode_image

S = 16
BIG = 178_956_970
RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def gradient(width: int = 24, height: int = 20) -> np.ndarray:
    """A non-constant uint8 test pattern so resampling has something to do."""
    return (np.add.outer(np.arange(height), np.arange(width)) * 5 % 256).astype(np.uint8)


def rgb() -> Image.Image:
    return Image.fromarray(np.dstack([gradient()] * 3))


def make_p_transparent() -> Image.Image:
    img = Image.fromarray(np.array([[0, 1], [1, 0]], np.uint8)).convert("P")
    img.putpalette([0, 0, 0, 200, 100, 50] + [0] * 762)
    img.info["transparency"] = 0
    return img


MODES = {
    "L.png": lambda: Image.fromarray(gradient()),
    "LA.png": lambda: Image.merge("LA", [Image.fromarray(gradient())] * 2),
    "RGB.jpg": lambda: rgb(),
    "RGBA.png": lambda: Image.fromarray(np.dstack([gradient()] * 4)),
    "P.png": make_p_transparent,
    "CMYK.jpg": lambda: Image.merge("CMYK", [Image.fromarray(gradient())] * 4),
    "I16.png": lambda: Image.fromarray(gradient().astype(np.uint16) * 257),
    "1.png": lambda: Image.fromarray(gradient() > 100),
    "F.tif": lambda: Image.fromarray(gradient().astype(np.float32) / 255),
    "RGB.webp": lambda: rgb(),
    "RGB.bmp": lambda: rgb(),
    "P.gif": lambda: rgb().convert("P"),
    "YCbCr.tiff": lambda: rgb().convert("YCbCr"),
    "LAB.tif": lambda: rgb().convert("LAB"),
    "I32.tif": lambda: Image.fromarray(gradient().astype(np.int32) * 70000),
}


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("name", sorted(MODES))
def test_every_mode_decodes(tmp_path: Path, name: str, channels: int) -> None:
    path = tmp_path / name
    MODES[name]().save(path)
    out = decode_image(path, S, channels, BIG)
    assert out.shape == (channels, S, S) and out.dtype == np.uint8
    assert out.flags.c_contiguous


def test_16bit_values_are_scaled(tmp_path: Path) -> None:
    path = tmp_path / "deep.png"
    Image.fromarray(np.full((8, 8), 257 * 100, np.uint16)).save(path)
    with Image.open(path) as img:
        assert img.mode.startswith("I")  # really stored as 16-bit
    assert np.all(decode_image(path, 8, 1, BIG) == 100)


def test_float_tiff_range(tmp_path: Path) -> None:
    unit, wide = tmp_path / "unit.tif", tmp_path / "wide.tif"
    Image.fromarray(np.full((8, 8), 0.5, np.float32)).save(unit)
    Image.fromarray(np.full((8, 8), 300.0, np.float32)).save(wide)
    assert np.all(decode_image(unit, 8, 1, BIG) == 128)
    assert np.all(decode_image(wide, 8, 1, BIG) == 255)


def test_alpha_is_composited_on_white(tmp_path: Path) -> None:
    path = tmp_path / "clear.png"
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(path)
    assert np.all(decode_image(path, 8, 3, BIG) == 255)
    assert np.all(decode_image(path, 8, 1, BIG) == 255)


def test_palette_transparency_is_white(tmp_path: Path) -> None:
    path = tmp_path / "p.png"
    img = Image.new("P", (8, 8), 0)
    img.putpalette([0, 0, 0] + [9] * 765)
    img.save(path, transparency=0)
    assert np.all(decode_image(path, 8, 3, BIG) == 255)


def two_halves(width: int, height: int, left: tuple, right: tuple) -> Image.Image:
    img = Image.new("RGB", (width, height), left)
    img.paste(right, (width // 2, 0, width, height))
    return img


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    two_halves(64, 32, RED, BLUE).save(path, exif=exif, quality=95)
    out = decode_image(path, S, 3, BIG).astype(int)
    top, bottom = out[:, 1, S // 2], out[:, -2, S // 2]
    assert top[0] > 200 and top[2] < 60, top  # left half (red) is now on top
    assert bottom[2] > 200 and bottom[0] < 60, bottom


def test_center_crop_keeps_middle(tmp_path: Path) -> None:
    path = tmp_path / "wide.png"
    img = Image.new("RGB", (96, 32), RED)
    img.paste(GREEN, (32, 0, 64, 32))
    img.paste(BLUE, (64, 0, 96, 32))
    img.save(path)
    out = decode_image(path, S, 3, BIG).astype(int)
    assert out[1].min() > 200, "middle third should fill the crop"
    assert out[0, :, 2:-2].max() < 30 and out[2, :, 2:-2].max() < 30


@pytest.mark.parametrize("size", [(1, 500), (500, 1), (1, 1), (3, 2)])
def test_extreme_shapes_upscale(tmp_path: Path, size: tuple[int, int]) -> None:
    path = tmp_path / "odd.png"
    Image.new("L", size, 77).save(path)
    out = decode_image(path, S, 1, BIG)
    assert out.shape == (1, S, S) and np.all(out == 77)


@pytest.mark.parametrize("channels", [1, 3])
def test_large_jpeg_uses_draft_and_fits(tmp_path: Path, channels: int) -> None:
    path = tmp_path / "big.jpg"
    two_halves(1200, 900, GREEN, GREEN).save(path)
    out = decode_image(path, S, channels, BIG)
    assert out.shape == (channels, S, S)
    assert out.min() > 120 if channels == 1 else out[1].min() > 200


def test_animated_gif_first_frame(tmp_path: Path) -> None:
    path = tmp_path / "anim.gif"
    frames = [Image.new("RGB", (8, 8), c) for c in (RED, BLUE)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=50)
    out = decode_image(path, 8, 3, BIG).astype(int)
    assert out[0].min() > 200 and out[2].max() < 60


def test_multipage_tiff_first_page(tmp_path: Path) -> None:
    path = tmp_path / "pages.tiff"
    pages = [Image.new("L", (8, 8), v) for v in (10, 200)]
    pages[0].save(path, save_all=True, append_images=pages[1:])
    assert np.all(decode_image(path, 8, 1, BIG) == 10)


def reason(path: Path, max_pixels: int = BIG) -> str:
    with pytest.raises(UnreadableImage) as info:
        decode_image(path, S, 3, max_pixels)
    return str(info.value)


def test_failure_reasons(tmp_path: Path) -> None:
    good = tmp_path / "good.jpg"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (64, 64, 3), np.uint8)).save(good, quality=95)
    data = good.read_bytes()
    (tmp_path / "half.jpg").write_bytes(data[: len(data) // 2])
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "text.png").write_text("hello, not a png\n")
    os.symlink(tmp_path / "missing.jpg", tmp_path / "dangling.jpg")
    Image.new("L", (100, 100)).save(tmp_path / "bomb.png")

    assert reason(tmp_path / "half.jpg") == "truncated image"
    assert reason(tmp_path / "empty.jpg") == "empty file"
    assert reason(tmp_path / "text.png") == "not an image (cannot identify image file)"
    assert reason(tmp_path / "dangling.jpg") == "broken symbolic link"
    bomb = reason(tmp_path / "bomb.png", max_pixels=5000)
    assert bomb == "decompression bomb: 100x100 pixels > limit 5000"
    assert reason(tmp_path / "nope.jpg") == "file not found"
