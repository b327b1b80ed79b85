"""course_utils.init against torch.nn.init: the same numbers for the same random state, the right statistics,
gains and fans; and layer_stats against statistics computed by hand."""

import math

import pytest
import torch
from torch import nn

from course_utils import init
from course_utils.checks import init as init_checks

NONLINEARITIES = [
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "sigmoid", "tanh", "relu", "leaky_relu", "selu",
]
SHAPES = [(300, 200), (64, 32, 3, 3), (10, 7, 5), (2, 3, 4, 5, 6), (1, 1)]


# ------------------------------------------------------------------------------------------- gains and fans


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_calculate_gain_matches_torch(nonlinearity):
    assert init.calculate_gain(nonlinearity) == nn.init.calculate_gain(nonlinearity)


@pytest.mark.parametrize("slope", [None, 0, 0.01, 0.2, 1, 3.5])
def test_leaky_relu_gain_matches_torch(slope):
    assert init.calculate_gain("leaky_relu", slope) == nn.init.calculate_gain("leaky_relu", slope)


def test_gain_values():
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("leaky_relu", 0) == math.sqrt(2)  # slope 0 is a ReLU
    assert init.calculate_gain("leaky_relu", 1) == 1.0  # slope 1 is the identity


def test_gain_errors():
    with pytest.raises(ValueError, match="nonlinearity.*'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="param"):
        init.calculate_gain("leaky_relu", True)
    with pytest.raises(ValueError, match="param"):
        init.calculate_gain("leaky_relu", "0.1")


@pytest.mark.parametrize("shape", SHAPES)
def test_fans_match_torch(shape):
    w = torch.empty(shape)
    assert init.fan_in_and_fan_out(w) == nn.init._calculate_fan_in_and_fan_out(w)


def test_fans_of_linear_and_conv_weights():
    assert init.fan_in_and_fan_out(nn.Linear(20, 30).weight) == (20, 30)  # weight is (out, in)
    assert init.fan_in_and_fan_out(nn.Conv2d(3, 16, kernel_size=5).weight) == (3 * 25, 16 * 25)
    assert init.fan_in_and_fan_out(nn.Conv1d(4, 8, kernel_size=3).weight) == (12, 24)


# ---------------------------------------------------------------------- the same numbers as torch.nn.init


def _pairs():
    """(ours, torch's, kwargs): every initialiser with a few argument combinations."""
    return [
        (init.uniform_, nn.init.uniform_, {}),
        (init.uniform_, nn.init.uniform_, {"a": -2.0, "b": 3.0}),
        (init.normal_, nn.init.normal_, {}),
        (init.normal_, nn.init.normal_, {"mean": 1.5, "std": 0.3}),
        (init.xavier_uniform_, nn.init.xavier_uniform_, {}),
        (init.xavier_uniform_, nn.init.xavier_uniform_, {"gain": 5 / 3}),
        (init.xavier_normal_, nn.init.xavier_normal_, {}),
        (init.xavier_normal_, nn.init.xavier_normal_, {"gain": math.sqrt(2)}),
        (init.kaiming_uniform_, nn.init.kaiming_uniform_, {}),
        (init.kaiming_uniform_, nn.init.kaiming_uniform_, {"a": math.sqrt(5)}),  # nn.Linear's default
        (init.kaiming_uniform_, nn.init.kaiming_uniform_, {"mode": "fan_out", "nonlinearity": "relu"}),
        (init.kaiming_normal_, nn.init.kaiming_normal_, {}),
        (init.kaiming_normal_, nn.init.kaiming_normal_, {"a": 0.2, "mode": "fan_out"}),
        (init.kaiming_normal_, nn.init.kaiming_normal_, {"nonlinearity": "tanh"}),
    ]


def _id(pair):
    ours, _, kwargs = pair
    return ours.__name__ + "".join(f"-{k}={v}" for k, v in kwargs.items())


@pytest.mark.parametrize("pair", _pairs(), ids=[_id(p) for p in _pairs()])
@pytest.mark.parametrize("shape", [(300, 200), (64, 32, 3, 3)])
def test_bitwise_equal_to_torch_with_a_generator(pair, shape):
    ours, theirs, kwargs = pair
    a, b = torch.empty(shape), torch.empty(shape)
    ours(a, **kwargs, generator=torch.Generator().manual_seed(123))
    theirs(b, **kwargs, generator=torch.Generator().manual_seed(123))
    assert torch.equal(a, b)


@pytest.mark.parametrize("pair", _pairs(), ids=[_id(p) for p in _pairs()])
def test_bitwise_equal_to_torch_with_manual_seed(pair):
    ours, theirs, kwargs = pair
    a, b = torch.empty(50, 40), torch.empty(50, 40)
    torch.manual_seed(7)
    ours(a, **kwargs)
    torch.manual_seed(7)
    theirs(b, **kwargs)
    assert torch.equal(a, b)


def test_reinitialises_nn_linear_exactly_like_torch():
    torch.manual_seed(0)
    ours, theirs = nn.Linear(30, 20), nn.Linear(30, 20)
    init.kaiming_uniform_(ours.weight, a=math.sqrt(5), generator=torch.Generator().manual_seed(1))
    nn.init.kaiming_uniform_(theirs.weight, a=math.sqrt(5), generator=torch.Generator().manual_seed(1))
    assert torch.equal(ours.weight, theirs.weight)


# ------------------------------------------------------------------------------ statistics against theory


def _big(seed=0):
    return torch.empty(1000, 1000), torch.Generator().manual_seed(seed)


def test_uniform_statistics():
    w, g = _big()
    init.uniform_(w, -2.0, 3.0, generator=g)
    assert w.min() >= -2.0 and w.max() <= 3.0
    assert w.min() < -1.99 and w.max() > 2.99  # a million samples fill the interval
    assert w.mean().item() == pytest.approx(0.5, abs=0.01)
    assert w.std().item() == pytest.approx(5 / math.sqrt(12), rel=0.02)


def test_normal_statistics():
    w, g = _big()
    init.normal_(w, mean=1.0, std=0.5, generator=g)
    assert w.mean().item() == pytest.approx(1.0, abs=0.005)
    assert w.std().item() == pytest.approx(0.5, rel=0.02)


@pytest.mark.parametrize("gain", [1.0, 5 / 3])
def test_xavier_uniform_statistics(gain):
    w, g = torch.empty(1000, 500), torch.Generator().manual_seed(0)
    init.xavier_uniform_(w, gain=gain, generator=g)
    bound = gain * math.sqrt(6 / (500 + 1000))
    assert w.abs().max() <= bound
    assert w.abs().max() > 0.99 * bound
    assert w.std().item() == pytest.approx(gain * math.sqrt(2 / 1500), rel=0.02)  # bound / sqrt(3)


def test_xavier_normal_statistics():
    w, g = torch.empty(1000, 500), torch.Generator().manual_seed(0)
    init.xavier_normal_(w, gain=2.0, generator=g)
    assert w.mean().item() == pytest.approx(0.0, abs=1e-3)
    assert w.std().item() == pytest.approx(2.0 * math.sqrt(2 / 1500), rel=0.02)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity,a", [("relu", 0), ("leaky_relu", 0.2), ("tanh", 0)])
def test_kaiming_uniform_statistics(mode, nonlinearity, a):
    w, g = torch.empty(1000, 500), torch.Generator().manual_seed(0)
    init.kaiming_uniform_(w, a=a, mode=mode, nonlinearity=nonlinearity, generator=g)
    fan = 500 if mode == "fan_in" else 1000
    gain = nn.init.calculate_gain(nonlinearity, a)
    bound = gain * math.sqrt(3 / fan)
    assert w.abs().max() <= bound
    assert w.abs().max() > 0.99 * bound
    assert w.std().item() == pytest.approx(gain / math.sqrt(fan), rel=0.02)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_normal_statistics_on_a_conv_weight(mode):
    w, g = torch.empty(256, 128, 3, 3), torch.Generator().manual_seed(0)  # about 300k numbers
    init.kaiming_normal_(w, mode=mode, nonlinearity="relu", generator=g)
    fan = 128 * 9 if mode == "fan_in" else 256 * 9
    assert w.mean().item() == pytest.approx(0.0, abs=1e-3)
    assert w.std().item() == pytest.approx(math.sqrt(2 / fan), rel=0.02)


def test_kaiming_keeps_the_relu_activation_scale_over_depth():
    def second_moment_after(init_fn, depth=10, width=1024):
        g = torch.Generator().manual_seed(0)
        h = torch.randn(500, width, generator=torch.Generator().manual_seed(1))  # not the weights' stream
        for _ in range(depth):
            h = torch.relu(h @ init_fn(torch.empty(width, width), generator=g).T)
        return h.pow(2).mean().item()

    # E[h^2] stays near E[x^2] = 1 through 10 ReLU layers (a finite network drifts a little) ...
    assert 0.5 < second_moment_after(lambda w, generator: init.kaiming_normal_(w, generator=generator)) < 2
    # ... while N(0, 0.01^2) weights shrink it by (1024 * 0.01^2 / 2)^10, about 1e-13
    assert second_moment_after(lambda w, generator: init.normal_(w, std=0.01, generator=generator)) < 1e-10


# ------------------------------------------------------------------------------ in place, errors, edge cases


@pytest.mark.parametrize("fn", [
    init.uniform_, init.normal_, init.xavier_uniform_, init.xavier_normal_, init.kaiming_uniform_,
    init.kaiming_normal_,
])
def test_in_place_returns_the_same_tensor_even_for_a_parameter(fn):
    layer = nn.Linear(8, 4)
    before, ptr = layer.weight.detach().clone(), layer.weight.data_ptr()
    out = fn(layer.weight)
    assert out is layer.weight and out.data_ptr() == ptr  # the same tensor, the same memory
    assert not torch.equal(layer.weight, before)
    assert layer.weight.requires_grad and layer.weight.grad_fn is None  # filled under no_grad, still a leaf


@pytest.mark.parametrize("fn", [init.xavier_uniform_, init.xavier_normal_, init.kaiming_uniform_, init.kaiming_normal_])
def test_fan_based_init_rejects_a_1d_tensor(fn):
    with pytest.raises(ValueError, match=r"`tensor`.*\(5,\)"):
        fn(torch.empty(5))


def test_fans_reject_a_scalar():
    with pytest.raises(ValueError, match=r"`tensor`.*\(\)"):
        init.fan_in_and_fan_out(torch.tensor(1.0))


@pytest.mark.parametrize("fn", [init.kaiming_uniform_, init.kaiming_normal_])
def test_kaiming_errors(fn):
    with pytest.raises(ValueError, match="mode.*'fan_avg'"):
        fn(torch.empty(3, 4), mode="fan_avg")
    with pytest.raises(ValueError, match="nonlinearity.*'swish'"):
        fn(torch.empty(3, 4), nonlinearity="swish")


def test_kaiming_mode_is_case_insensitive_like_torch():
    a, b = torch.empty(30, 20), torch.empty(30, 20)
    init.kaiming_normal_(a, mode="FAN_OUT", generator=torch.Generator().manual_seed(0))
    nn.init.kaiming_normal_(b, mode="fan_out", generator=torch.Generator().manual_seed(0))
    assert torch.equal(a, b)


def test_kaiming_on_an_empty_tensor_is_a_no_op():
    w = torch.empty(0, 3)
    assert init.kaiming_uniform_(w) is w
    assert init.kaiming_normal_(w) is w


# --------------------------------------------------------------------------------------------- layer_stats


def _mlp():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 12), nn.ReLU(), nn.Linear(12, 3), nn.Sigmoid()
    )


