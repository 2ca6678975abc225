"""Hall-type sets: a bright airport hall (tiles, pillars, windows, signage) and a product showroom."""

from __future__ import annotations

import math

import numpy as np

from engine.assets.model import AvatarAsset
from engine.sets.geometry import SetBuilder, pitch, yaw

Rgb = tuple[float, float, float]


def _facing_origin(x: float, z: float) -> np.ndarray:
    """Yaw that turns a +Z-facing panel at (x, z) toward the origin."""
    return yaw(-math.degrees(math.atan2(x, -z)))


def _glyphs(b: SetBuilder, mat: int, left: float, y: float, z: float, width: float, height: float,
            rng: np.random.Generator, rotation: np.ndarray | None = None, origin: np.ndarray | None = None) -> None:
    """A line of "text": blocks of seeded widths (real text is the renderer's overlay job)."""
    x = left
    r = np.eye(3) if rotation is None else rotation
    base = np.zeros(3) if origin is None else origin
    while True:
        w = float(rng.uniform(0.06, 0.34))
        if x + w > left + width:
            break
        b.box(mat, tuple(base + r @ np.array([x + w / 2.0, y, z])), (w, height, 0.01), r)
        x += w + float(rng.uniform(0.04, 0.09))


def airport_hall(seed: int = 0) -> AvatarAsset:
    """A daylight terminal hall: tiled floor, a glass curtain wall, white pillars, signs and benches."""
    rng = np.random.default_rng(seed)
    b = SetBuilder()
    grout = b.material("floor", (0.5, 0.5, 0.5), roughness=0.6)
    tile_a = b.material("floor_tile_a", (0.86, 0.85, 0.82), roughness=0.25)
    tile_b = b.material("floor_tile_b", (0.76, 0.75, 0.72), roughness=0.25)
    glass = b.material("window", (0.7, 0.83, 0.95), roughness=0.05, emissive=0.9)
    mullion = b.material("mullion", (0.23, 0.25, 0.29), roughness=0.35, metallic=0.7)
    pillar = b.material("pillar", (0.95, 0.95, 0.94), roughness=0.45)
    band = b.material("pillar_band", (0.3, 0.33, 0.38), roughness=0.3, metallic=0.6)
    board = b.material("sign_board", (0.12, 0.13, 0.15), roughness=0.4)
    yellow = b.material("sign_text", (1.0, 0.78, 0.16), emissive=1.6)
    amber = b.material("departures_text", (1.0, 0.6, 0.1), emissive=1.8)
    seat = b.material("seat", (0.16, 0.34, 0.58) if seed % 2 == 0 else (0.2, 0.22, 0.26), roughness=0.5)
    steel = b.material("steel", (0.7, 0.72, 0.75), roughness=0.3, metallic=0.9)
    ceiling = b.material("ceiling", (0.93, 0.93, 0.92), roughness=0.8)
    light = b.material("ceiling_light", (1.0, 0.98, 0.94), emissive=2.5)

    # 1.5 m tiles in a checker of two greys over a grout slab
    size, gap = 1.5, 0.012
    b.box(grout, (0.0, -0.06, -0.75), (22.6, 0.1, 18.2))
    for i in range(15):
        for k in range(12):  # a tile centred under the talent
            x, z = size * (i - 7), size * (k - 6)
            b.box(tile_a if (i + k) % 2 == 0 else tile_b, (x, -0.01, z), (size - gap, 0.02, size - gap))

    # curtain wall of glass at the back, mullions and transoms
    wall_z, wall_h = -9.0, 7.0
    b.box(glass, (0.0, wall_h / 2.0, wall_z - 0.05), (21.0, wall_h, 0.04))
    for x in np.arange(-10.0, 10.01, 2.0):
        b.box(mullion, (float(x), wall_h / 2.0, wall_z), (0.1, wall_h, 0.16))
    for y in (0.05, 0.6, 3.4, wall_h):
        b.box(mullion, (0.0, y, wall_z), (21.0, 0.1, 0.18))

    # pillars with a base and a dark band at eye height, well outside the talent's space
    for x in (-4.5, 4.5):
        for z in (-2.6, -6.6):
            b.bevel_box(pillar, (x, 0.1, z), (1.0, 0.2, 1.0), 0.04)
            b.cylinder(pillar, (x, 0.2, z), 0.36, wall_h - 0.2, segments=28, caps=False)
            b.cylinder(band, (x, 1.5, z), 0.375, 0.5, segments=28, caps=False)

    # ceiling slab with long light strips
    b.box(ceiling, (0.0, wall_h + 0.1, -1.0), (21.0, 0.2, 18.0))
    for x in (-6.0, -2.0, 2.0, 6.0):
        b.box(light, (x, wall_h - 0.02, -1.0), (0.3, 0.04, 16.0))

    # hanging wayfinding sign behind the talent, with an arrow block and "text"
    sy, sz = 3.7, -3.8
    for x in (-1.4, 1.4):
        b.tube(steel, (x, sy + 0.3, sz), (x, wall_h, sz), 0.015, segments=6)
    b.bevel_box(board, (0.0, sy, sz), (3.4, 0.6, 0.1), 0.03)
    b.box(yellow, (-1.45, sy, sz + 0.055), (0.32, 0.32, 0.01))
    _glyphs(b, yellow, -1.15, sy + 0.08, sz + 0.055, 2.6, 0.12, rng)
    _glyphs(b, yellow, -1.15, sy - 0.1, sz + 0.055, 2.0, 0.08, rng)

    # departures board on a stand at camera-left, turned toward the talent
    dx, dz = -5.6, -4.2
    turn = _facing_origin(dx, dz)
    origin = np.array([dx, 0.0, dz])
    for side in (-1.3, 1.3):
        b.tube(steel, tuple(origin + turn @ [side, 0.0, -0.05]), tuple(origin + turn @ [side, 1.2, -0.05]), 0.04)
    b.bevel_box(board, tuple(origin + [0.0, 2.1, 0.0]), (3.0, 1.9, 0.12), 0.03, turn)
    for row in range(8):
        _glyphs(b, amber, -1.35, 2.85 - row * 0.2, 0.065, 2.7, 0.09, rng, turn, origin)

    # rows of seats on either side
    for x0 in (5.6, -7.4):
        for z in (0.8, 2.6):
            count = int(rng.integers(3, 6))
            for k in range(count):
                x = x0 + k * 0.62
                b.bevel_box(seat, (x, 0.46, z), (0.56, 0.08, 0.5), 0.025)
                b.bevel_box(seat, (x, 0.78, z - 0.24), (0.56, 0.56, 0.06), 0.025, pitch(-8.0))
            b.box(steel, (x0 + (count - 1) * 0.31, 0.36, z), ((count - 1) * 0.62 + 0.4, 0.06, 0.12))
            for end in (0.0, (count - 1) * 0.62):
                b.box(steel, (x0 + end, 0.18, z), (0.06, 0.36, 0.4))
    return b.build("airport_hall", has_floor=True)


