"""Ctrl-C during start-up: noted while Hydra composes, raised after; ignored stays ignored."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from dcgan import ctrl_c


@pytest.fixture(autouse=True)
def _fresh_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    previous = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(ctrl_c, "STATE", ctrl_c.CommandState())
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    yield
    signal.signal(signal.SIGINT, previous[0])
    signal.signal(signal.SIGTERM, previous[1])


def _press() -> None:
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.05)  # the handler runs between bytecodes of the main thread


def test_a_press_while_deferred_is_raised_when_honoured() -> None:
    ctrl_c.defer()
    _press()  # no KeyboardInterrupt here: composition goes on
    assert ctrl_c.pressed()
    with pytest.raises(KeyboardInterrupt):
        ctrl_c.honour()
    ctrl_c.honour()  # raised once, not again


def test_after_honour_a_press_raises_and_is_remembered() -> None:
    ctrl_c.defer()
    ctrl_c.honour()
    assert not ctrl_c.pressed()
    with pytest.raises(KeyboardInterrupt):
        _press()
    assert ctrl_c.pressed()  # any error it turns into on the way out is the interrupt


def test_a_press_that_a_library_swallowed_is_raised_again() -> None:
    ctrl_c.defer()
    ctrl_c.honour()
    try:  # some import code does this
        _press()
    except BaseException:  # noqa: BLE001
        pass
    with pytest.raises(KeyboardInterrupt):
        ctrl_c.check()


def test_training_that_starts_after_a_swallowed_press_stops_at_once() -> None:
    from types import SimpleNamespace

    from dcgan.callbacks.interrupt import StopOnSignal

    stopper = StopOnSignal()
    trainer = SimpleNamespace(received_sigterm=False, should_stop=False)
    ctrl_c.defer()
    ctrl_c.honour()
    with pytest.raises(KeyboardInterrupt):
        _press()
    stopper.on_train_start(trainer, SimpleNamespace(iteration=0))
    try:  # before the first iteration: nothing of this attempt to keep
        assert stopper.received == "SIGINT" and trainer.should_stop and stopper.stopped_at == 0
    finally:
        stopper.restore()


def test_sigterm_is_held_and_raised_like_ctrl_c() -> None:
    ctrl_c.defer()
    os.kill(os.getpid(), signal.SIGTERM)  # by default it would end the process, no line
    time.sleep(0.05)
    assert ctrl_c.pressed() and ctrl_c.received() == "SIGTERM" and ctrl_c.exit_code() == 143
    with pytest.raises(KeyboardInterrupt):
        ctrl_c.honour()


def test_a_signal_another_thread_receives_waits_for_the_end_of_held() -> None:
    """A mask holds only the main thread: the kernel gives the signal to another one, whose
    handler still ran in the main thread, inside the block (a status half written)."""
    import threading

    ctrl_c.defer()
    ctrl_c.honour()
    other = threading.Thread(target=time.sleep, args=(0.5,))  # a thread that takes signals
    other.start()
    inside = False
    with pytest.raises(KeyboardInterrupt):
        with ctrl_c.held():
            _press()
            deadline = time.monotonic() + 0.2
            while time.monotonic() < deadline:  # bytecodes where a handler could run
                pass
            inside = True
    other.join()
    assert inside and ctrl_c.pressed()


def test_a_signal_after_the_run_finished_is_noted_not_raised() -> None:
    """Nothing is left to stop: a single run exits 0 as its metrics.json says; a sweep's next
    job raises it (honour)."""
    ctrl_c.defer()
    ctrl_c.honour()
    ctrl_c.STATE.run_finished = True
    _press()  # no KeyboardInterrupt
    assert ctrl_c.pressed()
    with pytest.raises(KeyboardInterrupt):
        ctrl_c.honour()


def test_training_handlers_after_the_status_is_written_stop_nothing() -> None:
    from types import SimpleNamespace

    from dcgan.callbacks.interrupt import StopOnSignal

    ctrl_c.defer()
    ctrl_c.honour()
    stopper = StopOnSignal()
    stopper.on_train_start(SimpleNamespace(received_sigterm=False), SimpleNamespace(iteration=8))
    try:
        stopper.on_train_end(None, None)
        ctrl_c.STATE.run_finished = True
        _press()
        _press()  # a second press before the status would force a stop
        assert stopper.received is None and stopper.forced is None and ctrl_c.pressed()
    finally:
        stopper.restore()


def test_an_ignored_ctrl_c_stays_ignored() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a job started in the background by a script
    ctrl_c.defer()
    ctrl_c.honour()
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    _press()
    assert not ctrl_c.pressed()


def test_ctrl_c_is_live_again_after_lightning_stopped_fit(tmp_path) -> None:  # noqa: ANN001
    import lightning as L
    import torch

    from dcgan.callbacks.interrupt import live_after

    class PressedDuringSetUp(L.LightningModule):
        def setup(self, stage: str) -> None:
            raise KeyboardInterrupt  # before training starts: no handler of ours yet

        def training_step(self, batch, batch_idx):  # noqa: ANN001, ANN201
            raise AssertionError("never reached")

        def train_dataloader(self):  # noqa: ANN201
            return [torch.zeros(1)]

        def configure_optimizers(self):  # noqa: ANN201
            return None

    trainer = L.Trainer(
        default_root_dir=tmp_path,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        max_steps=1,
    )
    with pytest.raises(SystemExit) as stopped, live_after():
        trainer.fit(PressedDuringSetUp())
    assert stopped.value.code == 1  # Lightning's graceful shutdown ran
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt):
        _press()
