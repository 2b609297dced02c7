"""The provider registry: provider factories found through the `mangaline.providers` entry points, built from settings."""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from ..config import ProviderSettings, Settings
from ..errors import MangalineError, ProviderUnavailable

__all__ = ["ENTRY_POINT_GROUP", "Factory", "available", "factory_settings", "load_provider", "register"]

ENTRY_POINT_GROUP = "mangaline.providers"

Factory = Callable[[dict[str, Any]], Any]
"""``(provider_settings) -> provider object`` implementing one or more protocols of protocols.py.

The settings reach the factory as a plain dict: the keys a person set in [providers.<id>]
(base_url, api_key_env, timeout), its ``options`` spread out, and the ``model`` and
``modality`` asked for; the runtime's own keys (enabled, concurrency, requests_per_minute)
stay out.
"""

_registered: dict[str, Factory] = {}
_lock = threading.Lock()


def register(provider_id: str, factory: Factory) -> None:
    """Add a factory in code (a plugin not installed as a package, or a test double); it wins over an entry point."""
    with _lock:
        _registered[provider_id] = factory


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available() -> list[str]:
    """Every provider id that can be built here: installed entry points and factories registered in code."""
    with _lock:
        names = set(_registered)
    return sorted(names | set(_entry_points()))


def factory_settings(settings: ProviderSettings, *, model: str | None = None, modality: str | None = None) -> dict[str, Any]:
    """What a factory receives: only the adapter's keys, and only those the person set."""
    table: dict[str, Any] = dict(settings.options)
    for name in ("base_url", "api_key_env", "timeout"):
        if name in settings.model_fields_set:
            table[name] = getattr(settings, name)
    if model is not None:
        table["model"] = model
    if modality is not None:
        table["modality"] = modality
    return table


def load_provider(
    provider_id: str,
    settings: Settings | ProviderSettings | None = None,
    *,
    model: str | None = None,
    modality: str | None = None,
) -> Any:
    """Build the provider ``provider_id`` from its [providers.<id>] table (defaults when the table is absent).

    The key itself is never passed or stored: the provider reads ``api_key_env`` from the
    environment when it calls (ProviderSettings.api_key()).
    """
    if isinstance(settings, Settings):
        provider_settings = settings.providers.get(provider_id, ProviderSettings())
    else:
        provider_settings = settings or ProviderSettings()
    if not provider_settings.enabled:
        raise ProviderUnavailable(provider_id, "disabled in mangaline.toml", hint=f"set [providers.{provider_id}] enabled = true")
    with _lock:
        factory = _registered.get(provider_id)
    if factory is None:
        ep = _entry_points().get(provider_id)
        if ep is None:
            known = ", ".join(available()) or "none"
            raise ProviderUnavailable(
                provider_id,
                f"no provider of that name is installed (known: {known})",
                hint=f"install the package that declares it under the entry-point group {ENTRY_POINT_GROUP!r}",
            )
        try:
            factory = ep.load()
        except Exception as err:  # noqa: BLE001 - a broken plugin must not take the line down with a traceback
            raise ProviderUnavailable(provider_id, f"cannot load {ep.value}: {type(err).__name__}: {err}") from None
    try:
        return factory(factory_settings(provider_settings, model=model, modality=modality))
    except MangalineError:
        raise
    except Exception as err:  # noqa: BLE001
        raise ProviderUnavailable(provider_id, f"cannot build the provider: {type(err).__name__}: {err}") from None
