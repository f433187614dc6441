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
    previous = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(ctrl_c, "_pressed", False)
    monkeypatch.setattr(ctrl_c, "_waiting", False)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


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
    trainer = SimpleNamespace(received_sigterm=False)
    ctrl_c.defer()
    ctrl_c.honour()
    with pytest.raises(KeyboardInterrupt):
        _press()
    stopper.on_train_start(trainer, None)
    try:
        assert stopper.received == "SIGINT"
    finally:
        stopper.teardown(trainer, None, "fit")


def test_an_ignored_ctrl_c_stays_ignored() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a job started in the background by a script
    ctrl_c.defer()
    ctrl_c.honour()
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    _press()
    assert not ctrl_c.pressed()
