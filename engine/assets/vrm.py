"""The VRM layer: VRM 1.0 ``VRMC_vrm`` and VRM 0.x ``VRM`` extensions mapped onto model.VrmInfo."""

from __future__ import annotations

import numpy as np

from engine.assets.gltf import Document
from engine.assets.model import (
    EXPRESSION_PRESETS,
    HUMANOID_BONES,
    Expression,
    ExpressionBind,
    LookAt,
    Material,
    Mesh,
    Node,
    VrmInfo,
    VrmMeta,
)

# VRM 0.x humanoid bone names that differ in VRM 1.0: the 0.x thumb chain starts one bone later.
VRM0_BONES = {
    "leftThumbProximal": "leftThumbMetacarpal", "leftThumbIntermediate": "leftThumbProximal",
    "rightThumbProximal": "rightThumbMetacarpal", "rightThumbIntermediate": "rightThumbProximal",
}
# VRM 0.x blend shape presetName -> VRM 1.0 expression preset.
VRM0_PRESETS = {
    "a": "aa", "i": "ih", "u": "ou", "e": "ee", "o": "oh", "joy": "happy", "angry": "angry",
    "sorrow": "sad", "fun": "relaxed", "surprised": "surprised", "neutral": "neutral", "blink": "blink",
    "blink_l": "blinkLeft", "blink_r": "blinkRight", "lookup": "lookUp", "lookdown": "lookDown",
    "lookleft": "lookLeft", "lookright": "lookRight",
}
OVERRIDES = ("none", "block", "blend")
# VRM 0.x licenseName -> (creditNotation, allowRedistribution, modification, non-commercial, licence URL).
VRM0_LICENSES = {
    "CC0": ("unnecessary", True, "allowModificationRedistribution", False,
            "https://creativecommons.org/publicdomain/zero/1.0/"),
    "CC_BY": ("required", True, "allowModificationRedistribution", False, "https://creativecommons.org/licenses/by/"),
    "CC_BY_NC": ("required", True, "allowModificationRedistribution", True,
                 "https://creativecommons.org/licenses/by-nc/"),
    "CC_BY_SA": ("required", True, "allowModificationRedistribution", False,
                 "https://creativecommons.org/licenses/by-sa/"),
    "CC_BY_NC_SA": ("required", True, "allowModificationRedistribution", True,
                    "https://creativecommons.org/licenses/by-nc-sa/"),
    "CC_BY_ND": ("required", True, "prohibited", False, "https://creativecommons.org/licenses/by-nd/"),
    "CC_BY_NC_ND": ("required", True, "prohibited", True, "https://creativecommons.org/licenses/by-nc-nd/"),
    "Redistribution_Prohibited": ("required", False, "prohibited", False, ""),
}
VRM0_USERS = {"OnlyAuthor": "onlyAuthor", "ExplicitlyLicensedPerson": "onlySeparatelyLicensedPerson",
              "Everyone": "everyone"}


def _extension(doc: Document, name: str) -> dict | None:
    value = doc.opt_obj(doc.json, "extensions", "").get(name)
    return None if value is None else doc.obj(value, f"extensions.{name}")


def read_vrm(doc: Document, nodes: list[Node], meshes: list[Mesh]) -> VrmInfo | None:
    """The VRM layer of the document (VRM 1.0 wins when a file carries both), None for plain glTF."""
    ext = _extension(doc, "VRMC_vrm")
    if ext is not None:
        return _read_vrm1(doc, ext, nodes, meshes)
    ext = _extension(doc, "VRM")
    if ext is not None:
        return _read_vrm0(doc, ext, meshes)
    return None


# --- VRM 1.0 ----------------------------------------------------------------------------------
def _read_vrm1(doc: Document, ext: dict, nodes: list[Node], meshes: list[Mesh]) -> VrmInfo:
    root = "extensions.VRMC_vrm"
    info = VrmInfo(spec_version=doc.string(ext, "specVersion", root, "1.0"))
    hpath = f"{root}.humanoid.humanBones"
    bones = doc.opt_obj(doc.opt_obj(ext, "humanoid", root), "humanBones", f"{root}.humanoid")
    for bone, value in bones.items():
        node = doc.index(doc.obj(value, f"{hpath}.{bone}"), "node", f"{hpath}.{bone}", "nodes", required=True)
        _add_bone(doc, info, bone, node, f"{hpath}.{bone}")
    epath = f"{root}.expressions"
    expressions = doc.opt_obj(ext, "expressions", root)
    for group in ("preset", "custom"):
        for name, raw in doc.opt_obj(expressions, group, epath).items():
            path = f"{epath}.{group}.{name}"
            if group == "preset" and name not in EXPRESSION_PRESETS:
                doc.warn(path, "not a VRM 1.0 preset; kept as a custom expression")
            info.expressions[name] = _read_expression1(doc, doc.obj(raw, path), path, name,
                                                       group == "preset" and name in EXPRESSION_PRESETS,
                                                       nodes, meshes)
    look = doc.opt_obj(ext, "lookAt", root)
    lpath = f"{root}.lookAt"
    offset = doc.numbers(look, "offsetFromHeadBone", lpath, 3)
    ranges = {}
    for key in ("HorizontalInner", "HorizontalOuter", "VerticalDown", "VerticalUp"):
        raw = doc.opt_obj(look, f"rangeMap{key}", lpath)
        rpath = f"{lpath}.rangeMap{key}"
        ranges[key[0].lower() + key[1:]] = {"inputMaxValue": doc.number(raw, "inputMaxValue", rpath, 90.0),
                                            "outputScale": doc.number(raw, "outputScale", rpath, 10.0)}
    info.look_at = LookAt(type=doc.string(look, "type", lpath, "bone"),
                          offset_from_head=np.array([0.0, 0.06, 0.0]) if offset is None else offset,
                          ranges=ranges)
    info.meta = _read_meta1(doc, doc.opt_obj(ext, "meta", root), f"{root}.meta")
    return info