def showroom(seed: int = 0) -> AvatarAsset:
    """A warm product showroom: an accent wall, soft light panels, pedestals with products, plants."""
    rng = np.random.default_rng(seed)
    accents: list[Rgb] = [(0.78, 0.39, 0.23), (0.45, 0.58, 0.5), (0.2, 0.32, 0.45)]
    accent = accents[int(rng.integers(len(accents)))]
    b = SetBuilder()
    floor = b.material("floor", (0.72, 0.7, 0.67), roughness=0.35)
    oak = b.material("oak", (0.7, 0.52, 0.33), roughness=0.55)
    wall = b.material("wall", (0.93, 0.91, 0.88), roughness=0.85)
    accent_mat = b.material("accent_wall", accent, roughness=0.8)
    soft = b.material("soft_panel", (1.0, 0.96, 0.9), emissive=1.4)
    plinth = b.material("pedestal", (0.97, 0.97, 0.96), roughness=0.4)
    chrome = b.material("product_metal", (0.85, 0.86, 0.88), roughness=0.12, metallic=1.0)
    product = b.material("product_colour", accent, roughness=0.3)
    black = b.material("black", (0.06, 0.06, 0.07), roughness=0.4)
    pot = b.material("plant_pot", (0.33, 0.3, 0.28), roughness=0.7)
    leaf = b.material("foliage", (0.24, 0.42, 0.24), roughness=0.7)

    b.box(floor, (0.0, -0.05, 0.5), (16.0, 0.1, 13.0))
    b.ring(oak, (0.0, 0.002, 0.0), 0.01, 1.45, segments=72)  # a flush oak inlay the talent stands on

    # back wall with a recessed accent section behind the talent, light panels and shelves
    wz = -4.6
    b.box(wall, (0.0, 2.4, wz), (16.0, 4.8, 0.2))
    b.box(wall, (-8.0, 2.4, 0.0), (0.2, 4.8, 9.4))
    b.box(wall, (8.0, 2.4, 0.0), (0.2, 4.8, 9.4))
    b.box(accent_mat, (0.0, 2.1, wz + 0.12), (4.2, 4.2, 0.05))
    for x in (-4.3, 4.3):
        b.box(soft, (x, 2.5, wz + 0.11), (1.6, 3.2, 0.03))
    for y in (1.3, 2.1, 2.9):
        b.box(oak, (-1.25, y, wz + 0.3), (1.2, 0.04, 0.32))
        b.box(oak, (1.25, y, wz + 0.3), (1.2, 0.04, 0.32))
        for x0 in (-1.25, 1.25):
            for _ in range(int(rng.integers(1, 4))):
                x = x0 + float(rng.uniform(-0.45, 0.45))
                h = float(rng.uniform(0.12, 0.3))
                mat = [chrome, product, black][int(rng.integers(3))]
                if rng.random() < 0.5:
                    b.cylinder(mat, (x, y + 0.02, wz + 0.3), float(rng.uniform(0.04, 0.08)), h, segments=16)
                else:
                    b.bevel_box(mat, (x, y + 0.02 + h / 2.0, wz + 0.3), (0.12, h, 0.12), 0.01)

    # pedestals with hero products, in an arc behind and beside the talent
    for x, z, h in ((-2.4, -1.4, 0.9), (2.4, -1.4, 0.9), (-3.5, -3.0, 1.1), (3.5, -3.0, 1.1)):
        b.bevel_box(plinth, (x, h / 2.0, z), (0.62, h, 0.62), 0.03)
        kind = int(rng.integers(3))
        if kind == 0:  # a vase
            b.cylinder(product, (x, h, z), 0.12, 0.3, segments=24, top_radius=0.07)
        elif kind == 1:  # a speaker-like cylinder with a metal cap
            b.cylinder(black, (x, h, z), 0.13, 0.34, segments=24)
            b.cylinder(chrome, (x, h + 0.34, z), 0.13, 0.02, segments=24)
        else:  # a stack of boxes
            b.bevel_box(chrome, (x, h + 0.08, z), (0.3, 0.16, 0.22), 0.015)
            b.bevel_box(product, (x, h + 0.22, z), (0.22, 0.12, 0.16), 0.015)

    # soft standing panels (diffusers) turned toward the talent, and plants in the corners
    for x, z in ((-5.4, -0.6), (5.4, -0.6)):
        turn = _facing_origin(x, z)
        origin = np.array([x, 0.0, z])
        b.tube(black, tuple(origin + turn @ [0.0, 0.0, -0.06]), tuple(origin + turn @ [0.0, 0.9, -0.06]), 0.025)
        b.cylinder(black, (x, 0.0, z), 0.3, 0.03, segments=20)
        b.bevel_box(black, tuple(origin + [0.0, 2.0, 0.0]), (1.3, 2.2, 0.06), 0.02, turn)
        b.box(soft, tuple(origin + [0.0, 2.0, 0.0] + turn @ [0.0, 0.0, 0.035]), (1.18, 2.08, 0.01), turn)
    for x in (-6.6, 6.6):
        z = -3.7
        b.cylinder(pot, (x, 0.0, z), 0.32, 0.6, segments=20, top_radius=0.36)
        for k in range(4):
            r = 0.55 - k * 0.11
            b.cylinder(leaf, (x, 0.6 + k * 0.42, z), r, 0.5, segments=14, top_radius=r * 0.45)

    # pendant lamps over the pedestals
    for x in (-2.4, 2.4):
        b.tube(black, (x, 4.8, -1.4), (x, 2.9, -1.4), 0.006, segments=5)
        b.cylinder(black, (x, 2.6, -1.4), 0.26, 0.3, segments=24, top_radius=0.05, caps=False)
        b.cylinder(soft, (x, 2.62, -1.4), 0.2, 0.01, segments=24)
    return b.build("showroom", has_floor=True)
