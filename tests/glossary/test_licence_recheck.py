"""Full texts stored under the old, prose-reading licence rule are found and cut to excerpts."""

from sqlalchemy import select

from registry.models import Definition, Revision
from tests import factories as f

DIN_NOTICE = ("Jede Art der Vervielfältigung, auch auszugsweise, nur mit Genehmigung des DIN "
              "Deutsches Institut für Normung e. V., Berlin, gestattet.")
LONG = " ".join(f"wort{i}" for i in range(80))


def test_the_command_lists_then_cuts_what_the_rule_does_not_allow(runner, session):
    f.load(session, f.body("DIN", name="DIN", kind="national"), f.concept("safety"),
           f.definition("an open text", concept="safety", term="safety"))
    # What the old rule stored: a restricted text in full, with its notes (as if before).
    f.load(session, f.definition("placeholder", concept="safety", term="Sicherheit",
                                 body="DIN", source="DIN EN ISO 13849-1:2008", language="de",
                                 licence="CC0 1.0"))
    din = session.scalar(select(Definition).where(Definition.term == "Sicherheit"))
    din.text, din.licence, din.notes = LONG, DIN_NOTICE, ["Anmerkung 1"]
    session.commit()

    listed = runner.invoke(args=["glossary", "licences"])
    assert listed.exit_code == 0 and f"definition {din.id} (DIN" in listed.output
    assert "Would cut (run with --apply): 1" in listed.output
    session.refresh(din)
    assert din.text == LONG  # listing changes nothing

    cut = runner.invoke(args=["glossary", "licences", "--apply"])
    assert cut.exit_code == 0 and "Cut: 1 full texts" in cut.output
    session.refresh(din)
    assert din.is_excerpt and din.notes == [] and din.text.startswith("wort0 wort1")
    assert len(din.text.split()) <= 31 and "wort79" not in din.text
    audit = session.scalar(select(Revision).where(Revision.entity == "definitions",
                                                  Revision.entity_id == din.id,
                                                  Revision.summary.contains("excerpt")))
    assert audit is not None and LONG not in str(audit.after)
    open_text = session.scalar(select(Definition).where(Definition.term == "safety"))
    assert not open_text.is_excerpt  # a licence the registry knows keeps its full text
    assert "Cut: 0" in runner.invoke(args=["glossary", "licences", "--apply"]).output
