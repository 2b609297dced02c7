"""Content-addressed blobs: files stored once under their sha256, written atomically.

    ObjectStore(root)           blobs in a folder (DIR/.mangaline/objects by default)
    S3ObjectStore(url, ...)     blobs in an S3-compatible bucket (AWS S3, MinIO, moto), read through a
                                local cache folder laid out like an ObjectStore
    StoreAddress(...).open()    the same store from any process or machine: plain, picklable data

Both answer the same questions: ``put_file``/``put_bytes`` store a file and return its sha256,
``path(sha)`` is a local file with the blob's bytes (fetched once into the cache for S3),
``has(sha)`` says whether the store holds it. A blob is either whole or absent, never partial.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlparse

from ..atomic import fsync_dir
from ..errors import ProjectError

__all__ = ["ObjectStore", "S3ObjectStore", "StoreAddress", "Store"]

_CHUNK = 1 << 20
_TMP_PREFIX = ".tmp-"


class ObjectStore:
    """Blobs live at ``root/ab/cdef...``; a blob is either whole or absent, never partial."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha: str) -> Path:
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise ProjectError(f"{sha!r} is not a sha256 hex digest")
        return self.root / sha[:2] / sha[2:]

    def has(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def open(self, sha: str) -> BinaryIO:
        try:
            return self.path(sha).open("rb")
        except FileNotFoundError:
            raise ProjectError(f"object {sha} is missing from {self.root}") from None

    def put_bytes(self, payload: bytes) -> str:
        sha = hashlib.sha256(payload).hexdigest()
        if self.has(sha):
            return sha
        tmp = self._temp_file()
        try:
            with open(tmp, "wb") as out:
                out.write(payload)
                out.flush()
                os.fsync(out.fileno())
            self._install(tmp, sha)
        finally:
            tmp.unlink(missing_ok=True)
        return sha

    def put_file(self, path: Path, *, move: bool = False) -> str:
        """Copy a file in, hashing while copying so a large render is never held in memory.

        With ``move`` (a step's output in its work folder, which is removed next) a plain file on the store's
        filesystem is hashed, made durable and renamed into place: the render is not written a second time."""
        source = Path(path)
        if (stored := self._stored_as(source)) is not None:
            return stored  # a step passing an input on: the file is one of ours already
        if move and self._movable(source):
            return self._move_in(source)
        tmp = self._temp_file()
        try:
            digest = hashlib.sha256()
            with source.open("rb") as src, open(tmp, "wb") as out:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            if not self.has(sha):
                self._install(tmp, sha)
        except FileNotFoundError:
            raise ProjectError(f"cannot store {source}: file not found") from None
        finally:
            tmp.unlink(missing_ok=True)
        return sha

    def _stored_as(self, source: Path) -> str | None:
        """The digest ``source`` is stored under, where it is this store's own blob (not a link to one); else None."""
        sha = source.parent.name + source.name
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            return None
        try:
            if source.is_symlink() or not source.is_file() or not source.samefile(self.path(sha)):
                return None
        except OSError:
            return None
        return sha

    def _movable(self, source: Path) -> bool:
        """A plain file (not a link, not linked elsewhere) on the same filesystem as the store."""
        try:
            info = source.lstat()
            self.root.mkdir(parents=True, exist_ok=True)
            return stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and info.st_dev == self.root.stat().st_dev
        except OSError:
            return False

    def _move_in(self, source: Path) -> str:
        digest = hashlib.sha256()
        with source.open("rb") as src:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
            os.fsync(src.fileno())
        sha = digest.hexdigest()
        if not self.has(sha):
            self._install(source, sha)
        return sha

    def clean_temp_files(self) -> int:
        """Remove temp files left by a process that died mid-write; returns how many."""
        removed = 0
        if not self.root.is_dir():
            return 0
        for tmp in self.root.glob(f"{_TMP_PREFIX}*"):
            tmp.unlink(missing_ok=True)
            removed += 1
        return removed

    def _temp_file(self) -> Path:
        # The temp file sits in the store's root, on the same filesystem, so os.replace is atomic.
        self.root.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=self.root)
        os.close(fd)
        return Path(name)

    def _install(self, tmp: Path, sha: str) -> None:
        target = self.path(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o444)
        os.replace(tmp, target)
        fsync_dir(target.parent)



