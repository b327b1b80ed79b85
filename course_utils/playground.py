"""The network playground: a small network on 2-D data, every setting a learner can change, and its own code.

A :class:`Settings` (frozen dataclass, or the plain dict/JSON it turns into) says everything about a run: the data
set, its noise and train/test split, the input features, the hidden layers, the activation, the initialization,
the optimizer, its learning rate and batch size, the regularization, the learning-rate schedule and two seeds. A
:class:`Playground` holds the data, the model, the optimizer and the loss history for one ``Settings`` and trains
it ``step(epochs)`` at a time; ``reset()`` goes back to epoch 0, ``regenerate()`` draws new data. It is seeded: the
same settings give the same curves, bit for bit, whatever else the notebook does with the random generators.

:func:`export_code` writes the same run as a standalone PyTorch script (the data generator inlined, no
``course_utils`` import), which reaches the same losses as the playground. The widget that drives all of this is
``course_utils.widgets.playground``; :data:`PRESETS` are named settings a teacher can load.

    from course_utils.playground import Playground
    pg = Playground(preset="xor-needs-hidden-layer").step(100)
    pg.test_accuracy            # 0.5-ish: no straight line separates XOR
    pg.configure(hidden=(4,)).step(100).test_accuracy   # 1.0
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import math
import os
import textwrap
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import torch
from torch import nn

from . import data as _data
from . import num_threads, validation
from .i18n import N_, _

__all__ = [
    "Settings", "Playground", "PRESETS", "export_code", "load_preset", "make_data", "expand_features",
    "build_model", "DATASETS", "FEATURES", "FEATURE_LABELS", "ACTIVATIONS", "INITS", "OPTIMIZERS",
    "REGULARIZATIONS", "SCHEDULES", "LR_CHOICES", "REG_RATE_CHOICES",
]

DATASETS = ("xor", "circles", "moons", "spirals", "blobs", "regression")
# Each input feature as the expression that computes it from the columns x1, x2 (shape (n,)). The playground
# evaluates these very strings, and export_code writes them into the script, so both compute the same numbers.
FEATURE_CODE = {
    "x1": "x1", "x2": "x2", "x1^2": "x1 * x1", "x2^2": "x2 * x2", "x1*x2": "x1 * x2",
    "sin(x1)": "torch.sin(x1)", "sin(x2)": "torch.sin(x2)",
}
FEATURES = tuple(FEATURE_CODE)
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂",
                  "sin(x1)": N_("sin x₁"), "sin(x2)": N_("sin x₂")}  # the widget's checkboxes show them with _()
_FEATURE_FNS = {name: eval(f"lambda x1, x2: {code}", {"torch": torch}) for name, code in FEATURE_CODE.items()}

# activation name -> the nn module (as code); "linear" is no activation at all (nn.Identity)
_ACTIVATION_CODE = {"relu": "nn.ReLU()", "tanh": "nn.Tanh()", "sigmoid": "nn.Sigmoid()",
                    "linear": "nn.Identity()", "gelu": "nn.GELU()"}
ACTIVATIONS = tuple(_ACTIVATION_CODE)
# The labels below are English in figures; the widget's menus show them translated (N_ marks them for the catalog).
ACTIVATION_LABELS = {"relu": "ReLU", "tanh": "tanh", "sigmoid": "sigmoid", "linear": N_("linear (none)"),
                     "gelu": "GELU"}
# init name -> the torch.nn.init calls for one nn.Linear `layer` ("default" keeps nn.Linear's own init)
_INIT_CODE = {
    "default": [],
    "xavier_uniform": ["nn.init.xavier_uniform_(layer.weight)", "nn.init.zeros_(layer.bias)"],
    "xavier_normal": ["nn.init.xavier_normal_(layer.weight)", "nn.init.zeros_(layer.bias)"],
    "kaiming_uniform": ["nn.init.kaiming_uniform_(layer.weight, nonlinearity=\"relu\")",
                        "nn.init.zeros_(layer.bias)"],
    "kaiming_normal": ["nn.init.kaiming_normal_(layer.weight, nonlinearity=\"relu\")", "nn.init.zeros_(layer.bias)"],
    "normal": ["nn.init.normal_(layer.weight, mean=0.0, std=1.0)", "nn.init.zeros_(layer.bias)"],
    "zeros": ["nn.init.zeros_(layer.weight)", "nn.init.zeros_(layer.bias)"],
}
INITS = tuple(_INIT_CODE)
INIT_LABELS = {"default": N_("PyTorch default"), "xavier_uniform": N_("Xavier uniform"),
               "xavier_normal": N_("Xavier normal"), "kaiming_uniform": N_("Kaiming uniform"),
               "kaiming_normal": N_("Kaiming normal"), "normal": "N(0, 1)", "zeros": N_("all zeros")}
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": N_("SGD + momentum 0.9"), "adam": "Adam", "rmsprop": "RMSprop"}
REGULARIZATIONS = ("none", "l1", "l2")
SCHEDULES = ("none", "step", "cosine")
# The values the widget's sliders offer (as TensorFlow Playground's menus); Settings accepts any positive lr.
LR_CHOICES = (1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATE_CHOICES = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
MAX_LAYERS, MAX_UNITS, MAX_POINTS = 6, 32, 2000
SPIRAL_TURNS = 1.5


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything about one playground run. Frozen: change it with ``dataclasses.replace`` or
    ``Playground.configure(**changes)``, which check the new values. Names are case-insensitive on input.

    ``hidden`` is the width of each hidden layer, input side first (``()``: no hidden layer, a linear model).
    ``reg_rate`` is λ in ``loss + λ·Σ|w|`` (L1) or ``loss + λ·½Σw²`` (L2), over the weights, not the biases.
    The "step" schedule multiplies the lr by ``gamma`` every ``step_size`` epochs; "cosine" anneals it to 0 over
    ``t_max`` epochs. ``seed`` fixes the initial weights, the batch order and dropout; ``data_seed`` the data.
    """

    dataset: str = "circles"
    noise: float = 0.1
    n: int = 200
    train_fraction: float = 0.5
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 4)
    activation: str = "tanh"
    init: str = "xavier_uniform"
    optimizer: str = "sgd"
    lr: float = 0.1
    batch_size: int = 10
    regularization: str = "none"
    reg_rate: float = 0.0
    dropout: float = 0.0
    schedule: str = "none"
    step_size: int = 50
    gamma: float = 0.5
    t_max: int = 200
    seed: int = 0
    data_seed: int = 0
    note: str = ""

    def __post_init__(self) -> None:
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 - frozen dataclass
        for name, allowed in (("dataset", DATASETS), ("activation", ACTIVATIONS), ("init", INITS),
                              ("optimizer", OPTIMIZERS), ("regularization", REGULARIZATIONS),
                              ("schedule", SCHEDULES)):
            value = getattr(self, name)
            if not isinstance(value, str) or value.lower() not in allowed:
                raise ValueError(_("`{name}` must be one of {allowed}; got {value!r}").format(
                    name=name, allowed=allowed, value=value))
            set_(name, value.lower())
        features = self.features
        if isinstance(features, str) or not all(isinstance(f, str) for f in features):
            raise ValueError(_("`features` must be a list of names from {features_list}; got {features!r}").format(
                features_list=FEATURES, features=features))
        unknown = [f for f in features if f.lower() not in FEATURES]
        if unknown:
            raise ValueError(_("`features` must be names from {features_list}; got unknown {unknown}").format(
                features_list=FEATURES, unknown=unknown))
        chosen = {f.lower() for f in features}
        if not chosen:
            raise ValueError(_("`features` must name at least one input feature from {features_list}; got none").format(
                features_list=FEATURES))
        set_("features", tuple(f for f in FEATURES if f in chosen))  # canonical order, no repeats
        hidden = self.hidden
        if isinstance(hidden, int) or not all(_is_int(h) for h in hidden):
            raise ValueError(_("`hidden` must be a list of layer widths, e.g. [4, 4] (or [] for none); got {hidden!r}").format(
                hidden=hidden))
        if len(hidden) > MAX_LAYERS or any(not 1 <= h <= MAX_UNITS for h in hidden):
            raise ValueError(_("`hidden` must have 0 to {max_layers} layers of 1 to {max_units} units; got {hidden}").format(
                max_layers=MAX_LAYERS, max_units=MAX_UNITS, hidden=list(hidden)))
        set_("hidden", tuple(int(h) for h in hidden))
        _check_number(self, "noise", 0.0, 1.0)
        _check_number(self, "train_fraction", 0.05, 0.95)
        _check_number(self, "lr", 0.0, 100.0, low_open=True)
        _check_number(self, "reg_rate", 0.0, 100.0)
        _check_number(self, "dropout", 0.0, 0.95)
        _check_number(self, "gamma", 0.0, 1.0, low_open=True)
        _check_int(self, "n", 10, MAX_POINTS)
        _check_int(self, "batch_size", 1, MAX_POINTS)
        _check_int(self, "step_size", 1, 100_000)
        _check_int(self, "t_max", 1, 100_000)
        _check_int(self, "seed", 0, 2**63 - 1)
        _check_int(self, "data_seed", 0, 2**63 - 1)
        n_train = self.n_train
        if n_train < 1 or n_train >= self.n:
            raise ValueError(_("`train_fraction` {train_fraction} of n = {n} points leaves no training or "
                               "no test points; raise `n` or move `train_fraction` towards 0.5").format(
                train_fraction=self.train_fraction, n=self.n))
        if not isinstance(self.note, str):
            raise ValueError(_("`note` must be a string; got {type}").format(type=type(self.note).__name__))

    @property
    def n_train(self) -> int:
        """How many of the ``n`` points are for training (the rest are the test set)."""
        return int(self.train_fraction * self.n + 0.5)

    @property
    def task(self) -> str:
        """"classification" (two classes, one logit) or "regression" (one number)."""
        return "regression" if self.dataset == "regression" else "classification"

    def to_dict(self) -> dict[str, Any]:
        """A plain dict of JSON types (lists for tuples): what ``from_dict`` and the JSON files hold."""
        out = dataclasses.asdict(self)
        out["features"], out["hidden"] = list(self.features), list(self.hidden)
        return out

    @classmethod
    def from_dict(cls, d: Settings | Mapping[str, Any]) -> Settings:
        """Settings from a dict such as ``to_dict()`` returns; missing keys take their defaults. A key that is
        not a setting raises ValueError naming it (a typo would otherwise be silently ignored)."""
        if isinstance(d, Settings):
            return d
        if not isinstance(d, Mapping):
            raise ValueError(_("`settings` must be a dict (or Settings); got {type}").format(type=type(d).__name__))
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(_("unknown setting `{name}`; the settings are {settings}").format(
                name=unknown[0], settings=sorted(known)))
        values = dict(d)
        for key in ("features", "hidden"):
            if key in values and isinstance(values[key], list):
                values[key] = tuple(values[key])
        return cls(**values)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        return cls.from_dict(json.loads(text))

    def describe(self, translated: bool = False) -> str:
        """One line of the settings that shape the run: English for a picture's title (figures stay English), in
        the course's language with ``translated=True`` (for text a learner reads)."""
        tr: Callable[[str], str] = _ if translated else str
        net = "×".join(str(h) for h in self.hidden) or tr(N_("no hidden layer"))
        reg = tr(N_("no regularization")) if self.regularization == "none" else self.regularization.upper()
        sched = "" if self.schedule == "none" else tr(N_(", {schedule} schedule")).format(schedule=self.schedule)
        return tr(N_("{dataset} (noise {noise:.2f}, {train:.0%} train) · inputs {features} · {net}, {activation}, "
                     "{init} init · {optimizer} lr {lr:g}{schedule}, batch {batch} · {regularization} (rate {rate:g}), "
                     "dropout {dropout:.2f}")).format(
            dataset=self.dataset, noise=self.noise, train=self.train_fraction,
            features=", ".join(tr(FEATURE_LABELS[f]) for f in self.features), net=net,
            activation=tr(ACTIVATION_LABELS[self.activation]), init=tr(INIT_LABELS[self.init]),
            optimizer=tr(OPTIMIZER_LABELS[self.optimizer]), lr=self.lr, schedule=sched, batch=self.batch_size,
            regularization=reg, rate=self.reg_rate, dropout=self.dropout)


