"""Bodies the registry knows by code, so a file naming one does not need a body record first."""

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import policy
from registry.db import unit_of_work
from registry.models import Body
from registry.schemas.records import BodyRecord, error_text

# code -> (name, kind, url). Facts about the organisations, not about their documents.
KNOWN_BODIES: dict[str, tuple[str, str, str]] = {
    "ISO": ("International Organization for Standardization", "international_sdo",
            "https://www.iso.org"),
    "IEC": ("International Electrotechnical Commission", "international_sdo",
            "https://www.iec.ch"),
    "ITU-T": ("ITU Telecommunication Standardization Sector", "international_sdo",
              "https://www.itu.int/en/ITU-T"),
    "ITU-R": ("ITU Radiocommunication Sector", "international_sdo",
              "https://www.itu.int/en/ITU-R"),
    "IEEE": ("IEEE Standards Association", "international_sdo", "https://standards.ieee.org"),
    "CEN-CENELEC": ("European Committee for Standardization and European Committee for "
                    "Electrotechnical Standardization", "regional_sdo",
                    "https://www.cencenelec.eu"),
    "ETSI": ("European Telecommunications Standards Institute", "regional_sdo",
             "https://www.etsi.org"),
    "IETF": ("Internet Engineering Task Force", "consortium", "https://www.ietf.org"),
    "W3C": ("World Wide Web Consortium", "consortium", "https://www.w3.org"),
    "NIST": ("National Institute of Standards and Technology", "national", "https://www.nist.gov"),
    "OECD": ("Organisation for Economic Co-operation and Development", "intergovernmental",
             "https://oecd.ai"),
    "UNESCO": ("United Nations Educational, Scientific and Cultural Organization",
               "intergovernmental", "https://www.unesco.org"),
    "EU": ("European Union", "legislation", "https://eur-lex.europa.eu"),
    "3GPP": ("3rd Generation Partnership Project", "consortium", "https://www.3gpp.org"),
    "JISC": ("Japanese Industrial Standards Committee", "national", "https://www.jisc.go.jp"),
    "DIN": ("DIN Deutsches Institut für Normung", "national", "https://www.din.de"),
    "BSI": ("British Standards Institution", "national", "https://www.bsigroup.com"),
    "AFNOR": ("Association française de normalisation", "national", "https://www.afnor.org"),
    "ANSI": ("American National Standards Institute", "national", "https://www.ansi.org"),
    "SAC": ("Standardization Administration of China", "national", "https://www.sac.gov.cn"),
}


class BodyError(ValueError):
    """The body cannot be added; the message says why."""


def add_body(session: Session, actor, record: dict, *, path: str = "cli") -> Body:
    """Add a body (code, name, kind, optional url, country, description) under the policy,
    through the same writer as imported bodies (audited); commits."""
    # The write path reads KNOWN_BODIES from this module: imported here, not at the top.
    from registry.ingest import WRITERS, Entry, Run, finish

    policy.require(actor, "body.edit")
    try:
        data = BodyRecord().load({"record": "body", **record})
    except ValidationError as exc:
        raise BodyError(error_text(exc.messages)) from None
    if session.scalar(select(Body.id).where(Body.code == data["code"])):
        raise BodyError(f"a body with the code {data['code']} exists already")
    with unit_of_work(session):
        run = Run(session, path=path, actor_id=getattr(actor, "id", None), edit=True)
        (outcome,) = WRITERS["body"](run, [Entry(data, path)])
        if outcome.action == "rejected":
            raise BodyError(outcome.reason)
        finish(run)
    return session.scalar(select(Body).where(Body.code == data["code"]))


def find_or_create_known(session: Session, code: str) -> Body | None:
    """The body with ``code``; created from KNOWN_BODIES when missing; None when unknown."""
    body = session.scalar(select(Body).where(Body.code == code))
    if body is None and code in KNOWN_BODIES:
        name, kind, url = KNOWN_BODIES[code]
        body = Body(code=code, name=name, kind=kind, url=url)
        session.add(body)
        session.flush()
    return body
