"""Sample grids of the fixed noise batch: PNG files under samples/ and images in the loggers."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import lightning as L
from lightning.pytorch.loggers import TensorBoardLogger, WandbLogger
from lightning.pytorch.utilities import rank_zero_only
from PIL import Image
from torchvision.utils import make_grid, save_image

from dcgan.callbacks.checkpoint import OutputError
from dcgan.image_files import save_gif

log = logging.getLogger(__name__)

_GRID = re.compile(r"iter_\d+\.png")


class SampleGrid(L.Callback):
    """Every `every_n_steps` iterations and at the end, draw G(fixed noise) as one grid."""

    def __init__(self, dirpath: str | Path, every_n_steps: int = 500, nrow: int = 8) -> None:
        self.dirpath = Path(dirpath)
        self.every_n_steps = every_n_steps
        self.nrow = nrow
        self._last_written = -1

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        it = pl_module.iteration
        if it != self._last_written and it % self.every_n_steps == 0 and it > 0:
            if pl_module.global_step % pl_module.steps_per_iteration == 0:
                self.write(trainer, pl_module)

    def on_train_end(self, trainer, pl_module) -> None:  # noqa: ANN001
        if pl_module.iteration != self._last_written:
            self.write(trainer, pl_module)
        self.write_progress()

    def write(self, trainer: L.Trainer, pl_module: L.LightningModule) -> Path:
        """Render the grid now (all ranks run G; rank zero writes) and return its path."""
        it = pl_module.iteration
        self._last_written = it
        conditional = getattr(pl_module, "conditional", False)  # one row per class
        images = pl_module.sample_per_class(self.nrow) if conditional else pl_module.sample()
        grid = make_grid(images, nrow=self.nrow, normalize=True, value_range=(-1, 1), padding=2)
        path = self.dirpath / f"iter_{it:06d}.png"
        return self._save(trainer, grid, path, it) or path

    @rank_zero_only
    def write_progress(self, max_frames: int = 100) -> Path | None:
        """(Re)write <run>/progress.gif from this run's grids: training at a glance."""
        grids = [p for p in self.dirpath.glob("iter_*.png") if _GRID.fullmatch(p.name)]
        if not grids:
            return None
        grids.sort(key=lambda p: int(p.stem[len("iter_") :]))
        step = max(1, -(-len(grids) // max_frames))
        chosen = grids[::-1][::step][::-1]  # evenly thinned, always ending at the last grid
        target = self.dirpath.parent / "progress.gif"
        try:
            frames = []
            for path in chosen:
                with Image.open(path) as image:
                    frames.append(image.convert("RGB"))
            save_gif(frames, target, ms=300, last_ms=2000)
        except (OSError, ValueError) as err:  # a picture must never cost the final checkpoint
            log.warning("progress animation not written to %s: %s", target, err)
            return None
        log.info("progress animation written: %s", target)
        return target

    @rank_zero_only
    def _save(self, trainer: L.Trainer, grid, path: Path, it: int) -> Path:  # noqa: ANN001
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.png")
        try:
            save_image(grid, tmp)
            path = _keep_earlier(tmp, path)
            tmp.replace(path)  # a grid on disk is always whole
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise OutputError(
                f"cannot write sample grid {path}: {err.strerror or err}; free space or choose "
                "a writable folder (hydra.run.dir=...), then resume"
            ) from err
        for logger in trainer.loggers:
            if isinstance(logger, WandbLogger):
                logger.log_image(
                    key="samples", images=[str(path)], step=it, caption=[f"iteration {it}"]
                )
            elif isinstance(logger, TensorBoardLogger):
                logger.experiment.add_image("samples", grid, global_step=it)
        log.info("sample grid written: %s", path)
        return path


def _keep_earlier(new: Path, path: Path) -> Path:
    """Where a new grid goes without replacing a different one of the same iteration.

    A run resumed from an older checkpoint (after a kill) draws iterations again; the grids of
    the first attempt stay, and the new ones get a `-2`, `-3`, ... suffix.
    """
    if not path.exists() or path.read_bytes() == new.read_bytes():
        return path
    n = 2
    while path.with_name(f"{path.stem}-{n}{path.suffix}").exists():
        n += 1
    kept = path.with_name(f"{path.stem}-{n}{path.suffix}")
    log.warning("%s exists from an earlier attempt; the new grid is %s", path.name, kept.name)
    return kept
