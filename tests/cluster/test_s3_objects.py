"""Objects in an S3-compatible store: moto's real S3 server on 127.0.0.1, boto3 against it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from mangaline.errors import ProjectError
from mangaline.project import S3ObjectStore, StoreAddress

from tests.s3 import S3Server


def store(s3: S3Server, tmp_path: Path, url: str, name: str = "cache") -> S3ObjectStore:
    return S3ObjectStore(url, cache=tmp_path / name, endpoint_url=s3.endpoint_url)


def test_a_file_is_stored_once_under_its_sha_and_read_back_elsewhere(s3: S3Server, tmp_path: Path) -> None:
    url = s3.bucket() + "/season-1"
    payload = os.urandom(9 * (1 << 20) + 5)  # past boto3's multipart threshold (8 MiB)
    source = tmp_path / "segment.mp4"
    source.write_bytes(payload)
    here = store(s3, tmp_path, url, "here")
    sha = here.put_file(source)
    assert sha == hashlib.sha256(payload).hexdigest()
    assert here.put_bytes(payload) == sha
    assert s3.keys(url) == [f"season-1/{sha[:2]}/{sha[2:]}"]
    # another machine: an empty cache, the same bucket
    there = store(s3, tmp_path, url, "there")
    assert there.has(sha)
    assert there.path(sha).read_bytes() == payload
    assert there.path(sha).parent.parent == tmp_path / "there"
    assert not there.has(hashlib.sha256(b"never stored").hexdigest())


def test_a_blob_whose_bytes_do_not_match_its_name_is_refused(s3: S3Server, tmp_path: Path) -> None:
    import boto3

    url = s3.bucket()
    sha = hashlib.sha256(b"the real take").hexdigest()
    boto3.client("s3", endpoint_url=s3.endpoint_url).put_object(
        Bucket=url.removeprefix("s3://"), Key=f"{sha[:2]}/{sha[2:]}", Body=b"something else")
    with pytest.raises(ProjectError, match="does not hold the bytes"):
        store(s3, tmp_path, url).path(sha)
    assert not list((tmp_path / "cache").rglob("*/*")), "nothing kept in the cache"


def test_a_missing_bucket_or_object_is_one_clear_error(s3: S3Server, tmp_path: Path) -> None:
    missing = store(s3, tmp_path, "s3://no-such-bucket")
    with pytest.raises(ProjectError, match="could not be read from s3://no-such-bucket"):
        missing.path("a" * 64)
    with pytest.raises(ProjectError, match="not an S3 address"):
        S3ObjectStore("http://bucket", cache=tmp_path)


def test_an_address_opens_the_same_store_in_another_process(s3: S3Server, tmp_path: Path) -> None:
    import pickle

    url = s3.bucket()
    address = StoreAddress(url, cache=str(tmp_path / "cache"), endpoint_url=s3.endpoint_url)
    sha = address.open().put_bytes(b"keyframe")
    copy = pickle.loads(pickle.dumps(address))
    assert copy.shared and copy.open().path(sha).read_bytes() == b"keyframe"
    # a cache folder the worker cannot create: a folder of its own in the temp dir
    elsewhere = StoreAddress(url, cache="/proc/not-here", endpoint_url=s3.endpoint_url).open()
    assert elsewhere.path(sha).read_bytes() == b"keyframe"
    local = StoreAddress(str(tmp_path / "objects")).open()
    assert not StoreAddress(str(tmp_path / "objects")).shared
    assert local.path(local.put_bytes(b"x")).read_bytes() == b"x"
