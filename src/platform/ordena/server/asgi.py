"""ASGI entry point for servers: ``uvicorn ordena.server.asgi:app``."""

from ordena.server.app import create_app

app = create_app()
