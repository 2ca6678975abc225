"""A bench measurement in the `persona bench` row shape (game/bench.py extends it; engine/ never imports game/)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Measurement:
    """A value against a baseline measured in the same run, and whether its target is met."""

    name: str
    value: float
    unit: str
    baseline: str
    baseline_value: float
    ratio: float
    target: str
    met: bool
