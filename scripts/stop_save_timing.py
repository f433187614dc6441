"""Seconds from SIGTERM to `last.ckpt` at 64 px, this checkout against earlier code, one thread.

`python scripts/stop_save_timing.py [--before REV] [--repeats N] [--folder F]`

Starts `python -m dcgan.train` (the real CLI, `OMP_NUM_THREADS=1`) on the digits at 64 px with
the default widths and the default EMA (its BatchNorm statistics measured on 4,096 images), waits
until training is under way (`--wait` seconds after its first iteration began), sends SIGTERM to
its PID, and prints the seconds to `last.ckpt` and to the exit. The earlier code (`--before`, by
default the commit before a stop saved at once) is taken out of git into a temporary folder and
stopped the same way, alternating with this checkout, so both see the same machine; the last
column is this checkout's time to `last.ckpt` over the earlier code's mean. Each figure includes
the rest of the iteration under way at the signal. docs/reliability.md quotes its output.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BEFORE = "a7bfe5e"  # the last commit whose stop measured EMA's statistics before saving
RUN = [
    "data=digits",
    "image_size=64",
    "trainer.accelerator=cpu",
    "trainer.enable_progress_bar=false",
    "trainer.max_steps=100000",
    "callbacks.metrics.inception_weights=null",
    "callbacks.metrics.every_n_steps=100000",
    "callbacks.samples.every_n_steps=100000",
    "callbacks.checkpoint.every_n_steps=100000",
    "logger=none",
]
TRAINING = "FID, KID and IS are off"  # the metrics callback's line as training starts


def checkout(rev: str, folder: Path) -> Path:
    """The package and configs of `rev`, from git, in `folder`."""
    archive = subprocess.run(
        ["git", "archive", rev, "dcgan", "configs"], cwd=REPO, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def stop_once(code: Path, run: Path, wait_s: float) -> dict:
    """One run of the code in `code`, stopped by SIGTERM `wait_s` seconds into training."""
    env = {**os.environ, "PYTHONPATH": str(code), "WANDB_MODE": "offline"}
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dcgan.train", *RUN, f"hydra.run.dir={run}"],
        cwd=code,
        env=env,
        stdout=subprocess.PIPE,  # Hydra's console log: the line that says training started
        stderr=subprocess.STDOUT,
        text=True,
    )
    training, lines = threading.Event(), []

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)
            if TRAINING in line:
                training.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    while not training.wait(1.0):
        if proc.poll() is not None:
            raise RuntimeError(f"the run ended before training: {''.join(lines[-20:])}")
    time.sleep(wait_s)
    sent = time.time()
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    ended = time.time()
    reader.join()
    last = run / "checkpoints" / "last.ckpt"
    saved = last.stat().st_mtime if last.exists() else None
    return {
        "to last.ckpt (s)": None if saved is None or saved < sent else saved - sent,
        "to exit (s)": ended - sent,
        "exit": proc.returncode,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="the earlier code: a git revision")
    parser.add_argument("--repeats", type=int, default=1, help="stops of each code")
    parser.add_argument("--wait", type=float, default=5.0, help="seconds into training")
    parser.add_argument("--folder", type=Path, default=None, help="where the runs go (a temp dir)")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="stop_save_timing_"))
    codes = {f"before ({args.before})": checkout(args.before, folder / "before"), "after": REPO}
    rows = []
    for i in range(args.repeats):
        for name, code in codes.items():
            row = stop_once(code, folder / f"run_{name.split()[0]}_{i}", args.wait)
            rows.append({"code": name, **row})
            print(name, {k: v if isinstance(v, int) else round(v, 2) for k, v in row.items()})
    before = [r["to last.ckpt (s)"] for r in rows if r["code"] != "after"]
    base = statistics.mean(t for t in before if t is not None)
    print("code | signal to last.ckpt (s) | signal to exit (s) | exit | last.ckpt vs before")
    for r in rows:
        t = r["to last.ckpt (s)"]
        ratio = "-" if t is None else f"{t / base:.3f}x"
        shown = "(none)" if t is None else f"{t:.2f}"
        print(f"{r['code']} | {shown} | {r['to exit (s)']:.2f} | {r['exit']} | {ratio}")
    print(f"(runs in {folder})")


if __name__ == "__main__":
    main()
