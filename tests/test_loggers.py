"""The logger registry is the one list of logger names: configs, checks and builder agree."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from omegaconf import OmegaConf

from dcgan.build import build_loggers
from dcgan.checks import ConfigError
from dcgan.config import LoggerConfig
from dcgan.loggers import LOGGERS, check_logger

LOGGER_CONFIGS = Path(__file__).resolve().parents[1] / "dcgan" / "configs" / "logger"


def test_every_logger_option_is_registered_and_names_itself() -> None:
    options = {p.stem: yaml.safe_load(p.read_text()) for p in LOGGER_CONFIGS.glob("*.yaml")}
    assert set(options) == set(LOGGERS)
    for stem, values in options.items():  # an option without a name is the schema's default
        assert (values or {}).get("name", LoggerConfig.name) == stem


def test_validate_offers_the_registered_names(make_cfg) -> None:
    from dcgan.config import validate

    with pytest.raises(ConfigError, match="logger.name=mlflow is not") as info:
        validate(make_cfg("logger.name=mlflow"))
    assert all(name in str(info.value) for name in LOGGERS)


@pytest.mark.parametrize(("name", "folder"), [("csv", "csv"), ("tensorboard", "tensorboard")])
def test_a_file_logger_writes_inside_the_run_folder(name: str, folder: str, tmp_path) -> None:
    logger = OmegaConf.structured(LoggerConfig(name=name))
    (built,) = build_loggers(logger, tmp_path, "run")
    assert Path(built.log_dir) == tmp_path / folder


def test_none_builds_no_logger(tmp_path) -> None:
    assert build_loggers(OmegaConf.structured(LoggerConfig(name="none")), tmp_path, "run") == []


def test_wandb_online_without_a_login_is_refused(monkeypatch, tmp_path) -> None:
    for key in ("WANDB_API_KEY", "WANDB_MODE", "WANDB_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    online = OmegaConf.structured(LoggerConfig(name="wandb", offline=False))
    with pytest.raises(ConfigError, match="logger.offline=false needs a W&B login"):
        check_logger(online)
    check_logger(OmegaConf.structured(LoggerConfig(name="wandb")))  # offline: nothing to check
    check_logger(OmegaConf.structured(LoggerConfig(name="csv", offline=False)))
