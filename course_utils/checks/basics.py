"""Exercises of the set-up chapter: counting parameters, the order of a training step, accuracy."""

from __future__ import annotations

import torch
from torch import nn

from ._core import _short, call, exercise, expect, expect_close


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


@exercise("training_step_order",
          solution="answer = ['forward', 'loss', 'zero_grad', 'backward', 'step']\n"
                   "# zero_grad may come anywhere except between 'backward' and 'step', e.g.\n"
                   "# ['zero_grad', 'forward', 'loss', 'backward', 'step'], or after the update:\n"
                   "# ['forward', 'loss', 'backward', 'step', 'zero_grad']",
          hint="You need a prediction before a loss, a loss before gradients, and gradients before the update. "
               "PyTorch adds new gradients to the old ones, so clear them once per step: anywhere except "
               "between computing them (backward) and using them (step).")
def _check_training_step_order(answer) -> None:
    expect(isinstance(answer, list | tuple), f"the answer should be a list of strings; got {type(answer).__name__}.")
    for item in answer:
        expect(isinstance(item, str), f"every entry should be one of the strings {TRAINING_STEP}; got "
                                      f"{_short(item)} ({type(item).__name__}).")
    steps = list(answer)
    unknown = [s for s in steps if s not in TRAINING_STEP]
    expect(not unknown, f"{unknown[0]!r} is not a step: use only {TRAINING_STEP}." if unknown else "")
    missing = [s for s in TRAINING_STEP if s not in steps]
    expect(not missing, f"some steps are missing ({', '.join(missing)}): use each of {TRAINING_STEP} exactly "
                        f"once; got {steps}." if missing else "")
    expect(len(steps) == len(TRAINING_STEP), f"use each of {TRAINING_STEP} exactly once; got {steps}.")
    pos = {step: i for i, step in enumerate(steps)}
    expect(pos["forward"] < pos["loss"], "the loss needs the model's output: 'forward' comes before 'loss'.")
    expect(pos["loss"] < pos["backward"], "`loss.backward()` needs the loss: 'loss' comes before 'backward'.")
    expect(pos["backward"] < pos["step"], "`optimizer.step()` uses the gradients that `backward()` computes: "
                                          "'backward' comes before 'step'.")
    expect(not pos["backward"] < pos["zero_grad"] < pos["step"],
           "'zero_grad' between 'backward' and 'step' clears the gradients `backward()` has just computed, so "
           "`step()` has no gradient to follow. Clear them before `backward()` or after `step()`.")


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
