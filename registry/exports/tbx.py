"""TBX v3 (ISO 30042:2019), TBX-Basic dialect, DCA style.

One ``conceptEntry`` per concept (``id`` = the concept's slug), one ``langSec`` per language.
Each body's definition is a ``descripGrp``: the ``definition``, ``admin type="source"`` ("REF,
clause X"), a ``transacGrp`` whose ``transacNote type="responsibility"`` names the body, and a
``note`` "Licence: ...". Each designation is a ``termSec`` carrying the same source and
responsibility, so a reader can tell which body uses which term.
"""

from lxml import etree

from registry.exports import GlossaryData, source_text
from registry.models import Definition
from registry.text import xml_safe

NS = "urn:iso:std:iso:30042:ed:3.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_STATUS = {
    "preferred": "preferredTerm-admn-sts",
    "admitted": "admittedTerm-admn-sts",
    "deprecated": "deprecatedTerm-admn-sts",
}
_TERM_TYPE = {"abbreviation": "abbreviation", "symbol": "symbol"}


def _el(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS}}}{tag}", {k: v for k, v in attrs.items() if v})
    if text is not None:
        element.text = xml_safe(text)  # a damaged stored string must not fail the whole export
    return element


def _responsibility(parent, d: Definition) -> None:
    group = _el(parent, "transacGrp")
    _el(group, "transac", "origination", type="transactionType")
    _el(group, "transacNote", d.body.code, type="responsibility")
    if d.valid_from:
        _el(group, "date", d.valid_from.isoformat())


def _definition(lang_sec, d: Definition) -> None:
    group = _el(lang_sec, "descripGrp")
    _el(group, "descrip", d.text, type="definition")
    _el(group, "admin", source_text(d), type="source")
    _responsibility(group, d)
    _el(group, "note", f"Licence: {d.licence}")
    if d.is_excerpt:
        _el(
            group,
            "note",
            "Excerpt only: the licence allows no more; the full text is at "
            f"{d.source_url or 'the body'}.",
        )
    for note in d.notes:
        _el(group, "note", note)
    if d.source_url:
        _el(group, "xref", d.source_url, type="externalCrossReference", target=d.source_url)


def _terms(lang_sec, d: Definition) -> None:
    for designation in d.designations:
        term_sec = _el(lang_sec, "termSec")
        _el(term_sec, "term", designation["term"])
        kind = designation.get("type", "preferred")
        if kind in _TERM_TYPE:
            _el(term_sec, "termNote", _TERM_TYPE[kind], type="termType")
        else:
            _el(term_sec, "termNote", _STATUS[kind], type="administrativeStatus")
        _el(term_sec, "admin", source_text(d), type="source")
        _responsibility(term_sec, d)
    for example in d.examples:
        # TBX-Basic has no "example"; a context sentence is the nearest category.
        term_sec = lang_sec.findall(f"{{{NS}}}termSec")[-1]
        _el(term_sec, "descrip", example, type="context")


def export(data: GlossaryData, *, title: str = "AI Standards Exchange glossary") -> bytes:
    root = etree.Element(
        f"{{{NS}}}tbx",
        nsmap={None: NS},
        attrib={"type": "TBX-Basic", "style": "dca", XML_LANG: "en"},
    )
    header = _el(root, "tbxHeader")
    file_desc = _el(header, "fileDesc")
    _el(_el(file_desc, "titleStmt"), "title", title)
    _el(
        _el(file_desc, "sourceDesc"),
        "p",
        "Exported from the AI Standards Exchange registry. Each definition is attributed to its "
        "body and source and carries its licence; excerpt-only texts are excerpts.",
    )
    body = _el(_el(root, "text"), "body")
    for concept in data.concepts:
        entry = _el(body, "conceptEntry", id=concept.slug)
        if concept.measurability:
            _el(entry, "note", f"Measurability: {concept.measurability}")
        by_language: dict[str, list[Definition]] = {}
        for d in data.definitions.get(concept.id, []):
            by_language.setdefault(d.language, []).append(d)
        for label in concept.labels:
            by_language.setdefault(label.language, [])
        for language in sorted(by_language):
            lang_sec = _el(entry, "langSec", **{XML_LANG: language})
            definitions = by_language[language]
            for d in definitions:
                _definition(lang_sec, d)
            for d in definitions:
                _terms(lang_sec, d)
            if not definitions:
                # A label without a definition: still a term of the concept (termSec+ needed).
                for label in concept.labels:
                    if label.language == language:
                        term_sec = _el(lang_sec, "termSec")
                        _el(term_sec, "term", label.label)
                        status = "preferred" if label.kind == "preferred" else "admitted"
                        _el(term_sec, "termNote", _STATUS[status], type="administrativeStatus")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
