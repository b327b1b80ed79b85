"""course_utils.optim against torch.optim: parameters and optimizer state to 1e-6 in float64 over 100 steps for a
grid of hyperparameters, schedules epoch by epoch against torch.optim.lr_scheduler, the 2-D surfaces, the widgets
of chapter 06, its exercises, and clear errors."""

import copy
import inspect
import math
import warnings

import pytest
import torch
from torch import nn
from torch.optim import lr_scheduler

from course_utils import checks, optim, widgets

# ----------------------------------------------------------------------------------------------- optimizers


def _problem(seed=0):
    """A small float64 regression MLP (two layers with biases) and its data."""
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 2)).double()
    X = torch.randn(40, 6, generator=g, dtype=torch.float64)
    y = torch.randn(40, 2, generator=g, dtype=torch.float64)
    return model, X, y


def _setup(optimizer_cls, **hp):
    model, X, y = _problem()
    return model, optimizer_cls(model.parameters(), **hp), X, y


def _step(model, opt, X, y):
    opt.zero_grad()
    nn.functional.mse_loss(model(X), y).backward()
    opt.step()


def _numeric_state(state):
    """A parameter's optimizer state without entries that hold no number: torch 2.2's SGD keeps
    ``momentum_buffer = None`` when it has no momentum, later versions leave the key out."""
    return {key: value for key, value in state.items() if value is not None}


def _assert_same_run(name, hp, steps=100):
    """Ours and torch's optimizer on the same problem: equal parameters after every step, and after the last
    one the same state entries holding equal numbers."""
    ours_model, ours, X, y = _setup(getattr(optim, name), **hp)
    torch_model, theirs, _, _ = _setup(getattr(torch.optim, name), **hp)
    for t in range(1, steps + 1):
        _step(ours_model, ours, X, y)
        _step(torch_model, theirs, X, y)
        for p, q in zip(ours_model.parameters(), torch_model.parameters()):
            torch.testing.assert_close(p, q, rtol=1e-6, atol=1e-6, msg=lambda m, t=t: f"{name}{hp}, step {t}: {m}")
    for p, q in zip(ours_model.parameters(), torch_model.parameters()):
        mine, ref = _numeric_state(ours.state[p]), _numeric_state(theirs.state[q])
        assert set(mine) == set(ref), f"{name}{hp}: state keys {sorted(mine)} vs torch's {sorted(ref)}"
        for key in ref:
            if key == "step":
                assert float(mine[key]) == float(ref[key])
            else:
                torch.testing.assert_close(mine[key], ref[key], rtol=1e-6, atol=1e-6, msg=f"{name}{hp}: {key}")


GRID = {
    "SGD": [dict(lr=0.05), dict(lr=0.05, momentum=0.9), dict(lr=0.05, momentum=0.9, dampening=0.5),
            dict(lr=0.02, momentum=0.8, nesterov=True), dict(lr=0.05, weight_decay=0.1),
            dict(lr=0.02, momentum=0.9, nesterov=True, weight_decay=0.01), dict()],
    "Adagrad": [dict(), dict(lr=0.1), dict(lr=0.1, lr_decay=0.01), dict(lr=0.05, weight_decay=0.1),
                dict(lr=0.05, initial_accumulator_value=0.5, eps=1e-6)],
    "RMSprop": [dict(), dict(lr=0.001, alpha=0.9), dict(lr=0.001, momentum=0.9), dict(lr=0.001, centered=True),
                dict(lr=0.001, momentum=0.5, centered=True, weight_decay=0.01, eps=1e-6)],
    "Adam": [dict(), dict(lr=0.01), dict(lr=0.01, betas=(0.8, 0.99)), dict(lr=0.01, weight_decay=0.1),
             dict(lr=0.01, amsgrad=True), dict(lr=0.005, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.01,
                                                  amsgrad=True)],
    "AdamW": [dict(), dict(lr=0.01), dict(lr=0.01, weight_decay=0.0), dict(lr=0.01, weight_decay=0.5),
              dict(lr=0.01, weight_decay=0.1, amsgrad=True, betas=(0.8, 0.99))],
}


