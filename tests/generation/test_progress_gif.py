"""progress.gif: the fixed-noise grids of one run, in order, rewritten whole at the end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageSequence

from dcgan.callbacks import SampleGrid
from dcgan.callbacks.config import SamplesConfig


def _frames(path: Path) -> list[np.ndarray]:
    with Image.open(path) as gif:
        return [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(gif)]


def test_a_training_run_writes_its_progress_gif(plain_run: Path) -> None:
    grids = sorted((plain_run / "samples").glob("iter_*.png"))
    assert [p.name for p in grids] == ["iter_000001.png", "iter_000002.png", "iter_000003.png"]
    frames = _frames(plain_run / "progress.gif")
    assert len(frames) == 3
    for frame, grid in zip(frames, grids, strict=True):
        with Image.open(grid) as image:
            expected = np.asarray(image.convert("RGB")).astype(int)
        assert np.abs(frame.astype(int) - expected).max() <= 8  # GIF palette: near, not exact
    assert not list(plain_run.glob(".*tmp"))


def test_many_grids_are_thinned_in_order_ending_at_the_last(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    for i, it in enumerate([5, 10, 15, 20, 25, 30, 1000000]):
        Image.new("RGB", (6, 6), (30 * i, 0, 0)).save(samples / f"iter_{it:06d}.png")
    Image.new("RGB", (6, 6), (0, 255, 0)).save(samples / "iter_000040.tmp.png")  # not a grid
    (tmp_path / "progress.gif").write_bytes(b"an older animation")
    path = SampleGrid(tmp_path, SamplesConfig()).write_progress(max_frames=3)
    assert path == tmp_path / "progress.gif"
    reds = [int(f[0, 0, 0]) for f in _frames(path)]
    assert [int(f[0, 0, 1]) for f in _frames(path)] == [0, 0, 0]
    assert [round(r / 30) for r in reds] == [0, 3, 6]  # the millionth iteration sorts last
    assert SampleGrid(tmp_path / "none", SamplesConfig()).write_progress() is None
