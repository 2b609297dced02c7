"""The project folder: its layout on disk, the script and bible as YAML, the state and the objects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..config import Settings, load_settings, write_settings
from ..errors import ProjectError, YamlEditError
from ..model import Bible, Character, Episode, Location, Project, Prop, Script, id_problem
from .objects import Store, StoreAddress
from .state import StateDB, state_url
from .yamlio import YamlFile, line_of, update_yaml

__all__ = ["ProjectFolder", "CONFIG_NAME", "inside"]

CONFIG_NAME = "mangaline.toml"
SCRIPT_FILE = "script.yaml"
Loc = tuple[str | int, ...]  # a place in a YAML document: keys and list indexes
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
        self._objects: Store | None = None

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

    def inside(self, path: Path) -> Path:
        """``path`` resolved, when it lies inside the project; a ProjectError naming it when it does not."""
        return inside(self.root, path)

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
        """The state database: the URL given, else [state] url (or MANGALINE_STATE_URL), else .mangaline/state.db."""
        if self._state is None:
            settings = self.settings if self.config_path.is_file() else None
            self._state = StateDB(self._state_url or state_url(self.root, settings))
        return self._state

    @property
    def objects_address(self) -> StoreAddress:
        """Where the objects live ([storage] url, or DIR/.mangaline/objects), as any process may open them."""
        storage = self.settings.storage if self.config_path.is_file() else None
        if storage is None or not storage.url:
            return StoreAddress(str(self.objects_dir))
        return StoreAddress(storage.url, cache=str(self.objects_dir), endpoint_url=storage.endpoint_url)

    @property
    def objects(self) -> Store:
        if self._objects is None:
            self._objects = self.objects_address.open()
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
        for kind, value, episode, _loc, _first, _first_loc in _repeats(script.episodes):
            raise ProjectError(f"{kind} {value!r} is used twice in the script (again in episode {episode.id})")
        for episode in script.episodes:
            update_yaml(self.inside(self.script_dir / f"{episode.id}.yaml"), _plain_record(episode))
        head = _plain_record(script)
        head["episodes"] = ids
        update_yaml(self.inside(self.script_dir / SCRIPT_FILE), head)

    def load_script(self) -> Script:
        path = self.script_dir / SCRIPT_FILE
        if not path.is_file():
            raise ProjectError(f"{path} not found: the project has no breakdown yet", hint="run `mangaline breakdown`")
        script_file = YamlFile(path)
        plain = script_file.plain
        if not isinstance(plain, dict):
            raise YamlEditError(str(path), "expected a mapping of the script's fields", line=1)
        ids = plain.get("episodes", [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise YamlEditError(str(path), "episodes must be a list of episode ids, each with its file script/<id>.yaml",
                                line=line_of(script_file.document, ("episodes",)))
        head = script_file.validate(Script, plain={**plain, "episodes": []})
        for index, episode_id in enumerate(ids):
            problem = id_problem(episode_id)
            if problem is None and episode_id == path.stem:
                problem = "is the name of the script's own file"
            if problem is None and episode_id in ids[:index]:
                problem = "is listed twice"
            if problem is not None:
                raise YamlEditError(
                    str(path), f"episode id {episode_id!r} cannot name its file script/<id>.yaml: it {problem}",
                    line=line_of(script_file.document, ("episodes", index)),
                    hint="use letters, digits and _ - . only, each id once",
                )
        loaded: list[tuple[YamlFile, Episode]] = []
        for episode_id in ids:
            episode_path = self.inside(self.script_dir / f"{episode_id}.yaml")
            if not episode_path.is_file():
                raise YamlEditError(str(path), f"episode {episode_id!r} is listed but {episode_path} is missing")
            episode_file = YamlFile(episode_path)
            episode = episode_file.validate(Episode)
            if episode.id != episode_id:
                raise YamlEditError(
                    str(episode_path), f"id {episode.id!r} does not match the file name {episode_id!r}",
                    line=line_of(episode_file.document, ("id",)),
                )
            loaded.append((episode_file, episode))
        files = {episode.id: episode_file for episode_file, episode in loaded}
        for kind, value, episode, loc, first, first_loc in _repeats([episode for _, episode in loaded]):
            here, there = files[episode.id], files[first.id]
            raise YamlEditError(
                str(here.path), f"{kind} {value!r} is used twice (first at {there.path}:{line_of(there.document, first_loc)})",
                line=line_of(here.document, loc), hint=f"give every {kind.split()[0]} its own id: each names its own files",
            )
        return head.model_copy(update={"episodes": [episode for _, episode in loaded]})

    # the bible -----------------------------------------------------------

    def save_bible(self, bible: Bible) -> None:
        """One file per asset; an asset no longer in the bible has its file removed."""
        for kind, assets in (("characters", bible.characters), ("locations", bible.locations), ("props", bible.props)):
            folder = self.bible_dir / kind
            for key, asset in assets.items():
                _check_id(asset.id, kind[:-1])
                if key != asset.id:
                    raise ProjectError(f"bible {kind}: key {key!r} differs from the asset's id {asset.id!r}")
                update_yaml(self.inside(folder / f"{asset.id}.yaml"), _plain_record(asset))
            if folder.is_dir():
                for stale in folder.glob("*.yaml"):
                    if stale.stem not in assets:
                        self.inside(stale).unlink()

    def load_bible(self) -> Bible:
        found: dict[str, dict[str, object]] = {}
        for kind, model_cls in _ASSET_KINDS.items():
            found[kind] = {}
            folder = self.bible_dir / kind
            for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
                asset_file = YamlFile(self.inside(path))
                asset = asset_file.validate(model_cls)
                if asset.id != path.stem:
                    raise YamlEditError(str(path), f"id {asset.id!r} does not match the file name {path.stem!r}",
                                        line=line_of(asset_file.document, ("id",)))
                found[kind][asset.id] = asset
        return Bible.model_validate(found)


def _plain_record(record: Script | Episode | Character | Location | Prop) -> dict:
    # None is left out so the YAML holds only what was set; loading gives None back as the default.
    return record.model_dump(mode="json", exclude_none=True)


def inside(root: Path, path: Path) -> Path:
    """``path`` resolved (links followed), when it lies inside ``root``; a ProjectError naming it when it does not.

    Every file the line reads or writes under a name made from an id goes through here, so no id,
    however it was typed, reaches outside the project.
    """
    base = Path(root).resolve()
    resolved = Path(path).resolve()
    if resolved == base or not resolved.is_relative_to(base):
        raise ProjectError(
            f"{path} resolves to {resolved}, outside {base}: refused",
            hint="ids name files inside the project; check the id (and any symbolic link) that made this path",
        )
    return resolved


def _check_id(value: str, what: str) -> None:
    problem = id_problem(value)
    if problem is not None:
        raise ProjectError(f"{what} id {value!r} cannot be a file name: it {problem}")


def _repeats(episodes: list[Episode]) -> Iterator[tuple[str, str, Episode, Loc, Episode, Loc]]:
    """Each scene id, shot code or line id met a second time: kind, value, the episode and place in its
    file, then the episode and place where it was first met.

    They name the takes, renders and voices of what they label, so two of one would overwrite each other.
    """
    seen: dict[tuple[str, str], tuple[Episode, Loc]] = {}
    for episode in episodes:
        for si, scene in enumerate(episode.scenes):
            labels = [("scene id", scene.id, ("scenes", si, "id"))]
            for hi, shot in enumerate(scene.shots):
                labels.append(("shot code", shot.code, ("scenes", si, "shots", hi, "code")))
                labels += [("line id", line.id, ("scenes", si, "shots", hi, "dialogue", li, "id"))
                           for li, line in enumerate(shot.dialogue)]
            for kind, value, loc in labels:
                if (kind, value) in seen:
                    yield kind, value, episode, loc, *seen[(kind, value)]
                seen.setdefault((kind, value), (episode, loc))
