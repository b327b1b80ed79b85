"""course_utils.losses against torch.nn.functional: values to 1e-6 in float64, autograd gradients, extreme logits,
and clear errors."""

import pytest
import torch
import torch.nn.functional as F

from course_utils import losses

REDUCTIONS = ["mean", "sum", "none"]
DT = torch.float64


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def assert_same(ours_fn, torch_fn, inputs, **kwargs):
    """Same value and same gradients (w.r.t. every floating tensor in ``inputs``) as torch.

    Options go by keyword: torch's functions still take the deprecated ``size_average`` and ``reduce``
    positionally (e.g. ``F.mse_loss(x, y, size_average)``), so only input and target are positional here.
    """
    a = [t.detach().clone().requires_grad_(t.is_floating_point()) for t in inputs]
    b = [t.detach().clone().requires_grad_(t.is_floating_point()) for t in inputs]
    ours, theirs = ours_fn(*a, **kwargs), torch_fn(*b, **kwargs)
    assert ours.shape == theirs.shape
    torch.testing.assert_close(ours, theirs, rtol=1e-6, atol=1e-6, equal_nan=True)
    wanted = [i for i, t in enumerate(a) if t.requires_grad]
    # a random upstream gradient, so that "none" checks every element's gradient separately
    upstream = torch.rand(ours.shape, dtype=ours.dtype, generator=gen(99))
    ga = torch.autograd.grad(ours, [a[i] for i in wanted], upstream)
    gb = torch.autograd.grad(theirs, [b[i] for i in wanted], upstream)
    for x, y in zip(ga, gb):
        torch.testing.assert_close(x, y, rtol=1e-6, atol=1e-6)
    return ours


# -------------------------------------------------------------------------------------------------- regression


def regression_pair(shape=(8, 5)):
    g = gen(1)
    input = 2 * torch.randn(shape, dtype=DT, generator=g)  # differences on both sides of beta / delta
    target = torch.randn(shape, dtype=DT, generator=g)
    return input, target


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_mse_and_l1_match_torch(name, reduction):
    assert_same(getattr(losses, name), getattr(F, name), regression_pair(), reduction=reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0, 2.0])
def test_smooth_l1_matches_torch(reduction, beta):
    assert_same(losses.smooth_l1_loss, F.smooth_l1_loss, regression_pair(), reduction=reduction, beta=beta)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [0.1, 1.0, 2.5])
def test_huber_matches_torch(reduction, delta):
    assert_same(losses.huber_loss, F.huber_loss, regression_pair(), reduction=reduction, delta=delta)


def test_regression_losses_on_a_4d_tensor_and_a_scalar():
    for shape in [(2, 3, 4, 5), ()]:
        for name in ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"]:
            assert_same(getattr(losses, name), getattr(F, name), regression_pair(shape))


def test_smooth_l1_is_huber_over_beta_and_beta_0_is_l1():
    x, y = regression_pair()
    torch.testing.assert_close(losses.smooth_l1_loss(x, y, beta=0.7), losses.huber_loss(x, y, delta=0.7) / 0.7)
    torch.testing.assert_close(losses.smooth_l1_loss(x, y, beta=0.0), losses.l1_loss(x, y))


def test_gradients_at_zero_difference_match_torch():
    x = torch.tensor([0.0, 1.0, -2.0], dtype=DT)
    for name in ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"]:
        assert_same(getattr(losses, name), getattr(F, name), (x, x.clone()))
    assert_same(losses.smooth_l1_loss, F.smooth_l1_loss, (x, x + 1.0), beta=1.0)  # exactly at |d| = beta


# ---------------------------------------------------------------------------------------------- nll and CE


def class_data(n=12, c=5, extra=(), seed=2, ignore=True):
    g = gen(seed)
    logits = 3 * torch.randn(n, c, *extra, dtype=DT, generator=g)
    target = torch.randint(0, c, (n, *extra), generator=g)
    if ignore:
        target.view(-1)[::4] = -100
    weight = torch.rand(c, dtype=DT, generator=g) + 0.1
    return logits, target, weight


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("use_weight", [False, True])
@pytest.mark.parametrize("extra", [(), (3,), (2, 3)], ids=["2d", "3d", "4d"])
def test_nll_loss_matches_torch(reduction, use_weight, extra):
    logits, target, weight = class_data(extra=extra)
    log_probs = torch.log_softmax(logits, dim=1)
    kwargs = {"weight": weight} if use_weight else {}
    assert_same(losses.nll_loss, F.nll_loss, (log_probs, target), reduction=reduction, **kwargs)


