"""The head: its layout (where eyes, nose and mouth sit), the sculpted skin surface with a mouth slit, ears."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.assets.maker.geometry import (
    Part,
    density_samples,
    ellipsoid,
    fan_indices,
    grid_indices,
    rot_x,
    rot_y,
    smoothstep,
)

# Face landmarks in head units (metres for a head_scale 1 head, origin at the head centre).
EYE_X = 0.0315
EYE_Y = 0.006
NOSE_TIP_Y = -0.030
NOSE_BASE_Y = -0.040
MOUTH_Y = -0.057
MOUTH_W = 0.0235  # half width of the lips
CHIN_Y = -0.094
HEAD_BONES = ("head", "neck")


@dataclass(slots=True)
class HeadLayout:
    """Where the head sits and its proportions; ``to_world``/``to_head`` map head units <-> metres."""

    center: np.ndarray  # world position of the head centre
    scale: float  # metres per head unit
    rx: float
    ry: float
    rz: float
    eye_radius: float  # head units

    def to_world(self, local: np.ndarray) -> np.ndarray:
        """Head units -> world metres."""
        return self.center + np.asarray(local) * self.scale

    def to_head(self, world: np.ndarray) -> np.ndarray:
        """World metres -> head units."""
        return (np.asarray(world) - self.center) / self.scale

    def taper(self, y: np.ndarray) -> np.ndarray:
        """Width factor narrowing the lower head towards the chin."""
        t = np.clip(-np.asarray(y) / self.ry, 0.0, 1.0)
        return 1.0 - 0.25 * t ** 1.55  # a softer, rounder jaw line

    def fill(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Forward fill of the jaw and muzzle, so the lower face is not an egg."""
        return (0.021 * np.exp(-((y + 0.072) / 0.045) ** 2) * np.exp(-(x / 0.058) ** 2)
                + 0.006 * np.exp(-((y + 0.03) / 0.03) ** 2) * np.exp(-(x / 0.07) ** 2))

    def relief(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Facial features as forward offsets (head units): sockets, brows, nose, cheeks, lips, chin."""
        ax = np.abs(x)
        # Shallow, wide sockets and broad cheeks: a deep socket beside a tight cheek bump left a steep
        # slope under the eye that the key light missed (a dark patch across the cheek).
        socket = -0.0042 * np.exp(-((ax - EYE_X) / 0.0185) ** 2 - ((y - EYE_Y) / 0.0135) ** 2)
        brow = 0.0042 * np.exp(-((y - 0.025) / 0.009) ** 2) * np.exp(-(x / 0.052) ** 4)
        t = np.clip((0.016 - y) / (0.016 - NOSE_TIP_Y), 0.0, 1.0)
        ridge = (0.0022 + 0.0098 * t ** 1.6) * smoothstep(0.026, 0.010, y) * smoothstep(NOSE_BASE_Y - 0.003,
                                                                                        NOSE_TIP_Y + 0.002, y)
        # A broad gaussian keeps the nose flanks shallow: steep flanks threw a dark key-light patch on the cheek.
        nose = ridge * np.exp(-(x / (0.0078 + 0.0042 * t)) ** 2)
        tip = 0.0050 * np.exp(-(x / 0.0100) ** 2 - ((y - NOSE_TIP_Y + 0.001) / 0.0068) ** 2)
        alae = 0.0038 * np.exp(-((ax - 0.0105) / 0.0045) ** 2 - ((y + 0.0345) / 0.0045) ** 2)
        cheek = 0.0016 * np.exp(-((ax - 0.040) / 0.024) ** 2 - ((y + 0.022) / 0.024) ** 2)
        muzzle = 0.0035 * np.exp(-(x / 0.03) ** 2 - ((y + 0.05) / 0.02) ** 2)
        upper = 0.0042 * np.exp(-(x / MOUTH_W) ** 6) * np.exp(-((y - MOUTH_Y - 0.0042) / 0.0038) ** 2)
        lower = 0.0050 * np.exp(-(x / (0.92 * MOUTH_W)) ** 4) * np.exp(-((y - MOUTH_Y + 0.0058) / 0.0050) ** 2)
        groove = -0.0026 * np.exp(-(x / MOUTH_W) ** 8) * np.exp(-((y - MOUTH_Y) / 0.0016) ** 2)
        sulcus = -0.0022 * np.exp(-(x / 0.02) ** 2 - ((y - MOUTH_Y + 0.0165) / 0.0040) ** 2)
        chin = 0.0045 * np.exp(-(x / 0.019) ** 2 - ((y - CHIN_Y - 0.004) / 0.013) ** 2)
        return socket + brow + nose + tip + alae + cheek + muzzle + upper + lower + groove + sulcus + chin

    def surface(self, theta: np.ndarray, phi: np.ndarray) -> np.ndarray:
        """Head-unit points of the sculpted head for azimuth ``theta`` (0 = +Z) and elevation ``phi``."""
        cp = np.cos(phi)
        y = self.ry * np.sin(phi)
        x = self.rx * cp * np.sin(theta) * self.taper(y)
        dz = cp * np.cos(theta)
        z = self.rz * dz
        front = smoothstep(0.05, 0.55, dz)
        z = z + front * self.fill(x, y) + smoothstep(0.3, 0.72, dz) * self.relief(x, y)
        # The back of the skull is rounder and fuller than an ellipsoid.
        z = z - 0.008 * smoothstep(0.0, -0.7, dz) * smoothstep(-0.06, 0.03, y)
        return np.stack([x, y, z], axis=-1)

    def front_z(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Forward coordinate of the face surface at head-unit (x, y) (front half only)."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        phi = np.arcsin(np.clip(y / self.ry, -1.0, 1.0))
        st = np.clip(x / (self.rx * np.cos(phi) * self.taper(y)), -1.0, 1.0)
        return self.surface(np.arcsin(st), phi)[..., 2]


def head_layout(neck_top: np.ndarray, head_scale: float, unit: float, face_width: float,
                eye_size: float) -> HeadLayout:
    """Place the head above the neck; stylised heads are a little larger than life."""
    scale = head_scale * (0.55 + 0.45 * unit)
    center = np.asarray(neck_top) + np.array([0.0, 0.082, 0.010]) * scale
    return HeadLayout(center, scale, 0.079 * face_width, 0.106, 0.095, 0.0136 * eye_size)


def eye_center(layout: HeadLayout, side: float) -> np.ndarray:
    """Head-unit centre of the eyeball on ``side`` (+1 = the avatar's left, +X)."""
    skin = float(layout.front_z(EYE_X * side, EYE_Y))
    # The cornea peeks just past the socket's skin; the lids hide the rest of the ball.
    return np.array([EYE_X * side, EYE_Y, skin + 0.0028 - layout.eye_radius])


def head_skin(layout: HeadLayout) -> Part:
    """The head's skin with a mouth slit (lower-lip vertices are duplicated along the seam)."""
    cols, rows = 60, 46
    theta = density_samples(cols + 1, lambda t: 1.0 + 4.0 * np.exp(-(t / 0.55) ** 2), -np.pi, np.pi)[:-1]
    phi_mouth = float(np.arcsin(MOUTH_Y / layout.ry))
    phi = density_samples(rows + 2, lambda t: 1.0 + 4.0 * np.exp(-((t + 0.25) / 0.42) ** 2)
                          + 2.5 * np.exp(-((t - phi_mouth) / 0.10) ** 2), np.pi / 2, -np.pi / 2)[1:-1]
    mouth_row = int(np.argmin(np.abs(phi - phi_mouth)))
    phi[mouth_row] = phi_mouth
    th, ph = np.meshgrid(theta, phi, indexing="xy")
    grid = layout.surface(th, ph)
    positions = grid.reshape(-1, 3)
    tris = grid_indices(rows, cols, wrap=True)
    top = len(positions)
    bottom = top + 1
    poles = np.array([[0.0, layout.ry, -0.004], [0.0, -layout.ry * 0.97, -0.02]])
    tris = np.concatenate([tris, fan_indices(top, np.arange(cols), reverse=True),
                           fan_indices(bottom, np.arange((rows - 1) * cols, rows * cols), reverse=False)])
    positions = np.concatenate([positions, poles])
    # Mouth slit: seam vertices inside the lips get a twin that the lower band uses.
    seam_x = grid[mouth_row, :, 0]
    seam_cols = np.nonzero((np.abs(seam_x) < MOUTH_W * 0.97) & (np.cos(theta) > 0))[0]
    seam = mouth_row * cols + seam_cols
    twins = len(positions) + np.arange(len(seam))
    positions = np.concatenate([positions, positions[seam]])
    lookup = np.arange(len(positions))
    remap = lookup.copy()
    remap[seam] = twins
    band = (tris.min(axis=1) >= mouth_row * cols) & (tris.max(axis=1) < (mouth_row + 2) * cols)
    below = band & np.any(tris >= (mouth_row + 1) * cols, axis=1) & (tris.max(axis=1) < len(lookup) - len(seam))
    tris[below] = remap[tris[below]]
    lower_lip = np.zeros(len(positions), dtype=bool)
    lower_lip[twins] = True
    world = layout.to_world(positions)
    part = Part("head", "skin", world, tris.astype(np.int64), "head", HEAD_BONES)
    part.extra["twin"] = lower_lip
    return part


def ears(layout: HeadLayout) -> list[Part]:
    """Two ears: flattened, tilted ellipsoids with a dished bowl facing outwards."""
    parts = []
    y = -0.012
    half = layout.rx * np.sqrt(1.0 - (y / layout.ry) ** 2) * float(layout.taper(np.array(y)))
    for side, name in ((1.0, "earLeft"), (-1.0, "earRight")):
        radii = np.array([0.0085, 0.030, 0.0185])
        local, tris = ellipsoid(np.zeros(3), radii, 12, 16)
        # Dish the outer face (the concha) and thicken the rim (the helix).
        outward = local[:, 0] > 0
        r2 = (local[:, 1] / radii[1]) ** 2 + (local[:, 2] / radii[2]) ** 2
        local[outward, 0] -= 0.0095 * np.clip(1.0 - r2[outward] * 1.25, 0.0, 1.0)
        local = local @ (rot_y(-0.38) @ rot_x(-0.18)).T
        local[:, 0] *= side
        if side < 0:
            tris = tris[:, ::-1]
        center = np.array([side * (half + 0.0035), y, -0.008])
        parts.append(Part(name, "skin", layout.to_world(local + center), tris.copy(), "ear", HEAD_BONES))
    return parts
