"""SKOS in Turtle (rdflib): the registry's concepts, each body's definitions, and their links.

URIs are stable under the registry's base URL: a concept is ``{base}/glossary/{slug}``, a body's
definition ``{base}/glossary/{slug}#d-{lineage}`` (the lineage survives new revisions). Each
body's definition is a ``skos:Concept`` of its own with ``dct:subject`` the registry concept, so
mappings between bodies can be stated. Accepted links become ``skos:exactMatch`` / ``closeMatch``
/ ``broadMatch`` / ``narrowMatch`` / ``relatedMatch`` (SKOS has no "conflicting": the registry's
own ``reg:conflictsWith``); proposed and rejected links are claims, not mappings, and stay out.
"""

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS, XSD

from registry.exports import GlossaryData, source_text
from registry.models import Concept, Definition
from registry.text import iri

_MATCH = {
    "exact": SKOS.exactMatch,
    "close": SKOS.closeMatch,
    "broader": SKOS.broadMatch,
    "narrower": SKOS.narrowMatch,
    "related": SKOS.relatedMatch,
}
_RELATION = {"broader": SKOS.broader, "narrower": SKOS.narrower, "related": SKOS.related}


def concept_uri(base: str, concept: Concept) -> URIRef:
    return URIRef(f"{base}/glossary/{concept.slug}")


def definition_uri(base: str, concept: Concept, d: Definition) -> URIRef:
    return URIRef(f"{base}/glossary/{concept.slug}#d-{d.lineage[:16]}")


def export(data: GlossaryData, base_url: str) -> str:
    base = base_url.rstrip("/")
    reg = Namespace(f"{base}/vocab#")
    graph = Graph()
    graph.bind("skos", SKOS)
    graph.bind("dct", DCTERMS)
    graph.bind("reg", reg)
    scheme = URIRef(f"{base}/glossary")
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, DCTERMS.title, Literal("AI Standards Exchange glossary", lang="en")))
    uri_of: dict[int, URIRef] = {}
    for concept in data.concepts:
        c = concept_uri(base, concept)
        graph.add((c, RDF.type, SKOS.Concept))
        graph.add((c, SKOS.inScheme, scheme))
        for label in concept.labels:
            kind = SKOS.prefLabel if label.kind == "preferred" else SKOS.altLabel
            graph.add((c, kind, Literal(label.label, lang=label.language)))
        if concept.measurability:
            graph.add((c, SKOS.note, Literal(f"Measurability: {concept.measurability}", lang="en")))
        for d in data.definitions.get(concept.id, []):
            u = definition_uri(base, concept, d)
            uri_of[d.id] = u
            body_scheme = URIRef(iri(f"{base}/bodies/{d.body.code}"))  # "US Congress"
            graph.add((u, RDF.type, SKOS.Concept))
            graph.add((u, SKOS.inScheme, body_scheme))
            graph.add((u, DCTERMS.subject, c))
            graph.add((u, DCTERMS.creator, body_scheme))
            for designation in d.designations:
                kind = {"preferred": SKOS.prefLabel, "deprecated": SKOS.hiddenLabel}.get(
                    designation["type"], SKOS.altLabel
                )
                graph.add((u, kind, Literal(designation["term"], lang=d.language)))
            graph.add((u, SKOS.definition, Literal(d.text, lang=d.language)))
            graph.add((u, DCTERMS.source, Literal(source_text(d))))
            if d.standard is not None:
                graph.add((u, DCTERMS.source, URIRef(f"{base}/standards/{d.standard.id}")))
            if d.source_url:
                graph.add((u, DCTERMS.references, URIRef(iri(d.source_url))))
            graph.add((u, DCTERMS.license, Literal(d.licence)))
            if d.is_excerpt:
                graph.add(
                    (
                        u,
                        SKOS.editorialNote,
                        Literal("Excerpt only: the licence allows no more of the text.", lang="en"),
                    )
                )
            if d.valid_from:
                graph.add((u, DCTERMS.date, Literal(d.valid_from, datatype=XSD.date)))
            if d.nature:
                graph.add((u, reg.nature, Literal(d.nature)))
    for link in data.links:
        if link.state != "accepted" or link.source_id not in uri_of or link.target_id not in uri_of:
            continue
        prop = _MATCH.get(link.type, reg.conflictsWith)
        graph.add((uri_of[link.source_id], prop, uri_of[link.target_id]))
    concepts = {c.id: c for c in data.concepts}
    for rel in data.relations:
        if rel.source_id in concepts:
            graph.add(
                (concept_uri(base, rel.source), _RELATION[rel.type], concept_uri(base, rel.target))
            )
    return graph.serialize(format="turtle")
