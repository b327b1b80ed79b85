"""fit and evaluate: the same numbers as a bare PyTorch loop, plus scheduling, clipping and early stopping."""

import copy

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from course_utils.data import make_moons, make_regression
from course_utils.train import History, evaluate, fit


def _moons_loaders(n=200, batch_size=32):
    X, y = make_moons(n=n, noise=0.2, seed=0)
    train = DataLoader(TensorDataset(X[: n // 2], y[: n // 2]), batch_size=batch_size)  # no shuffle: reproducible
    val = DataLoader(TensorDataset(X[n // 2 :], y[n // 2 :]), batch_size=64)
    return train, val


def _mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))


def _bare_loop(model, loader, loss_fn, optimizer, epochs, clip=None):
    for _ in range(epochs):
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()


@pytest.mark.parametrize("clip", [None, 0.05])
def test_fit_trains_exactly_like_a_bare_loop(clip):
    train, _ = _moons_loaders()
    a, b = _mlp(), _mlp()
    fit(a, train, nn.CrossEntropyLoss(), torch.optim.SGD(a.parameters(), lr=0.1, momentum=0.9), epochs=3,
        clip_grad_norm=clip, progress=False)
    _bare_loop(b, train, nn.CrossEntropyLoss(), torch.optim.SGD(b.parameters(), lr=0.1, momentum=0.9), 3, clip)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)


def test_clipping_changes_the_result():
    train, _ = _moons_loaders()
    a, b = _mlp(), _mlp()
    fit(a, train, nn.CrossEntropyLoss(), torch.optim.SGD(a.parameters(), lr=0.5), 2, progress=False)
    fit(b, train, nn.CrossEntropyLoss(), torch.optim.SGD(b.parameters(), lr=0.5), 2, clip_grad_norm=0.01,
        progress=False)
    assert not torch.equal(a[0].weight, b[0].weight)


def test_history_records_epoch_means_and_accuracy():
    train, val = _moons_loaders()
    model = _mlp()
    loss_fn = nn.CrossEntropyLoss()
    h = fit(model, train, loss_fn, torch.optim.Adam(model.parameters(), lr=0.05), 15, val_loader=val,
            progress=False)
    assert isinstance(h, History) and len(h) == 15
    assert all(len(x) == 15 for x in (h.train_loss, h.val_loss, h.train_acc, h.val_acc, h.lr, h.epoch_time))
    assert h.train_loss[-1] < 0.5 * h.train_loss[0]
    assert h.val_acc[-1] > 0.8
    final = evaluate(model, val, loss_fn)
    assert final["loss"] == pytest.approx(h.val_loss[-1], rel=1e-6)
    assert final["accuracy"] == pytest.approx(h.val_acc[-1])
    assert "epochs=15" in repr(h) and "val_acc" in repr(h)


def test_evaluate_is_a_sample_weighted_mean_and_restores_mode():
    X, y = make_moons(n=70, seed=1)
    model = _mlp()
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(X, y), batch_size=32)  # batches of 32, 32, 6
    model.train()
    result = evaluate(model, loader, loss_fn)
    assert model.training
    with torch.no_grad():
        out = model(X)
    assert result["loss"] == pytest.approx(loss_fn(out, y).item(), rel=1e-5)
    assert result["accuracy"] == pytest.approx((out.argmax(1) == y).float().mean().item())


def test_regression_has_no_accuracy():
    X, y = make_regression(n=64, seed=0)
    model = nn.Linear(1, 1)
    loader = DataLoader(TensorDataset(X, y), batch_size=16)
    h = fit(model, loader, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.5), 30, val_loader=loader,
            progress=False)
    assert h.train_acc == [] and h.val_acc == []
    assert "accuracy" not in evaluate(model, loader, nn.MSELoss())
    assert model.weight.item() == pytest.approx(2.0, abs=0.1)  # make_regression's slope


def test_scheduler_is_stepped_once_per_epoch():
    train, _ = _moons_loaders()
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    h = fit(model, train, nn.CrossEntropyLoss(), opt, 5, scheduler=sched, progress=False)
    assert h.lr == pytest.approx([1.0, 1.0, 0.1, 0.1, 0.01])


def test_a_per_batch_scheduler_steps_after_every_update_like_a_bare_loop():
    train, _ = _moons_loaders()  # 100 points in batches of 32: 4 steps per epoch
    a, b = _mlp(), _mlp()
    opt_a, opt_b = (torch.optim.SGD(m.parameters(), lr=0.5, momentum=0.9) for m in (a, b))
    sched_a, sched_b = (torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.5, total_steps=12) for o in (opt_a, opt_b))
    h = fit(a, train, nn.CrossEntropyLoss(), opt_a, 3, scheduler=sched_a, scheduler_step="batch", progress=False)
    lrs = []
    for _ in range(3):
        lrs.append(opt_b.param_groups[0]["lr"])
        for xb, yb in train:
            loss = nn.CrossEntropyLoss()(b(xb), yb)
            opt_b.zero_grad()
            loss.backward()
            opt_b.step()
            sched_b.step()
    assert h.lr == pytest.approx(lrs) and sched_a.last_epoch == 12  # the lr each epoch started with; 12 steps
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)


