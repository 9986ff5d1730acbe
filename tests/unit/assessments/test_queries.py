"""The autosave's hand-written audit row follows the AuditEvent model, or the app does not start."""

from __future__ import annotations

import pytest

from ordena.assessments import queries
from ordena.audit.models import AuditEvent


def test_the_autosave_writes_every_column_of_the_audit_model() -> None:
    model_columns = [c.name for c in AuditEvent.__table__.columns if c.name != "sa_orm_sentinel"]
    listed = queries._AUDIT_ANSWER.split("(", 1)[1].split(")", 1)[0].split(", ")
    assert listed == model_columns
    assert queries._AUDIT_ANSWER in queries._SAVE_CHECKED


def test_an_audit_column_the_autosave_does_not_know_fails_loudly() -> None:
    known = {c.name: "NULL" for c in AuditEvent.__table__.columns if c.name != "sa_orm_sentinel"}
    renamed = {("actor_name" if c == "actor_label" else c): v for c, v in known.items()}
    with pytest.raises(RuntimeError, match="audit_event"):
        queries._audit_insert(renamed)
    with pytest.raises(RuntimeError, match="audit_event"):
        queries._audit_insert({c: v for c, v in known.items() if c != "after"})
