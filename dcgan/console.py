"""What a training run says on the console: the lines that matter, not the libraries' notes.

Lightning's start-up notes (accelerator table, a logging tip, the model summary with
`Total FLOPs: 0`) are replaced by one model-size line; its progress bar by the iteration bar of
`dcgan.callbacks.progress`.
"""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import lightning as L

# Lightning's INFO notes at start and end: the precision line of dcgan.build says what counts.
_CHATTY_LOGGERS = ("lightning.pytorch.utilities.rank_zero", "lightning.fabric.utilities.rank_zero")


def quiet_libraries() -> None:
    """Silence notes and deprecation noise of the libraries we call; warnings that matter stay."""
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for module in ("lightning.pytorch.utilities._pytree", "torch.utils._pytree"):
        warnings.filterwarnings("ignore", category=FutureWarning, module=module)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=module)
    warnings.filterwarnings("ignore", message=r".*LeafSpec.*is deprecated")
    # a resumed run checkpoints into its own folder again: expected, not news
    warnings.filterwarnings("ignore", message=r"Checkpoint directory .* exists and is not empty")
    warnings.filterwarnings("ignore", message=r"The dirpath has changed from")
    # saved at an iteration's end, after its optimizer steps: the state a resume needs
    warnings.filterwarnings("ignore", message=r"Using ModelCheckpoint with manual optimization")


def describe_model(module: L.LightningModule) -> str:
    """One line: the parameter counts of G and D and the size of the weights."""
    nets = (module.generator, module.discriminator)
    g, d = (sum(p.numel() for p in net.parameters()) / 1e3 for net in nets)
    megabytes = sum(p.numel() * p.element_size() for p in module.parameters()) / 2**20
    return f"model: G {g:,.0f} K + D {d:,.0f} K parameters ({megabytes:.1f} MB)"
