"""Lazy imports of optional dependencies with install hints."""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import MissingDependencyError


def import_optional(name: str, *, extra: str) -> ModuleType:
    """Import module ``name`` or raise an error that says how to install it.

    Parameters
    ----------
    name : str
        Dotted module name, e.g. ``"mlx.core"``.
    extra : str
        The llamalog extra that provides it, e.g. ``"notebook"``.

    Raises
    ------
    MissingDependencyError
        When the module cannot be imported.
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{name!r} is needed for this feature but could not be imported ({exc}). "
            f'Install it with: pip install "llamalog[{extra}]"'
        ) from exc
