"""A draft outcome as the applicant will read it: the real outcome template, filled from the case and
the draft on screen, so the preview and the letter can never say different things."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from caseworker_tui.models import Applicant
from caseworker_tui.services.found import case_by_id
from caseworker_tui.services.letters import builders
from caseworker_tui.services.letters.rendering import document_text, render
from caseworker_tui.services.letters.templates import template_path
from caseworker_tui.services.unit import reading


def outcome_preview(case_id: int, summary: str, recommendations: list[tuple[str, str, date | None]],
                    letters_dir: Path | None = None) -> str:
    """The outcome letter's text with this summary and these (agency, action, due) recommendations."""
    with reading():
        case = case_by_id(case_id)
        person = Applicant.get(Applicant.case == case)
        source = builders.Source(case, person, builders.common(case, person, None), None)
        letter = builders.outcome_draft(source, summary, recommendations)
    return document_text(render("outcome", letter, template_path("outcome", letters_dir)))
