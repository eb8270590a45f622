"""What the app does for the person at the desk without being asked: their own theme kept with
their account, a desk left idle signed out, letters sent through GOV.UK Notify followed, and at
sign-in what is waiting for them (figures due for publishing, outcomes the chair sent back).

A mixin of `CaseworkerApp`, which calls these from `on_mount` and `signed_in`.
"""

from __future__ import annotations

from caseworker_tui.services.permissions import Actor

IDLE_CHECK_SECONDS = 15.0  # how often an idle desk is looked for


class LooksAfterTheDesk:
    """Mixed into the App: needs `settings`, `actor`, `idle_seconds()`, `_theme_kept` and `_sign_out`."""

    def _poll_deliveries(self) -> None:
        from caseworker_tui.services.letters.delivery import poll

        self.run_worker(lambda: self._report_deliveries(poll(self.settings)), thread=True, group="delivery",
                        exclusive=True, exit_on_error=False)

    def _report_deliveries(self, result) -> None:
        """A failed delivery is said at once, wherever the person is; the rest waits on the timeline."""
        failed = [c for c in result.changes if c.reopened]
        for change in failed:
            self.call_from_thread(self.notify, f"{change.reference}: the {change.kind.replace('_', ' ')} letter was "
                                  f"{change.words}. Its step is open again.", title="Letter not delivered",
                                  severity="warning", timeout=20)

    def _remember_theme(self, theme) -> None:
        """A theme chosen while signed in is that person's; before sign-in nothing is kept anywhere."""
        if self.actor is None or theme.name == self._theme_kept:
            return
        self._theme_kept = theme.name
        actor = self.actor
        from caseworker_tui.services import preferences  # not at start-up: it brings argon2 with it

        self.run_worker(lambda: preferences.remember(actor, "theme", theme.name), thread=True,
                        group="preferences", exit_on_error=False)

    def _apply_choices(self, actor: Actor) -> None:
        from caseworker_tui.services import preferences

        choices = preferences.of(actor)
        self.call_from_thread(self._apply_theme, actor, choices.get("theme"))

    def _apply_theme(self, actor: Actor, theme: str | None) -> None:
        if self.actor != actor:
            return  # signed out meanwhile
        self._theme_kept = theme
        if theme and theme in self.available_themes:
            self.theme = theme

    def sign_out_if_idle(self) -> None:
        """Sign a desk out after the settings' idle minutes without a key or a click: at a shared
        desk the next person must not find the last one still signed in. Unsaved input is lost."""
        minutes = self.settings.idle_minutes
        if self.actor is None or not minutes or self.idle_seconds() < minutes * 60:
            return
        self._sign_out()
        self.notify(f"Signed out after {minutes} minute{'s' if minutes != 1 else ''} without use.", timeout=30)

    def _remind_of_figures(self, actor: Actor) -> None:
        """A supervisor is told at sign-in when 12 months have passed since the figures were published."""
        from caseworker_tui.services import published

        message = published.reminder(actor)
        if message:
            self.call_from_thread(self.notify, message, title="Yearly figures due", severity="warning", timeout=30)

    def _tell_returned(self, actor: Actor) -> None:
        """At sign-in, how many of the person's cases the chair sent back: work waiting on them."""
        from caseworker_tui.services.queue import returned_to

        count = returned_to(actor)
        if count:
            self.call_from_thread(
                self.notify, f"The chair returned {count} of your outcomes: "
                f"{'it is' if count == 1 else 'they are'} marked ↩ Returned in the queue; c shows the comments.",
                title="Came back to you", severity="warning", timeout=12)
