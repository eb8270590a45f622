"""A person's theme is theirs, kept with their account; the shared settings file is never written;
and a desk left idle signs out."""

from __future__ import annotations

from caseworker_tui import app as app_module
from caseworker_tui.config import config_path
from caseworker_tui.models import User, db
from caseworker_tui.screens.sign_in import SignInScreen
from caseworker_tui.services import preferences
from tests.apphelpers import SIZE, make_app, settle


def _stored() -> dict[str, str | None]:
    with db.connection_context():
        return {u.username: u.preferences for u in User.select().order_by(User.username)}


async def test_a_theme_chosen_is_the_persons_own_and_the_settings_file_is_left_alone(database_url, users):
    config_path().write_text('policy_file = "/srv/policy.toml"\ntheme = "textual-dark"\n', encoding="utf-8")
    before = config_path().read_bytes()
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await settle(pilot)
        assert preferences.of(users["casey"]) == {"theme": "nord"}
        app.action_sign_out()
        await settle(pilot)
        assert app.theme == "textual-dark"  # the next person starts from the install's theme
        app.theme = "gruvbox"  # chosen before anyone signs in: kept nowhere
        await settle(pilot)
        app.signed_in(users["sam"])
        await settle(pilot)
        assert app.theme == "gruvbox"  # sam has no choice of his own yet
        app.action_sign_out()
        await settle(pilot)
        app.signed_in(users["casey"])
        await settle(pilot)
        assert app.theme == "nord"
    assert config_path().read_bytes() == before
    assert _stored() == {"ada": None, "casey": '{"theme": "nord"}', "chris": None, "jo": None, "sam": None}


async def test_an_unsigned_session_writes_nothing(database_url, users):
    app = make_app(database_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        app.theme = "nord"
        await settle(pilot)
    assert not config_path().exists()
    assert set(_stored().values()) == {None}


async def test_an_idle_desk_signs_out_after_the_settings_minutes(database_url, users, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(app_module, "_monotonic", lambda: now[0])
    app = make_app(database_url, actor=users["casey"])
    assert app.settings.idle_minutes == 15
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        now[0] += 14 * 60
        await pilot.press("down")  # a key counts as use
        now[0] += 14 * 60
        app.sign_out_if_idle()
        await settle(pilot)
        assert app.actor is not None
        now[0] += 61
        app.sign_out_if_idle()
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen) and app.actor is None
        assert any("Signed out after 15 minutes" in n.message for n in app._notifications)
