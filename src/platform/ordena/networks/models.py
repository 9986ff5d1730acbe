"""Networks of allied firms, the firms' consent, and the benchmark releases (DESIGN §11).

Three kinds of table live here:

* platform tables about the network itself (``network``, ``network_admin``, ``network_invitation``);
* ``network_membership``, owned by the firm: only the firm records (and withdraws) its consent;
* release tables (``benchmark_release``, ``benchmark_cohort``, ``benchmark_practice``): what a
  refresh publishes. They hold **no tenant, company or firm identity** by design — no column here
  may ever name one — so that network admins and the web role can read them freely.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import ARRAY, Date, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ordena.db.base import Base, TenantOwned

# The cohort lattice (DESIGN §11): fixed, the same for every network.
SCOPE_KINDS = ("overall", "pillar", "dimension")
SLICE_KINDS = ("all", "industry", "size", "country", "industry_size")
# Why a cohort is hidden; the page explains each without revealing what the rule protects.
HIDE_REASONS = ("k", "firms", "dominance", "complementary")
N_BANDS = ("5-9", "10-19", "20-49", "50-99", "100+")


class Network(Base):
    """A platform table: a network owns no client data, only aggregates."""

    __tablename__ = "network"

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    min_companies: Mapped[int] = mapped_column(default=5)  # k: smallest publishable cohort (never below 3)
    min_firms: Mapped[int] = mapped_column(default=3)
    # The shared framework family: only published assessments on versions of this framework count
    # (a firm's custom copy is another framework and never counts).
    framework_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("framework.id", ondelete="SET NULL", use_alter=True), default=None
    )
    epsilon: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal("1.000"))  # per cohort per release
    refresh_every_days: Mapped[int] = mapped_column(Integer, default=30)  # the schedule; manual at most weekly
    terms_version: Mapped[str] = mapped_column(String(20), default="2026-11")  # data-sharing terms firms accept


class NetworkMembership(TenantOwned, Base):
    """A firm's membership of a network, owned by the firm (it alone may give consent).

    Counts in a release only while ``consent_at`` is set and ``left_at`` is not."""

    __tablename__ = "network_membership"
    __table_args__ = (UniqueConstraint("tenant_id", "network_id"),)

    network_id: Mapped[UUID] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    consent_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    consent_by: Mapped[str | None] = mapped_column(String(320), default=None)
    terms_version: Mapped[str | None] = mapped_column(String(20), default=None)
    left_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    left_by: Mapped[str | None] = mapped_column(String(320), default=None)
    # The firm opts in to showing benchmarks to its client contacts.
    show_to_clients: Mapped[bool] = mapped_column(default=False)


class NetworkAdmin(Base):
    __tablename__ = "network_admin"
    __table_args__ = (UniqueConstraint("network_id", "user_id"),)

    network_id: Mapped[UUID] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)


class NetworkInvitation(Base):
    """A network admin's invitation to a firm, emailed to its owner as a single-use link
    (token stored as a SHA-256 hash, DESIGN §5). ``firm_id`` names the firm once known; it is a
    platform table, so it carries no ``tenant_id`` column (and no RLS)."""

    __tablename__ = "network_invitation"

    network_id: Mapped[UUID] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    firm_id: Mapped[UUID | None] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), default=None)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    invited_by: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), default=None)


class BenchmarkRelease(Base):
    """One immutable publication of a network's figures. ``summary`` holds only counts that
    identify nobody: firms participating, companies per firm as a band histogram, cohorts
    published and hidden per reason."""

    __tablename__ = "benchmark_release"
    # Immutable (DESIGN §11): the app role may not update or delete release rows.
    __table_args__ = (UniqueConstraint("network_id", "number"), {"info": {"append_only": True}})

    network_id: Mapped[UUID] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per network
    as_of: Mapped[dt.date] = mapped_column(Date)  # population: latest assessment in the 12 months before
    released_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    framework_id: Mapped[UUID | None] = mapped_column(ForeignKey("framework.id", ondelete="SET NULL"), default=None)
    k: Mapped[int] = mapped_column(Integer)
    min_firms: Mapped[int] = mapped_column(Integer)
    epsilon: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    noised: Mapped[bool] = mapped_column(default=True)  # False only under the test-only setting
    summary: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)


class BenchmarkCohort(Base):
    """One cohort of the lattice in one release: published with its noisy histogram over the five
    maturity bands (mean and percentiles derive from it), or hidden with a reason code."""

    __tablename__ = "benchmark_cohort"
    __table_args__ = (
        UniqueConstraint("release_id", "scope_kind", "scope_key", "slice_kind", "slice_value"),
        Index("ix_benchmark_cohort_lookup", "release_id", "slice_kind", "slice_value"),
        {"info": {"append_only": True}},
    )

    release_id: Mapped[UUID] = mapped_column(ForeignKey("benchmark_release.id", ondelete="CASCADE"))
    scope_kind: Mapped[str] = mapped_column(String(10))  # SCOPE_KINDS
    scope_key: Mapped[str] = mapped_column(String(60), default="")  # pillar/dimension key; "" for overall
    slice_kind: Mapped[str] = mapped_column(String(20))  # SLICE_KINDS
    slice_value: Mapped[str] = mapped_column(String(40), default="")  # "C", "mediana", "PE", "C:mediana"; "" for all
    published: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(String(20), default=None)  # HIDE_REASONS when hidden
    n_band: Mapped[str | None] = mapped_column(String(10), default=None)  # N_BANDS when published
    histogram: Mapped[list[int] | None] = mapped_column(ARRAY(Integer), default=None)  # 5 noisy counts
    mean: Mapped[Decimal | None] = mapped_column(Numeric(5, 3), default=None)
    p10: Mapped[Decimal | None] = mapped_column(Numeric(5, 3), default=None)
    p25: Mapped[Decimal | None] = mapped_column(Numeric(5, 3), default=None)
    p50: Mapped[Decimal | None] = mapped_column(Numeric(5, 3), default=None)
    p75: Mapped[Decimal | None] = mapped_column(Numeric(5, 3), default=None)
    p90: Mapped[Decimal | None] = mapped_column(Numeric(5, 3), default=None)


class BenchmarkPractice(Base):
    """Commonly missed practices: per question of the shared framework, the (noisy) share of
    companies answering at level ≤ 2, under the same gates as cohorts."""

    __tablename__ = "benchmark_practice"
    __table_args__ = (
        UniqueConstraint("release_id", "question_key", "slice_kind", "slice_value"),
        {"info": {"append_only": True}},
    )

    release_id: Mapped[UUID] = mapped_column(ForeignKey("benchmark_release.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(100))
    dimension_key: Mapped[str] = mapped_column(String(60))
    slice_kind: Mapped[str] = mapped_column(String(20), default="all")
    slice_value: Mapped[str] = mapped_column(String(40), default="")
    published: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(String(20), default=None)
    n_band: Mapped[str | None] = mapped_column(String(10), default=None)
    share_low: Mapped[Decimal | None] = mapped_column(Numeric(5, 4), default=None)  # 0..1


class NetworkEvent(Base):
    """The network's own audit trail (append-only): what its admins and the operator did, and
    when a firm joined or left. A platform table, since a network is no firm's; the firm-side
    steps (consent, leaving, the client opt-in) are also written to that firm's audit trail.
    ``firm_id`` names a member firm (the consent list), never a company."""

    __tablename__ = "network_event"
    __table_args__ = (
        Index("ix_network_event_network_created", "network_id", "created_at"),
        {"info": {"append_only": True}},
    )

    network_id: Mapped[UUID] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    firm_id: Mapped[UUID | None] = mapped_column(ForeignKey("tenant.id", ondelete="SET NULL"), default=None)
    actor_id: Mapped[UUID | None] = mapped_column(default=None)
    actor_label: Mapped[str] = mapped_column(String(320), default="")
    action: Mapped[str] = mapped_column(String(40))  # create | admin | invite | revoke | join | leave | refresh
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str] = mapped_column(String(64))
    after: Mapped[dict[str, Any] | None] = mapped_column(JsonB, default=None)
