"""G as a standalone file that maps noise [B, latent_dim] to images [B, C, S, S] in [-1, 1].

A class-conditional G takes a second input, `class` (int64 class indices [B]).

Dropout follows the generation rule: when it stays on at generation, the export keeps it on
(TorchScript draws fresh masks each call; the ONNX graph has Dropout nodes in training mode, which
onnxruntime's default graph optimisations remove, so run it with optimisations disabled to keep
them). BatchNorm always uses its running statistics.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dcgan.atomic import write_atomic, write_text_atomic
from dcgan.checks import Registry

if TYPE_CHECKING:  # torch is imported when exporting, not when arguments are checked
    import torch
    from torch import nn

EXPORTS = Registry(
    "files G is exported as", key="export", torchscript="generator.pt", onnx="generator.onnx"
)


def _example(generator: nn.Module) -> tuple[torch.Tensor, ...]:
    import torch

    z = torch.zeros(2, generator.latent_dim)
    if getattr(generator, "num_classes", 0):
        return z, torch.zeros(2, dtype=torch.long)
    return (z,)


def input_names(generator: nn.Module) -> list[str]:
    """`z`, and `class` for a conditional G."""
    return ["z", "class"] if getattr(generator, "num_classes", 0) else ["z"]


def export_torchscript(generator: nn.Module, path: Path) -> None:
    """A traced module that `torch.jit.load` runs without this package."""
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecation notices: tracing is what a forward needs
        traced = torch.jit.trace(generator, _example(generator), check_trace=False)

    def write(tmp: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.jit.save(traced, str(tmp))

    write_atomic(path, write)


def export_onnx(generator: nn.Module, path: Path) -> None:
    """An ONNX graph with a dynamic batch: input `z` (and `class`), output `images`."""
    import torch

    def write(tmp: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the exporter warns about dropout kept on: intended
            torch.onnx.export(
                generator,
                _example(generator),
                str(tmp),
                dynamo=False,  # the TorchScript-based exporter needs no extra packages
                input_names=input_names(generator),
                output_names=["images"],
                dynamic_axes={name: {0: "batch"} for name in [*input_names(generator), "images"]},
                opset_version=17,
            )

    write_atomic(path, write)


def export(generator: nn.Module, kind: str, out: Path, info: dict[str, Any]) -> Path:
    """Write G in the chosen format plus `<file>.json` (prior, sizes) and return its path."""
    path = out / EXPORTS.lookup(kind)
    out.mkdir(parents=True, exist_ok=True)
    generator = generator.cpu().eval()
    (export_onnx if kind == "onnx" else export_torchscript)(generator, path)
    names = input_names(generator)
    inputs = names if len(names) > 1 else names[0]
    meta = {"file": path.name, "input": inputs, "output": "images", "range": [-1, 1], **info}
    write_text_atomic(out / f"{path.name}.json", json.dumps(meta, indent=2) + "\n")
    return path
