"""Exercises of the set-up chapter: counting parameters, the order of a training step, accuracy."""

from __future__ import annotations

import torch
from torch import nn

from ._core import call, exercise, expect, expect_close


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


@exercise("count_parameters", solution=count_parameters,
          hint="Loop over model.parameters(); each p.numel() counts its scalars. Skip p with requires_grad False.")
def _check_count_parameters(fn) -> None:
    frozen = nn.Linear(3, 3)
    frozen.weight.requires_grad_(False)
    models = {
        "nn.Linear(2, 1)": nn.Linear(2, 1),
        "nn.Linear(784, 10, bias=False)": nn.Linear(784, 10, bias=False),
        "an MLP 2-8-8-1": nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1)),
        "a Linear(3, 3) whose weight is frozen": frozen,
    }
    for label, model in models.items():
        got = call(fn, model)
        expect(isinstance(got, int) or (isinstance(got, torch.Tensor) and got.numel() == 1),
               f"the count for {label} should be an int; got {type(got).__name__}.")
        expect_close(int(got), count_parameters(model), "the count", context=label)


TRAINING_STEP = ["forward", "loss", "zero_grad", "backward", "step"]


@exercise("training_step_order", solution="answer = ['forward', 'loss', 'zero_grad', 'backward', 'step']\n"
          "# zero_grad may come anywhere before backward, e.g. ['zero_grad', 'forward', 'loss', 'backward', 'step']",
          hint="You need a prediction before a loss, a loss before gradients, and gradients before the update. "
               "Old gradients must be cleared before new ones are computed.")
def _check_training_step_order(answer) -> None:
    expect(isinstance(answer, (list, tuple)), f"the answer should be a list of strings; got {type(answer).__name__}.")
    expect(sorted(answer) == sorted(TRAINING_STEP),
           f"use each of {TRAINING_STEP} exactly once; got {list(answer)}.")
    pos = {step: i for i, step in enumerate(answer)}
    expect(pos["forward"] < pos["loss"], "the loss needs the model's output: 'forward' comes before 'loss'.")
    expect(pos["loss"] < pos["backward"], "backward() is called on the loss: 'loss' comes before 'backward'.")
    expect(pos["backward"] < pos["step"], "step() uses the gradients: 'backward' comes before 'step'.")
    expect(pos["zero_grad"] < pos["backward"],
           "'zero_grad' after 'backward' would wipe the gradients you just computed (or, after 'step', leave "
           "them to pile up into the next iteration): clear them before backward().")


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` (n, classes) whose largest entry is at index ``labels`` (n,)."""
    return (logits.argmax(dim=1) == labels).float().mean().item()


@exercise("accuracy", solution=accuracy,
          hint="The predicted class of each row is logits.argmax(dim=1); compare with labels, then average "
               "(a bool tensor needs .float() before .mean()); .item() turns a 1-element tensor into a float.")
def _check_accuracy(fn) -> None:
    g = torch.Generator().manual_seed(0)
    cases = [(torch.randn(10, 3, generator=g), torch.randint(0, 3, (10,), generator=g)) for _ in range(3)]
    cases.append((torch.tensor([[2.0, 1.0], [0.0, 5.0]]), torch.tensor([0, 1])))  # all right
    cases.append((torch.tensor([[2.0, 1.0], [0.0, 5.0]]), torch.tensor([1, 0])))  # all wrong
    for logits, labels in cases:
        got = call(fn, logits, labels)
        expect_close(got, accuracy(logits, labels), "your accuracy",
                     context=f"logits of shape {tuple(logits.shape)} and labels {labels.tolist()}")
