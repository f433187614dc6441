"""What a training run says on the console: the lines that matter, not the libraries' notes.

Lightning's start-up notes (accelerator table, a logging tip, the model summary with
`Total FLOPs: 0`) are replaced by one model-size line (`GAN.describe`); its progress bar by the
iteration bar of `dcgan.callbacks.progress`.
"""

from __future__ import annotations

import logging
import warnings

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
