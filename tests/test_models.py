"""course_utils.models: convolution and max-pooling from scratch against torch.nn.functional, the output-size
formula against nn.Conv2d, the chapter's models (shapes, parameter counts, the fixes of the source), a short
training run, checkpoints, the data path the chapter relies on, the CNN chapter's exercises and its widget."""

import gzip
import struct

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils import checks, data, models, widgets
from course_utils.checks import cnn as cnn_checks

# ------------------------------------------------------------------------------------------ output-size formula


@pytest.mark.parametrize("size", [1, 5, 7, 28, 31])
@pytest.mark.parametrize("kernel", [1, 2, 3, 5])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", [0, 1, 2])
def test_conv_output_size_matches_nn_conv2d(size, kernel, stride, padding):
    for dilation in (1, 2):
        span = dilation * (kernel - 1) + 1
        if size + 2 * padding < span:
            with pytest.raises(ValueError, match="larger than the padded input"):
                models.conv_output_size(size, kernel, stride, padding, dilation)
            continue
        conv = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
        out = conv(torch.zeros(1, 1, size, size))
        assert models.conv_output_size(size, kernel, stride, padding, dilation) == out.shape[-1]


def test_conv_output_size_of_the_simple_cnn():
    side = 28
    for _ in range(2):  # conv 5×5 padding 2 keeps the size, max-pool 2 halves it
        side = models.conv_output_size(side, 5, 1, 2)
        side = models.conv_output_size(side, 2, 2)
    assert side == 7 and 64 * side * side == 3136


@pytest.mark.parametrize("bad", [{"size": 0}, {"kernel_size": 2.0}, {"stride": 0}, {"padding": -1},
                                 {"dilation": True}])
def test_conv_output_size_names_the_bad_argument(bad):
    args = {"size": 8, "kernel_size": 3, "stride": 1, "padding": 0, "dilation": 1, **bad}
    name = next(iter(bad))
    with pytest.raises(ValueError, match=f"`{name}`"):
        models.conv_output_size(**args)


# ----------------------------------------------------------------------------------------------------- conv2d

CONV_CASES = [  # input shape, weight shape, bias, stride, padding
    ((2, 3, 11, 9), (5, 3, 3, 4), True, 1, 0),
    ((2, 3, 11, 9), (5, 3, 3, 3), True, 2, 1),
    ((1, 1, 28, 28), (32, 1, 5, 5), True, 1, 2),
    ((4, 32, 14, 14), (64, 32, 5, 5), True, 1, 2),
    ((2, 2, 8, 8), (3, 2, 3, 3), False, (2, 3), (1, 2)),
    ((1, 2, 5, 5), (4, 2, 5, 5), True, 1, 0),      # kernel as large as the input: one output pixel
    ((3, 4, 6, 7), (2, 4, 1, 1), True, 1, 0),      # 1×1 kernel: a per-pixel linear layer over channels
    ((2, 1, 9, 9), (2, 1, 2, 2), True, 4, 0),      # stride larger than the kernel: pixels skipped
    ((1, 1, 3, 3), (1, 1, 3, 3), False, 1, 3),     # more padding than image
]


@pytest.mark.parametrize("in_shape, w_shape, has_bias, stride, padding", CONV_CASES)
def test_conv2d_equals_torch(in_shape, w_shape, has_bias, stride, padding):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(in_shape, generator=g, dtype=torch.float64)
    w = torch.randn(w_shape, generator=g, dtype=torch.float64)
    b = torch.randn(w_shape[0], generator=g, dtype=torch.float64) if has_bias else None
    got = models.conv2d(x, w, b, stride=stride, padding=padding)
    want = F.conv2d(x, w, b, stride=stride, padding=padding)
    assert got.shape == want.shape
    torch.testing.assert_close(got, want, atol=1e-10, rtol=1e-10)


def test_conv2d_equals_nn_conv2d_in_float32_and_has_the_same_gradients():
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 6, 3, stride=2, padding=1)
    x = torch.randn(4, 3, 10, 10, requires_grad=True)
    ours = models.conv2d(x, conv.weight, conv.bias, stride=2, padding=1)
    torch.testing.assert_close(ours, conv(x), atol=1e-5, rtol=1e-5)
    grads_ours = torch.autograd.grad(ours.square().sum(), [x, conv.weight, conv.bias])
    grads_torch = torch.autograd.grad(conv(x).square().sum(), [x, conv.weight, conv.bias])
    for a, b in zip(grads_ours, grads_torch):
        torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)


