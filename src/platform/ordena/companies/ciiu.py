"""ISIC / CIIU Rev.4: the 21 sections (A–U) and which section each 2-digit division belongs to.

Source: United Nations, ISIC Rev.4 (ST/ESA/STAT/SER.M/4/Rev.4), adopted by Peru's INEI as
CIIU Rev.4. Section names are Spanish msgids (translated with ``_`` when shown); the English
name is kept beside each one as the UN's own wording (the API returns both, and it is the
reference for the English catalogue).
"""

from __future__ import annotations

from functools import cache

from ordena.lib.i18n import LazyString, get_locale, lazy, use_locale

# code → (Spanish name, translated on display; English name as published by the UN)
SECTIONS: dict[str, tuple[LazyString, str]] = {
    "A": (lazy("Agricultura, ganadería, silvicultura y pesca"), "Agriculture, forestry and fishing"),
    "B": (lazy("Explotación de minas y canteras"), "Mining and quarrying"),
    "C": (lazy("Industrias manufactureras"), "Manufacturing"),
    "D": (
        lazy("Suministro de electricidad, gas, vapor y aire acondicionado"),
        "Electricity, gas, steam and air conditioning supply",
    ),
    "E": (
        lazy("Suministro de agua; evacuación de aguas residuales, gestión de desechos y descontaminación"),
        "Water supply; sewerage, waste management and remediation activities",
    ),
    "F": (lazy("Construcción"), "Construction"),
    "G": (
        lazy("Comercio al por mayor y al por menor; reparación de vehículos automotores y motocicletas"),
        "Wholesale and retail trade; repair of motor vehicles and motorcycles",
    ),
    "H": (lazy("Transporte y almacenamiento"), "Transportation and storage"),
    "I": (lazy("Actividades de alojamiento y de servicio de comidas"), "Accommodation and food service activities"),
    "J": (lazy("Información y comunicaciones"), "Information and communication"),
    "K": (lazy("Actividades financieras y de seguros"), "Financial and insurance activities"),
    "L": (lazy("Actividades inmobiliarias"), "Real estate activities"),
    "M": (
        lazy("Actividades profesionales, científicas y técnicas"),
        "Professional, scientific and technical activities",
    ),
    "N": (lazy("Actividades de servicios administrativos y de apoyo"), "Administrative and support service activities"),
    "O": (
        lazy("Administración pública y defensa; planes de seguridad social de afiliación obligatoria"),
        "Public administration and defence; compulsory social security",
    ),
    "P": (lazy("Enseñanza"), "Education"),
    "Q": (
        lazy("Actividades de atención de la salud humana y de asistencia social"),
        "Human health and social work activities",
    ),
    "R": (lazy("Actividades artísticas, de entretenimiento y recreativas"), "Arts, entertainment and recreation"),
    "S": (lazy("Otras actividades de servicios"), "Other service activities"),
    "T": (
        lazy(
            "Actividades de los hogares como empleadores; actividades no diferenciadas de los hogares"
            " como productores de bienes y servicios para uso propio"
        ),
        "Activities of households as employers; undifferentiated goods- and services-producing activities of households for own use",
    ),
    "U": (
        lazy("Actividades de organizaciones y órganos extraterritoriales"),
        "Activities of extraterritorial organizations and bodies",
    ),
}

# Division ranges per section (inclusive). ISIC Rev.4 leaves 04, 34, 40, 44, 48, 54, 57, 67,
# 76, 83 and 89 unused.
_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "A": ((1, 3),),
    "B": ((5, 9),),
    "C": ((10, 33),),
    "D": ((35, 35),),
    "E": ((36, 39),),
    "F": ((41, 43),),
    "G": ((45, 47),),
    "H": ((49, 53),),
    "I": ((55, 56),),
    "J": ((58, 63),),
    "K": ((64, 66),),
    "L": ((68, 68),),
    "M": ((69, 75),),
    "N": ((77, 82),),
    "O": ((84, 84),),
    "P": ((85, 85),),
    "Q": ((86, 88),),
    "R": ((90, 93),),
    "S": ((94, 96),),
    "T": ((97, 98),),
    "U": ((99, 99),),
}

DIVISION_SECTION: dict[str, str] = {
    f"{n:02d}": section for section, ranges in _RANGES.items() for lo, hi in ranges for n in range(lo, hi + 1)
}


def section_name(code: str | None, locale: str | None = None) -> str:
    """The section's name in the current language (``locale="en"`` forces the UN wording)."""
    if not code or code not in SECTIONS:
        return ""
    if locale == "en":
        return SECTIONS[code][1]
    return _section_names(get_locale())[code]


@cache
def _section_names(locale: str) -> dict[str, str]:
    names = {}
    with use_locale(locale):  # once per language: list pages name a section per row
        for code, (es, en) in SECTIONS.items():
            translated = str(es)
            # The UN's English wording stands in until the English catalogue has the entry.
            names[code] = en if translated == str.__str__(es) and locale == "en" else translated
    return names


def section_label(code: str | None) -> str:
    return f"{code} · {section_name(code)}" if code in SECTIONS else ""


def section_options() -> list[tuple[str, str]]:
    return [(code, section_label(code)) for code in SECTIONS]


def divisions_of(section: str) -> list[str]:
    return [d for d, s in DIVISION_SECTION.items() if s == section]
