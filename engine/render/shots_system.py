"""The camera rig system: cameras with a shot and a target follow their avatar; Cut actions switch cameras."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from engine.anim import quat
from engine.app import App, Clock, Phase
from engine.components import Camera, Parent, Transform, WorldTransform
from engine.components.avatar import AvatarModel, PoseState
from engine.ecs import EventReader, World
from engine.events import Cut
from engine.mathx import trs_matrices
from engine.render.shots import (
    SHOTS,
    apply_move,
    avatar_facing,
    avatar_points,
    frame_shot,
    generic_points,
)

SMOOTHING_S = 0.35  # time constant of the camera following its target (idle sway is not followed)


@dataclass(slots=True)
class RigState:
    """Per camera: the smoothed framed matrix, when the shot began, and Cut overrides."""

    framed: np.ndarray | None = None
    started: float = 0.0
    shot: str | None = None  # used while Camera has no ``shot`` field of its own
    snap: bool = True


@dataclass
class CameraRig:
    """Resource: the output aspect (width / height), the Cut cursor and each camera's rig state."""

    reader: EventReader
    aspect: float = 9.0 / 16.0
    seed: int = 0
    states: dict[int, RigState] = field(default_factory=dict)


def _camera_shot(camera: Camera, state: RigState) -> str | None:
    return getattr(camera, "shot", None) or state.shot


def _set_shot(camera: Camera, state: RigState, shot: str) -> None:
    if hasattr(camera, "shot"):
        camera.shot = shot  # type: ignore[attr-defined]
    else:
        state.shot = shot


def entity_world(world: World, entity: int) -> np.ndarray:
    """The entity's world matrix composed from Transform and Parent now (not last frame's WorldTransform)."""
    matrix = np.eye(4)
    seen = 0
    while entity is not None and seen < 64:
        transform = world.try_get(entity, Transform)
        if transform is None:
            stored = world.try_get(entity, WorldTransform)
            return (stored.matrix if stored is not None else np.eye(4)) @ matrix
        local = trs_matrices(transform.position[None], transform.rotation[None], transform.scale[None])[0]
        matrix = local @ matrix
        parent = world.try_get(entity, Parent)
        entity = parent.entity if parent is not None else None
        seen += 1
    return matrix


def _subject(world: World, entity: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray] | None:
    """Points, gaze direction and body front of a target entity (None if it is gone)."""
    if not world.exists(entity):
        return None
    placement = entity_world(world, entity)
    model = world.try_get(entity, AvatarModel)
    state = world.try_get(entity, PoseState)
    body = placement[:3, 2] / max(float(np.linalg.norm(placement[:3, 2])), 1e-9)
    if model is None or state is None:
        return generic_points(placement), body, body
    return (avatar_points(model.asset, state.pose, placement),
            avatar_facing(model.asset, state.pose, placement), body)


def _other_subject(world: World, target: int) -> int | None:
    """The second subject when the camera names none: the nearest other avatar."""
    here = entity_world(world, target)[:3, 3]
    others = [(float(np.linalg.norm(entity_world(world, e)[:3, 3] - here)), e)
              for e, _ in world.query_one(AvatarModel) if e != target]
    return min(others)[1] if others else None


def _handle_cuts(world: World, rig: CameraRig, now: float) -> None:
    for cut in rig.reader.read():
        camera = world.try_get(cut.camera, Camera)
        if camera is None:
            continue
        for _, other in world.query_one(Camera):
            other.active = False
        camera.active = True
        state = rig.states.setdefault(cut.camera, RigState())
        if cut.shot is not None and cut.shot in SHOTS:
            _set_shot(camera, state, cut.shot)
        if cut.target is not None:
            camera.target = cut.target
        state.snap = True
        state.started = now


