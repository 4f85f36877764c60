"""XML from outside, parsed without trusting it: the one way importers open an XML file.

No DTD is loaded, no entity is expanded, nothing is fetched from the network. A document that
declares entities (the shape of "billion laughs" and external-entity attacks) is refused whole:
real STS, TBX, IEEE and RDF/XML files never need them. A look at the first bytes refuses most
such files before parsing starts; the parser's own view of the internal subset decides for every
file, whatever the encoding (UTF-16) or how much comes before the declaration. A document type
declaration that only names a DTD (``<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">``) is fine:
the DTD is simply not read. Syntax errors are refused with their line.
"""

import re
from collections.abc import Iterator

from lxml import etree

from importers.pipeline import RefusedFile, Source

PROLOG_BYTES = 64 * 1024  # the document type declaration sits before the root element
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_ROOT_START = re.compile(rb"<[A-Za-z_]")


def _options() -> dict:
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "huge_tree": False,  # keeps libxml2's limits on depth and text node size
        "remove_comments": True,
        "remove_pis": True,
    }


def check_prolog(source: Source) -> None:
    """Refuse a file whose prolog declares entities (read from the first bytes only)."""
    with source.path.open("rb") as raw:
        head = raw.read(PROLOG_BYTES)
    # Blanking keeps offsets, so the root's offset in the blanked head is its offset in the file.
    root = _ROOT_START.search(_blank_declarations(head))
    prolog = head if root is None else head[: root.start()]
    if _ENTITY_DECLARATION.search(prolog):
        raise RefusedFile(f"{source.name}: the document declares XML entities; refused as unsafe")


def _refuse_declared_entities(tree: etree._ElementTree, source: Source) -> None:
    """What libxml2 itself parsed as the internal subset: any entity declaration refuses the
    file (nothing was expanded: ``resolve_entities`` is off)."""
    dtd = tree.docinfo.internalDTD
    if dtd is not None and next(dtd.iterentities(), None) is not None:
        raise RefusedFile(f"{source.name}: the document declares XML entities; refused as unsafe")


def _blank_declarations(head: bytes) -> bytes:
    """The head with ``<?...?>``, ``<!...>`` and comments blanked, so the root tag can be found."""
    return re.sub(
        rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(\[.*?\])?\s*>",
        lambda m: b" " * len(m.group(0)),
        head,
        flags=re.DOTALL | re.IGNORECASE,
    )


def parse(source: Source) -> etree._ElementTree:
    """The whole document as a tree (for files read in one piece: STS, IEEE, RDF/XML)."""
    check_prolog(source)
    parser = etree.XMLParser(**_options())
    with source.open() as stream:
        try:
            tree = etree.parse(stream, parser)
        except etree.XMLSyntaxError as exc:
            raise RefusedFile(f"{source.name}: not well-formed XML: {_where(exc)}") from exc
    _refuse_declared_entities(tree, source)
    return tree


def iterparse(source: Source, tags: tuple[str, ...]) -> Iterator[etree._Element]:
    """Yield each element named in ``tags`` (Clark notation for namespaces) when it ends.

    For large files (a 200 MB termbase): the caller handles each element, then calls
    ``release(element)`` so memory stays flat.
    """
    check_prolog(source)
    with source.open() as stream:
        events = etree.iterparse(stream, events=("end",), tag=tags, **_options())
        checked = False
        try:
            for _, element in events:
                if not checked:  # the internal subset is parsed before any element ends
                    _refuse_declared_entities(element.getroottree(), source)
                    checked = True
                yield element
        except etree.XMLSyntaxError as exc:
            raise RefusedFile(f"{source.name}: not well-formed XML: {_where(exc)}") from exc


def release(element: etree._Element) -> None:
    """Free a handled element and the siblings before it (the iterparse memory idiom)."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def line_of(element: etree._Element) -> str:
    """``line N`` for messages: where in the file a rejected element starts."""
    return f"line {element.sourceline}" if element.sourceline else "unknown line"


def _where(exc: etree.XMLSyntaxError) -> str:
    line, column = exc.position if exc.position else (None, None)
    message = exc.msg or str(exc)
    return f"line {line}, column {column}: {message}" if line else message
