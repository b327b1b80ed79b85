"""Exercises of the set-up chapter: counting parameters, the order of a training step, accuracy."""

from __future__ import annotations

import torch
from torch import nn

from ..i18n import N_, _
from ._core import _short, call, exercise, expect, expect_close

CHAPTER = "00"  # the chapter whose notebook asks these exercises (its progress line)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


@exercise("count_parameters", solution=count_parameters,
          hints=(N_("A model keeps its learnable numbers in a few tensors: add up how many numbers each tensor holds, "
                    "counting only the tensors that training updates."),
                 N_("model.parameters() yields the model's tensors; p.numel() is the number of scalars in p, and "
                    "p.requires_grad tells whether training updates p (a frozen tensor has False)."),
                 N_("Write sum(p.numel() for p in model.parameters() if ...) and fill the gap with the test for a "
                    "trainable tensor; a sum of ints is already a Python int.")))
def _check_count_parameters(fn) -> None:
    frozen = nn.Linear(3, 3)
    frozen.weight.requires_grad_(False)
    models = [
        ("nn.Linear(2, 1)", nn.Linear(2, 1)),
        ("nn.Linear(784, 10, bias=False)", nn.Linear(784, 10, bias=False)),
        (_("an MLP 2-8-8-1"), nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))),
        (_("a Linear(3, 3) whose weight is frozen"), frozen),
    ]
    for label, model in models:
        got = call(fn, model)
        expect(isinstance(got, int) or (isinstance(got, torch.Tensor) and got.numel() == 1),
               _("the count for {label} should be an int; got {type}.").format(label=label, type=type(got).__name__))
        expect_close(int(got), count_parameters(model), _("the count"), context=label)


TRAINING_STEP = ["forward", "loss", "zero_grad", "backward", "step"]


@exercise("training_step_order",
          solution=N_("answer = ['forward', 'loss', 'zero_grad', 'backward', 'step']\n"
                      "# zero_grad may come anywhere except between 'backward' and 'step', e.g.\n"
                      "# ['zero_grad', 'forward', 'loss', 'backward', 'step'], or after the update:\n"
                      "# ['forward', 'loss', 'backward', 'step', 'zero_grad']"),
          hints=(N_("Ask what each step needs: a loss needs a prediction, gradients need a loss, and the update needs "
                    "gradients. Clearing old gradients can go in more than one place."),
                 N_("PyTorch adds each new gradient to the one already stored, so zero_grad runs once per step: "
                    "anywhere except between computing the gradients (backward) and using them (step)."),
                 N_("Keep 'forward', 'loss', 'backward', 'step' in this order and put 'zero_grad' into one of the "
                    "five gaps around them: every gap works except the one between 'backward' and 'step'.")))
def _check_training_step_order(answer) -> None:
    expect(isinstance(answer, list | tuple),
           _("the answer should be a list of strings; got {type}.").format(type=type(answer).__name__))
    for item in answer:
        expect(isinstance(item, str), _("every entry should be one of the strings {steps}; got {item} ({type}).")
               .format(steps=TRAINING_STEP, item=_short(item), type=type(item).__name__))
    steps = list(answer)
    unknown = [s for s in steps if s not in TRAINING_STEP]
    expect(not unknown, _("{item} is not a step: use only {steps}.").format(item=repr(unknown[0]), steps=TRAINING_STEP)
           if unknown else "")
    missing = [s for s in TRAINING_STEP if s not in steps]
    expect(not missing, _("some steps are missing ({missing}): use each of {steps} exactly once; got {got}.").format(
        missing=", ".join(missing), steps=TRAINING_STEP, got=steps) if missing else "")
    expect(len(steps) == len(TRAINING_STEP),
           _("use each of {steps} exactly once; got {got}.").format(steps=TRAINING_STEP, got=steps))
    pos = {step: i for i, step in enumerate(steps)}
    expect(pos["forward"] < pos["loss"], _("the loss needs the model's output: 'forward' comes before 'loss'."))
    expect(pos["loss"] < pos["backward"], _("`loss.backward()` needs the loss: 'loss' comes before 'backward'."))
    expect(pos["backward"] < pos["step"], _("`optimizer.step()` uses the gradients that `backward()` computes: "
                                            "'backward' comes before 'step'."))
    expect(not pos["backward"] < pos["zero_grad"] < pos["step"],
           _("'zero_grad' between 'backward' and 'step' clears the gradients `backward()` has just computed, so "
             "`step()` has no gradient to follow. Clear them before `backward()` or after `step()`."))


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` (n, classes) whose largest entry is at index ``labels`` (n,)."""
    return (logits.argmax(dim=1) == labels).float().mean().item()


@exercise("accuracy", solution=accuracy,
          hints=(N_("For each example the predicted class is the one with the largest score; count how often it "
                    "matches the true label, and divide by the number of examples."),
                 N_("logits.argmax(dim=1) gives the predicted class of every row, shape (n,); comparing it with "
                    "labels gives a bool tensor, which needs .float() before .mean()."),
                 N_("Compare the row-wise argmax with labels, turn the result into floats and average it; that "
                    "gives a 0-d tensor, so finish with .item() to return a Python float.")))
def _check_accuracy(fn) -> None:
    g = torch.Generator().manual_seed(0)
    cases = [(torch.randn(10, 3, generator=g), torch.randint(0, 3, (10,), generator=g)) for _i in range(3)]
    cases.append((torch.tensor([[2.0, 1.0], [0.0, 5.0]]), torch.tensor([0, 1])))  # all right
    cases.append((torch.tensor([[2.0, 1.0], [0.0, 5.0]]), torch.tensor([1, 0])))  # all wrong
    for logits, labels in cases:
        got = call(fn, logits, labels)
        expect_close(got, accuracy(logits, labels), _("your accuracy"),
                     context=_("logits of shape {shape} and labels {labels}").format(
                         shape=tuple(logits.shape), labels=labels.tolist()))