def test_conv2d_on_edge_inputs():
    x = torch.zeros(1, 1, 4, 4)
    w = torch.randn(2, 1, 3, 3)
    assert torch.equal(models.conv2d(x, w), torch.zeros(1, 2, 2, 2))  # zeros in, zeros out (no bias)
    x = torch.randn(3, 6, 6)  # unbatched, as F.conv2d allows
    w = torch.randn(2, 3, 3, 3)
    torch.testing.assert_close(models.conv2d(x, w, padding=1), F.conv2d(x, w, padding=1))
    delta = torch.zeros(1, 1, 5, 5)
    delta[0, 0, 2, 2] = 1.0  # a single bright pixel: the output is the kernel, flipped (cross-correlation!)
    k = torch.arange(9.0).reshape(1, 1, 3, 3)
    assert torch.equal(models.conv2d(delta, k, padding=1)[0, 0, 1:4, 1:4], k[0, 0].flip(0, 1))
    big = torch.full((1, 1, 4, 4), 1e30)
    assert torch.isfinite(models.conv2d(big, torch.full((1, 1, 2, 2), 1e-30))).all()


@pytest.mark.parametrize("args, message", [
    ((torch.zeros(1, 3, 5, 5), torch.zeros(2, 2, 3, 3)), "expects 2 input channels"),
    ((torch.zeros(5, 5), torch.zeros(2, 1, 3, 3)), "4-D"),
    ((torch.zeros(1, 1, 5, 5), torch.zeros(3, 3)), "`weight` must be 4-D"),
    ((torch.zeros(1, 1, 5, 5), torch.zeros(2, 1, 3, 3), torch.zeros(3)), "one per output channel"),
    ((torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 3, 3)), "larger than the padded input"),
])
def test_conv2d_errors_name_the_argument(args, message):
    with pytest.raises(ValueError, match=message):
        models.conv2d(*args)
    with pytest.raises(ValueError, match="`stride`"):
        models.conv2d(torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3), stride=0)


# ------------------------------------------------------------------------------------------------- max_pool2d


@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), (3, 2, 1), (3, 1, 0), ((2, 3), (1, 2), (1, 1)),
                                                     (5, 5, 2), (1, None, 0)])
def test_max_pool2d_equals_torch(kernel, stride, padding):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 11, 10, generator=g) - 3  # mostly negative: zero padding would win, −∞ must not
    torch.testing.assert_close(models.max_pool2d(x, kernel, stride, padding),
                               F.max_pool2d(x, kernel, stride, padding), atol=0, rtol=0)


def test_max_pool2d_unbatched_gradient_and_errors():
    x = torch.randn(3, 8, 8, requires_grad=True)
    ours = models.max_pool2d(x, 2)
    torch.testing.assert_close(ours, F.max_pool2d(x, 2))
    (g_ours,) = torch.autograd.grad(ours.sum(), x)
    (g_torch,) = torch.autograd.grad(F.max_pool2d(x, 2).sum(), x)
    assert torch.equal(g_ours, g_torch)  # the gradient flows only to each window's maximum
    with pytest.raises(ValueError, match="at most half"):
        models.max_pool2d(torch.zeros(1, 1, 8, 8), 2, padding=2)
    with pytest.raises(ValueError, match="`kernel_size`"):
        models.max_pool2d(torch.zeros(1, 1, 8, 8), 0)


# ----------------------------------------------------------------------------------------------------- models


@pytest.mark.parametrize("factory, n_params", [
    (models.MLP, 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10),
    (models.SimpleCNN, 32 * 25 + 32 + 64 * 32 * 25 + 64 + 3136 * 1000 + 1000 + 1000 * 10 + 10),
    (models.ResNetSmall, 14_978),
])
def test_models_map_images_to_logits_and_count_their_parameters(factory, n_params):
    model = factory()
    assert model(torch.randn(5, 1, 28, 28)).shape == (5, 10)
    assert sum(p.numel() for p in model.parameters()) == n_params


