"""The shipped scenes: valid, and they run with their behaviours and cues."""

from __future__ import annotations

import pytest

from engine.scene import check_scene
from engine.scene.actions import ActionLog
from engine.scene.runtime import scene_app
from engine.scripting.host import ScriptHost
from tests.conftest import REPO

SCENES = sorted((REPO / "scenes").glob("*.toml"))


def test_the_required_examples_exist():
    names = {p.stem for p in SCENES}
    assert {"demo", "news-studio", "airport-guide", "product-showcase"} <= names


@pytest.mark.parametrize("path", SCENES, ids=lambda p: p.stem)
def test_example_is_valid_and_runs(path):
    assert check_scene(path) == []
    app, _ = scene_app(path)
    behaviours = app.world.resources.get(ScriptHost)
    assert behaviours.instances, f"{path.name} should attach a Python behaviour"
    app.run(450)
    assert behaviours.errors == []
    assert app.world.resources.get(ActionLog).entries or path.stem == "airport-guide"


def test_every_example_has_cues():
    for path in SCENES:
        assert "[[cue]]" in path.read_text(encoding="utf-8"), path.name
