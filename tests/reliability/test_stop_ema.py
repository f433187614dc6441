"""A stop saves the average as it is, statistics unmeasured, and whatever uses it measures them.

One tiny run is stopped by SIGTERM (sent to this process, as a scheduler sends it) and one runs
straight, both with a grid, an evaluation and a checkpoint every iteration (each measures the
average's statistics first) and G's dropout on (it draws random numbers while the statistics are
measured). The stop's `last.ckpt` must hold the average as it
was, marked stale; generating from it must give the bytes of the straight run's checkpoint of the
same iteration; and the stopped run, resumed, must end as the straight run does.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest
import torch
from hydra import compose, initialize_config_dir
from lightning.pytorch.utilities.exceptions import SIGTERMException

from dcgan.build import build_callbacks, build_module, build_trainer, training_datamodule
from dcgan.callbacks import IterationCheckpoint, TrainingInterrupted
from dcgan.generate import main as generate
from dcgan.run.load import load_gan
from dcgan.train import train
from dcgan.train_args import CONFIG_DIR
from tests.tiny import TINY_DIGITS

ITERATIONS = 8
RUN = [
    *TINY_DIGITS,
    f"trainer.max_steps={ITERATIONS}",
    "logger=none",
    "dropout=generator",
    "resume=auto",
    # each of them measures the average's statistics first, at every iteration
    "callbacks.samples.every_n_steps=1",
    "callbacks.metrics.every_n_steps=1",  # the evaluation due at the stop is made on resuming
    "callbacks.metrics.num_samples=16",
    "callbacks.checkpoint.every_n_steps=1",
    "callbacks.checkpoint.keep=null",  # every iteration's checkpoint, to compare with
]
STATS = ("running_mean", "running_var", "num_batches_tracked")


def _cfg(*overrides: str):  # noqa: ANN202
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose("train", overrides=[*RUN, *overrides])


def _load(path: Path) -> dict:
    return torch.load(path, map_location="cpu", weights_only=True)


def _ema(ckpt: dict, stats: bool) -> dict[str, torch.Tensor]:
    """The average's BatchNorm statistics (stats) or its other entries."""
    return {
        k: v
        for k, v in ckpt["state_dict"].items()
        if k.startswith("generator_ema.") and k.endswith(STATS) == stats
    }


def _scores(run: Path) -> dict:
    """The run's history, final and best scores."""
    info = json.loads((run / "metrics.json").read_text())
    return {
        "history": [(h["iteration"], h["swd"]) for h in info["history"]],
        "final": info["metrics"]["swd"],
        "best": info["best"],
    }


