"""Field types for scene files: each checks and converts one TOML value or explains what is wrong."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class FieldProblem(Exception):
    """A value does not fit its field; ``index`` points into an array when known."""

    def __init__(self, message: str, hint: str = "", index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.index = index


def _type_name(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
             list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Field:
    """Base field: subclasses define ``convert`` and a short ``example``."""

    example = ""
    entity_ref = False
    asset = False

    def convert(self, value: Any) -> Any:
        raise NotImplementedError

    def hint(self, key: str) -> str:
        return f"write it like {key} = {self.example}" if self.example else ""


@dataclass
class Float(Field):
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    example: str = "1.0"

    def convert(self, value: Any) -> float:
        if not _is_number(value):
            raise FieldProblem(f"expected a number, got {_type_name(value)}")
        number = float(value)
        if number != number:
            raise FieldProblem("expected a number, got nan")
        if self.lo is not None and (number < self.lo or (self.lo_open and number == self.lo)):
            word = "greater than" if self.lo_open else "at least"
            raise FieldProblem(f"{number:g} is out of range: must be {word} {self.lo:g}")
        if self.hi is not None and number > self.hi:
            raise FieldProblem(f"{number:g} is out of range: must be at most {self.hi:g}")
        return number


@dataclass
class Int(Field):
    lo: int | None = None
    hi: int | None = None
    example: str = "1"

    def convert(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldProblem(f"expected an integer, got {_type_name(value)}")
        if self.lo is not None and value < self.lo:
            raise FieldProblem(f"{value} is out of range: must be at least {self.lo}")
        if self.hi is not None and value > self.hi:
            raise FieldProblem(f"{value} is out of range: must be at most {self.hi}")
        return value


@dataclass
class Bool(Field):
    example: str = "true"

    def convert(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise FieldProblem(f"expected true or false, got {_type_name(value)}")
        return value


@dataclass
class Str(Field):
    pattern: str | None = None
    pattern_help: str = ""
    max_len: int = 2000
    example: str = '"text"'

    def convert(self, value: Any) -> str:
        if not isinstance(value, str):
            raise FieldProblem(f"expected a string, got {_type_name(value)}")
        if not value.strip():
            raise FieldProblem("must not be empty")
        if len(value) > self.max_len:
            raise FieldProblem(f"is {len(value)} characters long; at most {self.max_len}")
        if self.pattern and not re.fullmatch(self.pattern, value):
            raise FieldProblem(f"{value!r} is not valid here", self.pattern_help)
        return value


@dataclass
class Choice(Field):
    options: Sequence[str] = ()

    @property
    def example(self) -> str:  # type: ignore[override]
        return f'"{self.options[0]}"'

    def convert(self, value: Any) -> str:
        from engine.scene.diagnostics import did_you_mean

        if not isinstance(value, str):
            raise FieldProblem(f"expected one of {', '.join(self.options)}; got {_type_name(value)}")
        if value not in self.options:
            raise FieldProblem(f"unknown value {value!r}", did_you_mean(value, self.options))
        return value


@dataclass
class Vec(Field):
    size: int = 3
    lo: float | None = None
    hi: float | None = None
    uniform: bool = False  # a single number means (n, n, n)

    @property
    def example(self) -> str:  # type: ignore[override]
        return "[" + ", ".join(["0.0"] * self.size) + "]"

    def convert(self, value: Any) -> tuple[float, ...]:
        if self.uniform and _is_number(value):
            value = [value] * self.size
        if not isinstance(value, list):
            raise FieldProblem(f"expected an array of {self.size} numbers, got {_type_name(value)}")
        if len(value) != self.size:
            raise FieldProblem(f"expected {self.size} numbers, got {len(value)}")
        out = []
        for i, item in enumerate(value):
            if not _is_number(item):
                raise FieldProblem(f"element {i + 1} should be a number, got {_type_name(item)}", index=i)
            if (self.lo is not None and item < self.lo) or (self.hi is not None and item > self.hi):
                raise FieldProblem(f"element {i + 1} ({item:g}) is outside [{self.lo:g}, {self.hi:g}]", index=i)
            out.append(float(item))
        return tuple(out)


@dataclass
class Color(Field):
    example: str = '"#1e90ff"'

    def convert(self, value: Any) -> tuple[float, float, float]:
        if isinstance(value, str):
            if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
                raise FieldProblem(f"{value!r} is not a colour", 'use "#rrggbb" or [r, g, b] in 0..1')
            return tuple(int(value[i : i + 2], 16) / 255.0 for i in (1, 3, 5))  # type: ignore[return-value]
        try:
            return Vec(3, 0.0, 1.0).convert(value)  # type: ignore[return-value]
        except FieldProblem as problem:
            raise FieldProblem(problem.message, 'use "#rrggbb" or [r, g, b] in 0..1', problem.index) from None


@dataclass
class StrList(Field):
    item: Field | None = None
    example: str = '["a", "b"]'

    def convert(self, value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise FieldProblem(f"expected an array of strings, got {_type_name(value)}")
        item = self.item or Str()
        out = []
        for i, element in enumerate(value):
            try:
                out.append(item.convert(element))
            except FieldProblem as problem:
                raise FieldProblem(f"element {i + 1}: {problem.message}", problem.hint, i) from None
        return tuple(out)


@dataclass
class EntityRef(Field):
    """The name of another entity of the same scene; existence is checked after the first pass."""

    needs: str | None = None  # component table the referenced entity must have
    example: str = '"host"'
    entity_ref = True

    def convert(self, value: Any) -> str:
        return Str().convert(value)


@dataclass
class AssetPath(Field):
    """A path relative to the asset roots; existence and sandboxing are checked by the loader."""

    extensions: tuple[str, ...] = ()
    example: str = '"avatars/presenter.glb"'
    asset = True

    def convert(self, value: Any) -> str:
        text = Str().convert(value)
        if self.extensions and not text.lower().endswith(self.extensions):
            raise FieldProblem(
                f"{text!r} has the wrong kind of file", "expected " + " or ".join(self.extensions)
            )
        return text
