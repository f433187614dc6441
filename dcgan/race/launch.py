"""One `python -m dcgan.train -m ...` of a race: its command line, and running it to its end.

Every run gets the race's plain overrides (launcher ones included, so `hydra/launcher=parallel`
and submitit work as in any sweep), `resume=auto` (a half-finished run continues from its
checkpoint; a new one starts), the race folder as `hydra.sweep.dir` and its own folder name
(see naming.py). The settings' values are given as `choice(...)` sweeps, so Hydra's
`multirun.yaml` and W&B's tags know them as swept keys, as in a sweep started by hand.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from dcgan.race.naming import exclude_override, subdir_override
from dcgan.race.plan import Launch
from dcgan.race.sweep import Sweep

HEARTBEAT_S = 30.0
FORWARDED = (signal.SIGINT, signal.SIGTERM)


def command(sweep: Sweep, launch: Launch, folder: Path) -> list[str]:
    """The dcgan.train multirun that trains `launch` in `folder`."""
    swept = []
    for key in sweep.keys:
        values = list(dict.fromkeys(s.values[key] for s in launch.settings))
        swept.append(f"{key}=choice({','.join(values)})")
    seeds = ",".join(str(s) for s in launch.seeds)
    keys = [*sweep.task_keys(), "resume"]
    return [
        sys.executable,
        "-m",
        "dcgan.train",
        "-m",
        *sweep.plain,
        *swept,
        f"seed=choice({seeds})",
        "resume=auto",
        f"hydra.sweep.dir={folder}",
        subdir_override(launch.settings[0].overrides),
        exclude_override(keys),
    ]


def _die_with_parent() -> None:  # pragma: no cover (runs in the child, before exec)
    """Linux: the child gets SIGTERM (and saves a checkpoint) when the race is killed."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_process(cmd: list[str]) -> subprocess.Popen:
    """`cmd` in a process group of its own: a terminal's Ctrl-C reaches it once, from run()."""
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    return subprocess.Popen(cmd, preexec_fn=preexec, start_new_session=True)  # noqa: PLW1509


def run(
    cmd: list[str],
    heartbeat: Callable[[], None],
    every: float = HEARTBEAT_S,
    start: Callable[[list[str]], subprocess.Popen] = start_process,
) -> int:
    """Run `cmd` to its end, calling `heartbeat` while it trains; its exit status.

    The child has a process group of its own, and SIGINT or SIGTERM to the race, whether to its
    PID (a script, `timeout`, a scheduler) or to its group (a terminal's Ctrl-C), is passed on
    to that group once a signal: the child saves its checkpoints and exits, and this waits for
    it. A launch that ends after a signal says so (128 + the signal) even when its runs were
    done: the race stops there and prints how to continue.
    """
    proc = start(cmd)
    received: list[int] = []

    def forward(signum: int, frame: object) -> None:
        received.append(signum)
        try:
            os.killpg(proc.pid, signum)
        except ProcessLookupError:
            pass  # it has just ended

    previous = {sig: signal.getsignal(sig) for sig in FORWARDED}
    for sig in FORWARDED:
        signal.signal(sig, forward)
    try:
        while True:
            try:
                rc = proc.wait(timeout=every)
            except subprocess.TimeoutExpired:
                heartbeat()
                continue
            return 128 + received[0] if received and rc == 0 else rc
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        heartbeat()
