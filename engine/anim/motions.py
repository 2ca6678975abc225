"""Built-in procedural motions as normalized humanoid clips that play on any humanoid avatar.

Angles are degrees in the canonical frame (faces +Z, left +X, up +Y): +X pitch bends forward,
+Y yaw turns to the avatar's left, and +Z rolls its left arm up (a right arm down). Motions
animate only the bones they concern, so they layer over an idle; one-shot gestures start and
end in the relaxed stance the idle holds.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.anim import quat
from engine.anim.humanoid import HumanoidClip, HumanoidTrack

Frame = tuple[dict[str, np.ndarray], np.ndarray | None]
FPS = 30.0
LEG_LENGTH = 0.8  # metres: the hips offsets below are for a leg this long


def ease(x: float | np.ndarray) -> float | np.ndarray:
    """Smoothstep ease in/out on [0, 1]."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def envelope(t: float, duration: float, attack: float, release: float) -> float:
    """0 -> 1 over ``attack`` seconds, hold, 1 -> 0 over the last ``release`` seconds, eased."""
    rise = ease(t / attack) if attack > 0 else 1.0
    fall = ease((duration - t) / release) if release > 0 else 1.0
    return float(min(rise, fall))


def rot(x: float = 0.0, y: float = 0.0, z: float = 0.0) -> np.ndarray:
    """A normalized rotation from degrees about the canonical X, then Y, then Z."""
    return quat.from_euler([x, y, z], "XYZ")


def mirror(q: np.ndarray) -> np.ndarray:
    """The left/right mirror image (through the YZ plane) of a rotation."""
    return np.array([q[0], -q[1], -q[2], q[3]])


def sides(name: str, left: np.ndarray) -> dict[str, np.ndarray]:
    """``{leftName: left, rightName: mirror(left)}`` for a bone name without side prefix."""
    return {f"left{name}": left, f"right{name}": mirror(left)}


def relaxed_arms() -> dict[str, np.ndarray]:
    """Arms hanging at the sides, elbows a little bent: the stance every motion returns to."""
    return sides("UpperArm", rot(0.0, -8.0, -72.0)) | sides("LowerArm", rot(0.0, -12.0, 0.0))


def _bake(name: str, duration: float, loop: bool, frame: Callable[[float], Frame], fps: float = FPS
          ) -> HumanoidClip:
    """Sample ``frame(t)`` at ``fps`` into a clip; looping clips end exactly where they start."""
    count = max(2, int(round(duration * fps)) + 1)
    times = np.linspace(0.0, duration, count)
    frames = [frame(0.0 if loop and i == count - 1 else float(t)) for i, t in enumerate(times)]
    tracks = {}
    for bone in frames[0][0]:
        values = np.array([f[0][bone] for f in frames])
        for i in range(1, len(values)):
            if quat.dot(values[i - 1], values[i]) < 0.0:
                values[i] = -values[i]
        tracks[bone] = HumanoidTrack(times.copy(), values)
    hips = None if frames[0][1] is None else np.array([f[1] for f in frames])
    return HumanoidClip(name, duration, loop, tracks, None if hips is None else times.copy(), hips,
                        LEG_LENGTH)


def _harmonics(rng: np.random.Generator, count: int, period: float) -> Callable[[float], float]:
    """A smooth periodic noise in about [-1, 1]: sines at whole multiples of 1/period."""
    ks = rng.choice(np.arange(1, 6), size=count, replace=False)
    amps = rng.uniform(0.4, 1.0, size=count)
    phases = rng.uniform(0.0, 2 * np.pi, size=count)
    total = float(np.sum(amps))

    def noise(t: float) -> float:
        return float(np.sum(amps * np.sin(2 * np.pi * ks * t / period + phases)) / total)

    return noise


def _blend(a: dict[str, np.ndarray], b: dict[str, np.ndarray], w: float) -> dict[str, np.ndarray]:
    return {bone: quat.slerp(a[bone], b[bone], w) for bone in a}


