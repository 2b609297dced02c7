"""Tasks, takes and notes: who works on what, what came out, and what reviewers said."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from .base import Record, SafeId


class TaskType(StrEnum):
    """A department's kind of job, in the order work moves through the line."""

    BREAKDOWN = "breakdown"
    DESIGN = "design"
    LAYOUT = "layout"
    STORYBOARD = "storyboard"
    ANIMATE = "animate"
    VOICE = "voice"
    QC = "qc"
    EDIT = "edit"


class TaskStatus(Record):
    """A named status with the flags the line and the studio act on."""

    name: str
    is_wip: bool = False
    is_feedback_request: bool = False
    is_retake: bool = False
    is_done: bool = False


TODO = TaskStatus(name="todo")
WIP = TaskStatus(name="wip", is_wip=True)
WAITING_FOR_APPROVAL = TaskStatus(name="wfa", is_feedback_request=True)
RETAKE = TaskStatus(name="retake", is_retake=True)
DONE = TaskStatus(name="done", is_done=True)


class Task(Record):
    """One department's job on one entity (a shot, a line, a character, an episode)."""

    task_type: TaskType
    entity: str
    status: TaskStatus = TODO
    assignee: str | None = None
    last_error: str | None = None


class Validation(StrEnum):
    VALIDATED = "validated"
    REJECTED = "rejected"
    NEUTRAL = "neutral"


class Provenance(Record):
    """How a take was made: enough to explain it and to make it again."""

    step: str
    code_version: str
    input_versions: dict[str, str] = Field(default_factory=dict)
    params_sha256: str
    provider: str = "draft"
    model: str = "draft"
    seed: int = 0
    prompt: str | None = None
    cost: float = 0.0
    currency: str = "USD"
    warnings: list[str] = Field(default_factory=list, description="what the step noticed but did not fail on")


class Take(Record):
    """One result of one task: content-addressed files plus small data, with provenance."""

    id: SafeId
    step: str
    entity: str
    cache_key: str
    data_version: str
    components: dict[str, str] = Field(default_factory=dict, description="name -> sha256 of the blob")
    data: dict[str, Any] = Field(default_factory=dict)
    provenance: Provenance
    validation: Validation = Validation.NEUTRAL
    qc: dict[str, float] = Field(default_factory=dict)
    created_at: datetime
    run_id: str | None = None


class Note(Record):
    """A reviewer's comment on a take; may send the task back for a retake."""

    take_id: SafeId
    author: str
    text: str
    retake: bool = False
    created_at: datetime


class Direction(Record):
    """A reviewer's direction for a shot's next take of one task: a retake (a new seed, an edited prompt, another
    model) or the choice of a take already made (its seed, prompt and model again). The newest one holds."""

    kind: Literal["keyframe", "clip"]
    shot: SafeId
    seed: int
    prompt: str | None = None
    model: str | None = None
    take_id: str | None = Field(default=None, description="the take rejected (retake) or chosen (choose)")
    reason: Literal["retake", "choose"] = "retake"
    author: str = "studio"
    created_at: datetime