def _stop_after(run: Path, iteration: int) -> int:
    """Train `run` and send this process SIGTERM once the checkpoint of `iteration` is written;
    the iteration the stop saved at."""
    marker = run / "checkpoints" / f"iter_{iteration:06d}.ckpt"
    late: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda *_: late.append(1))  # not this test's end

    def send() -> None:
        deadline = time.monotonic() + 120
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.001)
        os.kill(os.getpid(), signal.SIGTERM)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        with pytest.raises(TrainingInterrupted) as stopped:
            train(_cfg(), run_dir=run)
    finally:
        sender.join()
        signal.signal(signal.SIGTERM, previous)
    assert not late, "SIGTERM came after the run had ended"
    return stopped.value.iteration


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The stopped run (its folder and iteration) and the straight one (its folder)."""
    straight = tmp_path_factory.mktemp("straight")
    train(_cfg(), run_dir=straight)
    stopped = tmp_path_factory.mktemp("stopped")
    at = _stop_after(stopped, 2)
    assert 2 < at < ITERATIONS
    return {"straight": straight, "stopped": stopped, "at": at}


def test_a_stop_saves_the_average_as_it_is_and_marks_its_statistics_stale(runs: dict) -> None:
    at, straight = runs["at"], runs["straight"] / "checkpoints"
    stop = _load(runs["stopped"] / "checkpoints" / "last.ckpt")
    measured, before = (
        _load(straight / f"iter_{at:06d}.ckpt"),
        _load(straight / f"iter_{at - 1:06d}.ckpt"),
    )
    assert stop["global_step"] == 2 * at
    assert stop["tricks"]["ema"]["stale"] is True
    assert measured["tricks"]["ema"]["stale"] is False  # periodic checkpoints measure them
    for key, value in _ema(measured, stats=False).items():  # the same average ...
        assert torch.equal(stop["state_dict"][key], value), key
    # ... with the statistics last measured (at the iteration before), not its own
    for key, value in _ema(before, stats=True).items():
        assert torch.equal(stop["state_dict"][key], value), key
    means = [k for k in _ema(measured, stats=True) if k.endswith("running_mean")]
    assert means and not any(
        torch.equal(stop["state_dict"][k], measured["state_dict"][k]) for k in means
    )


def test_images_from_a_stop_s_checkpoint_are_those_of_a_measured_one(
    runs: dict, tmp_path: Path
) -> None:
    at = runs["at"]
    stop = runs["stopped"] / "checkpoints" / "last.ckpt"
    measured = runs["straight"] / "checkpoints" / f"iter_{at:06d}.ckpt"
    assert _load(stop)["tricks"]["ema"]["stale"] is True
    written = {}
    for name, ckpt in (("stop", stop), ("measured", measured)):
        out = tmp_path / name
        assert generate([f"ckpt={ckpt}", "n=6", f"out={out}", "device=cpu"]) == 0
        written[name] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert written["stop"] and written["stop"] == written["measured"]
    # the training module's reader too: its G (the average) and its own samples
    from_stop, from_measured = load_gan(stop), load_gan(measured)
    for key, value in from_measured.generator.state_dict().items():
        assert torch.equal(from_stop.generator.state_dict()[key], value), key
    assert torch.equal(from_stop.sample(), from_measured.sample())


def test_a_run_resumed_from_a_stop_ends_as_the_straight_run(runs: dict, tmp_path: Path) -> None:
    # a copy: the other tests read the stop's own files, in whatever order they run
    stopped, straight = Path(shutil.copytree(runs["stopped"], tmp_path / "run")), runs["straight"]
    assert _load(stopped / "checkpoints" / "last.ckpt")["tricks"]["ema"]["stale"] is True
    assert not (stopped / "samples" / f"iter_{runs['at']:06d}.png").exists()  # a stop draws none
    train(_cfg(), run_dir=stopped)  # resume=auto: the grid and evaluation due at the stop first
    assert _scores(stopped) == _scores(straight)
    grids = [
        {p.name: p.read_bytes() for p in (run / "samples").iterdir()} for run in (stopped, straight)
    ]
    assert grids[0] == grids[1] and len(grids[0]) == ITERATIONS
    ends = [_load(run / "checkpoints" / "last.ckpt")["state_dict"] for run in (stopped, straight)]
    for key, value in ends[1].items():
        assert torch.equal(ends[0][key], value), key


def test_a_sigterm_lightning_raises_saves_at_once_too(tmp_path: Path) -> None:
    cfg = _cfg("trainer.max_steps=2")
    module = build_module(cfg)
    callbacks = build_callbacks(cfg.callbacks, tmp_path)
    trainer = build_trainer(cfg.trainer, module.steps_per_iteration, [], callbacks, tmp_path)
    trainer.fit(module, datamodule=training_datamodule(cfg))
    ema = module.trick("ema")
    ema.stale = True  # as after a G step: the statistics are the last measured ones
    kept = {k: v.clone() for k, v in module.generator_ema.state_dict().items()}
    saver = next(c for c in callbacks if isinstance(c, IterationCheckpoint))
    saver.on_exception(trainer, module, SIGTERMException())
    saved = _load(tmp_path / "checkpoints" / "last.ckpt")
    assert saved["tricks"]["ema"]["stale"] is True and ema.stale
    for key, value in kept.items():
        assert torch.equal(saved["state_dict"][f"generator_ema.{key}"], value), key
