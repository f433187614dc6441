"""Sample grids of the fixed noise batch: PNG files under samples/ and images in the loggers."""

from __future__ import annotations

import io
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import lightning as L
from lightning.pytorch.loggers import TensorBoardLogger, WandbLogger
from lightning.pytorch.utilities import rank_zero_only
from PIL import Image
from torchvision.utils import make_grid, save_image

from dcgan.atomic import write_bytes_atomic
from dcgan.callbacks.every import due
from dcgan.image_files import save_gif
from dcgan.run import RunFolder

if TYPE_CHECKING:
    from dcgan.callbacks.config import SamplesConfig

log = logging.getLogger(__name__)


class SampleGrid(L.Callback):
    """Every `every_n_steps` iterations and at the end, draw G(fixed noise) as one grid.

    A stop on a signal (`trainer.should_stop`) draws none: drawing measures EMA's statistics
    first, a minute on a small CPU that would keep the process past a container's SIGKILL; the
    resume draws the grid that was due where it stopped, so a run's grids do not depend on stops.
    """

    def __init__(self, run_dir: str | Path, config: SamplesConfig) -> None:
        """`config` is `callbacks.samples` (its `num_samples` sizes the module's fixed noise)."""
        self.run = RunFolder(run_dir)
        self.every_n_steps = config.every_n_steps
        self.nrow = config.nrow
        self._last_written = -1
        self.busy_s = 0.0  # seconds spent drawing grids: not training time (callbacks.clock)

    def on_train_start(self, trainer, pl_module) -> None:  # noqa: ANN001
        here = self.run.checkpoints.resolve()  # a resume of this run, not one into a new folder
        resumed = trainer.ckpt_path and Path(trainer.ckpt_path).resolve().parent == here
        missing = resumed and not self.run.grid(pl_module.iteration).exists()  # a stop left it out
        if missing and not trainer.should_stop and due(pl_module, self.every_n_steps, -1):
            started = time.perf_counter()
            self.write(trainer, pl_module)
            self.busy_s += time.perf_counter() - started

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        if trainer.should_stop:  # stopping on a signal: last.ckpt first, nothing drawn
            return
        if due(pl_module, self.every_n_steps, self._last_written):
            started = time.perf_counter()
            self.write(trainer, pl_module)
            self.busy_s += time.perf_counter() - started

    def on_train_end(self, trainer, pl_module) -> None:  # noqa: ANN001
        if pl_module.iteration != self._last_written and not trainer.should_stop:
            self.write(trainer, pl_module)
        self.write_progress()

    def write(self, trainer: L.Trainer, pl_module: L.LightningModule) -> Path:
        """Render the grid now (all ranks run G; rank zero writes) and return its path."""
        it = pl_module.iteration
        self._last_written = it
        conditional = getattr(pl_module, "conditional", False)  # one row per class
        images = pl_module.sample_per_class(self.nrow) if conditional else pl_module.sample()
        grid = make_grid(images, nrow=self.nrow, normalize=True, value_range=(-1, 1), padding=2)
        path = self.run.grid(it)
        return self._save(trainer, grid, path, it) or path

    @rank_zero_only
    def write_progress(self, max_frames: int = 100) -> Path | None:
        """(Re)write <run>/progress.gif from this run's grids: training at a glance."""
        grids = self.run.grids()
        if not grids:
            return None
        step = max(1, -(-len(grids) // max_frames))
        chosen = grids[::-1][::step][::-1]  # evenly thinned, always ending at the last grid
        target = self.run.progress_gif
        frames = []
        for path in chosen:
            try:
                with Image.open(path) as image:
                    frames.append(image.convert("RGB"))
            except OSError as err:  # a damaged grid is left out, not fatal
                log.warning("progress animation leaves out %s: %s", path, err)
        if not frames:
            return None
        save_gif(frames, target, ms=300, last_ms=2000)  # a full disk: OutputError
        log.info("progress animation written: %s", target)
        return target

    @rank_zero_only
    def _save(self, trainer: L.Trainer, grid, path: Path, it: int) -> Path:  # noqa: ANN001
        buffer = io.BytesIO()
        save_image(grid, buffer, format="png")
        png = buffer.getvalue()
        path = _keep_earlier(png, path)
        hint = "free space or choose a writable folder (hydra.run.dir=...), then resume"
        write_bytes_atomic(path, png, hint)  # a grid on disk is always whole
        for logger in trainer.loggers:
            if isinstance(logger, WandbLogger):
                logger.log_image(
                    key="samples", images=[str(path)], step=it, caption=[f"iteration {it}"]
                )
            elif isinstance(logger, TensorBoardLogger):
                logger.experiment.add_image("samples", grid, global_step=it)
        log.info("sample grid written: %s", path)
        return path


def _keep_earlier(new: bytes, path: Path) -> Path:
    """Where a new grid goes without replacing a different one of the same iteration.

    A run resumed from an older checkpoint (after a kill) draws iterations again; the grids of
    the first attempt stay, and the new ones get a `-2`, `-3`, ... suffix.
    """
    if not path.exists() or path.read_bytes() == new:
        return path
    n = 2
    while path.with_name(f"{path.stem}-{n}{path.suffix}").exists():
        n += 1
    kept = path.with_name(f"{path.stem}-{n}{path.suffix}")
    log.warning("%s exists from an earlier attempt; the new grid is %s", path.name, kept.name)
    return kept
