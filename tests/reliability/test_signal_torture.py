"""Signals at random moments of tiny runs: every stop keeps the run, and its scores do not change.

Starts of the real entry point (`dcgan.train.main`, forked from a pre-imported parent: see
forked.py) get SIGINT or SIGTERM, once or twice at a random gap, to their PID or their group,
during start-up, training, an evaluation, a checkpoint write or the last iteration. Each start is
followed by `resume=auto` until the run finishes, and then its history, final, best and late
scores must equal those of a straight run of the same seed. DCGAN_TORTURE_SEED picks the moments
(2026 unless set, so a run of the suite is repeatable; printed, with the tally);
DCGAN_TORTURE_STARTS how many signalled starts (30).
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
import torch

from dcgan.metrics.run_scores import late_mean
from tests.reliability.forked import Server, Start, served, wait_until
from tests.tiny import TINY_DIGITS

pytestmark = pytest.mark.slow

ITERATIONS = 8
EVERY_EVAL = 3
RUN = [
    *TINY_DIGITS,
    f"trainer.max_steps={ITERATIONS}",
    f"callbacks.metrics.every_n_steps={EVERY_EVAL}",
    "callbacks.metrics.num_samples=16",
    "callbacks.samples.every_n_steps=1",  # a grid a iteration: how far training got
    "callbacks.samples.num_samples=4",
    "callbacks.samples.nrow=2",
    "callbacks.checkpoint.every_n_steps=4",
    "logger=none",
    "seed=5",
    "resume=auto",
]
MOMENTS = ("start-up", "training", "evaluation", "checkpoint write", "last iteration")
PRESSES = (
    ("SIGINT",),
    ("SIGTERM",),
    ("SIGINT", "SIGINT"),
    ("SIGTERM", "SIGINT"),
    ("SIGTERM", "SIGTERM"),
)
LOG_LINE = re.compile(r"^\[\d{4}-\d\d-\d\d [\d:,]+\]\[")
HEADLINE = re.compile(r"^(SIG(INT|TERM) received: stopped at iteration \d+, |interrupted \()")


server = pytest.fixture(scope="module")(served)


def _grids(run: Path) -> int:
    """The last iteration whose grid is written: training got at least that far."""
    names = [p.name for p in (run / "samples").glob("iter_*.png")]
    return max((int(n[5:11]) for n in names), default=0)


def _saved(run: Path) -> int:
    last = run / "checkpoints" / "last.ckpt"
    if not last.exists():
        return 0
    return torch.load(last, map_location="cpu", weights_only=True)["global_step"] // 2


def _has_tmp(run: Path) -> bool:
    try:
        return any(n.endswith(".tmp") for n in os.listdir(run / "checkpoints"))
    except FileNotFoundError:
        return False


def _info(run: Path) -> dict:
    path = run / "metrics.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _scores(info: dict) -> dict:
    history = info["history"]
    return {
        "history": [(h["iteration"], round(h["swd"], 6)) for h in history],
        "final": round(info["metrics"]["swd"], 6),
        "best": (info["best"]["iteration"], round(info["best"]["value"], 6)),
        "late": round(late_mean(history, "swd"), 6),
    }


def _reach(start: Start, run: Path, moment: str, rng: random.Random, startup_s: float) -> bool:
    """Wait for `moment` of this start; False when it ended before."""
    done = _grids(run)
    if moment == "start-up":
        time.sleep(rng.uniform(0.0, startup_s))
        return start.alive()
    if moment == "checkpoint write":
        return wait_until(start, lambda: _has_tmp(run))
    if moment == "last iteration":
        target = ITERATIONS - 1
    elif moment == "evaluation":  # the iteration before one that evaluates
        evals = [i - 1 for i in range(EVERY_EVAL, ITERATIONS, EVERY_EVAL) if i - 1 > done]
        target = rng.choice(evals) if evals else done + 1
    else:
        target = rng.randint(min(done + 1, ITERATIONS - 1), ITERATIONS - 1)
    reached = wait_until(start, lambda: _grids(run) >= min(target, ITERATIONS - 1))
    time.sleep(rng.uniform(0.0, 0.08))  # into the next iteration, its evaluation, its save
    return reached and start.alive()


def _check_exit(start: Start, code: int, run: Path, got_to: int, tally: Counter) -> bool:
    """One stop: a known exit, one line, nothing lost, never `failed`; True when it finished."""
    err = start.stderr()
    assert code in (0, 130, 143), f"exit {code}:\n{err[-3000:]}"
    assert "Traceback" not in err, err[-3000:]
    said = [ln for ln in err.splitlines() if ln.strip() and not LOG_LINE.match(ln)]
    info = _info(run)
    assert info.get("status") != "failed", info
    if code == 0:
        assert info["status"] == "finished" and not said, (info, said)
        return True
    assert len([ln for ln in said if HEADLINE.match(ln)]) == 1, said
    assert info.get("status", "interrupted") == "interrupted", info
    assert "KeyboardInterrupt" not in (info.get("error") or ""), info
    saved = _saved(run)
    assert saved >= got_to, f"the stop lost iterations {saved + 1}..{got_to}: {said}"
    tally[f"signal exits {code}"] += 1
    return False


def test_signals_at_random_moments_keep_every_run_and_its_scores(
    server: Server, tmp_path: Path, tally: Counter
) -> None:
    seed = int(os.environ.get("DCGAN_TORTURE_SEED", "2026"))
    starts = int(os.environ.get("DCGAN_TORTURE_STARTS", "30"))
    print(f"signal torture: DCGAN_TORTURE_SEED={seed}")
    rng = random.Random(seed)

    began = time.monotonic()
    straight = server.start("dcgan.train", [*RUN, f"hydra.run.dir={tmp_path / 'straight'}"])
    assert straight.wait() == 0, straight.stderr()[-3000:]
    startup_s = min(2.0, 0.4 * (time.monotonic() - began))
    expected = _scores(_info(tmp_path / "straight"))

    seen: Counter[str] = Counter()
    runs, signalled = 0, 0
    while signalled < starts:
        runs += 1
        run = tmp_path / f"run{runs}"
        args = [*RUN, f"hydra.run.dir={run}"]
        finished = False
        for _ in range(rng.randint(3, 6)):  # signalled starts of this run
            if signalled >= starts:
                break
            moment, presses = rng.choice(MOMENTS), rng.choice(PRESSES)
            group = rng.random() < 0.5
            start = server.start("dcgan.train", args)
            if not _reach(start, run, moment, rng, startup_s):
                finished = _check_exit(start, start.wait(), run, _grids(run), tally)
                seen["ended before the moment"] += 1
                if finished:
                    break
                continue
            got_to = _grids(run)
            for i, name in enumerate(presses):
                if i:
                    time.sleep(rng.uniform(0.0, 0.4))
                start.signal(getattr(signal, name), group=group)
            finished = _check_exit(start, start.wait(), run, got_to, tally)
            signalled += 1
            seen[f"{moment}, {'+'.join(presses)} to the {'group' if group else 'PID'}"] += 1
            tally[f"signal torture ({moment})"] += 1
            if finished:
                break
        if not finished:  # resume=auto finishes it
            last = server.start("dcgan.train", args)
            assert last.wait() == 0, last.stderr()[-3000:]
        assert _scores(_info(run)) == expected, f"run {run.name} (DCGAN_TORTURE_SEED={seed})"
        tally["signal torture: runs finished with the straight run's scores"] += 1
    print(f"signal torture, seed {seed}: {signalled} signalled starts over {runs} runs")
    for kind, count in sorted(seen.items()):
        print(f"  {kind}: {count}")


def _said_after(start: Start, marker: str) -> str:
    """The log from the line that contains `marker` on."""
    log = start.out.read_text() + start.stderr()
    return log[log.index(marker) :] if marker in log else ""


def test_a_second_ctrl_c_keeps_the_state_and_nothing_is_measured_before_the_save(
    server: Server, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    start = server.start("dcgan.train", [*RUN, "trainer.max_steps=400", f"hydra.run.dir={run}"])
    assert wait_until(start, lambda: _grids(run) >= 4)
    got_to = _grids(run)
    start.signal(signal.SIGINT)
    time.sleep(0.3)  # nothing seems to happen: pressed again
    start.signal(signal.SIGINT)
    assert start.wait() == 130, start.stderr()[-3000:]
    info = _info(run)
    assert info["status"] == "interrupted" and "KeyboardInterrupt" not in info["error"]
    assert _saved(run) >= got_to
    after = _said_after(start, "SIGINT received")
    # last.ckpt first; no evaluation of the stop (not a point of the history), no end-of-run one
    assert "checkpoint written" in after and "end of run" not in after
    assert not re.search(r"iteration \d+: swd", after), after
    assert [h["iteration"] % EVERY_EVAL for h in info["history"]] == [0] * len(info["history"])


def test_a_signal_after_the_last_iteration_leaves_the_run_finished(
    server: Server, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    args = [*RUN, "callbacks.metrics.final_num_samples=1797", f"hydra.run.dir={run}"]
    start = server.start("dcgan.train", args)  # its end-of-run evaluation takes a while
    assert wait_until(start, lambda: _saved(run) == ITERATIONS)  # saved before it measures
    start.signal(signal.SIGTERM)
    assert start.wait() == 0, start.stderr()[-3000:]
    info = _info(run)
    assert info["status"] == "finished" and info["metrics"]["num_samples"] == 1797


def test_a_ctrl_c_during_start_up_leaves_no_failed_or_unmarked_folder(
    server: Server, tmp_path: Path
) -> None:
    for delay in (0.05, 0.3, 0.8):
        run = tmp_path / f"run{delay}"
        start = server.start("dcgan.train", [*RUN, f"hydra.run.dir={run}"])
        time.sleep(delay)
        start.signal(signal.SIGINT, group=True)
        code = start.wait()
        assert code in (0, 130), start.stderr()[-3000:]
        if code == 130 and run.exists():
            info = _info(run)
            assert info.get("status") == "interrupted", sorted(p.name for p in run.iterdir())
            assert not info["error"].startswith("KeyboardInterrupt"), info


def test_ctrl_c_in_a_sweep_prints_the_sweep_s_own_continue_command(
    server: Server, tmp_path: Path
) -> None:
    sweep = tmp_path / "sweep"
    args = ["-m", *[a for a in RUN if not a.startswith("seed=")], "seed=0,1"]
    start = server.start("dcgan.train", [*args, f"hydra.sweep.dir={sweep}"])
    assert wait_until(start, lambda: _grids(sweep / "0") >= 2)
    start.signal(signal.SIGINT, group=True)
    assert start.wait() == 130, start.stderr()[-3000:]
    command = start.stderr().split("resume with:\n")[1].strip().splitlines()[0].split()
    assert command[:4] == ["python", "-m", "dcgan.train", "-m"], command
    assert f"hydra.sweep.dir={sweep}" in command and "seed=0,1" in command
    again = server.start("dcgan.train", command[3:])
    assert again.wait() == 0, again.stderr()[-3000:]
    assert [_info(sweep / s)["status"] for s in ("0", "1")] == ["finished", "finished"]


SIGNAL_AFTER_THE_FIRST_JOB = """
import os, signal
from hydra.experimental.callback import Callback


