"""Assembly: parts -> skinned meshes with morph targets, the skeleton nodes and the VRM layer."""

from __future__ import annotations

import numpy as np

from engine.assets.maker.body import outfit_parts
from engine.assets.maker.face import face_parts
from engine.assets.maker.geometry import Part, vertex_normals
from engine.assets.maker.hair import hair
from engine.assets.maker.hands import hand
from engine.assets.maker.head import ears, eye_center, head_layout, head_skin
from engine.assets.maker.materials import build_materials
from engine.assets.maker.morphs import FacePool, face_morphs
from engine.assets.maker.params import AvatarParams
from engine.assets.maker.skeleton import Rig, build_rig
from engine.assets.maker.weights import part_weights
from engine.assets.model import (
    AvatarAsset,
    Expression,
    ExpressionBind,
    LookAt,
    Mesh,
    MorphTarget,
    Node,
    Primitive,
    Skin,
    VrmInfo,
    VrmMeta,
)

LICENSE_URL = "https://vrm.dev/licenses/1.0/"
# VRM expressions as ARKit mixes (the visemes map to their own targets).
EXPRESSIONS: dict[str, dict[str, float]] = {
    "happy": {"mouthSmileLeft": 1.0, "mouthSmileRight": 1.0, "cheekSquintLeft": 0.6, "cheekSquintRight": 0.6,
              "eyeSquintLeft": 0.4, "eyeSquintRight": 0.4, "browInnerUp": 0.2},
    "angry": {"browDownLeft": 1.0, "browDownRight": 1.0, "noseSneerLeft": 0.4, "noseSneerRight": 0.4,
              "mouthFrownLeft": 0.5, "mouthFrownRight": 0.5, "mouthPressLeft": 0.4, "mouthPressRight": 0.4},
    "sad": {"browInnerUp": 1.0, "mouthFrownLeft": 0.8, "mouthFrownRight": 0.8, "eyeSquintLeft": 0.2,
            "eyeSquintRight": 0.2, "mouthShrugLower": 0.3},
    "relaxed": {"mouthSmileLeft": 0.45, "mouthSmileRight": 0.45, "eyeSquintLeft": 0.35, "eyeSquintRight": 0.35,
                "eyeBlinkLeft": 0.25, "eyeBlinkRight": 0.25},
    "surprised": {"eyeWideLeft": 1.0, "eyeWideRight": 1.0, "browInnerUp": 1.0, "browOuterUpLeft": 1.0,
                  "browOuterUpRight": 1.0, "jawOpen": 0.35},
    "aa": {"aa": 1.0}, "ih": {"ih": 1.0}, "ou": {"ou": 1.0}, "ee": {"ee": 1.0}, "oh": {"oh": 1.0},
    "blink": {"eyeBlinkLeft": 1.0, "eyeBlinkRight": 1.0}, "blinkLeft": {"eyeBlinkLeft": 1.0},
    "blinkRight": {"eyeBlinkRight": 1.0},
    "lookUp": {"eyeLookUpLeft": 1.0, "eyeLookUpRight": 1.0},
    "lookDown": {"eyeLookDownLeft": 1.0, "eyeLookDownRight": 1.0},
    # Left/right are the avatar's: looking to its left (+X) turns the left eye out and the right eye in.
    "lookLeft": {"eyeLookOutLeft": 1.0, "eyeLookInRight": 1.0},
    "lookRight": {"eyeLookInLeft": 1.0, "eyeLookOutRight": 1.0},
    "neutral": {},
}
# Emotions keep blinking and lip sync alive but damped; blinks block nothing.
OVERRIDES = {"happy": ("blend", "none", "blend"), "angry": ("blend", "none", "blend"),
             "sad": ("blend", "none", "blend"), "relaxed": ("block", "none", "blend"),
             "surprised": ("blend", "none", "blend")}


