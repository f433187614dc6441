"""Ctrl-C during start-up ends the run with one line, whatever library was loading.

A KeyboardInterrupt raised inside a library's own start-up code can be replaced by a second
error: OmegaConf restores flags in `finally` blocks and leaves a node half-built, scipy's
`__init__` deletes names that were never bound. The user pressed Ctrl-C and read a config error
or a NameError. So:
- while Hydra composes the config and sets up the job (a fraction of a second), a press is only
  noted and raised right after, when the job starts (or, for a sweep, when it starts launching);
- from then on a press is noted and raised, and whatever error it turns into on the way up is
  reported as the interrupt (`pressed()`): Lightning turns it into `sys.exit(1)` inside `fit`;
- some import code swallows it whole (a bare `except:`), so `check()` raises it again after the
  imports and after the data is decoded, and training that starts after a press stops at once.
Training installs its own handler (callbacks/interrupt.py) and restores this one after, and
`live_after` gives Ctrl-C back when Lightning has left it ignored.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_pressed = False  # Ctrl-C was pressed in this process
_waiting = False  # ... while deferred, and not raised yet


def _note(signum: int, frame: FrameType | None) -> None:
    global _pressed, _waiting
    _pressed = _waiting = True


def _note_and_raise(signum: int, frame: FrameType | None) -> None:
    global _pressed
    _pressed = True
    raise KeyboardInterrupt


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def defer() -> None:
    """From now until `honour()`, Ctrl-C is noted instead of raised (unless it is ignored, as
    for a job started in the background by a script)."""
    if _main_thread() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _note)


def honour() -> None:
    """Ctrl-C raises again; one pressed while deferred is raised now."""
    global _waiting
    if not _main_thread():
        return
    if signal.getsignal(signal.SIGINT) is _note:
        signal.signal(signal.SIGINT, _note_and_raise)
    if _waiting:
        _waiting = False
        raise KeyboardInterrupt


def check() -> None:
    """Raise the interrupt now if Ctrl-C was pressed (and swallowed on the way)."""
    if _pressed:
        raise KeyboardInterrupt


def pressed() -> bool:
    """Whether Ctrl-C was pressed: then any error on the way out is the interrupt."""
    return _pressed


@contextmanager
def live_after() -> Iterator[None]:
    """Ctrl-C works again after the block. Lightning sets SIGINT to SIG_IGN for good when a
    KeyboardInterrupt reaches `fit` before training starts (its shutdown may not be pressed
    twice); a notebook, or the next run in the same process, would lose Ctrl-C."""
    before = signal.getsignal(signal.SIGINT) if _main_thread() else None
    try:
        yield
    finally:
        ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        if before is not None and before is not signal.SIG_IGN and ignored:
            signal.signal(signal.SIGINT, before)
