"""Face expression arbitration: tracking > lip sync > scripted expression > idle (blink, saccades, gaze).

A ``FaceMixer`` per avatar turns layer inputs into morph weights (and eye bone rotations):

* **tracking** (``set_tracking``): ARKit-52 weights by name from capture; they replace what the
  lower layers put on the same morph targets, by the layer's ``amount``.
* **lip sync** (``set_visemes`` / ``play_visemes``): viseme weights ``aa ih ou ee oh`` plus
  ``closed`` (m/b/p) and ``teeth`` (f/v).
* **scripted expression** (``set_expression``): emotions ``happy sad angry surprised relaxed
  neutral`` with intensity, fade in/out and an optional duration.
* **idle** (``engine.anim.idle_face``): blinks, saccades and drift around a gaze target.

Rules (after three-vrm's expression overrides): an expression with ``override_blink`` "block"
stops blinks while it shows, "blend" scales them by ``1 - weight``; ``override_look_at`` does the
same to gaze. ``override_mouth`` follows VRM in ``strict_vrm_mouth`` mode; by default lip sync
outranks the expression (the layer order above): visemes keep their weight and the expression
yields only the jaw/lip-opening targets the visemes drive, so a smile stays on the mouth
corners while the visemes open the jaw. Every morph weight is clamped to [0, 1]; expression,
viseme, tracking and gaze inputs are smoothed by critically damped springs
(``FaceConfig`` time constants), so nothing snaps from one tick to the next.

Controls resolve to morph targets through the avatar's VRM expressions (name -> morph_binds)
when present, else directly through ARKit / viseme morph target names (the built-in human has
all 52 + ``aa ih ou ee oh``). Gaze goes to the eye bones when VRM lookAt is "bone", else to the
lookUp/Down/Left/Right expressions or the ARKit ``eyeLook*`` morphs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from engine.anim import quat
from engine.anim.idle_face import IdleConfig, IdleFace, IdleSample
from engine.anim.pose import Pose
from engine.assets.model import VISEMES, AvatarAsset, Expression
from engine.mathx import trs_matrices

EMOTIONS = ("happy", "sad", "angry", "surprised", "relaxed", "neutral")
VISEME_CONTROLS = (*VISEMES, "closed", "teeth")
LOOK_CONTROLS = ("lookUp", "lookDown", "lookLeft", "lookRight")

# ARKit combos for avatars without VRM expressions (or missing ones).
ARKIT_EMOTIONS: dict[str, dict[str, float]] = {
    "happy": {"mouthSmileLeft": 1.0, "mouthSmileRight": 1.0, "cheekSquintLeft": 0.6, "cheekSquintRight": 0.6,
              "eyeSquintLeft": 0.4, "eyeSquintRight": 0.4, "browInnerUp": 0.2},
    "sad": {"browInnerUp": 1.0, "mouthFrownLeft": 0.8, "mouthFrownRight": 0.8, "eyeSquintLeft": 0.2,
            "eyeSquintRight": 0.2, "mouthShrugLower": 0.3},
    "angry": {"browDownLeft": 1.0, "browDownRight": 1.0, "noseSneerLeft": 0.4, "noseSneerRight": 0.4,
              "mouthFrownLeft": 0.5, "mouthFrownRight": 0.5, "mouthPressLeft": 0.4, "mouthPressRight": 0.4},
    "surprised": {"eyeWideLeft": 1.0, "eyeWideRight": 1.0, "browInnerUp": 1.0, "browOuterUpLeft": 1.0,
                  "browOuterUpRight": 1.0, "jawOpen": 0.35},
    "relaxed": {"mouthSmileLeft": 0.45, "mouthSmileRight": 0.45, "eyeSquintLeft": 0.35, "eyeSquintRight": 0.35,
                "eyeBlinkLeft": 0.25, "eyeBlinkRight": 0.25},
    "neutral": {},
}
ARKIT_VISEMES: dict[str, dict[str, float]] = {
    "aa": {"jawOpen": 0.7, "mouthLowerDownLeft": 0.3, "mouthLowerDownRight": 0.3},
    "ih": {"jawOpen": 0.25, "mouthStretchLeft": 0.4, "mouthStretchRight": 0.4},
    "ou": {"jawOpen": 0.2, "mouthPucker": 0.8, "mouthFunnel": 0.4},
    "ee": {"jawOpen": 0.15, "mouthStretchLeft": 0.6, "mouthStretchRight": 0.6, "mouthSmileLeft": 0.2,
           "mouthSmileRight": 0.2},
    "oh": {"jawOpen": 0.45, "mouthFunnel": 0.7},
    "closed": {"mouthPressLeft": 0.5, "mouthPressRight": 0.5, "mouthRollLower": 0.2, "mouthRollUpper": 0.2},
    "teeth": {"jawOpen": 0.08, "mouthRollLower": 0.5, "mouthUpperUpLeft": 0.3, "mouthUpperUpRight": 0.3},
}
ARKIT_BLINK = {"eyeBlinkLeft": 1.0, "eyeBlinkRight": 1.0}
# Left/right are the avatar's: looking to its left (+X) turns the left eye out and the right eye in.
ARKIT_LOOK = {
    "lookUp": {"eyeLookUpLeft": 1.0, "eyeLookUpRight": 1.0},
    "lookDown": {"eyeLookDownLeft": 1.0, "eyeLookDownRight": 1.0},
    "lookLeft": {"eyeLookOutLeft": 1.0, "eyeLookInRight": 1.0},
    "lookRight": {"eyeLookInLeft": 1.0, "eyeLookOutRight": 1.0},
}
ARKIT_LOOK_RANGE_DEG = 25.0  # gaze angle that drives an ARKit eyeLook morph fully
# Targets an expression gives up to lip sync while visemes are active (lip sync outranks expression).
JAW_TARGETS = ("jawOpen", "mouthClose", "mouthFunnel", "mouthPucker", "mouthLowerDownLeft", "mouthLowerDownRight",
               "mouthUpperUpLeft", "mouthUpperUpRight", "mouthRollLower", "mouthRollUpper", "mouthPressLeft",
               "mouthPressRight")


@dataclass(slots=True)
class FaceConfig:
    """Time constants (seconds, critically damped smoothing) and arbitration switches."""

    tau_expression: float = 0.08
    tau_viseme: float = 0.035
    tau_tracking: float = 0.03
    tau_gaze: float = 0.035
    fade_in: float = 0.25  # default fades of scripted expressions
    fade_out: float = 0.4
    strict_vrm_mouth: bool = False  # True: override_mouth scales visemes exactly as VRM says
    max_gaze_yaw: float = 35.0  # degrees either side the eyes may turn toward a target
    max_gaze_pitch: float = 25.0


class VisemeTrack(Protocol):
    """Anything giving viseme weights at a time (seconds from the track's start)."""

    def weights_at(self, t: float) -> Mapping[str, float]:
        """Viseme name -> weight 0..1 at ``t``."""


@dataclass(slots=True, eq=False)
class Binding:
    """What one control drives: morph targets grouped by mesh, and its VRM overrides."""

    name: str
    groups: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]  # (mesh, targets, weights, yields-to-lip-sync)
    source: str  # "vrm", "morph" or "arkit"
    override_blink: str = "none"
    override_look_at: str = "none"
    override_mouth: str = "none"
    is_binary: bool = False

    @property
    def empty(self) -> bool:
        """Whether it drives no morph target."""
        return not self.groups