_is_int = validation.is_int


def _check_number(s: Settings, name: str, lo: float, hi: float, low_open: bool = False) -> None:
    v = validation.number(getattr(s, name), name, lo, hi, min_open=low_open)
    object.__setattr__(s, name, float(v))


def _check_int(s: Settings, name: str, lo: int, hi: int) -> None:
    validation.integer(getattr(s, name), name, min=lo, max=hi)


# ------------------------------------------------------------------------------------------------ presets

_PRESETS: dict[str, dict[str, Any]] = {
    "xor-needs-hidden-layer": dict(
        dataset="xor", hidden=[], activation="tanh", optimizer="adam", lr=0.03,
        note=N_("No hidden layer: the model is one straight line, and no line separates XOR. Add a hidden layer "
                "(or the input feature x₁x₂).")),
    "circles-with-features": dict(
        dataset="circles", features=["x1^2", "x2^2"], hidden=[], optimizer="adam", lr=0.1,
        note=N_("No hidden layer, but the inputs are x₁² and x₂²: a straight line in those is an ellipse in the "
                "plane (when the signs fit; a hyperbola when they do not). Switch back to x₁, x₂ and it fails.")),
    "spiral-needs-depth": dict(
        dataset="spirals", n=400, noise=0.05, hidden=[8, 8], activation="tanh", init="default", optimizer="adam",
        lr=0.03, batch_size=20,
        note=N_("Two layers of 8 wind around the spiral in 100 epochs; one layer of 16 (as many units) does not. "
                "Depth lets later units combine the pieces earlier ones cut out.")),
    "adam-too-high-lr": dict(
        dataset="circles", hidden=[4, 4], activation="tanh", optimizer="adam", lr=3.0,
        note=N_("Adam with lr 3: the steps are far too big and the loss does not go down. Lower the learning "
                "rate until it learns.")),
    "linear-activation-collapses": dict(
        dataset="circles", hidden=[8, 8, 8], activation="linear", optimizer="adam", lr=0.01,
        note=N_("Three hidden layers but no activation: Linear after Linear is one Linear, so the boundary stays "
                "a straight line. Pick tanh or ReLU.")),
    "zero-init-symmetry": dict(
        dataset="circles", hidden=[4, 4], activation="sigmoid", init="zeros", optimizer="adam", lr=0.1,
        note=N_("All weights start at 0: every unit of a layer computes the same thing and gets the same update, "
                "so they stay identical, and 4 units work as 1. Pick Xavier uniform.")),
    "overfitting-small-data": dict(
        dataset="moons", noise=0.35, n=120, train_fraction=0.25, hidden=[8, 8, 8], activation="relu",
        init="kaiming_uniform", optimizer="adam", lr=0.01,
        note=N_("30 noisy training points and a big network: the train loss keeps falling, the test loss turns "
                "up. Try L2 with rate 0.03, or dropout.")),
    "regression-plane": dict(
        dataset="regression", hidden=[], optimizer="sgd", lr=0.1,
        note=N_("A plane y = 2x₁ + 2x₂ + 0.5 plus noise: one linear layer is all it takes.")),
}


