"""What a run tells W&B: which overrides are a setting, a tag, a path; the group's name."""

from __future__ import annotations

from pathlib import Path

from dcgan.tracking import (
    is_path_override,
    is_seed_override,
    setting_overrides,
    sweep_group_name,
    swept_keys,
)


def test_seed_and_paths_are_not_part_of_a_setting() -> None:
    overrides = [
        "trick=ema",
        "seed=2",
        "+seed=3",
        "data.root=/data/pics",
        "ckpt_path=runs/a.ckpt",
        "callbacks.metrics.inception_weights=w.pth",
        "hydra/launcher=parallel",
        "optimizer.discriminator.lr=1e-3",
    ]
    assert setting_overrides(overrides) == ["trick=ema", "optimizer.discriminator.lr=1e-3"]
    assert is_seed_override("++seed=1") and not is_seed_override("callbacks.metrics.seed=1")
    assert is_path_override("data.cache_dir=c") and not is_path_override("data=fashion_mnist")


def test_group_name_of_hydra_default_layout_keeps_the_date() -> None:
    assert sweep_group_name("outputs/multirun/2026-11-29/18-15-00") == "2026-11-29_18-15-00"
    assert sweep_group_name("outputs/multirun/ganhacks_seeds") == "ganhacks_seeds"


def test_swept_keys_come_from_the_sweep_command_line(tmp_path: Path) -> None:
    (tmp_path / "multirun.yaml").write_text(
        "hydra:\n  overrides:\n    task:\n"
        "    - trick=none,ema\n    - seed=0,1,2\n    - lr=range(1,3)\n    - data=digits\n"
    )
    assert swept_keys(tmp_path, {"pooling"}) == {"pooling", "trick", "seed", "lr"}
    assert swept_keys(tmp_path / "missing", {"pooling"}) == {"pooling"}


def test_a_run_that_max_epochs_ended_is_finished_not_interrupted(tmp_path: Path) -> None:
    """max_epochs=2 on 1,797 images ends at iteration 56, long before max_steps=10000."""
    from dcgan.tracking import run_summary

    (tmp_path / ".hydra").mkdir()
    trainer = "trainer:\n  max_steps: {steps}\n  max_epochs: {epochs}\n"
    (tmp_path / "metrics.json").write_text('{"iterations": 56}')
    for steps, epochs, status in ((10000, 2, "finished"), (10000, "null", "interrupted")):
        (tmp_path / ".hydra" / "config.yaml").write_text(trainer.format(steps=steps, epochs=epochs))
        assert run_summary(tmp_path, "success")["status"] == status
