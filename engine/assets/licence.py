"""Avatar licences against a scene's declared use: refusals and the credits a licence requires."""

from __future__ import annotations

from engine.assets.model import AvatarAsset, VrmMeta

# VRM 1.0 commercialUsage, from the most to the least restrictive, and what each scene use needs.
_COMMERCIAL_RANK = {"personalNonProfit": 0, "personalProfit": 1, "corporation": 2}
_USE_NEEDS = {"personal": 0, "personal_profit": 1, "commercial": 2}
_USE_WORDS = {"personal": "personal, non-profit use", "personal_profit": "personal use for profit",
              "commercial": "commercial use by a company or brand"}


def use_refusal(meta: VrmMeta, use: str, avatar_label: str) -> str | None:
    """Why ``use`` is not allowed by the avatar's licence, or None when it is."""
    allowed = _COMMERCIAL_RANK.get(meta.commercial_usage, 0)
    if _USE_NEEDS[use] > allowed:
        granted = {0: "personal, non-profit use only", 1: "personal use (also for profit), not by companies",
                   2: "commercial use"}[allowed]
        return (f"{avatar_label}: its licence allows {granted}, but the scene declares {_USE_WORDS[use]} "
                f"([scene] use = \"{use}\"); use another avatar or get a licence from "
                f"{', '.join(meta.authors) or 'its author'}")
    return None


def credit_line(meta: VrmMeta) -> str | None:
    """The credit a licence requires (``creditNotation: required``), else None."""
    if meta.credit_notation != "required":
        return None
    title = meta.name or "avatar"
    by = f" by {', '.join(meta.authors)}" if meta.authors else ""
    link = f" ({meta.license_url})" if meta.license_url else ""
    return f"Avatar: {title}{by}{link}"


def licence_report(assets: dict[str, AvatarAsset], use: str) -> tuple[list[str], list[str]]:
    """(refusals, credit lines) for the avatars of a scene, keyed by entity name."""
    refusals: list[str] = []
    credits: list[str] = []
    for name, asset in assets.items():
        if asset.vrm is None:
            continue  # plain glTF carries no licence terms we can check
        label = f"avatar of '{name}' ({asset.path.name if asset.path else 'built-in'})"
        refusal = use_refusal(asset.vrm.meta, use, label)
        if refusal:
            refusals.append(refusal)
        line = credit_line(asset.vrm.meta)
        if line and line not in credits:
            credits.append(line)
    return refusals, credits
