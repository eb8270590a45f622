"""caseworker: the Community Trigger (ASB Case Review) from first request to published figures."""

import os

__version__ = "0.1.0"

# pydantic looks for plugins by reading the entry points of every installed distribution when
# its first model is built: about 90 ms of start-up, for plugins this app never uses. Anyone who
# does want one can still set the variable themselves.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
