"""Random secrets and their stored hashes."""

from __future__ import annotations

import hashlib
import secrets


def new_secret(nbytes: int = 32) -> str:
    """A URL-safe secret with ``nbytes`` × 8 bits of randomness (≥ 128 bits by default: 256)."""
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()
