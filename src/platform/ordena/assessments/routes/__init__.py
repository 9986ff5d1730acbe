"""Assessment pages: the firm's (consultant.py) and the client contact's, under ``/c/…``
with a magic-link session (contact.py)."""

from __future__ import annotations

from ordena.assessments.routes.consultant import ROUTES as CONSULTANT_ROUTES
from ordena.assessments.routes.contact import ROUTES as CONTACT_ROUTES

ROUTES = [*CONSULTANT_ROUTES, *CONTACT_ROUTES]
