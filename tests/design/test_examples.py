"""The bundled examples carry what their README promises: title page, forced elements, dual dialogue ..."""

from __future__ import annotations

import re
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _cues(text: str, forced: bool) -> list[str]:
    lines = text.splitlines()
    cues = []
    for i, line in enumerate(lines[1:-1], start=1):
        blank_before = not lines[i - 1].strip()
        speaks = bool(lines[i + 1].strip())
        if forced and line.startswith("@") and speaks:
            cues.append(line[1:].strip())
        elif not forced and blank_before and speaks and re.fullmatch(r"[A-Z][A-Z .']+(\s*\([A-Z.' ]+\))?(\s*\^)?", line):
            if not line.startswith(("INT.", "EXT.", "CUT TO")):
                cues.append(re.sub(r"\s*\(.*|\s*\^", "", line).strip())
    return cues


def test_last_ferry_has_what_the_readme_promises():
    text = (EXAMPLES / "last-ferry.fountain").read_text(encoding="utf-8")
    for key in ("Title:", "Credit:", "Author:", "Draft date:"):
        assert re.search(rf"^{key}", text, re.MULTILINE), key
    headings = re.findall(r"^(INT|EXT)\. (.+?) - ", text, re.MULTILINE)
    assert {kind for kind, _ in headings} == {"INT", "EXT"}
    assert len({place for _, place in headings}) == 2
    cues = _cues(text, forced=False)
    assert 22 <= len(cues) <= 30
    assert len(set(cues)) >= 3
    assert re.search(r"^[A-Z ]+\^$|^[A-Z ]+\(V\.O\.\) \^$", text, re.MULTILINE)
    assert "(O.S.)" in text and "CUT TO:" in text and "> THE END <" in text
    assert re.search(r"^\([a-z ]+\)$", text, re.MULTILINE)


def test_tea_house_uses_forced_chinese_elements():
    text = (EXAMPLES / "tea-house.zh.fountain").read_text(encoding="utf-8")
    assert re.search(r"^\.内景 茶馆 - 夜$", text, re.MULTILINE)
    cues = _cues(text, forced=True)
    assert 8 <= len(cues) <= 12
    assert 2 <= len(set(cues)) <= 3
    for word in ("红色外套", "白发", "柱子", "灯笼", "窗"):
        assert word in text


def test_readme_describes_every_example():
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for example in EXAMPLES.glob("*.fountain"):
        assert example.name in readme
