"""Train a DCGAN: `python -m dcgan.train data.root=pics optimizer=sgd_adam pooling=avg ...`."""

from __future__ import annotations

import logging
import os
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from dcgan import ctrl_c

if TYPE_CHECKING:
    import lightning as L
    from omegaconf import DictConfig

    from dcgan.callbacks import StopOnSignal
    from dcgan.data import ImageDataModule
    from dcgan.module import GAN
    from dcgan.run import RunFolder, RunTime

# Nothing but ctrl_c is imported at module level (dcgan.run loads OmegaConf: over a second on a
# busy machine): `main` is entered at once, so that a Ctrl-C while OmegaConf, torch, Lightning
# and Hydra load is one line, not a traceback through the import machinery.

log = logging.getLogger(__name__)


def _run_identity() -> tuple[Path, str]:
    from hydra.core.hydra_config import HydraConfig

    hc = HydraConfig.get()
    run_dir = Path(hc.runtime.output_dir)
    return run_dir, hc.job.override_dirname or run_dir.name


def train(cfg: DictConfig, run_dir: str | Path | None = None) -> float | None:
    """Build data, model, loggers and Trainer from `cfg`, fit, and return the metric to minimise.

    `run_dir` defaults to Hydra's output folder of the current run. The returned value is
    `callbacks.metrics.monitor` at the last evaluation, or the run's best or late score of it
    (`callbacks.metrics.objective`). `<run_dir>/metrics.json` records the status: running, then
    finished or failed (with the error).
    """
    from dcgan.atomic import OutputError
    from dcgan.config import ConfigError
    from dcgan.preflight import check_run
    from dcgan.run import RunFolder, RunTime
    from dcgan.run.sweep import in_multirun

    if run_dir is None:
        run_dir, run_name = _run_identity()
    else:
        run_dir = Path(run_dir)
        run_name = run_dir.name
    run_time = RunTime()  # a resume takes the earlier attempts' from its checkpoint
    run = RunFolder(run_dir)
    ctrl_c.STATE.run_finished = False  # the API's next run, too, stops on a signal
    try:
        ckpt_path = check_run(cfg, run_dir)  # before any folder, logger or W&B run is made
    except (ConfigError, OutputError) as err:
        if in_multirun() and run_dir.is_dir():  # Hydra made the job's folder: the report lists it
            _record_failure(run, err, run_time)
        raise
    except BaseException:
        if ctrl_c.pressed():
            record_early_stop(run, run_time)
        raise
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        fields = {"status": "running", "error": None}
        if ckpt_path is None or "started" not in run.read_info():  # a resume: its own
            fields["started"] = run_time.started
        run.update_info(**fields)
        # the first line, before torch and Lightning load (a few seconds on a small machine)
        log.info("run folder: %s", run_dir)
    except OSError as err:
        raise OutputError(
            f"cannot write into the run folder {run_dir}: {err.strerror or err}; choose a "
            "writable folder with hydra.run.dir=..."
        ) from err
    try:
        return _fit(cfg, run, run_name, ckpt_path, run_time)  # it records "finished"
    except BaseException as err:
        _record_failure(run, err, run_time)
        raise


def _times(run_time: RunTime) -> dict[str, object]:
    """The whole run's wall time, start and attempts (see RunTime)."""
    return {
        "run_time_s": round(run_time.total_s(), 3),
        "started": run_time.started,
        "attempts": run_time.attempts,
    }


def _record_failure(run: RunFolder, err: BaseException, run_time: RunTime) -> None:
    """Say in metrics.json how the run ended; a full disk must not hide the first error."""
    from dcgan.atomic import OutputError
    from dcgan.run import now

    if _stopped(err):
        status, error = "interrupted", str(err)
    elif isinstance(err, KeyboardInterrupt) or ctrl_c.pressed():  # an error it turned into, too
        status, error = "interrupted", f"{ctrl_c.received()} received"
    else:
        status, error = "failed", f"{type(err).__name__}: {err}"
    try:
        with ctrl_c.held():
            run.update_info(status=status, **_times(run_time), finished=now(), error=error)
    except OutputError as also:
        log.debug("run status not recorded: %s", also)


