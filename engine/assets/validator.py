"""Run the Khronos glTF validator (npm `gltf-validator`, installed by `make setup`) on a file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from engine.scene.project import BUILTIN_ROOT

SCRIPT = Path(__file__).with_name("validate_gltf.mjs")
NODE_MODULES = BUILTIN_ROOT / ".tools" / "node_modules"


class ValidatorUnavailable(RuntimeError):
    """node or the gltf-validator package is missing."""


@dataclass(slots=True)
class ValidationReport:
    """The validator's verdict: counts by severity and the messages."""

    errors: int
    warnings: int
    infos: int
    messages: list[dict]
    raw: dict

    def error_messages(self) -> list[str]:
        """``pointer: message`` for each error."""
        return [f"{m.get('pointer', '')}: {m.get('message', '')}" for m in self.messages if m.get("severity") == 0]


def available() -> bool:
    """Whether node and the validator package are installed."""
    return shutil.which("node") is not None and (NODE_MODULES / "gltf-validator").is_dir()


def validate_file(path: Path | str, timeout: float = 120.0) -> ValidationReport:
    """Validate ``path``; raises ValidatorUnavailable when the tool is not installed."""
    if not available():
        raise ValidatorUnavailable("the glTF validator is not installed: run `make setup` (needs node and npm)")
    env = {**os.environ, "NODE_PATH": str(NODE_MODULES)}
    done = subprocess.run(["node", str(SCRIPT), str(path)], capture_output=True, text=True,
                          timeout=timeout, env=env, check=False)
    if done.returncode != 0:
        raise ValidatorUnavailable(f"gltf-validator failed: {done.stderr.strip()[-500:]}")
    raw = json.loads(done.stdout)
    issues = raw.get("issues", {})
    return ValidationReport(issues.get("numErrors", 0), issues.get("numWarnings", 0), issues.get("numInfos", 0),
                            issues.get("messages", []), raw)