def _pool(parts: list[Part]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Concatenated positions and normals of parts and each part's vertex offset."""
    offsets = np.cumsum([0] + [len(p.positions) for p in parts]).tolist()
    positions = np.concatenate([p.positions for p in parts])
    normals = np.concatenate([p.ensure_normals() for p in parts])
    return positions, normals, offsets


def _normal_deltas(parts: list[Part], offsets: list[int], delta: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Normal deltas of a morph: renormals of the moved parts minus the rest normals."""
    out = np.zeros_like(delta)
    for i, part in enumerate(parts):
        a, b = offsets[i], offsets[i + 1]
        if not np.any(delta[a:b]):
            continue
        moved = vertex_normals(part.positions + delta[a:b], part.indices)
        out[a:b] = moved - base[a:b]
    # Only vertices that move carry normal deltas: it keeps the sparse targets small.
    out[(np.linalg.norm(out, axis=1) < 6e-3) | ~np.any(delta != 0, axis=1)] = 0.0
    return out


def _mesh(name: str, parts: list[Part], rig: Rig, materials: list[str],
          morphs: dict[str, np.ndarray] | None) -> Mesh:
    """One skinned mesh, one primitive per material, morph deltas split alongside."""
    positions, normals, offsets = _pool(parts)
    joints = np.zeros((len(positions), 4), dtype=np.uint16)
    weights = np.zeros((len(positions), 4), dtype=np.float32)
    for i, part in enumerate(parts):
        joints[offsets[i]:offsets[i + 1]], weights[offsets[i]:offsets[i + 1]] = part_weights(part, rig)
    target_names = list(morphs) if morphs else []
    normal_deltas = {n: _normal_deltas(parts, offsets, d, normals) for n, d in morphs.items()} if morphs else {}
    primitives = []
    for material in dict.fromkeys(p.material for p in parts):
        chosen = [i for i, p in enumerate(parts) if p.material == material]
        ranges = [np.arange(offsets[i], offsets[i + 1]) for i in chosen]
        vertex = np.concatenate(ranges)
        local = np.cumsum([0] + [len(r) for r in ranges])
        tris = np.concatenate([parts[i].indices + local[k] for k, i in enumerate(chosen)])
        prim = Primitive(positions=positions[vertex].astype(np.float32), indices=tris.astype(np.uint32),
                         normals=normals[vertex].astype(np.float32), joints=joints[vertex], weights=weights[vertex],
                         material=materials.index(material))
        for target in target_names:
            prim.targets.append(MorphTarget(target, morphs[target][vertex].astype(np.float32),
                                            normal_deltas[target][vertex].astype(np.float32)))
        primitives.append(prim)
    return Mesh(name, primitives, target_names, np.zeros(len(target_names)))


def _face_pool(parts: list[Part], layout) -> FacePool:
    labels = np.concatenate([np.full(len(p.positions), p.label, dtype=object) for p in parts]).astype(str)
    twin = np.concatenate([p.extra.get("twin", np.zeros(len(p.positions), dtype=bool)) for p in parts])
    lid_t = np.concatenate([p.extra.get("lid_t", np.zeros(len(p.positions))) for p in parts])
    q = layout.to_head(np.concatenate([p.positions for p in parts]))
    return FacePool(q, labels, twin, lid_t, layout)


def make_avatar(params: AvatarParams) -> AvatarAsset:
    """Build the digital human described by ``params`` (deterministic: same params, same asset)."""
    unit = params.height / 1.70
    neck_top = np.array([0.0, 1.478 * unit, -0.004 * unit])
    layout = head_layout(neck_top, params.head_scale, unit, params.face_width, params.eye_size)
    eye_l = layout.to_world(eye_center(layout, 1.0))
    eye_r = layout.to_world(eye_center(layout, -1.0))
    head_top = layout.to_world(np.array([0.0, layout.ry, 0.0]))
    jaw = layout.to_world(np.array([0.0, -0.012, -0.02]))
    rig = build_rig(params.height, eye_l, eye_r, head_top, jaw, float(neck_top[1]))

    face = [head_skin(layout)] + face_parts(layout)
    body = ears(layout) + outfit_parts(rig, params.outfit, params.build, layout.center) + hand(rig, "left") \
        + hand(rig, "right")
    hair_parts = hair(layout, params.hair_style)
    used = list(dict.fromkeys(p.material for p in face + body + hair_parts))
    materials = build_materials(params, used)
    morphs = face_morphs(_face_pool(face, layout))
    meshes = [_mesh("Face", face, rig, used, morphs), _mesh("Body", body, rig, used, None),
              _mesh("Hair", hair_parts, rig, used, None)]

    nodes = []
    for name, parent, pos in zip(rig.names, rig.parents, rig.positions, strict=True):
        local = pos - (rig.positions[parent] if parent >= 0 else 0.0)
        nodes.append(Node(name=name, parent=parent, translation=np.asarray(local, dtype=np.float64)))
    for i, parent in enumerate(rig.parents):
        if parent >= 0:
            nodes[parent].children.append(i)
    mesh_nodes = []
    for index, mesh in enumerate(meshes):
        mesh_nodes.append(len(nodes))
        nodes.append(Node(name=mesh.name, mesh=index, skin=0))
    inverse = np.tile(np.eye(4), (len(rig.names), 1, 1))
    inverse[:, :3, 3] = -np.array(rig.positions)
    skin = Skin("Armature", np.arange(len(rig.names), dtype=np.int32), inverse, skeleton=0)
    vrm = VrmInfo(spec_version="1.0", humanoid={name: i for i, name in enumerate(rig.names)},
                  expressions=_expressions(meshes[0]), look_at=_look_at(rig), meta=_meta(params))
    return AvatarAsset(path=None, nodes=nodes, meshes=meshes, skins=[skin], materials=materials,
                       roots=[0, *mesh_nodes], vrm=vrm, generator="Persona avatar maker")


def _expressions(face: Mesh) -> dict[str, Expression]:
    out = {}
    for name, mix in EXPRESSIONS.items():
        blink, look, mouth = OVERRIDES.get(name, ("none", "none", "none"))
        binds = [ExpressionBind(mesh=0, target=face.target_names.index(t), weight=w) for t, w in mix.items()]
        out[name] = Expression(name=name, preset=True, morph_binds=binds, is_binary=False,
                               override_blink=blink, override_look_at=look, override_mouth=mouth)
    return out


def _look_at(rig: Rig) -> LookAt:
    eyes = 0.5 * (rig.pos("leftEye") + rig.pos("rightEye"))
    ranges = {key: {"inputMaxValue": 90.0, "outputScale": scale}
              for key, scale in (("horizontalInner", 20.0), ("horizontalOuter", 20.0), ("verticalDown", 12.0),
                                 ("verticalUp", 12.0))}
    return LookAt(type="bone", offset_from_head=eyes - rig.pos("head"), ranges=ranges)


def _meta(params: AvatarParams) -> VrmMeta:
    return VrmMeta(name=f"Persona {params.style} {params.seed}", version="1.0", authors=["Persona"],
                   license_url=LICENSE_URL, avatar_permission="everyone", commercial_usage="corporation",
                   credit_notation="unnecessary", allow_redistribution=True,
                   modification="allowModificationRedistribution")