def _by_hand(model, x, loss_fn=None):
    """Every layer's output, with its gradient, computed without hooks."""
    outs, h = [], x
    for layer in model:
        h = layer(h)
        h.retain_grad()
        outs.append(h)
    loss = loss_fn(h) if loss_fn else h.pow(2).mean()
    grads = torch.autograd.grad(loss, outs)
    return [o.detach() for o in outs], grads


def test_layer_stats_equals_statistics_by_hand():
    model, x = _mlp(), torch.randn(64, 6)
    stats = init.layer_stats(model, x)
    outs, grads = _by_hand(model, x)
    assert [s["name"] for s in stats] == ["0", "1", "2", "3", "4", "5"]
    assert [s["type"] for s in stats] == ["Linear", "Tanh", "Linear", "ReLU", "Linear", "Sigmoid"]
    for s, y, g in zip(stats, outs, grads):
        assert s["shape"] == tuple(y.shape)
        assert s["mean"] == pytest.approx(y.mean().item(), rel=1e-5, abs=1e-7)
        assert s["std"] == pytest.approx(y.std().item(), rel=1e-5)
        assert s["grad_std"] == pytest.approx(g.std().item(), rel=1e-5)
    tanh_out, relu_out, sigmoid_out = outs[1], outs[3], outs[5]
    assert stats[1]["saturated"] == pytest.approx((tanh_out.abs() > 0.97).float().mean().item())
    assert stats[5]["saturated"] == pytest.approx(((sigmoid_out < 0.03) | (sigmoid_out > 0.97)).float().mean().item())
    assert stats[3]["dead"] == pytest.approx((relu_out == 0).all(dim=0).float().mean().item())
    for i in (0, 2, 4):
        assert stats[i]["saturated"] is None and stats[i]["dead"] is None