def record_early_stop(run: RunFolder, run_time: RunTime) -> None:
    """A signal before training: a folder Hydra just made says so (an earlier run's says
    what its files hold, and stays as it is)."""
    if run.path.is_dir() and not run.metrics_json.exists():
        _record_failure(run, KeyboardInterrupt(), run_time)


def _fit(
    cfg: DictConfig, run: RunFolder, run_name: str, ckpt_path: str | None, run_time: RunTime
) -> float | None:
    """Build and fit (the config is checked); the metric to minimise, or None if none."""
    # torch and Lightning load here, after the run's first line: a signal waits until they have
    # (an interrupt raised inside torch's C++ start-up aborts the process)
    with ctrl_c.deferred():
        import lightning as L
        from lightning.pytorch.utilities.exceptions import SIGTERMException
        from omegaconf import OmegaConf

        from dcgan.atomic import write_text_atomic
        from dcgan.build import build_callbacks, build_loggers, build_trainer
        from dcgan.callbacks import ImageMetrics, StopOnSignal, TrainingInterrupted
        from dcgan.callbacks.interrupt import live_after
        from dcgan.console import quiet_libraries
        from dcgan.run import now
        from dcgan.tricks import health_remedies

    quiet_libraries()
    ctrl_c.check()  # a press during the imports above may have been swallowed by one of them
    if not run.config_yaml.exists():  # the CLI has written it already; API callers get it here
        write_text_atomic(run.config_yaml, OmegaConf.to_yaml(cfg))
    run_dir = run.path

    L.seed_everything(cfg.seed, workers=True, verbose=False)
    datamodule, module = _data_and_module(cfg, ckpt_path)
    ctrl_c.check()
    log.info(module.describe())
    loggers = build_loggers(cfg.logger, run_dir, run_name)
    callbacks = build_callbacks(cfg.callbacks, run_dir, health_remedies(cfg), run_time)
    trainer = build_trainer(cfg.trainer, module.steps_per_iteration, loggers, callbacks, run_dir)
    stopper = next(c for c in callbacks if isinstance(c, StopOnSignal))
    try:  # its signal handlers stay until the run's status is written
        try:
            with live_after():
                # weights_only: resuming never runs code from the file
                trainer.fit(module, datamodule=datamodule, ckpt_path=ckpt_path, weights_only=True)
        except SIGTERMException:  # Lightning's own stop; the checkpoint callback saved last.ckpt
            stopper.received = stopper.received or "SIGTERM"
            stopper.stopped_at = module.iteration
        except BaseException:
            if stopper.forced is None:  # not a second signal after the save (sys.exit(1) for it)
                raise
        finally:
            _finish_logger(cfg.logger.name, stopper)
        if stopper.interrupted:
            at = module.iteration if stopper.stopped_at is None else stopper.stopped_at
            raise TrainingInterrupted(stopper.forced or stopper.received, at, run.path)
        _log_the_end(cfg, module.iteration, callbacks, ckpt_path, run_dir)
        scorer = next((c for c in callbacks if isinstance(c, ImageMetrics)), None)
        with ctrl_c.held():
            run.update_info(status="finished", finished=now(), **_times(run_time))
            # from here a signal stops nothing: noted for a sweep (it ends before its next
            # job), and a single run exits 0 as metrics.json says
            ctrl_c.STATE.run_finished = True
        return scorer.objective if scorer is not None else None
    finally:
        stopper.restore()


def _finish_logger(name: str, stopper: StopOnSignal) -> None:
    """W&B: or the next run of a multirun logs into this one; a second signal may cut it."""
    from dcgan.loggers import LOGGERS

    try:
        LOGGERS[name].finish()
    except KeyboardInterrupt:
        if stopper.forced is None:
            raise


