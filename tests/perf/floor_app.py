"""The floor: a minimal Litestar + asyncpg + Jinja2 app that does by hand the same SQL as each
measured Ordena page, on the same database, as the same restricted role (row-level security on),
served the same way (uvicorn, one worker). It answers on the same paths as Ordena so that the
load generator sends identical requests to both.

Not part of the product. Configuration from the environment:
BENCH_APP_DSN (asyncpg DSN of the app role), BENCH_SECRET (the Ordena secret key, for the
anonymous CSRF HMAC), BENCH_POOL (connections per process, default 20 like Ordena).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
from jinja2 import DictLoader, Environment, select_autoescape
from litestar import Litestar, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath

SESSION_COOKIE = "ordena_session"
ANON_COOKIE = "ordena_anon"

LAYOUT = """<!doctype html>
<html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %} · Ordena</title>
<link rel="stylesheet" href="/static/vendor/pico/pico.min.css"><link rel="stylesheet" href="/static/css/app.css">
{% if firm %}<link rel="stylesheet" href="/brand/{{ firm.slug }}.css">{% endif %}
<script src="/static/vendor/htmx/htmx.min.js" defer></script><script src="/static/js/app.js" defer></script>
</head><body hx-headers='{"X-CSRF-Token": "{{ csrf }}"}'>
<header class="topbar"><nav class="container"><ul><li><a class="brand" href="/w/{{ firm.slug if firm else '' }}">
<strong>{{ firm.name if firm else "Ordena" }}</strong></a></li></ul><ul class="nav-links">
{% if firm %}{% for href, label in [("", "Inicio"), ("/companies", "Empresas"), ("/members", "Miembros"), ("/settings", "Configuración")] %}
<li><a href="/w/{{ firm.slug }}{{ href }}">{{ label }}</a></li>{% endfor %}{% endif %}
{% if user %}<li><details class="dropdown"><summary>{{ user.name }}</summary><ul dir="rtl"><li><a href="/">Mis firmas</a></li>
<li><form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="{{ csrf }}"><button type="submit" class="link">Cerrar sesión</button></form></li></ul></details></li>
{% else %}<li><a href="/login">Iniciar sesión</a></li>{% endif %}
<li><form method="post" action="/lang" class="inline lang-switch"><input type="hidden" name="_csrf" value="{{ csrf }}"><button type="submit" name="lang" value="en" class="link">English</button></form></li>
</ul></nav></header><main class="container">{% block content %}{% endblock %}</main>
<footer class="container footer"><small>Ordena · Madurez de front y back office para firmas consultoras</small></footer></body></html>"""

TEMPLATES = {
    "layout.html": LAYOUT,
    "dashboard.html": """{% extends "layout.html" %}{% block title %}Inicio{% endblock %}{% block content %}
