"""Database URLs: the owner URL given by the operator, and the app-role URL derived from it."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url

from ordena.db.embedded import embedded_database_url
from ordena.settings import Settings


def owner_url(settings: Settings) -> URL:
    raw = settings.database_url or embedded_database_url(settings.data_dir)
    url = make_url(raw)
    if url.drivername in {"postgresql", "postgres", "postgresql+psycopg2"}:
        url = url.set(drivername="postgresql+asyncpg")
    return url


def app_url(settings: Settings, owner: URL | None = None) -> URL:
    """Same server and database, logged in as the restricted app role."""
    owner = owner or owner_url(settings)
    return owner.set(username=settings.app_db_role, password=settings.effective_app_db_password)


def refresh_url(settings: Settings, owner: URL | None = None) -> URL:
    """Same server and database, logged in as the benchmark refresh role (DESIGN §11)."""
    owner = owner or owner_url(settings)
    return owner.set(username=settings.refresh_db_role, password=settings.effective_refresh_db_password)
