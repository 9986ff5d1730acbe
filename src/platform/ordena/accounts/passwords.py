"""argon2id password hashing (OWASP: ≥ 19 MiB memory, 2 iterations)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type

from ordena.lib.i18n import _

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
# Verified against when the email is unknown, so both paths cost the same time.
_DUMMY = _hasher.hash("ordena-dummy-password")

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def weakness(password: str, *, email: str = "") -> str | None:
    """Why a password is too weak (a msgid), or None."""
    if len(password) < MIN_LENGTH:
        return _("La contraseña debe tener al menos 10 caracteres.")
    lowered = password.lower()
    if email and email.split("@")[0].lower() in lowered:
        return _("La contraseña no debe contener tu correo.")
    if len(set(password)) < 5 or lowered in _COMMON:
        return _("Esa contraseña es demasiado común; elige otra.")
    return None


_COMMON = {
    "password123",
    "contraseña123",
    "1234567890",
    "qwertyuiop",
    "administrador",
    "password1234",
    "0123456789",
    "ordena12345",
    "bienvenido1",
    "peru123456",
}
