"""The GAN module calls every hook of the Trick shape at its documented point of an iteration."""

from __future__ import annotations

from pathlib import Path

import lightning as L
import torch
from torch import Tensor

from dcgan.build import build_module, build_trainer, training_datamodule
from dcgan.tricks import Trick


class Recorder(Trick):
    """Writes down what each hook saw, and marks D's inputs so the test can see they were used."""

    name = "recorder"

    def __init__(self, cfg: object, gan: L.LightningModule) -> None:
        super().__init__(cfg, gan)
        self.calls: list[tuple[str, int]] = []
        self.real_signs: list[Tensor] = []
        self.restored = None

    def d_inputs(self, real: Tensor, fake: Tensor) -> tuple[Tensor, Tensor]:
        self.calls.append(("d_inputs", self.gan.iteration))
        assert not fake.requires_grad  # D's step sees detached fakes
        return real, fake

    def g_input(self, fake: Tensor) -> Tensor:
        self.calls.append(("g_input", self.gan.iteration))
        assert fake.requires_grad  # G's step keeps G's graph
        return fake

    def after_d_step(self, real_logits: Tensor, fake_logits: Tensor) -> None:
        self.calls.append(("after_d_step", self.gan.iteration))
        self.real_signs.append(torch.sign(real_logits))

    def after_g_step(self) -> None:
        self.calls.append(("after_g_step", self.gan.iteration))

    def log_values(self) -> dict[str, float]:
        return {"seen": float(len(self.real_signs))}

    def state_dict(self) -> dict[str, int]:
        return {"seen": len(self.real_signs)}

    def load_state_dict(self, state: object) -> None:
        self.restored = state


def test_hooks_run_in_order_once_per_step(make_cfg, tmp_path: Path) -> None:
    cfg = make_cfg("d_steps=2", "trainer.max_steps=2")
    L.seed_everything(0, verbose=False)
    module = build_module(cfg)
    recorder = Recorder(None, module)
    module.tricks.append(recorder)
    trainer = build_trainer(cfg.trainer, module.steps_per_iteration, [], [], tmp_path)
    trainer.fit(module, datamodule=training_datamodule(cfg))
    one = ["d_inputs", "after_d_step", "d_inputs", "after_d_step", "g_input", "after_g_step"]
    assert [c for c, _ in recorder.calls] == one * 2
    # gan.iteration counts completed iterations: after G's step it includes this one
    assert [it for _, it in recorder.calls] == [0] * 5 + [1] * 6 + [2]
    assert all(s.shape == (cfg.data.batch_size,) for s in recorder.real_signs)
    ckpt: dict = {}
    module.on_save_checkpoint(ckpt)
    assert ckpt["tricks"]["recorder"] == {"seen": 4}
    module.on_load_checkpoint({"state_dict": {}, **ckpt})
    assert recorder.restored == {"seen": 4}