def _add_bone(doc: Document, info: VrmInfo, bone: str, node: int, path: str) -> None:
    if bone not in HUMANOID_BONES:
        doc.warn(path, f"unknown humanoid bone {bone!r}; ignored")
    elif bone in info.humanoid:
        doc.warn(path, f"bone {bone!r} mapped twice; the first is kept")
    else:
        info.humanoid[bone] = node


def _override(doc: Document, raw: dict, key: str, path: str) -> str:
    value = doc.string(raw, key, path, "none")
    if value not in OVERRIDES:
        doc.warn(f"{path}.{key}", f"unknown override {value!r}; using 'none'")
        return "none"
    return value


def _read_expression1(doc: Document, raw: dict, path: str, name: str, preset: bool,
                      nodes: list[Node], meshes: list[Mesh]) -> Expression:
    binds = []
    for b, bind in enumerate(doc.array(raw, "morphTargetBinds", path)):
        bpath = f"{path}.morphTargetBinds[{b}]"
        bind = doc.obj(bind, bpath)
        node = doc.index(bind, "node", bpath, "nodes", required=True)
        mesh = nodes[node].mesh
        if mesh is None:
            doc.fail(f"{bpath}.node", f"node {node} has no mesh")
        binds.append(_morph_bind(doc, bind, bpath, mesh, meshes, 1.0))
    material_binds = []
    for key in ("materialColorBinds", "textureTransformBinds"):
        for b, bind in enumerate(doc.array(raw, key, path)):
            bind = doc.obj(bind, f"{path}.{key}[{b}]")
            doc.index(bind, "material", f"{path}.{key}[{b}]", "materials", required=True)
            material_binds.append({"kind": key[:-5], **bind})  # kind: materialColor / textureTransform
    is_binary = raw.get("isBinary", False)
    return Expression(name=name, preset=preset, morph_binds=binds, material_binds=material_binds,
                      is_binary=is_binary is True,
                      override_blink=_override(doc, raw, "overrideBlink", path),
                      override_look_at=_override(doc, raw, "overrideLookAt", path),
                      override_mouth=_override(doc, raw, "overrideMouth", path))


def _morph_bind(doc: Document, bind: dict, path: str, mesh: int, meshes: list[Mesh], scale: float) -> ExpressionBind:
    target = doc.integer(bind, "index", path, required=True)
    count = len(meshes[mesh].target_names)
    if target >= count:
        doc.fail(f"{path}.index", f"morph target {target} >= {count} targets of meshes[{mesh}]")
    weight = doc.number(bind, "weight", path, 1.0 / scale) * scale  # absent: fully on
    return ExpressionBind(mesh=mesh, target=target, weight=float(min(max(weight, 0.0), 1.0)))


def _flag(doc: Document, raw: dict, key: str, path: str, default: bool = False) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        doc.warn(f"{path}.{key}", f"expected true or false, got {value!r}; using {default}")
        return default
    return value


def _choice(doc: Document, raw: dict, key: str, path: str, allowed: tuple[str, ...]) -> str:
    value = doc.string(raw, key, path, allowed[0])
    if value not in allowed:
        doc.warn(f"{path}.{key}", f"unknown value {value!r}; using {allowed[0]!r}")
        return allowed[0]
    return value


def _strings(doc: Document, raw: dict, key: str, path: str) -> list[str]:
    return [v for v in doc.array(raw, key, path) if isinstance(v, str)]