def idle(duration: float = 4.0, seed: int = 0) -> HumanoidClip:
    """Breathing (chest and shoulders), relaxed arms, a slight seeded head sway; loops."""
    rng = np.random.default_rng(seed)
    yaw, pitch = _harmonics(rng, 2, duration), _harmonics(rng, 2, duration)
    arms = relaxed_arms()

    def frame(t: float) -> Frame:
        breath = 0.5 - 0.5 * np.cos(2 * np.pi * t / duration)  # one breath per loop, 0..1
        out = dict(arms)
        out["spine"] = rot(-0.6 * breath)
        out["chest"] = rot(-1.8 * breath)
        out["upperChest"] = rot(-1.2 * breath)
        out |= sides("Shoulder", rot(0.0, 0.0, 1.5 * breath))
        out["neck"] = rot(1.0 * breath + 1.0 * pitch(t), 1.5 * yaw(t))
        out["head"] = rot(1.5 * pitch(t), 2.0 * yaw(t))
        return out, None

    return _bake("idle", duration, True, frame)


def weight_shift(duration: float = 6.0, seed: int = 0) -> HumanoidClip:
    """Weight moving from one leg to the other and back, hips swaying; loops (no randomness)."""
    arms = relaxed_arms()

    def frame(t: float) -> Frame:
        s = np.sin(2 * np.pi * t / duration)  # +1: weight on the left leg
        out = dict(arms)
        out["hips"] = rot(0.0, 0.0, 4.0 * s)
        out["spine"] = rot(0.0, 0.0, -5.0 * s)
        out["chest"] = rot(0.0, 0.0, -1.0 * s)
        out["head"] = rot(0.0, 0.0, 1.5 * s)
        # Legs roll back against the hips so the feet stay planted; the free knee bends.
        bend_left, bend_right = 8.0 * max(-s, 0.0), 8.0 * max(s, 0.0)
        out["leftUpperLeg"] = rot(-bend_left, 0.0, -4.0 * s)
        out["rightUpperLeg"] = rot(-bend_right, 0.0, -4.0 * s)
        out["leftLowerLeg"] = rot(2 * bend_left)
        out["rightLowerLeg"] = rot(2 * bend_right)
        out["leftFoot"] = rot(-bend_left)
        out["rightFoot"] = rot(-bend_right)
        return out, np.array([0.035 * s, -0.004 * abs(s), 0.0])

    return _bake("weight_shift", duration, True, frame)


def wave(duration: float = 2.6, seed: int = 0) -> HumanoidClip:
    """Right arm up, forearm up with the palm forward, hand waving twice-a-second; one shot."""
    rest = relaxed_arms()
    rest_right = {"rightUpperArm": rest["rightUpperArm"], "rightLowerArm": rest["rightLowerArm"],
                  "rightHand": quat.identity()}
    raised = {"rightUpperArm": rot(0.0, 20.0, 15.0),
              "rightLowerArm": quat.mul(rot(0.0, 90.0, 0.0), rot(0.0, 0.0, -95.0)),
              "rightHand": quat.identity()}

    def frame(t: float) -> Frame:
        w = envelope(t, duration, 0.5, 0.55)
        out = _blend(rest_right, raised, w)
        swing = np.sin(2 * np.pi * 2.0 * max(t - 0.35, 0.0)) * w
        out["rightLowerArm"] = quat.mul(rot(0.0, 0.0, 14.0 * swing), out["rightLowerArm"])
        out["rightHand"] = rot(0.0, 0.0, 12.0 * swing)
        out["head"] = rot(0.0, -4.0 * w, 3.0 * w)
        return out, None

    return _bake("wave", duration, False, frame)


def nod(duration: float = 1.4, seed: int = 0) -> HumanoidClip:
    """Two nods of the head and neck, starting and ending still; one shot."""

    def frame(t: float) -> Frame:
        pitch = 16.0 * np.sin(np.pi * 2.0 * t / duration) ** 2  # two bumps, zero slope at the ends
        return {"neck": rot(0.4 * pitch), "head": rot(0.6 * pitch)}, None

    return _bake("nod", duration, False, frame)


def shake_head(duration: float = 1.8, seed: int = 0) -> HumanoidClip:
    """The head turning left and right twice, eased in and out; one shot."""

    def frame(t: float) -> Frame:
        yaw = 24.0 * np.sin(2 * np.pi * 2.0 * t / duration) * np.sin(np.pi * t / duration)
        return {"neck": rot(0.0, 0.35 * yaw), "head": rot(0.0, 0.65 * yaw)}, None

    return _bake("shake_head", duration, False, frame)