def _override_amount(kind: str, weight: float) -> float:
    """How much an expression at ``weight`` suppresses what it overrides (three-vrm rule)."""
    if kind == "block":
        return 1.0 if weight > 1e-3 else 0.0
    if kind == "blend":
        return weight
    return 0.0


def smooth_cd(current: np.ndarray, velocity: np.ndarray, target: np.ndarray, tau: float,
              dt: float) -> tuple[np.ndarray, np.ndarray]:
    """One step of a critically damped spring toward ``target`` (``tau``: smoothing time)."""
    if tau <= 0.0:
        return target.copy(), np.zeros_like(velocity)
    omega = 2.0 / tau
    x = omega * dt
    decay = 1.0 / (1.0 + x + 0.48 * x * x + 0.235 * x * x * x)
    change = current - target
    temp = (velocity + omega * change) * dt
    velocity = (velocity - omega * temp) * decay
    return target + (change + temp) * decay, velocity


@dataclass(slots=True, eq=False)
class Smoothed:
    """A vector of values eased toward targets by a critically damped spring."""

    value: np.ndarray
    velocity: np.ndarray
    tau: float

    @classmethod
    def zeros(cls, n: int, tau: float) -> Smoothed:
        """``n`` values at rest at 0."""
        return cls(np.zeros(n), np.zeros(n), tau)

    def step(self, target: np.ndarray, dt: float) -> np.ndarray:
        """Advance ``dt`` toward ``target``; returns the new value."""
        self.value, self.velocity = smooth_cd(self.value, self.velocity, np.asarray(target, dtype=np.float64),
                                              self.tau, dt)
        return self.value


