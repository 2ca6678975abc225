"""The in-memory avatar model every part of Persona shares: nodes, meshes, skins, morphs, clips, VRM.

Loaders fill it, the avatar maker builds it, anim/ and deform/ read it, render/ draws it.
Arrays are numpy; conventions follow glTF: metres, Y up, +Z forward (VRM 1.0), right-handed,
quaternions (x, y, z, w), column vectors (``world = parent @ local``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# VRM 1.0 humanoid bone names (VRM 0.x names are mapped onto these when loading).
HUMANOID_BONES = (
    "hips", "spine", "chest", "upperChest", "neck", "head", "leftEye", "rightEye", "jaw",
    "leftUpperLeg", "leftLowerLeg", "leftFoot", "leftToes",
    "rightUpperLeg", "rightLowerLeg", "rightFoot", "rightToes",
    "leftShoulder", "leftUpperArm", "leftLowerArm", "leftHand",
    "rightShoulder", "rightUpperArm", "rightLowerArm", "rightHand",
    "leftThumbMetacarpal", "leftThumbProximal", "leftThumbDistal",
    "leftIndexProximal", "leftIndexIntermediate", "leftIndexDistal",
    "leftMiddleProximal", "leftMiddleIntermediate", "leftMiddleDistal",
    "leftRingProximal", "leftRingIntermediate", "leftRingDistal",
    "leftLittleProximal", "leftLittleIntermediate", "leftLittleDistal",
    "rightThumbMetacarpal", "rightThumbProximal", "rightThumbDistal",
    "rightIndexProximal", "rightIndexIntermediate", "rightIndexDistal",
    "rightMiddleProximal", "rightMiddleIntermediate", "rightMiddleDistal",
    "rightRingProximal", "rightRingIntermediate", "rightRingDistal",
    "rightLittleProximal", "rightLittleIntermediate", "rightLittleDistal",
)
REQUIRED_HUMANOID_BONES = (
    "hips", "spine", "head",
    "leftUpperLeg", "leftLowerLeg", "leftFoot", "rightUpperLeg", "rightLowerLeg", "rightFoot",
    "leftUpperArm", "leftLowerArm", "leftHand", "rightUpperArm", "rightLowerArm", "rightHand",
)

# The 52 ARKit blendshape names, in Apple's documented order.
ARKIT_BLENDSHAPES = (
    "eyeBlinkLeft", "eyeLookDownLeft", "eyeLookInLeft", "eyeLookOutLeft", "eyeLookUpLeft",
    "eyeSquintLeft", "eyeWideLeft", "eyeBlinkRight", "eyeLookDownRight", "eyeLookInRight",
    "eyeLookOutRight", "eyeLookUpRight", "eyeSquintRight", "eyeWideRight", "jawForward",
    "jawLeft", "jawRight", "jawOpen", "mouthClose", "mouthFunnel", "mouthPucker", "mouthLeft",
    "mouthRight", "mouthSmileLeft", "mouthSmileRight", "mouthFrownLeft", "mouthFrownRight",
    "mouthDimpleLeft", "mouthDimpleRight", "mouthStretchLeft", "mouthStretchRight",
    "mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthPressLeft",
    "mouthPressRight", "mouthLowerDownLeft", "mouthLowerDownRight", "mouthUpperUpLeft",
    "mouthUpperUpRight", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft",
    "browOuterUpRight", "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "noseSneerLeft",
    "noseSneerRight", "tongueOut",
)
VISEMES = ("aa", "ih", "ou", "ee", "oh")

# VRM 1.0 preset expression names.
EXPRESSION_PRESETS = (
    "happy", "angry", "sad", "relaxed", "surprised", "aa", "ih", "ou", "ee", "oh",
    "blink", "blinkLeft", "blinkRight", "lookUp", "lookDown", "lookLeft", "lookRight", "neutral",
)


@dataclass(slots=True, eq=False)
class Node:
    """A node of the glTF hierarchy with its rest TRS (matrices are decomposed at load)."""

    name: str
    parent: int = -1
    translation: np.ndarray = field(default_factory=lambda: np.zeros(3))
    rotation: np.ndarray = field(default_factory=lambda: np.array([0.0, 0.0, 0.0, 1.0]))
    scale: np.ndarray = field(default_factory=lambda: np.ones(3))
    mesh: int | None = None
    skin: int | None = None
    children: list[int] = field(default_factory=list)
    weights: np.ndarray | None = None  # morph weights that override the mesh's defaults


@dataclass(slots=True, eq=False)
class MorphTarget:
    """Per-vertex deltas of one morph target of one primitive."""

    name: str
    positions: np.ndarray  # (N, 3) float32
    normals: np.ndarray | None = None  # (N, 3) float32


@dataclass(slots=True, eq=False)
class Primitive:
    """Triangles with per-vertex attributes; ``joints``/``weights`` hold 4 or 8 influences."""

    positions: np.ndarray  # (N, 3) float32
    indices: np.ndarray  # (M, 3) uint32 triangles (generated for non-indexed primitives)
    normals: np.ndarray | None = None  # (N, 3) float32
    uvs: np.ndarray | None = None  # (N, 2) float32, TEXCOORD_0
    colors: np.ndarray | None = None  # (N, 4) float32, COLOR_0
    joints: np.ndarray | None = None  # (N, K) uint16 indices into the skin's joints, K = 4 or 8
    weights: np.ndarray | None = None  # (N, K) float32, rows sum to 1
    material: int | None = None
    targets: list[MorphTarget] = field(default_factory=list)

    @property
    def vertex_count(self) -> int:
        """Number of vertices."""
        return len(self.positions)


@dataclass(slots=True, eq=False)
class Mesh:
    """A mesh: primitives sharing morph target names and default weights."""

    name: str
    primitives: list[Primitive]
    target_names: list[str] = field(default_factory=list)
    default_weights: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass(slots=True, eq=False)
class Skin:
    """Joints (node indices) and their inverse bind matrices."""

    name: str
    joints: np.ndarray  # (J,) int32 node indices
    inverse_bind: np.ndarray  # (J, 4, 4) float64
    skeleton: int | None = None


@dataclass(slots=True, eq=False)
class Image:
    """An encoded image (PNG or JPEG bytes)."""

    name: str
    mime: str
    data: bytes


@dataclass(slots=True, eq=False)
class Material:
    """The material fields Persona renders; MToon parameters kept when the file has them."""

    name: str
    base_color: np.ndarray = field(default_factory=lambda: np.ones(4))
    base_color_texture: int | None = None  # index into AvatarAsset.images
    metallic: float = 1.0
    roughness: float = 1.0
    normal_texture: int | None = None
    emissive: np.ndarray = field(default_factory=lambda: np.zeros(3))
    emissive_texture: int | None = None
    alpha_mode: str = "OPAQUE"  # OPAQUE, MASK, BLEND
    alpha_cutoff: float = 0.5
    double_sided: bool = False
    mtoon: dict | None = None  # shade colour, rim, outline ... (VRMC_materials_mtoon or VRM 0.x)


@dataclass(slots=True, eq=False)
class Channel:
    """One animated property of one node; cubic splines keep their tangents."""

    node: int
    path: str  # translation, rotation, scale, weights
    interpolation: str  # STEP, LINEAR, CUBICSPLINE
    times: np.ndarray  # (K,) float32 seconds, increasing
    values: np.ndarray  # (K, C) float32; C = 3, 4 or the mesh's target count
    in_tangents: np.ndarray | None = None  # (K, C) for CUBICSPLINE
    out_tangents: np.ndarray | None = None


@dataclass(slots=True, eq=False)
class AnimationClip:
    """A named animation: channels over nodes of one asset."""

    name: str
    channels: list[Channel]
    duration: float


@dataclass(slots=True, eq=False)
class ExpressionBind:
    """A morph target of a mesh driven by an expression, at ``weight`` (0..1) when fully on."""

    mesh: int
    target: int
    weight: float = 1.0


@dataclass(slots=True, eq=False)
class Expression:
    """A VRM expression (VRM 0.x blend shape groups are converted to these)."""

    name: str
    preset: bool
    morph_binds: list[ExpressionBind] = field(default_factory=list)
    material_binds: list[dict] = field(default_factory=list)  # colour / texture-transform binds, raw
    is_binary: bool = False
    override_blink: str = "none"  # none, block, blend
    override_look_at: str = "none"
    override_mouth: str = "none"


@dataclass(slots=True, eq=False)
class VrmMeta:
    """Who made the avatar and what its licence allows (VRM 1.0 vocabulary)."""

    name: str = ""
    version: str = ""
    authors: list[str] = field(default_factory=list)
    contact: str = ""
    references: list[str] = field(default_factory=list)
    license_url: str = ""
    avatar_permission: str = "onlyAuthor"  # onlyAuthor, onlySeparatelyLicensedPerson, everyone
    commercial_usage: str = "personalNonProfit"  # personalNonProfit, personalProfit, corporation
    credit_notation: str = "required"  # required, unnecessary
    allow_redistribution: bool = False
    modification: str = "prohibited"  # prohibited, allowModification, allowModificationRedistribution
    allow_violent: bool = False
    allow_sexual: bool = False
    allow_political_or_religious: bool = False
    allow_antisocial_or_hate: bool = False
    other_license_url: str = ""


@dataclass(slots=True, eq=False)
class LookAt:
    """How the eyes look: by rotating eye bones or through look expressions."""

    type: str = "bone"  # bone, expression
    offset_from_head: np.ndarray = field(default_factory=lambda: np.array([0.0, 0.06, 0.0]))
    ranges: dict = field(default_factory=dict)  # horizontalInner/Outer, verticalDown/Up: inputMaxValue, outputScale


@dataclass(slots=True, eq=False)
class VrmInfo:
    """The VRM layer of an avatar: humanoid bone map, expressions, look-at and meta."""

    spec_version: str  # "0.0" (VRM 0.x) or "1.0"
    humanoid: dict[str, int] = field(default_factory=dict)  # VRM 1.0 bone name -> node index
    expressions: dict[str, Expression] = field(default_factory=dict)
    look_at: LookAt = field(default_factory=LookAt)
    meta: VrmMeta = field(default_factory=VrmMeta)


@dataclass(slots=True, eq=False)
class AvatarAsset:
    """A loaded (or made) avatar: everything from one glTF / GLB / VRM file."""

    path: Path | None
    nodes: list[Node] = field(default_factory=list)
    meshes: list[Mesh] = field(default_factory=list)
    skins: list[Skin] = field(default_factory=list)
    materials: list[Material] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    animations: list[AnimationClip] = field(default_factory=list)
    roots: list[int] = field(default_factory=list)  # root nodes of the default scene
    vrm: VrmInfo | None = None
    generator: str = ""
    warnings: list[str] = field(default_factory=list)

    def node_index(self, name: str) -> int | None:
        """The first node called ``name``."""
        for i, node in enumerate(self.nodes):
            if node.name == name:
                return i
        return None

    @property
    def vertex_count(self) -> int:
        """Vertices over all primitives of all meshes."""
        return sum(p.vertex_count for m in self.meshes for p in m.primitives)

    @property
    def triangle_count(self) -> int:
        """Triangles over all primitives of all meshes."""
        return sum(len(p.indices) for m in self.meshes for p in m.primitives)

    def morph_names(self) -> list[str]:
        """Every distinct morph target name, in first-seen order."""
        names: list[str] = []
        for mesh in self.meshes:
            for name in mesh.target_names:
                if name not in names:
                    names.append(name)
        return names
