"""Cache keys and data versions: sha256 over a canonical JSON of everything that shapes a take."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .steps import Step

__all__ = ["canonical_json", "params_sha256", "cache_key", "data_version"]


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept; refuses what JSON cannot hold."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def params_sha256(params: Mapping[str, Any]) -> str:
    return _sha(canonical_json(dict(params)))


def cache_key(
    step: Step, params: Mapping[str, Any], input_versions: Mapping[str, str], model: str, seed: int
) -> str:
    """sha256(step name, code version, sorted input data versions, params, model id, seed) — DESIGN.md §4."""
    return _sha(
        canonical_json(
            {
                "step": step.name,
                "version": step.version,
                "inputs": sorted(input_versions.items()),
                "params": dict(params),
                "model": model,
                "seed": seed,
            }
        )
    )


def data_version(components: Mapping[str, str], data: Mapping[str, Any]) -> str:
    """A take's content identity: its blobs' hashes and its data; two runs making the same bytes agree."""
    return _sha(canonical_json({"components": sorted(components.items()), "data": dict(data)}))
