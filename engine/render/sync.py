"""Mirrors the ECS into the Panda3D scene graph: avatar meshes (dynamic vertex upload), props, sets, floor, backdrop."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from panda3d.core import (
    CardMaker,
    ColorBlendAttrib,
    Geom,
    GeomEnums,
    GeomNode,
    GeomTriangles,
    GeomVertexArrayFormat,
    GeomVertexData,
    GeomVertexFormat,
    InternalName,
    NodePath,
    OmniBoundingVolume,
)

from engine.assets.hierarchy import rest_world_matrices
from engine.assets.model import AvatarAsset, Material, Primitive
from engine.components.avatar import AvatarModel, DeformedMeshes
from engine.render.backend import LATE_BIN, SceneGraph, to_panda_mat
from engine.render.materials import (
    TextureCache,
    apply_material,
    apply_outline,
    backdrop_shader,
    floor_shader,
    linear_to_srgb,
    set_base_color,
    shadow_shader,
    srgb_to_linear,
    texture_from_file,
    wants_outline,
)
from engine.render.plate import VIDEO_SUFFIXES, VideoPlate

FLOOR_SIZE = 60.0
BACKDROP_TAG = "persona-backdrop"

log = logging.getLogger("persona.render")


def _array_format(name: InternalName, components: int, contents: int) -> GeomVertexArrayFormat:
    array = GeomVertexArrayFormat()
    array.add_column(name, components, GeomEnums.NT_float32, contents)
    return array


def _vertex_format(uvs: bool, colors: bool) -> GeomVertexFormat:
    """Separate arrays per attribute, so a deformed upload is one memcpy per attribute."""
    fmt = GeomVertexFormat()
    fmt.add_array(_array_format(InternalName.get_vertex(), 3, GeomEnums.C_point))
    fmt.add_array(_array_format(InternalName.get_normal(), 3, GeomEnums.C_normal))
    if uvs:
        fmt.add_array(_array_format(InternalName.get_texcoord(), 2, GeomEnums.C_texcoord))
    if colors:
        fmt.add_array(_array_format(InternalName.get_color(), 4, GeomEnums.C_color))
    return GeomVertexFormat.register_format(fmt)


def vertex_normals(positions: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Area-weighted vertex normals for a primitive that has none."""
    p = positions.astype(np.float64)
    tri = indices.reshape(-1, 3)
    face = np.cross(p[tri[:, 1]] - p[tri[:, 0]], p[tri[:, 2]] - p[tri[:, 0]])
    normals = np.zeros_like(p)
    for corner in range(3):
        np.add.at(normals, tri[:, corner], face)
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    return np.divide(normals, length, out=np.zeros_like(normals), where=length > 0).astype(np.float32)


def _write(vdata: GeomVertexData, index: int, values: np.ndarray) -> None:
    vdata.modify_array_handle(index).copy_data_from(np.ascontiguousarray(values, dtype=np.float32))


def make_geom_node(name: str, prim: Primitive, positions: np.ndarray, normals: np.ndarray,
                   *, dynamic: bool) -> tuple[GeomNode, GeomVertexData]:
    """A GeomNode for one primitive; positions/normals live in their own (dynamic) arrays."""
    has_uv, has_col = prim.uvs is not None, prim.colors is not None
    usage = Geom.UH_dynamic if dynamic else Geom.UH_static
    vdata = GeomVertexData(name, _vertex_format(has_uv, has_col), usage)
    vdata.unclean_set_num_rows(len(positions))
    _write(vdata, 0, positions)
    _write(vdata, 1, normals)
    if has_uv:
        # glTF puts the texture origin top-left, OpenGL (and Panda's loaded images) bottom-left
        uvs = np.asarray(prim.uvs, dtype=np.float32)
        _write(vdata, 2, np.column_stack([uvs[:, 0], 1.0 - uvs[:, 1]]))
    if has_col:
        _write(vdata, 3 if has_uv else 2, prim.colors)
    triangles = GeomTriangles(Geom.UH_static)
    small = len(positions) < 65535
    triangles.set_index_type(GeomEnums.NT_uint16 if small else GeomEnums.NT_uint32)
    indices = np.ascontiguousarray(prim.indices.reshape(-1), dtype=np.uint16 if small else np.uint32)
    triangles.modify_vertices(len(indices)).modify_handle().copy_data_from(indices)
    geom = Geom(vdata)
    geom.add_primitive(triangles)
    node = GeomNode(name)
    node.add_geom(geom)
    return node, vdata


