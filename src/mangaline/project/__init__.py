"""The project folder: YAML round-trip, state database, content-addressed objects, migrations."""

from .folder import CONFIG_NAME, ProjectFolder, inside
from .objects import ObjectStore, S3ObjectStore, Store, StoreAddress
from .state import RunRecord, StateDB, StepEvent, sqlite_url
from .yamlio import dump_yaml, load_record, load_yaml, to_plain, update_yaml, validate_document

__all__ = [
    "CONFIG_NAME",
    "ObjectStore",
    "ProjectFolder",
    "RunRecord",
    "S3ObjectStore",
    "StateDB",
    "StepEvent",
    "Store",
    "StoreAddress",
    "dump_yaml",
    "inside",
    "load_record",
    "load_yaml",
    "sqlite_url",
    "to_plain",
    "update_yaml",
    "validate_document",
]
