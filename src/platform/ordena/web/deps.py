"""Short typed aliases for what handlers receive (explicit, as Litestar 3 requires)."""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.sessions import Auth
from ordena.tenancy.services import FirmContext

DB: TypeAlias = NamedDependency[AsyncSession]
Firm: TypeAlias = NamedDependency[FirmContext]
CurrentAuth: TypeAlias = NamedDependency[Auth]
Form: TypeAlias = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