def _read_meta1(doc: Document, raw: dict, path: str) -> VrmMeta:
    """VRM 1.0 meta, field for field; unknown enum values fall back to the most restrictive."""
    return VrmMeta(
        name=doc.string(raw, "name", path), version=doc.string(raw, "version", path),
        authors=_strings(doc, raw, "authors", path), contact=doc.string(raw, "contactInformation", path),
        references=_strings(doc, raw, "references", path), license_url=doc.string(raw, "licenseUrl", path),
        avatar_permission=_choice(doc, raw, "avatarPermission", path,
                                  ("onlyAuthor", "onlySeparatelyLicensedPerson", "everyone")),
        commercial_usage=_choice(doc, raw, "commercialUsage", path,
                                 ("personalNonProfit", "personalProfit", "corporation")),
        credit_notation=_choice(doc, raw, "creditNotation", path, ("required", "unnecessary")),
        allow_redistribution=_flag(doc, raw, "allowRedistribution", path),
        modification=_choice(doc, raw, "modification", path,
                             ("prohibited", "allowModification", "allowModificationRedistribution")),
        allow_violent=_flag(doc, raw, "allowExcessivelyViolentUsage", path),
        allow_sexual=_flag(doc, raw, "allowExcessivelySexualUsage", path),
        allow_political_or_religious=_flag(doc, raw, "allowPoliticalOrReligiousUsage", path),
        allow_antisocial_or_hate=_flag(doc, raw, "allowAntisocialOrHateUsage", path),
        other_license_url=doc.string(raw, "otherLicenseUrl", path))


# --- VRM 0.x ----------------------------------------------------------------------------------
def _groups0(doc: Document) -> list[tuple[str, dict]]:
    ext = _extension(doc, "VRM")
    if ext is None:
        return []
    path = "extensions.VRM.blendShapeMaster"
    master = doc.opt_obj(ext, "blendShapeMaster", "extensions.VRM")
    return [(f"{path}.blendShapeGroups[{g}]", doc.obj(raw, f"{path}.blendShapeGroups[{g}]"))
            for g, raw in enumerate(doc.array(master, "blendShapeGroups", path))]


def vrm0_target_names(doc: Document) -> dict[tuple[int, int], str]:
    """(mesh, morph target) -> name of the first VRM 0.x blend shape group that binds it.

    Used only for meshes whose morph targets are not named in the glTF extras.
    """
    names: dict[tuple[int, int], str] = {}
    for path, group in _groups0(doc):
        name = doc.string(group, "name", path, "")
        for bind in doc.array(group, "binds", path):
            if isinstance(bind, dict) and isinstance(bind.get("mesh"), int) and isinstance(bind.get("index"), int):
                names.setdefault((bind["mesh"], bind["index"]), name)
    return names


def _read_vrm0(doc: Document, ext: dict, meshes: list[Mesh]) -> VrmInfo:
    root = "extensions.VRM"
    info = VrmInfo(spec_version=doc.string(ext, "specVersion", root, "0.0"))
    hpath = f"{root}.humanoid.humanBones"
    for b, raw in enumerate(doc.array(doc.opt_obj(ext, "humanoid", root), "humanBones", f"{root}.humanoid")):
        path = f"{hpath}[{b}]"
        raw = doc.obj(raw, path)
        bone = doc.string(raw, "bone", path)
        node = doc.index(raw, "node", path, "nodes", required=True)
        _add_bone(doc, info, VRM0_BONES.get(bone, bone), node, path)
    for path, group in _groups0(doc):
        preset_name = doc.string(group, "presetName", path, "unknown").lower()
        preset = VRM0_PRESETS.get(preset_name)
        name = preset or doc.string(group, "name", path, path)
        if name in info.expressions:
            doc.warn(path, f"expression {name!r} defined twice; the first is kept")
            continue
        binds = []
        for b, bind in enumerate(doc.array(group, "binds", path)):
            bpath = f"{path}.binds[{b}]"
            bind = doc.obj(bind, bpath)
            mesh = doc.index(bind, "mesh", bpath, "meshes", required=True)
            binds.append(_morph_bind(doc, bind, bpath, mesh, meshes, 0.01))  # 0.x weights are 0..100
        material_binds = [{"kind": "materialValue", **doc.obj(v, f"{path}.materialValues")}
                          for v in doc.array(group, "materialValues", path)]
        info.expressions[name] = Expression(name=name, preset=preset is not None, morph_binds=binds,
                                            material_binds=material_binds,
                                            is_binary=group.get("isBinary") is True)
    first = doc.opt_obj(ext, "firstPerson", root)
    info.look_at = _look_at0(doc, first, f"{root}.firstPerson")
    info.meta = _read_meta0(doc, doc.opt_obj(ext, "meta", root), f"{root}.meta")
    return info


