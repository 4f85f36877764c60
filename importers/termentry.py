"""One terminological entry, read the same way from every TBX flavour, and its records.

TBX v2 (``termEntry/langSet/tig``), TBX v3 (``conceptEntry/langSec/termSec``), the 2013
TBX-Min (``termEntry/langSet/tig`` with ``termStatus``) and the ``tbx:termEntry`` inside ISO/NISO
STS all carry the same data categories, spelled two ways: as an attribute
(``<descrip type="definition">``, DCA style) or as the element's own name
(``<tbx:definition>``, ``<min:partOfSpeech>``, DCT and STS style). ``category`` folds both, and
namespaces are ignored, so one reader serves them all.

An entry becomes a ``concept`` record with ``merge`` set (its terms as labels, added to the
registry's concept of that designation, never replacing what is there) and one ``definition``
record per definition it gives, all naming that concept. Where a language holds definitions of
several bodies (the registry's own export), each keeps its own source, body, licence, notes and
the designations marked with the same source and body.
"""

import hashlib
import html.entities
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from importers.pipeline import Record, Rejected
from registry.licences import apply_licence
from registry.text import clean, slugify

# Elements whose data category is their ``type`` attribute (DCA style).
_TYPED = {
    "descrip",
    "termNote",
    "admin",
    "adminNote",
    "descripNote",
    "transac",
    "transacNote",
    "ref",
    "xref",
    "hi",
}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LOCAL_ID = re.compile(r"^[a-z]{0,2}\d+$")  # "c1", "e12", "42": a file's own numbering
_BODY_CODE = re.compile(r"^[A-Z0-9][A-Z0-9/ .&-]{0,31}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_LICENCE_NOTE = re.compile(r"^\s*licen[cs]e\s*:\s*(?P<licence>.+)$", re.IGNORECASE | re.DOTALL)
_EXCERPT_NOTE = re.compile(r"^\s*excerpt only\b", re.IGNORECASE)
# The number a standard prints before a note ("NOTE 1", "Note 2 to entry:"): the registry
# numbers notes itself, so a page does not read "Note 1: NOTE 1 ...".
_NOTE_LABEL = re.compile(
    r"^\s*(?:NOTE(?:\s+\d+)?|Note\s+\d+(?:\s+to\s+entry)?|Note\s+to\s+entry)\s*[:.\u2014-]?\s+")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# The registry's export writes a source as "REF, clause X".
_SOURCE_CLAUSE = re.compile(r"^(?P<ref>.+?),\s*clause\s+(?P<clause>[^\s,]+)$", re.IGNORECASE)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# administrativeStatus (v2/v3), normativeAuthorization (STS), usageStatus (TBX-Min),
# termStatus (2013 TBX-Min): values folded onto the registry's designation types.
_STATUS = {
    "preferred": "preferred",
    "preferredterm": "preferred",
    "admitted": "admitted",
    "admittedterm": "admitted",
    "deprecated": "deprecated",
    "deprecatedterm": "deprecated",
    "supersededterm": "deprecated",
    "superseded": "deprecated",
    "obsolete": "deprecated",
    "notrecommended": "deprecated",
    "legalterm": "preferred",
    "regulatedterm": "preferred",
    "standardizedterm": "preferred",
}
_STATUS_CATEGORIES = {"administrativeStatus", "normativeAuthorization", "usageStatus", "termStatus"}
_TERM_TYPES = {
    "acronym": "abbreviation",
    "abbreviation": "abbreviation",
    "shortForm": "abbreviation",
    "initialism": "abbreviation",
    "symbol": "symbol",
}


def local(element) -> str:
    """The element's name without namespace: ``{ns}name`` and also ``prefix:name``, which
    libxml2 leaves as the tag when the prefix was never declared (QName refuses that)."""
    if not isinstance(element.tag, str):
        return ""
    return element.tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def category(element) -> str:
    name = local(element)
    return (element.get("type") or name) if name in _TYPED else name


# Elements whose content is not shown as text: the machine identifiers of a cited standard
# (STS ``std-id-group``, ``std-id``), and the address beside a cited standard's reference.
_HIDDEN = {"std-id-group", "std-id"}
_HIDDEN_IN_STD = {"uri"}
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx",
                "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
_SUP = dict(zip("0123456789+-=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ", strict=True))


def _script(text: str, table: dict[str, str], mark: str) -> str:
    """Sub- or superscript text in Unicode when every character has one ("PLᵣ", "m²"), else
    marked the way plain text writes it ("MTTF_d", "w_{0,u}", "x^{2n+a}")."""
    text = text.strip()
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return f"{mark}{text}" if len(text) == 1 else f"{mark}{{{text}}}" if text else ""


def text_of(element) -> str:
    """The element's text as a reader sees it: inline markup kept as text, HTML entities
    resolved, sub- and superscripts kept, machine identifiers left out.

    A file parsed without its DTD keeps references such as ``&mdash;`` as entity nodes.
    """
    return clean(_raw_text(element))


def _raw_text(element) -> str:
    parts = [element.text or ""]
    for child in element:
        if isinstance(child, etree._Entity):
            parts.append(html.entities.html5.get(child.name + ";", child.text or ""))
        elif isinstance(child.tag, str):
            name = local(child)
            if name == "sub":
                parts.append(_script(_raw_text(child), _SUB, "_"))
            elif name == "sup":
                parts.append(_script(_raw_text(child), _SUP, "^"))
            elif name not in _HIDDEN and not (
                    name in _HIDDEN_IN_STD and local(element) in ("std", "std-ref")):
                parts.append(_raw_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def value_of(element) -> str:
    """A picklist value: DCT/STS write it as ``value="..."``, DCA as the element's text."""
    return clean(element.get("value") or text_of(element))


def language_of(element, default: str | None) -> str | None:
    raw = (element.get(XML_LANG) or element.get("lang") or default or "").strip()
    if not raw:
        return None
    primary, _, rest = raw.partition("-")
    tag = primary.lower() + (f"-{rest}" if rest else "")
    return tag if _LANGUAGE.match(tag) else None


@dataclass
class Said:
    """One definition as the file gives it, with what travels with it in its group."""

    text: str
    source: str | None = None
    body: str | None = None
    licence: str | None = None
    notes: list[str] = field(default_factory=list)
    url: str | None = None
    date: str | None = None
    excerpt: bool = False  # the file says the text is already an excerpt


@dataclass
class Term:
    term: str
    type: str
    source: str | None = None  # the registry's export says whose designation it is
    body: str | None = None
    examples: list[str] = field(default_factory=list)


@dataclass
class Language:
    language: str
    line: int | None
    terms: list[Term] = field(default_factory=list)
    definitions: list[Said] = field(default_factory=list)
    source: str | None = None  # a source for the language as a whole
    notes: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    licence: str | None = None
    responsibility: str | None = None

    def designations(self, said: Said | None = None) -> list[dict]:
        """The designations of ``said`` (terms carrying its source and body, as the registry's
        export writes them), else all the language's terms."""
        terms = self.terms
        if said is not None:
            terms = [
                t for t in self.terms if (t.source, t.body) == (said.source, said.body)
            ] or self.terms
        return _settle([{"term": t.term, "type": t.type} for t in terms])

    def examples_of(self, said: Said) -> list[str]:
        matched = [t for t in self.terms if (t.source, t.body) == (said.source, said.body)]
        return self.examples + [e for t in (matched or self.terms) for e in t.examples]


@dataclass
class Entry:
    id: str | None
    line: int | None
    languages: list[Language] = field(default_factory=list)
    definitions: list[Said] = field(default_factory=list)  # at concept level (TBX-Basic)
    source: str | None = None
    responsibility: str | None = None
    licence: str | None = None
    url: str | None = None
    problems: list[str] = field(default_factory=list)


def read_entry(
    element, default_language: str | None, resolve: Callable[[etree._Element], str] | None = None
) -> Entry:
    """Read a termEntry / conceptEntry element (any TBX flavour) into an ``Entry``."""
    entry = Entry(id=element.get("id"), line=element.sourceline)
    read_text = resolve or text_of
    for child in element:
        name = local(child)
        if name in ("langSet", "langSec"):
            lang = language_of(child, None)
            if lang is None:
                entry.problems.append(f"line {child.sourceline}: {name} without a valid xml:lang")
                continue
            entry.languages.append(_read_language(child, lang, read_text))
        else:
            _read_concept_level(entry, child, read_text)
    if entry.definitions and not any(lang.definitions for lang in entry.languages):
        # A definition at concept level is written in the file's language.
        target = next(
            (lang for lang in entry.languages if lang.language == default_language),
            entry.languages[0] if entry.languages else None,
        )
        if target is not None:
            target.definitions += entry.definitions
    return entry


def _read_concept_level(entry: Entry, element, read_text) -> None:
    """Concept-level data. Its notes are about the concept (a graphic's source, a
    measurability note), not any one definition, so only a ``Licence:`` note is kept."""
    cat = category(element)
    if cat == "descripGrp":
        said = _read_said(element, read_text)
        if said is not None:
            entry.definitions.append(said)
    elif cat == "definition" and read_text(element):
        entry.definitions.append(Said(read_text(element)))
    elif cat == "source" and text_of(element):
        if entry.definitions and entry.definitions[-1].source is None:
            entry.definitions[-1].source = text_of(element)
        entry.source = entry.source or text_of(element)
    elif cat == "note":
        _note([], text_of(element), entry)
    elif cat == "transacGrp":
        entry.responsibility = _responsibility(element) or entry.responsibility
    elif cat == "externalCrossReference" and (element.get("target") or "").startswith("http"):
        entry.url = entry.url or element.get("target")


def _read_said(group, read_text) -> Said | None:
    """A ``descripGrp`` holding a definition and what belongs to it; None without one."""
    definition = next((p for p in group if category(p) == "definition"), None)
    if definition is None or not read_text(definition):
        return None
    said = Said(read_text(definition))
    for part in group:
        cat = category(part)
        if cat == "source" and text_of(part):
            said.source = said.source or text_of(part)
        elif cat == "transacGrp":
            said.body = _responsibility(part) or said.body
            date = next((text_of(p) for p in part if local(p) == "date"), "")
            said.date = said.date or (date[:10] if _DATE.match(date) else None)
        elif cat == "note":
            _note(said.notes, text_of(part), said)
        elif cat in ("crossReference", "see") and text_of(part):
            said.notes.append(f"See: {text_of(part)}")
        elif cat == "externalCrossReference" and (part.get("target") or "").startswith("http"):
            said.url = said.url or part.get("target")
    return said


def _responsibility(transac_grp) -> str | None:
    """The body code the registry's export writes as responsibility (people's names are not)."""
    for part in transac_grp:
        if category(part) == "responsibility" and _BODY_CODE.match(text_of(part)):
            return text_of(part)
    return None


def _note(notes: list[str], text: str, owner) -> None:
    """A note. ``Licence: ...`` (as the registry's export writes it) is the owner's licence;
    "Excerpt only: ..." says the text is already an excerpt."""
    match = _LICENCE_NOTE.match(text)
    if match:
        owner.licence = clean(match["licence"])
    elif _EXCERPT_NOTE.match(text) and isinstance(owner, Said):
        owner.excerpt = True
    elif text := _NOTE_LABEL.sub("", text, count=1):
        notes.append(text)


def _read_language(element, language: str, read_text) -> Language:
    lang = Language(language=language, line=element.sourceline)
    for child in element:
        cat = category(child)
        if cat in ("tig", "ntig", "termSec"):
            _read_term(lang, child)
        elif cat == "descripGrp":
            said = _read_said(child, read_text)
            if said is not None:
                lang.definitions.append(said)
            else:
                for part in child:
                    _language_extra(lang, part)
        elif cat == "definition" and read_text(child):
            lang.definitions.append(Said(read_text(child)))
        elif cat == "source" and text_of(child):
            # A source right after a definition is that definition's source (DCT, STS).
            if lang.definitions and lang.definitions[-1].source is None:
                lang.definitions[-1].source = text_of(child)
            else:
                lang.source = lang.source or text_of(child)
        else:
            _language_extra(lang, child)
    return lang


def _language_extra(lang: Language, element) -> None:
    cat = category(element)
    if cat == "note":
        _note(lang.notes, text_of(element), lang)
    elif cat in ("crossReference", "see") and text_of(element):
        lang.notes.append(f"See: {text_of(element)}")
    elif cat == "transacGrp":
        lang.responsibility = _responsibility(element) or lang.responsibility
    elif cat in ("example", "context") and text_of(element):
        lang.examples.append(text_of(element))


def _read_term(lang: Language, element) -> None:
    term, status, term_type, source, body = None, None, None, None, None
    examples: list[str] = []
    for part in element.iter():
        cat = category(part)
        if cat == "term" and term is None:
            term = text_of(part)
        elif cat in _STATUS_CATEGORIES:
            status = _STATUS.get(value_of(part).lower().removesuffix("-admn-sts"))
        elif cat == "termType":
            term_type = _TERM_TYPES.get(value_of(part))
        elif cat in ("context", "example") and text_of(part):
            examples.append(text_of(part))
        elif cat == "source" and part.getparent() is element:
            source = source or text_of(part) or None
        elif cat == "transacGrp" and part.getparent() is element:
            body = body or _responsibility(part)
    if term:
        lang.terms.append(Term(term, status or term_type or "", source, body, examples))


def _settle(found: list[dict]) -> list[dict]:
    """Give every designation a type; the first usable one is preferred when none is."""
    found = [dict(d) for d in found]
    if not any(d["type"] == "preferred" for d in found):
        for d in found:
            if d["type"] in ("", "admitted"):
                d["type"] = "preferred"
                break
    return [{"term": d["term"], "type": d["type"] or "admitted"} for d in found]


@dataclass
class Context:
    """What the file (or the command line) says for every entry in it."""

    file: str
    body: str | None
    licence: str | None
    source: str  # the citation of definitions without a source of their own
    default_language: str | None = None
    url: str | None = None
    # Hashes of the concept slugs given out in this file: two entries with the same term are
    # two concepts (homonyms), so the second gets "-2". Hashes keep a huge file's memory small.
    slugs: set[int] = field(default_factory=set)

    def unique_slug(self, slug: str) -> str:
        candidate, n = slug, 1
        while (key := _hash(candidate)) in self.slugs:
            n += 1
            candidate = f"{slug}-{n}"
        self.slugs.add(key)
        return candidate


def _hash(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")


NO_LICENCE = "Not stated by the file or the importer: restricted, excerpt only (give --licence)"


class MissingSetting(Exception):
    """A definition needs a body or licence that neither the file nor the options give."""


def concept_slug(entry: Entry) -> str | None:
    """The registry slug for an entry: its id when the id is a slug (the registry's own TBX
    export writes concept slugs as ids; ids such as "c12" are file-local and are not), else
    one made from its English (or first) term."""
    if entry.id and _SLUG.match(entry.id) and not _LOCAL_ID.match(entry.id):
        return entry.id
    terms = [lang.designations() for lang in entry.languages if lang.terms]
    english = [
        lang.designations()
        for lang in entry.languages
        if lang.terms and lang.language.split("-")[0] == "en"
    ]
    designations = (english or terms or [None])[0]
    if not designations:
        return None
    return slugify(
        next((d["term"] for d in designations if d["type"] == "preferred"), designations[0]["term"])
    )


def entry_records(
    entry: Entry, ctx: Context, *, clause: str | None = None, of_standard: str | None = None
) -> Iterator[Record | Rejected]:
    """The records of one entry: a merging concept record, then its definitions.

    ``of_standard`` (STS) makes every definition one of that standard at ``clause``; a source
    the entry names itself is then kept as a note.
    """
    where = f"{ctx.file}:{entry.line}"
    for problem in entry.problems:
        line, _, reason = problem.partition(": ")
        yield Rejected(f"{ctx.file}:{line.removeprefix('line ')}", reason)
    slug = concept_slug(entry)
    if slug is None:
        yield Rejected(where, "the entry has no term")
        return
    labels: dict[str, str] = {}
    alt: dict[str, list[str]] = {}
    for lang in entry.languages:
        for d in lang.designations():
            if d["type"] == "preferred" and lang.language not in labels:
                labels[lang.language] = d["term"]
            elif (
                d["type"] != "deprecated"
                and d["term"] != labels.get(lang.language)
                and d["term"] not in alt.get(lang.language, [])
            ):
                alt.setdefault(lang.language, []).append(d["term"])
    if not labels:
        yield Rejected(where, "the entry has no preferred or admitted term")
        return
    slug = ctx.unique_slug(slug)
    yield Record(
        "concept", {"slug": slug, "labels": labels, "alt_labels": alt, "merge": True}, where
    )
    for lang in entry.languages:
        for said in lang.definitions:
            yield from _definition(entry, lang, said, slug, ctx, clause, of_standard)


def _definition(
    entry: Entry,
    lang: Language,
    said: Said,
    slug: str,
    ctx: Context,
    clause: str | None,
    of_standard: str | None,
) -> Iterator[Record | Rejected]:
    where = f"{ctx.file}:{lang.line or entry.line}"
    designations = lang.designations(said)
    if not any(d["type"] == "preferred" for d in designations):
        yield Rejected(where, f"the {lang.language} definition has no preferred or admitted term")
        return
    licence = said.licence or lang.licence or entry.licence or ctx.licence
    body = said.body or lang.responsibility or entry.responsibility or ctx.body
    if not body:
        raise MissingSetting(
            "the file does not name the body its definitions come from; give it with --body"
        )
    if not licence:
        # Imported, under the restricted rule (an excerpt), and the licence says why.
        licence = NO_LICENCE
    notes = said.notes + lang.notes
    source = said.source or lang.source or entry.source
    if of_standard:
        notes += [f"Source: {source}"] if source else []
        source = of_standard
    elif source and (match := _SOURCE_CLAUSE.match(source)):
        source, clause = match["ref"], match["clause"]
    record = {
        "concept": slug,
        "body": body,
        "source": source or ctx.source,
        "clause": clause,
        "language": lang.language,
        "designations": designations,
        "text": said.text,
        "excerpt": said.excerpt,
        "notes": notes,
        "examples": lang.examples_of(said),
        "date": said.date,
        "licence": licence,
        "url": said.url or entry.url or ctx.url,
    }
    yield Record("definition", apply_licence(record), where)
