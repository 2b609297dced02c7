"""The design department: the bible's characters (looks, palette, voice) and locations (sets) from the script."""

from .bible import design_bible
from .characters import KOKORO_FEMALE, KOKORO_MALE, MIN_HAIR_DISTANCE, MIN_OUTFIT_DISTANCE
from .sets import place_name, set_problems
from .traits import Traits, read_cast

__all__ = [
    "design_bible",
    "set_problems",
    "place_name",
    "read_cast",
    "Traits",
    "KOKORO_FEMALE",
    "KOKORO_MALE",
    "MIN_HAIR_DISTANCE",
    "MIN_OUTFIT_DISTANCE",
]