def _look_at0(doc: Document, first: dict, path: str) -> LookAt:
    """VRM 0.x firstPerson look-at: xRange -> inputMaxValue, yRange -> outputScale, curve kept."""
    kind = doc.string(first, "lookAtTypeName", path, "Bone")
    offset_raw = doc.opt_obj(first, "firstPersonBoneOffset", path)
    if offset_raw:
        # VRM 0.x models face -Z: their offsets are stored with z mirrored (as three-vrm reads them)
        offset = np.array([doc.number(offset_raw, axis, f"{path}.firstPersonBoneOffset", 0.0) for axis in "xyz"])
        offset[2] = -offset[2]
    else:
        offset = np.array([0.0, 0.06, 0.0])
    ranges = {}
    for key in ("HorizontalInner", "HorizontalOuter", "VerticalDown", "VerticalUp"):
        raw = doc.opt_obj(first, f"lookAt{key}", path)
        rpath = f"{path}.lookAt{key}"
        ranges[key[0].lower() + key[1:]] = {"inputMaxValue": doc.number(raw, "xRange", rpath, 90.0),
                                            "outputScale": doc.number(raw, "yRange", rpath, 10.0),
                                            "curve": list(doc.array(raw, "curve", rpath))}
    return LookAt(type="expression" if kind == "BlendShape" else "bone", offset_from_head=offset,
                  ranges=ranges)


def _read_meta0(doc: Document, raw: dict, path: str) -> VrmMeta:
    """VRM 0.x meta onto the VRM 1.0 vocabulary.

    * title -> name, version, author -> authors[0], contactInformation -> contact,
      reference -> references[0].
    * allowedUserName OnlyAuthor / ExplicitlyLicensedPerson / Everyone -> avatar_permission
      onlyAuthor / onlySeparatelyLicensedPerson / everyone.
    * commercialUssageName Allow -> corporation when the licence is a Creative Commons licence
      that itself grants commercial use to anyone (CC0, CC_BY, CC_BY_SA, CC_BY_ND), else
      personalProfit (0.x does not say whether companies may use it); Disallow -> personalNonProfit;
      a CC *_NC licence forces personalNonProfit.
    * violentUssageName / sexualUssageName Allow -> allow_violent / allow_sexual; 0.x has no political
      or antisocial fields, so those stay False (not granted).
    * licenseName: CC0 -> credit unnecessary, redistribution and modification allowed; CC_BY(_SA) ->
      credit required, redistribution and modification allowed; *_ND -> modification prohibited;
      Redistribution_Prohibited -> neither; Other -> the restrictive defaults, with otherLicenseUrl.
      license_url is the Creative Commons deed for CC licences (0.x names no version).
    * other_license_url: otherLicenseUrl, else otherPermissionUrl.
    Unknown values fall back to the most restrictive choice.
    """
    meta = VrmMeta(name=doc.string(raw, "title", path), version=doc.string(raw, "version", path),
                   contact=doc.string(raw, "contactInformation", path))
    author = doc.string(raw, "author", path)
    meta.authors = [author] if author else []
    reference = doc.string(raw, "reference", path)
    meta.references = [reference] if reference else []
    meta.avatar_permission = VRM0_USERS.get(doc.string(raw, "allowedUserName", path), "onlyAuthor")
    commercial = doc.string(raw, "commercialUssageName", path) == "Allow"
    meta.allow_violent = doc.string(raw, "violentUssageName", path) == "Allow"
    meta.allow_sexual = doc.string(raw, "sexualUssageName", path) == "Allow"
    licence = doc.string(raw, "licenseName", path, "Other")
    open_licence = False
    if licence in VRM0_LICENSES:
        credit, redistribution, modification, non_commercial, url = VRM0_LICENSES[licence]
        open_licence = licence.startswith("CC") and not non_commercial
        meta.credit_notation, meta.allow_redistribution, meta.modification = credit, redistribution, modification
        meta.license_url = url
        commercial = commercial and not non_commercial
    elif licence != "Other":
        doc.warn(f"{path}.licenseName", f"unknown licence {licence!r}; treated as Other")
    if not commercial:
        meta.commercial_usage = "personalNonProfit"
    else:
        meta.commercial_usage = "corporation" if open_licence else "personalProfit"
    meta.other_license_url = (doc.string(raw, "otherLicenseUrl", path)
                              or doc.string(raw, "otherPermissionUrl", path))
    return meta


def apply_vrm0_materials(doc: Document, materials: list[Material]) -> None:
    """Keep VRM 0.x ``materialProperties`` (index-aligned with glTF materials) as MToon dicts."""
    ext = _extension(doc, "VRM")
    if ext is None:
        return
    path = "extensions.VRM.materialProperties"
    for i, raw in enumerate(doc.array(ext, "materialProperties", "extensions.VRM")):
        raw = doc.obj(raw, f"{path}[{i}]")
        if i < len(materials) and materials[i].mtoon is None and "MToon" in doc.string(raw, "shader", f"{path}[{i}]"):
            materials[i].mtoon = dict(raw)
