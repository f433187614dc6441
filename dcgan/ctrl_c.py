"""Ctrl-C (or SIGTERM) during start-up ends the run with one line, whatever library was loading.

A KeyboardInterrupt raised inside a library's start-up code can turn into another error (OmegaConf
restores flags in `finally` blocks over a half-built node; scipy's `__init__` deletes names never
bound). So while Hydra composes and sets up a job, a press is only noted (`defer`) and raised when
the job starts (`honour`); a sweep run in this process is held again between jobs (one whose
launcher runs them elsewhere raises from when it launches). From then on a press is raised, and
any error it turns into on the way up is reported as the interrupt (`pressed()`: Lightning makes
it `sys.exit(1)` in `fit`); `check()` raises it again after imports that swallow it (a bare
`except:`). SIGTERM (a script, `timeout`, a container's stop) is treated alike. Training installs
its own handlers (callbacks/interrupt.py) and restores these after.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType


@dataclass
class CommandState:
    """What the command line keeps while it runs, in this one object."""

    pressed: str | None = None  # the signal (SIGINT: Ctrl-C) received in this process
    waiting: bool = False  # ... while deferred, and not raised yet
    run_finished: bool = False  # the job's run wrote "finished": a signal now stops nothing
    failed_runs: list[str] = field(default_factory=list)  # of a sweep: said once all jobs end


STATE = CommandState()

# what each signal's handler is before anyone replaced it (SIGINT: Ctrl-C raises)
_DEFAULTS = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL}


def note(signum: int, frame: FrameType | None = None) -> None:
    """Keep the signal for later: a sweep's next job (or its end) raises it."""
    STATE.pressed = STATE.pressed or signal.Signals(signum).name
    STATE.waiting = True


def note_and_raise(signum: int, frame: FrameType | None) -> None:
    """The command line's handler once a job runs (an API caller's own is left as it is)."""
    if STATE.run_finished:  # nothing left to stop: a single run ends by itself, exit 0
        return note(signum)
    if STATE.pressed is None:  # else the first is on its way out: its clean-up (the status) stays
        STATE.pressed = signal.Signals(signum).name
        raise KeyboardInterrupt


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def defer() -> None:
    """From now until `honour()`, Ctrl-C and SIGTERM are noted instead of raised (unless
    ignored, as Ctrl-C is for a job started in the background by a script)."""
    if not _main_thread():
        return
    for sig, default in _DEFAULTS.items():
        if signal.getsignal(sig) in (default, note_and_raise):
            signal.signal(sig, note)


def honour() -> None:
    """Ctrl-C and SIGTERM raise again; one received while deferred is raised now."""
    if not _main_thread():
        return
    for sig in _DEFAULTS:
        if signal.getsignal(sig) is note:
            signal.signal(sig, note_and_raise)
    if STATE.waiting:
        STATE.waiting = False
        raise KeyboardInterrupt


def check() -> None:
    """Raise the interrupt now if Ctrl-C was pressed (and swallowed on the way)."""
    if STATE.pressed:
        raise KeyboardInterrupt


def pressed() -> bool:
    """Whether Ctrl-C was pressed (or SIGTERM came): any error on the way out is the interrupt."""
    return STATE.pressed is not None


def received() -> str:
    """The signal that interrupted this process: SIGINT (also when none did) or SIGTERM."""
    return STATE.pressed or "SIGINT"


def exit_code() -> int:
    """The shell's code for the interrupt: 130 for Ctrl-C, 143 for SIGTERM."""
    return 128 + int(signal.Signals[received()])


@contextmanager
def deferred() -> Iterator[None]:
    """A signal the command line raises (after `honour`) is noted during the block and raised at
    its end: torch's C++ start-up turns an interrupt raised inside it into an abort. Signals
    that are not the command line's (an API caller's own) are left as they are."""
    ours = _main_thread() and any(signal.getsignal(s) is note_and_raise for s in _DEFAULTS)
    if ours:
        defer()
    try:
        yield
    finally:
        if ours:
            honour()


@contextmanager
def held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends: a run's status is never half written.
    The handlers are swapped, not the signals blocked: a mask holds only the main thread, and
    a signal that another thread (a data loader's, W&B's) receives still runs its handler in
    the main thread, inside the block. Those that came are raised again after it."""
    came: list[int] = []
    before = {sig: signal.getsignal(sig) for sig in _DEFAULTS} if _main_thread() else {}
    swapped = [s for s, h in before.items() if h not in (None, signal.SIG_IGN)]
    for sig in swapped:
        signal.signal(sig, lambda signum, frame: came.append(signum))
    try:
        yield
    finally:
        for sig in swapped:
            signal.signal(sig, before[sig])
        for signum in came:  # to the handler that was there: it stops, notes or kills
            signal.raise_signal(signum)