class S3ObjectStore:
    """Blobs at ``s3://bucket/prefix/ab/cdef...``; what this process reads or writes is kept in a local cache.

    Credentials come from the environment as boto3 reads them (AWS_ACCESS_KEY_ID, AWS_PROFILE, ...),
    never from the project. ``endpoint_url`` points at an S3-compatible server (MinIO, moto).
    """

    def __init__(self, url: str, *, cache: Path, endpoint_url: str | None = None, client: Any = None) -> None:
        self.url = url
        self.bucket, self.prefix = _bucket_and_prefix(url)
        self.endpoint_url = endpoint_url
        self.cache = ObjectStore(cache)
        self._client = client
        self._lock = threading.Lock()

    @property
    def root(self) -> Path:
        return self.cache.root

    @property
    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                try:
                    import boto3
                except ImportError:
                    raise ProjectError(
                        f"objects at {self.url} need boto3, which is not installed",
                        hint="pip install 'mangaline[cluster]'",
                    ) from None
                self._client = boto3.client("s3", endpoint_url=self.endpoint_url)
            return self._client

    def key(self, sha: str) -> str:
        self.cache.path(sha)  # the same check of the digest
        return f"{self.prefix}{sha[:2]}/{sha[2:]}"

    def path(self, sha: str) -> Path:
        """A local file with the blob's bytes: from the cache, or fetched into it (checked against its sha)."""
        local = self.cache.path(sha)
        if local.is_file():
            return local
        tmp = self.cache._temp_file()
        try:
            try:
                self.client.download_file(self.bucket, self.key(sha), str(tmp))
            except Exception as err:  # noqa: BLE001 - botocore's errors are many; each becomes one line
                raise ProjectError(
                    f"object {sha} could not be read from {self.url}: {_s3_reason(err)}",
                    hint="check the bucket, the endpoint and the credentials in the environment",
                ) from None
            if _sha_of(tmp) != sha:
                raise ProjectError(f"object {sha} in {self.url} does not hold the bytes its name says",
                                   hint="the bucket was written by something else; remove that object")
            self.cache._install(tmp, sha)
        finally:
            tmp.unlink(missing_ok=True)
        return local

    def has(self, sha: str) -> bool:
        if self.cache.has(sha):
            return True
        return self._remote_has(sha)

    def _remote_has(self, sha: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha))
            return True
        except Exception as err:  # noqa: BLE001
            if _s3_code(err) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise ProjectError(f"cannot reach {self.url}: {_s3_reason(err)}",
                               hint="check the bucket, the endpoint and the credentials in the environment") from None

    def open(self, sha: str) -> BinaryIO:
        return self.path(sha).open("rb")

    def put_bytes(self, payload: bytes) -> str:
        return self._upload(self.cache.put_bytes(payload))

    def put_file(self, path: Path, *, move: bool = False) -> str:
        """Stored in the cache first (hashing while copying, or moved: see ObjectStore.put_file), then uploaded
        unless the bucket has it already."""
        return self._upload(self.cache.put_file(path, move=move))

    def _upload(self, sha: str) -> str:
        if not self._remote_has(sha):
            try:
                # an S3 object appears whole when its upload completes (multipart included), never partial
                self.client.upload_file(str(self.cache.path(sha)), self.bucket, self.key(sha))
            except Exception as err:  # noqa: BLE001
                raise ProjectError(f"object {sha} could not be written to {self.url}: {_s3_reason(err)}",
                                   hint="check the bucket, the endpoint and the credentials in the environment") from None
        return sha

    def clean_temp_files(self) -> int:
        return self.cache.clean_temp_files()


Store = ObjectStore | S3ObjectStore


@dataclass(frozen=True)
class StoreAddress:
    """Where a project's objects live, as plain data a worker on another machine can open.

    ``url`` is a folder path or ``s3://bucket/prefix``; ``cache`` is the local folder an S3 store
    reads through (a worker elsewhere uses its own temp folder when this one is not there).
    """

    url: str
    cache: str = ""
    endpoint_url: str | None = None

    @property
    def shared(self) -> bool:
        """Whether a process on another machine reaches the same objects (a bucket, not a local folder)."""
        return self.url.startswith("s3://")

    def open(self) -> Store:
        key = (self.url, self.cache, self.endpoint_url)
        with _opened_lock:
            store = _opened.get(key)
            if store is None:
                store = _opened[key] = self._open()
            return store

    def _open(self) -> Store:
        if not self.shared:
            return ObjectStore(Path(self.url))
        cache = Path(self.cache) if self.cache else None
        if cache is None or not _writable_dir(cache):
            tag = hashlib.sha256(self.url.encode()).hexdigest()[:12]
            cache = Path(tempfile.gettempdir()) / f"mangaline-objects-{tag}"
        return S3ObjectStore(self.url, cache=cache, endpoint_url=self.endpoint_url)


_opened_lock = threading.Lock()
_opened: dict[tuple[str, str, str | None], Store] = {}


def _writable_dir(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK)


def _bucket_and_prefix(url: str) -> tuple[str, str]:
    parts = urlparse(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ProjectError(f"{url!r} is not an S3 address", hint="write it as s3://bucket or s3://bucket/prefix")
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else ""


def _sha_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _s3_code(err: Exception) -> str:
    response = getattr(err, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _s3_reason(err: Exception) -> str:
    code = _s3_code(err)
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    return f"{code}: {text}" if code and code not in text else text
