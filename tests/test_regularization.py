"""course_utils.regularization against torch: dropout (same seed, same mask), BatchNorm1d in training and eval with
its running statistics, penalties, gradient clipping, ConvBlock; the playground widget and the exercises."""

import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils import checks, widgets
from course_utils import regularization as R

# ---------------------------------------------------------------------------------------------------- dropout


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("shape", [(1000,), (32, 50), (4, 3, 8, 8)])
def test_dropout_equals_torch_with_the_same_seed(p, shape):
    x = torch.randn(shape)
    torch.manual_seed(7)
    ours = R.dropout(x, p, training=True)
    torch.manual_seed(7)
    theirs = F.dropout(x, p, training=True)
    assert torch.equal(ours, theirs)
    torch.manual_seed(7)
    assert torch.equal(ours, nn.Dropout(p)(x))


def test_dropout_is_the_identity_in_eval_and_for_p_zero_and_zero_for_p_one():
    x = torch.randn(10, 10)
    assert R.dropout(x, 0.5, training=False) is x
    assert R.dropout(x, 0.0, training=True) is x
    assert torch.equal(R.dropout(x, 1.0, training=True), torch.zeros_like(x))


def test_dropout_keeps_the_mean_in_expectation_and_gradients_flow():
    n, p = 1_000_000, 0.3
    x = torch.ones(n, requires_grad=True)
    y = R.dropout(x, p, training=True)
    std_of_mean = (p / (1 - p)) ** 0.5 / n**0.5
    assert abs(y.mean().item() - 1.0) < 5 * std_of_mean
    assert abs((y == 0).float().mean().item() - p) < 0.005
    y.sum().backward()
    assert torch.equal(x.grad, y.detach())  # gradient = mask / (1 − p), which is y for x = 1


@pytest.mark.parametrize("p", [-0.1, 1.5, "half", True])
def test_dropout_rejects_bad_p(p):
    with pytest.raises(ValueError, match="`p`"):
        R.dropout(torch.ones(3), p)


# ------------------------------------------------------------------------------------------------- batch norm


def _pair(num_features, **kwargs):
    ours, theirs = R.BatchNorm1d(num_features, **kwargs).double(), nn.BatchNorm1d(num_features, **kwargs).double()
    if ours.affine:
        g = torch.Generator().manual_seed(0)
        with torch.no_grad():
            ours.weight.copy_(torch.rand(num_features, generator=g) + 0.5)
            ours.bias.copy_(torch.randn(num_features, generator=g))
    theirs.load_state_dict(ours.state_dict())
    return ours, theirs


@pytest.mark.parametrize("shape", [(16, 5), (2, 5), (8, 5, 7)])
@pytest.mark.parametrize("kwargs", [{}, {"momentum": 0.5}, {"momentum": None}, {"affine": False},
                                    {"eps": 1e-3}, {"track_running_stats": False}])
def test_batchnorm_equals_torch_in_training_and_eval(shape, kwargs):
    ours, theirs = _pair(5, **kwargs)
    g = torch.Generator().manual_seed(1)
    for _ in range(4):
        x = 3 * torch.randn(shape, generator=g, dtype=torch.float64) + 2
        a, b = x.clone().requires_grad_(), x.clone().requires_grad_()
        out_a, out_b = ours(a), theirs(b)
        torch.testing.assert_close(out_a, out_b, rtol=1e-10, atol=1e-10)
        upstream = torch.randn(shape, generator=g, dtype=torch.float64)
        out_a.backward(upstream)
        out_b.backward(upstream)
        torch.testing.assert_close(a.grad, b.grad, rtol=1e-9, atol=1e-9)
    for name, buffer in theirs.named_buffers():
        torch.testing.assert_close(getattr(ours, name), buffer, rtol=1e-10, atol=1e-10)
    if ours.affine:
        torch.testing.assert_close(ours.weight.grad, theirs.weight.grad, rtol=1e-9, atol=1e-9)
        torch.testing.assert_close(ours.bias.grad, theirs.bias.grad, rtol=1e-9, atol=1e-9)
    ours.eval()
    theirs.eval()
    x = torch.randn(shape, generator=g, dtype=torch.float64)
    torch.testing.assert_close(ours(x), theirs(x), rtol=1e-10, atol=1e-10)


