"""One-time messages carried across a redirect in a short-lived cookie."""

from __future__ import annotations

from urllib.parse import unquote

COOKIE = "ordena_flash"


CLEAR = (b"set-cookie", f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax".encode())


def read_flash(cookies: dict[str, str]) -> dict[str, str] | None:
    """The message carried by the flash cookie, if any (shown once: the next page clears it)."""
    raw = cookies.get(COOKIE)
    if not raw:
        return None
    kind, _sep, text = unquote(raw).partition("|")
    return {"kind": kind if kind in {"success", "error", "info"} else "info", "text": text[:300]}