@pytest.mark.parametrize("ignore_index", [-100, 2])
def test_nll_loss_ignore_index_matches_torch(ignore_index):
    logits, target, weight = class_data(ignore=False)
    target[:4] = ignore_index
    for reduction in REDUCTIONS:
        assert_same(
            losses.nll_loss, F.nll_loss, (logits, target),
            weight=weight, ignore_index=ignore_index, reduction=reduction,
        )


def test_nll_loss_all_ignored_is_nan_like_torch():
    logits, target, _ = class_data()
    target[:] = -100
    assert torch.isnan(losses.nll_loss(logits, target))
    assert torch.isnan(F.nll_loss(logits, target))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("use_weight", [False, True])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 0.4])
@pytest.mark.parametrize("extra", [(), (3, 2)], ids=["2d", "4d"])
def test_cross_entropy_matches_torch(reduction, use_weight, label_smoothing, extra):
    logits, target, weight = class_data(extra=extra)
    kwargs = {"weight": weight} if use_weight else {}
    assert_same(
        losses.cross_entropy, F.cross_entropy, (logits, target),
        reduction=reduction, label_smoothing=label_smoothing, **kwargs,
    )


def test_cross_entropy_with_a_non_default_ignore_index():
    logits, target, weight = class_data(ignore=False)
    target[::3] = 1
    for label_smoothing in (0.0, 0.2):
        assert_same(
            losses.cross_entropy, F.cross_entropy, (logits, target), weight=weight, ignore_index=1,
            label_smoothing=label_smoothing,
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("use_weight", [False, True])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
def test_cross_entropy_with_class_probabilities_matches_torch(reduction, use_weight, label_smoothing):
    logits, _, weight = class_data()
    probs = torch.softmax(torch.randn(logits.shape, dtype=DT, generator=gen(5)), dim=1)
    kwargs = {"weight": weight} if use_weight else {}
    assert_same(
        losses.cross_entropy, F.cross_entropy, (logits, probs),
        reduction=reduction, label_smoothing=label_smoothing, **kwargs,
    )


def test_one_unbatched_sample_like_torch():
    logits = torch.randn(5, dtype=DT, generator=gen(3))
    for reduction in REDUCTIONS:
        assert_same(losses.cross_entropy, F.cross_entropy, (logits, torch.tensor(2)), reduction=reduction)
        assert_same(losses.cross_entropy, F.cross_entropy, (logits, torch.softmax(logits, 0)), reduction=reduction)
        assert_same(losses.nll_loss, F.nll_loss, (logits.log_softmax(0), torch.tensor(4)), reduction=reduction)


def test_cross_entropy_is_nll_of_log_softmax():
    logits, target, _ = class_data()
    torch.testing.assert_close(
        losses.cross_entropy(logits, target), losses.nll_loss(torch.log_softmax(logits, dim=1), target)
    )


@pytest.mark.parametrize("scale", [100.0, 1000.0, 1e6])
def test_cross_entropy_with_extreme_logits_is_finite_and_equal_to_torch(scale):
    logits = torch.tensor([[1.0, -1.0, 0.0], [-1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [1.0, 0.5, -1.0]], dtype=DT)
    logits = logits * scale
    target = torch.tensor([1, 0, 2, 0])  # the first two are confidently wrong: loss about 2 * scale
    for label_smoothing in (0.0, 0.1):
        for reduction in REDUCTIONS:
            loss = assert_same(
                losses.cross_entropy, F.cross_entropy, (logits, target),
                reduction=reduction, label_smoothing=label_smoothing,
            )
            assert torch.isfinite(loss).all()
    assert losses.cross_entropy(logits, target, reduction="none")[0].item() == pytest.approx(2 * scale)


def test_cross_entropy_in_float32_with_logits_1000():
    logits = torch.tensor([[1000.0, -1000.0], [-1000.0, 1000.0]])
    target = torch.tensor([0, 0])
    torch.testing.assert_close(losses.cross_entropy(logits, target), F.cross_entropy(logits, target))
    assert losses.cross_entropy(logits, target).item() == 1000.0  # (0 + 2000) / 2, no inf, no nan


# --------------------------------------------------------------------------------------------------------- BCE


def binary_data(shape=(8, 5), seed=4, hard=False):
    g = gen(seed)
    logits = 3 * torch.randn(shape, dtype=DT, generator=g)
    target = torch.rand(shape, dtype=DT, generator=g)
    if hard:
        target = target.round()
    return logits, target


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, (5,), (8, 5), (8, 1)])
@pytest.mark.parametrize("hard", [False, True])
def test_binary_cross_entropy_matches_torch(reduction, weight_shape, hard):
    logits, target = binary_data(hard=hard)
    probs = torch.sigmoid(logits)
    weight = None if weight_shape is None else torch.rand(weight_shape, dtype=DT, generator=gen(6))
    assert_same(
        losses.binary_cross_entropy, F.binary_cross_entropy, (probs, target), weight=weight, reduction=reduction
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, (5,), (8, 5)])
@pytest.mark.parametrize("pos_weight_shape", [None, (5,), (8, 5)])
@pytest.mark.parametrize("hard", [False, True])
def test_binary_cross_entropy_with_logits_matches_torch(reduction, weight_shape, pos_weight_shape, hard):
    logits, target = binary_data(hard=hard)
    g = gen(7)
    weight = None if weight_shape is None else torch.rand(weight_shape, dtype=DT, generator=g)
    pos_weight = None if pos_weight_shape is None else 3 * torch.rand(pos_weight_shape, dtype=DT, generator=g)
    assert_same(
        losses.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits, (logits, target),
        weight=weight, reduction=reduction, pos_weight=pos_weight,
    )


