"""Precision and memory format chosen from the hardware, so the default run is the fast one.

Torch is imported where it is used: config.validate reads the choices here, so a refusal loads
neither torch nor Lightning (the callback that applies channels_last is
`dcgan.callbacks.ChannelsLast`).
"""

from __future__ import annotations

import logging

from dcgan.checks import Registry

log = logging.getLogger(__name__)

PRECISIONS = Registry(
    "Trainer precisions",
    ("auto", "32-true", "bf16-mixed", "16-mixed", "bf16-true", "16-true", "64-true"),
)
MEMORY_FORMATS = Registry("memory formats of the weights", ("auto", "channels_last", "contiguous"))


def device_type(accelerator: str) -> str:
    """The device kind Lightning will train on: 'cuda', 'mps' or 'cpu'."""
    import torch

    if accelerator in ("gpu", "cuda") or (accelerator == "auto" and torch.cuda.is_available()):
        return "cuda"
    if accelerator == "mps" or (accelerator == "auto" and torch.backends.mps.is_available()):
        return "mps"
    return "cpu"


def cpu_has_fast_bf16() -> bool:
    """True where the CPU multiplies bf16 natively (AVX512-BF16 or AMX), not by emulation."""
    import torch

    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def resolve_precision(requested: str, accelerator: str) -> str:
    """`auto`: bf16-mixed where bf16 is fast, 16-mixed where only fp16 is, else 32-true."""
    if requested != "auto":
        return requested
    import torch

    kind = device_type(accelerator)
    if kind == "cuda" and torch.cuda.is_available():
        major, _ = torch.cuda.get_device_capability()
        if major >= 8:  # Ampere and newer: bf16 tensor cores, no loss scaling needed
            return "bf16-mixed"
        if major >= 7:  # Volta/Turing: fp16 tensor cores, with loss scaling
            return "16-mixed"
        return "32-true"
    if kind == "cpu" and cpu_has_fast_bf16():
        return "bf16-mixed"
    return "32-true"


def resolve_channels_last(requested: str, precision: str, accelerator: str) -> bool:
    """`auto`: channels_last where convolutions run faster in it (tensor cores, oneDNN bf16)."""
    if requested != "auto":
        return requested == "channels_last"
    import torch

    kind = device_type(accelerator)
    reduced = precision.startswith(("bf16", "16"))
    if kind == "cuda" and torch.cuda.is_available():
        return reduced and torch.cuda.get_device_capability()[0] >= 7
    return kind == "cpu" and reduced


def describe(precision: str, channels_last: bool, accelerator: str) -> str:
    """One log line naming what was chosen and why it can be overridden."""
    fmt = "channels_last" if channels_last else "contiguous"
    return (
        f"precision={precision}, memory_format={fmt} on {device_type(accelerator)} "
        "(set trainer.precision / trainer.memory_format to force)"
    )
