"""Every set of names a run key chooses from is a Registry: it says what it holds, the reference
lists it, and its one lookup refuses an unknown name in the project's one line."""

from __future__ import annotations

import pytest

from dcgan.checks import ConfigError, Registry, leaves
from dcgan.config import TrainConfig
from dcgan.config_doc import OUTPUT, registries
from dcgan.noise import PRIORS


def test_each_key_chooses_from_a_registry_that_the_reference_lists() -> None:
    plain = [
        n for n, leaf in leaves(TrainConfig).items() if isinstance(leaf.meta["choices"], tuple)
    ]
    assert plain == ["resume"]  # null or auto: no set of names (the monitor's is a filter)
    reference = OUTPUT.read_text()
    for registry in registries():
        assert registry.what and f": {registry.what} |" in reference


def test_lookup_names_the_key_the_value_and_the_choices() -> None:
    assert PRIORS.lookup("normal") is PRIORS["normal"]
    with pytest.raises(
        ConfigError, match=r"^noise=cauchy is not a valid choice; choices: normal, uniform$"
    ):
        PRIORS.lookup("cauchy")


def test_register_adds_by_name_and_refuses_a_name_taken() -> None:
    class Entry:
        name = "one"

    found: Registry[type[Entry]] = Registry("test entries")
    assert found.register(Entry) is Entry and list(found) == ["one"]
    with pytest.raises(ValueError, match="'one' is registered twice"):
        found.register(Entry)