@dataclass(slots=True, eq=False)
class PartView:
    """One uploaded primitive: its vertex data and the last arrays sent to it."""

    vdata: GeomVertexData
    positions: np.ndarray
    normals: np.ndarray
    static_normals: bool


@dataclass(slots=True, eq=False)
class AvatarView:
    """An avatar in the scene graph: shaded parts plus outline instances of the same geometry."""

    node: NodePath
    parts: list[PartView] = field(default_factory=list)
    materials: list[tuple[NodePath, Material, tuple[float, ...], bool]] = field(default_factory=list)
    frame: int = -2
    uploads: int = 0  # primitives uploaded so far (a test and timing aid)

    @classmethod
    def build(cls, parent: NodePath, name: str, model: AvatarModel, meshes: DeformedMeshes,
              textures: TextureCache) -> AvatarView:
        """Create nodes for every part of ``meshes`` with its material."""
        asset = model.asset
        view = cls(parent.attach_new_node(f"avatar-{name}"))
        shaded = view.node.attach_new_node("shaded")
        outline = view.node.attach_new_node("outline")
        for i, part in enumerate(meshes.parts):
            prim = asset.meshes[part.mesh].primitives[part.primitive]
            positions = meshes.positions[i] if i < len(meshes.positions) else prim.positions
            static_normals = prim.normals is None
            if static_normals:
                normals = vertex_normals(prim.positions, prim.indices)
            else:
                normals = meshes.normals[i] if i < len(meshes.normals) else prim.normals
            geom, vdata = make_geom_node(f"{name}-{part.mesh}-{part.primitive}", prim, positions, normals,
                                         dynamic=True)
            material = asset.materials[prim.material] if prim.material is not None else None
            # material state on a holder, not on the GeomNode: the outline instances the same node
            holder = shaded.attach_new_node(f"part-{i}")
            node = holder.attach_new_node(geom)
            apply_material(holder, material, asset, textures, toon=True, has_colors=prim.colors is not None)
            if material is not None:
                view.materials.append((holder, material, tuple(material.base_color), prim.colors is not None))
            if wants_outline(material, prim.vertex_count):
                hull = outline.attach_new_node(f"hull-{i}")
                node.instance_to(hull)  # the same GeomNode: one upload feeds both passes
                apply_outline(hull, material)
                hull.set_bin(LATE_BIN, 10)
            view.parts.append(PartView(vdata, np.array(positions, np.float32), np.array(normals, np.float32),
                                       static_normals))
        view.frame = meshes.frame
        return view

    def update(self, meshes: DeformedMeshes, world_matrix: np.ndarray) -> int:
        """Place the avatar and upload the primitives whose vertices changed; returns how many."""
        self.node.set_mat(to_panda_mat(world_matrix))
        self.refresh_materials()
        if meshes.frame == self.frame or not meshes.positions:
            return 0
        self.frame = meshes.frame
        changed = 0
        for part, positions, normals in zip(self.parts, meshes.positions, meshes.normals, strict=False):
            # deform reuses its output arrays, so compare contents, not identity
            if np.array_equal(positions, part.positions):
                continue
            np.copyto(part.positions, positions)
            _write(part.vdata, 0, positions)
            if not part.static_normals and len(normals):
                np.copyto(part.normals, normals)
                _write(part.vdata, 1, normals)
            changed += 1
        self.uploads += changed
        return changed

    def refresh_materials(self) -> None:
        """Follow base colour edits (scripts, expressions' material binds) without a rebuild."""
        for i, (holder, material, last, has_colors) in enumerate(self.materials):
            now = tuple(material.base_color)
            if now != last:
                set_base_color(holder, material, has_colors=has_colors)
                self.materials[i] = (holder, material, now, has_colors)

    def contact_blob(self, world_matrix: np.ndarray) -> tuple[float, float, float, float] | None:
        """An ellipse (centre x, z, radius x, z) on the floor under the feet, in world space."""
        if not self.parts:
            return None
        lows = []
        floor_y = min(float(p.positions[:, 1].min()) for p in self.parts if len(p.positions))
        for part in self.parts:
            pos = part.positions
            low = pos[pos[:, 1] < floor_y + 0.2]
            if len(low):
                lows.append(low)
        if not lows:
            return None
        low = np.concatenate(lows)
        lo, hi = low.min(axis=0), low.max(axis=0)
        centre = world_matrix @ np.array([(lo[0] + hi[0]) / 2, floor_y, (lo[2] + hi[2]) / 2, 1.0])
        scale = float(np.linalg.norm(world_matrix[:3, 0]))
        rx = max((hi[0] - lo[0]) / 2 * scale, 0.12) + 0.12
        rz = max((hi[2] - lo[2]) / 2 * scale, 0.10) + 0.10
        return float(centre[0]), float(centre[2]), float(rx), float(rz)

    def remove(self) -> None:
        """Drop the avatar's nodes."""
        self.node.remove_node()


