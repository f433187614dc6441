"""Run folder names: Hydra's own for plain settings, a hash for others, never two alike."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dcgan.race.naming import MAX_NAME, hashed_name, is_plain, run_name, subdir_override

KEYS = st.sampled_from(["trick", "pooling", "data.root", "optimizer.generator.lr", "+extra"])
VALUES = st.text(alphabet="ab/ ,=.-_'\"1@~", min_size=1, max_size=12)
SETTINGS = st.dictionaries(KEYS, VALUES, min_size=1, max_size=4).map(
    lambda d: tuple(f"{k}={v}" for k, v in d.items())
)


def test_a_plain_setting_is_named_as_hydra_names_a_job() -> None:
    # Hydra's override_dirname: the job's overrides (excluded keys left out), sorted, comma-joined
    assert run_name(("trick=ema",), 3) == "seed=3,trick=ema"
    assert run_name(("pooling=avg", "activation=relu"), 0) == "activation=relu,pooling=avg,seed=0"
    assert subdir_override(("trick=ema",)) == "hydra.sweep.subdir=${hydra.job.override_dirname}"


def test_unsafe_or_long_settings_get_a_hash() -> None:
    for overrides in (("data.root=a/b",), ("x='a b'",), ("+extra=1",), (f"k={'v' * 200}",)):
        assert not is_plain(overrides)
        name = run_name(overrides, 1)
        assert "@" in name and "/" not in name and " " not in name and "'" not in name
        assert name.endswith(",seed=1") and len(name) <= MAX_NAME
        assert subdir_override(overrides) == (
            f"hydra.sweep.subdir='{hashed_name(overrides)},seed=${{seed}}'"
        )


def test_the_name_is_the_same_on_every_call_and_in_any_order() -> None:
    a = ("data.root=a/b", "pooling=avg")
    assert run_name(a, 2) == run_name(a, 2) == run_name(tuple(reversed(a)), 2)
    assert run_name(("trick=ema",), 2) == "seed=2,trick=ema"


def test_names_that_sanitise_alike_differ_by_their_hash() -> None:
    a, b = ("data.root=a/b",), ("data.root=a b",)
    assert hashed_name(a).split("@")[0] == hashed_name(b).split("@")[0]
    assert run_name(a, 0) != run_name(b, 0)


@given(SETTINGS, SETTINGS, st.integers(0, 50), st.integers(0, 50))
def test_two_runs_never_share_a_folder(a: tuple, b: tuple, seed_a: int, seed_b: int) -> None:
    same = sorted(a) == sorted(b) and seed_a == seed_b
    assert (run_name(a, seed_a) == run_name(b, seed_b)) == same
    for name in (run_name(a, seed_a), run_name(b, seed_b)):
        assert "/" not in name and len(name) <= MAX_NAME