def _data_and_module(cfg: DictConfig, ckpt_path: str | None) -> tuple[ImageDataModule, GAN]:
    """The decoded data and the GAN."""
    from lightning.pytorch.utilities import rank_zero_only

    from dcgan.build import build_module, training_datamodule
    from dcgan.run.sweep import says_sweep_notes
    from dcgan.tricks import data_hints

    datamodule = training_datamodule(cfg)
    # decoded here (not in fit): its size steers the tricks' hints, and a conditional G takes
    # its classes
    datamodule.setup("fit")
    if rank_zero_only.rank == 0 and says_sweep_notes():
        for hint in data_hints(cfg, datamodule.num_images):
            log.info(hint)
    module = build_module(cfg, datamodule)
    if ckpt_path is not None and cfg.model.conditional:  # the classes as decoded, exactly
        from dcgan.run.resume import check_compatible

        check_compatible(ckpt_path, module.hparams)
    return datamodule, module


def _log_the_end(
    cfg: DictConfig,
    iteration: int,
    callbacks: list[L.Callback],
    ckpt_path: str | None,
    run_dir: Path,
) -> None:
    """Where the run ended, and why nothing was trained when a resume was already there."""
    from dcgan.callbacks import RunClock

    clock = next(c for c in callbacks if isinstance(c, RunClock))
    if ckpt_path is not None and clock.iterations == 0:
        limit = _limit_reached(cfg.trainer)
        log.info(
            "nothing to train: the run is at iteration %d, where %s stops it; raise it to "
            "train on (run folder: %s)",
            iteration,
            limit,
            run_dir,
        )
    else:
        log.info("finished at iteration %d; run folder: %s", iteration, run_dir)


def _limit_reached(trainer: DictConfig) -> str:
    """The setting that ends a run: trainer.max_steps, or trainer.max_epochs when it is set."""
    if trainer.max_epochs is not None and trainer.max_epochs >= 0:
        if trainer.max_steps is None or trainer.max_steps < 0:
            return f"trainer.max_epochs={trainer.max_epochs}"
        return f"trainer.max_steps={trainer.max_steps} or trainer.max_epochs={trainer.max_epochs}"
    return f"trainer.max_steps={trainer.max_steps}"


def resume_command(run_dir: Path) -> str:
    """The command line that continues this run in its own folder; in a sweep, the sweep's
    own command (every job of it: the finished ones say so and the others train)."""
    from hydra.core.hydra_config import HydraConfig

    from dcgan.run.sweep import in_multirun

    dropped = ("resume=", "ckpt_path=", "+resume=", "+ckpt_path=", "hydra.run.dir=")
    if in_multirun():
        sweep_dir = HydraConfig.get().sweep.dir
        given = [a for a in sys.argv[1:] if a not in ("-m", "--multirun")]
        kept = [o for o in given if not o.startswith((*dropped, "hydra.sweep.dir="))]
        args = ["-m", *kept, "resume=auto", f"hydra.sweep.dir={sweep_dir}"]
    else:
        try:
            task = list(HydraConfig.get().overrides.task)
        except ValueError:  # called through the API, not the CLI
            task = []
        kept = [o for o in task if not o.startswith(dropped)]
        args = [*kept, "resume=auto", f"hydra.run.dir={run_dir}"]
    return " ".join(["python -m dcgan.train", *map(shlex.quote, args)])


def _hydra_main(cfg: DictConfig) -> float | None:
    """Hydra's entry: a bad value or folder ends with one clear line."""
    from dcgan.run import RunFolder, RunTime
    from dcgan.run.sweep import in_multirun

    try:
        try:
            ctrl_c.honour()  # Hydra has composed and set up the job (its own OmegaConf blocks)
        except KeyboardInterrupt:
            record_early_stop(RunFolder(_run_identity()[0]), RunTime())  # Hydra made its folder
            raise
        return train(cfg)
    except BaseException as err:
        if ctrl_c.pressed() and not isinstance(err, KeyboardInterrupt) and not _stopped(err):
            raise KeyboardInterrupt from None  # another error on the way (Lightning: SystemExit)
        replacement = _one_line(err)
        if replacement is None:
            return None
        if replacement is err:
            raise
        raise replacement from None
    finally:
        if in_multirun():  # the launcher composes the next job here: held until it starts
            ctrl_c.defer()


