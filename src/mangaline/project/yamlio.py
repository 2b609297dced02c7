"""Round-trip YAML that keeps a person's comments and key order, with errors that name file and line."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from ..atomic import write_text_atomic
from ..errors import YamlEditError, invalid_value

__all__ = [
    "IDENTITY_KEYS",
    "YamlFile",
    "MAX_YAML_BYTES",
    "dump_yaml",
    "line_of",
    "load_record",
    "load_yaml",
    "to_plain",
    "update_yaml",
    "validate_document",
]

# Lists of mappings are matched item by item through the first of these keys that every item carries,
# so a person's comments stay with "their" shot or line even when items are inserted before it.
IDENTITY_KEYS = ("id", "code", "name")

M = TypeVar("M", bound=BaseModel)

# A script or bible file the line writes stays well under these: a one-megabyte screenplay with no
# episode breaks becomes one episode file of about 11 MB, nested about a dozen levels deep.
MAX_YAML_BYTES = 16_000_000
MAX_YAML_DEPTH = 64
# Aliases may repeat what a file holds a few times over (a shared palette), never a billion times.
MAX_ALIAS_GROWTH = 4


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    # libyaml's own layout (a list's dashes under its key), so a file first written by the fast
    # writer below and later updated here keeps every line where it was
    yaml.indent(mapping=2, sequence=2, offset=0)
    yaml.width = 4096  # long action lines stay on one line; a person wraps them if they like
    return yaml


def _fast_writer() -> YAML:
    """libyaml's emitter, for a file that has no comments yet: the same text as the round-trip writer
    (key order kept, multi-line text as a literal block), about three times faster on a long script."""
    yaml = YAML(typ="safe", pure=False)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False
    yaml.width = 4096
    yaml.allow_unicode = True
    yaml.representer.add_representer(str, _text)
    return yaml


def _text(representer: Any, text: str) -> Any:
    if "\n" in text:
        return representer.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    return representer.represent_str(text)


def load_yaml(path: Path) -> Any:
    """The document as CommentedMap/CommentedSeq; syntax errors become YamlEditError with the line.

    The file is read up to MAX_YAML_BYTES, and a document whose aliases would unfold it past
    MAX_ALIAS_GROWTH times its own size (a "billion laughs") is refused before anything walks it.
    """
    path = Path(path)
    text = _read_text(path)
    try:
        document = _yaml().load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = err.problem or err.context or "invalid YAML"
        raise YamlEditError(
            str(path), f"YAML syntax error: {problem}", line=line, hint="check indentation and quoting near that line"
        ) from None
    except YAMLError as err:
        raise YamlEditError(str(path), f"YAML syntax error: {' '.join(str(err).split())}") from None
    except RecursionError:
        raise YamlEditError(str(path), "the YAML is nested too deeply to read") from None
    _check_unfolded_size(document, path)
    return document


def _read_text(path: Path) -> str:
    """The file's text, read up to MAX_YAML_BYTES; a file that is too large or not UTF-8 is a YamlEditError."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_YAML_BYTES + 1)
    except FileNotFoundError:
        raise YamlEditError(str(path), "file not found") from None
    except IsADirectoryError:
        raise YamlEditError(str(path), "this is a folder, not a YAML file") from None
    except OSError as err:
        raise YamlEditError(str(path), f"the file cannot be read ({err.strerror})") from None
    if len(raw) > MAX_YAML_BYTES:
        raise YamlEditError(
            str(path), f"the file is over {MAX_YAML_BYTES // 1_000_000} MB, too large for one script or bible file",
            hint="split the episode into episodes of their own",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise YamlEditError(
            str(path), f"not UTF-8 text ({err.reason} at byte {err.start})", line=raw.count(b"\n", 0, err.start) + 1,
            hint="save the file as UTF-8",
        ) from None
    return text


def _check_unfolded_size(document: Any, path: Path) -> None:
    """Refuse a document nested past MAX_YAML_DEPTH, or whose aliases unfold it far past its own size.

    An alias is the very object its anchor made, so each distinct node is measured once: the walk
    costs what the file holds, however large the aliases would unfold it.
    """
    unfolded: dict[int, int] = {}  # id of a collection -> its unfolded node count; -1 while it is being measured
    held = [1]  # the nodes the file itself spells out: each distinct collection and its entries

    def measure(node: Any, depth: int) -> int:
        if not isinstance(node, (Mapping, list)):
            return 1
        if depth > MAX_YAML_DEPTH:
            raise YamlEditError(str(path), f"the YAML is nested deeper than {MAX_YAML_DEPTH} levels", line=_node_line(node))
        known = unfolded.get(id(node))
        if known == -1:
            raise YamlEditError(str(path), "an alias refers to the node that holds it", line=_node_line(node),
                                hint="remove the anchor (&name) or the alias (*name) that loops")
        if known is not None:
            return known
        unfolded[id(node)] = -1
        children = [part for item in node.items() for part in item] if isinstance(node, Mapping) else list(node)
        held[0] += len(children)
        total = 1 + sum(measure(child, depth + 1) for child in children)
        if total > MAX_ALIAS_GROWTH * held[0] + 10_000:
            raise YamlEditError(
                str(path), f"aliases unfold its {held[0]:,} nodes to over {total:,}: refused as an alias bomb",
                line=_node_line(node), hint="write the values out instead of repeating *aliases",
            )
        unfolded[id(node)] = total
        return total

    measure(document, 0)
class YamlFile:
    """A YAML file read once for its data, and read again with its lines only when an error must name one.

    The data comes from libyaml's parser (ruamel.yaml.clib) with the same YAML 1.2 resolver as the
    round-trip reader, about four times faster on a large script; a file with anchors takes the
    round-trip path, whose reader measures what its aliases unfold to.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        text = _read_text(self.path)
        self._document: Any = None
        if "&" in text:
            self._document = load_yaml(self.path)
            self.plain = to_plain(self._document)
            return
        try:
            self.plain = _fast_yaml().load(text)
        except (YAMLError, RecursionError):
            self._document = load_yaml(self.path)  # raises the error with its line
            self.plain = to_plain(self._document)
            return
        _check_unfolded_size(self.plain, self.path)

    @property
    def document(self) -> Any:
        """The round-trip document (comments, lines), read on first use."""
        if self._document is None:
            self._document = load_yaml(self.path)
        return self._document

    def validate(self, model_cls: type[M], *, plain: Any = None) -> M:
        """The data as ``model_cls``; on a bad value the round-trip document names the line."""
        try:
            return model_cls.model_validate(self.plain if plain is None else plain)
        except ValidationError:
            return validate_document(self.document, self.path, model_cls, plain=plain)


def _fast_yaml() -> YAML:
    return YAML(typ="safe", pure=False)


def dump_yaml(data: Any, path: Path) -> None:
    """Write the document atomically: a reader sees the old file or the new one, never half of one."""
    path = Path(path)
    buffer = io.StringIO()
    _yaml().dump(_to_commented(data) if not isinstance(data, (CommentedMap, CommentedSeq)) else data, buffer)
    write_text_atomic(path, buffer.getvalue())


def update_yaml(path: Path, new_data: Any) -> None:
    """Merge plain data into the document at path in place, keeping every comment; a new file is written whole."""
    path = Path(path)
    if not path.exists():
        buffer = io.StringIO()
        _fast_writer().dump(new_data, buffer)
        write_text_atomic(path, buffer.getvalue())
        return
    dump_yaml(_merge(load_yaml(path), new_data), path)


def load_record(path: Path, model_cls: type[M]) -> M:
    """Validate a YAML file into a model; a bad value names the file, the line and the field."""
    return YamlFile(path).validate(model_cls)


def validate_document(document: Any, path: Path, model_cls: type[M], *, plain: Any = None) -> M:
    """Validate a loaded document (or plain data derived from it) and map errors to its lines."""
    try:
        return model_cls.model_validate(to_plain(document) if plain is None else plain)
    except ValidationError as err:
        newer = _newer_schema(document, path, err)
        if newer is not None:
            raise newer from None
        problems = []
        first_line: int | None = None
        for error in err.errors(include_url=False):
            loc = tuple(error["loc"])
            line = _line_of(document, loc, missing=error["type"] == "missing")
            if first_line is None:
                first_line = line
            field, what = invalid_value(error)
            problems.append(f"{field}{f' (line {line})' if line else ''}: {what}")
        message = problems[0] if len(problems) == 1 else f"{len(problems)} problems: " + "; ".join(problems)
        raise YamlEditError(
            str(path), message, line=first_line, hint=f"fix the value to match {model_cls.__name__}"
        ) from None


def _newer_schema(document: Any, path: Path, err: ValidationError) -> YamlEditError | None:
    """A file written by a newer mangaline: that is the one thing to say, whatever else fails to validate."""
    for error in err.errors(include_url=False):
        if error["type"] == "schema_version_newer":
            return YamlEditError(
                str(path), error["msg"], line=_line_of(document, tuple(error["loc"]), missing=False),
                hint="upgrade mangaline (pip install --upgrade mangaline) to read this project",
            )
    return None


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


def line_of(document: Any, loc: Sequence[Any]) -> int | None:
    """1-based line of the value at loc (keys and list indexes) in a loaded document."""
    return _line_of(document, loc, missing=False)


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


