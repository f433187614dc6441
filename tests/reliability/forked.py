"""Start the real entry points (`dcgan.train`, `dcgan.race`) many times without paying for imports.

A server process imports torch, Lightning, Hydra and dcgan once; each start is a child forked
from it that runs the entry point's `main` with its own argv, in its own session (a process
group, as a terminal gives it), its output in files: the code path of `python -m dcgan.train`
after its imports. A race started so forks its `python -m dcgan.train` launches the same way
(`dcgan.race.launch.run`'s `start`). Signals go to the child's PID or to its group, as a script
or a terminal sends them.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

SERVER = r"""
import json, os, sys, traceback
import torch, lightning, hydra  # the imports every start would pay for
import dcgan.train, dcgan.build, dcgan.callbacks, dcgan.module, dcgan.data, dcgan.race.cli
import dcgan.race.race, dcgan.race.launch, dcgan.report

torch.set_num_threads(1)
# as a terminal's Python has them: the pytest worker that started this server may ignore Ctrl-C
# (Lightning leaves SIG_IGN after a test's interrupt), and the starts would inherit that
import signal
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGTERM, signal.SIG_DFL)


class ForkedTrain:  # a race's `python -m dcgan.train ...` forked from here: the same main

    def __init__(self, cmd):
        import signal
        assert cmd[1:3] == ["-m", "dcgan.train"], cmd
        self.args, self.returncode = cmd, None
        self.pid = os.fork()
        if self.pid == 0:
            os.setsid()  # as start_process gives it
            signal.signal(signal.SIGINT, signal.default_int_handler)  # as a new Python has them
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            sys.argv = ["dcgan.train", *cmd[3:]]
            os._exit(run(dcgan.train.main))

    def wait(self, timeout=None):
        import subprocess, time
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
            elif deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(self.args, timeout)
            else:
                time.sleep(0.01)
        return self.returncode


def race_main():
    import functools
    launch = functools.partial(dcgan.race.launch.run, start=ForkedTrain)
    dcgan.race.race.run_race.__defaults__ = (launch, print)
    return dcgan.race.cli.main()


def run(entry):
    code = 0
    try:
        code = entry() or 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    return code


ENTRIES = {"dcgan.train": dcgan.train.main, "dcgan.race": race_main}
print("ready", flush=True)
for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        os.setsid()
        for fd, name in ((1, "out"), (2, "err")):
            os.dup2(os.open(job[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
        os.chdir(job["cwd"])
        sys.argv = [job["entry"], *job["argv"]]
        os._exit(run(ENTRIES[job["entry"]]))
    print("pid", pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print("rc", os.waitstatus_to_exitcode(status), flush=True)
"""


@dataclass
class Start:
    """One forked start: its PID (also its group's id), output files and exit code when done."""

    pid: int
    out: Path
    err: Path
    server: Server
    code: int | None = None

    def signal(self, sig: int, group: bool = False) -> None:
        """Send `sig` to the process, or to its whole group as a terminal's Ctrl-C does."""
        try:
            (os.killpg if group else os.kill)(self.pid, sig)
        except ProcessLookupError:
            pass  # it ended already

    def alive(self) -> bool:
        """Whether it has not reported its exit code yet."""
        if self.code is None:
            self.code = self.server.exit_code(timeout=0)
        return self.code is None

    def wait(self, timeout: float = 120) -> int:
        """Its exit code (a negative one: killed by that signal)."""
        if self.code is None:
            self.code = self.server.exit_code(timeout=timeout)
        if self.code is None:
            os.killpg(self.pid, signal.SIGKILL)
            raise TimeoutError(f"start {self.pid} still running after {timeout} s: {self.stderr()}")
        return self.code

    def stderr(self) -> str:
        return self.err.read_text(errors="replace") if self.err.exists() else ""


class Server:
    """The pre-imported parent; one start at a time."""

    def __init__(self, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.cwd, self.count = cwd, 0
        self.running: Start | None = None
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER],
            cwd=cwd,
            env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},  # this checkout's dcgan
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert self._line(timeout=300) == "ready", "the fork server did not start"

    def _line(self, timeout: float | None) -> str | None:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the fork server ended (rc={self.proc.poll()})")
        return line.strip()

    def exit_code(self, timeout: float) -> int | None:
        line = self._line(timeout)
        if line is None:
            return None
        kind, value = line.split()
        assert kind == "rc", line
        self.running = None
        return int(value)

    def start(self, entry: str, argv: list[str], cwd: Path | None = None) -> Start:
        """Fork a start of `entry` ("dcgan.train" or "dcgan.race") with `argv`."""
        if self.running is not None and self.running.alive():  # a test that failed midway
            os.killpg(self.running.pid, signal.SIGKILL)
            self.running.wait()
        self.count += 1
        logs = self.cwd / "starts"
        logs.mkdir(exist_ok=True)
        out, err = logs / f"{self.count}.out", logs / f"{self.count}.err"
        job = {"entry": entry, "argv": argv, "cwd": str(cwd or self.cwd)}
        self.proc.stdin.write(json.dumps({**job, "out": str(out), "err": str(err)}) + "\n")
        kind, pid = self._line(timeout=60).split()
        assert kind == "pid" and int(pid) > 1, (kind, pid)
        self.running = Start(int(pid), out, err, self)
        return self.running

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def wait_until(start: Start, ready: Callable[[], bool], timeout: float = 60) -> bool:
    """Poll `ready()` while the start runs: True when it held, False when the start ended first."""
    deadline = time.monotonic() + timeout
    while not ready():
        if not start.alive() or time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server for a test module: `server = pytest.fixture(scope="module")(served)`."""
    srv = Server(tmp_path_factory.mktemp("forked"), env={"WANDB_MODE": "offline"})
    yield srv
    srv.close()
