"""Rendering: Panda3D backends, scene sync, shaders (imported lazily: shots/lighting stay Panda-free)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Public names and the module that defines each; importing engine.render alone loads no Panda3D.
_EXPORTS = {
    "OffscreenRenderer": "engine.render.backend",
    "RenderBackendError": "engine.render.backend",
    "RenderPlugin": "engine.render.plugin",
    "RenderedFrame": "engine.render.plugin",
    "WindowRenderer": "engine.render.window",
    "NoDisplayError": "engine.render.window",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'engine.render' has no attribute {name!r}")
    return getattr(import_module(module), name)
