"""mangaline: a production line for AI manga-dramas and short dramas."""

from .errors import MangalineError

__version__ = "0.1.0"

__all__ = ["MangalineError", "__version__"]
