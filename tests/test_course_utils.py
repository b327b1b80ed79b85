"""The package's top level: set_seed, get_device, show_source, __version__, and a light import."""

import subprocess
import sys

import pytest
import torch

import course_utils as cu


def test_version_is_a_release_string():
    parts = cu.__version__.split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts)


def test_set_seed_reproduces_torch_and_python_random():
    import random

    cu.set_seed(123)
    a = (torch.rand(3), random.random())
    cu.set_seed(123)
    b = (torch.rand(3), random.random())
    assert torch.equal(a[0], b[0]) and a[1] == b[1]
    cu.set_seed(124)
    assert not torch.equal(a[0], torch.rand(3))


@pytest.mark.parametrize("bad", [1.5, "0", None, True])
def test_set_seed_rejects_non_int(bad):
    with pytest.raises(TypeError, match="seed"):
        cu.set_seed(bad)


def test_get_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert cu.get_device().type == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert cu.get_device().type == "mps"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert cu.get_device() == torch.device("cpu")


def test_show_source_returns_the_source_outside_a_notebook(capsys):
    text = cu.show_source(cu.set_seed)
    assert text.startswith("def set_seed(") and "torch.manual_seed" in text
    assert "def set_seed(" in capsys.readouterr().out


def test_show_source_highlights_in_a_notebook(monkeypatch):
    monkeypatch.setattr(cu, "_in_notebook", lambda: True)
    code = cu.show_source(cu.get_device)
    assert "get_device" in code._repr_html_()  # IPython.display.Code renders highlighted HTML


def test_show_source_explains_bad_input():
    with pytest.raises(TypeError, match="obj"):
        cu.show_source(42)


def test_import_is_light_and_lazy():
    code = (
        "import sys, course_utils as cu\n"
        "heavy = [m for m in ('matplotlib', 'ipywidgets', 'torchvision', 'sklearn') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "cu.data\n"  # a submodule loads on first use
        "assert 'course_utils.data' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="nonexistent"):
        cu.nonexistent  # noqa: B018


def test_num_threads_sets_and_restores():
    before = torch.get_num_threads()
    with cu.num_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError), cu.num_threads(1):
        raise RuntimeError("inside")
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="`n`"):
        with cu.num_threads(0):
            pass


def test_show_code_prints_outside_a_notebook_and_highlights_inside(monkeypatch, capsys):
    assert cu.show_code("x = 1") == "x = 1"
    assert capsys.readouterr().out == "x = 1\n"
    monkeypatch.setattr(cu, "_in_notebook", lambda: True)
    shown = cu.show_code("x = 1")
    assert type(shown).__name__ == "Code" and shown.data == "x = 1"
