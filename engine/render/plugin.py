"""RenderPlugin: each PRESENT, mirror the world into the scene graph, render, and publish the frame."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.app import App, Clock, Phase
from engine.assets.loader import load_avatar
from engine.assets.model import AvatarAsset
from engine.components import Camera, Environment, Light, Name, WorldTransform
from engine.components.avatar import AvatarModel, DeformedMeshes
from engine.ecs import World
from engine.render.backend import SceneGraph, to_panda_mat
from engine.render.lighting import kelvin_to_rgb, three_point
from engine.render.materials import TextureCache, srgb_to_linear
from engine.render.plate import VIDEO_SUFFIXES
from engine.render.sync import AvatarView, StageView, build_static, default_top

log = logging.getLogger("persona.render")

# toon ramp half-widths per light role: a crisp key terminator, a soft fill
_RAMP = {"key": 0.3, "fill": 0.45, "rim": 0.12, "none": 0.3}
# the key light's linear intensity on screen; fill and ambient add to it, so keep headroom
EXPOSURE = 0.8


@dataclass(slots=True, eq=False)
class RenderedFrame:
    """Resource: the frame rendered this PRESENT (RGB, top row first) and what it cost.

    ``render_s`` covers drawing including the GPU-to-RAM copy (Panda does both in one
    call); ``readback_s`` the row-flipping copy into numpy; ``sync_s`` the scene mirroring.
    """

    frame: np.ndarray | None = None
    index: int = -1
    render_s: float = 0.0
    readback_s: float = 0.0
    sync_s: float = 0.0


@dataclass(slots=True)
class LightRig:
    """The lights as shader inputs: view-space directions, linear colours, ambient hemisphere, rim."""

    directions: list[np.ndarray] = field(default_factory=list)  # world, towards the light
    colours: list[np.ndarray] = field(default_factory=list)  # linear, exposure-normalised
    ramps: list[float] = field(default_factory=list)
    sky: np.ndarray = field(default_factory=lambda: np.array([0.30, 0.31, 0.34]))
    ground: np.ndarray = field(default_factory=lambda: np.array([0.16, 0.15, 0.14]))
    rim: np.ndarray = field(default_factory=lambda: np.array([0.10, 0.10, 0.12]))
    key_index: int = 0


def _light_colour(color: tuple[float, ...], temperature_k: float | None) -> np.ndarray:
    rgb = srgb_to_linear(color[:3])
    if temperature_k:
        rgb = rgb * np.asarray(kelvin_to_rgb(temperature_k))
    return rgb


def gather_lights(world: World, preset: str | None) -> LightRig:
    """The world's Light entities, or a three-point preset when the scene declares none."""
    entries: list[tuple[str, str, np.ndarray, np.ndarray, float]] = []  # role, kind, to-light, colour, intensity
    for _, (light, wt) in world.query(Light, WorldTransform):
        shine = wt.matrix[:3, :3] @ np.array([0.0, 0.0, -1.0])
        entries.append((light.role, light.kind, -shine, _light_colour(light.color, light.temperature_k),
                        float(light.intensity)))
    if not entries:
        name = preset if preset in ("news_studio", "airport_hall", "showroom", "stage") else "default"
        for spec in three_point(name):
            entries.append((spec.role, spec.kind, -np.asarray(spec.direction), np.asarray(spec.color),
                            float(spec.intensity)))
    rig = LightRig()
    directional = [e for e in entries if e[1] != "ambient"]
    keys = [e for e in directional if e[0] == "key"] or sorted(directional, key=lambda e: -e[4])[:1]
    # exposure: the key light reads as intensity 1 whatever units the scene used
    exposure = EXPOSURE / max(keys[0][4], 1e-3) if keys else EXPOSURE
    ambient = np.zeros(3)
    for role, kind, to_light, colour, intensity in entries:
        if kind == "ambient":
            ambient += colour * intensity * exposure
            continue
        if len(rig.directions) == 4:
            continue
        if keys and to_light is keys[0][2]:
            rig.key_index = len(rig.directions)
        rig.directions.append(to_light / max(float(np.linalg.norm(to_light)), 1e-9))
        rig.colours.append(colour * intensity * exposure)
        rig.ramps.append(_RAMP.get(role, 0.3))
        if role == "rim":
            rig.rim = 0.6 * colour * min(intensity * exposure, 1.5)
    if ambient.any():
        rig.sky = np.clip(ambient * 1.6 + 0.05, 0.0, 1.0)
        rig.ground = rig.sky * np.array([0.55, 0.5, 0.46])
    return rig


