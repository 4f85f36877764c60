"""Bodies the registry knows by code, so a file naming one does not need a body record first."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import Body

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
}


def find_or_create_known(session: Session, code: str) -> Body | None:
    """The body with ``code``; created from KNOWN_BODIES when missing; None when unknown."""
    body = session.scalar(select(Body).where(Body.code == code))
    if body is None and code in KNOWN_BODIES:
        name, kind, url = KNOWN_BODIES[code]
        body = Body(code=code, name=name, kind=kind, url=url)
        session.add(body)
        session.flush()
    return body
