"""The driver of an app served to a browser: Textual's web driver, made unable to outlive its session.

Textual's web driver lets an app run on with nobody at the other end: its input thread stops
quietly when the server closes the app's input, and SIGTERM only queues an exit behind whatever
the app is busy with (a backlog of resizes can take minutes), so `kill` seems to do nothing. Here
the end of input, SIGTERM and SIGINT all ask the app to exit and, should it not have ended a
moment later, end the process at once. Nothing is lost by that: every change the app makes is
one database transaction, committed or not at all.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading

from textual import events, messages
from textual.drivers.web_driver import WebDriver

EXIT_GRACE = 2.0  # seconds an app is given to end cleanly once it has been asked to


class ServedDriver(WebDriver):
    """Textual's web driver whose app ends when its server or its session does."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._deadline: threading.Timer | None = None
        self._deadline_lock = threading.Lock()
        write = self._write

        def write_or_leave(data: bytes) -> None:
            try:
                write(data)
            except BrokenPipeError:  # the server has gone: no one will ever see this screen
                os._exit(0)

        self._write = write_or_leave

    def start_application_mode(self) -> None:
        super().start_application_mode()
        # Textual's driver takes the browser's terminal as unfocused at first (an AppBlur, queued
        # last); our page focuses it as the app's first bytes arrive, and its "focus" can come before
        # that blur and be undone by it. The session starts focused, so what is typed at once is
        # shown in a field that looks focused.
        self._app.call_later(self._app.post_message, events.AppFocus())
        self._loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            # A plain handler, not the loop's: it runs even while the loop is stuck in a write.
            self._loop.remove_signal_handler(sig)
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, frame: object) -> None:
        self.leave()

    def run_input_thread(self) -> None:
        super().run_input_thread()
        if not self.exit_event.is_set():  # the input ended, not the app: the server is gone
            self.leave()

    def leave(self) -> None:
        """Ask the app to exit, and make sure the process ends soon whether or not it can."""
        with self._deadline_lock:
            if self._deadline is None:
                self._deadline = threading.Timer(EXIT_GRACE, os._exit, args=(0,))
                self._deadline.daemon = True
                self._deadline.start()
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._app.post_message, messages.ExitApp())