def test_mlp_flattens_and_takes_other_sizes():
    mlp = models.MLP()
    x = torch.randn(3, 1, 28, 28)
    torch.testing.assert_close(mlp(x), mlp(x.reshape(3, 784)))
    assert models.MLP(in_features=4, hidden=(8,), num_classes=3)(torch.randn(2, 4)).shape == (2, 3)


def test_log_softmax_with_nll_equals_cross_entropy_on_logits():
    logits, y = torch.randn(16, 10), torch.randint(0, 10, (16,))
    torch.testing.assert_close(F.nll_loss(F.log_softmax(logits, dim=1), y), F.cross_entropy(logits, y))


def test_simple_cnn_keeps_a_relu_between_its_linear_layers():
    cnn = models.SimpleCNN().eval()
    seen = []
    cnn.relu.register_forward_hook(lambda m, i, o: seen.append(True))
    cnn(torch.randn(2, 1, 28, 28))
    assert seen == [True]
    # without the ReLU fc2∘fc1 is one linear map: W = W2 W1, b = W2 b1 + b2
    h = torch.randn(4, 3136)
    W = cnn.fc2.weight @ cnn.fc1.weight
    b = cnn.fc2.weight @ cnn.fc1.bias + cnn.fc2.bias
    torch.testing.assert_close(cnn.fc2(cnn.fc1(h)), h @ W.T + b, atol=1e-4, rtol=1e-4)
    assert not torch.allclose(cnn.fc2(cnn.relu(cnn.fc1(h))), h @ W.T + b, atol=1e-3)
    with pytest.raises(ValueError, match="28×28"):
        cnn(torch.randn(1, 1, 32, 32))


def test_resblock_keeps_the_shape_and_is_the_identity_path_when_its_last_bn_is_zero():
    block = models.ResBlock(6)
    x = torch.randn(2, 6, 9, 9)
    assert block(x).shape == x.shape
    assert sum(p.numel() for p in block.parameters()) == 2 * 6 * 6 * 9 + 2 * 2 * 6  # no conv bias before BN
    x_before = x.clone()
    block(x)
    assert torch.equal(x, x_before)  # the input is not modified in place
    nn.init.zeros_(block.bn2.weight)
    nn.init.zeros_(block.bn2.bias)
    torch.testing.assert_close(block(x), torch.relu(x))


def test_resblock_is_the_identity_only_with_zero_init_residual():
    torch.manual_seed(0)
    block = models.ResBlock(3)
    x = torch.relu(torch.randn(8, 3, 6, 6))  # a block's input follows a ReLU: non-negative
    correction = block.bn2(block.conv2(block.relu(block.bn1(block.conv1(x)))))
    torch.testing.assert_close(correction.transpose(0, 1).flatten(1).std(dim=1), torch.ones(3), atol=0.02, rtol=0)
    assert not torch.allclose(block(x), x, atol=0.1)  # γ = 1 (the default): far from the identity
    nn.init.zeros_(block.bn2.weight)                  # zero_init_residual
    assert torch.equal(block(x), x)


def test_a_short_training_run_lowers_the_loss():
    torch.manual_seed(0)
    x = torch.randn(64, 1, 28, 28)
    y = torch.randint(0, 10, (64,))
    for model in (models.MLP(), models.SimpleCNN(hidden=32, dropout=0.0), models.ResNetSmall()):
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        first = None
        for _ in range(15):
            loss = F.cross_entropy(model(x), y)
            first = loss.item() if first is None else first
            opt.zero_grad()
            loss.backward()
            opt.step()
        assert loss.item() < 0.8 * first, type(model).__name__