class FaceRig:
    """An avatar's face controls resolved to morph targets, eye bones and look ranges."""

    def __init__(self, asset: AvatarAsset) -> None:
        self.asset = asset
        self.counts = [len(m.target_names) or max((len(p.targets) for p in m.primitives), default=0)
                       for m in asset.meshes]
        self.by_name: dict[str, list[tuple[int, int]]] = {}
        for mesh_index, mesh in enumerate(asset.meshes):
            for target, name in enumerate(mesh.target_names):
                self.by_name.setdefault(name, []).append((mesh_index, target))
        vrm = asset.vrm
        self.expressions: dict[str, Expression] = dict(vrm.expressions) if vrm is not None else {}
        jaw = {pair for name in JAW_TARGETS for pair in self.by_name.get(name, ())}
        self.visemes = {name: self._resolve(name, ARKIT_VISEMES[name]) for name in VISEME_CONTROLS}
        for binding in self.visemes.values():  # dedicated viseme shapes (an ARKit combo's smile stays)
            if binding.source == "arkit":
                continue
            for mesh, targets, _, _ in binding.groups:
                jaw.update((mesh, int(t)) for t in targets)
        self.jaw = jaw
        self.emotions = {name: self._resolve(name, ARKIT_EMOTIONS[name], yield_to=jaw) for name in EMOTIONS}
        self.blink = self._resolve_blink()
        self.look_type = "none"
        self.eyes: tuple[int, int] | None = None
        self.head: int | None = None
        self.ranges: dict[str, tuple[float, float]] = {}
        self.offset_from_head = np.array([0.0, 0.06, 0.0])
        humanoid = vrm.humanoid if vrm is not None else {}
        self.head = humanoid.get("head", asset.node_index("head") if asset.node_index("head") is not None
                                 else asset.node_index("Head"))
        if vrm is not None:
            self.offset_from_head = np.asarray(vrm.look_at.offset_from_head, dtype=np.float64)
        self.looks: dict[str, Binding] = {}
        if vrm is not None and vrm.look_at.type == "bone" and "leftEye" in humanoid and "rightEye" in humanoid:
            self.look_type = "bone"
            self.eyes = (humanoid["leftEye"], humanoid["rightEye"])
            self.ranges = self._ranges(vrm.look_at.ranges, 10.0)
        elif vrm is not None and vrm.look_at.type == "expression" and any(
                n in self.expressions and self.expressions[n].morph_binds for n in LOOK_CONTROLS):
            self.look_type = "expression"
            self.looks = {n: self._resolve(n, {}) for n in LOOK_CONTROLS}
            self.ranges = self._ranges(vrm.look_at.ranges, 1.0)
        elif all(name in self.by_name for combo in ARKIT_LOOK.values() for name in combo):
            self.look_type = "arkit"
            self.looks = {n: self._from_names(n, ARKIT_LOOK[n], "arkit") for n in LOOK_CONTROLS}
            self.ranges = {k: (ARKIT_LOOK_RANGE_DEG, 1.0) for k in
                           ("horizontalInner", "horizontalOuter", "verticalDown", "verticalUp")}
        self.rest = Pose.rest(asset)
        self.rest_head_rotation = self._head_rotation(self.rest) if self.head is not None else None

    # -- resolution -----------------------------------------------------------------
    @staticmethod
    def _ranges(raw: dict, scale: float) -> dict[str, tuple[float, float]]:
        out = {}
        for key in ("horizontalInner", "horizontalOuter", "verticalDown", "verticalUp"):
            entry = raw.get(key) or {}
            out[key] = (float(entry.get("inputMaxValue", 90.0)) or 90.0, float(entry.get("outputScale", scale)))
        return out

    def _groups(self, pairs: list[tuple[int, int, float]], yield_to: set | None) -> list:
        by_mesh: dict[int, list[tuple[int, float]]] = {}
        for mesh, target, weight in pairs:
            if 0 <= mesh < len(self.counts) and 0 <= target < self.counts[mesh]:
                by_mesh.setdefault(mesh, []).append((target, weight))
        groups = []
        for mesh, items in by_mesh.items():
            targets = np.array([t for t, _ in items], dtype=np.int64)
            weights = np.array([w for _, w in items], dtype=np.float64)
            yields = np.array([(mesh, t) in (yield_to or ()) for t, _ in items], dtype=bool)
            groups.append((mesh, targets, weights, yields))
        return groups

    def _from_names(self, name: str, combo: Mapping[str, float], source: str, yield_to: set | None = None) -> Binding:
        pairs = [(mesh, target, weight) for morph, weight in combo.items() for mesh, target in self.by_name.get(morph, ())]
        return Binding(name, self._groups(pairs, yield_to), source)

    def _resolve(self, name: str, combo: Mapping[str, float], yield_to: set | None = None) -> Binding:
        expression = self.expressions.get(name)
        if expression is not None and (expression.morph_binds or not combo):
            pairs = [(b.mesh, b.target, float(b.weight)) for b in expression.morph_binds]
            return Binding(name, self._groups(pairs, yield_to), "vrm", expression.override_blink,
                           expression.override_look_at, expression.override_mouth, expression.is_binary)
        if name in self.by_name:
            return self._from_names(name, {name: 1.0}, "morph", yield_to)
        return self._from_names(name, combo, "arkit", yield_to)

    def _resolve_blink(self) -> Binding:
        blink = self.expressions.get("blink")
        if blink is not None and blink.morph_binds:
            return self._resolve("blink", {})
        pairs = [(b.mesh, b.target, float(b.weight)) for side in ("blinkLeft", "blinkRight")
                 for b in (self.expressions[side].morph_binds if side in self.expressions else ())]
        if pairs:
            return Binding("blink", self._groups(pairs, None), "vrm")
        return self._from_names("blink", ARKIT_BLINK, "arkit")

    # -- head frame ------------------------------------------------------------------
    def _chain_matrix(self, pose: Pose, index: int) -> np.ndarray:
        chain = []
        while index >= 0:
            chain.append(index)
            index = self.asset.nodes[index].parent
        chain = chain[::-1]
        matrices = trs_matrices(pose.translation[chain], pose.rotation[chain], pose.scale[chain])
        out = matrices[0]
        for matrix in matrices[1:]:
            out = out @ matrix
        return out

    def _head_rotation(self, pose: Pose) -> np.ndarray:
        matrix = self._chain_matrix(pose, self.head)
        rot = matrix[:3, :3] / np.maximum(np.linalg.norm(matrix[:3, :3], axis=0, keepdims=True), 1e-12)
        return rot

    def gaze_angles(self, pose: Pose, avatar_matrix: np.ndarray | None, target: np.ndarray) -> tuple[float, float]:
        """Yaw (+ toward the avatar's left) and pitch (+ up) in degrees from the eyes to a world point."""
        if self.head is None:
            return 0.0, 0.0
        head = self._chain_matrix(pose, self.head)
        eye = head[:3, :3] @ self.offset_from_head + head[:3, 3]
        model = np.eye(4) if avatar_matrix is None else np.asarray(avatar_matrix, dtype=np.float64)
        local = np.linalg.solve(model, np.append(np.asarray(target, dtype=np.float64), 1.0))[:3]
        direction = local - eye
        rot = head[:3, :3] / np.maximum(np.linalg.norm(head[:3, :3], axis=0, keepdims=True), 1e-12)
        delta = rot @ self.rest_head_rotation.T  # how far the head turned from rest (model space)
        d = delta.T @ direction
        if not np.all(np.isfinite(d)) or np.linalg.norm(d) < 1e-9:
            return 0.0, 0.0
        return math.degrees(math.atan2(d[0], d[2])), math.degrees(math.atan2(d[1], math.hypot(d[0], d[2])))