def build_static(parent: NodePath, name: str, asset: AvatarAsset, textures: TextureCache) -> NodePath:
    """A static model (prop or set) in its rest pose, shaded with the PBR-lite shader."""
    root = parent.attach_new_node(f"static-{name}")
    world = rest_world_matrices(asset)
    for index, gnode in enumerate(asset.nodes):
        if gnode.mesh is None:
            continue
        holder = root.attach_new_node(gnode.name or f"node{index}")
        holder.set_mat(to_panda_mat(world[index]))
        for p, prim in enumerate(asset.meshes[gnode.mesh].primitives):
            normals = prim.normals if prim.normals is not None else vertex_normals(prim.positions, prim.indices)
            geom, _ = make_geom_node(f"{name}-{index}-{p}", prim, prim.positions, normals, dynamic=False)
            node = holder.attach_new_node(geom)
            material = asset.materials[prim.material] if prim.material is not None else None
            apply_material(node, material, asset, textures, toon=False, has_colors=prim.colors is not None)
    root.flatten_medium()  # static: fold the node transforms into the vertices once
    return root


@dataclass(slots=True, eq=False)
class StageView:
    """The floor, its contact-shadow catchers and the backdrop (all tagged as backdrop, left out of alpha)."""

    floor: NodePath
    backdrop: NodePath
    shadows: NodePath
    plate_path: str | None = None
    video: VideoPlate | None = None
    gradient: tuple = ()

    @classmethod
    def build(cls, graph: SceneGraph) -> StageView:
        """Create the floor quad and the full-frame backdrop card."""
        floor = graph.root.attach_new_node(_grid_node("floor", FLOOR_GRID, FLOOR_SIZE / 2, ground=True))
        floor.set_two_sided(True)
        floor.set_tag(BACKDROP_TAG, "1")
        floor.set_shader(floor_shader())
        floor.set_bin(LATE_BIN, 20)
        # catchers are not children of the floor: over an image plate they shadow the plate alone
        shadows = graph.root.attach_new_node("shadow-catchers")
        shadows.set_tag(BACKDROP_TAG, "1")
        shadows.set_two_sided(True)
        shadows.set_shader(shadow_shader())
        shadows.set_attrib(ColorBlendAttrib.make(ColorBlendAttrib.M_add, ColorBlendAttrib.O_fbuffer_color,
                                                 ColorBlendAttrib.O_zero))  # floor colour * shadow
        shadows.set_depth_write(False)
        shadows.set_depth_offset(2)
        shadows.set_bin(LATE_BIN, 110)  # after the backdrop: over an image plate they darken the plate
        shadows.set_shader_input("u_shadow_strength", SHADOW_STRENGTH)
        maker = CardMaker("shadow")
        maker.set_frame(-1, 1, -1, 1)
        maker.set_uv_range((0, 0), (1, 1))
        for _ in range(MAX_SHADOWS):
            shadows.attach_new_node(maker.generate()).hide()
        backdrop = graph.backdrop.attach_new_node(_grid_node("backdrop", BACKDROP_GRID, 1.0, ground=False))
        backdrop.node().set_bounds(OmniBoundingVolume())  # its shader ignores the camera: never cull it
        backdrop.node().set_final(True)
        backdrop.set_shader(backdrop_shader(plate=False))
        if not getattr(graph, "shaders_supported", True):
            backdrop.hide()  # without shaders the card would not sit at the far plane
        backdrop.set_shader_input("u_uv_rect", (0.0, 0.0, 1.0, 1.0))
        return cls(floor, backdrop, shadows)

    def set_environment(self, graph: SceneGraph, *, bottom: np.ndarray, top: np.ndarray, floor: bool,
                        floor_color: np.ndarray, plate: str | None, own_floor: bool = False,
                        time: float = 0.0) -> None:
        """Backdrop colours (sRGB), plate image, floor on/off and colour (``own_floor``: a set brings one)."""
        self.floor.set_shader_input("u_bottom", tuple(float(c) for c in bottom))
        self.floor.set_shader_input("u_top", tuple(float(c) for c in top))
        colours = (tuple(bottom), tuple(top))
        if colours != self.gradient:
            self.gradient = colours
            vdata = self.backdrop.node().modify_geom(0).modify_vertex_data()
            _write(vdata, 1, backdrop_colours(bottom, top))
        self.floor.set_shader_input("u_frame", (float(graph.width), float(graph.height)))
        if plate != self.plate_path:
            self.plate_path = plate
            if self.video is not None:
                self.video.close()
                self.video = None
            texture = None
            if plate:
                try:
                    if plate.lower().endswith(VIDEO_SUFFIXES):
                        self.video = VideoPlate(plate)
                        texture = self.video.texture
                    else:
                        texture = texture_from_file(plate)
                except ValueError as error:  # PlateError too: show the gradient, keep running
                    log.error("%s; showing the background colour instead", error)
                    plate = None
            if plate and texture is not None:
                self.backdrop.set_texture(texture)
                self.backdrop.set_shader(backdrop_shader(plate=True))
                # cover-fit: crop the plate to the frame's aspect, centred
                ratio = (texture.get_x_size() / max(texture.get_y_size(), 1)) / graph.aspect
                rect = (0.5 - 0.5 / ratio, 0.0, 1.0 / ratio, 1.0) if ratio > 1 else (0.0, 0.5 - 0.5 * ratio,
                                                                                     1.0, ratio)
                self.backdrop.set_shader_input("u_uv_rect", rect)
            else:
                self.backdrop.clear_texture()
                self.backdrop.set_shader(backdrop_shader(plate=False))
        if self.video is not None:
            try:
                self.video.show(time)
            except ValueError as error:
                log.error("%s; showing the background colour instead", error)
                self.video.close()
                self.video = None
                self.backdrop.clear_texture()
                self.backdrop.set_shader(backdrop_shader(plate=False))
        # over an image plate the floor is only a shadow catcher: the plate shows its own ground
        # a set's own floor keeps the shadow catchers (they darken it) but replaces our floor
        for node, shown in ((self.floor, floor and not plate and not own_floor), (self.shadows, floor or own_floor)):
            if shown:
                node.show()
            else:
                node.hide()
        self.floor.set_shader_input("u_floor", tuple(float(c) for c in srgb_to_linear(floor_color)))
        self.floor.set_color(*(float(c) for c in floor_color[:3]), 1.0)

    def set_lighting(self, key_lambert: float, ambient: float, camera_height: float) -> None:
        """The floor's light levels and how far away it fades into the backdrop."""
        self.floor.set_shader_input("u_key", float(key_lambert))
        self.floor.set_shader_input("u_ambient", float(ambient))
        near = 3.0 + 2.0 * max(camera_height, 0.0)
        self.floor.set_shader_input("u_fade_range", (near, near * 3.0))

    def set_blobs(self, blobs: list[tuple[float, float, float, float]]) -> None:
        """Contact shadows: an ellipse (centre x, z, radius x, z) per avatar, up to MAX_SHADOWS."""
        for i, card in enumerate(self.shadows.get_children()):
            if i < len(blobs):
                x, z, rx, rz = blobs[i]
                # the card lies in Panda's XZ plane: under the Y-up root that is the ground
                card.set_pos(x, 0.0, z)
                card.set_scale(rx * SHADOW_MARGIN, 1.0, rz * SHADOW_MARGIN)
                card.set_p(180)  # face up, like the floor
                card.show()
            else:
                card.hide()


