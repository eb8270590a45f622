"""caseworker: the Community Trigger (ASB Case Review) from first request to published figures."""

__version__ = "0.1.0"