def _range_map(value: float, spec: tuple[float, float]) -> float:
    limit, scale = spec
    return min(abs(value), limit) / limit * scale


@dataclass(slots=True)
class _Scripted:
    emotion: str
    intensity: float
    start: float
    end: float | None
    fade_in: float
    fade_out: float

    def envelope(self, t: float) -> float:
        rise = 1.0 if self.fade_in <= 0 else min(1.0, max(0.0, (t - self.start) / self.fade_in))
        if t < self.start:
            rise = 0.0
        fall = 1.0
        if self.end is not None and t > self.end:
            fall = 0.0 if self.fade_out <= 0 else max(0.0, 1.0 - (t - self.end) / self.fade_out)
        return self.intensity * min(rise, fall)

    def done(self, t: float) -> bool:
        return self.end is not None and t >= self.end + self.fade_out


@dataclass(slots=True)
class FaceOutput:
    """The mixer's result for one tick: added morph weights per mesh and eye rotations."""

    morphs: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # mesh -> (targets, values)
    eye_rotations: dict[int, np.ndarray] = field(default_factory=dict)  # node -> local rotation to post-multiply


class FaceMixer:
    """Layer arbitration for one avatar's face; ``update`` each tick, then ``apply`` to its pose."""

    def __init__(self, asset: AvatarAsset, seed: int = 0, config: FaceConfig | None = None,
                 idle: IdleConfig | None = None) -> None:
        self.rig = FaceRig(asset)
        self.config = config or FaceConfig()
        self.idle = IdleFace(seed, idle or IdleConfig())
        self.idle_enabled = True
        self.time = 0.0
        cfg = self.config
        self._scripted: list[_Scripted] = []
        self._expr = Smoothed.zeros(len(EMOTIONS), cfg.tau_expression)
        self._vis = Smoothed.zeros(len(VISEME_CONTROLS), cfg.tau_viseme)
        self._gaze = Smoothed.zeros(2, cfg.tau_gaze)
        self._held_visemes: dict[str, float] = {}
        self._track: VisemeTrack | None = None
        self._track_start = 0.0
        self._tracking: dict[str, float] = {}
        self._tracking_amount = 0.0
        self._tracked = Smoothed.zeros(0, cfg.tau_tracking)
        self._tracked_names: list[str] = []
        self._tracking_layer = Smoothed.zeros(1, cfg.tau_tracking)
        self.gaze_target: np.ndarray | None = None
        self.sample = IdleSample()
        self.controls: dict[str, float] = {}  # every control's final weight this tick (for inspection)
        self.gaze = (0.0, 0.0)  # final yaw, pitch in degrees
        self.output = FaceOutput()

    # -- inputs --------------------------------------------------------------------------
    def set_expression(self, emotion: str, intensity: float = 1.0, duration: float | None = None, *,
                       fade_in: float | None = None, fade_out: float | None = None) -> None:
        """Show ``emotion`` from now (the current one fades out); ``neutral`` just fades out the rest."""
        if emotion not in EMOTIONS:
            raise ValueError(f"unknown emotion {emotion!r}; one of {', '.join(EMOTIONS)}")
        cfg = self.config
        now = self.time
        for entry in self._scripted:
            if entry.end is None or entry.end > now:
                entry.end = now
        fade_in = cfg.fade_in if fade_in is None else max(0.0, fade_in)
        fade_out = cfg.fade_out if fade_out is None else max(0.0, fade_out)
        if emotion != "neutral" or not self.rig.emotions["neutral"].empty:
            end = None if duration is None else now + max(0.0, duration)
            self._scripted.append(_Scripted(emotion, min(1.0, max(0.0, float(intensity))), now, end, fade_in,
                                            fade_out))

    def clear_expression(self) -> None:
        """Fade every scripted expression out from now."""
        for entry in self._scripted:
            if entry.end is None or entry.end > self.time:
                entry.end = self.time

    def set_visemes(self, weights: Mapping[str, float] | None) -> None:
        """Hold these viseme weights (``aa ih ou ee oh closed teeth``) until changed; None or {} closes."""
        self._held_visemes = {k: float(v) for k, v in (weights or {}).items() if k in VISEME_CONTROLS}

    def play_visemes(self, track: VisemeTrack | None, start: float | None = None) -> None:
        """Follow ``track.weights_at(now - start)`` (``start`` in mixer time, default now); None stops."""
        self._track = track
        self._track_start = self.time if start is None else start

    def set_tracking(self, weights: Mapping[str, float] | None, amount: float = 1.0) -> None:
        """Captured ARKit weights by name; they replace the lower layers on their targets by ``amount``."""
        self._tracking = {k: float(v) for k, v in (weights or {}).items() if k in self.rig.by_name}
        self._tracking_amount = min(1.0, max(0.0, amount)) if self._tracking else 0.0
        names = sorted(set(self._tracked_names) | set(self._tracking))
        if names != self._tracked_names:
            old = dict(zip(self._tracked_names, self._tracked.value, strict=True))
            self._tracked = Smoothed(np.array([old.get(n, 0.0) for n in names]), np.zeros(len(names)),
                                     self.config.tau_tracking)
            self._tracked_names = names

    def set_gaze_target(self, point: np.ndarray | None) -> None:
        """World position the eyes look toward (the active camera); None looks straight ahead."""
        self.gaze_target = None if point is None else np.asarray(point, dtype=np.float64)

    @property
    def expression(self) -> str | None:
        """The scripted emotion showing now (the latest not yet ended), if any."""
        live = [e for e in self._scripted if e.end is None or e.end > self.time]
        return live[-1].emotion if live else None

    # -- the tick ----------------------------------------------------------------------
    def _viseme_targets(self) -> np.ndarray:
        weights = dict(self._held_visemes)
        if self._track is not None:
            for name, value in self._track.weights_at(self.time - self._track_start).items():
                if name in VISEME_CONTROLS:
                    weights[name] = max(weights.get(name, 0.0), float(value))
        return np.clip(np.array([weights.get(n, 0.0) for n in VISEME_CONTROLS]), 0.0, 1.0)

    def update(self, dt: float, pose: Pose | None = None, avatar_matrix: np.ndarray | None = None) -> FaceOutput:
        """Advance ``dt`` seconds and arbitrate the layers; ``pose`` (this tick's body) aims the gaze."""
        cfg = self.config
        rig = self.rig
        self.time += dt
        t = self.time
        self.sample = self.idle.update(dt) if self.idle_enabled else IdleSample()
        # scripted expression layer
        target = np.zeros(len(EMOTIONS))
        for entry in self._scripted:
            target[EMOTIONS.index(entry.emotion)] += entry.envelope(t)
        self._scripted = [e for e in self._scripted if not e.done(t)]
        expr = np.clip(self._expr.step(np.clip(target, 0.0, 1.0), dt), 0.0, 1.0)
        for i, name in enumerate(EMOTIONS):
            if rig.emotions[name].is_binary:
                expr[i] = 1.0 if expr[i] > 0.5 else 0.0
        # lip sync layer
        vis = np.clip(self._vis.step(self._viseme_targets(), dt), 0.0, 1.0)
        # overrides from the expression layer onto blink, gaze and mouth
        blink_block = look_block = mouth_block = 0.0
        for i, name in enumerate(EMOTIONS):
            binding = rig.emotions[name]
            blink_block = max(blink_block, _override_amount(binding.override_blink, expr[i]))
            look_block = max(look_block, _override_amount(binding.override_look_at, expr[i]))
            mouth_block = max(mouth_block, _override_amount(binding.override_mouth, expr[i]))
        if cfg.strict_vrm_mouth:
            vis = vis * (1.0 - mouth_block)
        speaking = min(1.0, float(vis.sum()))
        blink = self.sample.blink * (1.0 - blink_block)
        # gaze: toward the target, plus saccades and drift
        yaw = pitch = 0.0
        if self.gaze_target is not None and pose is not None:
            yaw, pitch = rig.gaze_angles(pose, avatar_matrix, self.gaze_target)
        yaw = max(-cfg.max_gaze_yaw, min(cfg.max_gaze_yaw, yaw + self.sample.yaw))
        pitch = max(-cfg.max_gaze_pitch, min(cfg.max_gaze_pitch, pitch + self.sample.pitch))
        yaw, pitch = (float(v) * (1.0 - look_block) for v in self._gaze.step(np.array([yaw, pitch]), dt))
        self.gaze = (yaw, pitch)
        # compose morph weights
        acc = {}
        controls: dict[str, float] = {}

        def add(binding: Binding, weight: float, yield_scale: float = 1.0) -> None:
            controls[binding.name] = weight
            if weight <= 0.0:
                return
            for mesh, targets, weights, yields in binding.groups:
                values = acc.get(mesh)
                if values is None:
                    values = acc[mesh] = np.zeros(rig.counts[mesh])
                scale = np.where(yields, yield_scale, 1.0) if yield_scale != 1.0 else 1.0
                np.add.at(values, targets, weight * weights * scale)

        yield_scale = 1.0 if cfg.strict_vrm_mouth else 1.0 - speaking
        for i, name in enumerate(EMOTIONS):
            add(rig.emotions[name], float(expr[i]), yield_scale)
        for i, name in enumerate(VISEME_CONTROLS):
            add(rig.visemes[name], float(vis[i]))
        add(rig.blink, float(blink))
        eye_rotations: dict[int, np.ndarray] = {}
        if rig.look_type in ("expression", "arkit"):
            for name, value, key in (("lookLeft", max(yaw, 0.0), "horizontalOuter"),
                                     ("lookRight", min(yaw, 0.0), "horizontalOuter"),
                                     ("lookUp", max(pitch, 0.0), "verticalUp"),
                                     ("lookDown", min(pitch, 0.0), "verticalDown")):
                add(rig.looks[name], min(1.0, _range_map(value, rig.ranges[key])))
        elif rig.look_type == "bone" and rig.eyes is not None:
            vertical = (_range_map(pitch, rig.ranges["verticalUp"]) if pitch >= 0
                        else -_range_map(pitch, rig.ranges["verticalDown"]))
            for node, outward in zip(rig.eyes, (1.0, -1.0), strict=True):  # left eye: +yaw is outward
                key = "horizontalOuter" if yaw * outward >= 0 else "horizontalInner"
                horizontal = math.copysign(_range_map(yaw, rig.ranges[key]), yaw)
                q = quat.mul(quat.from_axis_angle(np.array([0.0, 1.0, 0.0]), math.radians(horizontal)),
                             quat.from_axis_angle(np.array([1.0, 0.0, 0.0]), -math.radians(vertical)))
                eye_rotations[node] = q
        # tracking replaces what the layers below put on its targets
        tracking = self._tracking_layer.step(np.array([self._tracking_amount]), dt)[0]
        if self._tracked_names:
            tracked = np.clip(self._tracked.step(np.array([self._tracking.get(n, 0.0) for n in self._tracked_names]),
                                                 dt), 0.0, 1.0)
            amount = min(1.0, max(0.0, float(tracking)))
            if amount > 1e-4:
                for name, value in zip(self._tracked_names, tracked, strict=True):
                    if name not in self._tracking:
                        continue
                    for mesh, target in rig.by_name[name]:
                        values = acc.get(mesh)
                        if values is None:
                            values = acc[mesh] = np.zeros(rig.counts[mesh])
                        values[target] = (1.0 - amount) * min(1.0, values[target]) + amount * value
        output = FaceOutput()
        for mesh, values in acc.items():
            targets = np.flatnonzero(values)
            output.morphs[mesh] = (targets, np.clip(values[targets], 0.0, 1.0))
        output.eye_rotations = eye_rotations
        self.controls = controls
        self.output = output
        return output

    def apply(self, pose: Pose) -> None:
        """Add this tick's face onto ``pose`` (morph weights clamped to [0, 1], eyes rotated)."""
        for mesh, (targets, values) in self.output.morphs.items():
            weights = pose.weights.get(mesh)
            if weights is None or not len(targets):
                continue
            weights[targets] = np.clip(weights[targets] + values, 0.0, 1.0)
        for node, q in self.output.eye_rotations.items():
            pose.rotation[node] = quat.normalize(quat.mul(pose.rotation[node], q))

    def step(self, pose: Pose, dt: float, avatar_matrix: np.ndarray | None = None) -> FaceOutput:
        """``update`` then ``apply`` to ``pose``."""
        output = self.update(dt, pose, avatar_matrix)
        self.apply(pose)
        return output

    def morph_weight(self, name: str, pose: Pose | None = None) -> float:
        """The weight of morph target ``name`` (the first mesh having it): in ``pose``, or this tick's output."""
        for mesh, target in self.rig.by_name.get(name, ()):
            if pose is not None:
                return float(pose.weights[mesh][target])
            targets, values = self.output.morphs.get(mesh, (np.zeros(0, dtype=np.int64), np.zeros(0)))
            hit = np.flatnonzero(targets == target)
            return float(values[hit[0]]) if len(hit) else 0.0
        return 0.0
