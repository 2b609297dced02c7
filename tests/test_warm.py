"""Warm workers (`mangaline workers start`): a build handed to the warm server is the same build, with the same
files, messages, exit status and answer to Ctrl-C, in processes forked from a server that has the line loaded."""

from __future__ import annotations

import hashlib
import json
import operator
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from mangaline.engine.warm_pool import WarmPool
from mangaline.stopping import process_alive
from mangaline.wire import read_message, send_message

from .conftest import mangaline

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "win32", reason="warm workers need fork")


@pytest.fixture
def warm(monkeypatch: pytest.MonkeyPatch):
    """A warm server of the test's own (a short path: a Unix socket's must fit in 100 bytes); its status."""
    folder = Path(tempfile.mkdtemp(prefix="mlw-", dir="/tmp"))
    monkeypatch.setenv("MANGALINE_WORKERS_SOCKET", str(folder / "w.sock"))
    started = mangaline("workers", "start", "--idle", "10")
    assert "warm workers ready at" in started.stdout
    info = json.loads(mangaline("workers", "status", "--json").stdout)
    assert info["running"] and info["current"]
    yield info
    mangaline("workers", "stop")
    _gone(info["pid"])
    shutil.rmtree(folder, ignore_errors=True)


def _gone(pid: int, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while process_alive(pid):
        assert time.monotonic() < deadline, f"the warm server {pid} did not leave"
        time.sleep(0.1)


def _status() -> dict:
    return json.loads(mangaline("workers", "status", "--json").stdout)


def _cold(monkeypatch: pytest.MonkeyPatch, *args: object, **kwargs) -> subprocess.CompletedProcess:
    """The command run with no warm server to hand it to."""
    with monkeypatch.context() as patch:
        patch.setenv("MANGALINE_WORKERS_SOCKET", "/nonexistent/w.sock")
        return mangaline(*args, **kwargs)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_build_handed_to_the_warm_workers_is_the_same_build(
    tmp_path: Path, small_script: Path, warm: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("cold", "warm"):
        mangaline("new", tmp_path / name, "--from", small_script)
    cold = _cold(monkeypatch, "build", tmp_path / "cold", "--no-progress")
    handed = mangaline("build", tmp_path / "warm", "--no-progress", cwd=tmp_path)
    status = _status()
    assert status["builds"] == 1, "the build was not handed to the warm server"
    assert status["workers"] >= 1, "the build's steps did not run in workers forked from the server"
    assert _sha(tmp_path / "cold" / "renders" / "ep01.mp4") == _sha(tmp_path / "warm" / "renders" / "ep01.mp4")
    assert handed.stdout.replace(str(tmp_path / "warm"), "P") == cold.stdout.replace(str(tmp_path / "cold"), "P")
    assert handed.stderr.splitlines()[-1].split(" in ")[0] == cold.stderr.splitlines()[-1].split(" in ")[0]
    again = mangaline("build", tmp_path / "warm", "--no-progress")
    assert _totals(again.stderr)[0] == 0 and _status()["builds"] == 2


def test_a_failing_command_says_the_same_and_exits_the_same(
    tmp_path: Path, warm: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no-such-project"
    cold = _cold(monkeypatch, "build", missing, check=False)
    handed = mangaline("build", missing, check=False)
    assert (handed.returncode, handed.stdout, handed.stderr) == (cold.returncode, cold.stdout, cold.stderr)
    assert handed.returncode == 2 and "error:" in handed.stderr
    assert _status()["builds"] == 1


def test_ctrl_c_stops_a_handed_build_which_the_next_goes_on_from(
    tmp_path: Path, small_script: Path, warm: dict
) -> None:
    project = tmp_path / "p"
    mangaline("new", project, "--from", small_script)
    command = subprocess.Popen([sys.executable, "-m", "mangaline.cli", "build", str(project), "--no-progress"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    state = project / ".mangaline" / "state.db"
    deadline = time.monotonic() + 120
    while not _finished_steps(state):  # stopped after some work, not before any
        assert command.poll() is None and time.monotonic() < deadline
        time.sleep(0.2)
    command.send_signal(signal.SIGINT)
    _, stderr = command.communicate(timeout=60)
    assert command.returncode == 130, stderr
    assert "interrupted; " in stderr and "finished step" in stderr
    assert _status()["building"] == 0
    resumed = mangaline("build", project, "--no-progress")
    assert (project / "renders" / "ep01.mp4").is_file()
    assert _totals(resumed.stderr)[1] > 0, resumed.stderr


def _totals(stderr: str) -> tuple[int, int]:
    """The steps a build ran and found cached, from its summary's last line."""
    words = stderr.splitlines()[-1].split()
    assert words[0] == "total", stderr
    return int(words[1]), int(words[2])


def _finished_steps(state: Path) -> int:
    import sqlite3

    if not state.is_file():
        return 0
    try:
        with sqlite3.connect(state, timeout=1) as db:
            return db.execute("select count(*) from step_events where event = 'ran'").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_a_server_of_other_code_turns_the_build_away_and_leaves(warm: dict) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(warm["socket"])
        send_message(sock, {"op": "build", "argv": ["build", "x"], "cwd": "/", "env": {}, "digest": "other code"},
                     fds=[0, 1, 2])
        reply = read_message(sock)
    assert "refused" in reply and "other code" in reply["refused"]
    _gone(warm["pid"])
    assert not _status()["running"]


def test_warm_workers_run_steps_and_a_dead_one_breaks_the_pool_as_a_process_pool_would(warm: dict) -> None:
    pool = WarmPool(warm["socket"], 2)
    try:
        assert pool.submit(operator.add, 2, 3).result(timeout=30) == 5
        with pytest.raises(RuntimeError, match="ValueError"):
            pool.submit(int, "not a number").result(timeout=30)
        sleeping = pool.submit(time.sleep, 60)
        time.sleep(0.5)
        os.kill(pool.pids[0], signal.SIGKILL)
        os.kill(pool.pids[1], signal.SIGKILL)
        with pytest.raises(BrokenProcessPool):
            sleeping.result(timeout=30)
        with pytest.raises(BrokenProcessPool):
            pool.submit(operator.add, 1, 1)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def test_idle_workers_leave_and_take_their_socket_with_them(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = Path(tempfile.mkdtemp(prefix="mlw-", dir="/tmp"))
    try:
        monkeypatch.setenv("MANGALINE_WORKERS_SOCKET", str(folder / "w.sock"))
        mangaline("workers", "start", "--idle", "0.02")
        pid = _status()["pid"]
        _gone(pid, within=30)
        assert not (folder / "w.sock").exists()
        assert "no warm workers run" in mangaline("workers", "status").stdout
        assert "no warm workers run" in mangaline("workers", "stop").stdout
    finally:
        shutil.rmtree(folder, ignore_errors=True)
