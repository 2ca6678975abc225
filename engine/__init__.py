"""Persona engine: the reusable runtime for digital humans in virtual scenes."""

__version__ = "0.1.0"
