"""Cue timeline and triggers; scene loads."""

from __future__ import annotations

import pytest

from engine.components import Camera, Name
from engine.events import Cut, KeyPressed, MenuChosen, SceneEnded, ViewerArrived
from engine.scene.actions import ActionLog, SceneInfo
from engine.scene.runtime import scene_app
from tests.conftest import HEADER

CUES = """
[scene]
id = "cues"
title = "Cues"
duration = 2.0

[[entity]]
name = "host"
[entity.avatar]
style = "guide"

[[entity]]
name = "cam"
[entity.camera]
active = false

[[cue]]
at = 0.5
do = "say"
who = "host"
text = "first"

[[cue]]
at = 1.0
do = "cut"
camera = "cam"
shot = "close_up"
target = "host"

[[cue]]
on = "timer"
every = 0.75
do = "caption"
text = "tick"

[[cue]]
on = "key"
key = "space"
do = "gesture"
who = "host"
gesture = "wave"

[[cue]]
on = "menu_choice"
choice = "flights"
do = "say"
who = "host"
text = "flights"

[[cue]]
on = "viewer_arrived"
do = "emote"
who = "host"
emotion = "happy"

[[cue]]
on = "scene_end"
do = "caption"
text = "bye"
"""


def _log(app):
    return [(round(e.time, 3), e.action, e.args.get("text") or e.args.get("gesture") or e.args.get("emotion")
             or e.args.get("camera")) for e in app.world.resources.get(ActionLog).entries]


def test_timeline_timers_and_scene_end(project):
    app, _ = scene_app(project.scene(CUES))
    app.run(75)  # 2.5 s
    assert _log(app) == [
        (0.5, "say", "first"),
        (0.767, "caption", "tick"),
        (1.0, "cut", "cam"),
        (1.5, "caption", "tick"),
        (2.0, "caption", "bye"),
        (2.267, "caption", "tick"),
    ]


def test_cut_action_carries_entity_ids(project):
    app, _ = scene_app(project.scene(CUES))
    app.run(31)
    (cut,) = app.world.events.pending(Cut)
    names = {e: n.value for e, (n, _) in app.world.query(Name, Camera)}
    assert names[cut.camera] == "cam" and cut.shot == "close_up"


def test_event_cues_match_their_values(project):
    app, _ = scene_app(project.scene(CUES))
    events = app.world.events
    events.send(KeyPressed("x"))
    events.send(KeyPressed("space"))
    events.send(MenuChosen("shops"))
    events.send(MenuChosen("flights"))
    events.send(ViewerArrived("abc"))
    app.step()
    # one tick later; different event types are delivered type by type
    assert sorted(_log(app)) == [(0.0, "emote", "happy"), (0.0, "gesture", "wave"), (0.0, "say", "flights")]


def test_scene_end_is_sent_once(project):
    app, _ = scene_app(project.scene(CUES))
    seen = []
    reader = app.world.events.reader(SceneEnded)
    for _ in range(90):
        app.step()
        seen += list(reader.read())
    assert seen == [SceneEnded("cues")]


def test_load_scene_switches_world_and_a_broken_target_keeps_the_current_one(project):
    project.scene(HEADER.replace('"test"', '"second"') + '[[entity]]\nname = "only"\n', name="second.toml")
    project.scene(HEADER.replace('"test"', '"third"') + '[[entity]]\nname = "x"\n', name="third.toml")
    first = project.scene(HEADER + '[[cue]]\nat = 0.1\ndo = "load_scene"\nscene = "second.toml"\n')
    app, runner = scene_app(first)
    app.run(10)
    assert app.world.resources.get(SceneInfo).doc.id == "second"
    # break a scene on disk after validation of the caller: the load fails, the scene stays
    project.scene(HEADER.replace('"test"', '"loader"') + '[[cue]]\nat = 0.1\ndo = "load_scene"\n'
                  'scene = "third.toml"\n', name="loader.toml")
    app, runner = scene_app(project.root / "scenes" / "loader.toml")
    (project.root / "scenes" / "third.toml").write_text("[scene\n")
    app.run(10)
    assert app.world.resources.get(SceneInfo).doc.id == "loader"
    assert len(runner.load_errors) == 1 and "third.toml:1:" in runner.load_errors[0]


def test_invalid_scene_raises_with_diagnostics(project):
    from engine.scene import SceneError

    with pytest.raises(SceneError):
        scene_app(project.scene('[scene]\nid = "x"\n'))