def test_checkpoints_round_trip_with_weights_only(tmp_path):
    torch.manual_seed(0)
    model = models.ResNetSmall()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.randn(8, 1, 28, 28), torch.randint(0, 10, (8,))
    F.cross_entropy(model(x), y).backward()
    opt.step()
    path = tmp_path / "ckpt.pt"
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, path)
    ckpt = torch.load(path, weights_only=True)
    fresh = models.ResNetSmall()
    fresh.load_state_dict(ckpt["model"])
    fresh_opt = torch.optim.Adam(fresh.parameters(), lr=1e-3)
    fresh_opt.load_state_dict(ckpt["optimizer"])
    model.eval()
    fresh.eval()
    torch.testing.assert_close(fresh(x), model(x))
    assert ckpt["epoch"] == 3 and fresh_opt.state_dict()["state"][0]["step"] == 1
    torch.save({"obj": _NotATensor()}, tmp_path / "evil.pt")
    with pytest.raises(Exception, match="weights_only"):
        torch.load(tmp_path / "evil.pt", weights_only=True)


class _NotATensor:
    """A custom object: unpickling it would run arbitrary code, so weights_only=True refuses it."""


# --------------------------------------------------------------------------- the data path the chapter relies on


def _write_idx(path, array, magic):
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape))
        f.write(array.numpy().tobytes())


@pytest.mark.parametrize("source", ["idx", "fallback"])
def test_normalizing_the_uint8_data_equals_the_torchvision_transform(source, tmp_path, capsys):
    from torchvision import transforms

    if source == "idx":  # a tiny MNIST in the real file format, read by torchvision's own reader
        raw = tmp_path / "MNIST" / "raw"
        raw.mkdir(parents=True)
        images = torch.randint(0, 256, (6, 28, 28), dtype=torch.uint8)
        labels = torch.tensor([3, 1, 4, 1, 5, 9], dtype=torch.uint8)
        for prefix in ("train", "t10k"):
            for name, array, magic in [("images-idx3", images, 2051), ("labels-idx1", labels, 2049)]:
                _write_idx(raw / f"{prefix}-{name}-ubyte.gz", array, magic)
                (raw / f"{prefix}-{name}-ubyte").write_bytes(gzip.open(raw / f"{prefix}-{name}-ubyte.gz").read())
    ds = data.load_mnist(root=tmp_path, download=False)
    out = capsys.readouterr().out
    assert ("MNIST not found" in out) == (source == "fallback")
    pixels = ds.data.float() / 255  # what ToTensor does to a uint8 image
    mean, std = pixels.mean().item(), pixels.std().item()
    ds.transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((mean,), (std,))])
    for i in (0, len(ds) - 1):
        x, label = ds[i]
        torch.testing.assert_close(x, ((pixels[i] - mean) / std).unsqueeze(0))
        assert label == int(ds.targets[i])


# ------------------------------------------------------------------------------------------------- exercises


def test_cnn_solutions_pass(capsys):
    assert checks.check("conv_output_size", cnn_checks.conv_output_size)
    assert checks.check("conv2d_unfold", cnn_checks.conv2d_unfold)
    assert checks.check("merge_linear_layers", cnn_checks.merge_linear_layers)
    assert checks.check("test_function", cnn_checks.test)
    for name in ("conv_output_size", "conv2d_unfold", "merge_linear_layers", "test_function"):
        assert checks.check(name, None).status == "not attempted"


def _no_eval(model, loader, loss_fn):
    with torch.no_grad():
        n = sum(len(y) for _, y in loader)
        loss = sum(loss_fn(model(x), y).item() * len(y) for x, y in loader) / n
        acc = sum((model(x).argmax(1) == y).sum().item() for x, y in loader) / n
    return loss, acc


def _mean_of_batch_means(model, loader, loss_fn):
    model.eval()
    with torch.no_grad():
        loss = sum(loss_fn(model(x), y).item() for x, y in loader) / len(loader)
        n = sum(len(y) for _, y in loader)
        acc = sum((model(x).argmax(1) == y).sum().item() for x, y in loader) / n
    return loss, acc


def _mean_of_batch_means_back_in_training_mode(model, loader, loss_fn):
    """Evaluates in eval mode, then puts the model back in training mode: its only slip is the batch means."""
    loss, acc = _mean_of_batch_means(model, loader, loss_fn)
    model.train()
    return loss, acc


def _merge_without_bias_path(fc1, fc2):
    merged = nn.Linear(fc1.in_features, fc2.out_features)
    with torch.no_grad():
        merged.weight.copy_(fc2.weight @ fc1.weight)
        merged.bias.copy_(fc2.bias)
    return merged