def test_batchnorm_float32_and_state_dict_both_ways():
    ours, theirs = R.BatchNorm1d(8), nn.BatchNorm1d(8)
    for _ in range(3):
        x = torch.randn(32, 8) * 4 + 1
        torch.testing.assert_close(ours(x), theirs(x), rtol=1e-5, atol=1e-5)
    assert set(ours.state_dict()) == set(theirs.state_dict())
    back = R.BatchNorm1d(8)
    back.load_state_dict(theirs.state_dict())
    back.eval(), theirs.eval()
    x = torch.randn(5, 8)
    torch.testing.assert_close(back(x), theirs(x))


def test_batchnorm_running_var_is_unbiased_and_train_batch_of_one_fails():
    bn = R.BatchNorm1d(1, momentum=1.0)
    x = torch.tensor([[1.0], [3.0]])
    out = bn(x)
    assert bn.running_var.item() == pytest.approx(2.0)  # unbiased: ((1-2)² + (3-2)²) / (2 − 1)
    assert out.squeeze().tolist() == pytest.approx([-1.0, 1.0], abs=1e-4)  # normalized with the biased var 1
    with pytest.raises(ValueError, match="more than 1 value"):
        bn(torch.ones(1, 1))
    bn.eval()
    assert bn(torch.ones(1, 1)).shape == (1, 1)  # eval uses running stats: a batch of one is fine


@pytest.mark.parametrize("make, message", [
    (lambda: R.BatchNorm1d(0), "`num_features`"),
    (lambda: R.BatchNorm1d(3, eps=0), "`eps`"),
    (lambda: R.BatchNorm1d(3, momentum=2), "`momentum`"),
])
def test_batchnorm_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_batchnorm_wrong_input_shape_names_the_expected_shape():
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        R.BatchNorm1d(4)(torch.randn(8, 3))


# ----------------------------------------------------------------------------- penalties, clipping, ConvBlock


def test_l2_penalty_is_sgd_weight_decay():
    torch.manual_seed(0)
    a, b = nn.Linear(4, 3), nn.Linear(4, 3)
    b.load_state_dict(a.state_dict())
    x, y = torch.randn(16, 4), torch.randn(16, 3)
    opt_a = torch.optim.SGD(a.parameters(), lr=0.1)
    opt_b = torch.optim.SGD(b.parameters(), lr=0.1, weight_decay=0.05)
    for _ in range(20):
        opt_a.zero_grad()
        (F.mse_loss(a(x), y) + 0.05 / 2 * R.l2_penalty(a.parameters())).backward()
        opt_a.step()
        opt_b.zero_grad()
        F.mse_loss(b(x), y).backward()
        opt_b.step()
    for p, q in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(p, q)


def test_penalties_values():
    w = [torch.tensor([1.0, -2.0]), torch.tensor([[3.0]])]
    assert R.l2_penalty(w).item() == 14.0 and R.l1_penalty(w).item() == 6.0
    assert R.l1_penalty(torch.tensor([-1.5])).item() == 1.5


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("scale", [10.0, 1e-3])
def test_clip_grad_norm_equals_torch(norm_type, scale):
    g = torch.Generator().manual_seed(3)
    ours = [torch.zeros(4, 5, requires_grad=True), torch.zeros(5, requires_grad=True),
            torch.zeros(2, requires_grad=True)]
    ours[2].grad = None  # a parameter without gradient is skipped
    for p in ours[:2]:
        p.grad = scale * torch.randn(p.shape, generator=g)
    theirs = copy.deepcopy(ours)
    for p, q in zip(ours, theirs):
        q.grad = None if p.grad is None else p.grad.clone()
    total_ours = R.clip_grad_norm_(ours, 1.0, norm_type)
    total_theirs = nn.utils.clip_grad_norm_(theirs, 1.0, norm_type)
    torch.testing.assert_close(total_ours, total_theirs)
    for p, q in zip(ours[:2], theirs[:2]):
        torch.testing.assert_close(p.grad, q.grad)


def test_clip_grad_norm_arguments():
    with pytest.raises(ValueError, match="`max_norm`"):
        R.clip_grad_norm_([torch.zeros(1, requires_grad=True)], 0)
    assert R.clip_grad_norm_([torch.zeros(1, requires_grad=True)], 1.0).item() == 0.0


