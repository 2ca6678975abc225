"""AnimationPlugin: gives Avatar entities their model, pose and motions, and animates them in ANIMATE."""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass

from engine.anim.player import MotionPlayer
from engine.anim.pose import Pose
from engine.app import App, Clock, Phase
from engine.assets.hierarchy import parent_array, topological_order
from engine.assets.library import AvatarLibrary
from engine.components import Avatar, Name
from engine.components.avatar import AvatarModel, DeformedMeshes, Motion, PoseState, SkinnedPart
from engine.deform.skinned import SkinnedPrimitive
from engine.ecs import EventReader, World
from engine.events import Gesture
from engine.scene.actions import SceneInfo

log = logging.getLogger("persona.anim")


@dataclass
class GestureInbox:
    """Resource: this world's cursor over Gesture actions."""

    reader: EventReader


def instantiate_avatar(world: World, entity: int, library: AvatarLibrary) -> None:
    """Insert AvatarModel, PoseState, Motion and DeformedMeshes for one Avatar entity (deferred)."""
    avatar = world.get(entity, Avatar)
    name = world.try_get(entity, Name)
    asset = library.resolve(avatar, name.value if name else str(entity))
    rest = Pose.rest(asset)
    player = None
    if asset.vrm is not None and asset.vrm.humanoid:
        try:
            player = MotionPlayer.for_asset(asset)
            seed = zlib.crc32(f"{avatar.seed}:{entity}".encode())
            player.set_base(library.motion("idle", seed % 2**31))
        except (KeyError, ValueError) as error:  # an incomplete humanoid map: no motions, still shown
            library.report(f"avatar of '{name.value if name else entity}': no motions ({error})")
            player = None
    parts = []
    for node_index, node in enumerate(asset.nodes):
        if node.mesh is None:
            continue
        skin = asset.skins[node.skin] if node.skin is not None else None
        for prim_index, prim in enumerate(asset.meshes[node.mesh].primitives):
            data = SkinnedPrimitive.from_primitive(prim, len(skin.joints) if skin is not None else None)
            parts.append(SkinnedPart(node_index, node.mesh, prim_index, node.skin, data))
    world.commands.insert(entity, AvatarModel(asset, rest))
    world.commands.insert(entity, PoseState(rest.copy()))
    world.commands.insert(entity, Motion(player, avatar.seed))
    world.commands.insert(entity, DeformedMeshes(parts, parent_array(asset.nodes), topological_order(asset.nodes)))


def _cue_gestures(world: World) -> set[str]:
    info = world.resources.try_get(SceneInfo)
    if info is None:
        return set()
    return {cue.args["gesture"] for cue in info.doc.cues if cue.do == "gesture"}


def start_gestures(world: World, dt: float) -> None:
    """Gesture actions start a library motion on the avatar that should play it."""
    inbox = world.resources.get(GestureInbox)
    library = world.resources.get(AvatarLibrary)
    now = world.resources.get(Clock).time
    for event in inbox.reader.read():
        motion = world.try_get(event.who, Motion)
        if motion is None or motion.player is None:
            continue
        motion.player.play(library.motion(event.gesture, motion.seed), start=now)


def animate_avatars(world: World, dt: float) -> None:
    """Rest pose, then the idle base and active gestures, into each avatar's pose."""
    now = world.resources.get(Clock).time
    for _, (model, state, motion) in world.query(AvatarModel, PoseState, Motion):
        state.pose.assign(model.rest)
        if motion.player is not None:
            motion.player.apply(state.pose, now)


class AnimationPlugin:
    """Avatars come alive: models resolved on world setup, gestures and idle in ANIMATE."""

    def __init__(self, library: AvatarLibrary | None = None) -> None:
        self.library = library or AvatarLibrary()

    def setup_world(self, world: World) -> None:
        """Share the library; give every Avatar entity its runtime components."""
        world.resources.insert(self.library)
        world.resources.insert(GestureInbox(world.events.reader(Gesture)))
        for entity, avatar in world.query_one(Avatar):
            instantiate_avatar(world, entity, self.library)
            # bake the gestures this scene's cues ask for now, not in the middle of a frame
            for gesture in _cue_gestures(world):
                self.library.motion(gesture, avatar.seed)
        world.flush()

    def build(self, app: App) -> None:
        """Register systems and the world setup."""
        app.on_world(self.setup_world)
        app.add_system(start_gestures, Phase.ANIMATE, reads=(Gesture,), writes=(Motion,))
        app.add_system(animate_avatars, Phase.ANIMATE, reads=(AvatarModel, Motion), writes=(PoseState,))
