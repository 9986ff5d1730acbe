"""ASGI entry point for servers: ``uvicorn ordena.server.asgi:app``."""

import datetime as dt
import gc
from decimal import Decimal

from litestar import Litestar

from ordena.companies import ciiu, services
from ordena.lib import i18n
from ordena.server.app import create_app


def _warm_then_freeze(app: Litestar) -> None:
    """Load what the first requests would otherwise load lazily, then move every object alive
    now out of the collector's reach.

    A full collection stops every request in flight while it walks all tracked objects: about
    60 ms here before the freeze (modules, routes, compiled templates, babel's locale data),
    about 5 ms after it (measured with ``gc.callbacks`` under the autosave load). A server-only
    setting: test processes build and drop many apps."""
    engine = app.template_engine
    for env in getattr(engine, "environments", {}).values():
        for name in env.list_templates():
            env.get_template(name)
    moment = dt.datetime.now(dt.UTC)
    for locale in i18n.LOCALES:
        with i18n.use_locale(locale):
            i18n.gettext("Guardado")
            for fmt in ("short", "medium", "long"):
                i18n.format_date(moment, fmt)
                i18n.format_date(moment.date(), fmt)
            i18n.format_number(Decimal("1234.5"), 1)
            i18n.format_number(1234, 0)
            i18n.format_percent(0.5)
            i18n.format_money(Decimal("1234.5"))
            services.country_options()
            services.size_band_options()
            ciiu.section_options()
    gc.collect()
    gc.freeze()


app = create_app()
app.on_startup.append(_warm_then_freeze)