def test_layer_stats_with_a_loss_fn():
    model, x = _mlp(), torch.randn(32, 6)
    stats = init.layer_stats(model, x, loss_fn=lambda out: out.sum())
    _, grads = _by_hand(model, x, loss_fn=lambda out: out.sum())
    assert stats[-1]["grad_std"] == 0.0  # d(sum)/d(out) is all ones
    for s, g in zip(stats, grads):
        assert s["grad_std"] == pytest.approx(g.std().item(), rel=1e-5, abs=1e-9)


def test_a_relu_layer_with_bias_minus_100_is_all_dead():
    model = _mlp()
    with torch.no_grad():
        model[2].bias.fill_(-100.0)
    stats = init.layer_stats(model, torch.randn(64, 6))
    assert stats[3]["dead"] == 1.0
    assert stats[3]["mean"] == 0.0 and stats[3]["std"] == 0.0
    assert stats[2]["grad_std"] == 0.0  # no gradient gets back through a dead ReLU
    assert stats[0]["grad_std"] == 0.0


def test_tanh_with_huge_weights_saturates():
    model = _mlp()
    with torch.no_grad():
        model[0].weight.mul_(1000.0)
    stats = init.layer_stats(model, torch.randn(256, 6))
    assert stats[1]["saturated"] > 0.99