def _look_at(eye: np.ndarray, target: np.ndarray) -> np.ndarray:
    back = eye - target
    back /= np.linalg.norm(back)
    right = np.cross([0.0, 1.0, 0.0], back)
    right /= np.linalg.norm(right)
    matrix = np.eye(4)
    matrix[:3, 0], matrix[:3, 1], matrix[:3, 2], matrix[:3, 3] = right, np.cross(back, right), back, eye
    return matrix


DEFAULT_CAMERA = _look_at(np.array([0.0, 1.45, 2.4]), np.array([0.0, 1.25, 0.0]))


@dataclass(slots=True, eq=False)
class WorldSync:
    """Keeps one world's scene-graph mirror: avatar views, static models, stage."""

    world_name: str
    stage: StageView
    avatars: dict[int, AvatarView] = field(default_factory=dict)
    statics: dict[str, object] = field(default_factory=dict)
    set_floor: bool = False  # a built-in set brings its own floor
    textures: TextureCache = field(default_factory=TextureCache)

    def clear(self) -> None:
        """Remove every node this mirror created."""
        for view in self.avatars.values():
            view.remove()
        for node in self.statics.values():
            node.remove_node()
        self.stage.floor.remove_node()
        self.stage.shadows.remove_node()
        self.stage.backdrop.remove_node()
        self.avatars.clear()
        self.statics.clear()


def _load_static(key: str) -> AvatarAsset | None:
    if key.startswith("set:"):
        try:
            from engine.sets import make_set
        except ImportError:
            log.warning("render: engine.sets is not available; set %s not shown", key[4:])
            return None
        return make_set(key[4:])
    try:
        return load_avatar(Path(key))
    except Exception as error:  # a broken prop must not stop the render
        log.error("render: prop %s could not be loaded: %s", key, error)
        return None


def sync_world(graph: SceneGraph, mirror: WorldSync, world: World) -> None:
    """Mirror avatars, props/sets, environment, lights and the active camera into ``graph``."""
    env_rows = world.query_one(Environment)
    env = env_rows[0][1] if env_rows else Environment()
    preset = getattr(env, "preset", None)
    # static models: a built-in set and the props
    wanted = ([f"set:{preset}"] if preset else []) + list(env.props)
    for key in wanted:
        if key not in mirror.statics:
            asset = _load_static(key)
            if asset is not None:
                mirror.statics[key] = build_static(graph.root, Path(key).stem, asset, mirror.textures)
                if key.startswith("set:"):
                    from engine.sets import set_has_floor

                    mirror.set_floor = set_has_floor(asset)
    for key in [k for k in mirror.statics if k not in wanted]:
        mirror.statics.pop(key).remove_node()
        if key.startswith("set:"):
            mirror.set_floor = False
    # avatars
    blobs = []
    seen = set()
    for entity, (model, meshes, wt) in world.query(AvatarModel, DeformedMeshes, WorldTransform):
        seen.add(entity)
        view = mirror.avatars.get(entity)
        if view is None:
            name = world.try_get(entity, Name)
            view = mirror.avatars[entity] = AvatarView.build(graph.root, name.value if name else str(entity),
                                                             model, meshes, mirror.textures)
        view.update(meshes, wt.matrix)
        blob = view.contact_blob(wt.matrix)
        if blob is not None:
            blobs.append(blob)
    for entity in [e for e in mirror.avatars if e not in seen]:
        mirror.avatars.pop(entity).remove()
    # environment
    bottom = np.asarray(env.background_color, dtype=np.float64)
    top_value = getattr(env, "gradient_top", None)
    top = np.asarray(top_value, dtype=np.float64) if top_value is not None else default_top(bottom)
    plate = env.background if env.background and Path(env.background).suffix.lower() in (
        ".png", ".jpg", ".jpeg", ".bmp", ".tga", *VIDEO_SUFFIXES) else None
    clock = world.resources.try_get(Clock)
    mirror.stage.set_environment(graph, bottom=bottom, top=top, floor=env.floor, own_floor=mirror.set_floor,
                                 floor_color=np.asarray(env.floor_color, dtype=np.float64), plate=plate,
                                 time=clock.time if clock is not None else 0.0)
    setter = getattr(graph, "set_clear_color", None)
    if setter is not None:
        setter(tuple(bottom))
    mirror.stage.set_blobs(blobs)
    # camera
    cams = [(c, wt) for _, (c, wt) in world.query(Camera, WorldTransform) if c.active]
    if cams:
        cam, wt = cams[0]
        graph.set_camera(wt.matrix, cam.fov_deg, cam.near, cam.far)
    else:
        graph.set_camera(DEFAULT_CAMERA, 30.0, 0.05, 100.0)
    apply_lights(graph, gather_lights(world, preset), mirror.stage)


