"""Chapter 06's exercises: solutions pass, typical mistakes get one readable verdict, nothing raises."""

import math

import pytest
import torch

from course_utils import checks
from course_utils.checks import optim as ex

SOLUTIONS = {"sgd_momentum_step": ex.sgd_momentum_step, "adam_step": ex.adam_step,
             "warmup_cosine": ex.warmup_cosine}


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_solutions_pass(name: str, capsys) -> None:
    assert checks.check(name, SOLUTIONS[name]), capsys.readouterr().out


def test_float64_and_tensor_answers_are_accepted(capsys) -> None:
    def momentum64(w, g, v, lr, momentum):
        return ex.sgd_momentum_step(w.double(), g.double(), v.double(), lr, momentum)

    def cosine_tensor(base_lr, epoch, warmup_epochs, T_max):
        return torch.tensor(ex.warmup_cosine(base_lr, epoch, warmup_epochs, T_max), dtype=torch.float64)

    assert checks.check("sgd_momentum_step", momentum64), capsys.readouterr().out
    assert checks.check("warmup_cosine", cosine_tensor), capsys.readouterr().out


def _ema_momentum(w, g, v, lr, momentum):
    v = momentum * v + (1 - momentum) * g
    return w - lr * v, v


def _adam_no_correction(w, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    m = betas[0] * m + (1 - betas[0]) * g
    v = betas[1] * v + (1 - betas[1]) * g * g
    return w - lr * m / (v.sqrt() + eps), m, v


def _adam_eps_inside(w, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    m = betas[0] * m + (1 - betas[0]) * g
    v = betas[1] * v + (1 - betas[1]) * g * g
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    return w - lr * m_hat / (v_hat + eps).sqrt(), m, v


WRONG = {
    "sgd_momentum_step": {
        "the moving-average form": (_ema_momentum, "the new v"),
        "only w": (lambda w, g, v, lr, momentum: w - lr * g, "return a tuple"),
        "a crash": (lambda w, g, v, lr, momentum: w @ torch.ones(3), "raised"),
    },
    "adam_step": {
        "no bias correction": (_adam_no_correction, "the new w"),
        "eps inside the square root": (_adam_eps_inside, "the new w"),
        "two values": (lambda w, g, m, v, t, **k: (w, m), "return a tuple"),
    },
    "warmup_cosine": {
        "no warm-up": (lambda base_lr, epoch, warmup_epochs, T_max:
                       base_lr * (1 + math.cos(math.pi * epoch / T_max)) / 2, "the learning rate"),
        "a tensor of many rates": (lambda base_lr, epoch, warmup_epochs, T_max: torch.full((3,), base_lr),
                                   "should be a number"),
        "a string": (lambda base_lr, epoch, warmup_epochs, T_max: "0.1", "should be a number"),
    },
}


@pytest.mark.parametrize("name, mistake", [(n, m) for n, cases in WRONG.items() for m in cases])
def test_typical_mistakes_get_a_readable_verdict(name: str, mistake: str, wrong_verdict) -> None:
    answer, says = WRONG[name][mistake]
    out = wrong_verdict(name, answer)
    assert says.lower() in out.splitlines()[0].lower(), out


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_stubs_and_odd_answers_never_raise(name: str, capsys) -> None:
    def stub(*args, **kwargs):
        raise NotImplementedError

    assert checks.check(name, stub).status == "not attempted"
    for odd in (lambda *a, **k: "text", lambda *a, **k: [1.0], lambda *a, **k: torch.tensor(float("nan")), 3.0):
        assert checks.check(name, odd).status == "wrong"
    assert "Traceback" not in capsys.readouterr().out
