"""Errors raised by mangaline: one root and small named subclasses that carry context.

    MangalineError                  root; every error a user can see derives from it
    ├── ConfigError                 mangaline.toml is missing, unreadable or invalid
    ├── ProjectError                the project folder is missing or inconsistent
    │   ├── YamlEditError           a hand-edited YAML file under script/ or bible/ is invalid
    │   └── ProjectBusy             another build holds the project's build lock (its PID and host)
    ├── ScriptError                 the input text cannot be read or parsed (file, line)
    │   ├── InputEncodingError      not text, or not in an encoding we can detect
    │   └── FountainSyntaxError     malformed Fountain (unterminated note or boneyard, ...)
    ├── StepError                   a step of the engine failed (step, entity, cause)
    │   └── TransientStepError      a failure worth retrying (busy resource, flaky tool)
    ├── ProviderError               a provider failed (provider id, raw message)
    │   ├── ProviderUnavailable     the provider cannot run here (missing package, voice, key)
    │   ├── AuthenticationError     the provider refused the key (401/403): no retake can help
    │   ├── ProviderTransient       worth retrying: 5xx, timeouts, dropped connections
    │   │   ├── RateLimited         429 and friends, with the wait the provider asked for
    │   │   └── ResultExpired       a result URL answered 403/404/410: poll again for a fresh one
    │   ├── ModerationRejected      the provider refused the content; retrying the same input won't help
    │   ├── ProviderResponseError   the reply is malformed or not what the API documents
    │   └── BudgetExceeded          the next spend would pass the project's or episode's budget
    └── RenderError                 FFmpeg or the draft renderer failed (shot, command, stderr)

Every error renders to one or two lines a person can act on; the CLI prints ``str(err)``
and exits non-zero, never a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "MangalineError",
    "ConfigError",
    "ProjectError",
    "YamlEditError",
    "ProjectBusy",
    "ScriptError",
    "InputEncodingError",
    "FountainSyntaxError",
    "StepError",
    "TransientStepError",
    "ProviderError",
    "ProviderUnavailable",
    "AuthenticationError",
    "ProviderTransient",
    "RateLimited",
    "ResultExpired",
    "ModerationRejected",
    "ProviderResponseError",
    "BudgetExceeded",
    "RenderError",
    "invalid_value",
    "invalid_values",
]


class MangalineError(Exception):
    """Root of every error mangaline raises on purpose."""

    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class ConfigError(MangalineError):
    """mangaline.toml is missing, unreadable or holds an invalid value."""


class ProjectError(MangalineError):
    """The project folder is missing or inconsistent."""


class YamlEditError(ProjectError):
    """A YAML file under script/ or bible/ does not validate; names the file and line."""

    def __init__(self, path: str, message: str, *, line: int | None = None, hint: str | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}", hint=hint)


class ProjectBusy(ProjectError):
    """Another build of the project is running; names the holder of the build lock."""

    def __init__(self, root: object, holder: str) -> None:
        self.root = root
        self.holder = holder
        super().__init__(
            f"{root}: another build is running ({holder})",
            hint=f"wait for it to end, or add --wait to start when it does; `mangaline status {root}` works meanwhile",
        )


class ScriptError(MangalineError):
    """The input text cannot be read or parsed; carries the file and the 1-based line."""

    def __init__(self, path: str, message: str, *, line: int | None = None, hint: str | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}", hint=hint)


class InputEncodingError(ScriptError):
    """The input is binary, or text in an encoding that cannot be detected."""


class FountainSyntaxError(ScriptError):
    """Malformed Fountain that has no documented interpretation."""


class StepError(MangalineError):
    """A step failed for one entity (a shot, a line, an episode)."""

    def __init__(self, step: str, entity: str, message: str, *, hint: str | None = None) -> None:
        self.step = step
        self.entity = entity
        super().__init__(f"{step} [{entity}]: {message}", hint=hint)


class TransientStepError(StepError):
    """A step failure that may pass on a retry."""


class ProviderError(MangalineError):
    """A provider failed; keeps the provider id and its raw message."""

    def __init__(self, provider: str, message: str, *, raw: str | None = None, hint: str | None = None) -> None:
        self.provider = provider
        self.raw = raw
        super().__init__(f"provider {provider}: {message}", hint=hint)


class ProviderUnavailable(ProviderError):
    """The provider cannot run on this machine (package, voice or binary missing)."""


class AuthenticationError(ProviderError):
    """The provider refused the credentials (401/403, a rejected token); names the variable that holds them."""

    def __init__(self, provider: str, message: str, *, key_env: str = "", raw: str | None = None, hint: str | None = None) -> None:
        self.key_env = key_env
        where = f" in {key_env}" if key_env else ""
        super().__init__(
            provider, message, raw=raw,
            hint=hint or f"check the key{where}: that it is current, and that it belongs to this endpoint and region",
        )


class ProviderTransient(ProviderError):
    """A failure worth retrying with backoff: 5xx, timeouts, dropped connections."""


class RateLimited(ProviderTransient):
    """The provider asked us to slow down; ``retry_after`` is its wait in seconds, when it gave one."""

    def __init__(self, provider: str, message: str, *, retry_after: float | None = None, raw: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(provider, message, raw=raw)


class ResultExpired(ProviderTransient):
    """A result URL no longer answers (403/404/410); poll the job again for a fresh one."""


class ModerationRejected(ProviderError):
    """The provider refused the content; the same input will be refused again."""


class ProviderResponseError(ProviderError):
    """The reply is malformed or does not match the provider's documented shape."""


class BudgetExceeded(ProviderError):
    """Spending more would pass the budget; nothing was submitted."""


class RenderError(MangalineError):
    """FFmpeg or the draft renderer failed for a shot or an episode."""

    def __init__(self, what: str, message: str, *, stderr: str | None = None, hint: str | None = None) -> None:
        self.what = what
        self.stderr = stderr
        tail = ""
        if stderr:
            lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
            tail = "\n  " + "\n  ".join(lines[-6:])
        super().__init__(f"{what}: {message}{tail}", hint=hint)


def invalid_value(error: Mapping[str, Any], *, show_input: bool = True) -> tuple[str, str]:
    """One of pydantic's validation errors as a person reads it: (the field's dotted path, what is wrong).

    The one formatter of validation errors: a missing field, an unknown key (a typo?), and a bad value
    with the value shown, unless ``show_input`` is off (the value may be a secret) or it is a whole
    table. Callers add where (file and line, table, option) in their own terms.
    """
    field = ".".join(str(part) for part in error.get("loc", ())) or "(document)"
    kind = error.get("type", "")
    if kind == "missing":
        return field, "required field is missing"
    if kind == "extra_forbidden":
        return field, "unknown key (a typo?)"
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    value = error.get("input")
    if not show_input or kind in ("unsafe_id", "schema_version", "schema_version_newer"):
        return field, message  # these name the value themselves, or must not repeat it
    shown = repr(value) if not isinstance(value, (dict, list)) else f"a {'table' if isinstance(value, dict) else 'list'}"
    return field, f"{message}, got {shown}"


def invalid_values(error: Any, *, limit: int = 5, show_input: bool = True) -> str:
    """Every problem of a pydantic ValidationError in one line: `field: what; field: what` (at most ``limit``)."""
    problems = [invalid_value(e, show_input=show_input) for e in error.errors(include_url=False)]
    said = "; ".join(f"{field}: {what}" for field, what in problems[:limit])
    return said + (f"; and {len(problems) - limit} more" if len(problems) > limit else "")
