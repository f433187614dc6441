"""Every set of names a run key chooses from is a Registry, which the reference lists with what
it holds (its lookup's one line: tests/nets/test_layers.py; its register: tests/metrics)."""

from __future__ import annotations

from dcgan.checks import leaves
from dcgan.config import TrainConfig
from dcgan.config_doc import OUTPUT, registries


def test_each_key_chooses_from_a_registry_that_the_reference_lists() -> None:
    chosen = {name: leaf.meta["choices"] for name, leaf in leaves(TrainConfig).items()}
    plain = [name for name, choices in chosen.items() if isinstance(choices, tuple)]
    assert plain == ["resume"]  # null or auto: no set of names (the monitor's is a filter)
    reference = OUTPUT.read_text()
    assert all(f": {registry.what} |" in reference for registry in registries())
