"""The language of every sentence ``course_utils`` shows a learner: English, Simplified Chinese (``"zh"``), or any
other edition of the table of editions (``editions.json``).

Checker verdicts, hints, widget titles and control labels, the environment report, ``fit``'s progress bar and the
MNIST fallback line are written in English in the code, marked with ``_()`` (translated where it is shown),
``N_()`` (a sentence defined at import time, translated later with ``_()``) or ``ngettext(singular, plural, n)``
(a sentence with a count: the catalog's plural rule picks the form), and translated through the gettext catalog
``course_utils/locale/<lang>/LC_MESSAGES/course_utils.po``, compiled to ``course_utils.mo`` beside it
(``python -m tools.i18n compile``) and read with the standard library's :mod:`gettext`. A sentence missing from
the catalog shows in English; ``tests/test_i18n.py`` fails while any is missing or a compiled catalog is stale.

The language is chosen once: ``course_utils.set_language("zh")`` (each Chinese chapter's first cell does it), or
the environment variable ``COURSE_LANG`` (``zh``, ``zh_CN``, ``zh-CN.UTF-8`` …) before ``course_utils`` is imported.
Text drawn inside matplotlib figures (axis labels, short titles) stays English: a figure must never show empty
boxes where a computer has no Chinese font.
"""

from __future__ import annotations

import gettext as _gettext
import os
from functools import cache
from pathlib import Path

from .editions import CODES as LANGUAGES
from .editions import SOURCE
from .editions import normalize as _normalize

__all__ = ["LANGUAGES", "set_language", "get_language", "gettext", "ngettext", "_", "N_"]

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "course_utils"


_language = _normalize(os.environ.get("COURSE_LANG", "")) or SOURCE.code


def set_language(lang: str) -> None:
    """Show every message of ``course_utils`` in ``lang``: ``"en"`` (English) or ``"zh"`` (简体中文).

    Also accepts locale names such as ``"zh_CN"`` or ``"zh-CN"``. Takes effect for what is shown from now on.
    """
    global _language
    if not isinstance(lang, str) or _normalize(lang) is None:
        raise ValueError(_("`lang` must be one of {choices}; got {lang!r}").format(
            choices=", ".join(map(repr, LANGUAGES)), lang=lang))
    _language = _normalize(lang) or SOURCE.code


def get_language() -> str:
    """The language set by :func:`set_language` (or ``COURSE_LANG``): ``"en"`` or ``"zh"``."""
    return _language


def catalog_path(lang: str) -> Path:
    """The translations of ``lang`` as translators edit them (the ``.mo`` beside it is what runs)."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalog of ``lang`` (its finished entries: translated and not fuzzy), or none."""
    return _gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[lang], fallback=True)


def gettext(message: str) -> str:
    """``message`` in the current language (``message`` itself in English or when it is not translated)."""
    if _language == SOURCE.code:
        return message
    return _translations(_language).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a sentence that fits the count ``n`` (English: one / other; Chinese has one form)."""
    if _language == SOURCE.code:
        return singular if n == 1 else plural
    return _translations(_language).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now (it is defined at import time)."""
    return message