def _unfold_without_bias(x, w, b=None, stride=1, padding=0):
    return cnn_checks.conv2d_unfold(x, w, None, stride, padding)


@pytest.mark.parametrize("name, wrong, says", [
    ("conv_output_size", lambda n, k, s=1, p=0: (n + 2 * p - k) / s + 1, "should be an int"),
    ("conv_output_size", lambda n, k, s=1, p=0: (n + p - k) // s + 1, "the output size"),
    ("conv_output_size", lambda n, k, s=1, p=0: (n + 2 * p - k) // s, "the output size"),
    ("conv2d_unfold", _unfold_without_bias, "your convolution"),
    ("conv2d_unfold", lambda x, w, b=None, s=1, p=0: F.conv2d(x, w, b, s, p).flip(-1), "your convolution"),
    ("merge_linear_layers", _merge_without_bias_path, "merged(x)"),
    ("merge_linear_layers", lambda fc1, fc2: nn.Sequential(fc1, fc2), "return an nn.Linear"),
    ("merge_linear_layers", lambda fc1, fc2: fc1.weight.T @ fc2.weight.T, "return an nn.Linear"),
    ("test_function", _no_eval, "switch it to evaluation mode"),
    ("test_function", _mean_of_batch_means, "average of the batch means"),
    ("test_function", _mean_of_batch_means_back_in_training_mode, "average of the batch means"),
    ("test_function", lambda m, loader, f: cnn_checks.test(m, loader, f)[::-1], "the mean loss"),
    ("test_function", lambda m, loader, f: cnn_checks.test(m, loader, f)[0], "return two numbers"),
])
def test_cnn_checkers_catch_typical_mistakes(name, wrong, says, wrong_verdict):
    out = wrong_verdict(name, wrong)
    assert says.lower() in out.lower(), out


# --------------------------------------------------------------------------------------------------- widget


def test_cnn_explorer_on_a_given_model_shows_mistakes_and_every_layer():
    torch.manual_seed(0)
    model = models.ResNetSmall()
    images, labels = torch.randn(12, 1, 28, 28), torch.randint(0, 10, (12,))
    widget = widgets.cnn_explorer(model, images, labels)
    assert widget.renders == 1 and widget.last_error is None
    layers = widget.controls["layer"].options
    assert len(layers) == 6 and model.training  # every conv; the model's mode is left as it was
    widget.controls["which"].value = "misclassified"
    with torch.no_grad():
        model.eval()
        n_wrong = int((model(images).argmax(1) != labels).sum())
    assert widget.controls["example"].max == n_wrong - 1
    widget.controls["layer"].value = layers[-1]
    assert widget.controls["channel"].max == 15
    widget.controls["channel"].value = 15
    assert widget.last_error is None and "16/16" in widget.draw(**widget.values()).axes[2].get_title()
    with pytest.raises(ValueError, match="no nn.Conv2d"):
        widgets.cnn_explorer(models.MLP(), images, labels)


def test_cnn_trainer_plans_without_training_and_trains_on_press():
    widget = widgets.cnn_trainer(train_size=128, val_size=64)
    suptitle = widget.draw(**widget.values())._suptitle
    widget.controls["model"].value = "ResNetSmall"
    assert "14,978 parameters" in suptitle.get_text() and "not trained yet" in widget.message.value + \
        widget.draw(**widget.values()).axes[0].get_title()
    widget.controls["epochs"].value = 2
    assert "2 epochs × 2 batches of 64 = 4 steps" in suptitle.get_text()
    before, renders = widget.image.value, widget.renders
    widget.press("Train")
    assert widget.last_error is None
    assert widget.renders == renders + 3  # after each of the 2 epochs (live curves), then once more
    assert widget.image.value != before
    fig = widget.draw(**widget.values())
    assert "last run: ResNetSmall" in fig.axes[0].get_title()
    assert len(fig.axes[0].lines[0].get_xdata()) == 2  # one point per epoch
    widget.controls["model"].value = "MLP"  # moving a control does not train: the curves stay
    assert "last run: ResNetSmall" in fig.axes[0].get_title()
