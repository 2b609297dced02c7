"""Round-trip YAML that keeps a person's comments and key order, with errors that name file and line."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from ..errors import YamlEditError

__all__ = ["load_yaml", "dump_yaml", "update_yaml", "load_record", "validate_document", "to_plain", "IDENTITY_KEYS"]

# Lists of mappings are matched item by item through the first of these keys that every item carries,
# so a person's comments stay with "their" shot or line even when items are inserted before it.
IDENTITY_KEYS = ("id", "code", "name")

M = TypeVar("M", bound=BaseModel)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # long action lines stay on one line; a person wraps them if they like
    return yaml


def load_yaml(path: Path) -> Any:
    """The document as CommentedMap/CommentedSeq; syntax errors become YamlEditError with the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YamlEditError(str(path), "file not found") from None
    except UnicodeDecodeError as err:
        raise YamlEditError(str(path), f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    try:
        return _yaml().load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = err.problem or err.context or "invalid YAML"
        raise YamlEditError(
            str(path), f"YAML syntax error: {problem}", line=line, hint="check indentation and quoting near that line"
        ) from None
    except YAMLError as err:
        raise YamlEditError(str(path), f"YAML syntax error: {err}") from None


def dump_yaml(data: Any, path: Path) -> None:
    """Write the document atomically: a reader sees the old file or the new one, never half of one."""
    path = Path(path)
    buffer = io.StringIO()
    _yaml().dump(_to_commented(data) if not isinstance(data, (CommentedMap, CommentedSeq)) else data, buffer)
    _write_atomic(path, buffer.getvalue())


def update_yaml(path: Path, new_data: Any) -> Any:
    """Merge plain data into the document at path in place, keeping every comment; returns the document."""
    path = Path(path)
    if not path.exists():
        document = _to_commented(new_data)
    else:
        document = _merge(load_yaml(path), new_data)
    dump_yaml(document, path)
    return document


def load_record(path: Path, model_cls: type[M]) -> M:
    """Validate a YAML file into a model; a bad value names the file, the line and the field."""
    path = Path(path)
    document = load_yaml(path)
    return validate_document(document, path, model_cls)


def validate_document(document: Any, path: Path, model_cls: type[M], *, plain: Any = None) -> M:
    """Validate a loaded document (or plain data derived from it) and map errors to its lines."""
    try:
        return model_cls.model_validate(to_plain(document) if plain is None else plain)
    except ValidationError as err:
        problems = []
        first_line: int | None = None
        for error in err.errors(include_url=False):
            loc = tuple(error["loc"])
            line = _line_of(document, loc, missing=error["type"] == "missing")
            if first_line is None:
                first_line = line
            field = ".".join(str(part) for part in loc) or "(document)"
            problems.append(f"{field}{f' (line {line})' if line else ''}: {_explain(error)}")
        message = problems[0] if len(problems) == 1 else f"{len(problems)} problems: " + "; ".join(problems)
        raise YamlEditError(
            str(path), message, line=first_line, hint=f"fix the value to match {model_cls.__name__}"
        ) from None


def to_plain(node: Any) -> Any:
    """CommentedMap/Seq and ruamel's scalar subclasses as plain dict, list, str, int, float."""
    if isinstance(node, Mapping):
        return {to_plain(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, (list, tuple, CommentedSeq)):
        return [to_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    for base in (str, int, float):
        if isinstance(node, base) and type(node) is not base:
            return base(node)
    return node


def _explain(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown key (a typo?)"
    value = error.get("input")
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    return f"{error['msg']}, got {shown}"


def _line_of(document: Any, loc: Sequence[Any], *, missing: bool) -> int | None:
    """1-based line of the deepest part of loc that exists in the document."""
    node = document
    line = _node_line(document) or 1
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        elif isinstance(part, str) and not isinstance(node, (CommentedMap, CommentedSeq)):
            # pydantic adds tags such as 'function-after[...]' to loc; they are not keys
            continue
        else:
            if missing and isinstance(node, CommentedMap):
                return _node_line(node) or line
            return line
    return line


def _node_line(node: Any) -> int | None:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return None
    return lc.line + 1


def _same_scalar(old: Any, new: Any) -> bool:
    if isinstance(old, bool) != isinstance(new, bool) or isinstance(old, str) != isinstance(new, str):
        return False
    return bool(old == new)


def _identity_key(old: Sequence[Any], new: Sequence[Any]) -> str | None:
    items = list(old) + list(new)
    if not items or not all(isinstance(item, Mapping) for item in items):
        return None
    for key in IDENTITY_KEYS:
        if all(key in item for item in items):
            return key
    return None


def _merge(old: Any, new: Any) -> Any:
    """Old node updated to hold new's values; returns the node to keep (old itself when mergeable)."""
    if isinstance(old, CommentedMap) and isinstance(new, Mapping):
        for key in [k for k in old if k not in new]:
            _delete_key(old, key)
        for key, value in new.items():
            if key in old:
                merged = _merge(old[key], value)
                if merged is not old[key]:
                    old[key] = merged
            else:
                old[key] = _to_commented(value)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, Sequence) and not isinstance(new, str):
        key = _identity_key(old, new)
        if key is not None:
            by_id = {item[key]: item for item in old}
            items = [_merge(by_id[v[key]], v) if v[key] in by_id else _to_commented(v) for v in new]
        else:
            items = [_merge(old[i], v) if i < len(old) else _to_commented(v) for i, v in enumerate(new)]
        for index, item in enumerate(items):
            if index < len(old):
                if old[index] is not item:
                    old[index] = item
            else:
                old.append(item)
        while len(old) > len(items):
            del old[len(old) - 1]
        return old
    if not isinstance(old, (CommentedMap, CommentedSeq)) and not isinstance(new, (Mapping, list)):
        if old is not None and new is not None and _same_scalar(old, new):
            return old  # keeps the person's quoting and number formatting
    return _to_commented(new)


def _delete_key(mapping: CommentedMap, key: Any) -> None:
    # ruamel files the full-line comments that precede the next key under the deleted key's
    # entry; move them onto the next key so deleting a field does not delete a person's notes.
    keys = list(mapping.keys())
    position = keys.index(key)
    comment = mapping.ca.items.get(key)
    del mapping[key]
    mapping.ca.items.pop(key, None)
    if not comment or len(comment) < 3 or comment[2] is None or position + 1 >= len(keys):
        return
    following = comment[2].value.split("\n")[1:]  # the first line is the deleted key's own end-of-line note
    while following and not following[-1].strip():
        following.pop()
    if not following:
        return
    next_key = keys[position + 1]
    entry = mapping.ca.items.get(next_key)
    if entry is not None and len(entry) > 1 and entry[1]:
        return  # the next key already has comments of its own above it; leave them as they are
    indent = len(following[0]) - len(following[0].lstrip())
    text = "\n".join(line.strip().removeprefix("#").removeprefix(" ") for line in following)
    mapping.yaml_set_comment_before_after_key(next_key, before=text, indent=indent)


def _to_commented(value: Any) -> Any:
    if isinstance(value, (CommentedMap, CommentedSeq)):
        return value
    if isinstance(value, Mapping):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _to_commented(v)
        return out
    if isinstance(value, (list, tuple)):
        return CommentedSeq(_to_commented(v) for v in value)
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
