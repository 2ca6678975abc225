"""FacePlugin: expressions, lip sync hooks and idle presence on every avatar's face, in ANIMATE.

Add it after ``AnimationPlugin`` (its world setup needs the AvatarModel components that plugin
inserts, and its system must run after ``animate_avatars`` has written the body pose).
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass

import numpy as np

from engine.anim.face import EMOTIONS, FaceConfig, FaceMixer
from engine.app import App, Phase
from engine.components import Avatar, Camera, WorldTransform
from engine.components.avatar import AvatarModel, PoseState
from engine.ecs import EventReader, World
from engine.events import Emote

log = logging.getLogger("persona.anim.face")


@dataclass(slots=True, eq=False)
class FaceState:
    """An avatar's face: the mixer that arbitrates its expression layers.

    The speech system drives lip sync through ``mixer.set_visemes(...)`` or
    ``mixer.play_visemes(track, start)``; ``start`` is in mixer time, which runs with the world
    clock (the mixer is made on world setup and steps once per tick, so during a SCRIPT system
    ``mixer.time == Clock.time``).
    """

    mixer: FaceMixer


@dataclass
class EmoteInbox:
    """Resource: this world's cursor over Emote actions."""

    reader: EventReader


def _face_seed(world: World, entity: int) -> int:
    avatar = world.try_get(entity, Avatar)
    seed = avatar.seed if avatar is not None else 0
    return zlib.crc32(f"face:{seed}:{entity}".encode()) % 2**31


def active_camera_position(world: World) -> np.ndarray | None:
    """World position of the active camera (the first active one with a WorldTransform)."""
    for _, (camera, placed) in world.query(Camera, WorldTransform):
        if camera.active:
            return np.asarray(placed.matrix, dtype=np.float64)[:3, 3].copy()
    return None


def animate_faces(world: World, dt: float) -> None:
    """Emote actions start expressions; every face mixes its layers into the avatar's pose."""
    inbox = world.resources.try_get(EmoteInbox)
    if inbox is not None:
        for event in inbox.reader.read():
            face = world.try_get(event.who, FaceState)
            if face is None:
                continue
            if event.emotion not in EMOTIONS:
                log.warning("emote %r on entity %s: unknown emotion (%s)", event.emotion, event.who, event.source)
                continue
            face.mixer.set_expression(event.emotion, event.intensity, event.duration)
    target = active_camera_position(world)
    for entity, (face, state) in world.query(FaceState, PoseState):
        mixer = face.mixer
        mixer.set_gaze_target(target)
        placed = world.try_get(entity, WorldTransform)
        mixer.step(state.pose, dt, None if placed is None else placed.matrix)


class FacePlugin:
    """Faces come alive: idle blinks and gaze, scripted expressions, lip sync inputs."""

    def __init__(self, config: FaceConfig | None = None) -> None:
        self.config = config

    def setup_world(self, world: World) -> None:
        """Read Emote actions; give every avatar with a model its FaceState."""
        world.resources.insert(EmoteInbox(world.events.reader(Emote)))
        added = 0
        for entity, model in world.query_one(AvatarModel):
            if world.has(entity, FaceState):
                continue
            mixer = FaceMixer(model.asset, _face_seed(world, entity), self.config)
            world.commands.insert(entity, FaceState(mixer))
            added += 1
        if added:
            world.flush()

    def build(self, app: App) -> None:
        """Register the world setup and the ANIMATE system (after animate_avatars)."""
        app.on_world(self.setup_world)
        app.add_system(animate_faces, Phase.ANIMATE, reads=(Emote, AvatarModel, Camera, WorldTransform),
                       writes=(PoseState, FaceState))
