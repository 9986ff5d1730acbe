"""Evidence uploads are checked by content: crafted archives are refused as input, never a 500."""

from __future__ import annotations

import io
import zipfile

import pytest

from ordena.assessments.evidence import CONTENT_TYPES, check_upload
from ordena.lib.errors import ServiceError


def _docx(name: str = "word/document.xml") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(name, "<w:document/>")
    return out.getvalue()


def test_a_real_docx_is_accepted() -> None:
    assert check_upload("informe.docx", _docx()) == CONTENT_TYPES["docx"]


def test_a_docx_with_a_crafted_utf8_name_is_refused_as_input_not_a_server_error() -> None:
    # The UTF-8 flag is set on an entry whose name is not valid UTF-8 in the central directory.
    content = _docx("word/é.xml")
    head, sep, tail = content.rpartition("word/é.xml".encode())
    crafted = head + sep.replace("é".encode(), b"\xc3\x28") + tail
    with pytest.raises(ServiceError) as refused:
        check_upload("informe.docx", crafted)
    assert refused.value.status_code == 422


def test_a_pdf_renamed_to_docx_is_refused() -> None:
    with pytest.raises(ServiceError):
        check_upload("informe.docx", b"%PDF-1.4\n%%EOF\n")