def test_sigmoid_saturation_counts_both_tails():
    model = nn.Sequential(nn.Sigmoid())
    x = torch.tensor([[-10.0, -3.5, 0.0, 0.5, 3.5, 10.0]])  # sigmoid(±3.5) = 0.029 / 0.971: saturated
    assert init.layer_stats(model, x)[0]["saturated"] == pytest.approx(4 / 6)


def test_layer_stats_removes_hooks_and_leaves_grads_mode_and_buffers():
    model = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))
    x = torch.randn(16, 6)
    model(x).sum().backward()
    model[4].bias.grad = None  # one parameter with a gradient set to None, the others with values
    grads = {name: (p.grad.clone() if p.grad is not None else None) for name, p in model.named_parameters()}
    buffers = {name: b.clone() for name, b in model.named_buffers()}
    for training in (False, True):
        for mode in (True, False):
            model.train(mode)
            init.layer_stats(model, x, training=training)
            assert model.training is mode
            assert all(m.training is mode for m in model.modules())
    for module in model.modules():
        assert not module._forward_hooks and not module._forward_pre_hooks and not module._backward_hooks
    for name, p in model.named_parameters():
        assert (p.grad is None) if grads[name] is None else torch.equal(p.grad, grads[name])
    for name, b in model.named_buffers():
        assert torch.equal(b, buffers[name]), name  # batch-norm running statistics untouched


