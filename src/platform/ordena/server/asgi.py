"""ASGI entry point for servers: ``uvicorn ordena.server.asgi:app``."""

import ctypes
import datetime as dt
import gc
import sys
from decimal import Decimal

import structlog
from litestar import Litestar

from ordena.companies import ciiu, services
from ordena.lib import i18n
from ordena.server.app import create_app

# Blocks at least this large are mapped for themselves and unmapped when freed.
LARGE_BLOCK_BYTES = 4 * 1024 * 1024
_M_MMAP_THRESHOLD = -3  # glibc's <malloc.h>


def _large_blocks_back_to_the_os() -> None:
    """Make glibc return a freed large block to the system at once.

    By default glibc raises its mmap threshold to the size of the largest block freed so far (up
    to 32 MiB): after the first sign-in, every argon2 verification's 19 MiB buffer
    (``accounts.passwords``) came from the heap and stayed there once freed, about 19 MiB resident
    for good (per malloc arena: one per thread that ever verified). A fixed threshold turns that
    adjustment off: blocks from ``LARGE_BLOCK_BYTES`` up are unmapped when freed; page bodies and
    everything smaller stay on the heap, as before. A no-op where the C library is not glibc."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None)
    if hasattr(libc, "gnu_get_libc_version") and hasattr(libc, "mallopt"):
        libc.mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES)


def _warm_then_freeze(app: Litestar) -> None:
    """Load what the first requests would otherwise load lazily, then move every object alive
    now out of the collector's reach.

    A full collection stops every request in flight while it walks all tracked objects: about
    60 ms here before the freeze (modules, routes, babel's locale data; then also every compiled template),
    about 5 ms after it (measured with ``gc.callbacks`` under the autosave load). A server-only
    setting: test processes build and drop many apps."""
    # Templates are not compiled here: each one is compiled on its first use, per language (as
    # Jinja does by default). Compiling all of them for every language held 1.6 MiB of the
    # server's resident memory (measured under uvicorn) for pages and languages a process may
    # never serve.
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
    # Each module's logger is bound once, not again for every line (a request's log line cost
    # a fresh bind through structlog's configuration: ~5 % of a page, profiled). Server-only:
    # tests reconfigure logging to capture it and need loggers that follow.
    structlog.configure(cache_logger_on_first_use=True)
    gc.collect()
    gc.freeze()


_large_blocks_back_to_the_os()
app = create_app()
app.on_startup.append(_warm_then_freeze)
