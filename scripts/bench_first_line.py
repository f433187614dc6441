"""Print how long a training run takes to say its first line, against `import torch` and
`import lightning` measured in the same run.

    python scripts/bench_first_line.py              # 3 runs of each, the digits demo
    python scripts/bench_first_line.py --runs 5 --importtime   # and where the imports go

Each command runs in a fresh interpreter, alternating with the others, so load from other
processes hits them alike; a training run is stopped (killed) once it has printed a line. With
--importtime one more run of the demo under `python -X importtime` lists the slowest top-level
imports before its first line.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ["-m", "dcgan.train", "data=digits", "experiment=tiny", "logger=none"]


def first_line(args: list[str], run_dir: Path) -> tuple[float, str]:
    """Seconds from the start of `python <args>` to its first line of output, and that line."""
    env = {**os.environ, "WANDB_MODE": "offline", "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *args, f"hydra.run.dir={run_dir}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = proc.stdout.readline() if proc.stdout else ""
    took = time.perf_counter() - start
    proc.kill()
    proc.wait()
    return took, line.strip()


def seconds(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, check=False)
    return time.perf_counter() - start


def slowest_imports(tmp: Path, top: int = 12) -> list[tuple[float, str]]:
    """The slowest imports a demo run makes before its first line (cumulative seconds)."""
    env = {**os.environ, "WANDB_MODE": "offline", "PYTHONPATH": str(ROOT)}
    log = tmp / "importtime.txt"
    with open(log, "w") as err:  # a file, not a pipe: importtime writes more than a pipe holds
        proc = subprocess.Popen(
            [sys.executable, "-X", "importtime", *DEMO, f"hydra.run.dir={tmp / 'importtime'}"],
            cwd=ROOT,
            env=env,
            stdout=err,
            stderr=err,
        )
        while proc.poll() is None:  # until the run says something that is not an import time
            if any(not line.startswith("import time:") for line in log.read_text().splitlines()):
                break
            time.sleep(0.2)
        proc.kill()
        proc.wait()
    rows = []
    for line in log.read_text().splitlines():
        if line.startswith("import time:") and "cumulative" not in line:
            _, cumulative, name = line.split(":", 1)[1].split("|")
            if len(name) - len(name.lstrip()) <= 3:  # imported by our code, not inside a library
                rows.append((int(cumulative) / 1e6, name.strip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    """Time each command `--runs` times and print the medians and their ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--importtime", action="store_true", help="list the slowest imports")
    args = parser.parse_args()
    load = os.getloadavg()
    times: dict[str, list[float]] = {"import torch": [], "import lightning": [], "demo": []}
    said = ""
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            times["import torch"].append(seconds(["-c", "import torch"]))
            times["import lightning"].append(seconds(["-c", "import lightning"]))
            took, said = first_line(DEMO, Path(tmp) / f"run{i}")
            times["demo"].append(took)
        imports = slowest_imports(Path(tmp)) if args.importtime else []
    torch_s = statistics.median(times["import torch"])
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} CPUs")
    print(f"first line of the demo: {said}")
    print(f"{'command':<34} {'median s':>9} {'/ import torch':>15}")
    for label, values in times.items():
        name = "demo to its first line" if label == "demo" else label
        median = statistics.median(values)
        print(f"{name:<34} {median:>9.2f} {median / torch_s:>15.2f}")
    for cumulative, name in imports:
        print(f"  import {name:<40} {cumulative:>6.2f} s (cumulative)")


if __name__ == "__main__":
    main()
