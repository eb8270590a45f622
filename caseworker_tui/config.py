"""Settings: a TOML file plus CASEWORKER_* environment variables (the environment wins).

The file is `$CASEWORKER_CONFIG`, else `config.toml` in the user's config directory. It holds
where the database is, which policy is in force, where letters go, the theme and key remaps.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir, user_data_dir
from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from caseworker_tui.services.errors import ConfigError

APP_NAME = "caseworker"


def data_dir() -> Path:
    return Path(os.environ.get("CASEWORKER_DATA_DIR") or user_data_dir(APP_NAME, appauthor=False))


def config_path() -> Path:
    explicit = os.environ.get("CASEWORKER_CONFIG")
    return Path(explicit) if explicit else Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def demo_database_url() -> str:
    return f"sqlite:///{data_dir() / 'demo.sqlite'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEWORKER_", extra="forbid")

    database_url: str = Field(default_factory=lambda: f"sqlite:///{data_dir() / 'caseworker.sqlite'}")
    policy_file: Path | None = None
    letters_dir: Path | None = None  # templates that override the shipped ones, by file name
    output_dir: Path = Field(default_factory=lambda: data_dir() / "letters")
    theme: str = "textual-dark"
    keymap: dict[str, str] = {}  # binding id -> keys, e.g. {"new_request": "f2"}

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, config_path()))


def load_settings(**overrides: Any) -> Settings:
    """The settings in force; a bad file or variable is a ConfigError naming the key."""
    try:
        return Settings(**overrides)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_path()} is not valid TOML: {exc}") from None
    except ValidationError as exc:
        problem = exc.errors(include_url=False)[0]
        key = ".".join(str(p) for p in problem["loc"])
        raise ConfigError(f"settings: {key}: {problem['msg']} (in {config_path()} or CASEWORKER_{key.upper()})") from None


def save_preference(key: str, value: Any) -> None:
    """Remember a user preference (theme) in the config file, keeping what else it holds."""
    path = config_path()
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    rendered = f"{key} = {_toml_value(value)}"
    for n, line in enumerate(lines):
        if line.split("=", 1)[0].strip() == key and not line.lstrip().startswith("["):
            lines[n] = rendered
            break
    else:
        first_table = next((n for n, line in enumerate(lines) if line.lstrip().startswith("[")), len(lines))
        lines.insert(first_table, rendered)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
