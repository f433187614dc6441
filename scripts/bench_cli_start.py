"""Print how fast the command line answers a mistake, against the time `import torch` takes.

    python scripts/bench_cli_start.py              # 5 runs of each command
    python scripts/bench_cli_start.py --runs 9

Each command runs in a fresh interpreter, alternating with the others, so a machine whose load
drifts skews them alike; the table gives the median wall time and its ratio to `import torch`
measured in the same run, with the load average at the start.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# (label, arguments of python); the first is the yardstick
COMMANDS = (
    ("import torch", ["-c", "import torch"]),
    ("train optimiser=adam", ["-m", "dcgan.train", "optimiser=adam"]),
    ("train data=nosuch", ["-m", "dcgan.train", "data=nosuch"]),
    ("train image_size=abc", ["-m", "dcgan.train", "image_size=abc"]),
    ("train loss.name=nosuch -m", ["-m", "dcgan.train", "loss.name=nosuch", "-m"]),
    ("train --help", ["-m", "dcgan.train", "--help"]),
    ("generate --help", ["-m", "dcgan.generate", "--help"]),
    ("report --help", ["-m", "dcgan.report", "--help"]),
)


def _seconds(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    """Time every command `--runs` times and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    load = os.getloadavg()
    times: dict[str, list[float]] = {label: [] for label, _ in COMMANDS}
    for _ in range(runs):
        for label, args in COMMANDS:
            times[label].append(_seconds(args))
    torch_s = statistics.median(times[COMMANDS[0][0]])
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} CPUs")
    print(f"{'command':<28} {'median s':>9} {'/ import torch':>15}")
    for label, values in times.items():
        median = statistics.median(values)
        print(f"{label:<28} {median:>9.2f} {median / torch_s:>15.2f}")


if __name__ == "__main__":
    main()
