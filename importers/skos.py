"""SKOS vocabularies (Turtle or RDF/XML) through rdflib.

Each ``skos:Concept`` becomes a ``concept`` record with ``merge`` set (``prefLabel`` and
``altLabel`` per language; ``broader``/``narrower``/``related`` to concepts of the same file)
and one ``definition`` record per ``skos:definition`` language. ``dct:source`` is parsed into
a standard reference and clause when it has that shape ("ISO/IEC 22989:2022 3.6.5"), else kept
as the citation; further sources become notes. The ``*Match`` mappings between concepts of the
file become links between their definitions; a mapping to a concept outside the file is
reported, as the registry links definitions it holds, not IRIs.

rdflib holds the whole graph in memory, which suits vocabularies (thousands of concepts, not
millions). RDF/XML passes ``importers.safe_xml`` first, so no entity or DTD reaches rdflib.
The body comes from ``--body``; the licence from ``dct:license`` (or ``dct:rights``) of the
vocabulary, else ``--licence``.
"""

from collections.abc import Iterator

import rdflib
from lxml import etree
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from importers import safe_xml
from importers.pipeline import ImportOptions, Record, RefusedFile, Rejected, Source
from importers.textfiles import whole_text
from registry.licences import apply_licence
from registry.references import split_clause
from registry.text import clean, slugify

SCHEMA = rdflib.Namespace("https://schema.org/")
SCHEMA_HTTP = rdflib.Namespace("http://schema.org/")
MATCHES = {
    SKOS.exactMatch: "exact",
    SKOS.closeMatch: "close",
    SKOS.broadMatch: "broader",
    SKOS.narrowMatch: "narrower",
    SKOS.relatedMatch: "related",
}
RELATIONS = {SKOS.broader: "broader", SKOS.narrower: "narrower", SKOS.related: "related"}


def read(source: Source, options: ImportOptions) -> Iterator[Record | Rejected]:
    graph = _load(source)
    concepts = sorted(set(graph.subjects(RDF.type, SKOS.Concept)), key=str)
    if not concepts:
        raise RefusedFile(f"{source.name}: no skos:Concept in the file")
    vocabulary = _vocabulary(graph)
    licence = _licence(graph, vocabulary) or options.licence
    title = _title(graph, vocabulary) or source.name
    slugs = {c: _slug(graph, c) for c in concepts}
    definitions: dict[rdflib.term.Node, dict] = {}  # concept -> its first definition's key

    for concept in concepts:
        where = f"{source.name}:<{concept}>"
        slug = slugs[concept]
        if slug is None:
            yield Rejected(where, "the concept has no skos:prefLabel")
            continue
        labels, alt, problems = _labels(graph, concept)
        for problem in problems:
            yield Rejected(where, problem)
        relations = [
            {"type": kind, "concept": slugs[target]}
            for prop, kind in RELATIONS.items()
            for target in sorted(graph.objects(concept, prop), key=str)
            if slugs.get(target)
        ]
        yield Record(
            "concept",
            {
                "slug": slug,
                "labels": labels,
                "alt_labels": alt,
                "relations": relations,
                "merge": True,
            },
            where,
        )
        for text in sorted(graph.objects(concept, SKOS.definition), key=str):
            record = _definition(
                graph, concept, text, slug, labels, alt, options, licence, title, source
            )
            if isinstance(record, Rejected):
                yield record
                continue
            definitions.setdefault(
                concept,
                {k: record.data[k] for k in ("body", "source", "clause", "language", "concept")},
            )
            yield record

    for concept in concepts:
        for prop, kind in MATCHES.items():
            for target in sorted(graph.objects(concept, prop), key=str):
                where = f"{source.name}:<{concept}> {prop.fragment} <{target}>"
                if concept not in definitions or target not in definitions:
                    outside = (
                        "is not a concept of this file"
                        if target not in slugs
                        else "has no definition"
                    )
                    missing = target if concept in definitions else concept
                    yield Rejected(
                        where,
                        f"mapping not imported: <{missing}> {outside}; the "
                        "registry links definitions it holds",
                    )
                    continue
                yield Record(
                    "link",
                    {
                        "source": definitions[concept],
                        "target": definitions[target],
                        "type": kind,
                        "rationale": f"skos:{prop.fragment} in {source.name}",
                    },
                    where,
                )


def _load(source: Source) -> rdflib.Graph:
    text = whole_text(source)
    is_xml = text.lstrip().startswith("<")
    if is_xml:
        # Refuses entities, DTD tricks and broken XML before rdflib; then XML that is not RDF
        # at all (a TBX or STS file) is named as what it is, not by rdflib's error.
        root = safe_xml.parse(source).getroot()
        if root.tag != f"{{{rdflib.RDF}}}RDF":
            raise RefusedFile(
                f"{source.name}: not SKOS: an RDF/XML file's root element is <rdf:RDF>, this "
                f"one's is <{etree.QName(root).localname}>"
                + (" (a TBX termbase: import it with the tbx format)"
                   if etree.QName(root).localname.lower() in ("martif", "tbx") else ""))
    graph = rdflib.Graph()
    try:
        graph.parse(data=text, format="xml" if is_xml else "turtle")
    except Exception as exc:  # rdflib raises many types for bad input; all mean "refused"
        reason = clean(str(exc))[:300] or type(exc).__name__
        kind = "RDF/XML" if is_xml else "Turtle"
        raise RefusedFile(f"{source.name}: not valid {kind}: {reason}") from None
    return graph


