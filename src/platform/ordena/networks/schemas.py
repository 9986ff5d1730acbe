"""Shapes of the network API (msgspec structs, so OpenAPI documents them)."""

from __future__ import annotations

import datetime as dt

import msgspec


class CohortOut(msgspec.Struct):
    scope_kind: str
    scope_key: str
    slice_kind: str
    slice_value: str
    n_band: str
    histogram: list[int]
    mean: float | None
    p10: float | None
    p25: float | None
    median: float | None
    p75: float | None
    p90: float | None


class ReleaseOut(msgspec.Struct):
    network: str
    number: int
    as_of: dt.date
    released_at: dt.datetime
    k: int
    min_firms: int
    epsilon: float
    cohorts: list[CohortOut]