class _Presets(Mapping[str, dict[str, Any]]):
    """The presets by name, read-only. Each read gives a fresh copy of the preset's dict, its ``note`` in the
    course's language (:func:`course_utils.set_language`): a learner reads the note in the widget, in a printed
    list of the presets, or in the settings a preset loads (and in what they are saved or exported as)."""

    def __init__(self, presets: dict[str, dict[str, Any]]):
        self._presets = presets

    def __getitem__(self, name: str) -> dict[str, Any]:
        preset = dict(self._presets[name])
        note = preset.get("note")
        if note:
            preset["note"] = _(note)
        return preset

    def __iter__(self) -> Iterator[str]:
        return iter(self._presets)

    def __len__(self) -> int:
        return len(self._presets)


PRESETS: Mapping[str, dict[str, Any]] = _Presets(_PRESETS)


def load_preset(name: str) -> Settings:
    """The :class:`Settings` of the preset called ``name`` (see :data:`PRESETS`)."""
    if name not in PRESETS:
        raise ValueError(_("`preset` must be one of {presets}; got {name!r}").format(presets=sorted(PRESETS), name=name))
    return Settings.from_dict(PRESETS[name])


def _as_settings(settings: Settings | Mapping[str, Any] | Playground | None) -> Settings:
    if settings is None:
        return Settings()
    if isinstance(settings, Playground):
        return settings.settings
    return Settings.from_dict(settings)


