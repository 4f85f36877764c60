"""Which licences let the registry keep a definition's full text."""

import pytest

from registry.licences import apply_licence, full_text_allowed


@pytest.mark.parametrize(
    "licence, allowed",
    [
        ("\u00a9 European Union, reuse authorised (Commission Decision 2011/833/EU)", True),
        ("Public domain: work of the US Government (17 U.S.C. 105)", True),
        ("OECD, reuse with attribution (OECD terms and conditions)", True),
        ("CC BY 4.0", True),
        ("https://creativecommons.org/licenses/by-sa/3.0/igo/", True),
        ("https://www.w3.org/copyright/document-license-2023/", True),
        ("MIT", True),
        ("\u00a9 ISO/IEC; short excerpt quoted for identification; full text at ISO OBP", False),
        ("\u00a9 All rights reserved, CEN, 2009", False),
        ("Creative Commons? No: all rights reserved", False),
        ("some licence we do not know", False),
        # Copyright notices are not licences, whatever words they contain (DIN's matched MIT).
        ("Jede Art der Vervielfältigung, auch auszugsweise, nur mit Genehmigung des DIN "
         "Deutsches Institut für Normung e. V., Berlin, gestattet.", False),
        ("Tous droits de reproduction réservés. Publié par l'AFNOR", False),
        ("(c) 2006 ISO. Reproduced under licence from the European Union's partners", False),
        ("Copyright IEEE; MIT and Apache projects cite it", False),
        ("Mitglieder des DIN", False),
        ("MIT License", True),
        # SPDX identifiers carry their version; a restriction after the name is another licence
        ("CC-BY-4.0", True),
        ("CC0-1.0", True),
        ("CC-BY-SA-4.0", True),
        ("CC-BY-NC-4.0", False),
        ("MIT-Mitglieder", False),
        ("CC BY-SA 3.0 IGO", True),
        ("W3C Software and Document License (2023), "
         "https://www.w3.org/copyright/software-license-2023/", True),
        ("", False),
        (None, False),
    ],
)
def test_full_text_allowed(licence, allowed):
    assert full_text_allowed(licence) is allowed


def test_excerpt_drops_notes_and_examples_and_flags_it():
    record = {
        "text": " ".join(f"w{i}" for i in range(50)),
        "licence": "\u00a9 XSDO",
        "notes": ["n"],
        "examples": ["e"],
    }
    kept = apply_licence(record)
    assert kept["excerpt"] is True and kept["notes"] == kept["examples"] == []
    assert kept["text"] == " ".join(f"w{i}" for i in range(30)) + " \u2026"
    assert apply_licence({**record, "licence": "CC0 1.0"}) == {**record, "licence": "CC0 1.0"}
