"""Shared test fixtures: where the Loghub-2k samples are, when they are present."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LLAMALOG_SHARED", ROOT.parent / "shared"))
LOGHUB = Path(os.environ.get("LLAMALOG_LOGHUB", SHARED / "loghub-2k"))


def loghub_names() -> list:
    """Dataset names for parametrize; one skipped case when the samples are absent."""
    import pytest

    if not (LOGHUB / "formats.json").is_file():
        return [pytest.param("absent", marks=pytest.mark.skip(reason=f"no {LOGHUB}"))]
    return sorted(p.name for p in LOGHUB.iterdir() if (p / f"{p.name}_2k.log").is_file())


def _fixture():
    import pytest

    return pytest.fixture


@_fixture()
def datasets_dir() -> Path:
    """The bundled sample logs."""
    return ROOT / "datasets"


@_fixture()
def readme_text() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")