def _stopped(err: BaseException) -> bool:
    """Whether `err` is training's own stop (its module is loaded if it can be one)."""
    return _is(err, "dcgan.callbacks.interrupt", "TrainingInterrupted")


def _is(err: BaseException, module: str, name: str) -> bool:
    """isinstance(err, module.name), without importing the module: the way out of a run stopped
    early imports nothing (torch loaded while an interrupt unwinds crashed the exit)."""
    found = sys.modules.get(module)
    return found is not None and isinstance(err, getattr(found, name))


def _one_line(err: BaseException) -> BaseException | None:
    """The SystemExit that ends the run for `err`; None: a sweep's job failed and said so."""
    from dcgan.atomic import OutputError, disk_error
    from dcgan.config import ConfigError
    from dcgan.run.sweep import in_multirun

    diverged = _is(err, "dcgan.callbacks.health", "TrainingDiverged")
    if _stopped(err):
        print(f"{err}\nresume with:\n  {resume_command(err.run_dir)}", file=sys.stderr)
        return SystemExit(err.exit_code)
    disk = disk_error(err) if not isinstance(err, OutputError) else None
    if disk is not None:  # a write outside our helper (a logger's file): still one line
        err = OutputError(f"cannot write {disk.filename or 'a file'}: {disk.strerror}")
    if not (isinstance(err, (ConfigError, OutputError)) or diverged):
        return err  # a bug: the traceback is what helps (and Ctrl-C goes up to main)
    if in_multirun():
        # the other jobs of the sweep run; metrics.json says "failed" with the error, the
        # report lists it, and main() ends the sweep with one line for the failed runs
        log.error("this run failed: %s", err)
        ctrl_c.STATE.failed_runs.append(f"{_run_identity()[0]}: {err}")
        return None
    print(f"error: {err}", file=sys.stderr)
    return SystemExit(3 if diverged else 2)


def _hydra_entry():  # noqa: ANN202 (Hydra's decorated function)
    """`_hydra_main` under Hydra, with the config folder and the schema registered."""
    import hydra

    from dcgan.config import register_configs
    from dcgan.train_args import CONFIG_DIR

    register_configs()
    # An absolute folder: Hydra reads a relative one as the module `dcgan.configs` when it is
    # called through the `dcgan-train` console script, which is no package (configs/ is linked).
    return hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="train")(
        _hydra_main
    )


def main() -> None:
    """`python -m dcgan.train` and `dcgan-train`: arguments checked, then Hydra runs."""
    try:
        from dcgan.train_args import check_train_args

        if {"-h", "--help"} & set(sys.argv[1:]):  # --hydra-help: Hydra's own
            from dcgan.cli import show
            from dcgan.config_doc import help_text

            show(help_text())
            return
        # held while the arguments are checked and Hydra composes (both build OmegaConf nodes),
        # honoured when the job starts (ctrl_c.py)
        ctrl_c.defer()
        sys.argv[1:] = check_train_args(sys.argv[1:])
        os.environ.setdefault("WANDB_SILENT", "true")  # W&B's banner; the run folder says where
        _hydra_entry()()  # its return value is for sweepers; a console script must exit 0
    except KeyboardInterrupt:
        named = "Ctrl-C" if ctrl_c.received() == "SIGINT" else ctrl_c.received()
        sys.stderr.write(f"\ninterrupted ({named})\n")
        raise SystemExit(ctrl_c.exit_code()) from None
    failed = ctrl_c.STATE.failed_runs
    if failed:
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        sys.stderr.write(f"error: {len(failed)} run(s) of the sweep failed: {failed[0]}{more}\n")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
