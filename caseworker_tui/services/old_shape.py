"""A policy section in the first release's shape is refused with one message saying what changed
and how to convert it: the check, declared once for every section that changed shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import model_validator


def refuses_old_keys(keys: tuple[str, ...], message: Callable[[], str]) -> Any:
    """A before-validator for a pydantic model: any of `keys` present means the old shape."""
    def refuse(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(key in data for key in keys):
            raise ValueError(message())
        return data
    return model_validator(mode="before")(classmethod(refuse))
