"""Avatar licences against a scene's declared use, and the credits they require."""

import pytest

from engine.assets.licence import credit_line, licence_report, use_refusal
from engine.assets.model import AvatarAsset, VrmInfo, VrmMeta


@pytest.mark.parametrize("granted, allowed_uses", [
    ("personalNonProfit", {"personal"}),
    ("personalProfit", {"personal", "personal_profit"}),
    ("corporation", {"personal", "personal_profit", "commercial"}),
])
def test_uses_allowed_by_each_commercial_usage(granted, allowed_uses):
    meta = VrmMeta(name="Aiko", authors=["Mika"], commercial_usage=granted)
    for use in ("personal", "personal_profit", "commercial"):
        refusal = use_refusal(meta, use, "avatar of 'host'")
        assert (refusal is None) == (use in allowed_uses), (granted, use, refusal)
    refusal = use_refusal(VrmMeta(authors=["Mika"]), "commercial", "avatar of 'host'")
    assert "avatar of 'host'" in refusal and 'use = "commercial"' in refusal and "Mika" in refusal


def test_credit_lines_only_when_required():
    assert credit_line(VrmMeta(credit_notation="unnecessary")) is None
    line = credit_line(VrmMeta(name="Aiko", authors=["Mika", "Ren"], license_url="https://example.org/l"))
    assert line == "Avatar: Aiko by Mika, Ren (https://example.org/l)"


def test_report_skips_plain_gltf_and_dedupes_credits():
    meta = VrmMeta(name="Aiko", authors=["Mika"], commercial_usage="personalNonProfit")
    vrm = AvatarAsset(path=None, vrm=VrmInfo("1.0", meta=meta))
    refusals, credits = licence_report({"a": vrm, "b": vrm, "prop": AvatarAsset(path=None)}, "commercial")
    assert len(refusals) == 2 and credits == ["Avatar: Aiko by Mika"]
