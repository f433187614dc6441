"""Ctrl-C and SIGTERM end training at the next iteration boundary, so the last checkpoint is whole.

The first signal only asks to stop: the current iteration finishes, `on_train_end` of the
checkpoint callback writes `last.ckpt` (atomically) and the run ends normally. A second Ctrl-C
stops at once, keeping the checkpoints already written. Other ranks and other threads are left
alone: handlers can only be installed by the main thread.
"""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import lightning as L

from dcgan import ctrl_c
from dcgan.callbacks.every import at_iteration_end

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class TrainingInterrupted(Exception):
    """Training stopped early on a signal after saving; carries what a resume needs."""

    def __init__(self, signal_name: str, iteration: int, checkpoint: Path) -> None:
        self.signal_name, self.iteration, self.checkpoint = signal_name, iteration, checkpoint
        self.exit_code = 128 + int(signal.Signals[signal_name])
        super().__init__(
            f"{signal_name} received: stopped at iteration {iteration}, saved {checkpoint}"
        )


class StopOnSignal(L.Callback):
    """Turns SIGINT/SIGTERM during training into a clean stop; `received` names the signal."""

    def __init__(self) -> None:
        self.received: str | None = None
        self._previous: dict[int, Any] = {}

    def on_train_start(self, trainer, pl_module) -> None:  # noqa: ANN001
        if getattr(trainer, "received_sigterm", False):  # arrived while data was loading
            self.received = "SIGTERM"
        if ctrl_c.pressed():  # a Ctrl-C during start-up that a library swallowed: stop now
            self.received = self.received or "SIGINT"
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in SIGNALS:
            self._previous[sig] = signal.getsignal(sig)
            signal.signal(sig, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.received == "SIGINT" and signum == signal.SIGINT:
            raise KeyboardInterrupt  # a second Ctrl-C: stop now
        self.received = self.received or name
        log.warning("%s received: stopping after the current iteration (Ctrl-C again: now)", name)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        if self.received and at_iteration_end(pl_module):
            trainer.should_stop = True

    def on_train_end(self, trainer, pl_module) -> None:  # noqa: ANN001
        self._restore()

    def on_exception(self, trainer, pl_module, exception: BaseException) -> None:  # noqa: ANN001
        self._restore()

    def teardown(self, trainer, pl_module, stage: str) -> None:  # noqa: ANN001
        self._restore()

    def _restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous = {}
