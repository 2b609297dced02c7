"""The object store: content addressing and atomic writes on a real folder."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from mangaline.errors import ProjectError
from mangaline.project import ObjectStore


def test_same_content_gives_the_same_sha_and_one_blob(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    payload = os.urandom(3 * (1 << 20) + 17)  # spans several copy chunks
    source = tmp_path / "render.bin"
    source.write_bytes(payload)
    sha = store.put_file(source)
    assert sha == hashlib.sha256(payload).hexdigest()
    assert store.put_bytes(payload) == sha
    assert store.put_file(source) == sha
    assert store.path(sha) == tmp_path / "objects" / sha[:2] / sha[2:]
    with store.open(sha) as handle:
        assert handle.read() == payload
    blobs = [p for p in (tmp_path / "objects").rglob("*") if p.is_file()]
    assert blobs == [store.path(sha)], "no temp files, no duplicate"


def test_different_content_gets_different_blobs(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    a, b = store.put_bytes(b"take one"), store.put_bytes(b"take two")
    assert a != b and store.has(a) and store.has(b)
    assert store.path(a).read_bytes() == b"take one"


def test_a_failed_copy_leaves_nothing_behind(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    with pytest.raises(ProjectError, match="not found"):
        store.put_file(tmp_path / "missing.wav")
    assert [p for p in (tmp_path / "objects").rglob("*") if p.is_file()] == []


def test_missing_and_malformed_shas_are_reported(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    assert not store.has("0" * 64)
    with pytest.raises(ProjectError, match="missing"):
        store.open("0" * 64)
    with pytest.raises(ProjectError, match="not a sha256"):
        store.path("../../etc/passwd")


def test_temp_files_of_a_dead_writer_are_cleaned(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    sha = store.put_bytes(b"kept")
    (tmp_path / "objects" / ".tmp-deadbeef").write_bytes(b"half a blo")
    assert store.clean_temp_files() == 1
    assert [p for p in (tmp_path / "objects").rglob("*") if p.is_file()] == [store.path(sha)]
