"""How complete an assessment is, per side (consultant / client) and per dimension, and the
firm's rule that publishing below its threshold needs a reason.

An assessment published on 3 of 64 answers reads "Madurez general 2,40" like a finished one;
the numbers here are shown before validating and publishing, and publishing below the firm's
``publish_threshold_pct`` is refused unless the consultant writes why (kept in the audit trail).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments.answers import Progress, progress_by_dimension, total_progress
from ordena.assessments.lookups import answers_of, respondents
from ordena.assessments.models import Answer, Assessment
from ordena.frameworks.services import FrameworkStructure, structure
from ordena.lib.errors import FormErrors
from ordena.lib.i18n import _, format_percent
from ordena.tenancy.firms import firm_by_id

DEFAULT_THRESHOLD = 80
MAX_REASON = 2000


def _share(p: Progress) -> Decimal:
    """answered / total, cut to whole per cent (79,9 % is not 80 %)."""
    if not p.total:
        return Decimal(0)
    return (Decimal(p.answered) / Decimal(p.total)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


@dataclass(frozen=True)
class DimensionCompleteness:
    key: str
    name: str
    answered: int
    questions: int

    @property
    def share(self) -> Decimal:
        return _share(Progress(self.answered, self.questions))


@dataclass(frozen=True)
class SideCompleteness:
    side: str  # consultant | self
    answered: int
    questions: int
    dimensions: list[DimensionCompleteness]

    @property
    def share(self) -> Decimal:
        return _share(Progress(self.answered, self.questions))

    @property
    def label(self) -> str:
        return _("Consultor") if self.side == "consultant" else _("Cliente")


@dataclass(frozen=True)
class Readiness:
    """What the validate/publish step shows and checks."""

    sides: list[SideCompleteness]
    threshold_pct: int

    @property
    def share(self) -> Decimal:
        """The weakest side's completeness: a score rests on each side it shows."""
        return min((s.share for s in self.sides), default=Decimal(0))

    @property
    def below_threshold(self) -> bool:
        return self.share * 100 < self.threshold_pct

    def audit(self) -> dict[str, Any]:
        """The completeness as the audit row keeps it."""
        return {
            "threshold_pct": self.threshold_pct,
            "sides": {
                s.side: {
                    "answered": s.answered,
                    "questions": s.questions,
                    "dimensions": {d.key: [d.answered, d.questions] for d in s.dimensions},
                }
                for s in self.sides
            },
        }


def sides_of(kind: str) -> tuple[str, ...]:
    return {"consultant": ("consultant",), "self": ("self",)}.get(kind, ("consultant", "self"))


def _side(tree: FrameworkStructure, side: str, answers: list[Answer]) -> SideCompleteness:
    per_dim = progress_by_dimension(tree, answers)
    total = total_progress(tree, answers)
    return SideCompleteness(
        side=side,
        answered=total.answered,
        questions=total.total,
        dimensions=[
            DimensionCompleteness(d.key, tree.label(d.name), per_dim[d.key].answered, per_dim[d.key].total)
            for d in tree.dimensions
        ],
    )


async def readiness(db: AsyncSession, tenant_id: UUID, assessment: Assessment) -> Readiness:
    tree = await structure(db, assessment.framework_version_id)
    kind_of = {r.id: r.kind for r, _c in await respondents(db, tenant_id, assessment.id)}
    answers = await answers_of(db, tenant_id, assessment.id)
    tenant = await firm_by_id(db, tenant_id)
    threshold = tenant.publish_threshold_pct if tenant is not None else DEFAULT_THRESHOLD
    return Readiness(
        sides=[
            _side(tree, side, [a for a in answers if kind_of.get(a.respondent_id) == side])
            for side in sides_of(assessment.kind)
        ],
        threshold_pct=threshold,
    )


class PublishNeedsReason(Exception):
    """Publishing below the firm's threshold without a reason (``errors`` names the field)."""

    def __init__(self, errors: FormErrors, readiness: Readiness) -> None:
        super().__init__("; ".join(errors.fields.values()))
        self.errors = errors
        self.readiness = readiness


def check_publish(ready: Readiness, reason: str) -> str:
    """The reason to record (stripped); refuses a missing one below the threshold."""
    reason = reason.strip()
    errors = FormErrors()
    if len(reason) > MAX_REASON:
        errors.add("reason", _("El motivo admite hasta 2000 caracteres."))
    elif ready.below_threshold and not reason:
        errors.add(
            "reason",
            _(
                "Solo está respondido el {share} y la firma pide {threshold} para publicar. "
                "Escribe el motivo para publicar de todos modos."
            ).format(share=format_percent(float(ready.share)), threshold=format_percent(ready.threshold_pct / 100)),
        )
    if errors:
        raise PublishNeedsReason(errors, ready)
    return reason
