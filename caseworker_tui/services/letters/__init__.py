"""Letters: Word documents from templates council staff edit in Word, kept with the case.

The kinds of letter are declared once, in `kinds`; the rest of this package derives from them:
`refusals` says when each fits the case and `offers` lists them so, `contexts` and `builders`
say what each may say and read it from the case (with `facts`, the reads they share),
`templates` which file is in force and whether it can be used, `rendering` makes the document,
`producing` keeps it, versioned, on the case's timeline, `pdf` makes its PDF with LibreOffice,
`layout` measures that PDF against GOV.UK Notify's letter layout, and `sending` e-mails it (through
the partnership's SMTP server or `notify`), has Notify print and post it, or puts it in the day's
`print_pack`; `delivery` records each hand-over and follows it until it settles. `agency_requests`
makes and e-mails the update requests agencies are asked for.
Callers import from here; docxtpl and python-docx load only when a letter is made or read.
"""

from caseworker_tui.services.letters.agency_requests import outcome_words, routes, send_update_requests
from caseworker_tui.services.letters.kinds import (
    BY_KEY,
    KINDS,
    LETTER_KINDS,
    LetterKind,
    build_context,
)
from caseworker_tui.services.letters.offers import (
    LetterOption,
    letter_options,
    offered_letters,
    update_request_agencies,
)
from caseworker_tui.services.letters.pdf import PdfFailed, PdfUnavailable
from caseworker_tui.services.letters.print_pack import PrintPack, print_pack
from caseworker_tui.services.letters.producing import (
    CHANNELS,
    ProducedLetter,
    get_letter,
    list_letters,
    make_pdf,
    mark_sent,
    produce,
    produce_for_step,
)
from caseworker_tui.services.letters.rendering import LARGE_PRINT_PT, letter_text, render
from caseworker_tui.services.letters.sending import (
    VIAS,
    Recipient,
    SendFailed,
    SendRefused,
    SendResult,
    SendUncertain,
    latest_letter,
    recipient_of,
    send,
)
from caseworker_tui.services.letters.templates import (
    LetterTemplateError,
    TemplateCheck,
    check_templates,
    template_path,
    template_problems,
)

__all__ = [
    "BY_KEY", "CHANNELS", "KINDS", "LARGE_PRINT_PT", "LETTER_KINDS", "VIAS", "LetterKind", "LetterOption",
    "LetterTemplateError", "PdfFailed", "PdfUnavailable", "PrintPack", "ProducedLetter", "Recipient", "SendFailed",
    "SendRefused", "SendResult", "SendUncertain", "TemplateCheck", "build_context", "check_templates", "get_letter",
    "latest_letter", "letter_options", "letter_text", "list_letters", "make_pdf", "mark_sent", "offered_letters",
    "outcome_words", "print_pack", "produce", "produce_for_step", "recipient_of", "render", "routes", "send",
    "send_update_requests", "template_path", "template_problems", "update_request_agencies",
]
