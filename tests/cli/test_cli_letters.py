"""`caseworker letters render` and `caseworker letters check`, as a shell user runs them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document

from caseworker_tui import cli
from caseworker_tui.cli.parser import build_parser
from caseworker_tui.services import context, intake, letters, workflow
from caseworker_tui.services.application import parse_application
from tests.factories import meets_rule_a


@pytest.fixture
def case(users, database_url, monkeypatch):
    """One received case, with the CLI pointed at the test database and acting as the supervisor."""
    monkeypatch.setenv("CASEWORKER_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORKER_USER", "sam")
    return intake.create_request(parse_application(meets_rule_a(), context.policy()), users["casey"])


def _misspelt_copy(folder: Path) -> None:
    folder.mkdir()
    source = letters.template_path("acknowledgement")
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(folder / "acknowledgement.docx", "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"{{ decide_by }}", b"{{ decide_bye }}")
            new.writestr(item, data)


def test_the_command_line_offers_exactly_the_registered_kinds(capsys):
    parser = build_parser()
    for kind in letters.KINDS:
        assert parser.parse_args(["letters", "render", "CT-2026-0001", kind]).kind == kind
    with pytest.raises(SystemExit):
        parser.parse_args(["letters", "render", "--help"])
    assert f"one of: {', '.join(letters.KINDS)}" in " ".join(capsys.readouterr().out.split())


def test_building_the_parser_leaves_the_letter_services_unloaded():
    """Every `caseworker` command builds the parser; only `letters` commands load the registry."""
    code = ("import sys; from caseworker_tui.cli.parser import build_parser; build_parser(); "
            "print('caseworker_tui.services.letters' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_render_writes_the_letter_and_prints_its_path(case, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["letters", "render", case.reference, "acknowledgement", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == str(out / "CT-2026-0001_acknowledgement_v1.docx")
    text = "\n".join(p.text for p in Document(printed).paragraphs)
    assert "Our reference: CT-2026-0001" in text
    assert "Sam Okafor\nCommunity Trigger supervisor" in text  # nobody is assigned: the person producing it signs
    assert [x.created_by for x in letters.list_letters(case.id)] == ["sam"]


def test_render_goes_to_the_output_dir_setting_by_default(case, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CASEWORKER_OUTPUT_DIR", str(tmp_path / "produced"))
    assert cli.main(["letters", "render", case.reference, "acknowledgement"]) == 0
    assert Path(capsys.readouterr().out.strip()).parent == tmp_path / "produced"


def test_render_refuses_a_letter_the_stage_does_not_call_for(case, tmp_path, capsys):
    status = cli.main(["letters", "render", case.reference, "outcome", "--out", str(tmp_path / "out")])
    assert status == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "caseworker: The outcome letter goes out only once the chair has approved the outcome" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_render_asks_which_agency_and_takes_it(case, users, tmp_path, capsys):
    workflow.request_updates(case.id, users["casey"], ["police", "council"])
    out = str(tmp_path / "out")
    assert cli.main(["letters", "render", case.reference, "agency_update_request", "--out", out]) == 2
    assert "agency: choose the agency the letter goes to: police, council" in capsys.readouterr().err
    assert cli.main(["letters", "render", case.reference, "agency_update_request", "--agency", "council",
                     "--out", out]) == 0
    assert capsys.readouterr().out.strip().endswith("CT-2026-0001_agency_update_request_council_v1.docx")


def test_render_names_an_unknown_reference(case, tmp_path, capsys):
    assert cli.main(["letters", "render", "CT-1999-0001", "acknowledgement", "--out", str(tmp_path)]) == 2
    assert "reference: there is no case CT-1999-0001" in capsys.readouterr().err


def test_render_refuses_an_unknown_kind(capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["letters", "render", "CT-2026-0001", "birthday_card"])
    assert caught.value.code == 2
    assert "invalid choice: 'birthday_card'" in capsys.readouterr().err


def test_check_passes_the_shipped_templates(capsys):
    assert cli.main(["letters", "check"]) == 0
    out = capsys.readouterr().out
    assert out.count("ok  ") == len(letters.KINDS)


def test_check_names_the_template_and_the_misspelt_variable(tmp_path, monkeypatch, capsys):
    _misspelt_copy(tmp_path / "templates")
    monkeypatch.setenv("CASEWORKER_LETTERS_DIR", str(tmp_path / "templates"))
    assert cli.main(["letters", "check"]) == cli.EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert "caseworker: acknowledgement.docx: unknown variable {{ decide_bye }}" in captured.err
    assert "ok  outcome.docx" in captured.out


def test_check_takes_a_folder_and_flags_a_file_that_replaces_nothing(tmp_path, capsys):
    folder = tmp_path / "drafts"
    folder.mkdir()
    (folder / "acknowledgment.docx").write_bytes(letters.template_path("acknowledgement").read_bytes())
    assert cli.main(["letters", "check", "--dir", str(folder)]) == cli.EXIT_BAD_INPUT
    assert "acknowledgment.docx: replaces no letter" in capsys.readouterr().err