@pytest.mark.parametrize("name, hp", [(name, hp) for name, grid in GRID.items() for hp in grid],
                         ids=lambda v: v if isinstance(v, str) else ",".join(f"{k}={x}" for k, x in v.items()))
def test_optimizer_equals_torch_over_100_steps(name, hp):
    _assert_same_run(name, hp)


def test_centered_rmsprop_with_momentum_equals_torch_where_the_variance_vanishes():
    """Centered RMSprop divides by √(s − ḡ²): once the gradient steadies, s − ḡ² is mostly rounding error, so
    only torch's order of operations (ḡ by ``lerp_``, then ``s.addcmul(ḡ, ḡ, value=-1).sqrt_()``, then + ε)
    reproduces its steps. On sum(w⁴) with alpha = 0.7 (a short memory, so the variance fades within the run),
    100 float64 steps equal torch's single-tensor RMSprop exactly; the former order drifted by about 1e-12."""
    def run(cls, **extra):
        w = torch.tensor([1.0, -0.5, 0.3, 0.05], dtype=torch.float64, requires_grad=True)
        opt = cls([w], lr=0.01, alpha=0.7, centered=True, momentum=0.9, **extra)
        path = []
        for _ in range(100):
            opt.zero_grad()
            (w**4).sum().backward()
            opt.step()
            path.append(w.detach().clone())
        return torch.stack(path), opt.state[w]

    ours, our_state = run(optim.RMSprop)
    theirs, their_state = run(torch.optim.RMSprop, foreach=False)  # foreach=False: torch's single-tensor path
    assert torch.isfinite(ours).all()
    torch.testing.assert_close(ours, theirs, rtol=0, atol=0)
    for key in ("square_avg", "grad_avg", "momentum_buffer"):
        torch.testing.assert_close(our_state[key], their_state[key], rtol=0, atol=0, msg=key)


@pytest.mark.parametrize("name", list(GRID))
def test_constructor_arguments_and_defaults_are_torchs(name):
    ours = inspect.signature(getattr(optim, name)).parameters
    theirs = inspect.signature(getattr(torch.optim, name)).parameters
    for arg, param in ours.items():
        assert arg in theirs, f"{name} has `{arg}`, torch's has not"
        if param.default is not inspect.Parameter.empty:
            assert param.default == theirs[arg].default, f"{name}({arg}=…) default differs from torch's"


def test_adam_defaults_are_kingma_and_ba():
    for cls in (optim.Adam, torch.optim.Adam):
        defaults = cls([torch.zeros(1, requires_grad=True)]).defaults
        assert defaults["lr"] == 1e-3 and tuple(defaults["betas"]) == (0.9, 0.999) and defaults["eps"] == 1e-8
    assert optim.AdamW([torch.zeros(1, requires_grad=True)]).defaults["weight_decay"] == 1e-2


def test_parameters_without_gradient_are_skipped_and_groups_work():
    a = torch.ones(3, requires_grad=True)
    b = torch.ones(2, requires_grad=True)
    opt = optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.sum().backward()
    opt.step()
    assert torch.allclose(a, torch.full((3,), 0.9)) and torch.equal(b, torch.ones(2)) and b not in opt.state


def test_closure_returns_the_loss():
    model, X, y = _problem()
    opt = optim.SGD(model.parameters(), lr=0.1)

    def closure():
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(X), y)
        loss.backward()
        return loss

    assert isinstance(opt.step(closure), torch.Tensor)


