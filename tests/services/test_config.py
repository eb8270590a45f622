"""Settings: the file, then CASEWORKER_* variables, then the command; a bad value names its key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from caseworker_tui.config import config_path, load_settings
from caseworker_tui.errors import ConfigError


def test_without_a_file_the_defaults_live_in_the_data_folder(tmp_path):
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'caseworker.sqlite'}"
    assert settings.output_dir == tmp_path / "data" / "letters"
    assert (settings.policy_file, settings.letters_dir, settings.theme, settings.keymap) == (
        None, None, "textual-dark", {})


def test_the_environment_wins_over_the_file_and_the_command_over_both(monkeypatch):
    config_path().write_text('theme = "nord"\noutput_dir = "/srv/letters"\npolicy_file = "/etc/p.toml"\n'
                             '[keymap]\nnew_request = "f9"\n', encoding="utf-8")
    monkeypatch.setenv("CASEWORKER_THEME", "gruvbox")
    monkeypatch.setenv("CASEWORKER_KEYMAP", '{"new_request": "f2"}')
    settings = load_settings(output_dir="/tmp/out")
    assert settings.theme == "gruvbox" and settings.keymap == {"new_request": "f2"}
    assert settings.output_dir == Path("/tmp/out") and settings.policy_file == Path("/etc/p.toml")


@pytest.mark.parametrize(("text", "words"), [
    ('colour = "red"\n', "colour is not a setting (in "),
    ("theme = 3\n", "theme must be text, not 3 (in "),
    ('keymap = "f2"\n', "keymap must be a table of binding id = keys"),
    ("[keymap]\nnew_request = 2\n", "keymap must be a table of binding id = keys"),
    ('output_dir = ""\n', "output_dir must be a file or folder path"),
    ("theme = \n", "is not valid TOML"),
])
def test_a_bad_file_names_the_key_and_the_file(text, words):
    config_path().write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert words in str(caught.value) and str(config_path()) in str(caught.value)


def test_a_bad_variable_names_itself(monkeypatch):
    monkeypatch.setenv("CASEWORKER_KEYMAP", "new_request=f2")
    with pytest.raises(ConfigError, match="CASEWORKER_KEYMAP must be JSON"):
        load_settings()
    monkeypatch.setenv("CASEWORKER_KEYMAP", '["f2"]')
    with pytest.raises(ConfigError, match=r"keymap must be a table .* \(in CASEWORKER_KEYMAP\)"):
        load_settings()


def test_the_first_screen_loads_none_of_what_it_does_not_need():
    """Start-up pays for the queue alone: validation, the PostgreSQL driver, bank holidays, Word
    templates and password hashing come when something first needs them."""
    code = ("import sys, caseworker_tui.app, caseworker_tui.screens.queue, caseworker_tui.config; "
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert not {"pydantic", "pydantic_core", "psycopg2", "holidays", "docxtpl", "docx", "argon2"} & set(loaded)
    assert {"textual", "peewee"} <= set(loaded)


KEY = "caseworker_live-26785a09-ab16-4eb0-8407-3c3d7bcd1e63-3d844edf-8d35-4b3d-b5cb-4ae7d0e1bb0a"


def test_the_notify_key_and_its_kind_come_from_the_file_or_the_environment_and_stay_out_of_sight(monkeypatch):
    config_path().write_text(f'notify_api_key = "{KEY}"\nnotify_key_kind = "live"\n', encoding="utf-8")
    settings = load_settings()
    assert (settings.notify_api_key, settings.notify_key_kind) == (KEY, "live")
    assert "3d844edf" not in repr(settings)
    monkeypatch.setenv("CASEWORKER_NOTIFY_KEY_KIND", "test")
    assert load_settings().notify_key_kind == "test"


@pytest.mark.parametrize(("line", "words"), [
    ('notify_api_key = "3d844edf-8d35-4b3d"\n', "notify_api_key must be a GOV.UK Notify API key"),
    ('notify_key_kind = "production"\n', "notify_key_kind must be test, team or live"),
    ('notify_email_template = "welcome"\n', "notify_email_template must be a template id"),
    ('notify_base_url = "http://notify.example.org"\n', "notify_base_url must be an https:// URL"),
])
def test_a_bad_notify_setting_names_itself_and_never_echoes_a_key(line, words):
    config_path().write_text(line, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert words in str(caught.value) and "3d844edf" not in str(caught.value)


def test_the_notify_poll_is_every_five_minutes_unless_the_settings_say_otherwise(monkeypatch):
    assert load_settings().notify_poll_minutes == 5
    config_path().write_text("notify_poll_minutes = 0\n", encoding="utf-8")
    assert load_settings().notify_poll_minutes == 0
    monkeypatch.setenv("CASEWORKER_NOTIFY_POLL_MINUTES", "30")
    assert load_settings().notify_poll_minutes == 30


@pytest.mark.parametrize(("line", "value"), [("notify_poll_minutes = -1\n", "-1"),
                                             ('notify_poll_minutes = "often"\n', "'often'"),
                                             ("notify_poll_minutes = 2.5\n", "2.5"),
                                             ("notify_poll_minutes = true\n", "True")])
def test_a_bad_notify_poll_interval_names_the_setting(line, value):
    config_path().write_text(line, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert f"notify_poll_minutes must be a whole number of minutes between GOV.UK Notify status checks, " \
           f"0 (never) or more, e.g. 5, not {value}" in str(caught.value)