def _vocabulary(graph: rdflib.Graph) -> list:
    return sorted(
        {*graph.subjects(RDF.type, SKOS.ConceptScheme), *graph.subjects(RDF.type, OWL.Ontology)},
        key=str,
    )


def _licence(graph: rdflib.Graph, vocabulary: list) -> str | None:
    for node in vocabulary:
        for prop in (DCTERMS.license, DCTERMS.rights):
            value = graph.value(node, prop)
            if value is not None:
                return clean(str(value))[:300]
    return None


def _title(graph: rdflib.Graph, vocabulary: list) -> str | None:
    for node in vocabulary:
        for prop in (DCTERMS.title, RDFS.label, SKOS.prefLabel):
            value = graph.value(node, prop)
            if value is not None:
                return clean(str(value))[:500]
    return None


def _language(literal) -> str:
    lang = getattr(literal, "language", None) or "en"
    primary, _, rest = lang.partition("-")
    return primary.lower() + (f"-{rest}" if rest else "")


def _slug(graph: rdflib.Graph, concept) -> str | None:
    labels = sorted(
        graph.objects(concept, SKOS.prefLabel), key=lambda lit: (_language(lit) != "en", str(lit))
    )
    return slugify(clean(str(labels[0]))) if labels and clean(str(labels[0])) else None


def _labels(graph: rdflib.Graph, concept) -> tuple[dict, dict, list[str]]:
    labels: dict[str, str] = {}
    alt: dict[str, list[str]] = {}
    problems = []
    for literal in sorted(graph.objects(concept, SKOS.prefLabel), key=str):
        lang, label = _language(literal), clean(str(literal))
        if lang in labels:
            problems.append(
                f"two skos:prefLabel in '{lang}' ('{labels[lang]}', '{label}'); "
                "the second is kept as an altLabel"
            )
            alt.setdefault(lang, []).append(label)
        elif label:
            labels[lang] = label
    for literal in sorted(graph.objects(concept, SKOS.altLabel), key=str):
        lang, label = _language(literal), clean(str(literal))
        if label and label != labels.get(lang) and label not in alt.get(lang, []):
            alt.setdefault(lang, []).append(label)
    return labels, alt, problems


def _sources(graph: rdflib.Graph, concept) -> list[tuple[str, str | None]]:
    """Each ``dct:source`` as (citation, url); a standard reference sorts first."""
    found = []
    for node in graph.objects(concept, DCTERMS.source):
        if isinstance(node, rdflib.Literal):
            found.append((clean(str(node)), None))
        elif isinstance(node, rdflib.URIRef):
            found.append((str(node), str(node)))
        else:  # a described resource: schema:WebPage with a name and url
            name = next(
                (
                    graph.value(node, p)
                    for p in (SCHEMA.name, SCHEMA_HTTP.name, DCTERMS.title, RDFS.label)
                    if graph.value(node, p) is not None
                ),
                None,
            )
            url = next(
                (
                    graph.value(node, p)
                    for p in (SCHEMA.url, SCHEMA_HTTP.url)
                    if graph.value(node, p) is not None
                ),
                None,
            )
            if name or url:
                found.append((clean(str(name or url)), str(url) if url else None))
    found = [(c, u) for c, u in found if c]
    return sorted(found, key=lambda s: (split_clause(s[0])[1] is None, s[0]))


def _definition(
    graph, concept, text, slug, labels, alt, options, licence, title, source: Source
) -> Record | Rejected:
    where = f"{source.name}:<{concept}>"
    language = _language(text)
    if language not in labels:
        return Rejected(where, f"a definition in '{language}' but no prefLabel in it")
    if not options.body:
        raise RefusedFile(
            f"{source.name}: SKOS does not name the body its definitions come "
            "from; give it with --body"
        )
    if not licence:
        raise RefusedFile(
            f"{source.name}: the vocabulary does not say the licence of its "
            "definitions (dct:license); give it with --licence"
        )
    sources = _sources(graph, concept)
    citation, source_url = sources[0] if sources else (title, None)
    reference, clause = split_clause(citation)
    notes = [
        clean(str(n))
        for p in (SKOS.scopeNote, SKOS.note)
        for n in sorted(graph.objects(concept, p), key=str)
        if _language(n) == language
    ]
    notes += [f"Source: {c}" for c, _ in sources[1:]]
    iri = str(concept)
    record = {
        "concept": slug,
        "body": options.body,
        "source": reference,
        "clause": clause,
        "language": language,
        "designations": [{"term": labels[language], "type": "preferred"}]
        + [{"term": a, "type": "admitted"} for a in alt.get(language, [])],
        "text": clean(str(text)),
        "notes": [n for n in notes if n],
        "examples": [clean(str(e)) for e in sorted(graph.objects(concept, SKOS.example), key=str)],
        "licence": licence,
        "url": iri if iri.startswith(("http://", "https://")) else source_url,
    }
    return Record("definition", apply_licence(record), where)
