"""TermBase eXchange (ISO 30042): v2 ``martif``, v3 ``tbx`` and the 2013 ``TBX`` (TBX-Min).

Dialects TBX-Basic, TBX-Core, TBX-Min and TBX-Default; DCA and DCT styles; namespaces
``urn:iso:std:iso:30042:ed-2`` and ``ed:3.0`` or none (see ``importers.termentry``). The file is
streamed: each entry is handled when it ends and then released, so memory stays flat however
large the termbase.

Body and licence come from the file where it says them (an upper-case body code as the
``responsibility`` of a transaction, a ``Licence: ...`` note, a ``license`` in the header) and
otherwise from ``--body`` and ``--licence``. A file with definitions and neither is refused.
"""

from collections.abc import Iterator

from importers import safe_xml
from importers.pipeline import ImportOptions, Record, RefusedFile, Rejected, Source
from importers.termentry import (
    Context,
    MissingSetting,
    entry_records,
    language_of,
    local,
    read_entry,
    text_of,
)

ROOTS = ("martif", "tbx", "TBX")
HEADERS = ("martifHeader", "tbxHeader", "header")
ENTRIES = ("termEntry", "conceptEntry")
_TAGS = tuple(f"{{*}}{name}" for name in (*ROOTS, *HEADERS, *ENTRIES))


def read(source: Source, options: ImportOptions) -> Iterator[Record | Rejected]:
    ctx = Context(file=source.name, body=options.body, licence=options.licence, source=source.name)
    root_seen = False
    for element in safe_xml.iterparse(source, _TAGS):
        name = local(element)
        if not root_seen:
            root = element.getroottree().getroot()
            if local(root) not in ROOTS:
                raise RefusedFile(
                    f"{source.name}: not a TBX file (the root element is "
                    f"<{local(root)}>, not martif, tbx or TBX)"
                )
            root_seen = True
            ctx.default_language = language_of(root, None)
        if name in ROOTS:
            continue
        if name in HEADERS:
            _read_header(element, ctx)
        elif name in ENTRIES and local(element.getparent()) == "body":
            entry = read_entry(element, ctx.default_language)
            try:
                yield from entry_records(entry, ctx)
            except MissingSetting as exc:
                raise RefusedFile(f"{source.name}: {exc}") from None
        else:
            yield Rejected(
                f"{source.name}:{element.sourceline}", f"<{name}> outside the body of the termbase"
            )
        safe_xml.release(element)
    if not root_seen:
        raise RefusedFile(f"{source.name}: not a TBX file (no martif, tbx or TBX root element)")


def _read_header(header, ctx: Context) -> None:
    """Take the citation, the licence and the source language from the header, when given."""
    for element in header.iter():
        name = local(element)
        if name == "title" and text_of(element):
            ctx.source = text_of(element)
        elif name in ("license", "licence", "availability") and text_of(element):
            ctx.licence = text_of(element)  # what the file says wins over --licence
        elif name == "languages" and element.get("source"):
            ctx.default_language = language_of(element, element.get("source"))
        elif name == "id" and local(element.getparent()) == "header" and ctx.source == ctx.file:
            ctx.source = text_of(element) or ctx.source  # the 2013 TBX-Min names its file so
