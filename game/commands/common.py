"""Helpers shared by subcommands: error exits and JSON output."""

from __future__ import annotations

import json
import sys
from typing import Any


def fail(message: str) -> int:
    """Print ``persona: message`` on stderr and return exit status 1."""
    print(f"persona: {message}", file=sys.stderr)
    return 1


def print_json(document: Any) -> None:
    """The one JSON document a ``--json`` command prints on stdout."""
    print(json.dumps(document, ensure_ascii=False))
