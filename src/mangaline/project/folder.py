"""The project folder: its layout on disk, the script and bible as YAML, the state and the objects."""

from __future__ import annotations

import re
from pathlib import Path

from ..config import Settings, load_settings, write_settings
from ..errors import ProjectError, YamlEditError
from ..model import Bible, Character, Episode, Location, Project, Prop, Script
from .objects import ObjectStore
from .state import StateDB, sqlite_url
from .yamlio import load_yaml, to_plain, update_yaml, validate_document, load_record

__all__ = ["ProjectFolder", "CONFIG_NAME"]

CONFIG_NAME = "mangaline.toml"
SCRIPT_FILE = "script.yaml"
# letters of any script (林月, ミカ) are fine in file names; separators and a leading dot are not
_SAFE_ID = re.compile(r"^[^\W_][\w.-]*$")
_ASSET_KINDS: dict[str, type[Character] | type[Location] | type[Prop]] = {
    "characters": Character,
    "locations": Location,
    "props": Prop,
}


class ProjectFolder:
    """One drama on disk (DESIGN.md §3); cheap to construct, opens the database on first use."""

    def __init__(self, root: Path, *, state_url: str | None = None) -> None:
        self.root = Path(root).resolve()
        self._state_url = state_url
        self._state: StateDB | None = None
        self._objects: ObjectStore | None = None

    # layout ---------------------------------------------------------------

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def story_dir(self) -> Path:
        return self.root / "story"

    @property
    def script_dir(self) -> Path:
        return self.root / "script"

    @property
    def bible_dir(self) -> Path:
        return self.root / "bible"

    @property
    def characters_dir(self) -> Path:
        return self.bible_dir / "characters"

    @property
    def locations_dir(self) -> Path:
        return self.bible_dir / "locations"

    @property
    def props_dir(self) -> Path:
        return self.bible_dir / "props"

    @property
    def state_dir(self) -> Path:
        return self.root / ".mangaline"

    @property
    def objects_dir(self) -> Path:
        return self.state_dir / "objects"

    @property
    def work_dir(self) -> Path:
        """Scratch folders of running steps; anything here belongs to a live or a dead run."""
        return self.state_dir / "work"

    @property
    def renders_dir(self) -> Path:
        return self.root / "renders"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    def _layout(self) -> list[Path]:
        return [
            self.story_dir,
            self.script_dir,
            self.characters_dir,
            self.locations_dir,
            self.props_dir,
            self.objects_dir,
            self.work_dir,
            self.renders_dir,
            self.exports_dir,
        ]

    # creating and opening ---------------------------------------------------

    @staticmethod
    def is_project(root: Path) -> bool:
        return (Path(root) / CONFIG_NAME).is_file()

    @classmethod
    def create(
        cls, root: Path, project: Project | None = None, *, settings: Settings | None = None, state_url: str | None = None
    ) -> ProjectFolder:
        """Make a new project folder; an existing non-empty folder is refused, never overwritten."""
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise ProjectError(f"{root} exists and is not a folder")
        if cls.is_project(root):
            raise ProjectError(f"{root} already holds a mangaline project", hint=f"open it, e.g. `mangaline status {root}`")
        if root.is_dir() and any(root.iterdir()):
            raise ProjectError(
                f"{root} is not empty and is not a mangaline project",
                hint="choose a new or empty folder for `mangaline new`",
            )
        if settings is None:
            settings = Settings(project=project or Project(name=root.resolve().name or "drama"))
        folder = cls(root, state_url=state_url)
        for path in folder._layout():
            path.mkdir(parents=True, exist_ok=True)
        write_settings(folder.config_path, settings)
        folder.state  # creates and migrates the database now, so a broken URL fails at `new`
        return folder

    @classmethod
    def open(cls, root: Path, *, state_url: str | None = None) -> ProjectFolder:
        root = Path(root)
        if not cls.is_project(root):
            raise ProjectError(
                f"{root} is not a mangaline project (no {CONFIG_NAME})",
                hint="create one with `mangaline new`",
            )
        folder = cls(root, state_url=state_url)
        for path in folder._layout():
            path.mkdir(parents=True, exist_ok=True)
        return folder

    @property
    def settings(self) -> Settings:
        return load_settings(self.config_path)

    @property
    def state(self) -> StateDB:
        if self._state is None:
            self._state = StateDB(self._state_url or sqlite_url(self.state_dir / "state.db"))
        return self._state

    @property
    def objects(self) -> ObjectStore:
        if self._objects is None:
            self._objects = ObjectStore(self.objects_dir)
        return self._objects

    def close(self) -> None:
        if self._state is not None:
            self._state.close()
            self._state = None

    # the script ----------------------------------------------------------

    def save_script(self, script: Script) -> None:
        """script/script.yaml holds the Script's own fields and the episode order; each episode has its file."""
        ids = [episode.id for episode in script.episodes]
        for episode_id in ids:
            _check_id(episode_id, "episode")
            if episode_id == Path(SCRIPT_FILE).stem:
                raise ProjectError(f"an episode cannot be called {episode_id!r}: script/{SCRIPT_FILE} is the script's own file")
        if len(set(ids)) != len(ids):
            raise ProjectError(f"episode ids repeat in the script: {', '.join(ids)}")
        for episode in script.episodes:
            update_yaml(self.script_dir / f"{episode.id}.yaml", _plain_record(episode))
        head = _plain_record(script)
        head["episodes"] = ids
        update_yaml(self.script_dir / SCRIPT_FILE, head)

    def load_script(self) -> Script:
        path = self.script_dir / SCRIPT_FILE
        if not path.is_file():
            raise ProjectError(f"{path} not found: the project has no breakdown yet", hint="run `mangaline breakdown`")
        document = load_yaml(path)
        plain = to_plain(document)
        if not isinstance(plain, dict):
            raise YamlEditError(str(path), "expected a mapping of the script's fields", line=1)
        ids = plain.get("episodes", [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            line = document.lc.key("episodes")[0] + 1 if "episodes" in document else None
            raise YamlEditError(
                str(path), "episodes must be a list of episode ids, each with its file script/<id>.yaml", line=line
            )
        head = validate_document(document, path, Script, plain={**plain, "episodes": []})
        episodes = []
        for episode_id in ids:
            episode_path = self.script_dir / f"{episode_id}.yaml"
            if not episode_path.is_file():
                raise YamlEditError(str(path), f"episode {episode_id!r} is listed but {episode_path} is missing")
            episode = load_record(episode_path, Episode)
            if episode.id != episode_id:
                raise YamlEditError(
                    str(episode_path), f"id {episode.id!r} does not match the file name {episode_id!r}", line=_key_line(episode_path, "id")
                )
            episodes.append(episode)
        return head.model_copy(update={"episodes": episodes})

    # the bible -----------------------------------------------------------

    def save_bible(self, bible: Bible) -> None:
        """One file per asset; an asset no longer in the bible has its file removed."""
        for kind, assets in (("characters", bible.characters), ("locations", bible.locations), ("props", bible.props)):
            folder = self.bible_dir / kind
            for key, asset in assets.items():
                _check_id(asset.id, kind[:-1])
                if key != asset.id:
                    raise ProjectError(f"bible {kind}: key {key!r} differs from the asset's id {asset.id!r}")
                update_yaml(folder / f"{asset.id}.yaml", _plain_record(asset))
            if folder.is_dir():
                for stale in folder.glob("*.yaml"):
                    if stale.stem not in assets:
                        stale.unlink()

    def load_bible(self) -> Bible:
        found: dict[str, dict[str, object]] = {}
        for kind, model_cls in _ASSET_KINDS.items():
            found[kind] = {}
            folder = self.bible_dir / kind
            for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
                asset = load_record(path, model_cls)
                if asset.id != path.stem:
                    raise YamlEditError(
                        str(path), f"id {asset.id!r} does not match the file name {path.stem!r}", line=_key_line(path, "id")
                    )
                found[kind][asset.id] = asset
        return Bible.model_validate(found)


def _plain_record(record: Script | Episode | Character | Location | Prop) -> dict:
    # None is left out so the YAML holds only what was set; loading gives None back as the default.
    return record.model_dump(mode="json", exclude_none=True)


def _check_id(value: str, what: str) -> None:
    if not _SAFE_ID.match(value):
        raise ProjectError(f"{what} id {value!r} cannot be a file name (use letters, digits, _ . - and no leading _ or .)")


def _key_line(path: Path, key: str) -> int | None:
    document = load_yaml(path)
    try:
        return document.lc.key(key)[0] + 1
    except (AttributeError, KeyError):
        return None
