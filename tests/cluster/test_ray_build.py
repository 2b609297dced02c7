"""The same project built on one machine and on Ray with its state in PostgreSQL and its objects in S3:
the same episode, frame for frame. Real parts throughout: the CLI in a fresh interpreter, a private Ray
with worker processes, moto's S3 server, a throwaway PostgreSQL server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import mangaline
from tests.test_build import frame_sums

from tests.s3 import S3Server

pytest.importorskip("ray")


def _on_the_cluster(project: Path, state_url: str, bucket: str, endpoint: str) -> None:
    config = project / "mangaline.toml"
    config.write_text(config.read_text(encoding="utf-8") + f'\n[state]\nurl = "{state_url}"\n\n'
                      f'[storage]\nurl = "{bucket}"\nendpoint_url = "{endpoint}"\n', encoding="utf-8")


def test_a_season_on_ray_with_postgres_and_s3_is_frame_for_frame_the_local_build(
    small_script: Path, tmp_path: Path, postgres_url: str, s3: S3Server
) -> None:
    local, cluster = tmp_path / "local", tmp_path / "cluster"
    for project in (local, cluster):
        mangaline("new", project, "--from", small_script)
    mangaline("build", local, "--no-progress")
    bucket = s3.bucket() + "/small-hours"
    _on_the_cluster(cluster, postgres_url, bucket, s3.endpoint_url)

    made = mangaline("season", cluster, "--executor", "ray", "--episodes", "1", "--no-progress")
    assert "episode ep01:" in made.stdout
    assert frame_sums(cluster) == frame_sums(local)
    # every take's files are in the bucket, and the takes in PostgreSQL: the project's own SQLite is not used
    keys = s3.keys(bucket)
    assert len(keys) > 20 and all(key.startswith("small-hours/") for key in keys)
    counts = json.loads(mangaline("status", cluster, "--json").stdout)["counts"]
    assert set(counts) == {"FRESH"} or set(counts) == {"fresh"}, counts

    again = mangaline("build", cluster, "--executor", "ray", "--no-progress")
    ran = again.stderr.split("\ntotal", 1)[1].split()[0]
    assert ran == "0", again.stderr


def test_a_cluster_address_with_objects_on_this_disk_is_refused_before_anything_runs(
    small_script: Path, tmp_path: Path
) -> None:
    project = tmp_path / "here"
    mangaline("new", project, "--from", small_script)
    refused = mangaline("build", project, "--executor", "ray", "--address", "ray://10.0.0.1:10001", check=False)
    assert refused.returncode != 0
    assert "[storage] url" in refused.stderr and "[state] url" in refused.stderr
    assert not any((project / "renders").iterdir())


def test_episodes_are_chosen_by_number_or_id_and_an_unknown_one_is_named(small_script: Path, tmp_path: Path) -> None:
    project = tmp_path / "one"
    mangaline("new", project, "--from", small_script)
    wrong = mangaline("season", project, "--episodes", "2-3", check=False)
    assert wrong.returncode == 2 and "episodes 1-1" in wrong.stderr
    unknown = mangaline("season", project, "--episodes", "ep09", check=False)
    assert unknown.returncode != 0 and "no episode ep09" in unknown.stderr and "ep01" in unknown.stderr