def test_hooks_are_removed_when_the_forward_fails():
    model = _mlp()
    with pytest.raises(RuntimeError):
        init.layer_stats(model, torch.randn(4, 5))  # wrong number of features
    assert all(not m._forward_hooks for m in model.modules())


def test_in_place_relu_gives_the_same_stats():
    torch.manual_seed(0)
    plain = nn.Sequential(nn.Linear(5, 10), nn.ReLU(), nn.Linear(10, 2))
    torch.manual_seed(0)
    inplace = nn.Sequential(nn.Linear(5, 10), nn.ReLU(inplace=True), nn.Linear(10, 2))
    x = torch.randn(20, 5)
    assert init.layer_stats(plain, x) == init.layer_stats(inplace, x)


def test_layer_stats_on_a_cnn_names_nested_layers_and_counts_dead_channels():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU()), nn.Flatten(), nn.Linear(4 * 8 * 8, 3)
    )
    with torch.no_grad():
        model[0][0].bias[:2] = -100.0  # two of four channels can never fire
    stats = init.layer_stats(model, torch.randn(5, 1, 8, 8))
    assert [s["name"] for s in stats] == ["0.0", "0.1", "1", "2"]
    assert stats[1]["shape"] == (5, 4, 8, 8)
    assert stats[1]["dead"] == 0.5


def test_layer_stats_without_gradients_reports_none():
    model = _mlp().requires_grad_(False)
    stats = init.layer_stats(model, torch.randn(8, 6))
    assert all(s["grad_std"] is None for s in stats)
    assert stats[0]["std"] > 0


# ------------------------------------------------------------------- chapter 04: its exercises and its widget


def test_init_exercise_solutions_pass_and_typical_mistakes_fail(capsys):
    from course_utils import checks

    assert checks.check("kaiming_normal_fill", init_checks.kaiming_normal_fill)
    assert checks.check("init_weights_with_apply", init_checks.init_weights)
    assert checks.check("dead_relu_units", init_checks.dead_fraction)

    def uniform_instead(t):  # the right std, the wrong distribution
        with torch.no_grad():
            return init.kaiming_uniform_(t, nonlinearity="relu")

    def ignores_kernel(t):  # fan_in = in_channels only
        with torch.no_grad():
            return t.normal_(0.0, math.sqrt(2.0 / t.shape[1]))

    def new_tensor(t):  # not in place
        return torch.randn_like(t) * math.sqrt(2.0 / t[0].numel())

    def no_grad_missing(t):
        return t.normal_(0.0, math.sqrt(2.0 / t[0].numel()))

    for wrong in (uniform_instead, ignores_kernel, new_tensor, no_grad_missing):
        assert not checks.check("kaiming_normal_fill", wrong), wrong.__name__

    def everything(m):  # also touches the PReLU
        for p in m.parameters(recurse=False):
            nn.init.zeros_(p) if p.dim() < 2 else nn.init.xavier_uniform_(p)

    def bias_always(m):  # crashes on Linear(bias=False)
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)

    def kaiming_instead(m):
        if isinstance(m, nn.Linear):
            nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")

    for wrong in (everything, bias_always, kaiming_instead):
        assert not checks.check("init_weights_with_apply", wrong), wrong.__name__
    assert checks.check("init_weights_with_apply", lambda m: None).status == "not attempted"

    assert not checks.check("dead_relu_units", lambda h: (h == 0).float().mean().item())  # zero entries
    assert not checks.check("dead_relu_units", lambda h: (h == 0).all(dim=1).float().mean().item())  # rows
    out = capsys.readouterr().out
    assert out.count("❌") == 9 and "Traceback" not in out


