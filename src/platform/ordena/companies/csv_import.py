"""Reading a CSV of client companies: encoding (UTF-8 or Windows-1252), delimiter, header names (English or Spanish).

The upload is checked here before anything is stored (a file that is not a usable CSV is
refused with a message next to the file field); each row is then validated by the job with the
same rules as the form (:mod:`ordena.companies.services`).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass

from ordena.lib.i18n import _
from ordena.lib.text import clean_text

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000

COLUMNS = (
    "name",
    "ruc",
    "country",
    "industry_section",
    "industry_division",
    "size_band",
    "employees",
    "contact_name",
    "contact_email",
)
# Spanish header names (accents and case are ignored when matching).
ALIASES = {
    "nombre": "name",
    "razon_social": "name",
    "pais": "country",
    "seccion_ciiu": "industry_section",
    "seccion": "industry_section",
    "division_ciiu": "industry_division",
    "division": "industry_division",
    "tamano": "size_band",
    "empleados": "employees",
    "trabajadores": "employees",
    "contacto": "contact_name",
    "correo_contacto": "contact_email",
    "email_contacto": "contact_email",
}


class CsvInvalid(Exception):
    """The file as a whole cannot be imported; ``message`` is shown next to the file field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ParsedCsv:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line number in the file, values by column)
    delimiter: str


def _key(header: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", header.strip().lower()) if not unicodedata.combining(c))
    plain = plain.replace(" ", "_").replace("-", "_")
    return ALIASES.get(plain, plain)


def decode(raw: bytes) -> str:
    """The file's text: UTF-8 (a BOM is dropped) when it is valid UTF-8, else Windows-1252 (what
    Spanish Excel writes for «CSV (delimitado por comas)»: Compañía, Ñ, á as single bytes).
    UTF-8 goes first because a Windows-1252 file with accents is almost never valid UTF-8,
    while the reverse guess would turn every «ñ» of a UTF-8 file into «Ã±». Refuses empty,
    oversized and binary files."""
    if not raw or not raw.strip():
        raise CsvInvalid(_("El archivo está vacío."))
    if len(raw) > MAX_BYTES:
        raise CsvInvalid(_("El archivo supera el límite de 2 MB. Divídelo en partes más pequeñas."))
    if b"\x00" in raw[:8192]:
        raise CsvInvalid(_("El archivo no es un CSV. Exporta la hoja como «CSV UTF-8»."))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:  # bytes Windows-1252 leaves undefined: not a spreadsheet's text
        raise CsvInvalid(
            _(
                "No se pudo leer el texto del archivo (ni UTF-8 ni Windows-1252). En Excel, guárdalo como "
                "«CSV UTF-8 (delimitado por comas)»."
            )
        ) from exc


def _delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def parse(text: str) -> ParsedCsv:
    """Rows keyed by canonical column names; raises :class:`CsvInvalid` for the whole file."""
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise CsvInvalid(_("El archivo está vacío."))
        columns = [_key(h) for h in header]
        if "name" not in columns:
            raise CsvInvalid(
                _("Falta la columna «name» (o «nombre») en la primera fila. Columnas aceptadas: {columns}.").format(
                    columns=", ".join(COLUMNS)
                )
            )
        rows: list[tuple[int, dict[str, str]]] = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            line = reader.line_num
            values = {
                col: cells[i].strip() if i < len(cells) else "" for i, col in enumerate(columns) if col in COLUMNS
            }
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
                values["__extra__"] = "1"
            rows.append((line, values))
            if len(rows) > MAX_ROWS:
                raise CsvInvalid(
                    _("El archivo tiene más de {n} filas. Divídelo en partes más pequeñas.").format(n=MAX_ROWS)
                )
    except csv.Error as exc:
        raise CsvInvalid(_("El archivo no es un CSV válido (línea {line}).").format(line=reader.line_num)) from exc
    if not rows:
        raise CsvInvalid(_("El archivo no tiene filas de datos debajo del encabezado."))
    return ParsedCsv(columns, rows, delimiter)


def read_upload(raw: bytes) -> tuple[str, ParsedCsv]:
    text = clean_text(decode(raw))
    return text, parse(text)
