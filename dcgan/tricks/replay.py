"""Experience replay (ganhacks 8): D also sees past fakes, so G cannot cycle between modes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dcgan.checks import at_least, key, within
from dcgan.tricks.base import Trick, register

if TYPE_CHECKING:
    from torch import Tensor, nn


class ReplayBuffer:
    """Up to `size` past generated images; each new fake is swapped for a stored one with prob `p`.

    The images are stored detached, so the buffer never holds G's graph or its memory.
    """

    def __init__(self, size: int, p: float) -> None:
        if size < 0:
            raise ValueError(f"replay size {size!r} is invalid; it must be >= 0")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"replay p {p!r} is invalid; it must be in [0, 1]")
        self.size = size
        self.p = p
        self.images: Tensor | None = None  # [n <= size, C, H, W]

    def __len__(self) -> int:
        return 0 if self.images is None else self.images.shape[0]

    def mix(self, fake: Tensor) -> Tensor:
        """D's fake batch: each image replaced by a random past one with prob `p`; then store."""
        import torch

        fake = fake.detach()
        if self.size == 0:
            return fake
        if self.images is not None and self.images.device != fake.device:
            self.images = self.images.to(fake.device)  # restored from a checkpoint on the CPU
        out = fake
        if len(self) > 0 and self.p > 0:
            take = torch.rand(fake.shape[0], device=fake.device) < self.p
            pick = torch.randint(len(self), (fake.shape[0],), device=fake.device)
            old = self.images[pick].to(fake.dtype)
            out = torch.where(take.view(-1, *([1] * (fake.dim() - 1))), old, fake)
        self.push(fake)
        return out

    def push(self, fake: Tensor) -> None:
        """Append until full, then overwrite random slots: the buffer spans many iterations."""
        import torch

        fake = fake.detach()
        free = self.size - len(self)
        head, tail = fake[:free], fake[free:]
        if head.shape[0]:
            head = head.clone()
            self.images = head if self.images is None else torch.cat([self.images, head])
        tail = tail[tail.shape[0] - min(tail.shape[0], self.size) :]  # a batch larger than size
        if tail.shape[0]:
            slots = torch.randperm(self.size, device=fake.device)[: tail.shape[0]]
            self.images[slots] = tail.to(self.images.dtype)

    def state(self) -> Tensor | None:
        """The stored images, for the checkpoint: a resumed run keeps its history."""
        return None if self.images is None else self.images.detach().cpu()

    def load(self, images: Tensor | None) -> None:
        """Restore from a checkpoint, keeping at most `size` images."""
        self.images = None if images is None or self.size == 0 else images[: self.size].clone()


@dataclass
class ReplayConfig:
    size: int = key(0, "images kept; 0 = off", rule=at_least(0))
    p: float = key(
        0.5,
        "probability that a fake in D's batch is swapped for a stored one",
        rule=within(0, 1, closed=True),
    )


@register
class Replay(Trick):
    """D's fakes mixed with stored past fakes; the buffer is saved with the checkpoint."""

    name = "replay"
    Config = ReplayConfig
    order = -10  # before instance noise: the buffer stores clean fakes

    @classmethod
    def enabled(cls, cfg: ReplayConfig) -> bool:
        """On when the buffer has room."""
        return cfg.size > 0

    def __init__(self, cfg: ReplayConfig, gan: nn.Module) -> None:
        super().__init__(cfg, gan)
        self.buffer = ReplayBuffer(cfg.size, cfg.p)

    def d_inputs(self, real: Tensor, fake: Tensor) -> tuple[Tensor, Tensor]:
        """Past fakes swapped into D's fake batch; the fresh ones stored."""
        return real, self.buffer.mix(fake)

    def log_values(self) -> dict[str, float]:
        """How full the buffer is."""
        return {"stored": float(len(self.buffer))}

    def state_dict(self) -> Tensor | None:
        """The stored images (float, on the CPU)."""
        return self.buffer.state()

    def load_state_dict(self, state: Tensor | None) -> None:
        """Restore the stored images."""
        self.buffer.load(state)
