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
            names[code] = _translated(es, en, locale)
    return names


def _translated(es: LazyString, en: str, locale: str) -> str:
    translated = str(es)
    # The UN's English wording stands in until the English catalogue has the entry.
    return en if translated == str.__str__(es) and locale == "en" else translated


def section_label(code: str | None) -> str:
    return f"{code} · {section_name(code)}" if code in SECTIONS else ""


def section_options() -> list[tuple[str, str]]:
    return [(code, section_label(code)) for code in SECTIONS]


def divisions_of(section: str) -> list[str]:
    return [d for d, s in DIVISION_SECTION.items() if s == section]


# code → (Spanish name, translated on display; the UN's English name), every ISIC Rev.4 division.
DIVISIONS: dict[str, tuple[LazyString, str]] = {
    "01": (
        lazy("Agricultura, ganadería, caza y actividades de servicios conexas"),
        "Crop and animal production, hunting and related service activities",
    ),
    "02": (lazy("Silvicultura y extracción de madera"), "Forestry and logging"),
    "03": (lazy("Pesca y acuicultura"), "Fishing and aquaculture"),
    "05": (lazy("Extracción de carbón de piedra y lignito"), "Mining of coal and lignite"),
    "06": (lazy("Extracción de petróleo crudo y gas natural"), "Extraction of crude petroleum and natural gas"),
    "07": (lazy("Extracción de minerales metalíferos"), "Mining of metal ores"),
    "08": (lazy("Explotación de otras minas y canteras"), "Other mining and quarrying"),
    "09": (
        lazy("Actividades de servicios de apoyo para la explotación de minas y canteras"),
        "Mining support service activities",
    ),
    "10": (lazy("Elaboración de productos alimenticios"), "Manufacture of food products"),
    "11": (lazy("Elaboración de bebidas"), "Manufacture of beverages"),
    "12": (lazy("Elaboración de productos de tabaco"), "Manufacture of tobacco products"),
    "13": (lazy("Fabricación de productos textiles"), "Manufacture of textiles"),
    "14": (lazy("Fabricación de prendas de vestir"), "Manufacture of wearing apparel"),
    "15": (
        lazy("Fabricación de productos de cuero y productos conexos"),
        "Manufacture of leather and related products",
    ),
    "16": (
        lazy(
            "Producción de madera y fabricación de productos de madera y corcho, excepto muebles; fabricación de artículos de paja y de materiales trenzables"
        ),
        "Manufacture of wood and of products of wood and cork, except furniture; manufacture of articles of straw and plaiting materials",
    ),
    "17": (lazy("Fabricación de papel y de productos de papel"), "Manufacture of paper and paper products"),
    "18": (lazy("Impresión y reproducción de grabaciones"), "Printing and reproduction of recorded media"),
    "19": (
        lazy("Fabricación de coque y productos de la refinación del petróleo"),
        "Manufacture of coke and refined petroleum products",
    ),
    "20": (lazy("Fabricación de sustancias y productos químicos"), "Manufacture of chemicals and chemical products"),
    "21": (
        lazy(
            "Fabricación de productos farmacéuticos, sustancias químicas medicinales y productos botánicos de uso farmacéutico"
        ),
        "Manufacture of basic pharmaceutical products and pharmaceutical preparations",
    ),
    "22": (lazy("Fabricación de productos de caucho y de plástico"), "Manufacture of rubber and plastics products"),
    "23": (
        lazy("Fabricación de otros productos minerales no metálicos"),
        "Manufacture of other non-metallic mineral products",
    ),
    "24": (lazy("Fabricación de metales comunes"), "Manufacture of basic metals"),
    "25": (
        lazy("Fabricación de productos elaborados de metal, excepto maquinaria y equipo"),
        "Manufacture of fabricated metal products, except machinery and equipment",
    ),
    "26": (
        lazy("Fabricación de productos de informática, de electrónica y de óptica"),
        "Manufacture of computer, electronic and optical products",
    ),
    "27": (lazy("Fabricación de equipo eléctrico"), "Manufacture of electrical equipment"),
    "28": (lazy("Fabricación de maquinaria y equipo n.c.p."), "Manufacture of machinery and equipment n.e.c."),
    "29": (
        lazy("Fabricación de vehículos automotores, remolques y semirremolques"),
        "Manufacture of motor vehicles, trailers and semi-trailers",
    ),
    "30": (lazy("Fabricación de otro equipo de transporte"), "Manufacture of other transport equipment"),
    "31": (lazy("Fabricación de muebles"), "Manufacture of furniture"),
    "32": (lazy("Otras industrias manufactureras"), "Other manufacturing"),
    "33": (
        lazy("Reparación e instalación de maquinaria y equipo"),
        "Repair and installation of machinery and equipment",
    ),
    "35": (
        lazy("Suministro de electricidad, gas, vapor y aire acondicionado"),
        "Electricity, gas, steam and air conditioning supply",
    ),
    "36": (lazy("Captación, tratamiento y distribución de agua"), "Water collection, treatment and supply"),
    "37": (lazy("Evacuación de aguas residuales"), "Sewerage"),
    "38": (
        lazy("Recogida, tratamiento y eliminación de desechos; recuperación de materiales"),
        "Waste collection, treatment and disposal activities; materials recovery",
    ),
    "39": (
        lazy("Actividades de descontaminación y otros servicios de gestión de desechos"),
        "Remediation activities and other waste management services",
    ),
    "41": (lazy("Construcción de edificios"), "Construction of buildings"),
    "42": (lazy("Obras de ingeniería civil"), "Civil engineering"),
    "43": (lazy("Actividades especializadas de construcción"), "Specialized construction activities"),
    "45": (
        lazy("Comercio al por mayor y al por menor y reparación de vehículos automotores y motocicletas"),
        "Wholesale and retail trade and repair of motor vehicles and motorcycles",
    ),
    "46": (
        lazy("Comercio al por mayor, excepto el de vehículos automotores y motocicletas"),
        "Wholesale trade, except of motor vehicles and motorcycles",
    ),
    "47": (
        lazy("Comercio al por menor, excepto el de vehículos automotores y motocicletas"),
        "Retail trade, except of motor vehicles and motorcycles",
    ),
    "49": (
        lazy("Transporte por vía terrestre y transporte por tuberías"),
        "Land transport and transport via pipelines",
    ),
    "50": (lazy("Transporte por vía acuática"), "Water transport"),
    "51": (lazy("Transporte por vía aérea"), "Air transport"),
    "52": (
        lazy("Almacenamiento y actividades de apoyo al transporte"),
        "Warehousing and support activities for transportation",
    ),
    "53": (lazy("Actividades postales y de mensajería"), "Postal and courier activities"),
    "55": (lazy("Actividades de alojamiento"), "Accommodation"),
    "56": (lazy("Actividades de servicio de comidas y bebidas"), "Food and beverage service activities"),
    "58": (lazy("Actividades de edición"), "Publishing activities"),
    "59": (
        lazy(
            "Actividades de producción de películas cinematográficas, vídeos y programas de televisión, grabación de sonido y edición de música"
        ),
        "Motion picture, video and television programme production, sound recording and music publishing activities",
    ),
    "60": (lazy("Actividades de programación y transmisión"), "Programming and broadcasting activities"),
    "61": (lazy("Telecomunicaciones"), "Telecommunications"),
    "62": (
        lazy("Programación informática, consultoría de informática y actividades conexas"),
        "Computer programming, consultancy and related activities",
    ),
    "63": (lazy("Actividades de servicios de información"), "Information service activities"),
    "64": (
        lazy("Actividades de servicios financieros, excepto las de seguros y fondos de pensiones"),
        "Financial service activities, except insurance and pension funding",
    ),
    "65": (
        lazy("Seguros, reaseguros y fondos de pensiones, excepto planes de seguridad social de afiliación obligatoria"),
        "Insurance, reinsurance and pension funding, except compulsory social security",
    ),
    "66": (
        lazy("Actividades auxiliares de las actividades de servicios financieros"),
        "Activities auxiliary to financial service and insurance activities",
    ),
    "68": (lazy("Actividades inmobiliarias"), "Real estate activities"),
    "69": (lazy("Actividades jurídicas y de contabilidad"), "Legal and accounting activities"),
    "70": (
        lazy("Actividades de oficinas principales; actividades de consultoría de gestión"),
        "Activities of head offices; management consultancy activities",
    ),
    "71": (
        lazy("Actividades de arquitectura e ingeniería; ensayos y análisis técnicos"),
        "Architectural and engineering activities; technical testing and analysis",
    ),
    "72": (lazy("Investigación científica y desarrollo"), "Scientific research and development"),
    "73": (lazy("Publicidad y estudios de mercado"), "Advertising and market research"),
    "74": (
        lazy("Otras actividades profesionales, científicas y técnicas"),
        "Other professional, scientific and technical activities",
    ),
    "75": (lazy("Actividades veterinarias"), "Veterinary activities"),
    "77": (lazy("Actividades de alquiler y arrendamiento"), "Rental and leasing activities"),
    "78": (lazy("Actividades de empleo"), "Employment activities"),
    "79": (
        lazy("Actividades de agencias de viajes, operadores turísticos, servicios de reservas y actividades conexas"),
        "Travel agency, tour operator, reservation service and related activities",
    ),
    "80": (lazy("Actividades de seguridad e investigación"), "Security and investigation activities"),
    "81": (lazy("Actividades de servicios a edificios y paisajismo"), "Services to buildings and landscape activities"),
    "82": (
        lazy("Actividades administrativas y de apoyo de oficina y otras actividades de apoyo a las empresas"),
        "Office administrative, office support and other business support activities",
    ),
    "84": (
        lazy("Administración pública y defensa; planes de seguridad social de afiliación obligatoria"),
        "Public administration and defence; compulsory social security",
    ),
    "85": (lazy("Enseñanza"), "Education"),
    "86": (lazy("Actividades de atención de la salud humana"), "Human health activities"),
    "87": (lazy("Actividades de atención en instituciones"), "Residential care activities"),
    "88": (lazy("Actividades de asistencia social sin alojamiento"), "Social work activities without accommodation"),
    "90": (
        lazy("Actividades creativas, artísticas y de entretenimiento"),
        "Creative, arts and entertainment activities",
    ),
    "91": (
        lazy("Actividades de bibliotecas, archivos y museos y otras actividades culturales"),
        "Libraries, archives, museums and other cultural activities",
    ),
    "92": (lazy("Actividades de juegos de azar y apuestas"), "Gambling and betting activities"),
    "93": (
        lazy("Actividades deportivas, de esparcimiento y recreativas"),
        "Sports activities and amusement and recreation activities",
    ),
    "94": (lazy("Actividades de asociaciones"), "Activities of membership organizations"),
    "95": (
        lazy("Reparación de ordenadores y efectos personales y enseres domésticos"),
        "Repair of computers and personal and household goods",
    ),
    "96": (lazy("Otras actividades de servicios personales"), "Other personal service activities"),
    "97": (
        lazy("Actividades de los hogares como empleadores de personal doméstico"),
        "Activities of households as employers of domestic personnel",
    ),
    "98": (
        lazy(
            "Actividades no diferenciadas de los hogares privados como productores de bienes y servicios para uso propio"
        ),
        "Undifferentiated goods- and services-producing activities of private households for own use",
    ),
    "99": (
        lazy("Actividades de organizaciones y órganos extraterritoriales"),
        "Activities of extraterritorial organizations and bodies",
    ),
}


def division_name(code: str | None, locale: str | None = None) -> str:
    """The division's name in the current language (``locale="en"`` forces the UN wording)."""
    if not code or code not in DIVISIONS:
        return ""
    if locale == "en":
        return DIVISIONS[code][1]
    return _division_names(get_locale())[code]


@cache
def _division_names(locale: str) -> dict[str, str]:
    with use_locale(locale):  # once per language: the form lists all 88
        return {code: _translated(es, en, locale) for code, (es, en) in DIVISIONS.items()}


def division_label(code: str | None) -> str:
    return f"{code} · {division_name(code)}" if code in DIVISIONS else ""


def division_options() -> list[tuple[str, list[tuple[str, str]]]]:
    """The form's choices: each section's label with its divisions' codes and labels."""
    return _division_options(get_locale())


@cache
def _division_options(locale: str) -> list[tuple[str, list[tuple[str, str]]]]:
    with use_locale(locale):
        return [(section_label(s), [(d, division_label(d)) for d in divisions_of(s)]) for s in SECTIONS]
