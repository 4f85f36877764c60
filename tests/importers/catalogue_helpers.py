"""Paths and small helpers shared by the catalogue importer tests."""

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import importing

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "catalogue"
# The real third-party samples, read in place (never copied): ../shared/fixtures/real.
REAL = Path(
    os.environ.get(
        "REAL_FIXTURES", Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "real"
    )
)


def real(folder: str, name: str) -> Path:
    path = REAL / folder / name
    if not path.is_file():
        pytest.skip(f"real sample {path} is absent (see SOURCES.md in ../shared/fixtures/real)")
    return path


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def run(fmt: str, path: Path, **options):
    return importing.run(fmt, path, **options)


def problems(report) -> dict[str, str]:
    return {p["location"]: p["reason"] for p in report.rejected}
