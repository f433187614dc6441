"""How long a stop takes and what it keeps: `python scripts/stop_timings.py [--folder F]`.

Starts `python -m dcgan.train` (the real CLI, in its own process group as a terminal gives it)
on the digits at 32 px with the default widths, and stops it four ways once training is under
way: one Ctrl-C, two Ctrl-C 0.5 s apart, SIGTERM to its PID, and Ctrl-C one second after the
start. For each it prints the seconds from the (first) signal to `last.ckpt` and to the exit,
the exit status, the iteration kept against the last one finished at the signal, and the run's
status in metrics.json. docs/reliability.md quotes its output.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUN = [
    "data=digits",
    "image_size=32",
    "trainer.accelerator=cpu",
    "trainer.enable_progress_bar=false",
    "trainer.max_steps=100000",
    "callbacks.metrics.inception_weights=null",
    "callbacks.metrics.every_n_steps=20",
    "callbacks.samples.every_n_steps=1",  # a grid each iteration: how far training got
    "callbacks.checkpoint.every_n_steps=1000",
    "logger=none",
]


def _grids(run: Path) -> int:
    names = [p.name for p in (run / "samples").glob("iter_*.png")]
    return max((int(n[5:11]) for n in names), default=0)


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return None


def stop(folder: Path, name: str, signals: list[tuple[float, int, bool]], early: bool) -> dict:
    """Start a run, send `signals` ((seconds after the first, signal, to the group)), measure."""
    run = folder / name
    proc = subprocess.Popen(
        [sys.executable, "-m", "dcgan.train", *RUN, f"hydra.run.dir={run}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "WANDB_MODE": "offline"},
    )
    if early:
        time.sleep(1.0)
    else:
        while _grids(run) < 3:  # training is under way
            time.sleep(0.01)
    done = _grids(run)
    began = time.time()
    for after, sig, group in signals:
        time.sleep(max(0.0, began + after - time.time()))
        (os.killpg if group else os.kill)(proc.pid, sig)
    _, err = proc.communicate()
    ended = time.time()
    saved = _mtime(run / "checkpoints" / "last.ckpt")
    kept = re.search(r"stopped at iteration (\d+)", err)
    info = run / "metrics.json"
    status = json.loads(info.read_text()).get("status") if info.exists() else "(no metrics.json)"
    return {
        "stop": name,
        "to last.ckpt (s)": None if saved is None or saved < began else round(saved - began, 2),
        "to exit (s)": round(ended - began, 2),
        "exit": proc.returncode,
        "kept / finished at the signal": f"{kept.group(1) if kept else '-'} / {done}",
        "status": status if run.exists() else "(no folder)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=None, help="where the runs go (a temp dir)")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="stop_timings_"))
    ways = [
        ("first Ctrl-C", [(0.0, signal.SIGINT, True)], False),
        (
            "second Ctrl-C, 0.5 s later",
            [(0.0, signal.SIGINT, True), (0.5, signal.SIGINT, True)],
            False,
        ),
        ("SIGTERM to the PID", [(0.0, signal.SIGTERM, False)], False),
        ("Ctrl-C 1 s after the start", [(0.0, signal.SIGINT, True)], True),
    ]
    rows = [stop(folder, f"run{i}", sigs, early) for i, (_, sigs, early) in enumerate(ways)]
    for (label, _, _), row in zip(ways, rows, strict=True):
        row["stop"] = label
    keys = list(rows[0])
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(str(row[k]) for k in keys))
    print(f"(runs in {folder})")


if __name__ == "__main__":
    main()