class SignalAfterTheFirstJob(Callback):
    def on_job_end(self, config, job_return, **kwargs):
        if config.hydra.job.num == 0:  # Hydra composes and sets up the next job from here
            os.kill(os.getpid(), signal.SIGINT)
"""


def test_a_signal_between_two_jobs_of_a_sweep_ends_it_as_the_next_starts(
    server: Server, tmp_path: Path
) -> None:
    """Held while Hydra composes the next job (OmegaConf turns an interrupt inside that into
    another error, and the sweep ended with a traceback), raised as that job starts."""
    (tmp_path / "signal_after_the_first_job.py").write_text(SIGNAL_AFTER_THE_FIRST_JOB)
    sweep = tmp_path / "sweep"
    callback = "+hydra.callbacks.signal._target_=signal_after_the_first_job.SignalAfterTheFirstJob"
    args = ["-m", *[a for a in RUN if not a.startswith("seed=")], "seed=0,1", callback]
    start = server.start("dcgan.train", [*args, f"hydra.sweep.dir={sweep}"], cwd=tmp_path)
    assert start.wait() == 130, start.stderr()[-3000:]
    assert "Traceback" not in start.stderr(), start.stderr()[-3000:]
    assert start.stderr().strip().splitlines()[-1] == "interrupted (Ctrl-C)", start.stderr()
    assert [_info(sweep / s).get("status") for s in ("0", "1")] == ["finished", "interrupted"]


SIGNAL_AT_THE_END = """
import os, signal
from hydra.experimental.callback import Callback


class SignalAtTheEnd(Callback):
    def on_run_end(self, config, **kwargs):  # the run's status is written
        os.kill(os.getpid(), signal.SIGINT)
"""


def test_a_signal_after_a_run_finished_ends_it_as_finished(server: Server, tmp_path: Path) -> None:
    """Nothing is left to stop once metrics.json says finished: exit 0, no stop's line (it
    said 'interrupted', exit 130, beside a finished status)."""
    (tmp_path / "signal_at_the_end.py").write_text(SIGNAL_AT_THE_END)
    run = tmp_path / "run"
    callback = "+hydra.callbacks.signal._target_=signal_at_the_end.SignalAtTheEnd"
    start = server.start("dcgan.train", [*RUN, callback, f"hydra.run.dir={run}"], cwd=tmp_path)
    assert start.wait() == 0, start.stderr()[-3000:]
    assert "interrupted" not in start.stderr() and "Traceback" not in start.stderr()
    assert _info(run)["status"] == "finished"
