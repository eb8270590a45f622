"""What every screen shares: worker failures told plainly (from widgets.failures), forms that ask
before discarding what was typed (from dialogs.discard, so that dialogs ask the same way)."""

from __future__ import annotations

from caseworker_tui.dialogs.discard import AsksBeforeDiscarding
from caseworker_tui.widgets.failures import ReportsWorkerErrors, describe_failure

__all__ = ["AsksBeforeDiscarding", "ReportsWorkerErrors", "describe_failure"]
