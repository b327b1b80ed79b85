"""Plot helpers return figures with what they promise drawn on them."""

import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from course_utils import plot
from course_utils.data import make_blobs, make_xor
from course_utils.train import History


def test_history_plot_has_loss_and_accuracy_panels():
    h = History(train_loss=[1.0, 0.5, 0.2], val_loss=[1.1, 0.6, 0.4], train_acc=[0.5, 0.7, 0.9],
                val_acc=[0.4, 0.6, 0.8])
    fig = h.plot()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in loss_ax.get_lines()] == ["train", "validation"]
    assert list(loss_ax.get_lines()[1].get_ydata()) == [1.1, 0.6, 0.4]
    assert acc_ax.get_title() == "Accuracy"


def test_history_without_accuracy_draws_one_panel():
    fig = plot.plot_history(History(train_loss=[3.0, 2.0]))
    assert len(fig.axes) == 1 and len(fig.axes[0].get_lines()) == 1


def test_decision_boundary_colours_the_predicted_class():
    X, y = make_xor(n=40, noise=0.0)

    def rule(points):  # the exact XOR rule as "logits" for two classes
        s = (points[:, 0] * points[:, 1] < 0).float()
        return torch.stack([1 - s, s], dim=1)

    fig = plot.plot_decision_boundary(rule, X, y)
    ax = fig.axes[0]
    image = ax.get_images()[0].get_array()
    # the grid is 150x150 over [-1.5, 1.5]^2: top-left quadrant (x<0, y>0) is class 1, bottom-left class 0
    assert image[-10, 10] == 1 and image[10, 10] == 0
    assert len(ax.collections) >= 1  # the scattered points


def test_decision_boundary_threshold_for_single_outputs_and_module_mode():
    X, y = make_blobs(n=30, centers=2, seed=0)
    model = nn.Sequential(nn.Linear(2, 1), nn.Dropout(0.5))
    model.train()
    fig = plot.plot_decision_boundary(model, X, y, threshold=0.0)
    assert model.training  # mode restored
    assert set(fig.axes[0].get_images()[0].get_array().flatten().tolist()) <= {0, 1}
    with pytest.raises(ValueError, match="X"):
        plot.plot_decision_boundary(model, torch.zeros(5, 3))


def test_show_images_titles_predictions_in_red_when_wrong():
    images = torch.rand(5, 1, 8, 8)
    fig = plot.show_images(images, labels=[1, 2, 3, 4, 5], predictions=[1, 2, 0, 4, 5], ncols=3)
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert len(fig.axes) == 6 and len(titled) == 5
    assert titled[2].get_title() == "0/3" and titled[2].title.get_color() == "red"
    with pytest.raises(ValueError, match="images"):
        plot.show_images(torch.rand(2, 5, 8, 8))


def test_skeleton_names_every_part():
    texts = " ".join(t.get_text() for t in plot.plot_skeleton().axes[0].texts)
    for part in ("input", "hidden layer", "activation", "output layer", "loss", "optimizer", "backward()", "step()"):
        assert part in texts


def test_fig_to_png_is_a_png():
    fig, _ = plot.new_figure()
    assert plot.fig_to_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"


def test_history_plot_ticks_whole_epochs_only():
    h = History(train_loss=[1.06, 0.4], val_loss=[0.24, 0.2], train_acc=[0.7, 0.9], val_acc=[0.9, 0.95])
    fig = plot.plot_history(h)
    fig.canvas.draw()  # tick locations are computed at draw time
    for ax in fig.axes:
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks


def test_grid_2d_rows_are_constant_y_bottom_first_and_centres_sit_inside_cells():
    from course_utils.plot import grid_2d

    gx, gy, points = grid_2d((-1.0, 1.0), (0.0, 4.0), 5)
    assert gx.shape == gy.shape == (5, 5) and points.shape == (25, 2)
    image = (points[:, 0] + 10 * points[:, 1]).reshape(5, 5)  # a model's output reshaped as an image
    assert torch.equal(image, gx + 10 * gy)
    assert torch.equal(gy[:, 0], torch.linspace(0.0, 4.0, 5)) and torch.equal(gx[0], torch.linspace(-1.0, 1.0, 5))
    _, _, centres = grid_2d((0.0, 1.0), (0.0, 1.0), 4, cell_centres=True, dtype=torch.float64)
    assert centres.dtype == torch.float64
    assert torch.allclose(centres[:4, 0], torch.tensor([0.125, 0.375, 0.625, 0.875], dtype=torch.float64))


def test_plot_broadcast_draws_each_operand_at_the_results_shape():
    from course_utils.plot import plot_broadcast

    fig = plot_broadcast(torch.tensor([[0.0], [10.0], [20.0]]), torch.tensor([1.0, 2.0, 3.0, 4.0]))
    a_ax, b_ax, out_ax = fig.axes
    assert [len(ax.patches) for ax in fig.axes] == [12, 12, 12]
    assert [round(p.get_alpha(), 2) for p in a_ax.patches].count(0.55) == 3  # a's own column; the rest are copies
    assert [round(p.get_alpha(), 2) for p in b_ax.patches].count(0.55) == 4  # b's own row
    assert [t.get_text() for t in out_ax.texts][:4] == ["1", "2", "3", "4"] and out_ax.texts[-1].get_text() == "24"
    assert "(3, 4)" in out_ax.get_title()


def test_plot_broadcast_refuses_what_it_cannot_draw():
    from course_utils.plot import plot_broadcast

    with pytest.raises(ValueError, match="`op` must be one of"):
        plot_broadcast(torch.ones(2), torch.ones(2), op="%")
    with pytest.raises(ValueError, match="at most 2 dimensions"):
        plot_broadcast(torch.ones(2, 2, 2), torch.ones(2))
    with pytest.raises(RuntimeError):  # PyTorch's own message: the shapes do not broadcast
        plot_broadcast(torch.ones(2, 3), torch.ones(2))
