"""The flash message a redirect sets is the one the next page reads: one cookie name for both."""

from __future__ import annotations

from ordena.web import flash
from ordena.web.pages import redirect


def test_a_redirects_message_is_read_back_by_the_next_page() -> None:
    response = redirect("/w/estudio/companies", flash="Empresa «Andina SAC» creada.", kind="success")
    cookies = {c.key: c.value or "" for c in response.cookies}  # as the browser sends them back
    assert set(cookies) == {flash.COOKIE}
    assert flash.read_flash(cookies) == {"kind": "success", "text": "Empresa «Andina SAC» creada."}
    assert flash.CLEAR[1].startswith(f"{flash.COOKIE}=;".encode())
