"""Demo content for ``ordena demo``: client companies, contacts and assessments at every stage.

Everything goes through the product's services (companies, assessments, lifecycle
transitions), so the rules apply and the audit trail, result snapshots and history exist as if
consultants had done the work. Seeding is idempotent per firm: a firm that already has a client
company (archived ones count) is left untouched, so running ``ordena demo`` again changes nothing.

Per firm (a deterministic random generator seeded by the firm's slug):

* 7–9 fictional Peruvian companies (valid RUCs, varied CIIU sections and size bands), 1–2
  contacts each with ``.demo`` addresses;
* for all but one company, a published consultant assessment from about a year ago;
* for four of them, a re-assessment from last month that used the first run as baseline
  (answers improve between runs), also published: the company's history has two points;
* one assessment of kind "both" with the client's self-assessment submitted and the whole
  assessment submitted, waiting for validation (shows the perception gap and the validation step);
* one self-assessment in progress: a contact was invited and answered about half of it;
* an improvement plan from each first run, worked on for a year (``demo/plans.py``): mostly done
  before the re-assessments, under way (some late, one blocked) elsewhere.

The services stamp "now"; afterwards the seeding moves the business timestamps (created,
submitted, validated, published, invited, answered) into the past with plain UPDATEs in the
same transaction. The audit trail is append-only and keeps the real time of the seeding.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.pe import ruc as pe_ruc

from ordena.accounts.models import User
from ordena.assessments import invitations, latest, lifecycle
from ordena.assessments.answers import AnswerInput, save_answer
from ordena.assessments.models import Answer, Assessment, Respondent, ResultSnapshot
from ordena.audit.services import Actor
from ordena.companies import services as companies
from ordena.companies.models import Company, Contact
from ordena.db.driver import driver
from ordena.demo.plans import PlanCast, PlanStory, seed_plan
from ordena.frameworks.services import FrameworkStructure, default_version, structure
from ordena.lib.clock import now
from ordena.settings import Settings
from ordena.tenancy.models import Membership, Role, Tenant
from ordena.tenancy.services import enter_firm

# (name, CIIU section, division, size band, employees)
COMPANIES: tuple[tuple[str, str, str, str, int], ...] = (
    ("Textiles Huancaína S.A.C.", "C", "13", "mediana", 120),
    ("Agroexportadora Valle Sur S.A.", "A", "01", "grande", 640),
    ("Ferretería El Constructor E.I.R.L.", "G", "47", "micro", 6),
    ("Transportes Qhapaq Ñan S.A.C.", "H", "49", "pequena", 38),
    ("Clínica Dental Sonrisa Andina S.A.C.", "Q", "86", "pequena", 22),
    ("Hotel Mirador del Misti S.A.C.", "I", "55", "pequena", 31),
    ("Constructora Chaski S.A.", "F", "41", "mediana", 180),
    ("Distribuidora Amazónica del Oriente S.A.C.", "G", "46", "mediana", 95),
    ("Soluciones Digitales Inka S.A.C.", "J", "62", "pequena", 27),
    ("Pesquera Bahía de Paracas S.A.", "A", "03", "grande", 420),
    ("Colegio Los Andes S.A.C.", "P", "85", "pequena", 45),
    ("Inmobiliaria Costa Verde S.A.C.", "L", "68", "micro", 9),
    ("Estudio Contable Quispe & Asociados S.C.", "M", "69", "micro", 8),
    ("Panificadora San Blas E.I.R.L.", "C", "10", "micro", 12),
    ("Minera Cerro Azul S.A.A.", "B", "07", "grande", 1200),
    ("Logística Callao Express S.A.C.", "H", "52", "mediana", 140),
    ("Café Orgánico Chanchamayo S.A.C.", "C", "10", "pequena", 40),
    ("Restaurantes Sabor Norteño S.A.C.", "I", "56", "pequena", 48),
    ("Financiera Progreso Rural S.A.", "K", "64", "mediana", 210),
    ("Seguridad Integral Lima S.A.C.", "N", "80", "mediana", 300),
    ("Laboratorios Farmandina S.A.", "C", "21", "grande", 350),
    ("Muebles y Diseño Cusco E.I.R.L.", "C", "31", "micro", 7),
    ("Servicios Médicos Arequipa S.A.C.", "Q", "86", "mediana", 160),
    ("Energía Solar del Sur S.A.C.", "D", "35", "pequena", 19),
    ("Agua Limpia Rural S.A.C.", "E", "36", "micro", 10),
    ("Ingenieros Consultores Tacna S.A.C.", "M", "71", "pequena", 24),
)
FIRST_NAMES = (
    "Rosa",
    "Carlos",
    "Milagros",
    "Luis",
    "Pilar",
    "Jorge",
    "Ana",
    "Renzo",
    "Gabriela",
    "Walter",
    "Fiorella",
    "César",
    "Karina",
    "Óscar",
    "Elena",
    "Raúl",
)
LAST_NAMES = (
    "Mamani",
    "Huanca",
    "Flores",
    "Chávez",
    "Ramírez",
    "Torres",
    "Castillo",
    "Gutiérrez",
    "Ccahuana",
    "Yupanqui",
    "Salas",
    "Pariona",
    "Ticona",
    "Vilca",
    "Zevallos",
    "Arroyo",
)
POSITIONS = (
    "Gerente General",
    "Gerente de Administración y Finanzas",
    "Jefa Comercial",
    "Jefe de Operaciones",
    "Contador General",
    "Coordinadora de Calidad",
)
# Typical notes a consultant leaves on weak practices (demo data, Spanish like the firms' clients).
LOW_COMMENTS = (
    "Se lleva en hojas de Excel sin un responsable fijo.",
    "Depende de una sola persona; no está documentado.",
    "Se hace cuando hay tiempo; no hay seguimiento.",
    "Cada área lo maneja a su manera.",
)
HIGH_COMMENTS = (
    "Procedimiento documentado y revisado cada trimestre.",
    "Indicadores en el tablero mensual de gerencia.",
)
SIZE_MATURITY = {"micro": 1.9, "pequena": 2.3, "mediana": 2.7, "grande": 3.1}
PILLAR_SHIFT = {"front_office": 0.35, "back_office": -0.3}  # front office a bit stronger than back office


@dataclass
class SeedSummary:
    slug: str
    companies: int = 0
    contacts: int = 0
    published: int = 0
    reassessed: int = 0
    awaiting_validation: int = 0
    in_progress: int = 0
    plans: int = 0
    skipped: bool = False

    def line(self) -> str:
        if self.skipped:
            return f"demo content {self.slug}: already has {self.companies} companies, nothing to add"
        return (
            f"demo content {self.slug}: {self.companies} companies, {self.contacts} contacts, "
            f"{self.published} published assessments ({self.reassessed} companies with a re-assessment), "
            f"{self.awaiting_validation} awaiting validation, {self.in_progress} self-assessment in progress, "
            f"{self.plans} improvement plans"
        )


def ruc_for(rnd: random.Random, taken: set[str]) -> str:
    """A valid RUC of a legal person ("20" + 8 digits + check digit), unique in ``taken``."""
    while True:
        body = "20" + f"{rnd.randrange(10**8):08d}"
        ruc = body + pe_ruc.calc_check_digit(body)
        if ruc not in taken:
            taken.add(ruc)
            return ruc


def _ascii(text: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def _domain(name: str) -> str:
    words = [w for w in re.split(r"[\s&]+", name) if w and not re.match(r"^(S\.|E\.|y$|del?$|la$|los$|el$)", w)]
    return _ascii("".join(words[:2])) + ".demo"


def _level(latent: float) -> int:
    return max(1, min(5, round(latent)))


class _Answers:
    """Believable answers: a company-level maturity, shifted per pillar and dimension, plus noise
    per question. ``latent`` keeps the unrounded value so a later run can improve on it."""

    def __init__(self, rnd: random.Random, tree: FrameworkStructure, size_band: str) -> None:
        self.rnd, self.tree = rnd, tree
        base = SIZE_MATURITY[size_band] + rnd.gauss(0, 0.25)
        self.latent: dict[UUID, float] = {}
        self.na: set[UUID] = set()
        for d in tree.dimensions:
            shift = base + PILLAR_SHIFT.get(d.pillar_key, 0.0) + rnd.gauss(0, 0.3)
            for q in d.questions:
                self.latent[q.id] = shift + rnd.gauss(0, 0.55)
                if q.allows_na and rnd.random() < (0.3 if size_band == "micro" else 0.1):
                    self.na.add(q.id)

    def improve(self) -> None:
        """A year of work: every dimension gains a little, the weakest ones (the plan's focus) more."""
        for d in self.tree.dimensions:
            mean = sum(self.latent[q.id] for q in d.questions) / len(d.questions)
            gain = max(0.0, self.rnd.gauss(0.45, 0.3)) + (0.35 if mean < 2.6 else 0.0)
            for q in d.questions:
                self.latent[q.id] += gain + self.rnd.gauss(0, 0.2)

    def client_view(self) -> dict[UUID, float]:
        """How the client sees itself: rosier, with a couple of blind spots."""

        # Blind spots only where there is room above the consultant's view: a rosy answer on a
        # dimension already near 5 is capped and shows no gap of a full level.
        def mean(d: Any) -> float:
            return sum(self.latent[q.id] for q in d.questions) / len(d.questions)

        roomy = [d for d in self.tree.dimensions if mean(d) <= 3.4]
        if len(roomy) < 2:
            roomy = sorted(self.tree.dimensions, key=mean)[:2]
        blind = {d.key for d in self.rnd.sample(roomy, 2)}
        out = {}
        for d in self.tree.dimensions:
            bias = 1.5 if d.key in blind else (0.5 if d.pillar_key == "front_office" else 0.25)
            for q in d.questions:
                out[q.id] = self.latent[q.id] + bias + self.rnd.gauss(0, 0.4)
        return out

    def inputs(self, latent: dict[UUID, float] | None = None, *, comments: bool = True) -> dict[UUID, AnswerInput]:
        latent = latent or self.latent
        out: dict[UUID, AnswerInput] = {}
        for q in self.tree.questions:
            if q.id in self.na:
                out[q.id] = AnswerInput(None, True, "")
                continue
            level = _level(latent[q.id])
            comment = ""
            if comments and self.rnd.random() < 0.12:
                comment = self.rnd.choice(
                    LOW_COMMENTS if level <= 2 else HIGH_COMMENTS if level >= 4 else LOW_COMMENTS[:1]
                )
            out[q.id] = AnswerInput(level, False, comment)
        return out


async def _save(
    db: AsyncSession,
    tenant_id: UUID,
    assessment_id: UUID,
    values: dict[UUID, AnswerInput],
    actor: Actor,
    respondent_id: UUID | None = None,
) -> None:
    # The service, answer by answer (its checks and one audit row each); the audit rows are
    # written in one batch at the next flush instead of one INSERT per answer.
    with db.no_autoflush:
        for question_id, value in values.items():
            await save_answer(db, tenant_id, assessment_id, question_id, value, actor, respondent_id=respondent_id)
    await db.flush()


async def _backdate(
    db: AsyncSession,
    tenant_id: UUID,
    assessment_id: UUID,
    *,
    created: dt.datetime,
    submitted: dt.datetime | None = None,
    validated: dt.datetime | None = None,
    published: dt.datetime | None = None,
) -> None:
    """The services stamp now(); move this run into the past (same transaction). Only business
    timestamps change: the append-only audit trail keeps when the demo was really seeded."""
    last = published or validated or submitted or created
    values: dict[str, Any] = {"created_at": created, "updated_at": last}
    for column, moment in (("submitted_at", submitted), ("validated_at", validated), ("published_at", published)):
        if moment is not None:
            values[column] = moment
    if published is not None:  # the publication counted on its day: off today's, onto the new one's
        await latest.count_publication(await driver(db), tenant_id, assessment_id, -1)
    await db.execute(
        update(Assessment).where(Assessment.tenant_id == tenant_id, Assessment.id == assessment_id).values(**values)
    )
    if published is not None:
        await latest.count_publication(await driver(db), tenant_id, assessment_id, 1)
    answered = submitted or last
    await db.execute(
        update(Answer)
        .where(Answer.tenant_id == tenant_id, Answer.assessment_id == assessment_id)
        .values(created_at=created + dt.timedelta(days=1), updated_at=answered - dt.timedelta(hours=2))
    )
    await db.execute(
        update(Respondent)
        .where(
            Respondent.tenant_id == tenant_id,
            Respondent.assessment_id == assessment_id,
            Respondent.kind == "consultant",
        )
        .values(created_at=created, updated_at=answered, **({"submitted_at": submitted} if submitted else {}))
    )
    if published is not None:
        await db.execute(
            update(ResultSnapshot)
            .where(ResultSnapshot.tenant_id == tenant_id, ResultSnapshot.assessment_id == assessment_id)
            .values(created_at=published, updated_at=published)
        )
        # The company's latest result carries the publication time: kept as publishing keeps it.
        company_id = await db.scalar(
            select(Assessment.company_id).where(Assessment.tenant_id == tenant_id, Assessment.id == assessment_id)
        )
        assert company_id is not None
        await latest.refresh(await driver(db), tenant_id, company_id)


async def _actors(db: AsyncSession, tenant_id: UUID) -> tuple[Actor, Actor]:
    """(consultant who answers, partner/owner who validates and publishes)."""
    rows = (
        await db.execute(
            select(User, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == tenant_id)
            .order_by(User.email)
        )
    ).all()
    if not rows:
        raise LookupError("the firm has no members to act in the demo")
    by_rank = sorted(rows, key=lambda r: Role(r[1]).rank)
    consultant = next((u for u, role in rows if Role(role) is Role.CONSULTANT), by_rank[-1][0])
    lead = by_rank[-1][0]
    return Actor(consultant.id, consultant.email), Actor(lead.id, lead.email)


async def seed_firm(
    db: AsyncSession, settings: Settings, tenant: Tenant, *, today: dt.datetime | None = None
) -> SeedSummary:
    """Seed one firm's demo content in ``db``'s transaction (the caller commits)."""
    await enter_firm(db, tenant, None)
    summary = SeedSummary(tenant.slug)
    existing = await companies.count_companies(db, tenant.id, include_archived=True)
    if existing:
        summary.companies, summary.skipped = existing, True
        return summary
    rnd = random.Random(zlib.crc32(tenant.slug.encode()))  # noqa: S311 - repeatable demo data, not security
    consultant, lead = await _actors(db, tenant.id)
    tree = await structure(db, (await default_version(db)).id)
    story = _FirmStory(db, settings, tenant, rnd, today or now(), consultant, lead, tree, summary)
    specs = rnd.sample(COMPANIES, rnd.randint(7, 9))
    # The perception-gap story reads best with a mid-sized company (room above and below).
    specs.sort(key=lambda spec: spec[3] not in ("pequena", "mediana"))
    people = rnd.sample([(f, last) for f in FIRST_NAMES for last in LAST_NAMES], 2 * len(specs))
    plans: list[PlanStory] = []
    for index, spec in enumerate(specs):
        company, contacts = await story.company(index, spec, people)
        if index == len(specs) - 1:
            continue  # a company just signed: no assessment yet
        answers = _Answers(rnd, tree, spec[3])
        first = await story.first_run(company, answers)
        reassessed_at = None
        if index == 0:
            await story.client_side_by_side(company, contacts[0], answers, first)
        elif index == 1:
            await story.self_assessment_half_done(company, contacts[0], answers)
        elif index <= 5:
            reassessed_at = await story.reassessment(company, answers, first)
        plans.append(PlanStory(first, contacts, reassessed_at))
    # After every company's story, so the plans' draws leave the assessments' data as it was.
    cast = PlanCast(db, tenant.id, rnd, story.today, consultant, lead)
    for plan_story in plans:
        await seed_plan(cast, plan_story)
        summary.plans += 1
    await db.flush()
    return summary


@dataclass
class _FirmStory:
    """One demo firm's year of work, told company by company through the product's services."""

    db: AsyncSession
    settings: Settings
    tenant: Tenant
    rnd: random.Random
    today: dt.datetime
    consultant: Actor
    lead: Actor
    tree: FrameworkStructure
    summary: SeedSummary
    taken_rucs: set[str] = field(default_factory=set)

    def day(self, days_ago: float, hour: int = 10) -> dt.datetime:
        moment = self.today - dt.timedelta(days=days_ago)
        return moment.replace(hour=hour, minute=self.rnd.randrange(60), second=0, microsecond=0)

    async def company(
        self, index: int, spec: tuple[str, str, str, str, int], people: list[tuple[str, str]]
    ) -> tuple[Company, list[Contact]]:
        db, tid, rnd = self.db, self.tenant.id, self.rnd
        name, section, division, band, employees = spec
        company = await companies.create_company(
            db,
            tid,
            self.consultant,
            {
                "name": name,
                "ruc": ruc_for(rnd, self.taken_rucs),
                "country": "PE",
                "industry_section": section,
                "industry_division": division,
                "size_band": band,
                "employees": str(employees),
            },
        )
        contacts: list[Contact] = []
        for given, family in people[2 * index : 2 * index + (2 if index < 2 or rnd.random() < 0.5 else 1)]:
            contact = {
                "name": f"{given} {family}",
                "email": f"{_ascii(given)}.{_ascii(family)}@{_domain(name)}",
                "position": rnd.choice(POSITIONS),
            }
            contacts.append(await companies.add_contact(db, tid, self.consultant, company, contact))
        self.summary.companies += 1
        self.summary.contacts += len(contacts)
        since = self.day(rnd.randint(390, 430))
        await db.execute(
            update(Company)
            .where(Company.tenant_id == tid, Company.id == company.id)
            .values(created_at=since, updated_at=since)
        )
        await db.execute(
            update(Contact)
            .where(Contact.tenant_id == tid, Contact.company_id == company.id)
            .values(created_at=since, updated_at=since)
        )
        return company, contacts

    async def _publish(self, assessment_id: UUID) -> None:
        for action, actor in (("submit", self.consultant), ("validate", self.lead), ("publish", self.lead)):
            await lifecycle.transition(self.db, self.tenant.id, assessment_id, action, actor)

    async def first_run(self, company: Company, answers: _Answers) -> Assessment:
        """The diagnosis of about a year ago, published."""
        db, tid, day = self.db, self.tenant.id, self.day
        start = self.rnd.randint(330, 375)
        year = (self.today - dt.timedelta(days=start)).year
        new = lifecycle.NewAssessment(company_id=company.id, title=f"Diagnóstico inicial {year}")
        first = await lifecycle.create_assessment(db, tid, self.consultant, new)
        await _save(db, tid, first.id, answers.inputs(), self.consultant)
        await self._publish(first.id)
        await _backdate(
            db,
            tid,
            first.id,
            created=day(start),
            submitted=day(start - 9, 17),
            validated=day(start - 11, 12),
            published=day(start - 12, 16),
        )
        self.summary.published += 1
        return first

    async def client_side_by_side(
        self, company: Company, contact: Contact, answers: _Answers, first: Assessment
    ) -> None:
        """Consultant and client side by side, the client's part handed in, waiting for validation."""
        db, tid, day, consultant = self.db, self.tenant.id, self.day, self.consultant
        answers.improve()
        new = lifecycle.NewAssessment(
            company_id=company.id, kind="both", title="Revisión anual con autoevaluación", baseline_id=first.id
        )
        both = await lifecycle.create_assessment(db, tid, consultant, new)
        await _save(db, tid, both.id, answers.inputs(), consultant)
        (respondent,) = await invitations.invite_contacts(
            db, self.settings, self.tenant, consultant, both.id, [contact.id]
        )
        client = Actor(None, f"contact:{contact.id}")
        await _save(db, tid, both.id, answers.inputs(answers.client_view(), comments=False), client, respondent.id)
        await lifecycle.submit_respondent(db, tid, both.id, respondent.id, client)
        await lifecycle.transition(db, tid, both.id, "submit", consultant)
        await _backdate(db, tid, both.id, created=day(21), submitted=day(2, 18))
        await db.execute(
            update(Respondent)
            .where(Respondent.tenant_id == tid, Respondent.id == respondent.id)
            .values(
                created_at=day(20),
                invited_at=day(20),
                last_activity_at=day(6, 19),
                submitted_at=day(6, 19),
                updated_at=day(6, 19),
            )
        )
        self.summary.awaiting_validation += 1

    async def self_assessment_half_done(self, company: Company, contact: Contact, answers: _Answers) -> None:
        """The client is answering a self-assessment on their own: about half done."""
        db, tid, day = self.db, self.tenant.id, self.day
        new = lifecycle.NewAssessment(company_id=company.id, kind="self", title="Autoevaluación de seguimiento")
        self_run = await lifecycle.create_assessment(db, tid, self.consultant, new)
        (respondent,) = await invitations.invite_contacts(
            db, self.settings, self.tenant, self.consultant, self_run.id, [contact.id]
        )
        client = Actor(None, f"contact:{contact.id}")
        answers.improve()
        values = answers.inputs(answers.client_view(), comments=False)
        half = dict(list(values.items())[: len(values) // 2])
        await _save(db, tid, self_run.id, half, client, respondent.id)
        await db.execute(
            update(Assessment)
            .where(Assessment.tenant_id == tid, Assessment.id == self_run.id)
            .values(created_at=day(12), updated_at=day(4, 20))
        )
        await db.execute(
            update(Answer)
            .where(Answer.tenant_id == tid, Answer.assessment_id == self_run.id)
            .values(created_at=day(9, 20), updated_at=day(4, 20))
        )
        await db.execute(
            update(Respondent)
            .where(Respondent.tenant_id == tid, Respondent.id == respondent.id)
            .values(created_at=day(12), invited_at=day(12), last_activity_at=day(4, 20), updated_at=day(4, 20))
        )
        self.summary.in_progress += 1

    async def reassessment(self, company: Company, answers: _Answers, first: Assessment) -> dt.datetime:
        """Last month's re-assessment, from the first run as baseline (its answers are copied,
        the consultant changes what moved); returns when it started."""
        db, tid, day = self.db, self.tenant.id, self.day
        before = answers.inputs(comments=False)
        answers.improve()
        after = answers.inputs(comments=False)
        title = f"Reevaluación {(self.today - dt.timedelta(days=40)).year}"
        new = lifecycle.NewAssessment(company_id=company.id, title=title, baseline_id=first.id)
        second = await lifecycle.create_assessment(db, tid, self.consultant, new)
        changed = {q: v for q, v in after.items() if v.level != before[q].level}
        await _save(db, tid, second.id, changed, self.consultant)
        await self._publish(second.id)
        start = self.rnd.randint(38, 50)
        created = day(start)
        await _backdate(
            db,
            tid,
            second.id,
            created=created,
            submitted=day(start - 8, 17),
            validated=day(start - 10, 12),
            published=day(start - 11, 16),
        )
        self.summary.published += 1
        self.summary.reassessed += 1
        return created


async def seed_demo(database: Any, settings: Settings, slugs: list[str]) -> list[SeedSummary]:
    """Seed the firms side by side, each in its own session and transaction; firms that already
    have companies are skipped."""

    async def one(slug: str) -> SeedSummary | None:
        async with database.session() as db:
            tenant = await db.scalar(select(Tenant).where(Tenant.slug == slug))
            if tenant is None:
                return None
            summary = await seed_firm(db, settings, tenant)
            await db.commit()
            return summary

    return [s for s in await asyncio.gather(*(one(slug) for slug in slugs)) if s is not None]
