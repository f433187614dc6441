"""Ctrl-C and SIGTERM end training at the next iteration boundary: `last.ckpt` first, then out.

The first signal asks to stop: the current iteration finishes, `last.ckpt` is written at once
(before anything is measured, EMA's statistics included, so a container's SIGKILL a few seconds
later finds it whole) and the run ends without the evaluations of an end: a stop is not a point
of the run's history, and a resume measures what was due. More signals before that save only
say it is coming; once the state is on disk, the next one stops at once. A signal after the last
iteration stops nothing: the run finishes (its state is saved before the end-of-run evaluation)
unless a second one comes.
Other ranks and other threads are left alone: handlers can only be installed by the main thread.
`live_after` gives Ctrl-C back when Lightning's `fit` has left it ignored.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import lightning as L

from dcgan import ctrl_c
from dcgan.callbacks.checkpoint import IterationCheckpoint
from dcgan.callbacks.every import at_iteration_end, last_iteration
from dcgan.run import RunFolder

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class TrainingInterrupted(Exception):
    """Training stopped early on a signal after saving; carries what a resume needs."""

    def __init__(self, signal_name: str, iteration: int, run_dir: Path) -> None:
        self.signal_name, self.iteration = signal_name, iteration
        self.run_dir = Path(run_dir)
        self.checkpoint = RunFolder(run_dir).last_ckpt
        self.exit_code = 128 + int(signal.Signals[signal_name])
        kept = f"saved {self.checkpoint}" if self.checkpoint.is_file() else "nothing to save yet"
        super().__init__(f"{signal_name} received: stopped at iteration {iteration}, {kept}")


class StopOnSignal(L.Callback):
    """Turns SIGINT/SIGTERM during training into a clean stop; `received` names the signal.

    Its handlers stay until `restore()` (train() calls it once the run's status is written), so a
    signal during the end-of-run evaluation or the loggers' shutdown is still one of ours.
    """

    def __init__(self) -> None:
        self.received: str | None = None  # the first signal
        self.stopped_at: int | None = None  # the iteration a stop saved and ended at
        self.forced: str | None = None  # a later signal that stopped at once, the state saved
        self.over = False  # no iteration left to train: the state is on disk
        self.busy_s = 0.0  # seconds spent saving on a stop: not training time (callbacks.clock)
        self._previous: dict[int, Any] = {}

    @property
    def interrupted(self) -> bool:
        """Whether the run ended before its last iteration, or its end was cut short."""
        return self.stopped_at is not None or self.forced is not None

    def on_train_start(self, trainer, pl_module) -> None:  # noqa: ANN001
        if getattr(trainer, "received_sigterm", False):  # arrived while data was loading
            self.received = "SIGTERM"
        if ctrl_c.pressed():  # a signal during start-up that a library swallowed: stop now
            self.received = self.received or ctrl_c.received()
        if self.received:  # nothing trained in this attempt: what is on disk is what there is
            trainer.should_stop = True
            self.stopped_at = pl_module.iteration
        if threading.current_thread() is not threading.main_thread() or self._previous:
            return
        for sig in SIGNALS:
            self._previous[sig] = signal.getsignal(sig)
            signal.signal(sig, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if ctrl_c.STATE.run_finished:  # its status is written: nothing is left to stop
            if self._previous.get(signum) is ctrl_c.note_and_raise:
                ctrl_c.note(signum)  # a sweep ends before its next job
            return
        if self.forced:
            return  # already stopping at once
        if self.received is None:
            self.received = name
            if self.over:
                log.warning(
                    "%s received after the last iteration (saved): finishing the end-of-run "
                    "evaluation; again: stop it now (resume=auto makes it)",
                    name,
                )
            else:
                log.warning("%s received: saving after this iteration, then stopping", name)
            return
        if self.over or self.stopped_at is not None:
            self.forced = name
            raise KeyboardInterrupt  # the state is on disk: what is left may be cut short
        log.warning("%s received again: stopping as soon as this iteration is saved", name)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        if not self.received or self.stopped_at is not None or not at_iteration_end(pl_module):
            return
        if last_iteration(trainer, pl_module):
            return  # nothing left to stop: the run ends here, and saves before it measures
        started = time.perf_counter()
        trainer.should_stop = True  # the other callbacks measure and draw nothing now
        saver = next(c for c in trainer.callbacks if isinstance(c, IterationCheckpoint))
        saver.write_last(trainer, stop=True)
        self.stopped_at = pl_module.iteration
        self.busy_s += time.perf_counter() - started

    def on_train_end(self, trainer, pl_module) -> None:  # noqa: ANN001
        self.over = True

    def restore(self) -> None:
        """Give the signals back to the handlers they had before training."""
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous = {}


@contextmanager
def live_after() -> Iterator[None]:
    """Ctrl-C works again after the block. Lightning sets SIGINT to SIG_IGN for good when a
    KeyboardInterrupt reaches `fit` before training starts (its shutdown may not be pressed
    twice); a notebook, or the next run in the same process, would lose Ctrl-C."""
    main = threading.current_thread() is threading.main_thread()
    before = signal.getsignal(signal.SIGINT) if main else None
    try:
        yield
    finally:
        ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        if before is not None and before is not signal.SIG_IGN and ignored:
            signal.signal(signal.SIGINT, before)
