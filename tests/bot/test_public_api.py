"""``bot.__all__`` is the core's public API: sorted, importable, and complete (as httpx checks)."""

from __future__ import annotations

import inspect
import subprocess
import sys
import types
import typing

from pydantic import BaseModel

import bot
from bot.api import Core
from bot.engine import Engine


def test_all_is_sorted() -> None:
    assert bot.__all__ == sorted(bot.__all__)


def test_every_name_in_all_is_importable() -> None:
    for name in bot.__all__:
        assert getattr(bot, name) is not None, name
    assert bot.Engine is Engine


def test_every_public_name_of_the_package_is_in_all() -> None:
    public = {
        name
        for name, value in vars(bot).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    typing_helpers = {"TYPE_CHECKING", "Any", "annotations"}  # imported for the annotations
    assert public - typing_helpers <= set(bot.__all__)


def _core_types(hint: object, seen: set[type]) -> None:
    """Collect the classes of the core reachable from a type hint, through model fields."""
    for arg in typing.get_args(hint):
        _core_types(arg, seen)
    if isinstance(hint, type) and hint.__module__.startswith("bot.") and hint not in seen:
        seen.add(hint)
        if issubclass(hint, BaseModel):
            for field in hint.model_fields.values():
                _core_types(field.annotation, seen)


def test_what_the_core_returns_is_exported() -> None:
    seen: set[type] = set()
    for name, member in inspect.getmembers(Core):
        if not name.startswith("_") and callable(member):
            for hint in typing.get_type_hints(member).values():
                _core_types(hint, seen)
    _core_types(bot.Reply, seen)
    assert {cls.__name__ for cls in seen} <= set(bot.__all__)
    assert {"Answer", "Passage", "ArticleRef", "Briefing", "BriefItem", "TextReply"} <= {
        cls.__name__ for cls in seen
    }


def test_importing_the_package_leaves_the_engine_unloaded() -> None:
    code = "import sys, bot; print('bot.engine' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
