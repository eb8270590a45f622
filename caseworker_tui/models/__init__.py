"""Persistence: the database proxy, the tables and the schema migrations."""

from caseworker_tui.models.database import bind, db, is_postgres, open_database
from caseworker_tui.models.tables import (
    ALL_MODELS,
    ROLES,
    AgencyUpdateRequest,
    Appeal,
    Applicant,
    AuditEvent,
    AuditReason,
    Case,
    CaseView,
    ContactLog,
    Deadline,
    Escalation,
    FiguresNote,
    FiguresPublication,
    FileSweep,
    Incident,
    Letter,
    LetterDelivery,
    Note,
    Recommendation,
    ReferenceCounter,
    Report,
    Review,
    ThresholdDecision,
    User,
)

__all__ = [
    "ALL_MODELS", "ROLES", "AgencyUpdateRequest", "Applicant", "Appeal", "AuditEvent", "AuditReason", "Case",
    "CaseView", "ContactLog", "Deadline", "Escalation", "FiguresNote", "FiguresPublication", "FileSweep", "Incident",
    "Letter", "LetterDelivery", "Note", "Recommendation", "ReferenceCounter", "Report", "Review", "ThresholdDecision",
    "User", "bind", "db", "is_postgres", "open_database",
]