def test_a_per_batch_plateau_scheduler_or_an_unknown_step_is_refused():
    train, _ = _moons_loaders()
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="scheduler_step"):
        fit(model, train, nn.CrossEntropyLoss(), opt, 1, scheduler_step="step", progress=False)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt)
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        fit(model, train, nn.CrossEntropyLoss(), opt, 1, scheduler=plateau, scheduler_step="batch", progress=False)


def test_plateau_scheduler_receives_the_monitored_loss():
    train, val = _moons_loaders()
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=1e-6)  # too small to improve: the plateau is immediate
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5, threshold=0.1)
    h = fit(model, train, nn.CrossEntropyLoss(), opt, 4, val_loader=val, scheduler=sched, progress=False)
    # epoch 1 sets the best loss; each later epoch fails to beat it by 10%, so the lr halves after it
    assert h.lr == pytest.approx([1e-6, 1e-6, 5e-7, 2.5e-7])


def test_early_stopping_restores_the_best_weights():
    X, y = make_moons(n=200, noise=0.1, seed=0)
    train = DataLoader(TensorDataset(X, y), batch_size=20)
    flipped = DataLoader(TensorDataset(X, 1 - y), batch_size=200)  # learning the task makes this loss worse
    model = _mlp()
    loss_fn = nn.CrossEntropyLoss()
    h = fit(model, train, loss_fn, torch.optim.Adam(model.parameters(), lr=0.05), 50, val_loader=flipped,
            patience=3, progress=False)
    assert h.stopped_early and len(h) == h.best_epoch + 3 < 50
    assert evaluate(model, flipped, loss_fn)["loss"] == pytest.approx(min(h.val_loss), rel=1e-6)


def test_divergence_stops_training_with_a_message(capsys):
    X, y = make_regression(n=64, seed=0)
    model = nn.Linear(1, 1)
    loader = DataLoader(TensorDataset(X, y), batch_size=16)
    h = fit(model, loader, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=50.0), 200, progress=False)
    assert h.diverged and len(h) < 200
    assert "learning rate is probably too high" in capsys.readouterr().out


def test_progress_bar_can_be_turned_off(capsys):
    train, _ = _moons_loaders()
    model = _mlp()
    fit(model, train, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), 2, progress=False)
    assert capsys.readouterr().err == ""
    fit(model, train, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), 2, progress=True)
    err = capsys.readouterr().err
    assert "epochs" in err and "2/2" in err  # outside a notebook: tqdm's text bar, ending at the last epoch


def test_an_executed_notebook_saves_the_finished_bar():
    """A notebook read without a kernel (a code host, a website) shows the bar's saved text: it must be the end."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    code = (
        "import torch\n"
        "from torch import nn\n"
        "from torch.utils.data import DataLoader, TensorDataset\n"
        "from course_utils.train import fit\n"
        "torch.manual_seed(0)\n"
        "X = torch.randn(64, 2); y = (X[:, 0] > 0).long()\n"
        "model = nn.Linear(2, 2)\n"
        "loader = DataLoader(TensorDataset(X, y), batch_size=16)\n"
        "h = fit(model, loader, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), epochs=7)\n"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    bars = [o for o in nb.cells[0].outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(bars) == 1, nb.cells[0].outputs  # one live widget bar for JupyterLab ...
    text = bars[0]["data"]["text/plain"]
    assert "100%" in text and "7/7" in text and "loss=" in text, text  # ... saved in its final state


def test_device_argument_moves_model_and_batches():
    train, _ = _moons_loaders()
    model = _mlp()
    before = copy.deepcopy(model.state_dict())
    fit(model, train, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), 1, device="cpu",
        progress=False)
    assert next(model.parameters()).device.type == "cpu"
    assert not torch.equal(before["0.weight"], model[0].weight)


@pytest.mark.parametrize(
    "kwargs, name",
    [({"epochs": 0}, "epochs"), ({"epochs": 2.5}, "epochs"), ({"patience": 0}, "patience"),
     ({"clip_grad_norm": -1.0}, "clip_grad_norm")],
)
def test_bad_arguments_are_named(kwargs, name):
    train, _ = _moons_loaders()
    model = _mlp()
    args = {"epochs": 1, **kwargs}
    with pytest.raises(ValueError, match=name):
        fit(model, train, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), progress=False,
            **args)


def test_empty_loader_is_explained():
    model = _mlp()
    empty = DataLoader(TensorDataset(torch.zeros(0, 2), torch.zeros(0, dtype=torch.long)), batch_size=4)
    with pytest.raises(ValueError, match="no batches"):
        fit(model, empty, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), 1, progress=False)
