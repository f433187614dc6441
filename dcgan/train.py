"""Train a DCGAN: `python -m dcgan.train data.root=pics optimizer=sgd_adam pooling=avg ...`."""

from __future__ import annotations

import logging
import shlex
import sys
import time
from pathlib import Path

import hydra
import lightning as L
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from lightning.pytorch.utilities.exceptions import SIGTERMException
from omegaconf import DictConfig, OmegaConf

from dcgan.build import (
    build_callbacks,
    build_datamodule,
    build_loggers,
    build_module,
    build_trainer,
)
from dcgan.callbacks import (
    ImageMetrics,
    OutputError,
    StopOnSignal,
    TrainingDiverged,
    TrainingInterrupted,
)
from dcgan.config import ConfigError, register_configs, validate
from dcgan.data import DataError
from dcgan.resume import check_compatible, resolve
from dcgan.runinfo import now, update_run_info

log = logging.getLogger(__name__)

register_configs()


def _run_identity() -> tuple[Path, str]:
    hc = HydraConfig.get()
    run_dir = Path(hc.runtime.output_dir)
    return run_dir, hc.job.override_dirname or run_dir.name


def train(cfg: DictConfig, run_dir: str | Path | None = None) -> float | None:
    """Build data, model, loggers and Trainer from `cfg`, fit, and return the metric to minimise.

    `run_dir` defaults to Hydra's output folder of the current run. The returned value is
    `callbacks.metrics.monitor` at the last evaluation. `<run_dir>/metrics.json` records the
    status: running, then finished or failed (with the error).
    """
    if run_dir is None:
        run_dir, run_name = _run_identity()
    else:
        run_dir = Path(run_dir)
        run_name = run_dir.name
    started = time.perf_counter()
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        update_run_info(run_dir, status="running", started=now(), error=None)
    except OSError as err:
        raise OutputError(
            f"cannot write into the run folder {run_dir}: {err.strerror or err}; choose a "
            "writable folder with hydra.run.dir=..."
        ) from err
    try:
        result = _fit(cfg, run_dir, run_name)
    except BaseException as err:
        update_run_info(
            run_dir,
            status="interrupted" if isinstance(err, TrainingInterrupted) else "failed",
            finished=now(),
            run_time_s=round(time.perf_counter() - started, 3),
            error=f"{type(err).__name__}: {err}",
        )
        raise
    update_run_info(
        run_dir,
        status="finished",
        finished=now(),
        run_time_s=round(time.perf_counter() - started, 3),
    )
    return result


def _fit(cfg: DictConfig, run_dir: Path, run_name: str) -> float | None:
    """Validate, build and fit; the metric to minimise, or None when none was measured."""
    validate(cfg)
    saved = run_dir / ".hydra" / "config.yaml"
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        if not saved.exists():  # the CLI has written it already; API callers get it here
            saved.parent.mkdir(exist_ok=True)
            OmegaConf.save(cfg, saved)
    except OSError as err:
        raise OutputError(
            f"cannot write into the run folder {run_dir}: {err.strerror or err}; choose a "
            "writable folder with hydra.run.dir=..."
        ) from err
    ckpt_path = cfg.ckpt_path
    if ckpt_path is not None and not Path(ckpt_path).is_file():
        raise ConfigError(
            f"ckpt_path={ckpt_path!r} is not a file (resolved to "
            f"{Path(ckpt_path).resolve()}); give the path of a .ckpt to resume"
        )
    ckpt_path = resolve(cfg.get("resume"), ckpt_path, run_dir)

    L.seed_everything(cfg.seed, workers=True, verbose=False)
    datamodule = build_datamodule(cfg.data, cfg.image_size, labels=cfg.model.conditional)
    module = build_module(cfg, datamodule)
    if ckpt_path is not None:
        check_compatible(ckpt_path, module.hparams)  # before any logger or file is made
    loggers = build_loggers(cfg.logger, run_dir, run_name)
    callbacks = build_callbacks(cfg.callbacks, run_dir)
    trainer = build_trainer(cfg.trainer, module.steps_per_iteration, loggers, callbacks, run_dir)
    stopper = next(c for c in callbacks if isinstance(c, StopOnSignal))
    try:
        # weights_only: resuming never runs code from the file
        trainer.fit(module, datamodule=datamodule, ckpt_path=ckpt_path, weights_only=True)
    except SIGTERMException:  # Lightning's own stop; the checkpoint callback saved last.ckpt
        stopper.received = stopper.received or "SIGTERM"
    finally:
        if cfg.logger.name == "wandb":
            import wandb

            wandb.finish()  # or the next run of a multirun logs into this one
    if stopper.received:
        raise TrainingInterrupted(
            stopper.received, module.iteration, run_dir / "checkpoints" / "last.ckpt"
        )
    log.info("finished at iteration %d; run folder: %s", module.iteration, run_dir)
    scorer = next((c for c in callbacks if isinstance(c, ImageMetrics)), None)
    return scorer.final if scorer is not None else None


def resume_command(run_dir: Path) -> str:
    """The command line that continues this run in its own folder."""
    try:
        task = list(HydraConfig.get().overrides.task)
    except ValueError:  # called through the API, not the CLI
        task = []
    dropped = ("resume=", "ckpt_path=", "hydra.run.dir=", "+resume=", "+ckpt_path=")
    kept = [o for o in task if not o.startswith(dropped)]
    args = [*kept, "resume=auto", f"hydra.run.dir={run_dir}"]
    return " ".join(["python -m dcgan.train", *map(shlex.quote, args)])


@hydra.main(version_base="1.3", config_path="configs", config_name="train")
def main(cfg: DictConfig) -> float | None:
    """The command-line entry point: a bad value or folder ends with one clear line."""
    try:
        return train(cfg)
    except (ConfigError, DataError, OutputError, TrainingDiverged) as err:
        if HydraConfig.get().mode == RunMode.MULTIRUN:
            # an exception (not SystemExit) lets the other jobs of the sweep run; Hydra
            # raises the first failure when all are done, and metrics.json says "failed"
            log.error("this run failed: %s", err)
            raise
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(3 if isinstance(err, TrainingDiverged) else 2) from None
    except TrainingInterrupted as stop:
        print(
            f"{stop}\nresume with:\n  {resume_command(stop.checkpoint.parents[1])}", file=sys.stderr
        )
        raise SystemExit(stop.exit_code) from None


if __name__ == "__main__":
    main()
