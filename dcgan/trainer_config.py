"""The Lightning Trainer's keys (`trainer.*`) and the check that the hardware asked for is here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dcgan.checks import ConfigError, Rule, at_least, key
from dcgan.precision import MEMORY_FORMATS, PRECISIONS


@dataclass
class TrainerConfig:
    accelerator: str = key("auto", "auto (a GPU when there is one), cpu, gpu, mps")
    devices: Any = key(1, "how many devices (or which), as Lightning takes it")
    strategy: str = key("auto", "auto, or ddp for several devices (trainer=ddp)")
    num_nodes: int = key(1, "machines of a multi-node run", rule=at_least(1))
    precision: str = key(
        "auto",
        "bf16-mixed / 16-mixed where the hardware is fast at it, else 32-true",
        choices=PRECISIONS,
    )
    memory_format: str = key(
        "auto",
        "channels_last where it speeds convolutions up; or contiguous",
        choices=MEMORY_FORMATS,
    )
    max_steps: int = key(
        10_000,
        "iterations (README: Steps and iterations)",
        rule=Rule(
            lambda v: v == -1 or v >= 1,
            "must be >= 1 (iterations), or -1 to stop by trainer.max_epochs",
        ),
    )
    max_epochs: int | None = key(
        None,
        "passes over the data; the run ends at whichever limit comes first",
        rule=Rule(lambda v: v == -1 or v >= 1, "must be >= 1, -1 (no limit) or null"),
    )
    log_every_n_steps: int = key(
        50, "iterations between logged losses and gradient norms", rule=at_least(1)
    )
    enable_progress_bar: bool = key(True, "the iteration bar on the console")
    deterministic: bool = key(False, "deterministic algorithms: the same numbers on every run")
    benchmark: bool | None = key(None, "cuDNN's algorithm search; null: Lightning's choice")


def check_accelerator(accelerator: str, devices: Any) -> None:
    """A GPU asked for must be here: Lightning would stop later with a traceback."""
    if accelerator not in ("gpu", "cuda", "mps"):
        return  # torch is not imported for cpu and auto: the run's first line comes sooner
    import torch

    if accelerator in ("gpu", "cuda"):
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ConfigError(
                f"trainer.accelerator={accelerator}, but torch sees no CUDA GPU here; use "
                "trainer.accelerator=auto (a GPU when there is one) or cpu"
            )
        if isinstance(devices, int) and devices > count:
            raise ConfigError(
                f"trainer.devices={devices}, but torch sees {count} CUDA GPU(s) here; use "
                f"trainer.devices={count} or fewer (-1: all)"
            )
    if accelerator == "mps" and not torch.backends.mps.is_available():
        raise ConfigError(
            "trainer.accelerator=mps, but torch sees no Apple GPU here; use "
            "trainer.accelerator=auto or cpu"
        )
