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


def test_a_work_file_moves_in_and_a_link_or_shared_file_is_copied(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    work = tmp_path / "work"
    work.mkdir()
    render = work / "segment.mp4"
    render.write_bytes(b"frames" * 1000)
    inode = render.stat().st_ino
    sha = store.put_file(render, move=True)
    assert not render.exists() and store.path(sha).stat().st_ino == inode  # renamed, not written again
    assert store.path(sha).read_bytes() == b"frames" * 1000
    assert not os.access(store.path(sha), os.W_OK) or os.geteuid() == 0
    assert store.path(sha).stat().st_mode & 0o222 == 0

    # a link into the store (a step passing an input through) is read through, never moved
    link = work / "passed.mp4"
    link.symlink_to(store.path(sha))
    assert store.put_file(link, move=True) == sha and link.is_symlink()
    # a file with another name elsewhere is copied, so the other name keeps its own file
    shared = work / "shared.wav"
    shared.write_bytes(b"shared")
    os.link(shared, tmp_path / "elsewhere.wav")
    other = store.put_file(shared, move=True)
    assert shared.exists() and store.path(other).stat().st_ino != shared.stat().st_ino
    # the same content again: the stored blob is kept, and the work file is left for its folder's removal
    again = work / "again.mp4"
    again.write_bytes(b"frames" * 1000)
    assert store.put_file(again, move=True) == sha and store.path(sha).stat().st_ino == inode


def test_a_blob_handed_back_is_known_by_its_name_and_not_copied(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    source = tmp_path / "stem.wav"
    source.write_bytes(b"stem" * 1000)
    sha = store.put_file(source)
    blob = store.path(sha)
    before = blob.stat()
    # a step passing an input on hands back the stored file itself: no copy, no second blob, nothing rewritten
    assert store.put_file(blob) == sha and store.put_file(blob, move=True) == sha
    assert blob.stat().st_ino == before.st_ino and blob.stat().st_mtime_ns == before.st_mtime_ns
    assert sorted(p.name for p in (tmp_path / "objects").rglob("*") if p.is_file()) == [blob.name]
    # a file that only looks like a blob (its folder and name a digest, another store's or a stray copy) is read
    stray = tmp_path / "elsewhere" / sha[:2] / sha[2:]
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"not the stem")
    assert store.put_file(stray) == hashlib.sha256(b"not the stem").hexdigest()
