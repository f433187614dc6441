"""Which Hydra job this run is: a single run, or one job of a multirun (a sweep, a race round)."""

from __future__ import annotations


def in_multirun() -> bool:
    """Whether this is a job of a Hydra multirun (False when called through the API)."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    return HydraConfig.initialized() and HydraConfig.get().mode == RunMode.MULTIRUN


def says_sweep_notes() -> bool:
    """Whether this run says the notes that hold for a whole sweep (metrics that are off, a hint
    for the data): every single run, and only the first job of a multirun, so a sweep of many
    jobs says each once."""
    if not in_multirun():
        return True
    from hydra.core.hydra_config import HydraConfig

    return HydraConfig.get().job.num == 0