<hgroup><h1>{{ firm.name }}</h1><p>Hola, {{ user.name }}. Tu rol: {{ role }}.</p></hgroup>
<div class="stats">{% for value, label in stats %}<article class="stat"><span class="stat-value">{{ value }}</span><span class="stat-label">{{ label }}</span></article>{% endfor %}</div>
{% for name, rows in lists.items() %}<section><h2>{{ name }}</h2><table>{% for r in rows %}<tr>{% for v in r.values() %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table></section>{% endfor %}
<article><h3>Primeros pasos</h3><ol><li><a href="/w/{{ firm.slug }}/members">Invita a tus colegas</a></li></ol></article>{% endblock %}""",
    "members.html": """{% extends "layout.html" %}{% block title %}Miembros{% endblock %}{% block content %}<h1>Miembros</h1>
<div class="table-wrap"><table class="stack"><thead><tr><th>Nombre</th><th>Correo</th><th>Rol</th></tr></thead><tbody>
{% for m in members %}<tr><td>{{ m.name }}</td><td>{{ m.email }}</td><td>{{ m.role }}</td></tr>{% endfor %}</tbody></table></div>{% endblock %}""",
    "login.html": """{% extends "layout.html" %}{% block title %}Iniciar sesión{% endblock %}{% block content %}
<article class="narrow"><h1>Iniciar sesión</h1><form method="post" action="/login" novalidate><input type="hidden" name="_csrf" value="{{ csrf }}">
<input type="hidden" name="next" value="{{ next }}"><label for="f-email">Correo electrónico<input id="f-email" name="email" type="email" value="" required autocomplete="username"></label>
<label for="f-password">Contraseña<input id="f-password" name="password" type="password" required autocomplete="current-password"></label>
<button type="submit">Entrar</button></form></article>{% endblock %}""",
    "companies.html": """{% extends "layout.html" %}{% block title %}Empresas{% endblock %}{% block content %}<h1>Empresas</h1>
<p>{{ total }} empresas</p><div class="table-wrap"><table class="stack"><thead><tr><th>Nombre</th><th>RUC</th><th>Sector</th><th>Tamaño</th><th>Empleados</th></tr></thead><tbody>
{% for c in companies %}<tr><td><a href="/w/{{ firm.slug }}/companies/{{ c.id }}">{{ c.name }}</a></td><td>{{ c.ruc or "" }}</td><td>{{ c.industry_section }}</td><td>{{ c.size_band }}</td><td>{{ c.employees or "" }}</td></tr>{% endfor %}
</tbody></table></div>{% endblock %}""",
    "questionnaire.html": """{% extends "layout.html" %}{% block title %}{{ dimension.name }}{% endblock %}{% block content %}
<h1>{{ assessment.title }}</h1><h2>{{ dimension.name }}</h2>
{% for q in questions %}<fieldset id="q-{{ q.id }}"><legend>{{ q.text }}</legend>
{% for level, label in q.levels %}<label><input type="radio" name="level" value="{{ level }}" hx-post="/w/{{ firm.slug }}/assessments/{{ assessment.id }}/answers" hx-vals='{"question_id": "{{ q.id }}"}'{% if answers.get(q.id) == level %} checked{% endif %}> {{ level }} · {{ label }}</label>
{% endfor %}</fieldset>{% endfor %}{% endblock %}""",
    "answer.html": """<span class="saved" id="saved-{{ question_id }}">Guardado · nivel {{ level }}</span>""",
    "results.html": """{% extends "layout.html" %}{% block title %}Resultados{% endblock %}{% block content %}<h1>{{ assessment.title }}</h1>
<p>Puntaje general: {{ overall }}</p><table><thead><tr><th>Dimensión</th><th>Puntaje</th><th>Respondidas</th></tr></thead><tbody>
{% for d in dims %}<tr><td>{{ d.name }}</td><td>{{ "%.2f"|format(d.score) if d.score is not none else "—" }}</td><td>{{ d.answered }}</td></tr>{% endfor %}</tbody></table>{% endblock %}""",
    "progress.html": """{% extends "layout.html" %}{% block title %}Avance{% endblock %}{% block content %}
<hgroup><h1>{{ assessment.title }}</h1><p>{{ company.name }}</p></hgroup><table><thead><tr><th>Dimensión</th><th>Base</th><th>Ahora</th><th>Meta</th><th>Iniciativas hechas</th></tr></thead><tbody>
{% for d in dims %}<tr><td>{{ d.name }}</td><td>{{ "%.2f"|format(d.baseline) if d.baseline is not none else "—" }}</td><td>{{ "%.2f"|format(d.score) if d.score is not none else "—" }}</td>
<td>{{ d.target }}{% if d.reached %} ✓{% endif %}</td><td>{{ d.done|length }}/{{ d.planned }}{% for t in d.done %}<br>{{ t }}{% endfor %}</td></tr>{% endfor %}</tbody></table>{% endblock %}""",
    "benchmark.html": """<section id="benchmark" class="benchmark"><h2>Comparación con pares</h2>
<p class="muted"><small>Cifras anónimas de la red {{ b.network_name }}.</small></p>
<form method="get" action="{{ action }}#benchmark" hx-get="{{ action }}" hx-target="#benchmark" hx-swap="outerHTML" hx-trigger="change"><select name="slice">
{% for k, label in options %}<option value="{{ k }}"{% if k == kind %} selected{% endif %}>{{ label }}</option>{% endfor %}</select><button type="submit">Comparar</button></form>
<p><strong>{{ description }}</strong> · edición {{ b.number }}, publicada el {{ b.as_of }}</p>
<figure><svg viewBox="0 0 640 {{ 24 * rows|length + 20 }}" role="img">{% for r in rows %}{% if r.published %}
<line x1="{{ 200 + r.p10 * 80 }}" x2="{{ 200 + r.p90 * 80 }}" y1="{{ 24 * loop.index }}" y2="{{ 24 * loop.index }}"/><rect x="{{ 200 + r.p25 * 80 }}" y="{{ 24 * loop.index - 8 }}" width="{{ (r.p75 - r.p25) * 80 }}" height="16"/>
{% endif %}<text x="4" y="{{ 24 * loop.index + 4 }}">{{ r.name }}</text>{% if r.score is not none %}<circle cx="{{ 200 + r.score * 80 }}" cy="{{ 24 * loop.index }}" r="4"/>{% endif %}{% endfor %}</svg></figure>
<table><thead><tr><th>Dimensión</th><th>Empresa</th><th>Percentil</th><th>Mediana</th><th>P25–P75</th><th>P10–P90</th><th>Empresas</th></tr></thead><tbody>
{% for r in rows %}<tr><th>{{ r.name }}</th><td>{{ "%.2f"|format(r.score) if r.score is not none else "—" }}</td>{% if r.published %}<td>{{ "%.0f"|format(r.rank) if r.rank is not none else "—" }}</td>
<td>{{ "%.2f"|format(r.p50) }}</td><td>{{ "%.2f"|format(r.p25) }}–{{ "%.2f"|format(r.p75) }}</td><td>{{ "%.2f"|format(r.p10) }}–{{ "%.2f"|format(r.p90) }}</td><td>{{ r.n_band }}</td>
{% else %}<td colspan="5">Oculta.</td>{% endif %}</tr>{% endfor %}</tbody></table></section>""",
    "network.html": """{% extends "layout.html" %}{% block title %}Panel de {{ network.name }}{% endblock %}{% block content %}
<hgroup><h1>{{ network.name }}</h1><p>Publicación n.º {{ release.number }} del {{ release.released_at.date() }} · población al {{ release.as_of }}</p></hgroup>
<div class="stats"><article class="stat"><span class="stat-value">{{ firms }}</span><span class="stat-label">Firmas participantes</span></article>
<article class="stat"><span class="stat-value">{{ published }}</span><span class="stat-label">Grupos publicados</span></article><article class="stat"><span class="stat-value">{{ hidden }}</span><span class="stat-label">Grupos ocultos</span></article></div>
<form method="get"><select name="slice">{% for value, label in picker %}<option value="{{ value }}"{% if value == current %} selected{% endif %}>{{ label }}</option>{% endfor %}</select></form>
<figure><svg viewBox="0 0 640 {{ 24 * views|length + 20 }}" role="img">{% for v in views %}{% set y = 24 * loop.index %}<text x="4" y="{{ y + 4 }}">{{ v.label }}</text>
{% if v.histogram %}{% set total = v.histogram|sum %}{% set ns = namespace(x=200) %}{% for n in v.histogram %}{% set w = 400 * n / total if total else 0 %}<rect x="{{ ns.x }}" y="{{ y - 8 }}" width="{{ w }}" height="16"><title>{{ n }}</title></rect>{% set ns.x = ns.x + w %}{% endfor %}
{% else %}<text x="200" y="{{ y + 4 }}">Oculto</text>{% endif %}{% endfor %}</svg></figure>
<table><thead><tr><th>Ámbito</th><th>Empresas</th><th>Media</th><th>P10</th><th>P25</th><th>Mediana</th><th>P75</th><th>P90</th></tr></thead><tbody>
{% for v in views %}<tr><td>{{ v.label }}</td>{% if v.published %}<td>{{ v.n_band }}</td><td>{{ "%.2f"|format(v.mean) }}</td><td>{{ "%.2f"|format(v.p10) }}</td><td>{{ "%.2f"|format(v.p25) }}</td>
<td><strong>{{ "%.2f"|format(v.p50) }}</strong></td><td>{{ "%.2f"|format(v.p75) }}</td><td>{{ "%.2f"|format(v.p90) }}</td>{% else %}<td colspan="7">Oculto: {{ v.reason }}</td>{% endif %}</tr>{% endfor %}
</tbody></table>{% endblock %}""",
    "billing.html": """{% extends "layout.html" %}{% block title %}Facturación{% endblock %}{% block content %}<h1>Facturación</h1>
<article><h2>{{ standing }}</h2><p>{{ companies }} empresas activas · {{ seats }} puestos</p></article>
<div class="plans">{% for code, name, c, s, prices in plans %}<article class="plan"><h3>{{ name }}</h3><p>{{ c }} empresas · {{ s }} puestos</p>
<ul>{% for interval, cur, price in prices %}<li>{{ cur }} {{ price }} / {{ interval }}</li>{% endfor %}</ul>
<form method="post" action="/w/{{ firm.slug }}/billing/subscribe"><input type="hidden" name="_csrf" value="{{ csrf }}"><input type="hidden" name="plan" value="{{ code }}"><button type="submit">Elegir {{ name }}</button></form></article>{% endfor %}</div>{% endblock %}""",
    "board.html": """{% extends "layout.html" %}{% block title %}{{ plan.title }}{% endblock %}{% block content %}
<hgroup><h1>{{ plan.title }}</h1><p>{{ company.name }} · {{ total }} iniciativas</p></hgroup><div class="board">
{% for status, label in statuses %}<section class="board-column"><h2>{{ label }} ({{ columns[status]|length }})</h2>
{% for i in columns[status] %}<article class="card{% if i.id in overdue %} overdue{% endif %}" id="i-{{ i.id }}"><h3><a href="/w/{{ firm.slug }}/plans/{{ plan.id }}/initiatives/{{ i.id }}">{{ i.title }}</a></h3>
<p>{{ owners.get(i.id, "Sin responsable") }} · {{ i.due_on or "" }} · {{ i.progress }} %</p>{% if i.blocked_reason %}<p>{{ i.blocked_reason }}</p>{% endif %}
<form method="post" action="/w/{{ firm.slug }}/plans/{{ plan.id }}/initiatives/{{ i.id }}/status"><input type="hidden" name="_csrf" value="{{ csrf }}">
<select name="status">{% for s, l in statuses %}<option value="{{ s }}"{% if s == status %} selected{% endif %}>{{ l }}</option>{% endfor %}</select><button type="submit">Mover</button></form></article>
{% endfor %}</section>{% endfor %}</div>{% endblock %}""",
}

env = Environment(loader=DictLoader(TEMPLATES), autoescape=select_autoescape(default_for_string=True), trim_blocks=True)
SECRET = os.environ.get("BENCH_SECRET", "bench")

SQL_SESSION = (
    "SELECT s.csrf_token, u.id AS user_id, u.name, u.email, u.locale, u.is_active FROM user_session s "
    "LEFT JOIN user_account u ON u.id = s.user_id "
    "WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()"
)
SQL_TOKEN = (
    "SELECT t.id, u.id AS user_id, u.name, u.email, coalesce((SELECT r.count FROM rate_limit r WHERE r.key = $2"
    " AND r.window_start >= now() - make_interval(secs => 900)), 0) AS guesses"
    " FROM api_token t JOIN user_account u ON u.id = t.user_id "
    "WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())"
    " AND u.is_active"
)
SQL_TOKEN_TOUCH = "UPDATE api_token SET last_used_at = now(), updated_at = now() WHERE id = $1"
SQL_TENANT = "SELECT id, slug, name, locale, brand_color FROM tenant WHERE slug = $1"
SQL_CONTEXT = "SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)"
SQL_MEMBERSHIP = "SELECT id, role FROM membership WHERE tenant_id = $1 AND user_id = $2"
SQL_MEMBER_COUNT = "SELECT count(*) FROM membership WHERE tenant_id = $1"
SQL_MEMBERS = (
    "SELECT u.name, u.email, m.role FROM membership m JOIN user_account u ON u.id = m.user_id "
    "WHERE m.tenant_id = $1 ORDER BY u.name"
)
SQL_COMPANY_COUNT = "SELECT count(*) FROM company WHERE tenant_id = $1 AND archived_at IS NULL"
# The list's total, as Ordena reads it for an unfiltered page: the firm's maintained count.
SQL_ACTIVE_COMPANIES = "SELECT active FROM company_count WHERE tenant_id = $1"
SQL_COMPANY_PAGE = (
    "SELECT tenant_id, id, name, ruc, country, industry_section, industry_division, size_band, employees, "
    "default_target_level, archived_at, created_at, updated_at FROM company "
    "WHERE tenant_id = $1 AND archived_at IS NULL ORDER BY name, id LIMIT $2 OFFSET $3"
)
SQL_ASSESSMENT = (
    "SELECT a.id, a.title, a.status, a.framework_version_id, a.company_id FROM assessment a "
    "WHERE a.tenant_id = $1 AND a.id = $2"
)
SQL_DIMENSION = "SELECT id, name FROM fw_dimension WHERE version_id = $1 AND key = $2"
SQL_QUESTIONS = "SELECT id, text, levels FROM fw_question WHERE dimension_id = $1 ORDER BY position"
SQL_RESPONDENTS = (
    "SELECT r.id, r.kind, c.name FROM respondent r LEFT JOIN contact c ON c.tenant_id = r.tenant_id AND c.id = r.contact_id "
    "WHERE r.tenant_id = $1 AND r.assessment_id = $2 ORDER BY r.created_at"
)
SQL_ANSWERS_OF = "SELECT respondent_id, question_id, level, not_applicable, comment FROM answer WHERE tenant_id = $1 AND assessment_id = $2"
SQL_RESPONDENT = "SELECT id FROM respondent WHERE tenant_id = $1 AND assessment_id = $2 AND kind = 'consultant' LIMIT 1"
SQL_UPSERT = (
    "INSERT INTO answer (tenant_id, id, assessment_id, respondent_id, question_id, level, not_applicable, comment, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, false, '', now(), now()) "
    "ON CONFLICT (tenant_id, respondent_id, question_id) DO UPDATE SET level = EXCLUDED.level, "
    "not_applicable = false, updated_at = now() RETURNING level"
)
SQL_RESULTS = (
    "SELECT d.key, d.name, avg(a.level) AS score, count(a.level) AS answered FROM fw_dimension d "
    "LEFT JOIN fw_question q ON q.dimension_id = d.id "
    "LEFT JOIN answer a ON a.question_id = q.id AND a.tenant_id = $1 AND a.assessment_id = $2 "
    "WHERE d.version_id = $3 GROUP BY d.id, d.key, d.name, d.position ORDER BY d.position"
)

SQL_CONTACT_SESSION = (
    "SELECT s.csrf_token, s.scope FROM user_session s "
    "WHERE s.token_hash = $1 AND s.user_id IS NULL AND s.revoked_at IS NULL AND s.expires_at > now()"
)
SQL_PROGRESS_ASSESSMENT = (
    "SELECT id, title, status, baseline_id, targets, framework_version_id, company_id FROM assessment "
    "WHERE tenant_id = $1 AND id = $2"
)
SQL_DIMENSIONS = "SELECT key, name FROM fw_dimension WHERE version_id = $1 ORDER BY position"
SQL_PROGRESS_SCORES = (
    "SELECT assessment_id, dimension_key, score FROM result_dimension_score "
    "WHERE tenant_id = $1 AND assessment_id = ANY($2::uuid[])"
)
SQL_BASELINE_INITIATIVES = (
    "SELECT i.id, i.title, i.dimension_key, i.status, i.completed_at FROM initiative i "
    "JOIN plan p ON p.tenant_id = i.tenant_id AND p.id = i.plan_id WHERE p.tenant_id = $1 AND p.assessment_id = $2 "
    "ORDER BY i.dimension_key, i.completed_at ASC NULLS LAST, i.position"
)
SQL_SNAPSHOT = "SELECT data FROM result_snapshot WHERE tenant_id = $1 AND assessment_id = $2"
SQL_PLAN = "SELECT id, title, company_id, assessment_id, created_at FROM plan WHERE tenant_id = $1 AND id = $2"
SQL_PLAN_OF = (
    "SELECT id, title, company_id, assessment_id, created_at FROM plan WHERE tenant_id = $1 AND assessment_id = $2"
)
SQL_INITIATIVES = (
    "SELECT * FROM initiative WHERE tenant_id = $1 AND plan_id = $2 ORDER BY position, due_on ASC NULLS LAST, title"
)
SQL_COMPANY = "SELECT id, name FROM company WHERE tenant_id = $1 AND id = $2"
SQL_USER_NAMES = "SELECT id, name, email FROM user_account WHERE id = ANY($1::uuid[])"
SQL_ASSESSMENT_LOCK = (
    "SELECT id, title, status, kind, targets, framework_version_id, company_id FROM assessment "
    "WHERE tenant_id = $1 AND id = $2 FOR UPDATE"
)
SQL_ANSWERS_BY_SIDE = (
    "SELECT a.question_id, a.level, a.not_applicable, r.kind, r.id FROM answer a "
    "JOIN respondent r ON r.tenant_id = a.tenant_id AND r.id = a.respondent_id "
    "WHERE a.tenant_id = $1 AND a.assessment_id = $2"
)
SQL_OVERRIDES = "SELECT dimension_id, score FROM dimension_override WHERE tenant_id = $1 AND assessment_id = $2"
SQL_HELD = (
    "SELECT template_key, max(position) FROM initiative WHERE tenant_id = $1 AND plan_id = $2 GROUP BY template_key"
)
SQL_AUDIT = (
    "INSERT INTO audit_event (tenant_id, id, actor_id, actor_label, action, entity_type, entity_id, after, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, 'generate', 'plan', $5, $6, now(), now())"
)
SQL_DEPENDENCIES = (
    "SELECT d.initiative_id, d.depends_on_id FROM initiative_dependency d JOIN initiative i "
    "ON i.tenant_id = d.tenant_id AND i.id = d.initiative_id WHERE d.tenant_id = $1 AND i.plan_id = $2"
)
# The framework's tree and library, read once per version (Ordena caches its tree the same way).
SQL_LIBRARY = (
    "SELECT d.key AS dim, d.weight, q.id AS question_id, NULL::text AS ikey, NULL::int AS from_level FROM fw_question q "
    "JOIN fw_dimension d ON d.id = q.dimension_id WHERE q.version_id = $1 "
    "UNION ALL SELECT d.key, d.weight, NULL, i.key, i.from_level FROM fw_initiative i "
    "JOIN fw_dimension d ON d.id = i.dimension_id WHERE i.version_id = $1"
)
_LIBRARIES: dict[UUID, tuple[dict[UUID, str], dict[str, float], list[tuple[str, str, int]]]] = {}


def _cookies(request: Request[Any, Any, Any]) -> dict[str, str]:
    return request.cookies


class Ctx:
    __slots__ = ("conn", "csrf", "done", "firm", "role", "tx", "user")


async def _open(request: Request[Any, Any, Any], slug: str | None, *, api: bool = False) -> Ctx:
    """One pooled connection and one transaction per request, like Ordena's session."""
    pool: asyncpg.Pool = request.app.state.pool
    ctx = Ctx()
    ctx.conn = await pool.acquire()
    ctx.tx = ctx.conn.transaction()
    await ctx.tx.start()
    ctx.user = ctx.firm = ctx.role = None
    ctx.done = False
    ctx.csrf = ""
    request.scope["state"]["floor_ctx"] = ctx
    try:
        if api:
            auth = request.headers.get("authorization", "")
            secret = auth.partition(" ")[2].strip()
            ip = request.client.host if request.client else "?"
            guess_key = hashlib.sha256(f"guess|token|{ip}".encode()).hexdigest()  # as Ordena's throttle.key_for
            token_hash = hashlib.sha256(secret.encode()).digest()
            row = await ctx.conn.fetchrow(SQL_TOKEN, token_hash, guess_key) if secret else None
            if row is None or row["guesses"] >= 20:
                raise PermissionDeniedException()
            await ctx.conn.execute(SQL_TOKEN_TOUCH, row["id"])
            ctx.user = row
        else:
            token = _cookies(request).get(SESSION_COOKIE)
            row = await ctx.conn.fetchrow(SQL_SESSION, hashlib.sha256(token.encode()).digest()) if token else None
            if row is not None and row["user_id"] is not None and row["is_active"]:
                ctx.user = row
                ctx.csrf = row["csrf_token"]
        if slug is not None:
            if ctx.user is None:
                raise PermissionDeniedException()
            tenant = await ctx.conn.fetchrow(SQL_TENANT, slug)
            if tenant is None:
                raise NotFoundException()
            await ctx.conn.fetchrow(SQL_CONTEXT, str(tenant["id"]), str(ctx.user["user_id"]))
            membership = await ctx.conn.fetchrow(SQL_MEMBERSHIP, tenant["id"], ctx.user["user_id"])
            if membership is None:
                raise NotFoundException()
            ctx.firm, ctx.role = tenant, membership["role"]
    except BaseException:
        await _close(ctx, ok=False, pool=pool)
        raise
    return ctx


async def _close(ctx: Ctx, *, ok: bool, pool: asyncpg.Pool) -> None:
    if ctx.done:
        return
    ctx.done = True
    try:
        if ok:
            await ctx.tx.commit()
        else:
            await ctx.tx.rollback()
    finally:
        await pool.release(ctx.conn)


async def _finish(request: Request[Any, Any, Any], ctx: Ctx) -> None:
    await _close(ctx, ok=True, pool=request.app.state.pool)


def _html(name: str, ctx: Ctx | None, **context: Any) -> Response[str]:
    if ctx is not None:
        context.setdefault("firm", ctx.firm)
        context.setdefault("user", ctx.user)
        context.setdefault("csrf", ctx.csrf)
    return Response(env.get_template(name).render(**context), media_type="text/html; charset=utf-8")


@get("/login")
async def login_page(request: Request[Any, Any, Any]) -> Response[str]:
    anon = _cookies(request).get(ANON_COOKIE)
    new = None
    if not anon or len(anon) < 20:
        anon = new = secrets.token_urlsafe(18)
    csrf = hmac.new(SECRET.encode(), f"csrf:{anon}".encode(), hashlib.sha256).hexdigest()
    response = _html("login.html", None, firm=None, user=None, csrf=csrf, next="/")
    if new:
        response.set_cookie(ANON_COOKIE, new, path="/", httponly=True, samesite="lax")
    return response


def _dashboard_sql() -> dict[str, Any]:
    """The consultant dashboard's own statements (ordena.assessments.queries), run here by hand."""
    try:
        from ordena.assessments import queries as q
    except ImportError:
        return {}
    from ordena.plans import queries as plans

    return {
        "STATS": q.firm_stats,
        "SUBMITTED": q.awaiting_validation,
        "SILENT": q.silent_respondents,
        "RECENT": q.recent_results,
        "PORTFOLIO": q.portfolio_averages,
        "AT_RISK": plans.initiatives_at_risk,
        "ATTAINMENT": plans.portfolio_attainment,
    }


DASHBOARD_SQL = _dashboard_sql()
SQL_DEFAULT_VERSION = (
    "SELECT v.id, v.framework_id FROM framework_version v JOIN framework f ON f.id = v.framework_id "
    "WHERE f.key = 'ordena-front-back-office' AND f.owner_tenant_id IS NULL AND v.status = 'published' "
    "ORDER BY v.version DESC LIMIT 1"
)
SQL_VERSION = "SELECT id, status FROM framework_version WHERE id = $1"


async def _run(conn: asyncpg.Connection, key: str, **params: Any) -> list[asyncpg.Record]:
    rows = await DASHBOARD_SQL[key](conn, **params)
    return rows if isinstance(rows, list) else [rows]


@get("/w/{slug:str}")
async def dashboard(request: Request[Any, Any, Any], slug: FromPath[str]) -> Response[str]:
    ctx = await _open(request, slug)
    tid = ctx.firm["id"]
    lists: dict[str, list[asyncpg.Record]] = {}
    if "STATS" in DASHBOARD_SQL:
        at = datetime.now(UTC)
        row = (await _run(ctx.conn, "STATS", tenant_id=tid, since=at - timedelta(days=365)))[0]
        stats = [(v, k) for k, v in row.items() if k != "average"]
        if row["active"]:
            if row["submitted"]:
                lists["awaiting"] = await _run(ctx.conn, "SUBMITTED", tenant_id=tid, limit=8)
            if row["open"]:
                lists["silent"] = await _run(ctx.conn, "SILENT", tenant_id=tid, now=at, limit=8)
            if row["latest"]:
                lists["recent"] = await _run(ctx.conn, "RECENT", tenant_id=tid, limit=5)
                version = await ctx.conn.fetchrow(SQL_DEFAULT_VERSION)
                await ctx.conn.fetchrow(SQL_VERSION, version["id"])  # the framework tree itself is cached
                lists["portfolio"] = await _run(
                    ctx.conn, "PORTFOLIO", tenant_id=tid, framework_id=version["framework_id"]
                )
        # The plans at risk and the portfolio's attainment rate (ordena.plans.board), on every dashboard.
        on = at.date()
        lists["at_risk"] = await DASHBOARD_SQL["AT_RISK"](ctx.conn, tid, on, on + timedelta(days=7), 12)
        rate = await DASHBOARD_SQL["ATTAINMENT"](ctx.conn, tid)
        stats.append((rate.reached, "metas alcanzadas"))
    else:  # the first dashboard: two counts
        count = await ctx.conn.fetchval(SQL_MEMBER_COUNT, tid)
        companies = await ctx.conn.fetchval(SQL_COMPANY_COUNT, tid)
        stats = [(count, "miembros"), (companies, "empresas cliente")]
    await _finish(request, ctx)
    return _html("dashboard.html", ctx, role=ctx.role, stats=stats, lists=lists)


@get("/w/{slug:str}/members")
async def members(request: Request[Any, Any, Any], slug: FromPath[str]) -> Response[str]:
    ctx = await _open(request, slug)
    rows = await ctx.conn.fetch(SQL_MEMBERS, ctx.firm["id"])
    await _finish(request, ctx)
    return _html("members.html", ctx, members=rows)


async def _company_page(ctx: Ctx, page: int, size: int = 50) -> tuple[int, list[asyncpg.Record]]:
    total = await ctx.conn.fetchval(SQL_ACTIVE_COMPANIES, ctx.firm["id"]) or 0
    rows = await ctx.conn.fetch(SQL_COMPANY_PAGE, ctx.firm["id"], size, (page - 1) * size)
    return total, rows


@get("/w/{slug:str}/companies")
async def companies(request: Request[Any, Any, Any], slug: FromPath[str]) -> Response[str]:
    ctx = await _open(request, slug)
    total, rows = await _company_page(ctx, 1, 25)
    await _finish(request, ctx)
    return _html("companies.html", ctx, total=total, companies=rows)


def _json(data: Any) -> Response[bytes]:
    return Response(json.dumps(data, default=str).encode(), media_type="application/json")


@get("/api/v1/w/{slug:str}")
async def api_firm(request: Request[Any, Any, Any], slug: FromPath[str]) -> Response[bytes]:
    ctx = await _open(request, slug, api=True)
    await _finish(request, ctx)
    f = ctx.firm
    return _json({"slug": f["slug"], "name": f["name"], "locale": f["locale"], "role": ctx.role})


@get("/api/v1/w/{slug:str}/companies")
async def api_companies(request: Request[Any, Any, Any], slug: FromPath[str]) -> Response[bytes]:
    ctx = await _open(request, slug, api=True)
    total, rows = await _company_page(ctx, 1)
    await _finish(request, ctx)
    return _json({"items": [dict(r) for r in rows], "total": total, "limit": 50, "offset": 0})


def _t(doc: Any) -> str:
    d = json.loads(doc) if isinstance(doc, str) else doc
    return str(d.get("es", "")) if isinstance(d, dict) else str(d)


@get("/w/{slug:str}/assessments/{aid:uuid}/q/{key:str}")
async def questionnaire(
    request: Request[Any, Any, Any], slug: FromPath[str], aid: FromPath[UUID], key: FromPath[str]
) -> Response[str]:
    ctx = await _open(request, slug)
    return await _questionnaire(request, ctx, ctx.firm["id"], aid, key, None)


async def _questionnaire(
    request: Request[Any, Any, Any], ctx: Ctx, tenant_id: UUID, aid: UUID, key: str, respondent: UUID | None
) -> Response[str]:
    """One dimension's questions with the answers of ``respondent`` (None: the consultant's)."""
    a = await ctx.conn.fetchrow(SQL_ASSESSMENT, tenant_id, aid)
    if a is None:
        raise NotFoundException()
    dim = await ctx.conn.fetchrow(SQL_DIMENSION, a["framework_version_id"], key)
    if dim is None:
        raise NotFoundException()
    qs = await ctx.conn.fetch(SQL_QUESTIONS, dim["id"])
    people = await ctx.conn.fetch(SQL_RESPONDENTS, tenant_id, aid)
    mine = respondent or next((r["id"] for r in people if r["kind"] == "consultant"), None)
    answers = {
        r["question_id"]: r["level"]
        for r in await ctx.conn.fetch(SQL_ANSWERS_OF, tenant_id, aid)
        if r["respondent_id"] == mine
    }
    await _finish(request, ctx)
    questions = []
    for q in qs:
        levels = json.loads(q["levels"]) if isinstance(q["levels"], str) else q["levels"]
        questions.append(
            {"id": q["id"], "text": _t(q["text"]), "levels": [(int(k), _t(v)) for k, v in sorted(levels.items())]}
        )
    return _html(
        "questionnaire.html",
        ctx,
        assessment=a,
        dimension={"name": _t(dim["name"])},
        questions=questions,
        answers=answers,
    )


@get("/c/assessments/{aid:uuid}/q/{key:str}")
async def contact_questionnaire(
    request: Request[Any, Any, Any], aid: FromPath[UUID], key: FromPath[str]
) -> Response[str]:
    """The client contact's questionnaire: the magic link's session scope names the firm, the
    assessment and the respondent."""
    pool: asyncpg.Pool = request.app.state.pool
    ctx = Ctx()
    ctx.conn = await pool.acquire()
    ctx.tx = ctx.conn.transaction()
    await ctx.tx.start()
    ctx.user = ctx.firm = ctx.role = None
    ctx.done, ctx.csrf = False, ""
    request.scope["state"]["floor_ctx"] = ctx
    token = _cookies(request).get(SESSION_COOKIE)
    row = await ctx.conn.fetchrow(SQL_CONTACT_SESSION, hashlib.sha256(token.encode()).digest()) if token else None
    scope = (json.loads(row["scope"]) if isinstance(row["scope"], str) else row["scope"]) if row else {}
    if scope.get("kind") != "contact" or scope.get("assessment_id") != str(aid):
        raise NotFoundException()
    ctx.csrf = row["csrf_token"]
    await ctx.conn.fetchrow(SQL_CONTEXT, scope["tenant_id"], "")
    return await _questionnaire(request, ctx, UUID(scope["tenant_id"]), aid, key, UUID(scope["respondent_id"]))


@get("/w/{slug:str}/assessments/{aid:uuid}/progress")
async def progress(request: Request[Any, Any, Any], slug: FromPath[str], aid: FromPath[UUID]) -> Response[str]:
    """The closed loop: the re-assessment's and its baseline's stored scores per dimension, and
    the baseline plan's initiatives by dimension."""
    ctx = await _open(request, slug)
    tid = ctx.firm["id"]
    a = await ctx.conn.fetchrow(SQL_PROGRESS_ASSESSMENT, tid, aid)
    if a is None or a["status"] != "published" or a["baseline_id"] is None:
        raise NotFoundException()
    dims = await ctx.conn.fetch(SQL_DIMENSIONS, a["framework_version_id"])
    scores: dict[tuple[UUID, str], float] = {
        (r["assessment_id"], r["dimension_key"]): float(r["score"])
        for r in await ctx.conn.fetch(SQL_PROGRESS_SCORES, tid, [aid, a["baseline_id"]])
    }
    initiatives = await ctx.conn.fetch(SQL_BASELINE_INITIATIVES, tid, a["baseline_id"])
    company = await ctx.conn.fetchrow(SQL_COMPANY, tid, a["company_id"])
    await _finish(request, ctx)
    targets = a["targets"] if isinstance(a["targets"], dict) else json.loads(a["targets"] or "{}")
    rows = []
    for d in dims:
        mine = [i for i in initiatives if i["dimension_key"] == d["key"]]
        after, before = scores.get((aid, d["key"])), scores.get((a["baseline_id"], d["key"]))
        target = int(targets.get(d["key"], 3))
        rows.append(
            {
                "name": _t(d["name"]),
                "baseline": before,
                "score": after,
                "target": target,
                "reached": after is not None and after >= target,
                "done": [i["title"] for i in mine if i["status"] == "done"],
                "planned": len(mine),
            }
        )
    return _html("progress.html", ctx, assessment=a, company=company, dims=rows)


@post("/w/{slug:str}/assessments/{aid:uuid}/answers", status_code=200)
async def save_answer(request: Request[Any, Any, Any], slug: FromPath[str], aid: FromPath[UUID]) -> Response[str]:
    ctx = await _open(request, slug)
    ok = False
    try:
        sent = request.headers.get("x-csrf-token")
        form = await request.form()
        if sent is None:
            sent = form.get("_csrf")
        if not sent or not hmac.compare_digest(str(sent), ctx.csrf):
            raise PermissionDeniedException()
        question_id, level = UUID(str(form["question_id"])), int(str(form["level"]))
        a = await ctx.conn.fetchrow(SQL_ASSESSMENT, ctx.firm["id"], aid)
        if a is None or a["status"] not in ("draft", "in_progress"):
            raise NotFoundException()
        respondent = await ctx.conn.fetchval(SQL_RESPONDENT, ctx.firm["id"], aid)
        from ordena.demo.scale import uuid7

        saved = await ctx.conn.fetchval(SQL_UPSERT, ctx.firm["id"], uuid7(), aid, respondent, question_id, level)
        ok = True
    finally:
        await _close(ctx, ok=ok, pool=request.app.state.pool)
    return _html("answer.html", None, question_id=question_id, level=saved)


@get("/w/{slug:str}/assessments/{aid:uuid}/results")
async def results(request: Request[Any, Any, Any], slug: FromPath[str], aid: FromPath[UUID]) -> Response[str]:
    """A published assessment's results as stored at publication (its snapshot's document), as
    Ordena serves them; the dimensions' names from the framework."""
    ctx = await _open(request, slug)
    kind = request.query_params.get("slice")
    if kind and request.headers.get("hx-request"):
        return await _benchmark(request, ctx, aid, kind)
    a = await ctx.conn.fetchrow(SQL_ASSESSMENT, ctx.firm["id"], aid)
    if a is None:
        raise NotFoundException()
    doc = await ctx.conn.fetchval(SQL_SNAPSHOT, ctx.firm["id"], aid)
    names = {r["key"]: _t(r["name"]) for r in await ctx.conn.fetch(SQL_DIMENSIONS, a["framework_version_id"])}
    await _finish(request, ctx)
    data = json.loads(doc) if isinstance(doc, str) else (doc or {})
    stored = data.get("dimensions") or []
    rows = stored if isinstance(stored, list) else [{"key": k, "score": v, "answered": None} for k, v in stored.items()]
    dims = [
        {"name": names.get(d["key"], d["key"]), "score": d.get("score"), "answered": d.get("answered")} for d in rows
    ]
    return _html("results.html", ctx, assessment=a, dims=dims, overall=data.get("overall"))


SLICE_OPTIONS = (
    ("all", "Toda la red"),
    ("industry", "Sector"),
    ("size", "Tamaño"),
    ("country", "País"),
    ("industry_size", "Sector y tamaño"),
)


def _rank(hist: list[int] | None, score: float | None) -> float | None:
    """The score's percentile rank in a 1–5 histogram of five bins (the share below it, half the bin)."""
    if not hist or score is None or sum(hist) <= 0:
        return None
    b = min(4, max(0, int(score) - 1))
    return 100.0 * (sum(hist[:b]) + hist[b] / 2) / sum(hist)


async def _benchmark(request: Request[Any, Any, Any], ctx: Ctx, aid: UUID, kind: str) -> Response[str]:
    """The peer comparison the cohort picker swaps in (htmx): the same one statement as Ordena."""
    from ordena.networks.lookup import _LOOKUP

    if kind not in {k for k, _l in SLICE_OPTIONS}:
        raise NotFoundException()
    row = await ctx.conn.fetchrow(_LOOKUP, ctx.firm["id"], aid, kind)
    await _finish(request, ctx)
    if row is None or row["status"] != "published" or row["network_id"] is None:
        raise NotFoundException()
    # The statement casts its two documents to text (Ordena keys its section on the row as read).
    cohorts = {(c["scope_kind"], c["scope_key"]): c for c in json.loads(row["cohorts"] or "[]")}
    rows = []
    scopes = [("overall", "", "Global", row["overall"])] + [
        ("dimension", d["key"], _t(d["name"]), d["score"]) for d in json.loads(row["dimensions"] or "[]")
    ]
    for scope_kind, key, name, score in scopes:
        c = cohorts.get((scope_kind, key))
        s = float(score) if score is not None else None
        if c is None or not c["published"]:
            rows.append({"name": name, "score": s, "published": False})
            continue
        rows.append(
            {
                "name": name,
                "score": s,
                "published": True,
                "rank": _rank(c["histogram"], s),
                "n_band": c["n_band"],
                **{p: float(c[p] or 0) for p in ("p10", "p25", "p50", "p75", "p90")},
            }
        )
    value = {"all": "", "industry": row["industry_section"], "size": row["size_band"], "country": row["country"]}.get(
        kind, f"{row['industry_section']}:{row['size_band']}"
    )
    return _html(
        "benchmark.html",
        None,
        b=row,
        rows=rows,
        kind=kind,
        options=SLICE_OPTIONS,
        description=f"{dict(SLICE_OPTIONS)[kind]}: {value}",
        action=request.url.path,
    )


SQL_NETWORK = (
    "SELECT n.id, n.slug, n.name, n.framework_id FROM network n "
    "JOIN network_admin a ON a.network_id = n.id AND a.user_id = $2 WHERE n.slug = $1"
)
SQL_LATEST_RELEASE = (
    "SELECT id, number, as_of, released_at, framework_id, summary FROM benchmark_release "
    "WHERE network_id = $1 ORDER BY number DESC LIMIT 1"
)
SQL_RELEASE_SLICES = "SELECT DISTINCT slice_kind, slice_value FROM benchmark_cohort WHERE release_id = $1"
SQL_NETWORK_VERSION = (
    "SELECT id FROM framework_version WHERE framework_id = $1 AND status = 'published' ORDER BY version DESC LIMIT 1"
)
SQL_SCOPE_NAMES = (
    "SELECT 'pillar' AS kind, key, name, position, 0 AS sub FROM fw_pillar WHERE version_id = $1 "
    "UNION ALL SELECT 'dimension', d.key, d.name, p.position, d.position FROM fw_dimension d "
    "JOIN fw_pillar p ON p.id = d.pillar_id WHERE d.version_id = $1"
)
SQL_COHORTS = (
    "SELECT scope_kind, scope_key, published, reason, n_band, histogram, mean, p10, p25, p50, p75, p90 "
    "FROM benchmark_cohort WHERE release_id = $1 AND slice_kind = $2 AND slice_value = $3"
)
SQL_COHORT_COUNTS = (
    "SELECT published, reason, count(*) AS n FROM benchmark_cohort WHERE release_id = $1 GROUP BY published, reason"
)
SQL_PRACTICE_COUNTS = "SELECT published, count(*) AS n FROM benchmark_practice WHERE release_id = $1 GROUP BY published"
SLICE_ORDER = {k: i for i, (k, _l) in enumerate(SLICE_OPTIONS)}


@get("/n/{network:str}")
async def network_dashboard(request: Request[Any, Any, Any], network: FromPath[str]) -> Response[str]:
    """The network admin's dashboard: the latest release's cohorts of one slice (all, by default)."""
    ctx = await _open(request, None)
    if ctx.user is None:
        await _finish(request, ctx)
        raise PermissionDeniedException()
    c = ctx.conn
    net = await c.fetchrow(SQL_NETWORK, network, ctx.user["user_id"])
    if net is None:
        await _finish(request, ctx)
        raise NotFoundException()
    kind, _sep, value = (request.query_params.get("slice") or "all").partition(":")
    release = await c.fetchrow(SQL_LATEST_RELEASE, net["id"])
    slices = sorted(
        ((r["slice_kind"], r["slice_value"]) for r in await c.fetch(SQL_RELEASE_SLICES, release["id"])),
        key=lambda s: (SLICE_ORDER.get(s[0], 99), s[1]),
    )
    version = await c.fetchval(SQL_NETWORK_VERSION, release["framework_id"] or net["framework_id"])
    names = sorted(
        await c.fetch(SQL_SCOPE_NAMES, version), key=lambda r: (r["position"], r["kind"] != "pillar", r["sub"])
    )
    order = {("overall", ""): 0} | {(r["kind"], r["key"]): i + 1 for i, r in enumerate(names)}
    labels = {(r["kind"], r["key"]): _t(r["name"]) for r in names}
    cohorts = await c.fetch(SQL_COHORTS, release["id"], kind, value)
    counts = await c.fetch(SQL_COHORT_COUNTS, release["id"])
    await c.fetch(SQL_PRACTICE_COUNTS, release["id"])
    await _finish(request, ctx)
    views = sorted(
        (
            {
                "label": "General"
                if k["scope_kind"] == "overall"
                else labels.get((k["scope_kind"], k["scope_key"]), k["scope_key"]),
                "order": order.get((k["scope_kind"], k["scope_key"]), 999),
                **dict(k),
            }
            for k in cohorts
        ),
        key=lambda v: (v["order"], v["scope_key"]),
    )
    summary = release["summary"] or {}
    return _html(
        "network.html",
        ctx,
        network=net,
        release=release,
        views=views,
        picker=[("" if k == "all" else f"{k}:{v}", f"{k} {v}") for k, v in slices],
        current="" if kind == "all" else f"{kind}:{value}",
        firms=summary.get("firms"),
        published=sum(r["n"] for r in counts if r["published"]),
        hidden=sum(r["n"] for r in counts if not r["published"]),
    )


SQL_BILLING_ACCOUNT = (
    "SELECT status, plan, interval, trial_ends_at, stripe_customer_id FROM billing_account WHERE firm_id = $1"
)
SQL_OPEN_INVITATIONS = (
    "SELECT id, email, scope, expires_at FROM link_token WHERE purpose = 'invitation' "
    "AND scope ->> 'tenant_id' = $1 AND used_at IS NULL AND expires_at > now() ORDER BY created_at DESC"
)
PLAN_ROWS = (
    ("starter", "Starter", 10, 3, (("mes", "USD", 49), ("año", "USD", 490), ("mes", "PEN", 185), ("año", "PEN", 1850))),
    (
        "professional",
        "Professional",
        50,
        10,
        (("mes", "USD", 149), ("año", "USD", 1490), ("mes", "PEN", 560), ("año", "PEN", 5600)),
    ),
    (
        "network",
        "Network",
        250,
        40,
        (("mes", "USD", 449), ("año", "USD", 4490), ("mes", "PEN", 1690), ("año", "PEN", 16900)),
    ),
)


@get("/w/{slug:str}/billing")
async def billing(request: Request[Any, Any, Any], slug: FromPath[str]) -> Response[str]:
    """The owner's billing page: the firm's account, its usage against the plans, the plans."""
    ctx = await _open(request, slug)
    if ctx.role != "OWNER":
        raise NotFoundException()
    tid = ctx.firm["id"]
    account = await ctx.conn.fetchrow(SQL_BILLING_ACCOUNT, tid)
    members = await ctx.conn.fetchval(SQL_MEMBER_COUNT, tid)
    invitations = await ctx.conn.fetch(SQL_OPEN_INVITATIONS, str(tid))
    companies = await ctx.conn.fetchval(SQL_COMPANY_COUNT, tid)
    await _finish(request, ctx)
    standing = f"Plan {account['plan']}" if account is not None else "Prueba gratuita"
    return _html(
        "billing.html", ctx, standing=standing, companies=companies, seats=members + len(invitations), plans=PLAN_ROWS
    )


STATUS_LABELS = (("pending", "Pendiente"), ("in_progress", "En curso"), ("done", "Hecha"), ("blocked", "Bloqueada"))


@get("/w/{slug:str}/plans/{plan_id:uuid}/board")
async def plan_board(request: Request[Any, Any, Any], slug: FromPath[str], plan_id: FromPath[UUID]) -> Response[str]:
    ctx = await _open(request, slug)
    tid = ctx.firm["id"]
    plan = await ctx.conn.fetchrow(SQL_PLAN, tid, plan_id)
    if plan is None:
        raise NotFoundException()
    rows = await ctx.conn.fetch(SQL_INITIATIVES, tid, plan_id)
    company = await ctx.conn.fetchrow(SQL_COMPANY, tid, plan["company_id"])
    user_ids = list({r["owner_user_id"] for r in rows if r["owner_user_id"]})
    names = (
        {u["id"]: u["name"] or u["email"] for u in await ctx.conn.fetch(SQL_USER_NAMES, user_ids)} if user_ids else {}
    )
    await _finish(request, ctx)
    today = datetime.now(UTC).date()
    columns: dict[str, list[asyncpg.Record]] = {s: [] for s, _l in STATUS_LABELS}
    for r in rows:
        columns[r["status"]].append(r)
    return _html(
        "board.html",
        ctx,
        plan=plan,
        company=company,
        total=len(rows),
        columns=columns,
        statuses=STATUS_LABELS,
        owners={r["id"]: names[r["owner_user_id"]] for r in rows if r["owner_user_id"] in names},
        overdue={r["id"] for r in rows if r["status"] != "done" and r["due_on"] and r["due_on"] < today},
    )


async def _library(
    conn: asyncpg.Connection, version_id: UUID
) -> tuple[dict[UUID, str], dict[str, float], list[tuple[str, str, int]]]:
    if version_id not in _LIBRARIES:
        questions: dict[UUID, str] = {}
        weights: dict[str, float] = {}
        steps: list[tuple[str, str, int]] = []
        for r in await conn.fetch(SQL_LIBRARY, version_id):
            weights[r["dim"]] = float(r["weight"])
            if r["question_id"] is not None:
                questions[r["question_id"]] = r["dim"]
            else:
                steps.append((r["dim"], r["ikey"], r["from_level"]))
        _LIBRARIES[version_id] = (questions, weights, sorted(steps, key=lambda s: (s[2], s[1])))
    return _LIBRARIES[version_id]


def _proposal(
    library: tuple[dict[UUID, str], dict[str, float], list[tuple[str, str, int]]],
    answers: list[asyncpg.Record],
    targets: dict[str, int],
) -> list[str]:
    """The library steps below each dimension's target, most urgent gap first (by hand)."""
    questions, weights, steps = library
    levels: dict[str, list[int]] = {}
    for r in answers:
        if r["kind"] == "consultant" and r["level"] is not None and r["question_id"] in questions:
            levels.setdefault(questions[r["question_id"]], []).append(r["level"])
    gaps = []
    for dim, got in levels.items():
        score = sum(got) / len(got)
        target = int(targets.get(dim, 3))
        if score < target:
            gaps.append(((target - score) * weights[dim], dim, int(score), target))
    out = []
    for _g, dim, level, target in sorted(gaps, reverse=True):
        out.extend(key for d, key, frm in steps if d == dim and level <= frm < target)
    return out


@post("/api/v1/w/{slug:str}/assessments/{aid:uuid}/plan", status_code=200)
async def plan_generate(request: Request[Any, Any, Any], slug: FromPath[str], aid: FromPath[UUID]) -> Response[bytes]:
    ctx = await _open(request, slug, api=True)
    ok = False
    try:
        tid = ctx.firm["id"]
        a = await ctx.conn.fetchrow(SQL_ASSESSMENT_LOCK, tid, aid)
        if a is None or a["status"] not in ("validated", "published"):
            raise NotFoundException()
        answers = await ctx.conn.fetch(SQL_ANSWERS_BY_SIDE, tid, aid)
        await ctx.conn.fetch(SQL_OVERRIDES, tid, aid)
        wanted = _proposal(await _library(ctx.conn, a["framework_version_id"]), answers, a["targets"] or {})
        plan = await ctx.conn.fetchrow(SQL_PLAN_OF, tid, aid)
        if plan is None:
            raise NotFoundException()  # the floor only measures generating again
        held = {r["template_key"] for r in await ctx.conn.fetch(SQL_HELD, tid, plan["id"])}
        after = {"added": [k for k in wanted if k not in held], "no_data": []}
        await ctx.conn.execute(
            SQL_AUDIT, tid, uuid.uuid4(), ctx.user["user_id"], ctx.user["email"], str(plan["id"]), json.dumps(after)
        )
        edges: dict[UUID, list[UUID]] = {}
        for r in await ctx.conn.fetch(SQL_DEPENDENCIES, tid, plan["id"]):
            edges.setdefault(r["initiative_id"], []).append(r["depends_on_id"])
        rows = await ctx.conn.fetch(SQL_INITIATIVES, tid, plan["id"])
        ok = True
    finally:
        await _close(ctx, ok=ok, pool=request.app.state.pool)
    return _json(
        {
            **dict(plan),
            "no_data": [],
            "initiatives": [{**dict(r), "depends_on": edges.get(r["id"], [])} for r in rows],
        }
    )


# --- the Stripe webhook: the signature by hand, then Ordena's one statement -----------------------

WEBHOOK_SECRET = os.environ.get("BENCH_STRIPE_WEBHOOK_SECRET", "whsec_bench")
_STORE_EVENT = """
WITH ev AS (
    INSERT INTO billing_event (id, stripe_event_id, type, customer_id, created_at, updated_at)
    VALUES ($1, $2, $3, $4, now(), now())
    ON CONFLICT (stripe_event_id) DO NOTHING
    RETURNING stripe_event_id
)
INSERT INTO outbox_message (id, queue_name, actor_name, args, kwargs, attempts, created_at, updated_at)
SELECT $5, 'default', 'billing_process_event', jsonb_build_array(ev.stripe_event_id), '{}'::jsonb, 0, now(), now()
FROM ev
RETURNING id
"""


def _signed(body: bytes, header: str) -> bool:
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        stamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if stamp < datetime.now(UTC).timestamp() - 300:
        return False
    mac = hmac.new(WEBHOOK_SECRET.encode(), b"%d." % stamp + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac, parts.get("v1", ""))


@post("/billing/stripe/webhook", status_code=200)
async def stripe_webhook(request: Request[Any, Any, Any]) -> Response[bytes]:
    body = await request.body()
    if not _signed(body, request.headers.get("stripe-signature", "")):
        return Response(b'{"received": false}', status_code=400, media_type="application/json")
    event = json.loads(body)
    obj = event["data"]["object"]
    customer = obj.get("id") if obj.get("object") == "customer" else obj.get("customer")
    async with request.app.state.pool.acquire() as conn:
        row = await conn.fetchrow(_STORE_EVENT, uuid.uuid4(), event["id"], event["type"], customer, uuid.uuid4())
    return _json({"received": True, "duplicate": row is None})


@get("/health")
async def health() -> str:
    return "ok"


async def _init(conn: asyncpg.Connection) -> None:
    for typ in ("json", "jsonb"):
        await conn.set_type_codec(typ, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _startup(app: Litestar) -> None:
    size = int(os.environ.get("BENCH_POOL", "20"))
    app.state.pool = await asyncpg.create_pool(
        os.environ["BENCH_APP_DSN"],
        min_size=2,
        max_size=size,
        init=_init,
        server_settings={"application_name": "ordena-floor"},
    )


async def _shutdown(app: Litestar) -> None:
    await app.state.pool.close()


async def _release_on_error(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    status = getattr(exc, "status_code", 500)
    ctx = request.scope.get("state", {}).get("floor_ctx")
    if ctx is not None:
        await _close(ctx, ok=False, pool=request.app.state.pool)
    return Response("error", status_code=status, media_type="text/plain")


app = Litestar(
    route_handlers=[
        login_page,
        dashboard,
        members,
        companies,
        api_firm,
        api_companies,
        questionnaire,
        contact_questionnaire,
        progress,
        save_answer,
        results,
        plan_board,
        network_dashboard,
        billing,
        plan_generate,
        stripe_webhook,
        health,
    ],
    on_startup=[_startup],
    on_shutdown=[_shutdown],
    exception_handlers={Exception: _release_on_error},
    debug=False,
)