def apply_lights(graph: SceneGraph, rig: LightRig, stage: StageView | None = None) -> None:
    """Set the light uniforms on the scene (view space for the current camera)."""
    dirs, cols = np.zeros((4, 4)), np.zeros((4, 4))
    # the key goes first: the toon shader resolves row 0's terminator per pixel
    order = sorted(range(len(rig.directions)), key=lambda i: i != rig.key_index)
    for i, j in enumerate(order):
        d, c, ramp = rig.directions[j], rig.colours[j], rig.ramps[j]
        dirs[i, :3], dirs[i, 3] = graph.to_view_dir(d), ramp
        cols[i, :3] = c
    root = graph.scene
    root.set_shader_input("u_light_dir", to_panda_mat(dirs.T))
    root.set_shader_input("u_light_col", to_panda_mat(cols.T))
    root.set_shader_input("u_sky", tuple(float(c) for c in rig.sky))
    root.set_shader_input("u_ground", tuple(float(c) for c in rig.ground))
    root.set_shader_input("u_up", tuple(float(c) for c in graph.to_view_dir(np.array([0.0, 1.0, 0.0]))))
    root.set_shader_input("u_rim", (*(float(c) for c in rig.rim), 0.0))
    # a ~1.5 px outline at 960 px height, scaled with the output: constant look across sizes
    pixels = max(0.8, graph.height / 960.0 * 1.5)
    root.set_shader_input("u_outline_width", pixels * math.radians(graph.fov_deg) / graph.height)
    if stage is not None:
        key_lambert = 0.0
        if rig.directions:
            key = rig.key_index
            key_lambert = max(float(rig.directions[key][1]), 0.0) * float(np.mean(rig.colours[key]))
        stage.set_lighting(key_lambert, float(np.mean(rig.sky)) * 0.9, float(graph.camera_matrix[1, 3]))


class RenderPlugin:
    """Renders each frame in PRESENT and stores it in the ``RenderedFrame`` resource.

    ``renderer`` is an OffscreenRenderer or a WindowRenderer; with ``readback=False`` (a
    window) nothing is copied back and ``RenderedFrame.frame`` stays None.
    """

    def __init__(self, renderer: SceneGraph, *, readback: bool = True) -> None:
        self.renderer = renderer
        self.readback = readback
        self.mirror: WorldSync | None = None

    def setup_world(self, world: World) -> None:
        """Drop the previous world's mirror; the new one is built on its first frame."""
        if self.mirror is not None:
            self.mirror.clear()
            self.mirror = None
        world.resources.insert(RenderedFrame())

    def present(self, world: World, dt: float) -> None:
        """Sync, draw and (optionally) read back one frame."""
        start = time.perf_counter()
        if self.mirror is None or self.mirror.world_name != world.name:
            if self.mirror is not None:
                self.mirror.clear()
            self.mirror = WorldSync(world.name, StageView.build(self.renderer))
        sync_world(self.renderer, self.mirror, world)
        drawn = time.perf_counter()
        self.renderer.draw()
        read = time.perf_counter()
        frame = self.renderer.read() if self.readback else None
        done = time.perf_counter()
        out = world.resources.try_get(RenderedFrame)
        if out is None:
            out = RenderedFrame()
            world.resources.insert(out)
        out.frame, out.index = frame, out.index + 1
        out.sync_s, out.render_s, out.readback_s = drawn - start, read - drawn, done - read

    def build(self, app: App) -> None:
        """Register the world setup and the PRESENT system."""
        app.on_world(self.setup_world)
        app.add_system(self.present, Phase.PRESENT, reads=(AvatarModel, DeformedMeshes, Camera, Light, Environment),
                       writes=(RenderedFrame,), name="render")
