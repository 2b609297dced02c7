"""Departments meet only through the model: a department imports the model, the engine, the router and the
shared utilities, never another department (nor the project folder: a step reads its params and input takes).

The draft renderer is a provider: it draws what the model describes and imports no department. The model and
the shared modules import no department either, so no hand-off goes round the model through them.

Read from the source with `ast`, so a late import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "mangaline"
DEPARTMENTS = ("breakdown", "design", "layout", "storyboard", "voice", "animate", "sound", "qc", "edit")
NOT_FOR_DEPARTMENTS = (*DEPARTMENTS, "project", "render", "production", "cli")
COMPOSITION = ("production", "cli")  # the composition root and its face wire the departments together


def _imports(path: Path) -> set[str]:
    """The first part below `mangaline` of every module this file imports."""
    found = set()
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                parts = [*base, *(node.module.split(".") if node.module else [])]
                names = [[*parts, alias.name] for alias in node.names] if not node.module else [parts]
            else:
                names = [node.module.split(".")] if node.module else []
            found.update(name[1] for name in names if len(name) > 1 and name[0] == "mangaline")
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("mangaline."))
    return found


def test_no_department_imports_another_department() -> None:
    crossings = {}
    for department in DEPARTMENTS:
        for path in sorted((PACKAGE / department).rglob("*.py")):
            for target in _imports(path) & set(NOT_FOR_DEPARTMENTS):
                if target != department:
                    crossings.setdefault(f"{department} -> {target}", []).append(str(path.relative_to(PACKAGE)))
    assert not crossings, f"departments meet only through the model: {crossings}"


def test_the_draft_renderer_imports_no_department() -> None:
    crossings = {}
    for path in sorted((PACKAGE / "render").rglob("*.py")):
        found = _imports(path) & set(DEPARTMENTS)
        if found:
            crossings[str(path.relative_to(PACKAGE))] = sorted(found)
    assert not crossings, f"the draft renderer draws from the model alone: {crossings}"


def test_the_model_and_the_shared_modules_import_no_department() -> None:
    crossings = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        top = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if top in (*DEPARTMENTS, "render", *COMPOSITION):
            continue
        found = _imports(path) & {*DEPARTMENTS, "render"}
        if found:
            crossings[str(path.relative_to(PACKAGE))] = sorted(found)
    assert not crossings, f"a department's code reached through a shared module: {crossings}"


def test_the_checker_sees_relative_absolute_and_late_imports(tmp_path: Path) -> None:
    probe = tmp_path / "mangaline" / "animate" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text("from ..qc import check_clip\nfrom mangaline.edit import render_segment\nimport mangaline.voice.steps\n"
                     "from . import timing\nfrom .. import layout\n\ndef late():\n    from ..breakdown import x\n")
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path / "mangaline"
    try:
        seen = _imports(probe)
    finally:
        PACKAGE = saved
    assert {"qc", "edit", "voice", "animate", "layout", "breakdown"} <= seen
