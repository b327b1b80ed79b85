"""Self-checked exercises: ``checks.check(name, answer)``, ``checks.hint(name)`` (one level deeper at each call),
``checks.solution(name)`` (after a try); every one of them goes into the local progress record
(:mod:`course_utils.progress`).

The framework lives in ``_core``; each concept's exercises live in their own module here (``basics``,
``activations``, …) and register themselves with ``@exercise``. Every such module is imported below, so a new
one needs no edit to this file.
"""

import importlib
import pkgutil

from ._core import (
    Mismatch,
    NotAttempted,
    Result,
    call,
    chapter_of,
    check,
    exercise,
    exercises,
    expect,
    expect_close,
    forbid,
    hint,
    solution,
    time_limit,
)

__all__ = [
    "Mismatch", "NotAttempted", "Result", "call", "chapter_of", "check", "exercise", "exercises", "expect",
    "expect_close", "forbid", "hint", "solution", "time_limit",
]

for _info in pkgutil.iter_modules(__path__):
    if not _info.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_info.name}")
