"""AssetError: a bad avatar file, named by file and JSON-pointer-ish path (``Fox.glb: nodes[3].mesh: ...``)."""

from __future__ import annotations


class AssetError(ValueError):
    """A file that cannot be loaded; ``str()`` reads ``FILE: PATH: MESSAGE``."""

    def __init__(self, file: str, path: str, message: str) -> None:
        self.file = file
        self.path = path
        self.message = message
        super().__init__(f"{file}: {path}: {message}" if path else f"{file}: {message}")


def warning_text(file: str, path: str, message: str) -> str:
    """A warning line in the same ``FILE: PATH: MESSAGE`` style as AssetError."""
    return f"{file}: {path}: {message}" if path else f"{file}: {message}"
