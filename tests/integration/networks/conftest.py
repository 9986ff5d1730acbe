from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ordena.settings import Settings
from tests.integration.networks.world import World, make_world


@pytest.fixture
def exact(migrated: Settings) -> Settings:
    """The test-only setting: releases without noise (``release.noised`` is False)."""
    return replace(migrated, benchmark_noise=False)


@pytest.fixture
async def world(owner_engine: AsyncEngine) -> World:
    return await make_world(owner_engine)
