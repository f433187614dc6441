"""One `python -m dcgan.train -m ...` of a race: its command line, and running it to its end.

Every run gets the race's plain overrides (launcher ones included, so `hydra/launcher=parallel`
and submitit work as in any sweep), `resume=auto` (a half-finished run continues from its
checkpoint; a new one starts), the race folder as `hydra.sweep.dir` and its own folder name
(see naming.py). The settings' values are given as `choice(...)` sweeps, so Hydra's
`multirun.yaml` and W&B's tags know them as swept keys, as in a sweep started by hand.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from dcgan.race.naming import exclude_override, subdir_override
from dcgan.race.plan import Launch
from dcgan.race.sweep import Sweep

HEARTBEAT_S = 30.0


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


def run(cmd: list[str], heartbeat: Callable[[], None], every: float = HEARTBEAT_S) -> int:
    """Run `cmd` to its end, calling `heartbeat` while it trains; its exit status.

    Ctrl-C reaches the child too (same process group): the child saves its checkpoints and
    exits, and this waits for it. SIGTERM to the race is passed on to the child.
    """
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    proc = subprocess.Popen(cmd, preexec_fn=preexec)  # noqa: PLW1509 (no threads here)
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, lambda *_: proc.send_signal(signal.SIGTERM))
    try:
        while True:
            try:
                return proc.wait(timeout=every)
            except subprocess.TimeoutExpired:
                heartbeat()
            except KeyboardInterrupt:
                return proc.wait()  # a second Ctrl-C stops the child at once
    finally:
        signal.signal(signal.SIGTERM, previous)
        heartbeat()
