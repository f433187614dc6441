"""A messy image folder: every broken or odd file is skipped or decoded, never a crash."""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from dcgan.config import DataConfig
from dcgan.data import ImageDataModule
from dcgan.data.decode import UnreadableImage, decode_image
from dcgan.data.sources import load_folder

S = 16
BIG = 178_956_970


def png_bytes(img: Image.Image, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", **kwargs)
    return buf.getvalue()


def bomb_header(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims a huge size: what a decompression bomb looks like."""
    data = bytearray(png_bytes(Image.new("L", (4, 4))))
    ihdr = data[12:29]  # b"IHDR" + 13 bytes of fields
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return bytes(data)


def noise(h: int, w: int, c: int | None = None, dtype: type = np.uint8) -> np.ndarray:
    rng = np.random.default_rng(h * 1000 + w)
    shape = (h, w) if c is None else (h, w, c)
    return rng.integers(0, np.iinfo(dtype).max, shape, dtype=dtype, endpoint=True)


def palette_with_alpha() -> Image.Image:
    img = Image.fromarray(noise(12, 12) % 4).convert("P")
    img.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * 756)
    img.info["transparency"] = 0
    return img


# name -> writer(path); True when the file must decode, False when it must be skipped.
GOOD: dict[str, Callable[[Path], None]] = {
    "one_pixel.png": lambda p: Image.new("RGB", (1, 1), (9, 99, 199)).save(p),
    "tall_1x2000.png": lambda p: Image.fromarray(noise(2000, 1)).save(p),
    "wide_3000x1.jpg": lambda p: Image.fromarray(noise(1, 3000, 3)).save(p),
    "sixteen_bit.png": lambda p: Image.fromarray(noise(20, 30, dtype=np.uint16)).save(p),
    "sixteen_bit.tif": lambda p: Image.fromarray(noise(20, 30, dtype=np.uint16)).save(p),
    "cmyk.jpg": lambda p: Image.fromarray(noise(20, 20, 4), "CMYK").save(p),
    "cmyk.tiff": lambda p: Image.fromarray(noise(20, 20, 4), "CMYK").save(p),
    "palette_alpha.png": lambda p: palette_with_alpha().save(p),
    "palette.gif": lambda p: Image.fromarray(noise(20, 20, 3)).convert("P").save(p),
    "rgba.png": lambda p: Image.fromarray(noise(20, 20, 4), "RGBA").save(p),
    "la.png": lambda p: Image.fromarray(noise(20, 20, 2), "LA").save(p),
    "float.tif": lambda p: Image.fromarray(noise(9, 9).astype(np.float32) / 255).save(p),
    "bilevel.bmp": lambda p: Image.fromarray(noise(9, 9) > 128).save(p),
    "UPPER.JPEG": lambda p: Image.fromarray(noise(20, 20, 3)).save(p, format="JPEG"),
    "png_named.jpg": lambda p: Image.fromarray(noise(20, 20, 3)).save(p, format="PNG"),
}


def _truncated(p: Path) -> None:
    p.write_bytes(png_bytes(Image.fromarray(noise(64, 64, 3)))[:300])


def _truncated_jpeg(p: Path) -> None:
    buf = io.BytesIO()
    Image.fromarray(noise(64, 64, 3)).save(buf, format="JPEG")
    p.write_bytes(buf.getvalue()[:200])


def _loop(p: Path) -> None:
    os.symlink(p.with_name("loop_b.jpg"), p)
    os.symlink(p, p.with_name("loop_b.jpg"))


BAD: dict[str, Callable[[Path], None]] = {
    "zero_bytes.jpg": lambda p: p.write_bytes(b""),
    "text.jpg": lambda p: p.write_text("just some notes\n"),
    "truncated.png": _truncated,
    "truncated.jpg": _truncated_jpeg,
    "bomb.png": lambda p: p.write_bytes(bomb_header()),
    "broken_link.png": lambda p: os.symlink(p.with_name("gone.png"), p),
    "loop_a.jpg": _loop,  # also makes loop_b.jpg
    "folder.png": lambda p: p.mkdir(),
    "fifo.jpg": lambda p: os.mkfifo(p),  # opening it for reading would block forever
    "header_only.gif": lambda p: p.write_bytes(b"GIF89a"),
    "random.webp": lambda p: p.write_bytes(np.random.default_rng(1).bytes(777)),
}


def test_messy_folder_loads_good_files_and_skips_bad(tmp_path: Path, tally) -> None:
    root = tmp_path / "pics"
    (root / "sub").mkdir(parents=True)
    for name, write in {**GOOD, **BAD}.items():
        write(root / "sub" / name)
    locked = root / "locked.png"
    Image.new("L", (5, 5), 40).save(locked)
    locked.chmod(0)  # unreadable: skipped for a user; root reads it anyway
    readable_locked = os.geteuid() == 0
    images = load_folder(str(root), S, 3)
    assert images.shape == (len(GOOD) + readable_locked, 3, S, S)
    assert images.dtype == np.uint8
    tally["kinds of odd files decoded"] += len(GOOD)
    tally["kinds of bad files skipped"] += len(BAD) + (not readable_locked)


@pytest.mark.skipif(os.geteuid() != 0, reason="runs as root only: shows root's reading")
def test_permissions_do_not_stop_root(tmp_path: Path) -> None:
    path = tmp_path / "locked.png"
    Image.new("L", (4, 4), 7).save(path)
    path.chmod(0)
    assert np.all(decode_image(path, 4, 1, BIG) == 7)  # root bypasses file modes


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a mode-000 file")
def test_unreadable_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "locked.png"
    Image.new("L", (4, 4), 7).save(path)
    path.chmod(0)
    with pytest.raises(UnreadableImage, match="permission denied"):
        decode_image(path, 4, 1, BIG)


def test_worker_processes_survive_the_messy_folder(tmp_path: Path) -> None:
    root = tmp_path / "pics"
    root.mkdir()
    for name, write in {**GOOD, **BAD}.items():
        write(root / name)
    dm = ImageDataModule(DataConfig(root=str(root), batch_size=4, num_workers=2), image_size=S)
    dm.setup("fit")
    batches = list(dm.train_dataloader())
    assert len(batches) == len(GOOD) // 4
    assert all(tuple(b.shape) == (4, 3, S, S) for b in batches)


# -- property-based: random bytes and random valid images ----------------------------------
MODES = {  # mode -> formats that can store it
    "1": ["PNG", "BMP", "TIFF"],
    "L": ["PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP"],
    "LA": ["PNG", "TIFF"],
    "P": ["PNG", "GIF", "BMP", "TIFF"],
    "RGB": ["PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP"],
    "RGBA": ["PNG", "TIFF", "WEBP"],
    "CMYK": ["JPEG", "TIFF"],
    "I;16": ["PNG", "TIFF"],
    "I": ["TIFF"],
    "F": ["TIFF"],
}
EXT = {"PNG": ".png", "JPEG": ".jpg", "BMP": ".bmp", "GIF": ".gif", "TIFF": ".tif", "WEBP": ".webp"}
SIGNATURES = [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"BM", b"II*\x00", b"RIFF"]


@st.composite
def valid_images(draw: st.DrawFn) -> tuple[bytes, str, str, tuple[int, int]]:
    mode = draw(st.sampled_from(sorted(MODES)))
    fmt = draw(st.sampled_from(MODES[mode]))
    width = draw(st.integers(1, 48) | st.integers(300, 900))
    height = draw(st.integers(1, 48)) if width > 48 else draw(st.integers(1, 600))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if mode in ("I;16", "I"):
        img = Image.fromarray(rng.integers(0, 65536, (height, width), dtype=np.uint16))
        img = img if mode == "I;16" else img.convert("I")
    elif mode == "F":
        img = Image.fromarray(rng.random((height, width), dtype=np.float32))
    else:
        img = Image.fromarray(rng.integers(0, 256, (height, width, 3), np.uint8)).convert(mode)
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue(), EXT[fmt], mode, (width, height)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    image=valid_images(),
    junk=st.tuples(st.sampled_from(SIGNATURES), st.binary(max_size=512)),
    cut=st.floats(0.0, 1.0),
    channels=st.sampled_from([1, 3]),
)
def test_random_files_decode_or_are_skipped(
    tmp_path: Path, tally, image: tuple, junk: tuple, cut: float, channels: int
) -> None:
    data, ext, mode, size = image
    good = tmp_path / f"good{ext}"
    good.write_bytes(data)
    out = decode_image(good, S, channels, BIG)  # a valid image always decodes
    assert out.shape == (channels, S, S) and out.dtype == np.uint8, (mode, size)
    for name, payload in (("junk", junk[0] + junk[1]), ("cut", data[: int(len(data) * cut)])):
        path = tmp_path / f"{name}{ext}"
        path.write_bytes(payload)
        try:
            out = decode_image(path, S, channels, BIG)
        except UnreadableImage as err:
            assert str(err), "a skip always says why"
        else:
            assert out.shape == (channels, S, S)
    tally["random files (valid, random bytes, truncated)"] += 3
