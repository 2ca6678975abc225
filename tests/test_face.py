"""Face layers: arbitration rules, clamping and smoothing, idle blinks and saccades."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from engine.anim import quat
from engine.anim.face import EMOTIONS, FaceConfig, FaceMixer
from engine.anim.idle_face import IdleConfig, IdleFace
from engine.anim.pose import Pose
from engine.assets.maker import make_avatar
from engine.assets.maker.params import AvatarParams
from engine.assets.model import AvatarAsset, Mesh, Node

DT = 1.0 / 30.0
NO_BLINKS = IdleConfig(blinks_per_minute=0.0001, double_blink_chance=0.0)


@pytest.fixture(scope="module")
def human() -> AvatarAsset:
    return make_avatar(AvatarParams.from_style("guide", 0))


def _with_overrides(asset: AvatarAsset, name: str, **overrides: str) -> AvatarAsset:
    out = copy.copy(asset)
    out.vrm = copy.copy(asset.vrm)
    out.vrm.expressions = dict(asset.vrm.expressions)
    expression = copy.copy(asset.vrm.expressions[name])
    for key, value in overrides.items():
        setattr(expression, key, value)
    out.vrm.expressions[name] = expression
    return out


def _run(mixer: FaceMixer, asset: AvatarAsset, seconds: float, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    rest = Pose.rest(asset)
    pose = rest.copy()
    out = {n: [] for n in names}
    for _ in range(round(seconds / DT)):
        pose.assign(rest)
        mixer.step(pose, DT)
        for n in names:
            out[n].append(mixer.morph_weight(n, pose))
    return {n: np.array(v) for n, v in out.items()}


def test_blink_blocked_by_an_expression_with_override_block(human):
    asset = _with_overrides(human, "happy", override_blink="block")
    free = _run(FaceMixer(asset, seed=3), asset, 20.0, ("eyeBlinkLeft",))["eyeBlinkLeft"]
    assert free.max() > 0.8, "blinks close the eyes when nothing overrides them"
    mixer = FaceMixer(asset, seed=3)
    mixer.set_expression("happy", 1.0)
    happy = _run(mixer, asset, 20.0, ("eyeBlinkLeft", "mouthSmileLeft"))
    assert happy["mouthSmileLeft"][-1] > 0.95
    assert happy["eyeBlinkLeft"].max() == 0.0


def test_blink_scaled_by_an_expression_with_override_blend(human):
    asset = _with_overrides(human, "sad", override_blink="blend")
    free = FaceMixer(asset, seed=5)
    sad = FaceMixer(asset, seed=5)
    sad.set_expression("sad", 0.6, fade_in=0.0)
    a = _run(free, asset, 20.0, ("eyeBlinkLeft",))["eyeBlinkLeft"]
    b = _run(sad, asset, 20.0, ("eyeBlinkLeft",))["eyeBlinkLeft"]
    settled = slice(30, None)  # after the expression's smoothing settled
    assert a[settled].max() > 0.8
    np.testing.assert_allclose(b[settled], a[settled] * 0.4, atol=1e-3)


def test_visemes_survive_a_smile(human):
    names = ("aa", "mouthSmileLeft", "mouthSmileRight", "jawOpen")
    talking = FaceMixer(human, seed=1, idle=NO_BLINKS)
    talking.set_visemes({"aa": 0.7})
    smiling = FaceMixer(human, seed=1, idle=NO_BLINKS)
    smiling.set_visemes({"aa": 0.7})
    smiling.set_expression("happy", 1.0)  # built-in happy has override_mouth "blend"
    a = _run(talking, human, 2.0, names)
    b = _run(smiling, human, 2.0, names)
    np.testing.assert_allclose(b["aa"], a["aa"])
    assert b["aa"][-1] == pytest.approx(0.7, abs=1e-3)
    assert b["mouthSmileLeft"][-1] > 0.95 and b["mouthSmileRight"][-1] > 0.95
    assert a["mouthSmileLeft"].max() == 0.0


def test_expression_jaw_yields_to_lip_sync_but_not_the_rest(human):
    quiet = FaceMixer(human, seed=1, idle=NO_BLINKS)
    quiet.set_expression("surprised", 1.0, fade_in=0.0)
    talking = FaceMixer(human, seed=1, idle=NO_BLINKS)
    talking.set_expression("surprised", 1.0, fade_in=0.0)
    talking.set_visemes({"oh": 1.0})
    a = _run(quiet, human, 1.0, ("jawOpen", "eyeWideLeft"))
    b = _run(talking, human, 1.0, ("jawOpen", "eyeWideLeft", "oh"))
    assert a["jawOpen"][-1] == pytest.approx(0.35, abs=1e-3)
    assert b["jawOpen"][-1] == pytest.approx(0.0, abs=1e-3)
    assert b["oh"][-1] == pytest.approx(1.0, abs=1e-3)
    assert b["eyeWideLeft"][-1] == pytest.approx(a["eyeWideLeft"][-1])


def test_strict_vrm_mouth_mode_follows_override_mouth(human):
    blend = FaceMixer(human, seed=1, config=FaceConfig(strict_vrm_mouth=True), idle=NO_BLINKS)
    blend.set_visemes({"aa": 1.0})
    blend.set_expression("happy", 0.5, fade_in=0.0)
    assert _run(blend, human, 2.0, ("aa",))["aa"][-1] == pytest.approx(0.5, abs=1e-3)
    asset = _with_overrides(human, "happy", override_mouth="block")
    block = FaceMixer(asset, seed=1, config=FaceConfig(strict_vrm_mouth=True), idle=NO_BLINKS)
    block.set_visemes({"aa": 1.0})
    block.set_expression("happy", 0.5, fade_in=0.0)
    assert _run(block, asset, 2.0, ("aa",))["aa"][-1] == 0.0


def test_weights_are_clamped_and_smoothed(human):
    mixer = FaceMixer(human, seed=2, idle=NO_BLINKS)
    mixer.set_expression("happy", 5.0, fade_in=0.0)  # out-of-range intensity, an instant step
    mixer.set_visemes({"ee": 3.0, "aa": -1.0})
    rest = Pose.rest(human)
    rest.weights[0][:] = 0.9  # a base pose that already uses the morphs
    pose = rest.copy()
    previous = {}
    for tick in range(60):
        pose.assign(rest)
        mixer.step(pose, DT)
        assert np.all(pose.weights[0] >= 0.0) and np.all(pose.weights[0] <= 1.0)
        smile = mixer.controls["happy"]
        ee = mixer.controls["ee"]
        if previous:
            assert abs(smile - previous["happy"]) < 0.3, f"happy snapped at tick {tick}"
            assert abs(ee - previous["ee"]) < 0.6, f"ee snapped at tick {tick}"
        assert 0.0 <= smile <= 1.0 and 0.0 <= ee <= 1.0
        previous = {"happy": smile, "ee": ee}
    assert previous["happy"] == pytest.approx(1.0, abs=1e-3)
    assert mixer.controls["aa"] == 0.0


def test_expression_fades_in_and_out_after_its_duration(human):
    mixer = FaceMixer(human, seed=2, idle=NO_BLINKS)
    mixer.set_expression("sad", 0.8, duration=1.0, fade_in=0.2, fade_out=0.3)
    w = _run(mixer, human, 2.5, ("browInnerUp",))["browInnerUp"]
    t = (np.arange(len(w)) + 1) * DT
    assert w[t < 0.05].max() < 0.3
    assert w[(t > 0.6) & (t < 1.0)].min() == pytest.approx(0.8, abs=0.02)
    assert w[(t > 1.0) & (t < 1.6)].max() < 0.81 and w[t > 1.6].max() < 1e-3
    assert mixer.expression is None


def test_a_new_emotion_replaces_the_current_one(human):
    mixer = FaceMixer(human, seed=2, idle=NO_BLINKS)
    mixer.set_expression("happy", 1.0)
    _run(mixer, human, 1.0, ())
    mixer.set_expression("angry", 1.0)
    assert mixer.expression == "angry"
    w = _run(mixer, human, 1.5, ("mouthSmileLeft", "browDownLeft"))
    assert w["mouthSmileLeft"][-1] < 1e-3 and w["browDownLeft"][-1] > 0.95
    mixer.set_expression("neutral")
    w = _run(mixer, human, 1.5, ("browDownLeft",))
    assert w["browDownLeft"][-1] < 1e-3
    with pytest.raises(ValueError):
        mixer.set_expression("smug")
    assert set(EMOTIONS) == {"happy", "sad", "angry", "surprised", "relaxed", "neutral"}


def test_viseme_track_drives_lip_sync(human):
    class Track:
        def weights_at(self, t: float) -> dict[str, float]:
            return {"oh": 1.0} if 0.5 <= t < 1.0 else {}

    mixer = FaceMixer(human, seed=2, idle=NO_BLINKS)
    mixer.play_visemes(Track(), start=0.5)
    w = _run(mixer, human, 2.5, ("oh",))["oh"]
    t = (np.arange(len(w)) + 1) * DT
    assert w[t < 0.95].max() == 0.0
    assert w[(t > 1.2) & (t < 1.5)].min() > 0.9
    assert w[t > 1.8].max() < 0.01


def test_tracking_overrides_lower_layers(human):
    mixer = FaceMixer(human, seed=2, idle=NO_BLINKS)
    mixer.set_expression("happy", 1.0, fade_in=0.0)
    mixer.set_tracking({"mouthSmileLeft": 0.2, "jawOpen": 0.6})
    w = _run(mixer, human, 1.0, ("mouthSmileLeft", "mouthSmileRight", "jawOpen"))
    assert w["mouthSmileLeft"][-1] == pytest.approx(0.2, abs=1e-3)
    assert w["mouthSmileRight"][-1] > 0.95
    assert w["jawOpen"][-1] == pytest.approx(0.6, abs=1e-3)


def test_arkit_only_avatar_without_vrm():
    names = ["eyeBlinkLeft", "eyeBlinkRight", "mouthSmileLeft", "mouthSmileRight", "jawOpen",
             "eyeLookOutLeft", "eyeLookInLeft", "eyeLookInRight", "eyeLookOutRight", "eyeLookUpLeft",
             "eyeLookUpRight", "eyeLookDownLeft", "eyeLookDownRight"]
    asset = AvatarAsset(path=None, nodes=[Node("head", mesh=0)], meshes=[Mesh("face", [], target_names=names)])
    mixer = FaceMixer(asset, seed=4)
    mixer.set_expression("happy", 1.0)
    mixer.set_visemes({"aa": 1.0})
    mixer.set_gaze_target(np.array([1.0, 0.06, 1.0]))  # 45 deg toward the avatar's left
    w = _run(mixer, asset, 30.0, ("eyeBlinkLeft", "mouthSmileLeft", "jawOpen", "eyeLookOutLeft", "eyeLookInRight",
                                  "eyeLookInLeft"))
    assert w["mouthSmileLeft"][-1] > 0.95 and w["jawOpen"][-1] == pytest.approx(0.7, abs=1e-3)
    assert w["eyeBlinkLeft"].max() > 0.8
    assert w["eyeLookOutLeft"][-1] > 0.9 and w["eyeLookInRight"][-1] > 0.9 and w["eyeLookInLeft"][-1] == 0.0


def test_bone_gaze_turns_the_eyes_toward_the_target(human):
    rig_eyes = (human.vrm.humanoid["leftEye"], human.vrm.humanoid["rightEye"])
    rest = Pose.rest(human)
    for side, sign in (((5.0, 1.6, 2.0), 1.0), ((-5.0, 1.6, 2.0), -1.0)):
        mixer = FaceMixer(human, seed=4, idle=NO_BLINKS)
        mixer.set_gaze_target(np.array(side))
        pose = rest.copy()
        for _ in range(30):
            pose.assign(rest)
            mixer.step(pose, DT)
        yaw, _ = mixer.gaze
        assert sign * yaw > 30.0
        for eye in rig_eyes:
            forward = np.array([0.0, 0.0, 1.0])
            looked = quat.rotate(pose.rotation[eye], forward)
            assert sign * looked[0] > 0.05, "the eye turns toward the target side"


def test_blinks_rate_doubles_and_determinism():
    doubles = 0
    for seed in range(4):
        face = IdleFace(seed)
        last = 0
        for minute in range(3):
            for _ in range(30 * 60):
                face.update(DT)
            count = face.blink_count - last
            last = face.blink_count
            assert 12 <= count <= 24, f"seed {seed} minute {minute}: {count} blinks"
        assert face.double_count >= 1, f"seed {seed}: no double blink in 3 minutes"
        doubles += face.double_count
        for blink in face.blinks:
            assert 0.1 <= blink.duration <= 0.15
    a, b = IdleFace(11), IdleFace(11)
    wa = [a.update(DT) for _ in range(900)]
    wb = [b.update(DT) for _ in range(900)]
    assert wa == wb
    c = IdleFace(12)
    assert [c.update(DT) for _ in range(900)] != wa


def test_blinks_visible_in_sampled_closure():
    face = IdleFace(7)
    closure = np.array([face.update(DT).blink for _ in range(30 * 60)])
    edges = int(np.sum((closure[1:] > 0.5) & (closure[:-1] <= 0.5)))
    assert 10 <= edges <= 24
    assert closure.max() > 0.9


def test_saccades_are_small_and_spaced():
    config = IdleConfig()
    face = IdleFace(3, config)
    samples = [face.update(DT) for _ in range(30 * 120)]
    times = [s[0] for s in face.saccades]
    gaps = np.diff(times)
    assert len(times) > 40
    assert gaps.min() >= 0.5 - 1e-9 and gaps.max() <= 3.0 + 1e-9
    for _, yaw, pitch in face.saccades:
        assert abs(yaw) <= config.saccade_yaw and abs(pitch) <= config.saccade_pitch
    limit_yaw = config.saccade_yaw + 2 * config.drift_amplitude
    assert max(abs(s.yaw) for s in samples) <= limit_yaw
    assert max(abs(s.pitch) for s in samples) <= config.saccade_pitch + 2 * config.drift_amplitude
    assert not math.isclose(min(s.yaw for s in samples), max(s.yaw for s in samples))
