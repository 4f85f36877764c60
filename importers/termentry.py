"""One terminological entry, read the same way from every TBX flavour, and its records.

TBX v2 (``termEntry/langSet/tig``), TBX v3 (``conceptEntry/langSec/termSec``), the 2013
TBX-Min (``termEntry/langSet/tig`` with ``termStatus``) and the ``tbx:termEntry`` inside ISO/NISO
STS all carry the same data categories, spelled two ways: as an attribute
(``<descrip type="definition">``, DCA style) or as the element's own name
(``<tbx:definition>``, ``<min:partOfSpeech>``, DCT and STS style). ``category`` folds both, and
namespaces are ignored, so one reader serves them all.

An entry becomes a ``concept`` record with ``merge`` set (its terms as labels, added to the
registry's concept of that designation, never replacing what is there) and one ``definition``
record per language that has a definition, all naming that concept.
"""

import hashlib
import html.entities
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from importers.licences import apply_licence
from importers.pipeline import Record, Rejected
from registry.text import clean, slugify

# Elements whose data category is their ``type`` attribute (DCA style).
_TYPED = {"descrip", "termNote", "admin", "adminNote", "descripNote", "transac", "transacNote",
          "ref", "xref", "hi"}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_BODY_CODE = re.compile(r"^[A-Z0-9][A-Z0-9/ .&-]{0,31}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_LICENCE_NOTE = re.compile(r"^\s*licen[cs]e\s*:\s*(?P<licence>.+)$", re.IGNORECASE | re.DOTALL)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# administrativeStatus (v2/v3), normativeAuthorization (STS), usageStatus (TBX-Min),
# termStatus (2013 TBX-Min): values folded onto the registry's designation types.
_STATUS = {
    "preferred": "preferred", "preferredterm": "preferred",
    "admitted": "admitted", "admittedterm": "admitted",
    "deprecated": "deprecated", "deprecatedterm": "deprecated", "supersededterm": "deprecated",
    "superseded": "deprecated", "obsolete": "deprecated", "notrecommended": "deprecated",
    "legalterm": "preferred", "regulatedterm": "preferred", "standardizedterm": "preferred",
}
_STATUS_CATEGORIES = {"administrativeStatus", "normativeAuthorization", "usageStatus",
                      "termStatus"}
_TERM_TYPES = {"acronym": "abbreviation", "abbreviation": "abbreviation",
               "shortForm": "abbreviation", "initialism": "abbreviation", "symbol": "symbol"}


def local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def category(element) -> str:
    name = local(element)
    return (element.get("type") or name) if name in _TYPED else name


def text_of(element) -> str:
    """The element's text with inline markup kept as text and HTML entities resolved.

    A file parsed without its DTD keeps references such as ``&mdash;`` as entity nodes.
    """
    parts = [element.text or ""]
    for child in element:
        if isinstance(child, etree._Entity):
            parts.append(html.entities.html5.get(child.name + ";", child.text or ""))
        elif isinstance(child.tag, str):
            parts.append(text_of(child))
        parts.append(child.tail or "")
    return clean("".join(parts))


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
class Language:
    language: str
    line: int | None
    designations: list[dict] = field(default_factory=list)
    # [text, its source]: a langSet may give several, each with its own source (ISO 10241-1)
    definitions: list[list] = field(default_factory=list)
    source: str | None = None  # a source for the language as a whole
    notes: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    licence: str | None = None
    responsibility: str | None = None


@dataclass
class Entry:
    id: str | None
    line: int | None
    languages: list[Language] = field(default_factory=list)
    definition: str | None = None  # at concept level, without a language (TBX-Basic allows it)
    source: str | None = None
    notes: list[str] = field(default_factory=list)
    responsibility: str | None = None
    licence: str | None = None
    url: str | None = None
    problems: list[str] = field(default_factory=list)


def read_entry(element, default_language: str | None,
               resolve: Callable[[etree._Element], str] | None = None) -> Entry:
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
    if entry.definition and not any(lang.definitions for lang in entry.languages):
        # A definition at concept level is written in the file's language.
        target = next((lang for lang in entry.languages if lang.language == default_language),
                      entry.languages[0] if entry.languages else None)
        if target is not None:
            target.definitions.append([entry.definition, entry.source])
    return entry


def _read_concept_level(entry: Entry, element, read_text) -> None:
    cat = category(element)
    if cat == "descripGrp":
        for part in element:
            _read_concept_level(entry, part, read_text)
    elif cat == "definition":
        entry.definition = read_text(element) or None
    elif cat == "source":
        entry.source = entry.source or text_of(element) or None
    elif cat == "note":
        _note(entry.notes, text_of(element), entry)
    elif cat in ("crossReference", "see") and text_of(element):
        entry.notes.append(f"See: {text_of(element)}")
    elif cat == "transacGrp":
        entry.responsibility = _responsibility(element) or entry.responsibility
    elif cat == "externalCrossReference" and (element.get("target") or "").startswith("http"):
        entry.url = entry.url or element.get("target")


def _responsibility(transac_grp) -> str | None:
    """The body code the registry's export writes as responsibility (people's names are not)."""
    for part in transac_grp:
        if category(part) == "responsibility" and _BODY_CODE.match(text_of(part)):
            return text_of(part)
    return None


def _note(notes: list[str], text: str, owner: "Entry | Language") -> None:
    """A note; ``Licence: ...`` (as the registry's TBX export writes it) is the licence."""
    match = _LICENCE_NOTE.match(text)
    if match:
        owner.licence = clean(match["licence"])
    elif text:
        notes.append(text)


def _read_language(element, language: str, read_text) -> Language:
    lang = Language(language=language, line=element.sourceline)
    for child in element:
        cat = category(child)
        if cat in ("tig", "ntig", "termSec"):
            _read_term(lang, child)
        elif cat == "descripGrp":
            definition = next((p for p in child if category(p) == "definition"), None)
            source = next((p for p in child if category(p) == "source"), None)
            if definition is not None and read_text(definition):
                lang.definitions.append([read_text(definition),
                                         text_of(source) if source is not None else None])
            for part in child:
                if category(part) in ("note", "example", "context"):
                    _language_extra(lang, part)
        elif cat == "definition" and read_text(child):
            lang.definitions.append([read_text(child), None])
        elif cat == "source" and text_of(child):
            # A source right after a definition is that definition's source.
            if lang.definitions and lang.definitions[-1][1] is None:
                lang.definitions[-1][1] = text_of(child)
            else:
                lang.source = lang.source or text_of(child)
        else:
            _language_extra(lang, child)
    lang.designations = _settle_designations(lang.designations)
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
    term, status, term_type = None, None, None
    for part in element.iter():
        cat = category(part)
        if cat == "term" and term is None:
            term = text_of(part)
        elif cat in _STATUS_CATEGORIES:
            status = _STATUS.get(value_of(part).lower().removesuffix("-admn-sts"))
        elif cat == "termType":
            term_type = _TERM_TYPES.get(value_of(part))
        elif cat in ("context", "example") and text_of(part):
            lang.examples.append(text_of(part))
    if term:
        lang.designations.append({"term": term, "type": status or term_type or ""})


def _settle_designations(found: list[dict]) -> list[dict]:
    """Give every designation a type; the first usable one is preferred when none is."""
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


class MissingSetting(Exception):
    """A definition needs a body or licence that neither the file nor the options give."""


def concept_slug(entry: Entry) -> str | None:
    """The registry slug for an entry: its id when the id is one (the registry's own TBX
    export writes concept slugs as ids), else made from its English (or first) term."""
    if entry.id and _SLUG.match(entry.id) and re.search("[a-z]{3}", entry.id):
        return entry.id
    terms = {lang.language: lang.designations for lang in entry.languages if lang.designations}
    preferred = terms.get("en") or next(iter(terms.values()), None)
    if not preferred:
        return None
    return slugify(next((d["term"] for d in preferred if d["type"] == "preferred"),
                        preferred[0]["term"]))


def entry_records(entry: Entry, ctx: Context, *, clause: str | None = None,
                  of_standard: str | None = None) -> Iterator[Record | Rejected]:
    """The records of one entry: a merging concept record, then its definitions.

    ``of_standard`` (STS) makes every definition one of that standard at ``clause``; a source
    the entry names itself is then kept as a note.
    """
    where = f"{ctx.file}:{entry.line}"
    for problem in entry.problems:
        yield Rejected(f"{ctx.file}:{problem.split(':')[0].removeprefix('line ')}",
                       problem.partition(": ")[2])
    slug = concept_slug(entry)
    if slug is None:
        yield Rejected(where, "the entry has no term")
        return
    slug = ctx.unique_slug(slug)
    labels: dict[str, str] = {}
    alt: dict[str, list[str]] = {}
    for lang in entry.languages:
        for d in lang.designations:
            if d["type"] == "preferred" and lang.language not in labels:
                labels[lang.language] = d["term"]
            elif d["type"] != "deprecated" and d["term"] != labels.get(lang.language):
                alt.setdefault(lang.language, []).append(d["term"])
    if not labels:
        yield Rejected(where, "the entry has no preferred or admitted term")
        return
    yield Record("concept", {"slug": slug, "labels": labels, "alt_labels": alt, "merge": True},
                 where)
    for lang in entry.languages:
        for text, source in lang.definitions:
            yield from _definition(entry, lang, text, source, slug, ctx, clause, of_standard)


def _definition(entry: Entry, lang: Language, text: str, source: str | None, slug: str,
                ctx: Context, clause: str | None, of_standard: str | None
                ) -> Iterator[Record | Rejected]:
    lang_where = f"{ctx.file}:{lang.line or entry.line}"
    if not any(d["type"] == "preferred" for d in lang.designations):
        yield Rejected(lang_where, f"the {lang.language} definition has no preferred or "
                                   "admitted term")
        return
    licence = lang.licence or entry.licence or ctx.licence
    body = lang.responsibility or entry.responsibility or ctx.body
    if not body:
        raise MissingSetting("the file does not name the body its definitions come from; "
                             "give it with --body")
    if not licence:
        raise MissingSetting("the file does not say the licence of its definitions; give "
                             "it with --licence")
    notes = entry.notes + lang.notes
    own_source = source or lang.source or entry.source
    if of_standard and own_source:
        notes = [*notes, f"Source: {own_source}"]
    record = {
        "concept": slug,
        "body": body,
        "source": of_standard or own_source or ctx.source,
        "clause": clause,
        "language": lang.language,
        "designations": lang.designations,
        "text": text,
        "notes": notes,
        "examples": lang.examples,
        "licence": licence,
        "url": entry.url or ctx.url,
    }
    yield Record("definition", apply_licence(record), lang_where)
