"""The course's editions (English, 简体中文 …): one table, ``editions.json`` beside this module.

Each row names an edition's language code (what ``set_language`` and ``COURSE_LANG`` take), its name in its own
language, the folder of its executed notebooks and its README (relative to the course folder), its path on the
website, the locale of JupyterLab's menus and the language Sphinx writes the website's pages in. ``course.py``
reads the same file with the standard library before any package is installed; this module gives the package and
the tools typed access to it. Standard library only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["Edition", "EDITIONS", "CODES", "SOURCE", "edition", "normalize"]

TABLE = Path(__file__).resolve().parent / "editions.json"


@dataclass(frozen=True)
class Edition:
    """One row of the table of editions."""

    code: str               # "en", "zh": the language code of set_language() and COURSE_LANG
    name: str               # the edition's name in its own language ("English", "简体中文")
    notebooks: str          # its executed notebooks, relative to the course folder ("notebooks/zh")
    readme: str             # its README, relative to the course folder
    site_path: str          # its folder on the website ("zh" -> build/site/zh/)
    jupyterlab_locale: str  # the locale of JupyterLab's menus ("zh_CN": the language pack's locale)
    sphinx_language: str    # Sphinx's ``language`` for its site pages ("zh_CN": the theme's words, search, <html lang>)

    @property
    def html_lang(self) -> str:
        """The edition's language as HTML's ``lang`` attribute writes it ("zh-CN")."""
        return self.sphinx_language.replace("_", "-")


@cache
def _load() -> tuple[Edition, ...]:
    rows = json.loads(TABLE.read_text(encoding="utf-8"))["editions"]
    return tuple(Edition(**row) for row in rows)


EDITIONS: tuple[Edition, ...] = _load()
CODES: tuple[str, ...] = tuple(e.code for e in EDITIONS)
SOURCE: Edition = EDITIONS[0]  # the language the sources are written in; the others come from catalogs


def edition(code: str) -> Edition:
    """The edition of language ``code`` (``"zh"``, or a locale name such as ``"zh_CN.UTF-8"``)."""
    normalized = normalize(code)
    for row in EDITIONS:
        if row.code == normalized:
            return row
    raise KeyError(code)


def normalize(lang: str) -> str | None:
    """'zh_CN.UTF-8' -> 'zh'; None when ``lang`` names no edition of the course."""
    code = lang.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return code if code in CODES else None
