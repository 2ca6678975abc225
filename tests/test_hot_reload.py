"""Hot reload: edits reload the scene; a bad edit keeps the running world and reports errors."""

from __future__ import annotations

import os
import time

from engine.components import Name
from engine.scene.actions import SceneInfo
from engine.scene.runtime import scene_app
from engine.scripting.host import ScriptHost
from tests.conftest import HEADER


def _touch_later(path):
    # mtime granularity: make sure the new stamp differs
    stamp = time.time_ns() + 10_000_000
    os.utime(path, ns=(stamp, stamp))


def _names(app):
    return sorted(n.value for _, n in app.world.query_one(Name))


def test_good_edit_reloads(project):
    path = project.scene(HEADER + '[[entity]]\nname = "a"\n')
    app, runner = scene_app(path)
    app.run(3)
    assert runner.poll_reload().reloaded is False
    path.write_text(path.read_text() + '[[entity]]\nname = "b"\n')
    _touch_later(path)
    result = runner.poll_reload()
    assert result.reloaded and result.diagnostics == []
    assert _names(app) == ["a", "b"]


def test_bad_edit_keeps_the_running_world(project):
    path = project.scene(HEADER + '[[entity]]\nname = "a"\n')
    app, runner = scene_app(path)
    app.run(3)
    world = app.world
    project.scene(HEADER + '[[entity]]\nname = "a"\n[entity.camera]\nfov_deg = "wide"\n')
    _touch_later(path)
    result = runner.poll_reload()
    assert not result.reloaded
    assert [(d.line, d.col) for d in result.diagnostics] == [(7, 11)]
    assert app.world is world and _names(app) == ["a"]
    app.run(3)  # still runs
    assert runner.poll_reload().diagnostics == []  # reported once per edit


def test_script_and_prefab_edits_trigger_reload(project):
    project.write("scenes/prefabs/p.toml", '[camera]\nfov_deg = 30.0\n')
    script = project.write("scripts/b.py", "from engine.scripting import Behaviour\n\n\n"
                                           "class B(Behaviour):\n    version = 1\n")
    path = project.scene(HEADER + '[[entity]]\nname = "a"\nprefab = "p"\nbehaviours = ["b:B"]\n')
    app, runner = scene_app(path)
    script.write_text(script.read_text().replace("version = 1", "version = 2"))
    _touch_later(script)
    assert runner.poll_reload().reloaded
    assert app.world.resources.get(ScriptHost).instances[0].behaviour.version == 2
    prefab = project.root / "scenes/prefabs/p.toml"
    prefab.write_text('[camera]\nfov_deg = 300.0\n')
    _touch_later(prefab)
    result = runner.poll_reload()
    assert not result.reloaded and result.diagnostics[0].file.endswith("prefabs/p.toml")
    assert app.world.resources.get(SceneInfo).doc.id == "test"
