"""The rules of DESIGN §11 that decide what a release may say about a cohort.

1. **Gates on the true population**, in this order (the first that fails is the reason):
   ``k`` — fewer than k companies; ``firms`` — fewer than ``min_firms`` firms; ``dominance`` —
   the largest firm holds more than 50 % of the companies, or the two largest more than 80 %.
2. **Complementary suppression** within each relation of the lattice (per scope):
   all = Σ industries = Σ sizes = Σ countries; industry v = Σ its industry × size cells;
   size s = Σ its industry × size cells. When the parent is published, what
   ``parent − published children`` reveals is the *union* of the hidden children: that union
   must itself pass the gates (checked conservatively: its firms as the most of any hidden child,
   its largest firm as the sum of the children's largest), else the smallest published child is
   hidden too ("complementary"), until it does (at worst every child is hidden, and the union is
   the published parent itself). When the parent is hidden, at least one non-empty child is too,
   or the children would add up to it. Repeated over every relation until nothing changes.
   A combination of several relations at once is not audited; the noise covers it.
3. **Noise**: discrete Laplace noise from OpenDP on each published histogram, scale 1/ε. Adding or
   removing one company moves one count by one (L1 sensitivity 1), so each cohort's histogram is
   ε-differentially private per release. The guarantee is per cohort and release, not across the
   lattice (a company is in up to 5 slices × every scope) nor across releases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ordena.lib.errors import ServiceError
from ordena.lib.i18n import _

Noise = Callable[[Sequence[int]], list[int]]


@dataclass
class Cell:
    """A cohort of the lattice with its true figures (never stored: only what passes is noised)."""

    scope_kind: str
    scope_key: str
    slice_kind: str
    slice_value: str
    n: int
    firms: int
    top1: int  # companies of the largest firm
    top2: int  # companies of the two largest firms together
    hist: list[int]
    reason: str | None = None
    # For the relations: the industry and size of an industry × size cell.
    parts: tuple[str, str] = ("", "")

    @property
    def scope(self) -> tuple[str, str]:
        return (self.scope_kind, self.scope_key)


def gate(n: int, firms: int, top1: int, top2: int, *, k: int, min_firms: int) -> str | None:
    """The reason a group of ``n`` companies may not be published, or None."""
    if n < k:
        return "k"
    if firms < min_firms:
        return "firms"
    if 2 * top1 > n or 5 * top2 > 4 * n:
        return "dominance"
    return None


def apply_gates(cells: Iterable[Cell], *, k: int, min_firms: int) -> None:
    for c in cells:
        c.reason = gate(c.n, c.firms, c.top1, c.top2, k=k, min_firms=min_firms)


@dataclass
class Relation:
    parent: Cell
    children: list[Cell] = field(default_factory=list)


def relations(cells: Sequence[Cell]) -> list[Relation]:
    """Every parent = Σ children relation of the lattice, per scope."""
    by_key = {(c.scope, c.slice_kind, c.slice_value): c for c in cells}
    rels: dict[tuple[object, ...], Relation] = {}

    def child(parent_key: tuple[object, ...], c: Cell) -> None:
        parent = by_key.get(parent_key)  # type: ignore[arg-type]
        if parent is not None:
            rels.setdefault((parent_key, c.slice_kind), Relation(parent)).children.append(c)

    for c in cells:
        if c.slice_kind in ("industry", "size", "country"):
            child((c.scope, "all", ""), c)
        elif c.slice_kind == "industry_size":
            industry, size = c.parts
            child((c.scope, "industry", industry), c)
            child((c.scope, "size", size), c)
    return list(rels.values())


def _union_passes(hidden: Sequence[Cell], *, k: int, min_firms: int) -> bool:
    n = sum(c.n for c in hidden)
    firms = max(c.firms for c in hidden)  # at least this many firms (a lower bound)
    top1 = min(n, sum(c.top1 for c in hidden))  # at most this many for the largest (an upper bound)
    top2 = min(n, sum(c.top2 for c in hidden))
    return gate(n, firms, top1, top2, k=k, min_firms=min_firms) is None


def _hide_smallest(children: Sequence[Cell]) -> bool:
    shown = [c for c in children if c.reason is None]
    if not shown:
        return False
    min(shown, key=lambda c: (c.n, c.slice_value)).reason = "complementary"
    return True


def complementary(cells: Sequence[Cell], *, k: int, min_firms: int) -> None:
    """Hide further children until no relation reveals a hidden cohort (see the module doc)."""
    rels = relations(cells)
    changed = True
    while changed:
        changed = False
        for rel in rels:
            hidden = [c for c in rel.children if c.reason is not None]
            if rel.parent.reason is None:
                if hidden and not _union_passes(hidden, k=k, min_firms=min_firms):
                    changed |= _hide_smallest(rel.children)
            elif not hidden:
                changed |= _hide_smallest(rel.children)


def check_settings(k: int, epsilon: float, min_firms: int = 3) -> None:
    """Bad network settings are refused with a clear message (never published with them)."""
    if k < 3:
        raise ServiceError(_("El mínimo de empresas por cohorte (k) no puede ser menor que 3."), status_code=422)
    if min_firms < 3:
        raise ServiceError(_("El mínimo de firmas por cohorte no puede ser menor que 3."), status_code=422)
    if not epsilon > 0:
        raise ServiceError(_("El parámetro de privacidad ε debe ser mayor que 0."), status_code=422)


def laplace(epsilon: float) -> Noise:
    """OpenDP's discrete Laplace mechanism on a vector of counts, calibrated to ε for L1
    sensitivity 1 (checked through the measurement's own privacy map). OpenDP (about 13 MiB
    resident) is imported here, by the refresh that adds noise, not by every process that
    imports the network modules."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    measurement = dp.m.make_laplace(dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=1.0 / epsilon)
    if measurement.map(1) > epsilon * (1 + 1e-9):  # type: ignore[no-untyped-call]
        raise RuntimeError("the noise is not calibrated to the network's ε")

    def noise(counts: Sequence[int]) -> list[int]:
        return [int(v) for v in measurement(list(counts))]

    return noise


def no_noise(counts: Sequence[int]) -> list[int]:
    """The test-only setting (``release.noised`` is False): the exact counts."""
    return list(counts)


def clamp(counts: Sequence[int]) -> list[int]:
    """Negative noisy counts become 0, so the cumulative distribution is monotone."""
    return [max(0, int(v)) for v in counts]