BACKDROP_GRID = (8, 16)  # cells across and up: the vignette is smooth, vertex colours carry it
FLOOR_GRID = (40, 40)  # 1.5 m cells: the floor's fade is lit per vertex
MAX_SHADOWS = 4
SHADOW_MARGIN = 1.6  # the catcher card's half-size over the ellipse radius (shadow.frag agrees)
SHADOW_STRENGTH = 0.6


def _grid_node(name: str, cells: tuple[int, int], half: float, *, ground: bool) -> GeomNode:
    """A square grid of ``cells`` spanning -half..half: in the ground plane (Y-up XZ) or the backdrop's x, z."""
    nx, ny = cells
    xs, zs = np.meshgrid(np.linspace(-half, half, nx + 1), np.linspace(-half, half, ny + 1))
    positions = np.column_stack([xs.ravel(), np.zeros(xs.size), zs.ravel()]).astype(np.float32)
    first = np.arange((nx + 1) * ny).reshape(ny, nx + 1)[:, :nx].ravel()
    quads = np.column_stack([first, first + 1, first + nx + 2, first, first + nx + 2, first + nx + 1])
    fmt = GeomVertexFormat()
    fmt.add_array(_array_format(InternalName.get_vertex(), 3, GeomEnums.C_point))
    if not ground:
        fmt.add_array(_array_format(InternalName.get_color(), 4, GeomEnums.C_color))
    vdata = GeomVertexData(name, GeomVertexFormat.register_format(fmt), Geom.UH_static)
    vdata.unclean_set_num_rows(len(positions))
    _write(vdata, 0, positions)
    if not ground:
        _write(vdata, 1, np.ones((len(positions), 4), np.float32))
    triangles = GeomTriangles(Geom.UH_static)
    triangles.set_index_type(GeomEnums.NT_uint16)
    triangles.modify_vertices(quads.size).modify_handle().copy_data_from(quads.astype(np.uint16).ravel())
    geom = Geom(vdata)
    geom.add_primitive(triangles)
    node = GeomNode(name)
    node.add_geom(geom)
    return node


def backdrop_colours(bottom: np.ndarray, top: np.ndarray) -> np.ndarray:
    """Per-vertex sRGB colours of the backdrop grid: a vertical gradient with a gentle vignette."""
    nx, ny = BACKDROP_GRID
    u, v = np.meshgrid(np.linspace(0, 1, nx + 1), np.linspace(0, 1, ny + 1))
    u, v = u.ravel()[:, None], v.ravel()[:, None]
    colour = (bottom[None, :3] * (1 - v) + top[None, :3] * v) * (1.0 - 0.4 * ((u - 0.5) ** 2 + (v - 0.6) ** 2))
    return np.column_stack([colour, np.ones(len(colour))]).astype(np.float32)


def default_top(bottom_srgb: np.ndarray) -> np.ndarray:
    """A gradient top for a plain background colour: a lighter, slightly cooler tone."""
    lin = srgb_to_linear(bottom_srgb)
    return linear_to_srgb(np.clip(lin * 2.4 + np.array([0.01, 0.012, 0.02]), 0.0, 1.0))
