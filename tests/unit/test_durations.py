"""Durations in emails read as words, in the reader's language."""

from __future__ import annotations

import datetime as dt

from ordena.lib.i18n import format_duration, use_locale
from ordena.mail.services import render_email
from ordena.settings import Settings


def test_durations_read_in_days_and_weeks_not_hours() -> None:
    with use_locale("es"):
        assert [format_duration(h) for h in (2, 24, 72, 168, 336)] == [
            "2 horas",
            "1 día",
            "3 días",
            "7 días",
            "2 semanas",
        ]
        assert format_duration(dt.timedelta(days=10)) == "10 días"
    with use_locale("en"):
        assert [format_duration(h) for h in (24, 168)] == ["1 day", "7 days"]


def test_link_emails_state_the_expiry_in_words() -> None:
    context = {
        "name": "Rosa",
        "firm": "Estudio",
        "brand_name": "Estudio",
        "brand_color": "#1f6f5c",
        "company": "Textiles",
        "title": "Diagnóstico",
        "url": "https://example.com/links/x",
        "hours": 168,
        "inviter": "Lucía",
    }
    templates = Settings().templates_dir
    for name in ("assessment_invitation", "assessment_reminder", "contact_link", "results_published"):
        _subject, text, html = render_email(templates, name, context, "es")
        assert "vence en 7 días" in text and "vence en 7 días" in html and "horas" not in text, name
        _subject, text, _html = render_email(templates, name, context, "en")
        assert "expires in 7 days" in text, name
