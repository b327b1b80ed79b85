"""Interactive widgets for the chapters. Each builder returns the widget; display it as a cell's last line.

Every live widget is a :class:`LivePlot`: controls on top, a picture below, a message line for errors. Moving a
control calls ``update()``, which redraws one small figure (target: under 100 ms, measured in ``benchmarks/``).
Anything that trains uses a button instead of reacting to every slider tick. An exception while drawing is shown
in the widget as a readable line; it never breaks the notebook.

The framework lives in ``_core`` (``LivePlot``, ``BUILDERS``, ``@builder``) and ``_render`` (the fast renderer);
each concept's widgets live in their own module here, named like the concept's module of ``course_utils``:

    chapter                          module                                builders
    00 set-up, 01 perceptron         perceptron                            neuron_explorer, perceptron_playground
    02 activation functions          activations                           activation_explorer, vanishing_gradients
    03 backpropagation               autograd                              backprop_stepper
    04 weight initialization         init                                  init_explorer
    05 loss functions                losses                                loss_curves, outlier_fit,
                                                                           cross_entropy_explorer
    06 optimizers and schedules      optim                                 optimizer_race, schedule_explorer
    07 regularization                regularization                        regularization_playground
    08 a CNN on MNIST                cnn                                   cnn_explorer, cnn_trainer
    09 network playground            playground_widget, playground_view    playground

Each module registers its builders with ``@builder`` (in ``BUILDERS``, by name); each builder is imported below
by name, so ``course_utils.widgets.<its name>`` is the builder and editors and type checkers see it. A new widget
adds its import line and its name in ``__all__`` here (a test fails until it does).
"""

# Besides the framework: public names released here that now live in their concept's module.
from ..init import INIT_SCHEMES, first_layer_gradients, init_activation_stats, init_weight_scale
from ..plot import new_figure
from ..regularization import train_regularized_mlp
from ._core import BUILDERS, LivePlot, Stage, Training, builder, slider
from ._render import FigureRenderer, PixelImage, fixed_labels, fixed_title, freeze
from .activations import activation_explorer, vanishing_gradients
from .autograd import backprop_stepper
from .cnn import cnn_explorer, cnn_trainer
from .init import init_explorer
from .losses import cross_entropy_explorer, loss_curves, outlier_fit
from .optim import optimizer_race, schedule_explorer
from .perceptron import neuron_explorer, perceptron_playground
from .playground_view import PlaygroundView
from .playground_widget import PlaygroundWidget, playground
from .regularization import regularization_playground

__all__ = [
    "LivePlot", "Stage", "Training", "BUILDERS", "builder", "slider", "FigureRenderer", "PixelImage", "freeze", "fixed_labels",
    "fixed_title", "new_figure", "PlaygroundWidget", "PlaygroundView", "INIT_SCHEMES", "init_weight_scale",
    "init_activation_stats", "first_layer_gradients", "train_regularized_mlp",
    # the builders, one line per module (the map above)
    "activation_explorer", "vanishing_gradients",
    "backprop_stepper",
    "cnn_explorer", "cnn_trainer",
    "init_explorer",
    "cross_entropy_explorer", "loss_curves", "outlier_fit",
    "optimizer_race", "schedule_explorer",
    "neuron_explorer", "perceptron_playground",
    "playground",
    "regularization_playground",
]
