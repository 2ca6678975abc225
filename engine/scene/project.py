"""Where a scene's assets, scripts and prefabs may come from, and the sandbox around them."""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path

# The Persona checkout itself: its assets/, scripts/ and scenes/prefabs/ are always available.
BUILTIN_ROOT = Path(__file__).resolve().parents[2]
_MARKERS = ("persona.toml", "scripts", "assets")


def find_project_root(scene_path: Path) -> Path:
    """The scene's folder, or its parent, whichever holds scripts/, assets/ or persona.toml."""
    folder = scene_path.resolve().parent
    for candidate in (folder, folder.parent):
        if any((candidate / marker).exists() for marker in _MARKERS):
            return candidate
    return folder


def _inside(path: Path, root: Path) -> bool:
    real = os.path.realpath(path)
    base = os.path.realpath(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def _unique(paths: list[Path]) -> tuple[Path, ...]:
    out: list[Path] = []
    for path in paths:
        if path not in out:
            out.append(path)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class ProjectRoots:
    """The folders a scene may read from, searched in order (the scene's project first)."""

    project: Path
    assets: tuple[Path, ...]
    scripts: tuple[Path, ...]
    prefabs: tuple[Path, ...]

    @classmethod
    def for_scene(cls, scene_path: Path) -> ProjectRoots:
        """Roots for ``scene_path``: its project's folders, then Persona's built-in ones."""
        project = find_project_root(scene_path)
        folder = scene_path.resolve().parent
        return cls(
            project=project,
            assets=_unique([project / "assets", BUILTIN_ROOT / "assets"]),
            scripts=_unique([project / "scripts", BUILTIN_ROOT / "scripts"]),
            prefabs=_unique([folder / "prefabs", project / "scenes" / "prefabs",
                             BUILTIN_ROOT / "scenes" / "prefabs"]),
        )

    def resolve_asset(self, relative: str) -> tuple[Path | None, str]:
        """Find ``relative`` under the asset roots; (path, "") or (None, reason)."""
        return _resolve(relative, self.assets, "asset", "assets/")

    def resolve_prefab(self, name: str) -> Path | None:
        """The prefab file for ``name`` (a slug), or None."""
        for root in self.prefabs:
            candidate = root / f"{name}.toml"
            if candidate.is_file() and _inside(candidate, root):
                return candidate
        return None

    def resolve_script(self, module: str) -> Path | None:
        """The file of a behaviour module (``shop.robot`` → scripts/shop/robot.py), or None."""
        relative = Path(*module.split(".")).with_suffix(".py")
        for root in self.scripts:
            candidate = root / relative
            if candidate.is_file() and _inside(candidate, root):
                return candidate
        return None

    def resolve_scene(self, scene_dir: Path, relative: str) -> tuple[Path | None, str]:
        """A scene file named relative to ``scene_dir``, kept inside the project."""
        return _resolve(relative, (scene_dir,), "scene", "the project", sandbox=self.project)

    def display(self, path: Path) -> str:
        """``path`` relative to the working directory when inside it, else absolute."""
        resolved = path.resolve()
        try:
            return str(resolved.relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(resolved)


def _resolve(relative: str, roots: tuple[Path, ...], what: str, where: str,
             sandbox: Path | None = None) -> tuple[Path | None, str]:
    if os.path.isabs(relative) or relative.startswith("~"):
        return None, f"{what} path {relative!r} is absolute; write it relative to {where}"
    for root in roots:
        candidate = root / relative
        if not _inside(candidate, sandbox or root):
            return None, f"{what} path {relative!r} leaves {where}; keep {what}s inside it"
        if candidate.is_file():
            return candidate.resolve(), ""
    looked = ", ".join(str(r) for r in roots)
    return None, f"{what} {relative!r} not found (looked in {looked})"


@dataclass(frozen=True, slots=True)
class ScriptProblem:
    """A problem found in a behaviour's script without running it."""

    file: Path
    line: int
    col: int
    message: str
    in_script: bool  # True: the position is inside the script file


def check_behaviour_source(path: Path, class_name: str) -> ScriptProblem | None:
    """Parse (never execute) ``path`` and check that it defines ``class_name`` at top level."""
    try:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as error:
        return ScriptProblem(path, error.lineno or 1, error.offset or 1,
                             f"syntax error: {error.msg}", True)
    except (OSError, UnicodeDecodeError) as error:
        return ScriptProblem(path, 1, 1, f"cannot read script: {error}", True)
    classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
    if class_name not in classes:
        from engine.scene.diagnostics import did_you_mean

        found = did_you_mean(class_name, classes) if classes else "it defines no classes"
        return ScriptProblem(path, 1, 1, f"{path.name} has no class {class_name!r}; {found}", False)
    return None
