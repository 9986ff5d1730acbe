"""ASGI entry point for servers: ``uvicorn ordena.server.asgi:app``."""

import gc

from litestar import Litestar

from ordena.server.app import create_app


def _freeze_startup_objects(_app: Litestar) -> None:
    # Modules, routes, templates and catalogues live as long as the process: moved out of the
    # collector's reach, full collections stop walking them between requests (a server-only
    # setting; test processes build and drop many apps).
    gc.collect()
    gc.freeze()


app = create_app()
app.on_startup.append(_freeze_startup_objects)
