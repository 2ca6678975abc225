"""Scene files: TOML schema, loading with file:line:col validation, prefabs, building and hot reload."""

from engine.scene.diagnostics import Diagnostic, SceneError
from engine.scene.loader import check_scene, load_scene
from engine.scene.model import CueDoc, EntityDoc, SceneDoc

__all__ = ["CueDoc", "Diagnostic", "EntityDoc", "SceneDoc", "SceneError", "check_scene", "load_scene"]
