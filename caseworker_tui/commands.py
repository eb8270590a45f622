"""Command palette: open a case by reference or applicant name from anywhere."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import Hit, Hits, Provider

from caseworker_tui.services.queue import QueueFilter, queue_page


class CaseProvider(Provider):
    """Cases whose reference, name or postcode match what is typed (open and closed)."""

    async def search(self, query: str) -> Hits:
        app = self.app
        actor = getattr(app, "actor", None)
        if actor is None or len(query.strip()) < 2:
            return
        flt = QueueFilter(search=query, include_closed=True)
        page = await asyncio.to_thread(queue_page, actor, flt, 1, 10)
        matcher = self.matcher(query)
        for row in page.rows:
            label = f"{row.reference} · {row.applicant} · {row.stage_label}"
            score = matcher.match(label) or 0.5
            yield Hit(score, matcher.highlight(label), partial(app.open_case, row.id),
                      help="Open this case")
