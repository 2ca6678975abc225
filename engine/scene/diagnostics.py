"""Diagnostics: file:line:col messages with hints, collected for a whole file at once."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(slots=True, frozen=True)
class Diagnostic:
    """One problem in a scene, prefab or script file (lines and columns start at 1)."""

    file: str
    line: int
    col: int
    message: str
    hint: str = ""
    severity: str = "error"

    def format(self) -> str:
        """``file:line:col: error: message (hint)`` on one line."""
        text = f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return text

    def to_json(self) -> dict[str, object]:
        """A plain dict for ``--json`` output."""
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


class SceneError(Exception):
    """A scene could not be loaded; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.file, d.line, d.col))
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics of severity ``error``."""
        return [d for d in self.diagnostics if d.severity == "error"]


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """``did you mean 'x'?`` for the closest option, or a list of the valid ones."""
    options = sorted(options)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if len(options) <= 12:
        return "expected one of: " + ", ".join(options)
    return ""
