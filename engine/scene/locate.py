"""Source positions for TOML: maps each key path to the line and column of its key and value.

tomli gives values but not where they came from; this scanner walks the (already
valid) text once and records positions so that validation can say ``file:line:col``.
Paths look like ``("entity", 0, "transform", "position", 1)``: array-of-tables and
array elements are indexed, keys are strings.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

Path = tuple[str | int, ...]

_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass(slots=True, frozen=True)
class Span:
    """Where a key (and its value) starts; 1-based lines and columns."""

    key_line: int
    key_col: int
    value_line: int
    value_col: int


class SourceMap:
    """Positions of every key path in one TOML document."""

    def __init__(self, spans: dict[Path, Span]) -> None:
        self._spans = spans

    def span(self, path: Path) -> Span:
        """The span of ``path`` or of its nearest recorded ancestor (1:1 for the root)."""
        probe = tuple(path)
        while probe:
            found = self._spans.get(probe)
            if found is not None:
                return found
            probe = probe[:-1]
        return Span(1, 1, 1, 1)

    def key(self, path: Path) -> tuple[int, int]:
        """Line and column of the key of ``path``."""
        s = self.span(path)
        return s.key_line, s.key_col

    def value(self, path: Path) -> tuple[int, int]:
        """Line and column of the value of ``path``."""
        s = self.span(path)
        return s.value_line, s.value_col

    def __contains__(self, path: Path) -> bool:
        return tuple(path) in self._spans


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.pos = 0
        self.line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        self.spans: dict[Path, Span] = {}
        self.aot_counts: dict[Path, int] = {}

    def linecol(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def record(self, path: Path, key_off: int, value_off: int) -> None:
        if path not in self.spans:
            self.spans[path] = Span(*self.linecol(key_off), *self.linecol(value_off))

    # -- lexical helpers ---------------------------------------------------------------
    def skip_space(self, newlines: bool) -> None:
        while self.pos < self.n:
            ch = self.text[self.pos]
            if ch in " \t\r" or (newlines and ch == "\n"):
                self.pos += 1
            elif ch == "#":
                while self.pos < self.n and self.text[self.pos] != "\n":
                    self.pos += 1
            else:
                return

    def read_string(self) -> str:
        """Consume a string starting at pos; return its raw content (escapes undecoded)."""
        text = self.text
        for quote in ('"""', "'''"):
            if text.startswith(quote, self.pos):
                start = self.pos + 3
                i = start
                while True:
                    j = text.find(quote, i)
                    if j < 0:
                        self.pos = self.n
                        return text[start:]
                    if quote == '"""' and _escaped(text, j):
                        i = j + 1
                        continue
                    end = j
                    # up to two extra quote characters belong to the content
                    while end + 3 < self.n and text[end + 3] == quote[0] and end - j < 2:
                        end += 1
                    self.pos = end + 3
                    return text[start:end]
        quote = text[self.pos]
        start = self.pos + 1
        i = start
        while i < self.n and text[i] != quote:
            if quote == '"' and text[i] == "\\":
                i += 1
            i += 1
        self.pos = i + 1
        return text[start:i]

    def read_key(self) -> list[tuple[str, int]]:
        """A dotted key; returns (part, offset) pairs."""
        parts = []
        while True:
            self.skip_space(newlines=False)
            offset = self.pos
            if self.pos < self.n and self.text[self.pos] in "\"'":
                raw = self.read_string()
                part = _unescape(raw) if self.text[offset] == '"' else raw
            else:
                start = self.pos
                while self.pos < self.n and self.text[self.pos] in _BARE:
                    self.pos += 1
                part = self.text[start : self.pos]
            parts.append((part, offset))
            self.skip_space(newlines=False)
            if self.pos < self.n and self.text[self.pos] == ".":
                self.pos += 1
                continue
            return parts

    def read_value(self, path: Path, key_off: int) -> None:
        value_off = self.pos
        self.record(path, key_off, value_off)
        ch = self.text[self.pos] if self.pos < self.n else ""
        if ch in "\"'":
            self.read_string()
        elif ch == "[":
            self.pos += 1
            index = 0
            while True:
                self.skip_space(newlines=True)
                if self.pos >= self.n or self.text[self.pos] == "]":
                    self.pos += 1
                    return
                self.read_value((*path, index), self.pos)
                index += 1
                self.skip_space(newlines=True)
                if self.pos < self.n and self.text[self.pos] == ",":
                    self.pos += 1
        elif ch == "{":
            self.pos += 1
            while True:
                self.skip_space(newlines=False)
                if self.pos >= self.n or self.text[self.pos] == "}":
                    self.pos += 1
                    return
                self.read_pair(path)
                self.skip_space(newlines=False)
                if self.pos < self.n and self.text[self.pos] == ",":
                    self.pos += 1
        else:
            while self.pos < self.n and self.text[self.pos] not in ",]}\n#":
                self.pos += 1

    def read_pair(self, table: Path) -> None:
        parts = self.read_key()
        path = table
        for name, offset in parts:
            path = (*path, name)
            if name is not parts[-1][0] or offset != parts[-1][1]:
                self.record(path, offset, offset)
        self.skip_space(newlines=False)
        if self.pos < self.n and self.text[self.pos] == "=":
            self.pos += 1
        self.skip_space(newlines=False)
        self.read_value(path, parts[-1][1])

    def resolve_header(self, names: list[str], array: bool) -> Path:
        resolved: Path = ()
        for i, name in enumerate(names):
            resolved = (*resolved, name)
            last = i == len(names) - 1
            if last and array:
                count = self.aot_counts.get(resolved, 0)
                self.aot_counts[resolved] = count + 1
                resolved = (*resolved, count)
            elif resolved in self.aot_counts:
                resolved = (*resolved, self.aot_counts[resolved] - 1)
        return resolved

    def run(self) -> dict[Path, Span]:
        table: Path = ()
        while True:
            self.skip_space(newlines=True)
            if self.pos >= self.n:
                return self.spans
            if self.text[self.pos] == "[":
                array = self.text.startswith("[[", self.pos)
                self.pos += 2 if array else 1
                parts = self.read_key()
                self.pos += 2 if array else 1
                table = self.resolve_header([p for p, _ in parts], array)
                offset = parts[0][1]
                self.record(table, offset, offset)
                if array:  # the array itself is where its first [[header]] is
                    self.record(table[:-1], offset, offset)
            else:
                self.read_pair(table)


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    i = index - 1
    while i >= 0 and text[i] == "\\":
        backslashes += 1
        i -= 1
    return backslashes % 2 == 1


def _unescape(raw: str) -> str:
    try:
        return raw.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError:
        return raw


def source_map(text: str) -> SourceMap:
    """Scan valid TOML ``text`` and return the positions of all its keys and values."""
    return SourceMap(_Scanner(text).run())
