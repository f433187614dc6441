"""Image quality during training: SWD (FID/KID/IS with local weights), best.ckpt, metrics.json."""

from __future__ import annotations

import logging
import math
import os
import time
from pathlib import Path
from typing import Any

import lightning as L
import torch
from torch import Tensor

from dcgan.metrics import InceptionMetrics, inception_unavailable, sliced_wasserstein
from dcgan.metrics.per_class import per_class_swd
from dcgan.runinfo import update_run_info

log = logging.getLogger(__name__)

MONITORS = ("swd", "fid", "kid")  # all lower-is-better


class ImageMetrics(L.Callback):
    """Every `every_n_steps` iterations and at the end, score G's samples against real images.

    The same `num_samples` real images and latent vectors (drawn from `seed`) are used at every
    evaluation, so the history of a run, and runs with the same seed, are comparable. Samples
    come from `pl_module.sample`, so whatever generator the module samples with is measured.
    """

    def __init__(
        self,
        run_dir: str | Path,
        every_n_steps: int = 500,
        num_samples: int = 256,
        monitor: str = "swd",
        inception_weights: str | None = None,
        seed: int = 0,
        batch_size: int = 64,
    ) -> None:
        if monitor not in MONITORS:
            raise ValueError(f"monitor={monitor!r} is unknown; choose one of {', '.join(MONITORS)}")
        self.run_dir = Path(run_dir)
        self.every_n_steps = every_n_steps
        self.num_samples = num_samples
        self.monitor = monitor
        self.inception_weights = inception_weights
        self.seed = seed
        self.batch_size = batch_size
        self.history: list[dict[str, float]] = []
        self.best: dict[str, Any] | None = None
        self._inception: InceptionMetrics | None = None
        self._real: Tensor | None = None
        self._z: Tensor | None = None
        self._last_eval = -1
        self._images_seen = 0
        self._start = 0.0
        self._eval_time = 0.0

    @property
    def best_path(self) -> Path:
        return self.run_dir / "checkpoints" / "best.ckpt"

    @property
    def final(self) -> float | None:
        """The monitored metric at the last evaluation (what a sweeper minimises)."""
        return self.history[-1].get(self.monitor) if self.history else None

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._start = time.perf_counter()
        self._eval_time = 0.0
        self._images_seen = 0
        self._real = self._real_images(trainer)
        gen = torch.Generator().manual_seed(self.seed)
        self._z = pl_module.noise(len(self._real), gen, device="cpu")
        reason = inception_unavailable(self.inception_weights)
        if reason is None:
            self._inception = InceptionMetrics(self.inception_weights)
        elif self.monitor != "swd":
            raise FileNotFoundError(
                f"callbacks.metrics.monitor={self.monitor} needs Inception weights, but {reason}"
            )
        else:
            log.warning("FID, KID and IS are off: %s; measuring SWD only", reason)

    def _real_images(self, trainer: L.Trainer) -> Tensor:
        """A fixed random subset of the training images, [-1, 1] floats on the CPU."""
        images = getattr(trainer.datamodule, "images", None)
        if images is None:
            raise RuntimeError("ImageMetrics needs a datamodule with a decoded `images` array")
        n = min(self.num_samples, len(images))
        if n < self.num_samples:
            log.warning(
                "metrics: only %d real images; using %d samples, not %d", n, n, self.num_samples
            )
        gen = torch.Generator().manual_seed(self.seed)
        idx = torch.randperm(len(images), generator=gen)[:n].sort().values.numpy()
        return torch.from_numpy(images[idx]).float().div(127.5).sub(1)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        self._images_seen += len(batch[0] if isinstance(batch, (tuple, list)) else batch)
        it = pl_module.iteration
        at_boundary = pl_module.global_step % pl_module.steps_per_iteration == 0
        if at_boundary and it > 0 and it % self.every_n_steps == 0 and it != self._last_eval:
            self.evaluate(trainer, pl_module)

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if pl_module.iteration != self._last_eval:
            self.evaluate(trainer, pl_module)
        if getattr(pl_module, "conditional", False):
            self.evaluate_classes(trainer, pl_module)

    def evaluate_classes(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        """A conditional model, at the end: SWD of each class, logged and in metrics.json."""
        data = trainer.datamodule
        scores = per_class_swd(
            pl_module, data.images, data.labels, data.class_names, self.num_samples, self.seed
        )
        for logger in trainer.loggers:
            metrics = {f"metrics/swd_class/{k}": v for k, v in scores.items()}
            logger.log_metrics(metrics, step=pl_module.iteration)
        log.info("SWD per class: %s", ", ".join(f"{k}={v:.4g}" for k, v in scores.items()))
        if trainer.is_global_zero:
            update_run_info(self.run_dir, swd_per_class=scores)

    def evaluate(self, trainer: L.Trainer, pl_module: L.LightningModule) -> dict[str, float]:
        """Score now, log at step = iteration, keep best.ckpt, update metrics.json."""
        started = time.perf_counter()
        it = pl_module.iteration
        self._last_eval = it
        fake = torch.cat(
            [
                pl_module.sample(z.to(pl_module.device), seed=self.seed).cpu()
                for z in self._z.split(self.batch_size)
            ]
        )
        scores = sliced_wasserstein(self._real, fake, seed=self.seed)
        if self._inception is not None:
            scores.update(
                self._inception(self._real.to(pl_module.device), fake.to(pl_module.device))
            )
        for logger in trainer.loggers:
            logger.log_metrics({f"metrics/{k}": v for k, v in scores.items()}, step=it)
        self.history.append({"iteration": it, **scores})
        value = scores[self.monitor]
        if math.isfinite(value) and (self.best is None or value < self.best["value"]):
            self.best = {"metric": self.monitor, "value": value, "iteration": it}
            self._save_best(trainer)
        self._eval_time += time.perf_counter() - started
        log.info("iteration %d: %s", it, ", ".join(f"{k}={v:.4g}" for k, v in scores.items()))
        if trainer.is_global_zero:
            self.write(pl_module)
        return scores

    def _save_best(self, trainer: L.Trainer) -> None:
        tmp = self.best_path.with_name("best.ckpt.tmp")
        trainer.save_checkpoint(tmp, weights_only=False)  # collective; rank zero writes
        if trainer.is_global_zero:
            os.replace(tmp, self.best_path)
        trainer.strategy.barrier("dcgan_best_checkpoint")

    def write(self, pl_module: L.LightningModule) -> None:
        """Latest and best metrics, history and throughput into metrics.json."""
        train_time = max(time.perf_counter() - self._start - self._eval_time, 1e-9)
        update_run_info(
            self.run_dir,
            monitor=self.monitor,
            metrics=self.history[-1] if self.history else {},
            best=self.best,
            history=self.history,
            iterations=pl_module.iteration,
            images_seen=self._images_seen,
            train_time_s=round(train_time, 3),
            img_per_s=round(self._images_seen / train_time, 2),
        )