# ---------------------------------------------------------------------------------------------- the pieces

# What the playground passes to a data set's maker ``course_utils.data.make_<dataset>`` besides n, noise and seed
# (the others keep the maker's defaults); export_code writes the same call.
_DATA_ARGS: dict[str, dict[str, Any]] = {"spirals": {"turns": SPIRAL_TURNS}, "regression": {"n_features": 2}}


def make_data(settings: Settings) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``n`` points of ``settings.dataset`` from ``course_utils.data``: X (n, 2) float32, and y (n,) int64
    class labels (classification) or (n, 1) float32 targets (regression). Seeded by ``data_seed``. The spirals
    make 1.5 turns (``SPIRAL_TURNS``; ``make_spirals``' default of one turn is easy for a single layer)."""
    s = settings
    maker: Callable[..., tuple[torch.Tensor, torch.Tensor]] = getattr(_data, f"make_{s.dataset}")
    return maker(n=s.n, noise=s.noise, seed=s.data_seed, **_DATA_ARGS.get(s.dataset, {}))


def expand_features(X: torch.Tensor, features: tuple[str, ...]) -> torch.Tensor:
    """The input features of points X (n, 2): one column per name in ``features`` (see FEATURE_CODE)."""
    x1, x2 = X[:, 0], X[:, 1]
    return torch.stack([_FEATURE_FNS[f](x1, x2) for f in features], dim=1)


def build_model(settings: Settings) -> nn.Sequential:
    """The MLP: [Linear, activation, (Dropout)] per hidden layer, then Linear(…, 1). Draws nn.Linear's default
    initial weights from the global generator, then re-initializes them with ``settings.init``."""
    layers: list[nn.Module] = []
    width = len(settings.features)
    for h in settings.hidden:
        layers += [nn.Linear(width, h), eval(_ACTIVATION_CODE[settings.activation], {"nn": nn})]
        if settings.dropout > 0:
            layers.append(nn.Dropout(settings.dropout))
        width = h
    layers.append(nn.Linear(width, 1))
    model = nn.Sequential(*layers)
    init_code = compile("\n".join(_INIT_CODE[settings.init]) or "pass", "<init>", "exec")
    with torch.no_grad():
        for layer in model:
            if isinstance(layer, nn.Linear):
                exec(init_code, {"nn": nn, "layer": layer})
    return model


def _make_optimizer(settings: Settings, params: Any) -> torch.optim.Optimizer:
    s = settings
    if s.optimizer == "sgd":
        return torch.optim.SGD(params, lr=s.lr)
    if s.optimizer == "momentum":
        return torch.optim.SGD(params, lr=s.lr, momentum=0.9)
    if s.optimizer == "adam":
        return torch.optim.Adam(params, lr=s.lr)
    return torch.optim.RMSprop(params, lr=s.lr)


def _make_scheduler(settings: Settings, optimizer: torch.optim.Optimizer) -> Any:
    if settings.schedule == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=settings.step_size, gamma=settings.gamma)
    if settings.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=settings.t_max)
    return None


