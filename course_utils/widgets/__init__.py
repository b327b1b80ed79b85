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

Each module registers its builders with ``@builder``. Every such module is imported below, so a new widget needs
only a new file; each builder is then ``course_utils.widgets.<its name>``.
"""

import importlib
import pkgutil

# Besides the framework: public names released here that now live in their concept's module.
from ..init import INIT_SCHEMES, first_layer_gradients, init_activation_stats, init_weight_scale
from ..plot import new_figure
from ..regularization import train_regularized_mlp
from ._core import BUILDERS, LivePlot, builder, slider
from ._render import FigureRenderer, PixelImage, fixed_labels, fixed_title, freeze
from .playground_view import PlaygroundView
from .playground_widget import PlaygroundWidget

__all__ = [
    "LivePlot", "BUILDERS", "builder", "slider", "FigureRenderer", "PixelImage", "freeze", "fixed_labels",
    "fixed_title", "new_figure", "PlaygroundWidget", "PlaygroundView", "INIT_SCHEMES", "init_weight_scale",
    "init_activation_stats", "first_layer_gradients", "train_regularized_mlp",
]

for _info in pkgutil.iter_modules(__path__):
    if not _info.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_info.name}")

globals().update(BUILDERS)  # every builder as course_utils.widgets.<name>
__all__ += sorted(BUILDERS)
