"""course_utils: the small helper package behind the course's notebooks.

One module per concept (``data``, ``train``, ``activations``, ``autograd``, ``init``, ``losses``, ``optim``,
``regularization``, ``models``, ``checks``, ``plot``, ``widgets``). Submodules are imported on first use, so
``import course_utils`` stays fast and pulls in neither matplotlib, ipywidgets nor torchvision.

The language of every message it shows is English unless ``set_language("zh")`` (or ``COURSE_LANG=zh``) asks for
Simplified Chinese; see :mod:`course_utils.i18n`.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import pkgutil
import random
import textwrap
from collections.abc import Iterator
from typing import Any

import torch

__version__ = "0.1.0"

from .i18n import _, get_language, set_language

__all__ = ["set_seed", "get_device", "show_source", "show_code", "num_threads", "set_language", "get_language",
           "__version__"]

# Every module of the package, found on disk so a new concept module needs no edit here.
_SUBMODULES = {m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")}


def __getattr__(name: str) -> Any:
    """Import a submodule lazily the first time ``course_utils.<name>`` is used."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(_("module 'course_utils' has no attribute {name!r}").format(name=name))


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES)


def set_seed(seed: int = 0) -> None:
    """Seed Python's, NumPy's (if installed) and PyTorch's random generators (CPU and every GPU).

    Call it at the top of a notebook and before anything random you want to reproduce exactly.
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(_("`seed` must be an int; got {type}").format(type=type(seed).__name__))
    random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy comes with torch's usual installs
        pass
    else:
        np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device


def get_device() -> torch.device:
    """The best device available: CUDA GPU, then Apple-silicon MPS, then the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


@contextlib.contextmanager
def num_threads(n: int) -> Iterator[None]:
    """Run torch on ``n`` CPU threads inside the ``with`` block, then restore the previous count.

    Networks as small as most of this course's train fastest on one thread: more threads spend longer
    coordinating than computing (much longer on a busy machine).
    """
    from .validation import integer

    integer(n, "n", min=1)
    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


def show_source(obj: Any) -> Any:
    """Show the source code of a function, class or module, syntax-highlighted in a notebook.

    Returns an ``IPython.display.Code`` object in a notebook (it renders as highlighted code when it is the
    last expression of a cell); elsewhere prints the source and returns it as a string.
    """
    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as exc:
        raise TypeError(_("`obj` must be a Python function, class or module with source code; got {obj!r} ({error})")
                        .format(obj=obj, error=exc)) from None
    return show_code(textwrap.dedent(source))


def show_code(text: str) -> Any:
    """Show Python code: an ``IPython.display.Code`` (highlighted) in a notebook, else print and return ``text``."""
    if _in_notebook():
        from IPython.display import Code

        return Code(text, language="python")
    print(text)
    return text