# ------------------------------------------------------------------------------------------------ the state

class Playground:
    """One run of the playground: data, model, optimizer and history for ``settings``, trained on demand.

    ``Playground(settings=None, preset=None, **changes)``: start from the defaults, a preset's settings or yours,
    then apply ``changes`` (e.g. ``lr=0.1``). ``step(epochs)`` trains; ``history`` holds the loss (and, for
    classification, accuracy) on the train and test sets after every epoch, with epoch 0 = before training.
    The model has its own random stream (initial weights, batch order, dropout), kept apart from the global one,
    so the same settings give the same curves however the steps are split and whatever runs in between.
    """

    def __init__(self, settings: Settings | Mapping[str, Any] | None = None, preset: str | None = None,
                 **changes: Any):
        base = load_preset(preset) if preset is not None else _as_settings(settings)
        if preset is not None and settings is not None:
            raise ValueError(_("pass `settings` or `preset`, not both"))
        self.settings = dataclasses.replace(base, **changes) if changes else base
        self._make_data()
        self.reset()

    # -- set-up
    def _make_data(self) -> None:
        with num_threads(1):
            self._make_data_now()

    def _make_data_now(self) -> None:
        s = self.settings
        X, y = make_data(s)
        n_train = s.n_train
        y = y.float().unsqueeze(1) if s.task == "classification" else y
        self.X_raw, self.y_raw = X, y  # all points (n, 2), targets (n, 1); the first n_train are for training
        self.X_train, self.X_test = expand_features(X[:n_train], s.features), expand_features(X[n_train:], s.features)
        self.y_train, self.y_test = y[:n_train], y[n_train:]
        self.loss_fn = nn.BCEWithLogitsLoss() if s.task == "classification" else nn.MSELoss()

    def reset(self) -> Playground:
        """Back to epoch 0: the initial weights of ``settings.seed`` (the same every time), empty history."""
        s = self.settings
        outside = torch.get_rng_state()
        torch.manual_seed(s.seed)
        self.model = build_model(s)
        self._rng = torch.get_rng_state()  # the model's own stream continues from here (dropout)
        torch.set_rng_state(outside)
        self.shuffle = torch.Generator().manual_seed(s.seed)
        self.optimizer = _make_optimizer(s, self.model.parameters())
        self.scheduler = _make_scheduler(s, self.optimizer)
        self.weights = [m.weight for m in self.model if isinstance(m, nn.Linear)]
        self.epoch = 0
        self.history: dict[str, list[float]] = {"train_loss": [], "test_loss": [], "lr": []}
        if s.task == "classification":
            self.history.update(train_accuracy=[], test_accuracy=[])
        with num_threads(1):
            self._record()
        return self

    def regenerate(self, data_seed: int | None = None) -> Playground:
        """New data (``data_seed``, default the current one + 1), then ``reset()``."""
        seed = self.settings.data_seed + 1 if data_seed is None else data_seed
        self.settings = dataclasses.replace(self.settings, data_seed=seed)
        self._make_data()
        return self.reset()

    def configure(self, settings: Settings | Mapping[str, Any] | None = None, **changes: Any) -> Playground:
        """Switch to new settings (all of ``settings``, or the current ones with ``changes``) and reset; the
        data are made again only when a data setting changed. Bad values raise ValueError; nothing changes."""
        new = _as_settings(settings) if settings is not None else self.settings
        new = dataclasses.replace(new, **changes) if changes else new
        data_keys = ("dataset", "noise", "n", "train_fraction", "features", "data_seed")
        old, self.settings = self.settings, new
        if any(getattr(old, k) != getattr(new, k) for k in data_keys):
            self._make_data()
        return self.reset()

    # -- training
    def step(self, epochs: int = 1) -> Playground:
        """Train ``epochs`` more epochs (one epoch = one pass over the training set in shuffled mini-batches,
        then one scheduler step). Returns the playground, so calls chain: ``pg.step(50).test_loss``."""
        validation.integer(epochs, "epochs", min=0)
        outside = torch.get_rng_state()
        torch.set_rng_state(self._rng)
        try:
            with num_threads(1):
                for _epoch in range(epochs):
                    self._train_epoch()
                    self.epoch += 1
                    self._record()
        finally:
            self._rng = torch.get_rng_state()
            torch.set_rng_state(outside)
        return self

    def _train_epoch(self) -> None:
        # export_code writes this loop out; keep the two in the same order of operations.
        s, model, optimizer = self.settings, self.model, self.optimizer
        model.train()
        perm = torch.randperm(len(self.X_train), generator=self.shuffle)
        for start in range(0, len(perm), s.batch_size):
            idx = perm[start:start + s.batch_size]
            loss = self.loss_fn(model(self.X_train[idx]), self.y_train[idx])
            if s.regularization == "l1":
                penalty: torch.Tensor | float = sum(w.abs().sum() for w in self.weights)
                loss = loss + s.reg_rate * penalty
            elif s.regularization == "l2":
                penalty = sum((w ** 2).sum() for w in self.weights) / 2
                loss = loss + s.reg_rate * penalty
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if self.scheduler is not None:
            self.scheduler.step()

    @torch.no_grad()
    def _record(self) -> None:
        model = self.model
        model.eval()
        h = self.history
        out_train, out_test = model(self.X_train), model(self.X_test)
        h["train_loss"].append(self.loss_fn(out_train, self.y_train).item())
        h["test_loss"].append(self.loss_fn(out_test, self.y_test).item())
        h["lr"].append(self.optimizer.param_groups[0]["lr"])
        if self.settings.task == "classification":
            h["train_accuracy"].append(((out_train > 0).float() == self.y_train).float().mean().item())
            h["test_accuracy"].append(((out_test > 0).float() == self.y_test).float().mean().item())
        model.train()

    # -- reading the state
    @property
    def train_loss(self) -> float:
        return self.history["train_loss"][-1]

    @property
    def test_loss(self) -> float:
        return self.history["test_loss"][-1]

    @property
    def train_accuracy(self) -> float | None:
        return self.history["train_accuracy"][-1] if "train_accuracy" in self.history else None

    @property
    def test_accuracy(self) -> float | None:
        return self.history["test_accuracy"][-1] if "test_accuracy" in self.history else None

    @property
    def diverged(self) -> bool:
        """True when the training loss has become NaN or infinite (as ``course_utils.train.History.diverged``)."""
        return not math.isfinite(self.train_loss)

    @property
    def learned(self) -> bool:
        """True when the training loss is finite and lower now than before training (epoch 0). A learning
        rate far too high can leave it higher without ever making it NaN: then ``learned`` is False but
        ``diverged`` is False too."""
        loss = self.train_loss
        return math.isfinite(loss) and loss < self.history["train_loss"][0]

    @property
    def n_hidden_units(self) -> int:
        return sum(self.settings.hidden)

    @property
    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.model.parameters())

    @torch.no_grad()
    def predict(self, X: torch.Tensor) -> torch.Tensor:
        """The model's output for points X (m, 2): P(class 1) (m,) for classification, ŷ (m,) for regression."""
        with num_threads(1):
            self.model.eval()
            out = self.model(expand_features(torch.as_tensor(X, dtype=torch.float32), self.settings.features))
            self.model.train()
        return torch.sigmoid(out[:, 0]) if self.settings.task == "classification" else out[:, 0]

    def window(self, margin: float = 0.3) -> tuple[float, float, float, float]:
        """A square (x_min, x_max, y_min, y_max) around every point, ``margin`` wider on each side."""
        X = self.X_raw.tolist()
        lo = [min(p[i] for p in X) for i in (0, 1)]
        hi = [max(p[i] for p in X) for i in (0, 1)]
        cx, cy = (lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2
        half = max(hi[0] - lo[0], hi[1] - lo[1]) / 2 + margin
        return (cx - half, cx + half, cy - half, cy + half)

    @torch.no_grad()
    def layer_outputs(self, grid: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's output at points ``grid`` (m, 2), in eval mode: the input features (m, n_features),
        each hidden layer after its activation (m, width), and the final output (m, 1) before the sigmoid."""
        with num_threads(1):
            self.model.eval()
            h = expand_features(grid, self.settings.features)
            outs = [h]
            for layer in self.model:
                h = layer(h)
                if not isinstance(layer, nn.Linear | nn.Dropout):
                    outs.append(h)
            outs.append(h)
            self.model.train()
        return outs

    # -- sharing
    def to_dict(self) -> dict[str, Any]:
        """The settings and the epoch reached: enough to rebuild this exact state (``from_dict``)."""
        return {"settings": self.settings.to_dict(), "epoch": self.epoch}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Playground:
        """A playground from ``to_dict()``'s dict (trained again to its epoch: seeded, so the same state), or
        from a plain settings dict (at epoch 0)."""
        if not isinstance(d, Mapping):
            raise ValueError(_("`d` must be a dict; got {type}").format(type=type(d).__name__))
        if "settings" in d:
            extra = sorted(set(d) - {"settings", "epoch"})
            if extra:
                raise ValueError(_("unknown key `{key}`; a saved playground has 'settings' and 'epoch'").format(key=extra[0]))
            return cls(d["settings"]).step(d.get("epoch", 0))
        return cls(d)

    def save(self, path: str | os.PathLike) -> None:
        """Write ``to_dict()`` as JSON: a small file a teacher can share (and edit: one setting per line)."""
        settings = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                               for k, v in self.settings.to_dict().items())
        with open(path, "w", encoding="utf-8") as f:
            f.write(f'{{"epoch": {self.epoch},\n "settings": {{\n{settings}\n }}\n}}\n')

    @classmethod
    def load(cls, path: str | os.PathLike) -> Playground:
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    def export_code(self, epochs: int | None = None) -> str:
        """This run as a standalone PyTorch script (see :func:`export_code`); ``epochs`` defaults to the
        epochs trained so far (100 if none)."""
        return export_code(self.settings, epochs=epochs if epochs is not None else (self.epoch or 100))

    def __repr__(self) -> str:
        acc = "" if self.test_accuracy is None else _(", test accuracy {accuracy:.2f}").format(
            accuracy=self.test_accuracy)
        return _("Playground(epoch {epoch}: train loss {train_loss:.4f}, test loss {test_loss:.4f}{accuracy}; "
                 "{settings})").format(epoch=self.epoch, train_loss=self.train_loss, test_loss=self.test_loss,
                                       accuracy=acc, settings=self.settings.describe(translated=True))


# ------------------------------------------------------------------------------------------- export to code

def _data_code(s: Settings) -> tuple[str, str]:
    """The data of ``s`` as script code: the generator that ``course_utils.data.make_<dataset>`` calls after
    checking its arguments (``_make_<dataset>``, its source as it is, named ``make_<dataset>`` in the script), and
    the line that calls it as :func:`make_data` does, every argument spelled out."""
    name = f"make_{s.dataset}"
    generator = getattr(_data, f"_{name}")
    source = textwrap.dedent(inspect.getsource(generator)).replace(f"def _{name}(", f"def {name}(", 1)
    defaults = {arg: p.default for arg, p in inspect.signature(getattr(_data, name)).parameters.items()}
    values = {**defaults, **_DATA_ARGS.get(s.dataset, {})}
    constants = {"n": "N_POINTS", "noise": "NOISE", "seed": "DATA_SEED"}
    args = ", ".join(f"{arg}={constants.get(arg) or repr(values[arg])}"
                     for arg in inspect.signature(generator).parameters)
    if s.dataset == "regression":
        return source.strip(), f"X, y, true_w, true_b = {name}({args})"  # and the plane the points scatter around
    return source.strip(), f"X, y = {name}({args})  # already shuffled"


def export_code(settings: Settings | Mapping[str, Any] | Playground, epochs: int = 100) -> str:
    """A complete, runnable PyTorch script for ``settings``: data (``course_utils.data``'s generator, its source
    copied in), input features, model, initialization, loss, optimizer, schedule and training loop, ``epochs``
    epochs. It imports only torch (and math), so it runs anywhere; run with the same torch it prints the same
    losses as ``Playground(settings).step(epochs)`` (the same code and seeds, the same order of operations)."""
    s = _as_settings(settings)
    validation.integer(epochs, "epochs", min=0)
    classify = s.task == "classification"
    feats = ", ".join(FEATURE_CODE[f] for f in s.features)
    names = ", ".join(FEATURE_LABELS[f] for f in s.features)
    act = _ACTIVATION_CODE[s.activation]
    lines, width = [], len(s.features)
    for h in s.hidden:
        drop = f" nn.Dropout({s.dropout!r})," if s.dropout > 0 else ""
        lines.append(f"    nn.Linear({width}, {h}), {act},{drop}")
        width = h
    lines.append(f"    nn.Linear({width}, 1),")
    model_code = "\n".join(lines)
    if s.activation == "linear" and s.hidden:
        model_code += "  # no activation: Linear after Linear collapses into one Linear"
    init = _INIT_CODE[s.init]
    init_code = ("# init: PyTorch's default (nn.Linear draws U(-1/sqrt(fan_in), 1/sqrt(fan_in)) itself)" if not init
                 else "with torch.no_grad():\n    for layer in model:\n        if isinstance(layer, nn.Linear):\n"
                      + "\n".join(f"            {c}" for c in init))
    opt = {"sgd": "torch.optim.SGD(model.parameters(), lr=LR)",
           "momentum": "torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)",
           "adam": "torch.optim.Adam(model.parameters(), lr=LR)",
           "rmsprop": "torch.optim.RMSprop(model.parameters(), lr=LR)"}[s.optimizer]
    sched = {"none": "",
             "step": f"scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size={s.step_size}, "
                     f"gamma={s.gamma!r})",
             "cosine": f"scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max={s.t_max})"}[s.schedule]
    reg = {"none": "",
           "l1": "\n        penalty = sum(w.abs().sum() for w in weights)  # L1: Σ|w| over the weights, not the biases"
                 "\n        loss = loss + REG_RATE * penalty",
           "l2": "\n        penalty = sum((w ** 2).sum() for w in weights) / 2  # L2: ½Σw² over the weights, not the "
                 "biases\n        loss = loss + REG_RATE * penalty"}[s.regularization]
    if classify:
        targets = "y = y.float().unsqueeze(1)  # (n, 1) floats 0./1., as BCEWithLogitsLoss wants"
        loss_fn = "nn.BCEWithLogitsLoss()  # one logit per point: sigmoid + binary cross-entropy, stable"
        metric = "        test_acc = ((model(X_test) > 0).float() == y_test).float().mean().item()\n"
        shown = 'train loss {train_loss:.4f}, test loss {test_loss:.4f}, test accuracy {test_acc:.2f}'
    else:
        targets = "# y is already (n, 1) floats"
        loss_fn = "nn.MSELoss()"
        metric = ""
        shown = "train loss {train_loss:.4f}, test loss {test_loss:.4f}"
    every = max(1, epochs // 10)
    step_sched = "    scheduler.step()  # once per epoch\n" if s.schedule != "none" else ""
    data_code, data_call = _data_code(s)
    uses_math = "math." in data_code
    note = s.note.replace("\\", "/").replace('"""', "''")  # safe inside the script's docstring
    note = textwrap.fill(f"Note: {note}", 100) + "\n" if note else ""
    summary = textwrap.fill(s.describe(), 100)
    code = f'''"""A network-playground run as a plain PyTorch script (exported by course_utils.playground).

{summary}
{note}Needs only torch. Run: python this_file.py
"""
{"import math" + chr(10) + chr(10) if uses_math else ""}import torch
from torch import nn

SEED = {s.seed}  # the initial weights, the order of the mini-batches, dropout
DATA_SEED = {s.data_seed}
N_POINTS = {s.n}
NOISE = {s.noise!r}
N_TRAIN = {s.n_train}  # the first N_TRAIN points train the model, the others test it
LR = {s.lr!r}
BATCH_SIZE = {s.batch_size}
EPOCHS = {epochs}
REG_RATE = {s.reg_rate!r}  # regularization: {s.regularization}

torch.set_num_threads(1)  # a network this small trains fastest on one thread


# ---- data: {s.dataset} (course_utils.data.make_{s.dataset} without its argument checks) ----
{data_code}


def expand(X):
    """The input features {names}: (n, 2) points -> (n, {len(s.features)})."""
    x1, x2 = X[:, 0], X[:, 1]
    return torch.stack([{feats}], dim=1)


{data_call}
{targets}
X_train, y_train = expand(X[:N_TRAIN]), y[:N_TRAIN]
X_test, y_test = expand(X[N_TRAIN:]), y[N_TRAIN:]

# ---- model ----
torch.manual_seed(SEED)  # the initial weights, then dropout, come from this seed
model = nn.Sequential(
{model_code}
)
{init_code}
weights = [layer.weight for layer in model if isinstance(layer, nn.Linear)]

loss_fn = {loss_fn}
optimizer = {opt}
{sched + chr(10) if sched else ""}shuffle = torch.Generator().manual_seed(SEED)  # the order of the mini-batches


def report(epoch):
    model.eval()  # dropout off while measuring
    with torch.no_grad():
        train_loss = loss_fn(model(X_train), y_train).item()
        test_loss = loss_fn(model(X_test), y_test).item()
{metric}    model.train()
    if epoch % {every} == 0 or epoch == EPOCHS:
        print(f"epoch {{epoch:4d}}: {shown}")
    return train_loss, test_loss


# ---- training ----
train_loss, test_loss = report(0)
for epoch in range(1, EPOCHS + 1):
    model.train()
    perm = torch.randperm(len(X_train), generator=shuffle)
    for start in range(0, len(perm), BATCH_SIZE):
        idx = perm[start:start + BATCH_SIZE]
        loss = loss_fn(model(X_train[idx]), y_train[idx]){reg}
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
{step_sched}    train_loss, test_loss = report(epoch)

print(f"final train loss {{train_loss!r}} test loss {{test_loss!r}}")
'''
    return code.replace("\n\n\n\n", "\n\n\n")