def test_convblock_shape_and_that_bn_makes_a_conv_bias_useless():
    block = R.ConvBlock(1, 8)
    x = torch.randn(4, 1, 12, 12)
    assert block(x).shape == (4, 8, 12, 12) and block.conv.bias is None and (block(x) >= 0).all()
    bn = nn.BatchNorm2d(8)
    conv = nn.Conv2d(1, 8, 3, padding=1)
    torch.testing.assert_close(bn(conv(x)), bn(conv(x) - conv.bias.view(1, -1, 1, 1)), rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------------------------------------- widget


def test_playground_trains_on_the_button_only():
    w = widgets.regularization_playground()
    w.controls["n_train"].value = 20
    w.controls["width"].value = 16
    assert "press Train" in w.draw(**w.values()).axes[0].get_title()
    w.press("Train")
    assert w.last_error is None
    fig = w.draw(**w.values())
    train_line, val_line = fig.axes[1].get_lines()[:2]
    assert len(train_line.get_xdata()) == 300 and len(val_line.get_ydata()) == 300
    assert "val. accuracy" in fig.axes[0].get_title() and "settings changed" not in fig.axes[0].get_title()
    w.controls["p"].value = 0.3
    assert "settings changed" in fig.axes[0].get_title()


def test_playground_legend_sits_beside_the_curves():
    w = widgets.regularization_playground()
    w.press("Train")
    fig = w.renderer.fig
    ax = fig.axes[1]
    legend = ax.get_legend().get_window_extent(w.renderer.canvas.get_renderer())
    assert legend.x0 >= ax.get_window_extent().x1  # never over the curves' ends


def test_train_regularized_mlp_overfits_without_regularization_and_restores_threads():
    threads = torch.get_num_threads()
    run = R.train_regularized_mlp(p=0.0, weight_decay=0.0, noise=0.3, width=64, n_train=30, epochs=200)
    assert torch.get_num_threads() == threads
    assert run["train_loss"][-1] < 0.05 and run["val_loss"][-1] > 2 * min(run["val_loss"])


# ----------------------------------------------------------------------------------------------- exercises


def test_regularization_checkers_catch_typical_mistakes(capsys):
    def not_inverted(x, p, training):
        return x * (torch.rand_like(x) >= p) if training else x

    def keep_p(x, p, training):
        return x * (torch.rand_like(x) < p) / p if training else x

    def always_on(x, p, training):
        return x * (torch.rand_like(x) >= p) / (1 - p)

    def unbiased_bn(x, gamma, beta, eps=1e-5):
        return gamma * (x - x.mean(0)) / torch.sqrt(x.var(0) + eps) + beta

    def wrong_axis_bn(x, gamma, beta, eps=1e-5):
        return gamma * (x - x.mean(1, keepdim=True)) / torch.sqrt(x.var(1, unbiased=False, keepdim=True) + eps) + beta

    def biased_running(rm, rv, x, momentum=0.1):
        return (1 - momentum) * rm + momentum * x.mean(0), (1 - momentum) * rv + momentum * x.var(0, unbiased=False)

    def reversed_momentum(rm, rv, x, momentum=0.1):
        return momentum * rm + (1 - momentum) * x.mean(0), momentum * rv + (1 - momentum) * x.var(0)

    def per_tensor_clip(grads, max_norm):
        return [g * min(1.0, max_norm / (g.norm().item() + 1e-6)) for g in grads]

    def scale_up(grads, max_norm):
        total = torch.sqrt(sum((g**2).sum() for g in grads))
        return [g * max_norm / total for g in grads]

    wrong = [("inverted_dropout", not_inverted), ("inverted_dropout", keep_p), ("inverted_dropout", always_on),
             ("batch_norm_train", unbiased_bn), ("batch_norm_train", wrong_axis_bn),
             ("running_stats_update", biased_running), ("running_stats_update", reversed_momentum),
             ("clip_grad_norm", per_tensor_clip), ("clip_grad_norm", scale_up)]
    for name, answer in wrong:
        assert checks.check(name, answer).status == "wrong", name
    out = capsys.readouterr().out
    assert out.count("❌") == len(wrong) and "Traceback" not in out
    for name in ("inverted_dropout", "batch_norm_train", "running_stats_update", "clip_grad_norm"):
        assert checks.check(name, checks._core._REGISTRY[name].solution)
        assert checks.check(name, None).status == "not attempted"
