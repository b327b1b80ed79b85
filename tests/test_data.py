"""Toy data sets, the bundled digits, and MNIST with its offline fallback."""

import gzip
import struct

import pytest
import torch

from course_utils import data

MAKERS = {
    "xor": data.make_xor,
    "moons": data.make_moons,
    "circles": data.make_circles,
    "spirals": data.make_spirals,
    "blobs": data.make_blobs,
}


@pytest.mark.parametrize("name", MAKERS)
def test_toy_sets_have_the_promised_shapes_and_dtypes(name):
    X, y = MAKERS[name](n=101, seed=3)
    assert X.shape == (101, 2) and X.dtype == torch.float32
    assert y.shape == (101,) and y.dtype == torch.int64
    assert torch.isfinite(X).all()
    assert y.min() == 0 and y.max() >= 1  # at least two classes present


@pytest.mark.parametrize("name", MAKERS)
def test_toy_sets_are_seeded_and_ignore_global_state(name):
    torch.manual_seed(1)
    a = MAKERS[name](n=50, seed=7)
    torch.manual_seed(2)
    b = MAKERS[name](n=50, seed=7)
    c = MAKERS[name](n=50, seed=8)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], c[0])


@pytest.mark.parametrize("name", MAKERS)
@pytest.mark.parametrize("bad", [{"n": 0}, {"n": -5}, {"n": 2.5}, {"noise": -0.1}, {"noise": float("nan")}])
def test_toy_sets_reject_bad_arguments_by_name(name, bad):
    arg = next(iter(bad))
    with pytest.raises(ValueError, match=f"`{arg}`"):
        MAKERS[name](**bad)


def test_xor_labels_follow_the_sign_rule_without_noise():
    X, y = data.make_xor(n=200, noise=0.0)
    assert torch.equal(y, (X[:, 0] * X[:, 1] < 0).long())


def test_moons_and_circles_geometry_without_noise():
    X, y = data.make_circles(n=200, noise=0.0, factor=0.4)
    r = X.norm(dim=1)
    assert torch.allclose(r[y == 0], torch.ones(100)) and torch.allclose(r[y == 1], torch.full((100,), 0.4))
    X, y = data.make_moons(n=100, noise=0.0)
    upper = X[y == 0]
    assert torch.allclose(upper.norm(dim=1), torch.ones(50), atol=1e-6)
    with pytest.raises(ValueError, match="factor"):
        data.make_circles(factor=1.5)


def test_spirals_has_balanced_classes():
    _, y = data.make_spirals(n=300, classes=3)
    assert torch.bincount(y).tolist() == [100, 100, 100]


def test_regression_recovers_its_line_and_places_outliers():
    X, y, w, b = data.make_regression(n=500, n_features=2, noise=0.0, return_coef=True)
    assert X.shape == (500, 2) and y.shape == (500, 1) and y.dtype == torch.float32
    assert torch.allclose(y.squeeze(1), X @ w + b, atol=1e-5)
    Xo, yo = data.make_regression(n=200, noise=0.0, outliers=0.1, seed=1)
    residual = (yo.squeeze(1) - (Xo @ torch.full((1,), 2.0) + 0.5)).abs()
    assert int((residual > 4).sum()) == 20
    with pytest.raises(ValueError, match="outliers"):
        data.make_regression(outliers=1.0)


def test_load_digits_splits_and_resizes():
    X, y = data.load_digits()
    assert X.shape == (1797, 1, 8, 8) and y.shape == (1797,)
    assert 0.0 <= X.min() and X.max() <= 1.0
    Xtr, ytr = data.load_digits("train", resize=28)
    Xte, yte = data.load_digits("test", resize=28)
    assert Xtr.shape[1:] == (1, 28, 28) and len(Xtr) + len(Xte) == 1797
    assert len(Xte) == round(0.2 * 1797)
    assert 0.0 <= Xtr.min() and Xtr.max() <= 1.0
    with pytest.raises(ValueError, match="split"):
        data.load_digits("validation")


def test_data_dir_follows_argument_then_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert data.data_dir() == tmp_path
    assert data.data_dir("elsewhere").name == "elsewhere"
    monkeypatch.delenv("COURSE_DATA_DIR")
    assert data.data_dir().name == "data"


def test_load_mnist_falls_back_to_digits_when_offline(monkeypatch, tmp_path, capsys):
    def no_network(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(data, "_download_mnist", no_network)
    ds = data.load_mnist(root=tmp_path, train=False)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "MNIST not found" in out and "download failed: OSError" in out
    assert isinstance(ds, data.DigitsAsMNIST) and len(ds) == round(0.2 * 1797)
    img, label = ds[0]
    assert img.size == (28, 28) and img.mode == "L" and 0 <= label <= 9


def test_load_mnist_fallback_applies_the_transform(tmp_path, capsys):
    from torchvision import transforms

    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    ds = data.load_mnist(root=tmp_path, download=False, transform=tf)
    assert "download=False" in capsys.readouterr().out
    x, _ = ds[3]
    assert x.shape == (1, 28, 28) and x.dtype == torch.float32
    assert x.min() == pytest.approx(-0.1307 / 0.3081, abs=1e-5)


def test_load_mnist_rejects_a_split_name():
    with pytest.raises(ValueError, match="train"):
        data.load_mnist(train="test")


def _write_idx(path, array, magic):
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape))
        f.write(array.numpy().tobytes())


def test_load_mnist_reads_real_mnist_files_when_present(tmp_path, capsys):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images = torch.randint(0, 256, (5, 28, 28), dtype=torch.uint8)
    labels = torch.tensor([3, 1, 4, 1, 5], dtype=torch.uint8)
    for prefix in ("train", "t10k"):
        _write_idx(raw / f"{prefix}-images-idx3-ubyte.gz", images, 2051)
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte.gz", labels, 2049)
        for name in (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"):
            (raw / name).write_bytes(gzip.open(raw / f"{name}.gz").read())
    ds = data.load_mnist(root=tmp_path, download=False)
    assert capsys.readouterr().out == ""  # no fallback message
    assert len(ds) == 5 and ds.targets.tolist() == [3, 1, 4, 1, 5]
    assert torch.equal(ds.data, images)
