"""What `persona avatar inspect` shows: a JSON-ready summary of an avatar and its human-readable text."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from engine.assets.model import AvatarAsset, VrmMeta


def _joint_depth(asset: AvatarAsset, joints: list[int]) -> int:
    """Levels of the joint tree: the longest chain of joints linked by parent edges."""
    joint_set = set(joints)
    depth = 0
    for joint in joints:
        level, node, seen = 0, joint, 0
        while node >= 0 and node in joint_set and seen <= len(asset.nodes):
            level += 1
            seen += 1
            node = asset.nodes[node].parent
        depth = max(depth, level)
    return depth


def _meta(meta: VrmMeta) -> dict[str, Any]:
    return {f.name: getattr(meta, f.name) for f in fields(VrmMeta)}


def inspect_avatar(asset: AvatarAsset) -> dict[str, Any]:
    """A JSON-ready summary: counts, joints, morphs, animations, materials, textures, VRM, warnings."""
    joints: list[int] = []
    for skin in asset.skins:
        joints.extend(int(j) for j in skin.joints if int(j) not in joints)
    summary: dict[str, Any] = {
        "file": asset.path.name if asset.path else None,
        "generator": asset.generator,
        "vrm_version": asset.vrm.spec_version if asset.vrm else None,
        "nodes": len(asset.nodes),
        "meshes": len(asset.meshes),
        "primitives": sum(len(m.primitives) for m in asset.meshes),
        "vertices": asset.vertex_count,
        "triangles": asset.triangle_count,
        "skins": len(asset.skins),
        "joints": {"count": len(joints), "names": [asset.nodes[j].name for j in joints],
                   "depth": _joint_depth(asset, joints)},
        "morph_targets": asset.morph_names(),
        "animations": [{"name": clip.name, "duration": round(clip.duration, 6), "channels": len(clip.channels)}
                       for clip in asset.animations],
        "materials": [{"name": m.name, "alpha_mode": m.alpha_mode, "double_sided": m.double_sided,
                       "base_color_texture": m.base_color_texture, "mtoon": m.mtoon is not None}
                      for m in asset.materials],
        "textures": {"count": len(asset.images),
                     "images": [{"name": im.name, "mime": im.mime, "bytes": len(im.data)} for im in asset.images]},
        "vrm": None,
        "warnings": list(asset.warnings),
    }
    if asset.vrm is not None:
        vrm = asset.vrm
        summary["vrm"] = {
            "version": vrm.spec_version,
            "meta": _meta(vrm.meta),
            "humanoid": {"count": len(vrm.humanoid),
                         "bones": {bone: asset.nodes[node].name for bone, node in vrm.humanoid.items()}},
            "expressions": [{"name": e.name, "preset": e.preset, "morph_binds": len(e.morph_binds),
                             "material_binds": len(e.material_binds), "is_binary": e.is_binary,
                             "override_blink": e.override_blink, "override_look_at": e.override_look_at,
                             "override_mouth": e.override_mouth} for e in vrm.expressions.values()],
            "look_at": {"type": vrm.look_at.type, "offset_from_head": [float(v) for v in vrm.look_at.offset_from_head]},
        }
    return summary


def _licence_lines(meta: dict[str, Any]) -> list[str]:
    allowed = [label for key, label in (("allow_violent", "violent"), ("allow_sexual", "sexual"),
                                        ("allow_political_or_religious", "political/religious"),
                                        ("allow_antisocial_or_hate", "antisocial/hate")) if meta[key]]
    lines = [f"  meta: {meta['name'] or '(unnamed)'} {meta['version']}".rstrip()
             + (f" by {', '.join(meta['authors'])}" if meta["authors"] else ""),
             f"  licence: {meta['license_url'] or '(no licence URL)'}",
             f"    avatar use: {meta['avatar_permission']}; commercial: {meta['commercial_usage']}; "
             f"credit: {meta['credit_notation']}",
             f"    redistribution: {'allowed' if meta['allow_redistribution'] else 'prohibited'}; "
             f"modification: {meta['modification']}",
             f"    content allowed: {', '.join(allowed) if allowed else 'none of violent/sexual/political/antisocial'}"]
    if meta["other_license_url"]:
        lines.append(f"    other licence: {meta['other_license_url']}")
    return lines


def format_inspect(summary: dict[str, Any]) -> str:
    """The summary of ``inspect_avatar`` as readable multi-line text."""
    lines = [f"{summary['file'] or '(in memory)'}"
             + (f"  (generator: {summary['generator']})" if summary["generator"] else ""),
             f"  {summary['nodes']} nodes, {summary['meshes']} meshes, {summary['primitives']} primitives, "
             f"{summary['vertices']} vertices, {summary['triangles']} triangles"]
    joints = summary["joints"]
    if joints["count"]:
        names = ", ".join(joints["names"][:12]) + (", ..." if joints["count"] > 12 else "")
        lines.append(f"  joints: {joints['count']} in {summary['skins']} skin(s), depth {joints['depth']}: {names}")
    else:
        lines.append("  joints: none")
    morphs = summary["morph_targets"]
    lines.append(f"  morph targets: {len(morphs)}" + (f": {', '.join(morphs)}" if morphs else ""))
    lines.append(f"  animations: {len(summary['animations'])}")
    lines.extend(f"    {a['name']}: {a['duration']:.3f} s, {a['channels']} channels" for a in summary["animations"])
    lines.append(f"  materials: {len(summary['materials'])}")
    for m in summary["materials"]:
        extra = ", MToon" if m["mtoon"] else ""
        texture = f", texture image {m['base_color_texture']}" if m["base_color_texture"] is not None else ""
        lines.append(f"    {m['name']}: {m['alpha_mode']}{', double-sided' if m['double_sided'] else ''}{texture}{extra}")
    textures = summary["textures"]
    lines.append(f"  textures: {textures['count']}")
    lines.extend(f"    {t['name']}: {t['mime']}, {t['bytes']} bytes" for t in textures["images"])
    vrm = summary["vrm"]
    if vrm is None:
        lines.append("  VRM: no (plain glTF)")
    else:
        lines.append(f"  VRM {vrm['version']}: {vrm['humanoid']['count']} humanoid bones, "
                     f"{len(vrm['expressions'])} expressions, look-at by {vrm['look_at']['type']}")
        lines.extend(_licence_lines(vrm["meta"]))
        bones = ", ".join(f"{bone}={node}" for bone, node in vrm["humanoid"]["bones"].items())
        if bones:
            lines.append(f"  humanoid: {bones}")
        for e in vrm["expressions"]:
            flags = [f for f, on in (("binary", e["is_binary"]),) if on]
            flags += [f"{k}={e[f'override_{k}']}" for k in ("blink", "look_at", "mouth") if e[f"override_{k}"] != "none"]
            lines.append(f"    {e['name']}{'' if e['preset'] else ' (custom)'}: {e['morph_binds']} morph binds, "
                         f"{e['material_binds']} material binds" + (f" [{', '.join(flags)}]" if flags else ""))
    lines.append(f"  warnings: {len(summary['warnings'])}")
    lines.extend(f"    {w}" for w in summary["warnings"])
    return "\n".join(lines)
