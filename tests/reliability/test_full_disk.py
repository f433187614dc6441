"""Every write point on a real full (or read-only) file system: one line naming the file.

Each test mounts a small tmpfs exactly where one kind of file goes, fills it, and runs the real
product into it. Mounting needs root; elsewhere these tests are skipped and the file-size-limit
test in test_outputs.py still covers the checkpoint path.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch

from dcgan.atomic import OutputError
from dcgan.callbacks import SampleGrid, TrainingDiverged
from dcgan.callbacks.config import SamplesConfig
from dcgan.train import train
from tests.tiny import TINY_DIGITS, run_module

PAGE = 4096


def _can_mount(tmp: Path) -> bool:
    if os.geteuid() != 0:
        return False
    probe = tmp / "probe"
    probe.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(probe)]).returncode:
        return False
    subprocess.run(["umount", str(probe)], check=True)
    return True


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """mount(folder, free_pages, read_only, size_kib, files, dirs): a tmpfs at folder, filled.

    `files` (relative name -> text) and `dirs` are made before the filling.
    """
    if not _can_mount(tmp_path):
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    mounted: list[Path] = []

    def mount(
        folder: Path,
        free_pages: int = 0,
        read_only: bool = False,
        size_kib: int = 64,
        files: dict[str, str] | None = None,
        dirs: tuple[str, ...] = (),
    ) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        opts = f"size={size_kib}k" + (",ro" if read_only else "")
        subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(folder)], check=True)
        mounted.append(folder)
        for name, text in (files or {}).items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)
        for name in dirs:
            (folder / name).mkdir(parents=True, exist_ok=True)
        if not read_only:
            filler = folder / ".filler"
            fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
            try:
                while os.write(fd, b"\0" * PAGE):
                    pass
            except OSError:  # full
                pass
            finally:
                os.close(fd)
            os.truncate(filler, max(filler.stat().st_size - free_pages * PAGE, 0))
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], check=False)


TINY = [
    *TINY_DIGITS,
    "logger=none",
    "callbacks.metrics.num_samples=16",
    "callbacks.samples.num_samples=4",
    "callbacks.samples.every_n_steps=1000",
    "callbacks.metrics.every_n_steps=1000",
    "callbacks.checkpoint.every_n_steps=1000",
    "trainer.max_steps=2",
]


def _status(run: Path) -> str:
    return json.loads((run / "metrics.json").read_text())["status"]


def test_full_samples_folder(make_cfg, tmp_path: Path, full_disk) -> None:
    run = tmp_path / "run"
    full_disk(run / "samples")
    with pytest.raises(OutputError) as err:
        train(make_cfg(*TINY, "callbacks.samples.every_n_steps=1", tiny=False), run_dir=run)
    assert str(err.value).startswith(f"cannot write {run / 'samples' / 'iter_000001.png'}: ")
    assert "No space left on device" in str(err.value)
    assert not list((run / "samples").glob("*.png"))
    assert not list((run / "samples").glob(".*.tmp"))  # no half file left behind
    assert _status(run) == "failed"


@pytest.mark.parametrize(
    ("every", "name"),
    [
        ("callbacks.checkpoint.every_n_steps=1", "iter_000001.ckpt"),
        ("callbacks.metrics.every_n_steps=1", "best.ckpt"),
    ],
)
def test_full_checkpoints_folder(
    make_cfg, tmp_path: Path, full_disk, every: str, name: str
) -> None:
    run = tmp_path / "run"
    full_disk(run / "checkpoints", free_pages=2)
    with pytest.raises(OutputError) as err:
        train(make_cfg(*TINY, every, tiny=False), run_dir=run)
    assert str(err.value).startswith(f"cannot write {run / 'checkpoints' / name}: ")
    assert "No space left on device" in str(err.value)
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == [".filler"]


def test_read_only_checkpoints_folder_at_the_end(make_cfg, tmp_path: Path, full_disk) -> None:
    run = tmp_path / "run"
    full_disk(run / "checkpoints", read_only=True)
    # the end-of-run evaluation writes best.ckpt first
    with pytest.raises(OutputError, match="best.ckpt: Read-only file system"):
        train(make_cfg(*TINY, "callbacks.samples.every_n_steps=1", tiny=False), run_dir=run)
    assert (run / "samples" / "iter_000001.png").is_file()  # what was written stays


def test_nan_checkpoint_on_a_full_disk_still_names_the_divergence(
    make_cfg, tmp_path: Path, full_disk
) -> None:
    run = tmp_path / "run"
    full_disk(run / "checkpoints", free_pages=2)
    cfg = make_cfg(*TINY, "trainer.max_steps=20", "optimizer.discriminator.lr=1e30", tiny=False)
    with pytest.raises(TrainingDiverged) as err:
        train(cfg, run_dir=run)
    assert "diverged at iteration" in str(err.value)
    assert "was not saved (cannot write" in str(err.value) and "nan_iter_" in str(err.value)


def test_metrics_json_on_a_full_run_folder(make_cfg, tmp_path: Path, full_disk) -> None:
    """One free page: the first metrics.json fits, its atomic replacement does not."""
    from omegaconf import OmegaConf

    run = tmp_path / "run"
    cfg = make_cfg(*TINY, tiny=False)
    saved = {".hydra/config.yaml": OmegaConf.to_yaml(cfg)}
    full_disk(run, free_pages=1, files=saved, dirs=("checkpoints", "samples"))
    full_disk(run / "checkpoints", size_kib=4096, free_pages=1000)
    full_disk(run / "samples", free_pages=8)
    with pytest.raises(OutputError) as err:
        train(cfg, run_dir=run)
    assert str(err.value).startswith(f"cannot write {run / 'metrics.json'}: No space left")
    assert _status(run) == "running"  # the last whole version stays
    # metrics.json is rewritten as the run starts (its clock), before any checkpoint: no
    # half-written file is left anywhere
    assert not [p for p in run.rglob("*") if p.name.startswith(".") and p.name.endswith(".tmp")]


def test_progress_gif_on_a_full_disk(tmp_path: Path, full_disk) -> None:
    from PIL import Image

    run = tmp_path / "run"
    full_disk(run, dirs=("samples",))
    samples = full_disk(run / "samples", free_pages=8)
    for it in (1, 2):
        Image.new("RGB", (64, 64), (it * 90, 0, 0)).save(samples / f"iter_{it:06d}.png")
    with pytest.raises(OutputError, match="progress.gif: No space left on device"):
        SampleGrid(run, SamplesConfig()).write_progress()
    assert not (run / "progress.gif").exists()
    assert len(list(samples.glob("iter_*.png"))) == 2


def test_data_cache_on_a_full_disk(make_cfg, tmp_path: Path, full_disk) -> None:
    cache = full_disk(tmp_path / "cache", free_pages=1)
    cfg = make_cfg(*TINY, "data.cache=true", f"data.cache_dir={cache}", tiny=False)
    with pytest.raises(OutputError) as err:
        train(cfg, run_dir=tmp_path / "run")
    assert f"cannot write {cache}/" in str(err.value) and ".npy: No space left" in str(err.value)
    assert "data.cache=false" in str(err.value)
    assert not list(cache.glob("*.npy")) and not list(cache.glob(".*.tmp"))


def test_cli_full_disk_is_one_line(tmp_path: Path, full_disk) -> None:
    run = tmp_path / "run"
    full_disk(run / "checkpoints", free_pages=2)
    res = run_module(
        "dcgan.train", *TINY, "callbacks.samples.every_n_steps=1", f"hydra.run.dir={run}",
        cwd=tmp_path,
    )  # fmt: skip
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    errors = [line for line in res.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        f"error: cannot write {run / 'checkpoints' / 'best.ckpt'}: No space left on device; the "
        f"files already in {run / 'checkpoints'} are untouched. Free space or choose a writable "
        "folder (hydra.run.dir=...), then resume"
    ]
    assert (run / "samples" / "iter_000001.png").is_file()
    assert _status(run) == "failed"


def test_generate_into_a_full_folder(tmp_path: Path, full_disk, capsys) -> None:
    from tests.generation.conftest import _train

    ckpt = _train(tmp_path / "trained") / "checkpoints" / "last.ckpt"
    out = full_disk(tmp_path / "gen", free_pages=1)
    from dcgan.generate import main

    assert main([f"ckpt={ckpt}", "n=40", f"out={out}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot write {out}/") and "No space left on device" in err
    assert len(err.strip().splitlines()) == 1
    assert torch.load(ckpt, weights_only=True)["global_step"] > 0