def test_bce_with_logits_equals_bce_of_sigmoid_for_moderate_logits():
    logits, target = binary_data()
    torch.testing.assert_close(
        losses.binary_cross_entropy_with_logits(logits, target),
        losses.binary_cross_entropy(torch.sigmoid(logits), target),
    )


@pytest.mark.parametrize("big", [100.0, 1000.0])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_extreme_logits_bce_with_logits_is_exact_and_equal_to_torch(big, dtype):
    logits = torch.tensor([big, -big, big, -big, 0.0], dtype=dtype)
    target = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0], dtype=dtype)
    loss = losses.binary_cross_entropy_with_logits(logits, target, reduction="none")
    torch.testing.assert_close(loss, F.binary_cross_entropy_with_logits(logits, target, reduction="none"))
    assert torch.isfinite(loss).all()
    assert loss[0].item() == big and loss[1].item() == big  # confidently wrong: the loss is |logit|
    assert loss[2].item() == pytest.approx(0.0, abs=1e-40) and loss[3].item() == pytest.approx(0.0, abs=1e-40)
    if dtype == torch.float64:
        assert_same(
            losses.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits, (logits, target),
            reduction="none", pos_weight=torch.tensor(2.0, dtype=dtype),
        )


@pytest.mark.parametrize("big", [100.0, 1000.0])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_bce_on_sigmoid_of_extreme_logits_is_clamped_at_100(big, dtype):
    logits = torch.tensor([big, -big], dtype=dtype)
    target = torch.tensor([0.0, 1.0], dtype=dtype)  # both confidently wrong
    probs = torch.sigmoid(logits)  # 1.0 exactly and 0 (or ~1e-44): the log would be -inf or about -100
    clamped = losses.binary_cross_entropy(probs, target, reduction="none")
    torch.testing.assert_close(clamped, F.binary_cross_entropy(probs, target, reduction="none"))
    assert clamped.tolist() == [100.0, 100.0]  # torch's clamp of log at -100, whatever the logit
    exact = losses.binary_cross_entropy_with_logits(logits, target, reduction="none")
    assert exact.tolist() == [big, big]  # 1000 stays 1000 with the logits


def test_bce_gradient_at_probability_0_or_1_is_finite():
    probs = torch.tensor([0.0, 1.0, 0.5], dtype=DT, requires_grad=True)
    losses.binary_cross_entropy(probs, torch.tensor([1.0, 0.0, 1.0], dtype=DT)).backward()
    assert torch.isfinite(probs.grad).all()


def test_bce_with_logits_gradient_at_logit_0_is_sigmoid_minus_target():
    logits = torch.zeros(3, dtype=DT, requires_grad=True)
    target = torch.tensor([0.0, 0.3, 1.0], dtype=DT)
    losses.binary_cross_entropy_with_logits(logits, target, reduction="sum").backward()
    torch.testing.assert_close(logits.grad, 0.5 - target)


# ------------------------------------------------------------------------------------------------------ errors


ALL = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "nll_loss", "cross_entropy", "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
]


@pytest.mark.parametrize("name", ALL)
def test_bad_reduction(name):
    x = torch.rand(4, 3, dtype=DT)
    target = torch.tensor([0, 1, 2, 0]) if name in ("nll_loss", "cross_entropy") else torch.rand(4, 3, dtype=DT)
    with pytest.raises(ValueError, match="`reduction`.*'avg'"):
        getattr(losses, name)(x, target, reduction="avg")