def test_torch_state_dict_loads_into_ours_and_runs_on_identically():
    model, X, y = _problem()
    twin, _, _ = _problem()
    theirs = torch.optim.Adam(model.parameters(), lr=0.01, amsgrad=True)

    def steps(opt, net, n):
        for _ in range(n):
            opt.zero_grad()
            nn.functional.mse_loss(net(X), y).backward()
            opt.step()

    steps(theirs, model, 10)
    twin.load_state_dict(model.state_dict())
    ours = optim.Adam(twin.parameters(), lr=0.01, amsgrad=True)
    ours.load_state_dict(copy.deepcopy(theirs.state_dict()))  # a copy: loading shares the tensors
    steps(theirs, model, 20)
    steps(ours, twin, 20)
    for p, q in zip(model.parameters(), twin.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-6, atol=1e-6)


def test_trains_a_model_with_fit():
    from course_utils.data import make_moons
    from course_utils.train import fit

    X, y = make_moons(200, noise=0.1)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    opt = optim.AdamW(model.parameters(), lr=0.02)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=15)
    history = fit(model, loader, nn.CrossEntropyLoss(), opt, 15, scheduler=sched, progress=False)
    assert history.train_loss[-1] < history.train_loss[0] and history.train_acc[-1] > 0.85
    assert history.lr == pytest.approx([optim.cosine_lr(0.02, e, 15) for e in range(15)])


def test_momentum_ema_form_equals_torch_form_with_lr_times_one_minus_beta():
    beta, lr_ema = 0.9, 0.5
    w, v = torch.tensor([-1.8, 1.2], dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
    ema_path = [w.clone()]
    for _ in range(50):
        g = torch.tensor(optim.surfaces["quadratic"].grad(*w.tolist()), dtype=torch.float64)
        v = beta * v + (1 - beta) * g
        w = w - lr_ema * v
        ema_path.append(w.clone())
    torch_path = optim.trajectory(optim.SGD, "quadratic", (-1.8, 1.2), 50, lr=lr_ema * (1 - beta), momentum=beta)
    torch.testing.assert_close(torch.stack(ema_path), torch_path, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("make, arg", [
    (lambda p: optim.SGD(p, lr=-1), "`lr`"),
    (lambda p: optim.SGD(p, momentum=-0.5), "`momentum`"),
    (lambda p: optim.SGD(p, weight_decay=-1), "`weight_decay`"),
    (lambda p: optim.SGD(p, nesterov=True), "`nesterov=True`"),
    (lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True), "`dampening`"),
    (lambda p: optim.Adagrad(p, lr_decay=-1), "`lr_decay`"),
    (lambda p: optim.Adagrad(p, initial_accumulator_value=-1), "`initial_accumulator_value`"),
    (lambda p: optim.Adagrad(p, eps=-1), "`eps`"),
    (lambda p: optim.RMSprop(p, alpha=1.0), "`alpha`"),
    (lambda p: optim.RMSprop(p, momentum=-1), "`momentum`"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.999)), "`betas[0]`"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "`betas[1]`"),
    (lambda p: optim.Adam(p, betas=0.9), "`betas`"),
    (lambda p: optim.AdamW(p, weight_decay=-0.1), "`weight_decay`"),
    (lambda p: optim.AdamW(p, lr="fast"), "`lr`"),
])
def test_bad_optimizer_arguments_raise_value_error_naming_them(make, arg):
    with pytest.raises(ValueError, match=arg.replace("[", r"\[").replace("]", r"\]")):
        make([torch.zeros(2, requires_grad=True)])


# ------------------------------------------------------------------------------------------------ schedules


