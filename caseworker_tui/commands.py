"""Command palette: open a case by reference or applicant name from anywhere."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from caseworker_tui.errors import InvalidInput
from caseworker_tui.services.queue import QueueFilter, queue_page
from caseworker_tui.widgets.safe import clean


def literal_highlight(matcher: Matcher, label: str) -> Content:
    """`label` exactly as written, its matched letters highlighted.

    `Matcher.highlight` reads its text as markup: a name holding `[@click=…]` would plant an
    action, and one holding `[/]` raised, which lost every hit of the search. Here the label is
    never parsed, and the offsets the matcher finds are offsets into the same literal text."""
    content = Content(label)
    text = content.plain  # as shown: the offsets must be into the same text
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if score:
        for offset in offsets:
            if not text[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class CaseProvider(Provider):
    """Cases whose reference, name or postcode match what is typed (open and closed)."""

    async def search(self, query: str) -> Hits:
        app = self.app
        actor = getattr(app, "actor", None)
        if actor is None or len(query.strip()) < 2:
            return
        flt = QueueFilter(search=query, include_closed=True)
        try:
            page = await asyncio.to_thread(queue_page, actor, flt, 1, 10)
        except InvalidInput as exc:  # e.g. a NUL pasted in: say why nothing is found
            problem = str(exc)
            yield Hit(1.0, Content(problem), partial(app.notify, problem, severity="warning"), text=problem,
                      help="Nothing can match this search")
            return
        matcher = self.matcher(query)
        for row in page.rows:
            label = f"{row.reference} · {clean(row.applicant)} · {row.stage_label}"  # no escape reaches the terminal
            score = matcher.match(label) or 0.5
            yield Hit(score, literal_highlight(matcher, label), partial(app.open_case, row.id), text=label,
                      help="Open this case")