@pytest.mark.parametrize("name", [n for n in ALL if n not in ("nll_loss", "cross_entropy")])
def test_shape_mismatch_names_both_shapes(name):
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(4, 1\)"):
        getattr(losses, name)(torch.rand(4, 3, dtype=DT), torch.rand(4, 1, dtype=DT))
    with pytest.raises(ValueError, match=r"\(4,\).*\(4, 1\)"):  # the classic (N,) vs (N, 1) regression slip
        getattr(losses, name)(torch.rand(4, dtype=DT), torch.rand(4, 1, dtype=DT))


@pytest.mark.parametrize("name", ["nll_loss", "cross_entropy"])
def test_class_loss_errors(name):
    fn = getattr(losses, name)
    logits = torch.randn(4, 3, dtype=DT)
    with pytest.raises(ValueError, match=r"`input` must be 2-D \(batch, classes\).*\(5,\)"):
        fn(torch.randn(5, dtype=DT), torch.tensor([1, 2]))
    with pytest.raises(ValueError, match=r"`target`.*\(4,\).*\(4, 3\).*\(3,\)"):
        fn(logits, torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match=r"`target`.*integer.*torch.float64"):
        fn(logits, torch.tensor([0.0, 1.0, 2.0, 0.0], dtype=DT))
    with pytest.raises(ValueError, match=r"\[0, 2\].*3"):
        fn(logits, torch.tensor([0, 1, 3, 0]))
    with pytest.raises(ValueError, match=r"`weight`.*\(3,\).*\(4,\)"):
        fn(logits, torch.tensor([0, 1, 2, 0]), weight=torch.ones(4, dtype=DT))
    with pytest.raises(ValueError, match="`input`.*floating"):
        fn(torch.ones(4, 3, dtype=torch.long), torch.tensor([0, 1, 2, 0]))


