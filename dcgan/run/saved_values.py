"""A checkpoint's hyper-parameters read without torch, for refusals that must answer at once.

`dcgan.generate` checks `class=`, `per_class=` and `truncation=` against the values a checkpoint
was trained with; loading it through torch costs the seconds of importing torch. The values are
plain Python in the zip's `data.pkl`: it is unpickled here with every torch object (tensors,
storages) replaced by nothing and any other global refused, so no code from the file runs. A
file this reader cannot take goes to `read_checkpoint`, which says what is wrong with it.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

from dcgan.run.checkpoint import find_checkpoint, read_checkpoint


def _nothing(*args: Any, **kwargs: Any) -> None:
    """What a tensor, a storage or any other torch object becomes here."""
    return None


class _ValuesOnly(pickle.Unpickler):
    """Plain values as they are, torch's objects as None, every other global refused."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        if module == "torch" or module.startswith("torch."):
            return _nothing
        raise pickle.UnpicklingError(f"{module}.{name} is not a plain value")

    def persistent_load(self, pid: Any) -> None:
        return None  # a tensor's storage: its bytes are not read


def saved_hparams(path: str | Path) -> dict[str, Any]:
    """The checkpoint's `hyper_parameters`, without importing torch when the file allows."""
    path = find_checkpoint(path)  # a run folder: its last checkpoint
    try:
        with zipfile.ZipFile(path) as archive:
            (name,) = [n for n in archive.namelist() if n.endswith("/data.pkl")]
            saved = _ValuesOnly(io.BytesIO(archive.read(name))).load()
        found = saved["hyper_parameters"]
        if isinstance(found, dict) and isinstance(saved.get("state_dict"), dict):
            return found
    except Exception:  # noqa: BLE001, S110 (any surprise: the full reader says what it is)
        pass
    return read_checkpoint(path)["hyper_parameters"]