def _one_active(world: World) -> list[tuple[int, Camera]]:
    """Keep exactly one active camera (the first marked active, or the first camera); return all cameras."""
    cameras = sorted(world.query_one(Camera), key=lambda row: row[0])
    active = [entity for entity, camera in cameras if camera.active]
    keep = active[0] if active else (cameras[0][0] if cameras else None)
    for entity, camera in cameras:
        camera.active = entity == keep
    return cameras


def _blend(old: np.ndarray, new: np.ndarray, alpha: float) -> np.ndarray:
    out = np.eye(4)
    out[:3, 3] = old[:3, 3] + (new[:3, 3] - old[:3, 3]) * alpha
    q = quat.slerp(quat.from_matrix(old[:3, :3]), quat.from_matrix(new[:3, :3]), alpha)
    out[:3, :3] = quat.to_matrix(q)
    return out


def update_cameras(world: World, dt: float) -> None:
    """Follow Cut actions, keep one camera active, and frame the active camera's shot on its target."""
    rig = world.resources.try_get(CameraRig)
    if rig is None:
        rig = CameraRig(world.events.reader(Cut))
        world.resources.insert(rig)
    clock = world.resources.try_get(Clock)
    now = clock.time if clock is not None else 0.0
    _handle_cuts(world, rig, now)
    for entity, camera in _one_active(world):
        state = rig.states.setdefault(entity, RigState(started=now))
        if not camera.active:
            state.snap = True  # next time it is cut to, it lands on its shot at once
            continue
        shot = _camera_shot(camera, state)
        target = camera.target
        if shot is None:
            continue
        if target is None:
            avatars = world.query_one(AvatarModel)
            target = avatars[0][0] if avatars else None
        subject = _subject(world, target) if target is not None else None
        if subject is None:
            continue
        points, gaze, body = subject
        other_points = None
        if shot in ("two_shot", "over_shoulder"):
            other = getattr(camera, "subject", None)
            if other is None or not world.exists(other):
                other = _other_subject(world, target)
            found = _subject(world, other) if other is not None else None
            other_points = found[0] if found is not None else None
        framed = frame_shot(shot, points, rig.aspect, camera.fov_deg, gaze, other_points, view_dir=body)
        if state.framed is None or state.snap:
            state.framed = framed
            state.snap = False
        else:
            state.framed = _blend(state.framed, framed, 1.0 - math.exp(-dt / SMOOTHING_S))
        move = getattr(camera, "move", None)
        speed = float(getattr(camera, "move_speed", 1.0))
        matrix = apply_move(state.framed, move, now - state.started, speed, rig.seed + entity, points["eyes"])
        _write_transform(world, entity, matrix)


def _write_transform(world: World, entity: int, matrix: np.ndarray) -> None:
    parent = world.try_get(entity, Parent)
    if parent is not None:  # Transform is local: undo the parent's placement
        matrix = np.linalg.inv(entity_world(world, parent.entity)) @ matrix
    transform = world.try_get(entity, Transform)
    if transform is None:
        world.commands.insert(entity, Transform(matrix[:3, 3].copy(), quat.from_matrix(matrix[:3, :3])))
        return
    transform.position = matrix[:3, 3].copy()
    transform.rotation = quat.from_matrix(matrix[:3, :3])
    transform.scale = np.ones(3)


class CameraRigPlugin:
    """Registers ``update_cameras`` in ANIMATE; add it after the AnimationPlugin (poses first)."""

    def __init__(self, aspect: float = 9.0 / 16.0, seed: int = 0) -> None:
        self.aspect = aspect
        self.seed = seed

    def setup_world(self, world: World) -> None:
        """Give the world its rig resource (its Cut reader starts before the first frame); one active camera."""
        world.resources.insert(CameraRig(world.events.reader(Cut), self.aspect, self.seed))
        _one_active(world)

    def build(self, app: App) -> None:
        """Add the world setup and the system."""
        app.on_world(self.setup_world)
        app.add_system(update_cameras, Phase.ANIMATE, reads=(Cut, AvatarModel, PoseState, Camera),
                       writes=(Camera, Transform))
