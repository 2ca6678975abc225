"""Shared test helpers: write small scene projects into a temp folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TESTDATA = REPO.parent / "shared" / "testdata"


class Project:
    """A throwaway Persona project (scenes/, scripts/, assets/) under tmp_path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for folder in ("scenes/prefabs", "scripts", "assets"):
            (root / folder).mkdir(parents=True, exist_ok=True)

    def write(self, relative: str, text: str) -> Path:
        """Write dedented ``text`` to ``relative`` and return its path."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def scene(self, body: str, name: str = "scene.toml") -> Path:
        """A scene file with the given text under scenes/."""
        return self.write(f"scenes/{name}", body)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """An empty project folder."""
    return Project(tmp_path)


HEADER = """
[scene]
id = "test"
title = "Test"
"""
