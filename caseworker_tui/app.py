"""The Textual application: sign-in, then the home screen for the user's role.

The App owns what every screen shares: the signed-in actor, settings, key remaps, the theme
(each person's own, kept with their account), signing out a desk left idle, the command palette
and one place where a failed worker becomes a clear notification instead of a crash.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from caseworker_tui.app_background import IDLE_CHECK_SECONDS, LooksAfterTheDesk
from caseworker_tui.config import Settings, data_dir
from caseworker_tui.screens.base import describe_failure
from caseworker_tui.screens.typeahead import HoldsKeys
from caseworker_tui.services import context
from caseworker_tui.services.permissions import Actor, allowed


def _case_provider():
    from caseworker_tui.commands import CaseProvider

    return CaseProvider


HOME_SCREENS = ("queue", "deadlines", "approvals", "stats", "accounts")
SIGNED_OUT = "signed_out"  # the mode a person signs out to
_monotonic = time.monotonic  # moved on in tests
IMPORT_SCREENS_AFTER = 1.5  # seconds after signing in, if no queue page has been painted by then
SCREENS_OPENED_NEXT = ("caseworker_tui.screens.case_detail", "caseworker_tui.screens.new_request",
                       "caseworker_tui.dialogs.common")


class CaseworkerApp(LooksAfterTheDesk, HoldsKeys, App[None]):
    """The caseworker's, supervisor's and chair's desk for the Community Trigger."""

    CSS_PATH = "app.tcss"
    # Every screen is told whether it is narrow (under 100 columns: an 80-column terminal), so forms
    # can lay a row of fields out in two rather than squeeze a date into four columns.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    TITLE = "caseworker"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {lambda: _case_provider()}
    BINDINGS = [
        Binding("f1", "help", "Help", id="help"),
        Binding("question_mark", "help", "Help", show=False, id="help_alt"),
        Binding("f3", "go('queue')", "Queue", id="go_queue"),
        Binding("f4", "go('deadlines')", "Deadlines", id="go_deadlines"),
        Binding("f6", "go('approvals')", "Approvals", id="go_approvals"),
        Binding("f7", "go('stats')", "Figures", id="go_stats"),
        Binding("f10", "go('accounts')", "Accounts", id="go_accounts"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(self, settings: Settings, actor: Actor | None = None, username: str | None = None,
                 demo: bool = False) -> None:
        super().__init__()
        self.settings = settings
        self.init_type_ahead()
        self.actor: Actor | None = None
        self._initial_actor = actor
        self._username = username or ""
        self.demo = demo
        self._first_page_reported = False
        self._policy_reader: Worker | None = None
        self._after_policy: list[Callable[[], object]] = []
        self._last_input = _monotonic()
        self._theme_kept: str | None = None  # the signed-in person's theme as last stored
        self._screens_imported = False
        self.delivery_poll: Timer | None = None  # asks GOV.UK Notify, every notify_poll_minutes

    # --- start-up --------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        if self.settings.idle_minutes:
            self.set_interval(IDLE_CHECK_SECONDS, self.sign_out_if_idle)
        if self._initial_actor is not None:
            self.signed_in(self._initial_actor)
        else:
            from caseworker_tui.screens.sign_in import SignInScreen

            self.push_screen(SignInScreen(self._username, demo=self.demo))
        self.call_after_refresh(self._read_policy)
        if self.settings.notify_api_key and self.settings.notify_poll_minutes:
            # letters sent through GOV.UK Notify are followed while the app runs, as often as the settings say
            self.delivery_poll = self.set_interval(self.settings.notify_poll_minutes * 60, self._poll_deliveries)

    def _read_policy(self) -> None:
        """Read the policy in force once the first screen is up: that screen needs none of it, and
        reading it (pydantic and all) before would keep a person waiting for a blank terminal."""
        if self._policy_reader is None:
            self._policy_reader = self.run_worker(context.policy, thread=True, group="policy",
                                                  exit_on_error=False)

    def when_policy_read(self, then: Callable[[], object]) -> None:
        """Run `then` once the policy in force has been read. Every screen but the intake queue
        needs it, so they open through here: at once, as a rule; a moment later, just after
        start-up; never, when the policy cannot be read (the app is saying why)."""
        if context.is_read():
            then()
            return
        self._after_policy.append(then)
        self._read_policy()

    def _policy_unusable(self, error: BaseException | None) -> None:
        from caseworker_tui.dialogs.common import ProblemDialog

        self._stop_holding_keys()  # no form is coming: the keys must not answer the problem

        _, message = describe_failure(error)
        self.push_screen(ProblemDialog(
            "The policy in force cannot be used",
            f"{message}\n\nDeadlines, verdicts and letters all follow the policy, so caseworker cannot go "
            "on without it. Correct the file (the settings' policy_file) and start caseworker again; "
            "`caseworker policy show` prints the policy in force."),
            lambda _: self.exit(return_code=2, message=message))

    def idle_seconds(self) -> float:
        """How long since the last key or click."""
        return _monotonic() - self._last_input

    def signed_in(self, actor: Actor) -> None:
        """Show the signed-in user in the header and open their home screen.

        Each home screen is a Textual mode, made when first visited and kept while signed in,
        so coming back to the queue finds its filters, page and cursor as they were left."""
        self.actor = actor
        self._last_input = _monotonic()
        self.sub_title = f"{actor.display_name} · {actor.role}" + (" · demo" if self.demo else "")
        self.run_worker(lambda: self._apply_choices(actor), thread=True, group="preferences", exit_on_error=False)
        for name in HOME_SCREENS:
            self.add_mode(name, lambda name=name: self.make_screen(name))
        self.switch_to_home()
        self.set_timer(IMPORT_SCREENS_AFTER, self.import_screens)  # homes other than the queue
        if allowed(actor, "publish_figures"):
            self.when_policy_read(lambda: self.run_worker(lambda: self._remind_of_figures(actor), thread=True,
                                                          group="figures-reminder", exit_on_error=False))
        if allowed(actor, "draft_outcome"):
            self.run_worker(lambda: self._tell_returned(actor), thread=True, group="returned", exit_on_error=False)

    HOMES = {"supervisor": "deadlines", "chair": "approvals"}

    def make_screen(self, name: str) -> Screen:
        """One of the top-level screens, for the signed-in user."""
        assert self.actor is not None
        if name == "deadlines":
            from caseworker_tui.screens.deadlines import DeadlinesScreen

            return DeadlinesScreen(self.actor)
        if name == "approvals":
            from caseworker_tui.screens.approvals import ApprovalsScreen

            return ApprovalsScreen(self.actor)
        if name == "stats":
            from caseworker_tui.screens.stats import StatsScreen

            return StatsScreen(self.actor, data_dir() / "public-figures")  # beside the letters, not among them
        if name == "accounts":
            from caseworker_tui.screens.accounts import AccountsScreen

            return AccountsScreen(self.actor)
        from caseworker_tui.screens.queue import IntakeScreen

        return IntakeScreen(self.actor)

    def switch_to_home(self) -> None:
        assert self.actor is not None
        self.action_go(self.HOMES.get(self.actor.role, "queue"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            if self.actor is None:
                return False
            return self._may_go(str(parameters[0]) if parameters else "")
        if action == "new_request":
            return self.actor is not None and allowed(self.actor, "create_request")
        return True

    GUARDED = {"stats": "view_stats", "accounts": "manage_users"}  # homes not every role has

    def _may_go(self, name: str) -> bool:
        return self.actor is not None and (name not in self.GUARDED or allowed(self.actor, self.GUARDED[name]))

    def action_go(self, name: str) -> None:
        """Open a top-level screen in place of whatever is showing (the stack never grows)."""
        if self.actor is None:
            return
        if not self._may_go(name):
            words = "the yearly figures" if name == "stats" else "managing accounts"
            self.notify(f"Your role does not include {words}.", severity="warning")
            return
        self.leave_asking_first("Leave without saving? What you typed will be lost.", "Leave",
                                lambda: self._go_when_ready(name))

    def _go_when_ready(self, name: str) -> None:
        if name == "queue":
            self._go(name)
        else:
            self.when_policy_read(lambda: self._go(name))

    def _go(self, name: str) -> None:
        """Show a home screen: its mode, with anything opened on top of it (a case) put away."""
        if self.actor is None:
            return
        self.switch_mode(name)
        while len(self.screen_stack) > 1:
            self.pop_screen()
        if SIGNED_OUT in self._modes:  # signed in again: the sign-in screen, passphrase and all, goes
            self.remove_mode(SIGNED_OUT)

    # --- leaving without losing what was typed ---------------------------------------------------

    def leave_asking_first(self, question: str, yes: str, leave: Callable[[], object]) -> None:
        """Leave the screens showing (quit, sign out, another home screen) once nothing typed on them
        would be lost, or the person says it may be.

        Only the showing stack is asked about: every way to another home screen comes through here,
        and what was left behind with the person's yes is put away before going, so no other mode
        keeps a form with unsaved input."""
        from caseworker_tui.dialogs.common import DiscardDialog
        from caseworker_tui.dialogs.discard import holding_unsaved_input

        if isinstance(self.screen, DiscardDialog):
            return  # already asking
        if not holding_unsaved_input(self.screen_stack):
            leave()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                while len(self.screen_stack) > 1:
                    self.pop_screen()
                leave()
        self.push_screen(DiscardDialog(question, yes=yes), answered)

    async def action_quit(self) -> None:
        """Ctrl+Q (and the palette's Quit) ask first when a form or dialog holds unsaved input."""
        self.leave_asking_first("Quit without saving? What you typed will be lost.", "Quit", self.exit)

    def first_page_painted(self) -> None:
        """Called once, when the intake queue first shows its rows (start-up is measured to here)."""

    def report_first_page(self) -> None:
        if not self._first_page_reported:
            self._first_page_reported = True
            self.first_page_painted()
            self.import_screens()

    def import_screens(self) -> None:
        """Import the screens a person opens next (a case, a new request) in a thread while they read
        the first page, so that their first opening does not wait for Python to load them."""
        if self._screens_imported:
            return
        self._screens_imported = True

        def load() -> None:
            for name in SCREENS_OPENED_NEXT:
                importlib.import_module(name)
        self.run_worker(load, thread=True, group="imports", exit_on_error=False)

    # --- navigation ------------------------------------------------------------------------

    def open_case(self, case_id: int, tab: str | None = None) -> None:
        from caseworker_tui.screens.case_detail import CaseScreen

        if self.actor is not None:
            actor = self.actor

            def open_it() -> None:
                screen = CaseScreen(actor, case_id, tab=tab)
                screen.start_reading()
                self.push_screen(screen)
            self.when_policy_read(open_it)

    def action_new_request(self) -> None:
        from caseworker_tui.screens.new_request import NewRequestScreen

        if self.actor is not None and allowed(self.actor, "create_request"):
            actor = self.actor
            self.hold_keys()  # a name typed straight after `n` belongs to the form, not the queue
            self.when_policy_read(lambda: self.push_screen(NewRequestScreen(actor)))

    async def on_event(self, event: events.Event) -> None:
        """A key or a click is someone at the desk: the idle sign-out counts from it."""
        if isinstance(event, events.Key | events.MouseDown):
            self._last_input = _monotonic()
        await super().on_event(event)

    def action_help(self) -> None:
        from caseworker_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_sign_out(self) -> None:
        self.leave_asking_first("Sign out without saving? What you typed will be lost.", "Sign out", self._sign_out)

    def _sign_out(self) -> None:
        """Back to a fresh sign-in screen, in a mode of its own: Textual switches only to modes it was
        given, never back to the one it started in."""
        from caseworker_tui.screens.sign_in import SignInScreen

        self.actor = None
        self.sub_title = ""
        self._theme_kept = None
        if self.settings.theme in self.available_themes:  # the next person starts from the install's
            self.theme = self.settings.theme
        if SIGNED_OUT not in self._modes:
            self.add_mode(SIGNED_OUT, lambda: SignInScreen("", demo=self.demo))
        self.switch_mode(SIGNED_OUT)
        for name in HOME_SCREENS:  # the next person starts with fresh home screens
            if name in self._modes:
                self.remove_mode(name)

    # --- command palette -------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.actor is None:
            return
        yield SystemCommand("Intake queue", "The open requests, most urgent first", lambda: self.action_go("queue"))
        yield SystemCommand("Deadlines", "Every open step across all cases, overdue first",
                            lambda: self.action_go("deadlines"))
        yield SystemCommand("Approvals", "Outcomes waiting for the chair", lambda: self.action_go("approvals"))
        if allowed(self.actor, "view_stats"):
            yield SystemCommand("Yearly figures", "The public figures and how well deadlines were met",
                                lambda: self.action_go("stats"))
        if allowed(self.actor, "manage_users"):
            yield SystemCommand("Accounts", "Unlock, close, change the role or the passphrase of an account",
                                lambda: self.action_go("accounts"))
        if allowed(self.actor, "create_request"):
            yield SystemCommand("New request", "Record a Community Trigger request", self.action_new_request)
        yield SystemCommand("Keys", "Every key binding on this screen", self.action_help)
        yield SystemCommand("Sign out", "Back to the sign-in screen", self.action_sign_out)

    # --- errors ----------------------------------------------------------------------------

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Every notification is plain text: messages quote what people typed (names, reasons, file
        paths), and `[b]` or `[@click=…]` in them must show as typed, never act. Screens' and
        widgets' `notify` come here too, whatever `markup` they pass."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_worker_state_changed(self, event) -> None:
        """The app's own workers; screens report theirs through `ReportsWorkerErrors`."""
        if event.worker.group == "policy" and event.state == WorkerState.SUCCESS:
            waiting, self._after_policy = self._after_policy, []
            for then in waiting:
                then()
        elif event.worker.group == "policy" and event.state == WorkerState.ERROR:
            self._after_policy.clear()
            self._policy_unusable(event.worker.error)
        elif event.state == WorkerState.ERROR:
            title, message = describe_failure(event.worker.error)
            self.notify(message, title=title, severity="error", timeout=10)