def _torch_lrs(make, epochs, base_lr=0.1):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    scheduler = make(opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return lrs


SCHEDULES = [
    ("step", lambda o: lr_scheduler.StepLR(o, 7), lambda e: optim.step_lr(0.1, e, 7)),
    ("step gamma", lambda o: lr_scheduler.StepLR(o, 3, 0.5), lambda e: optim.step_lr(0.1, e, 3, 0.5)),
    ("multistep", lambda o: lr_scheduler.MultiStepLR(o, [5, 20, 33]), lambda e: optim.multistep_lr(0.1, e, [5, 20, 33])),
    ("multistep repeated", lambda o: lr_scheduler.MultiStepLR(o, [10, 10, 30], 0.3),
     lambda e: optim.multistep_lr(0.1, e, [10, 10, 30], 0.3)),
    ("exponential", lambda o: lr_scheduler.ExponentialLR(o, 0.93), lambda e: optim.exponential_lr(0.1, e, 0.93)),
    ("cosine", lambda o: lr_scheduler.CosineAnnealingLR(o, 17), lambda e: optim.cosine_lr(0.1, e, 17)),
    ("cosine eta_min past T_max", lambda o: lr_scheduler.CosineAnnealingLR(o, 10, 0.01),
     lambda e: optim.cosine_lr(0.1, e, 10, 0.01)),
    ("linear warm-up", lambda o: lr_scheduler.LinearLR(o, 0.1, 1.0, 8), lambda e: optim.linear_warmup_lr(0.1, e, 8, 0.1)),
    ("linear warm-up default", lambda o: lr_scheduler.LinearLR(o, total_iters=5),
     lambda e: optim.linear_warmup_lr(0.1, e, 5)),
    ("warm-up then cosine", lambda o: lr_scheduler.SequentialLR(
        o, [lr_scheduler.LinearLR(o, 0.25, 1.0, 6), lr_scheduler.CosineAnnealingLR(o, 30, 0.001)], milestones=[6]),
     lambda e: optim.warmup_cosine_lr(0.1, e, 6, 30, 0.001, 0.25)),
]


@pytest.mark.parametrize("name, make, ours", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_schedule_equals_torch_epoch_by_epoch(name, make, ours):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SequentialLR's deprecation chatter
        theirs = _torch_lrs(make, 60)
    assert [ours(e) for e in range(60)] == pytest.approx(theirs, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("call, arg", [
    (lambda: optim.step_lr(0.1, -1, 5), "`epoch`"),
    (lambda: optim.step_lr(0.1, 1.5, 5), "`epoch`"),
    (lambda: optim.step_lr(0.1, 3, 0), "`step_size`"),
    (lambda: optim.step_lr(-0.1, 3, 2), "`base_lr`"),
    (lambda: optim.step_lr(0.1, 3, 2, gamma=0), "`gamma`"),
    (lambda: optim.multistep_lr(0.1, 3, [10, 5]), "`milestones`"),
    (lambda: optim.multistep_lr(0.1, 3, 10), "`milestones`"),
    (lambda: optim.exponential_lr(0.1, 3, -0.9), "`gamma`"),
    (lambda: optim.cosine_lr(0.1, 3, 0), "`T_max`"),
    (lambda: optim.cosine_lr(0.1, 3, 10, eta_min=-1), "`eta_min`"),
    (lambda: optim.linear_warmup_lr(0.1, 3, 0), "`warmup_epochs`"),
    (lambda: optim.linear_warmup_lr(0.1, 3, 5, start_factor=0), "`start_factor`"),
    (lambda: optim.warmup_cosine_lr(0.1, 3, 5, T_max=-2), "`T_max`"),
])
def test_bad_schedule_arguments_raise_value_error_naming_them(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()


# ------------------------------------------------------------------------------------- surfaces, trajectories


@pytest.mark.parametrize("name", list(optim.surfaces))
def test_surface_gradients_by_hand_equal_autograd_and_minima_are_minima(name):
    s = optim.surfaces[name]
    points = torch.rand(20, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(5)) * 4 - 2
    for x, y in points.tolist():
        p = torch.tensor([x, y], dtype=torch.float64, requires_grad=True)
        s(p[0], p[1]).backward()
        torch.testing.assert_close(p.grad, torch.tensor(s.grad(x, y), dtype=torch.float64))
    for mx, my in s.minima:
        assert max(abs(v) for v in s.grad(mx, my)) < 1e-5
        assert s(torch.tensor(mx, dtype=torch.float64), torch.tensor(my, dtype=torch.float64)).item() == \
            pytest.approx(s.f_min, abs=1e-9)
    X, Y, Z = s.grid(50)
    assert Z.min().item() >= s.f_min - 1e-9 and X.shape == Y.shape == Z.shape == (50, 50)


def test_trajectory_runs_any_optimizer_class_and_stops_when_it_blows_up():
    ours = optim.trajectory(optim.Adam, "rosenbrock", steps=60, lr=0.05)
    theirs = optim.trajectory(torch.optim.Adam, "rosenbrock", steps=60, lr=0.05)
    assert ours.shape == (61, 2) and ours.dtype == torch.float64
    torch.testing.assert_close(ours, theirs)
    assert ours[0].tolist() == list(optim.surfaces["rosenbrock"].start)
    blown_up = optim.trajectory(optim.SGD, "quadratic", start=(1.0, 1.0), steps=500, lr=1.5)
    assert len(blown_up) < 501 and torch.isfinite(blown_up).all()
    assert blown_up.abs().max() <= 1e6  # the path stops before the first point beyond 1e6 in size


def test_trajectory_with_autograd_equals_the_hand_written_gradient():
    s = optim.surfaces["himmelblau"]
    no_grad = optim.Surface("himmelblau, autograd", s.f, s.start, s.minima)
    torch.testing.assert_close(optim.trajectory(optim.RMSprop, no_grad, steps=40, lr=0.01),
                               optim.trajectory(optim.RMSprop, s, steps=40, lr=0.01))


def test_trajectory_arguments():
    with pytest.raises(ValueError, match="`surface`"):
        optim.trajectory(optim.SGD, "banana")
    with pytest.raises(ValueError, match="`steps`"):
        optim.trajectory(optim.SGD, "saddle", steps=-1)
    with pytest.raises(ValueError, match="`start`"):
        optim.trajectory(optim.SGD, "saddle", start=(1.0,))
    assert optim.trajectory(optim.SGD, "saddle", steps=0).shape == (1, 2)


# ------------------------------------------------------------------------------------------------- widgets


def test_optimizer_race_draws_the_real_trajectories():
    w = widgets.optimizer_race()
    w.controls["lr"].value = 0.02
    w.controls["steps"].value = 50
    fig = w.draw(**w.values())
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    want = optim.trajectory(optim.Adam, "rosenbrock", start=optim.surfaces["rosenbrock"].start, steps=50,
                            lr=w.controls["lr"].value, betas=(0.9, 0.999))
    torch.testing.assert_close(torch.as_tensor(lines["Adam"].get_xydata()), want)
    assert w.last_error is None and w.renders == 3


def test_optimizer_race_moves_the_start_with_the_surface_in_one_redraw():
    w = widgets.optimizer_race()
    renders = w.renders
    w.controls["surface"].value = "saddle"
    assert (w.controls["x0"].value, w.controls["y0"].value) == optim.surfaces["saddle"].start
    assert w.renders == renders + 1 and w.last_error is None
    w.controls["x0"].value = 1.0  # the start sliders still redraw afterwards
    assert w.renders == renders + 2


def test_optimizer_race_names_the_paths_that_blow_up():
    """A path stopped by optim.walk's rule (a coordinate beyond 1e6) "blew up"; "diverged" is kept for NaN/inf."""
    w = widgets.optimizer_race()
    w.controls["surface"].value = "quadratic"
    w.controls["lr"].value = 1.0
    title = w.draw(**w.values()).axes[1].get_title()
    assert title == "blew up: Nesterov" and w.last_error is None
    w.controls["lr"].value = 0.01
    assert w.draw(**w.values()).axes[1].get_title() == "distance to the lowest value"


def test_schedule_explorer_draws_the_schedules():
    w = widgets.schedule_explorer()
    w.controls["epochs"].value = 40
    w.controls["step_size"].value = 10
    fig = w.draw(**w.values())
    step = {line.get_label(): line for line in fig.axes[0].get_lines()}["StepLR"]
    assert list(step.get_ydata()) == pytest.approx([optim.step_lr(0.1, e, 10, 0.1) for e in range(41)])


# ----------------------------------------------------------------------------------------------- exercises


def test_optim_checkers_catch_typical_mistakes(capsys):
    def ema_momentum(w, g, v, lr, momentum):
        v = momentum * v + (1 - momentum) * g
        return w - lr * v, v

    def old_v(w, g, v, lr, momentum):
        return w - lr * v, momentum * v + g

    def no_bias_correction(w, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g * g
        return w - lr * m / (v.sqrt() + eps), m, v

    def eps_inside(w, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g * g
        m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
        return w - lr * m_hat / (v_hat + eps).sqrt(), m, v

    def cosine_from_zero(base_lr, epoch, warmup_epochs, T_max):
        if epoch < warmup_epochs:
            return base_lr * (1 / 3 + (2 / 3) * epoch / warmup_epochs)
        return base_lr * (1 + math.cos(math.pi * epoch / T_max)) / 2

    wrong = [("sgd_momentum_step", ema_momentum), ("sgd_momentum_step", old_v),
             ("adam_step", no_bias_correction), ("adam_step", eps_inside), ("warmup_cosine", cosine_from_zero),
             ("warmup_cosine", lambda base_lr, epoch, w, T: base_lr)]
    for name, answer in wrong:
        assert checks.check(name, answer).status == "wrong", name
    out = capsys.readouterr().out
    assert out.count("❌") == len(wrong) and "Traceback" not in out
    for name in ("sgd_momentum_step", "adam_step", "warmup_cosine"):
        assert checks.check(name, checks._core._REGISTRY[name].solution)
        assert checks.check(name, lambda *a, **k: (_ for _ in ()).throw(NotImplementedError)).status == \
            "not attempted"


def test_walk_steps_through_the_public_step_so_hooks_run():
    """walk() calls optimizer.step() itself (not the function underneath torch's wrapper): hooks see every step."""
    from torch.optim.optimizer import register_optimizer_step_post_hook

    calls = []
    handle = register_optimizer_step_post_hook(lambda opt, args, kwargs: calls.append(type(opt).__name__))
    try:
        points = optim.trajectory(torch.optim.Adam, "quadratic", steps=5, lr=0.1)
    finally:
        handle.remove()
    assert len(points) == 6 and calls == ["Adam"] * 5


def test_optimizer_race_keeps_every_default_path_in_its_frame_and_names_cut_ones():
    from course_utils.widgets.optim import RACE_FRAMES

    w = widgets.optimizer_race()
    w.controls["steps"].value = 200
    for lr in (0.01, 0.05, 0.1):
        w.controls["lr"].value = lr
        for surface in optim.surfaces:
            w.controls["surface"].value = surface
            fig = w.draw(**w.values())
            (x0, x1), (y0, y1) = RACE_FRAMES[surface]
            paths = [line for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")]
            assert len(paths) == 6
            for line in paths:
                xy = torch.as_tensor(line.get_xydata())
                assert ((xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)).all(), \
                    (surface, lr, line.get_label())
            assert "cut" not in fig.axes[0].get_title()
    w.controls["surface"].value = "rosenbrock"
    assert (w.controls["y0"].min, w.controls["y0"].max) == RACE_FRAMES["rosenbrock"][1]
    w.controls["lr"].value = 0.4
    assert "cut at the frame" in w.draw(**w.values()).axes[0].get_title()


def test_optimizer_race_loss_range_fits_the_curves_in_whole_decades():
    w = widgets.optimizer_race()
    fig = w.draw(**w.values())
    lo, hi = fig.axes[1].get_ylim()
    gaps = torch.cat([torch.as_tensor(line.get_ydata()) for line in fig.axes[1].get_lines()])
    assert lo <= gaps.min() and gaps.max() <= hi and hi / lo >= 100
    assert math.log10(lo).is_integer() and math.log10(hi).is_integer()
    assert hi / lo < 1e8  # not the whole 1e-12 … 1e4: the curves fill the panel