@pytest.mark.parametrize("scheme", ["PyTorch default", "Xavier (gain 1)", "Xavier × gain", "Kaiming (ReLU)"])
@pytest.mark.parametrize("activation", ["tanh", "ReLU", "sigmoid"])
def test_init_explorer_scales_are_torchs(scheme, activation):
    width = 300
    kind, scale = init.init_weight_scale(scheme, activation, width)
    w = torch.empty(width, width)
    if scheme == "PyTorch default":
        w = nn.Linear(width, width).weight.detach()
        assert kind == "uniform" and w.abs().max() <= scale and math.isclose(scale, 1 / math.sqrt(width))
        return
    name = {"tanh": "tanh", "ReLU": "relu", "sigmoid": "sigmoid"}[activation]
    if scheme == "Xavier (gain 1)":
        nn.init.xavier_normal_(w)
    elif scheme == "Xavier × gain":
        nn.init.xavier_normal_(w, gain=nn.init.calculate_gain(name))
    else:
        nn.init.kaiming_normal_(w, nonlinearity="relu")
    assert kind == "normal" and abs(w.std().item() / scale - 1) < 0.02


def test_init_activation_stats_show_the_chapters_claims():
    kaiming = init.init_activation_stats("Kaiming (ReLU)", "ReLU", 256, depth=20)
    # width 256 over 20 layers: random drift, but no trend like the other schemes' powers of 10
    assert ((kaiming["std"] > 0.3) & (kaiming["std"] < 3)).all()
    assert kaiming["hist"].shape == (20, 40) and kaiming["edges"].shape == (41,)
    assert torch.allclose(kaiming["hist"].sum(1) + kaiming["zeros"], torch.ones(20))  # every value counted once
    assert init.init_activation_stats("N(0, 1)", "ReLU", 256, depth=5)["std"][-1] > 1e5
    assert init.init_activation_stats("N(0, 0.01²)", "tanh", 256, depth=10)["std"][-1] < 1e-5
    tanh_big = init.init_activation_stats("N(0, 1)", "tanh", 256, depth=10)
    assert (tanh_big["hist"][:, [0, -1]].sum(1) > 0.8).all()  # piled up at ±1
    with pytest.raises(ValueError, match="scheme"):
        init.init_activation_stats("zeros", "tanh", 16)


def test_init_activation_stats_match_a_stack_of_torch_layers():
    """The first layer by hand: torch.nn.functional.linear with the same scaled draws, then the activation."""
    stats = init.init_activation_stats("Xavier × gain", "tanh", 16, depth=3, batch=8, bins=10)
    _, std = init.init_weight_scale("Xavier × gain", "tanh", 16)
    normal, _, _ = init._stack_draws(16, 3)
    h = torch.randn(8, 16, generator=torch.Generator().manual_seed(1))
    for layer in range(3):
        h = torch.tanh(nn.functional.linear(h, normal[layer] * std))
    assert stats["std"][-1].item() == pytest.approx(h.std().item(), rel=1e-5)
    with pytest.raises(ValueError, match="`activation`"):
        init.init_activation_stats("N(0, 1)", "softmax", 16)


def test_first_layer_gradients_are_autograds_through_nn_linear():
    """Depth 3, recommended init: the same weights in nn.Linear layers give the same gradient norms."""
    data = init.first_layer_gradients(max_depth=3, width=8, batch=4, seed=0)
    assert set(data) == {(i, a, d) for i in init.DEPTH_INITS for a in init.DEPTH_ACTIVATIONS for d in (1, 2, 3)}
    assert all(len(norms) == depth for (_, _, depth), norms in data.items())
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 8, generator=g)
    readout = torch.randn(8, generator=g) / 8**0.5
    unit_w = [2 * torch.rand(8, 8, generator=g) - 1 for _ in range(3)]
    fn, gain = init.DEPTH_ACTIVATIONS["tanh"]
    layers = [nn.Linear(8, 8) for _ in range(3)]
    with torch.no_grad():
        for layer, w in zip(layers, unit_w):
            layer.weight.copy_(w * gain * (3 / 8) ** 0.5)  # uniform with std gain / sqrt(fan_in)
            layer.bias.zero_()
    h = x
    for layer in layers:
        h = fn(layer(h))
    (h @ readout).mean().backward()
    want = [layer.weight.grad.norm().item() for layer in layers]
    assert data[(init.DEPTH_INITS[1], "tanh", 3)] == pytest.approx(want, rel=1e-5)
