"""The one way the line writes a file: the old file or the new one, never half of one, and no litter."""

from __future__ import annotations

from pathlib import Path

import pytest

from mangaline.atomic import atomic_path, write_text_atomic


def test_a_write_that_fails_half_way_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "ep01.mp4"
    target.write_bytes(b"the old episode")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp.suffix == ".mp4", "beside the target, with its suffix"
        tmp.write_bytes(b"half of the new")
        raise RuntimeError("FFmpeg died")
    assert target.read_bytes() == b"the old episode" and sorted(tmp_path.iterdir()) == [target]


def test_a_write_that_ends_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "ep01.yaml"
    write_text_atomic(target, "id: ep01\nscenes: []\n")
    write_text_atomic(target, "id: ep01\r\nscenes: [a]\n")
    assert target.read_bytes() == b"id: ep01\r\nscenes: [a]\n"
    write_text_atomic(target, "line\n")
    assert target.read_bytes() == b"line\n", "Unix line ends on every system"
    assert sorted(p.name for p in target.parent.iterdir()) == ["ep01.yaml"]


def test_ctrl_c_inside_a_write_removes_the_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "keyframe.png"
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_bytes(b"\x89PNG")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_new_file_gets_the_usual_mode_and_a_rewritten_one_keeps_its_own(tmp_path: Path) -> None:
    """mkstemp's private 0600 must not leak into renders and scripts an editor or a web server reads."""
    fresh = tmp_path / "ep01.mp4"
    write_text_atomic(fresh, "new")
    plain = tmp_path / "plain.txt"
    plain.write_text("as Python writes it")
    assert fresh.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
    kept = tmp_path / "script.yaml"
    kept.write_text("old")
    kept.chmod(0o640)
    write_text_atomic(kept, "new")
    assert kept.stat().st_mode & 0o777 == 0o640


def test_writes_in_a_step_s_work_folder_are_atomic_but_left_to_the_store_to_flush(tmp_path: Path, monkeypatch) -> None:
    import os
    import threading

    from mangaline.atomic import scratch
    from mangaline.project.objects import ObjectStore

    flushed: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (flushed.append(fd), real(fd))[1])
    work, elsewhere = tmp_path / "run" / "work", tmp_path / "project"
    with scratch(work):
        write_text_atomic(work / "layers.json", "{}")
        assert not flushed, "a step's own scratch file is not flushed"
        write_text_atomic(elsewhere / "ledger.json", "[]")
        assert len(flushed) == 2, "a file outside the work folder is flushed, and its folder"
        other: list[int] = []
        thread = threading.Thread(target=lambda: (write_text_atomic(work / "other.json", "{}"), other.append(len(flushed))))
        thread.start()
        thread.join()
        assert other == [4], "another thread (an io step beside this one) is not in this step's block"
    flushed.clear()
    write_text_atomic(work / "after.json", "{}")
    assert len(flushed) == 2, "outside the block every write is flushed again"
    flushed.clear()
    store = ObjectStore(tmp_path / "objects")
    with scratch(work):
        write_text_atomic(work / "take.json", '{"n": 1}')
    store.put_file(work / "take.json", move=True)
    assert len(flushed) >= 2, "moving a step's file into the store makes it durable: the file and the store's folder"
