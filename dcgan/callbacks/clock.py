"""How long and how fast a run has trained, over all its attempts: metrics.json's time fields.

A run may take several attempts (Ctrl-C then `resume=auto`, a crash, a higher `max_steps`). Every
checkpoint carries what the attempts up to its state spent, so `images_seen`, `train_time_s`,
`run_time_s`, `img_per_s`, `started` and `attempts` in metrics.json cover the whole run, as
`iterations` and `history` do, exactly up to the state the run continues from.

`img_per_s` is the steady speed. Left out are the first `WARMUP_ITERATIONS` iterations of every
attempt and every second a callback spends beside training: metric evaluations, sample grids,
health checks and checkpoint writes (each such callback counts its own `busy_s`).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import lightning as L

from dcgan.callbacks.every import at_iteration_end
from dcgan.run import RunFolder, RunTime

log = logging.getLogger(__name__)

# The first iterations of an attempt pay one-off costs: CUDA/cuDNN start-up and cuDNN's algorithm
# search (benchmark=True), the allocator growing to its working set, the data order's first
# epoch, autocast's weight casts. On this project's 2-core CPU (16 and 32 px) the first
# iteration takes 2-4 times the median and the next few up to 1.5 times; 20 leaves room for a
# GPU's longer search and is still nothing next to a run of thousands of iterations.
WARMUP_ITERATIONS = 20

_CARRIED = ("images_seen", "train_time_s", "run_time_s", "steady_images", "steady_time_s")


def batch_images(batch: Any) -> int:
    """The number of images in a batch: a tensor, or (images, labels) of a conditional run."""
    return len(batch[0] if isinstance(batch, (tuple, list)) else batch)


def busy_seconds(trainer: L.Trainer) -> float:
    """Seconds the callbacks have spent beside training in this attempt (their `busy_s`)."""
    return sum(float(getattr(c, "busy_s", 0.0)) for c in trainer.callbacks)


class RunClock(L.Callback):
    """Counts images and training time per iteration and carries the totals in checkpoints."""

    def __init__(
        self, run_dir: str | Path, run_time: RunTime | None = None, warmup: int = WARMUP_ITERATIONS
    ) -> None:
        self.run = RunFolder(run_dir)
        self.run_time = run_time or RunTime()
        self.warmup = warmup
        self.before: dict[str, float] = dict.fromkeys(_CARRIED, 0.0)  # the earlier attempts
        # this attempt
        self.iterations = self.images = self.steady_images = 0
        self.train_s = self.steady_s = 0.0
        self._mark: float | None = None
        self._busy_mark = 0.0
        self._pending = 0

    # -- what travels in a checkpoint -------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """The totals of every attempt up to now: a resume from this state continues them."""
        run = self.run_time
        return {**self.totals(), "started": run.started, "attempts": run.attempts}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Take the totals of the attempts before this one."""
        self.before = {k: float(state_dict.get(k) or 0.0) for k in _CARRIED}
        run = self.run_time
        run.before_s = self.before["run_time_s"]
        run.started = state_dict.get("started") or run.started
        run.attempts = int(state_dict.get("attempts") or 1) + 1

    def totals(self) -> dict[str, float]:
        """images_seen, train_time_s, run_time_s and the steady counters, all attempts so far."""
        return {
            "images_seen": self.before["images_seen"] + self.images,
            "train_time_s": self.before["train_time_s"] + self.train_s,
            "run_time_s": self.run_time.total_s(),
            "steady_images": self.before["steady_images"] + self.steady_images,
            "steady_time_s": self.before["steady_time_s"] + self.steady_s,
        }

    # -- speed ----------------------------------------------------------------------------------

    @staticmethod
    def _rate(images: float, seconds: float) -> float | None:
        return images / seconds if seconds > 0 else None

    def img_per_s(self) -> float | None:
        """Steady images per second over all attempts; a run with no steady iteration: all."""
        t = self.totals()
        steady = self._rate(t["steady_images"], t["steady_time_s"])
        return steady if steady is not None else self._rate(t["images_seen"], t["train_time_s"])

    def live_img_per_s(self) -> float | None:
        """This attempt's speed for the progress bar: steady once past the warm-up."""
        steady = self._rate(self.steady_images, self.steady_s)
        return steady if steady is not None else self._rate(self.images, self.train_s)

    # -- hooks ----------------------------------------------------------------------------------

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._mark, self._busy_mark, self._pending = time.perf_counter(), busy_seconds(trainer), 0
        if trainer.is_global_zero:
            self.write(pl_module)  # started and attempts of a resumed run, at once

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        self._pending += batch_images(batch) * trainer.world_size
        if self._mark is None or not at_iteration_end(pl_module):
            return
        now, busy = time.perf_counter(), busy_seconds(trainer)
        seconds = max(now - self._mark - (busy - self._busy_mark), 0.0)
        self._mark, self._busy_mark = now, busy
        self.iterations += 1
        self.images += self._pending
        self.train_s += seconds
        if self.iterations > self.warmup:
            self.steady_images += self._pending
            self.steady_s += seconds
        self._pending = 0

    def on_save_checkpoint(self, trainer, pl_module, checkpoint: dict[str, Any]) -> None:  # noqa: ANN001
        if trainer.is_global_zero:  # metrics.json says what the checkpoint carries
            self.write(pl_module)

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.is_global_zero:
            self.write(pl_module)

    def on_exception(self, trainer, pl_module, exception: BaseException) -> None:  # noqa: ANN001
        if trainer.is_global_zero:
            self.write(pl_module)

    def write(self, pl_module: L.LightningModule | None = None) -> None:
        """The time and speed fields of metrics.json, whole run."""
        t = self.totals()
        rate = self.img_per_s()
        fields: dict[str, Any] = {
            "images_seen": int(t["images_seen"]),
            "train_time_s": round(t["train_time_s"], 3),
            "run_time_s": round(t["run_time_s"], 3),
            "img_per_s": None if rate is None else round(rate, 2),
            "started": self.run_time.started,
            "attempts": self.run_time.attempts,
        }
        if pl_module is not None:
            fields["iterations"] = pl_module.iteration
        self.run.update_info(**fields)