def point(duration: float = 2.4, seed: int = 0) -> HumanoidClip:
    """Right arm points forward and out with the index finger, the others curled; one shot."""
    rest = relaxed_arms()
    start = {"rightUpperArm": rest["rightUpperArm"], "rightLowerArm": rest["rightLowerArm"],
             "rightHand": quat.identity()}
    target = {"rightUpperArm": rot(0.0, 65.0, 18.0), "rightLowerArm": rot(0.0, 8.0, 0.0),
              "rightHand": rot(0.0, 0.0, -5.0)}
    curl = [f"right{f}{p}" for f in ("Middle", "Ring", "Little")
            for p in ("Proximal", "Intermediate", "Distal")]

    def frame(t: float) -> Frame:
        w = envelope(t, duration, 0.5, 0.6)
        out = _blend(start, target, w)
        for bone in curl:
            out[bone] = rot(0.0, 0.0, 75.0 * w)  # right fingers along -X curl down with +Z
        out["rightThumbProximal"] = rot(0.0, 30.0 * w, 20.0 * w)
        out["rightIndexProximal"] = quat.identity()
        out["head"] = rot(0.0, -8.0 * w)
        return out, None

    return _bake("point", duration, False, frame)


def bow(duration: float = 2.4, seed: int = 0) -> HumanoidClip:
    """A polite bow from the hips and spine, head following, held briefly; one shot."""
    arms = relaxed_arms()

    def frame(t: float) -> Frame:
        w = envelope(t, duration, 0.7, 0.8)
        out = dict(arms)
        out |= {"hips": rot(8.0 * w), "spine": rot(12.0 * w), "chest": rot(8.0 * w),
                "upperChest": rot(4.0 * w), "neck": rot(6.0 * w), "head": rot(4.0 * w)}
        # Legs stay upright against the hips' pitch; the hips shift back to keep balance.
        out |= sides("UpperLeg", rot(-8.0 * w))
        return out, np.array([0.0, -0.01 * w, -0.04 * w])

    return _bake("bow", duration, False, frame)


def talk(duration: float = 4.0, seed: int = 0) -> HumanoidClip:
    """Conversational beats: forearms forward, hands and head moving with seeded rhythm; loops."""
    rng = np.random.default_rng(seed)
    beats = [_harmonics(rng, 3, duration) for _ in range(6)]
    arms = relaxed_arms()

    def frame(t: float) -> Frame:
        lh, rh, lf, rf, hx, hy = (b(t) for b in beats)
        out = {
            "leftUpperArm": quat.mul(rot(0.0, -12.0 + 6.0 * lf, 4.0 * lh), arms["leftUpperArm"]),
            "rightUpperArm": quat.mul(rot(0.0, 12.0 - 6.0 * rf, -4.0 * rh), arms["rightUpperArm"]),
            "leftLowerArm": rot(0.0, -55.0 - 15.0 * lh, 0.0),
            "rightLowerArm": rot(0.0, 55.0 + 15.0 * rh, 0.0),
            "leftHand": rot(10.0 * lf, 0.0, 8.0 * lh),
            "rightHand": rot(10.0 * rf, 0.0, -8.0 * rh),
            "neck": rot(2.0 * hx, 3.0 * hy),
            "head": rot(3.0 * hx, 4.0 * hy, 2.0 * lh),
            "chest": rot(1.0 * hx, 1.5 * hy),
        }
        return out, None

    return _bake("talk", duration, True, frame)


MOTIONS: dict[str, Callable[..., HumanoidClip]] = {
    "idle": idle, "weight_shift": weight_shift, "wave": wave, "nod": nod,
    "shake_head": shake_head, "point": point, "bow": bow, "talk": talk,
}


def make_motion(name: str, seed: int = 0, duration: float | None = None) -> HumanoidClip:
    """The library motion called ``name`` (KeyError lists the known names)."""
    if name not in MOTIONS:
        raise KeyError(f"unknown motion {name!r}; known: {', '.join(MOTIONS)}")
    make = MOTIONS[name]
    return make(seed=seed) if duration is None else make(duration=duration, seed=seed)
