"""The company list's search form is rendered once per firm, language and filters, and reads as
a fresh rendering of its template would."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from ordena.companies import ciiu, services
from ordena.companies.routes import filter_form
from ordena.lib import i18n
from ordena.web.templating import template_config

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"


def test_the_search_form_is_kept_per_firm_language_and_filters() -> None:
    engine = template_config(TEMPLATES, auto_reload=False).engine_instance
    request = SimpleNamespace(app=SimpleNamespace(template_engine=engine))
    for locale in i18n.LOCALES:
        with i18n.use_locale(locale):
            for filters in (services.CompanyFilters(), services.CompanyFilters(q='a"<b>', section="C", sort="-name")):
                kept = filter_form(request, "/w/acme/companies", filters)  # type: ignore[arg-type]
                fresh = engine.get_template("companies/filters.html").render(
                    base="/w/acme/companies",
                    filters=filters,
                    section_options=ciiu.section_options(),
                    size_band_options=services.size_band_options(),
                )
                assert str(kept) == fresh
                assert filter_form(request, "/w/acme/companies", filters) is kept  # type: ignore[arg-type]
            other = filter_form(request, "/w/acme/companies", services.CompanyFilters(section="C"))  # type: ignore[arg-type]
            assert '<option value="C" selected>' in other
            assert other is not filter_form(request, "/w/other/companies", services.CompanyFilters(section="C"))  # type: ignore[arg-type]