def test_cross_entropy_probability_target_errors():
    logits = torch.randn(4, 3, dtype=DT)
    with pytest.raises(ValueError, match="`target`.*floating.*class probabilities"):
        losses.cross_entropy(logits, torch.zeros(4, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="ignore_index"):
        losses.cross_entropy(logits, torch.softmax(logits, 1), ignore_index=0)
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.cross_entropy(logits, torch.tensor([0, 1, 2, 0]), label_smoothing=1.5)


def test_bce_errors():
    with pytest.raises(ValueError, match=r"`input`.*\[0, 1\].*sigmoid"):
        losses.binary_cross_entropy(torch.tensor([-0.5, 2.0]), torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="`target`.*floating.*torch.int64"):
        losses.binary_cross_entropy(torch.tensor([0.5, 0.5]), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="`target`.*floating.*torch.int64"):
        losses.binary_cross_entropy_with_logits(torch.tensor([0.5, 0.5]), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"`weight`.*\(2,\).*\(3,\)"):
        losses.binary_cross_entropy(torch.tensor([0.5, 0.5]), torch.tensor([0.0, 1.0]), weight=torch.ones(3))
    with pytest.raises(ValueError, match=r"`pos_weight`.*\(2, 2\).*\(4, 2\)"):
        losses.binary_cross_entropy_with_logits(torch.zeros(2, 2), torch.ones(2, 2), pos_weight=torch.ones(4, 2))


def test_beta_and_delta_errors():
    x, y = regression_pair()
    with pytest.raises(ValueError, match="`beta`"):
        losses.smooth_l1_loss(x, y, beta=-1.0)
    with pytest.raises(ValueError, match="`delta`"):
        losses.huber_loss(x, y, delta=0.0)


# ------------------------------------------------------------------- chapter 05: its exercises and its widgets


def test_loss_exercise_solutions_pass_and_typical_mistakes_fail(capsys):
    from course_utils import checks
    from course_utils.checks import losses as loss_checks

    assert checks.check("huber_from_scratch", loss_checks.huber)
    assert checks.check("stable_cross_entropy", loss_checks.cross_entropy_from_logits)
    assert checks.check("stable_bce_with_logits", loss_checks.bce_with_logits)

    def huber_without_delta(x, y, delta=1.0):  # the linear piece lacks the factor delta
        r = (x - y).abs()
        return torch.where(r < delta, 0.5 * r**2, r - 0.5 * delta).mean()

    def naive_cross_entropy(z, t):
        return -torch.softmax(z, dim=1).log()[torch.arange(len(t)), t].mean()

    def naive_bce(x, y):
        p = torch.sigmoid(x)
        return -(y * p.log() + (1 - y) * (1 - p).log()).mean()

    def clamped_bce(x, y):
        return F.binary_cross_entropy(torch.sigmoid(x), y)

    wrong = [("huber_from_scratch", huber_without_delta), ("huber_from_scratch", lambda x, y, d=1.0: F.mse_loss(x, y)),
             ("huber_from_scratch", lambda x, y, delta=1.0: F.smooth_l1_loss(x, y, beta=delta)),
             ("stable_cross_entropy", naive_cross_entropy),
             ("stable_cross_entropy", lambda z, t: F.nll_loss(torch.softmax(z, 1), t)),
             ("stable_bce_with_logits", naive_bce), ("stable_bce_with_logits", clamped_bce)]
    for name, fn in wrong:
        assert not checks.check(name, fn), (name, fn)
    out = capsys.readouterr().out
    assert out.count("❌") == len(wrong) and "Traceback" not in out


def _mean_loss(x, y, coef, kind, delta):
    r = y - (coef[0] * x + coef[1])
    if kind == "mse":
        return (r**2).mean()
    if kind == "mae":
        return r.abs().mean()
    return F.huber_loss(coef[0] * x + coef[1], y, delta=delta)


@pytest.mark.parametrize("kind", ["mse", "mae", "huber"])
@pytest.mark.parametrize("delta", [0.3, 1.0, 4.0])
def test_outlier_fit_lines_minimize_their_loss(kind, delta):
    from course_utils.data import make_regression
    x, y = make_regression(n=30, noise=0.3, outliers=0.2, seed=1)
    x, y = x[:, 0].double(), y[:, 0].double()
    coef = losses.fit_line(x, y, kind, delta)
    best = _mean_loss(x, y, coef, kind, delta)
    for d in torch.tensor([[1e-2, 0], [-1e-2, 0], [0, 1e-2], [0, -1e-2], [1e-2, 1e-2], [1e-2, -1e-2]],
                          dtype=torch.float64):
        assert best <= _mean_loss(x, y, coef + d, kind, delta) + 1e-9  # no better line nearby
    if kind == "mse":
        A = torch.stack([x, torch.ones_like(x)], dim=1)
        assert torch.allclose(coef, torch.linalg.lstsq(A, y.unsqueeze(1)).solution[:, 0])


def test_loss_curves_derivatives_are_the_formulas():
    r = torch.linspace(-4, 4, 161)
    curves = losses.regression_loss_curves(r, 1.5, 0.5)
    (mse, g_mse), (mae, g_mae), (huber, g_huber), (sl1, g_sl1) = curves.values()
    assert torch.allclose(g_mse, 2 * r) and torch.allclose(g_mae, torch.sign(r))
    assert torch.allclose(g_huber, r.clamp(-1.5, 1.5)) and torch.allclose(g_sl1, (r / 0.5).clamp(-1, 1))
    assert torch.allclose(sl1, F.smooth_l1_loss(r, torch.zeros_like(r), reduction="none", beta=0.5))
    assert list(curves)[2] == "Huber, δ = 1.50"


def test_cross_entropy_explorer_shows_the_loss_of_the_true_class():
    from course_utils.widgets import cross_entropy_explorer

    widget = cross_entropy_explorer()
    widget.controls["true_class"].value = 2
    z = torch.tensor([[widget.controls[k].value for k in ("z0", "z1", "z2")]])
    expected = F.cross_entropy(z, torch.tensor([2])).item()
    fig = widget.draw(**widget.values())
    assert f"= {expected:.3f}" in fig.axes[0].get_title()
    heights = [bar.get_height() for bar in fig.axes[1].patches]
    assert heights == pytest.approx((torch.softmax(z, 1) - F.one_hot(torch.tensor([2]), 3))[0].tolist(), abs=1e-6)


def test_fit_line_refuses_unknown_losses_and_mismatched_points():
    x = torch.tensor([0.0, 1.0, 2.0])
    torch.testing.assert_close(losses.fit_line(x, 3 * x - 1), torch.tensor([3.0, -1.0], dtype=torch.float64))
    with pytest.raises(ValueError, match="`loss`"):
        losses.fit_line(x, x, "hinge")
    with pytest.raises(ValueError, match="same number"):
        losses.fit_line(x, x[:2])


def test_regression_loss_curves_are_the_torch_losses():
    r = torch.linspace(-3, 3, 31)
    curves = losses.regression_loss_curves(r, delta=0.7, beta=1.3)
    zero = torch.zeros_like(r)
    want = [F.mse_loss(r, zero, reduction="none"), F.l1_loss(r, zero, reduction="none"),
            F.huber_loss(r, zero, reduction="none", delta=0.7), F.smooth_l1_loss(r, zero, reduction="none", beta=1.3)]
    for (value, grad), ref in zip(curves.values(), want):
        torch.testing.assert_close(value, ref)
        assert grad.shape == r.shape and not grad.requires_grad
