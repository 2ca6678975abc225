"""Python behaviours: hooks, the facade, and isolation of failing scripts."""

from __future__ import annotations

import logging

from engine.components import Transform
from engine.events import KeyPressed, Say
from engine.scene.actions import ActionLog
from engine.scene.runtime import scene_app
from engine.scripting.host import ScriptHost
from tests.conftest import HEADER

SCENE = HEADER + """
[[entity]]
name = "host"
behaviours = ["mover:Mover", "boom:Boom"]
[entity.avatar]
style = "guide"
"""

MOVER = """
from engine.components import Transform
from engine.events import KeyPressed
from engine.scripting import Behaviour


class Mover(Behaviour):
    def on_start(self):
        self.started = True
        self.keys = []

    def on_update(self, dt):
        self.scene.get(self.entity, Transform).position[0] += dt

    def on_event(self, event):
        if isinstance(event, KeyPressed):
            self.keys.append(event.key)
            self.scene.say("host", "you pressed " + event.key)
"""

BOOM = """
from engine.scripting import Behaviour


class Boom(Behaviour):
    def on_update(self, dt):
        if self.scene.time > 0.5:
            raise ZeroDivisionError("boom at half a second")
"""


def _host(app) -> ScriptHost:
    return app.world.resources.get(ScriptHost)


def test_hooks_run_and_facade_issues_actions(project):
    project.write("scripts/mover.py", MOVER)
    project.write("scripts/boom.py", BOOM.replace("0.5", "1e9"))
    app, _ = scene_app(project.scene(SCENE))
    app.run(30)
    host = app.world.resources.get(ScriptHost)
    mover = host.instances[0].behaviour
    assert mover.started
    entity = app.world.resources.get(ScriptHost).instances[0].entity
    assert abs(app.world.get(entity, Transform).position[0] - 1.0) < 1e-6  # 30 ticks of 1/30 s
    app.world.events.send(KeyPressed("space"))
    app.step()
    assert mover.keys == ["space"]
    said = [e for e in app.world.resources.get(ActionLog).entries if e.action == "say"]
    assert said[0].args["text"] == "you pressed space" and said[0].source == "mover:Mover@host"
    assert [s.text for s in app.world.events.pending(Say)] == ["you pressed space"]


def test_a_raising_behaviour_is_disabled_and_the_scene_keeps_running(project, caplog):
    project.write("scripts/mover.py", MOVER)
    project.write("scripts/boom.py", BOOM)
    app, _ = scene_app(project.scene(SCENE))
    with caplog.at_level(logging.ERROR, logger="persona.scripts"):
        app.run(60)
    host = _host(app)
    (error,) = host.errors
    assert error.file.endswith("scripts/boom.py") and error.line == 7
    assert error.hook == "on_update" and "ZeroDivisionError" in error.message
    assert "boom.py:7" in caplog.text and "behaviour disabled" in caplog.text
    assert host.active == 1
    entity = host.instances[0].entity
    assert abs(app.world.get(entity, Transform).position[0] - 2.0) < 1e-6  # mover kept going


def test_import_errors_and_wrong_base_class_are_isolated(project):
    project.write("scripts/mover.py", MOVER)
    project.write("scripts/boom.py", "import not_a_module_anywhere\nclass Boom:\n    pass\n")
    app, _ = scene_app(project.scene(SCENE))
    app.run(5)
    (error,) = _host(app).errors
    assert error.hook == "import" and "ModuleNotFoundError" in error.message and error.line == 1
    assert _host(app).active == 1

    project.write("scripts/boom.py", "class Boom:\n    pass\n")
    app, _ = scene_app(project.scene(SCENE))
    (error,) = _host(app).errors
    assert "must subclass engine.scripting.Behaviour" in error.message


def test_bad_action_arguments_from_a_script_disable_it_with_a_clear_message(project):
    project.write("scripts/mover.py", MOVER)
    project.write("scripts/boom.py", """
from engine.scripting import Behaviour


class Boom(Behaviour):
    def on_start(self):
        self.scene.emote("host", "ecstatic")
""")
    app, _ = scene_app(project.scene(SCENE))
    app.run(2)
    (error,) = _host(app).errors
    assert error.hook == "on_start" and "emote: emotion: unknown value 'ecstatic'" in error.message


def test_behaviour_random_is_seeded_per_scene_and_entity(project):
    project.write("scripts/mover.py", MOVER)
    project.write("scripts/boom.py", BOOM.replace("0.5", "1e9"))
    draws = []
    for _ in range(2):
        app, _ = scene_app(project.scene(SCENE))
        draws.append([i.behaviour.random.random() for i in _host(app).instances])
    assert draws[0] == draws[1] and draws[0][0] != draws[0][1]
