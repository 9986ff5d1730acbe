"""The assessment report as PDF: the Jinja2 template ``reports/report.html`` printed by WeasyPrint.

The printer fetches nothing from the network: only ``data:`` URIs and files under ``static/``
(the firm's logo when it lives there). Charts are the pages' own SVG, inline.

WeasyPrint (about 30 MiB resident with its fonts and image libraries) is imported by
``render_pdf`` itself: the web process and the CLI import the job modules that name this one, and
only a worker that prints a report should pay for the printer.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from jinja2 import Environment

from ordena.lib.i18n import _, format_date
from ordena.lib.templates import make_environment
from ordena.reports.content import ReportDocument

_INDENT = re.compile(r">\s*\n\s*<")


@cache
def _environment(templates_dir: Path) -> Environment:
    return make_environment(templates_dir)


def _logo_src(logo: str | None, static_dir: Path) -> str | None:
    if not logo:
        return None
    if logo.startswith("data:image/"):
        return logo
    path = (static_dir / logo.removeprefix("/static/")).resolve()
    if not path.is_file() or static_dir.resolve() not in path.parents:
        return None
    return path.as_uri()


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (page headers): quotes, backslashes, line breaks and
    ``<`` escaped, so that no name can end the string or the style element."""
    out = []
    for ch in text:
        if ch in '"\\<>' or ord(ch) < 32:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def report_html(doc: ReportDocument, templates_dir: Path, static_dir: Path) -> str:
    """The report's HTML in the current language."""
    template = _environment(templates_dir).get_template("reports/report.html")
    running = {
        "firm": css_string(doc.branding.name),
        "company": css_string(doc.company_name),
        "generated": css_string(f"{doc.branding.name} · {format_date(doc.generated_on, 'long')}"),
        "page": css_string(_("Página")),
    }
    html = template.render(doc=doc, logo_src=_logo_src(doc.branding.logo, static_dir), css=running)
    # The template's indentation is for people; the printer's HTML parser pays for every character.
    return _INDENT.sub(">\n<", html)


def render_pdf(doc: ReportDocument, templates_dir: Path, static_dir: Path) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = report_html(doc, templates_dir, static_dir)
    fetcher = URLFetcher(allowed_protocols={"data", "file"}, timeout=2)
    pdf = HTML(string=html, base_url=static_dir.resolve().as_uri() + "/", url_fetcher=fetcher).write_pdf()
    assert pdf is not None
    return bytes(pdf)
