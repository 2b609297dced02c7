"""Messages between mangaline's own processes over Unix sockets: the warm server, the commands that hand it a build,
and a build's warm workers (``warm``, ``engine.warm_pool``). Each message is its length (4 bytes) then its body:
JSON, or bytes the two ends agree on (a build and its workers: pickles). Light on purpose: a command imports it
before it knows whether it will build here at all."""

from __future__ import annotations

import json
import os
import socket
import stat
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["MAX_FDS", "active_server", "read_message", "send_message", "set_active_server", "socket_ok"]

_LENGTH = struct.Struct("!I")
MAX_FDS = 3
"""Descriptors a message may carry: a command's stdin, stdout and stderr, or a worker's end of its socket pair."""

_active: str | None = None
"""The warm server's socket, in a build that server forked."""


def active_server() -> str | None:
    """The warm server's socket when this process is a build the server forked (its pools fork from the server too)."""
    return _active


def set_active_server(path: str | None) -> None:
    global _active
    _active = path


def send_message(sock: socket.socket, message: Any, *, fds: Sequence[int] = (), raw: bool = False) -> None:
    """Send one message: JSON, or with ``raw`` bytes already encoded; ``fds`` ride along with its first byte."""
    body = message if raw else json.dumps(message).encode("utf-8")
    data = _LENGTH.pack(len(body)) + body
    if fds:
        sent = socket.send_fds(sock, [data], list(fds))
        data = data[sent:]
    if data:  # (nothing left: the other end may have answered and closed already)
        sock.sendall(data)


def read_message(sock: socket.socket, *, raw: bool = False, with_fds: bool = False) -> Any:
    """One message (None where the other end closed first), with the descriptors it carried when ``with_fds``."""
    fds: list[int] = []
    head = b""
    while len(head) < _LENGTH.size:
        if with_fds and not fds:
            chunk, got, _, _ = socket.recv_fds(sock, _LENGTH.size - len(head), MAX_FDS)
            fds += got
        else:
            chunk = sock.recv(_LENGTH.size - len(head))
        if not chunk:
            return (None, fds) if with_fds else None
        head += chunk
    (length,) = _LENGTH.unpack(head)
    body = bytearray()
    while len(body) < length:
        chunk = sock.recv(min(length - len(body), 1 << 20))
        if not chunk:
            return (None, fds) if with_fds else None
        body += chunk
    message = bytes(body) if raw else json.loads(body.decode("utf-8"))
    return (message, fds) if with_fds else message



def socket_ok(path: str | Path) -> bool:
    """Whether ``path`` is a socket (not whether anything listens on it)."""
    try:
        return stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:
        return False
