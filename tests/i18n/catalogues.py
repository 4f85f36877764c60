"""Extract the interface's strings as ``make translations`` does (babel.cfg), and find the ones a
language's catalogue leaves untranslated, fuzzy or with other placeholders."""

import re
from configparser import RawConfigParser
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
KEYWORDS = {"N_": None, "_": None, "gettext": None, "ngettext": (1, 2), "_l": None,
            "lazy_gettext": None, "lazy_ngettext": (1, 2)}


def _mapping(config: Path = ROOT / "babel.cfg"):
    parser = RawConfigParser()
    parser.read(config)
    method_map, options_map = [], {}
    for section in parser.sections():
        method, pattern = (part.strip() for part in section.split(":", 1))
        method_map.append((pattern, method))
        options_map[pattern] = dict(parser.items(section))
    return method_map, options_map


def extract(root: Path = ROOT) -> Catalog:
    """The strings of ``root`` (its app/, templates/ and the core's marked files, as babel.cfg
    maps them)."""
    method_map, options_map = _mapping()
    catalogue = Catalog()

    def only_app_and_templates(dirpath: str) -> bool:
        top = Path(dirpath).relative_to(root).parts
        return not top or top[0] in ("app", "templates", "registry")

    for filename, lineno, message, comments, context in extract_from_dir(
            root, method_map, options_map, keywords=KEYWORDS,
            directory_filter=only_app_and_templates):
        catalogue.add(message, None, [(filename, lineno)], auto_comments=comments,
                      context=context)
    return catalogue


def problems(template: Catalog, po_path: Path) -> list[str]:
    """What the catalogue at ``po_path`` lacks for ``template``: one line per message."""
    with po_path.open("rb") as handle:
        catalogue = read_po(handle, locale=po_path.parent.parent.name)
    found = []
    for wanted in template:
        if not wanted.id:
            continue
        message = catalogue.get(wanted.id, wanted.context)
        key = wanted.id[0] if isinstance(wanted.id, (list, tuple)) else wanted.id
        strings = message.string if message is not None else None
        if isinstance(strings, (list, tuple)):
            complete = all(strings)
        else:
            complete = bool(strings)
        if message is None or not complete:
            found.append(f"untranslated: {key!r}")
        elif message.fuzzy:
            found.append(f"fuzzy: {key!r}")
        else:
            found.extend(f"{key!r}: {error}" for error in message.check(catalogue))
            found.extend(f"{key!r}: {error}" for error in _placeholder_errors(message))
    return found


PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _placeholder_errors(message) -> list[str]:
    """A translation names the same %(placeholders)s as its msgid (a plural form may leave the
    number out: Arabic says "two standards" in one word)."""
    if isinstance(message.id, (list, tuple)):
        wanted = set(PLACEHOLDER.findall(message.id[1]))
        return [f"form {i} names {sorted(set(PLACEHOLDER.findall(s)) - wanted)}"
                for i, s in enumerate(message.string)
                if not set(PLACEHOLDER.findall(s)) <= wanted]
    wanted, got = set(PLACEHOLDER.findall(message.id)), set(PLACEHOLDER.findall(message.string))
    return [] if wanted == got else [f"placeholders {sorted(got)} instead of {sorted(wanted)}"]


def languages() -> list[Path]:
    return sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
