"""The app in a real browser: headless Chromium, driven by Selenium, through `caseworker serve`.

The chair opens the page, is refused with a wrong passphrase, signs in (typing into the terminal
canvas and clicking its button with the mouse), opens the waiting case from the command palette
and approves its outcome; the database then shows the case approved by chris. What the browser
shows is read back by watching the session's websocket from inside the page and replaying it
into a terminal emulator (pyte), so every wait is for words on the screen, never a fixed pause.

Debian's chromium and chromedriver are used as installed; nothing is downloaded. Without them the
test is skipped, unless CASEWORKER_REQUIRE_BROWSER=1 (as in CI), which makes that a failure.
SQLite only: one browser run is slow, and the database is not what is under test here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from caseworker_tui.models import AuditEvent, Case, Review, bind, db
from caseworker_tui.models.schema import upgrade
from caseworker_tui.services import accounts, context, intake, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.permissions import SYSTEM, Actor
from caseworker_tui.services.workflow import RecommendationIn
from tests.factories import meets_rule_a, victim_heard

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).parents[1] / "artifacts"  # tests/artifacts, which git ignores
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
BOUND = 30.0  # seconds any wait below may take before the test fails
PASSPHRASE = "correct horse battery"

# Installed before the page's own scripts: keeps what the session's websocket carries (the
# screen, as terminal output) and the terminal size the page asks for, for the test to read.
WATCH_SESSION = """
(() => {
  const decoder = new TextDecoder();
  const seen = [];
  window.__sessionOutput = () => seen.splice(0, seen.length);
  const Native = window.WebSocket;
  function Watched(url, protocols) {
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    const query = new URL(url).searchParams;
    seen.push({size: [Number(query.get("width")), Number(query.get("height"))]});
    socket.addEventListener("message", (event) => {
      if (typeof event.data !== "string") seen.push(decoder.decode(event.data, {stream: true}));
    });
    const send = socket.send.bind(socket);
    socket.send = (data) => {
      try {
        const [kind, body] = JSON.parse(data);
        if (kind === "resize") seen.push({size: [body.width, body.height]});
      } catch (error) {}
      send(data);
    };
    return socket;
  }
  Watched.prototype = Native.prototype;
  Object.assign(Watched, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Watched;
})();
"""


def _browser_or_skip():
    """Selenium's webdriver module, or a skip (a failure when CI requires the browser)."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    try:
        import pyte  # noqa: F401
        from selenium import webdriver
    except ImportError as exc:
        webdriver = None
        missing.append(f"the {exc.name} package")
    if missing:
        message = f"browser tests need {', '.join(missing)} (apt-get install chromium chromium-driver)"
        if os.environ.get("CASEWORKER_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return webdriver


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _until(condition, what: str, bound: float = BOUND):
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    pytest.fail(f"not within {bound:.0f} s: {what}")


# --- the database the served app uses ------------------------------------------------------------

def seed(url: str) -> tuple[int, str]:
    """Accounts, and one case whose outcome waits for the chair; its id and reference."""
    upgrade(bind(url))
    for username, role, name in [("casey", "caseworker", "Casey Morgan"), ("chris", "chair", "Chris Hall")]:
        accounts.add_user(username, role, PASSPHRASE, display_name=name, by=SYSTEM)
    casey = Actor("casey", "Casey Morgan", "caseworker")
    case = intake.create_request(parse_application(meets_rule_a(), context.policy()), casey)
    workflow.acknowledge(case.id, casey)
    workflow.decide(case.id, casey, accept=True)
    workflow.schedule_review(case.id, casey, meeting_on=date(2026, 11, 25), chair_name="Chris Hall",
                             agencies=["police", "council"], participation="virtual")
    workflow.draft_outcome(case.id, casey, summary="Agencies missed the pattern of repeat incidents.",
                           recommendations=[RecommendationIn("police", "Visit weekly", date(2027, 1, 15))])
    victim_heard(case.id, casey)
    workflow.submit_outcome(case.id, casey)
    return case.id, case.reference


def case_state(case_id: int) -> tuple[str, str | None, list[str]]:
    """Stage, who approved, and the audit trail's actions, as stored."""
    with db.connection_context():
        case = Case.get_by_id(case_id)
        review = Review.get(Review.case == case_id)
        actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
        return case.stage, review.approved_by, actions


# --- the browser ---------------------------------------------------------------------------------

class Terminal:
    """The page's terminal as a person sees it: its screen, keys typed into it, mouse clicks."""

    def __init__(self, driver) -> None:
        import pyte

        self.driver = driver
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.Stream(self.screen)

    def text(self) -> str:
        for item in self.driver.execute_script("return window.__sessionOutput ? window.__sessionOutput() : []"):
            if isinstance(item, dict):
                columns, lines = item["size"]
                self.screen.resize(lines=lines, columns=columns)
            else:
                self.stream.feed(item)
        return "\n".join(self.screen.display)

    def wait_for(self, words: str) -> None:
        _until(lambda: words in self.text(), f"{words!r} on the screen:\n{self.text()}")

    def focus(self) -> None:
        """Put the keyboard focus in the terminal (the app shows its focus only then)."""
        self.driver.execute_script("document.querySelector('.xterm-helper-textarea').focus()")

    def type(self, text: str) -> None:
        """Type into the terminal as a person would (a newline is the Enter key)."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        self.focus()
        actions = ActionChains(self.driver)
        for n, part in enumerate(text.split("\n")):
            if n:
                actions.send_keys(Keys.ENTER)
            if part:
                actions.send_keys(part)
        actions.perform()

    def press_enter_until(self, words: str, bound: float = 5.0) -> bool:
        self.type("\n")
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline:
            if words in self.text():
                return True
            time.sleep(0.1)
        return False

    def focused_field(self, labels: tuple[str, ...] = ("User name", "Passphrase")) -> str | None:
        """Which labelled input field has the focus: its edge takes the theme's primary colour."""
        from textual.theme import BUILTIN_THEMES

        primary = BUILTIN_THEMES["textual-dark"].primary.lstrip("#").lower()
        rows = self.text().split("\n")
        for label in labels:
            row = next(n for n, line in enumerate(rows) if label in line) + 2
            if self.screen.buffer[row][rows[row].index("▊")].fg == primary:
                return label
        return None

    def press_ctrl(self, key: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        self.focus()
        ActionChains(self.driver).key_down(Keys.CONTROL).send_keys(key).key_up(Keys.CONTROL).perform()

    def click_on(self, words: str, avoid: str = "") -> None:
        """Click with the mouse in the middle of `words` where they stand on the screen."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By

        rows = self.text().split("\n")
        spots = [(r, line.index(words)) for r, line in enumerate(rows)
                 if words in line and not (avoid and avoid in line)]
        assert spots, f"{words!r} is not on the screen:\n{self.text()}"
        row, column = spots[0]
        canvas = self.driver.find_element(By.CSS_SELECTOR, ".xterm-screen")
        cell_w = canvas.size["width"] / self.screen.columns
        cell_h = canvas.size["height"] / self.screen.lines
        x = (column + len(words) / 2) * cell_w - canvas.size["width"] / 2
        y = (row + 0.5) * cell_h - canvas.size["height"] / 2
        ActionChains(self.driver).move_to_element_with_offset(canvas, int(x), int(y)).click().perform()


@pytest.fixture
def chromium(tmp_path):
    webdriver = _browser_or_skip()
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=1280,800", f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_SESSION})
    yield driver
    driver.quit()


@pytest.fixture
def served_case(tmp_path):
    """`caseworker serve` on a seeded SQLite file: (base URL, case id, reference)."""
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    case_id, reference = seed(url)
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "caseworker_tui", "serve", "--port", str(port)],
                                cwd=ROOT, env={**os.environ, "CASEWORKER_DATABASE_URL": url},
                                stdout=out, stderr=subprocess.STDOUT)

    def listening() -> bool:
        assert proc.poll() is None, log.read_text()
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    _until(listening, "the server listening")
    yield f"http://127.0.0.1:{port}", case_id, reference
    proc.terminate()
    try:
        proc.wait(timeout=BOUND)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"serve did not stop on SIGTERM:\n{log.read_text()}")


def test_the_chair_approves_an_outcome_in_a_browser(chromium, served_case):
    from selenium.webdriver.common.keys import Keys

    base, case_id, reference = served_case
    chromium.get(base)
    term = Terminal(chromium)
    term.wait_for("Sign in with your account.")
    before = case_state(case_id)
    assert before[:2] == ("awaiting_chair", None)

    # A wrong passphrase is refused, and nothing about the case changes.
    # Type only once the field shows it has the focus, as a person would (its edge lights up).
    term.focus()
    _until(lambda: term.focused_field() == "User name", "the name field focused")
    term.type("chris\n")
    _until(lambda: term.focused_field() == "Passphrase", "the passphrase field focused")
    term.type("not the passphrase\n")
    term.wait_for("Unknown user or wrong passphrase.")
    _until(lambda: "sign_in_failed" in case_state(case_id)[2], "the refusal recorded")
    stage, approved_by, actions = case_state(case_id)
    assert (stage, approved_by) == ("awaiting_chair", None)
    assert actions == before[2] + ["sign_in_failed"]

    # The right one, submitted with the mouse on the Sign in button.
    term.type(PASSPHRASE)
    term.click_on("Sign in", avoid="with your account")
    term.wait_for("Chris Hall · chair")
    term.wait_for(reference)  # the chair's home lists the waiting case
    ARTIFACTS.mkdir(exist_ok=True)
    chromium.save_screenshot(str(ARTIFACTS / "browser-signed-in.png"))
    if "waiting for your approval" not in term.text():
        # A home without the approvals list: open the case from the command palette.
        term.press_ctrl("p")
        term.wait_for("Search for commands")
        term.type(reference)
        term.wait_for("Open this case")
        # Hits arrive while the palette is still searching; like a person, press Enter again if
        # the first press came too early to pick anything.
        _until(lambda: term.press_enter_until(f"Case {reference}"), "the case opened from the palette")

    # p approves (offered once the outcome has loaded, and only to the chair); y confirms.
    term.wait_for("p Approve")
    term.type("p")
    term.wait_for("Approve th")
    term.type("y")
    _until(lambda: case_state(case_id)[0] == "approved", "the case approved in the database")
    term.wait_for("pproved")  # and the notification says so
    chromium.save_screenshot(str(ARTIFACTS / "browser-approval.png"))

    # The command palette finds the case, now approved.
    term.press_ctrl("p")
    term.wait_for("Search for commands")
    term.type(reference)
    term.wait_for(f"{reference} · Ann Lee · Approved")
    term.type(Keys.ESCAPE)

    stage, approved_by, actions = case_state(case_id)
    assert (stage, approved_by) == ("approved", "chris")
    assert actions[-1] == "approve_outcome"
    problems = [e["message"] for e in chromium.get_log("browser") if e["level"] == "SEVERE"]
    assert problems == [], "the page reported errors (a blocked or missing resource?)"



def test_the_sign_in_takes_keys_as_soon_as_the_page_has_loaded(chromium, served_case):
    """No click first: the page puts the keyboard focus in the terminal when it loads."""
    from selenium.webdriver.common.action_chains import ActionChains

    base, _, _ = served_case
    chromium.get(base)
    term = Terminal(chromium)
    term.wait_for("Sign in with your account.")
    focused = chromium.execute_script("return document.activeElement.className")
    assert "xterm-helper-textarea" in focused
    ActionChains(chromium).send_keys("chris").perform()  # straight at whatever has the focus
    _until(lambda: any("chris" in line and "▊" in line for line in term.text().split("\n")),
           f"the name typed into the sign-in:\n{term.text()}")
    assert term.focused_field() == "User name"
