"""FacePlugin in a real scene: an emote cue smiles the built-in human, and it blinks."""

from __future__ import annotations

import numpy as np

from engine.anim.face_plugin import FaceState
from engine.components.avatar import PoseState
from engine.scene.runtime import scene_app
from tests.conftest import HEADER

SCENE = HEADER + """
[[entity]]
name = "host"
[entity.avatar]
style = "guide"

[[entity]]
name = "cam"
[entity.camera]
[entity.transform]
position = [0.0, 1.5, 2.5]

[[cue]]
at = 1.0
do = "emote"
who = "host"
emotion = "happy"
intensity = 0.9
duration = 1.5
"""


def test_emote_cue_smiles_fades_and_eyes_blink(project):
    app, _ = scene_app(project.scene(SCENE))  # the scene app includes FacePlugin
    world = app.world
    [(entity, (face, state))] = world.query(FaceState, PoseState)
    mixer = face.mixer
    smile, blink = [], []
    for _ in range(30 * 6):
        app.step()
        smile.append((mixer.morph_weight("mouthSmileLeft", state.pose), mixer.morph_weight("mouthSmileRight", state.pose)))
        blink.append((mixer.morph_weight("eyeBlinkLeft", state.pose), mixer.morph_weight("eyeBlinkRight", state.pose)))
    smile = np.array(smile)
    blink = np.array(blink)
    t = (np.arange(len(smile)) + 1) / 30.0
    assert smile[t < 1.0].max() == 0.0
    assert smile[(t > 1.6) & (t < 2.5)].min() > 0.85  # happy at 0.9 on both mouth corners
    assert smile[t > 3.5].max() < 1e-3  # faded after its 1.5 s duration
    assert blink.max() > 0.8 and blink.min() == 0.0
    closed = blink[:, 0] > 0.5
    assert int(np.sum(closed[1:] & ~closed[:-1])) >= 1, "the eyelids close and open again"
    assert abs(mixer.gaze[0]) < 15.0  # the camera is straight ahead: eyes near centre
