"""Chapter 07's exercises: every answer, however odd, gets one readable verdict and never a traceback."""

import pytest
import torch

from course_utils import checks
from course_utils.checks import regularization as ex


def _dropout_float64(x, p, training):
    return ex.inverted_dropout(x.double(), p, training)


def _dropout_wrong_shape(x, p, training):
    return ex.inverted_dropout(x, p, training).flatten()


def _dropout_nan(x, p, training):
    out = ex.inverted_dropout(x, p, training)
    return out if not training or p == 0 else out * float("nan")


def _dropout_raises(x, p, training):
    return x[10**6]


def _dropout_list(x, p, training):
    return ex.inverted_dropout(x, p, training).tolist()


def _dropout_list_in_training(x, p, training):
    return ex.inverted_dropout(x, p, training).tolist() if training and p > 0 else x


def _dropout_not_scaled(x, p, training):
    return x * (torch.rand_like(x) >= p) if training else x


def _dropout_keep_probability(x, p, training):
    return ex.inverted_dropout(x, 1 - p, training) if training and p > 0 else x


def _dropout_bool(x, p, training):
    return (torch.rand_like(x) >= p) if training and p > 0 else x


def _dropout_numpy(x, p, training):
    return ex.inverted_dropout(x, p, training).numpy()


def test_a_float64_answer_is_accepted(capsys) -> None:
    assert checks.check("inverted_dropout", _dropout_float64), capsys.readouterr().out


WRONG = {
    "wrong shape": (_dropout_wrong_shape, "shape"),
    "NaN": (_dropout_nan, "of the values are zero"),
    "a raising function": (_dropout_raises, "raised IndexError"),
    "a list": (_dropout_list, "should be a torch.Tensor"),
    "a list only in training": (_dropout_list_in_training, "should be a torch.Tensor"),
    "survivors not scaled": (_dropout_not_scaled, "x/(1 − p)"),
    "p as the keep probability": (_dropout_keep_probability, "probability of *dropping*"),
    "a boolean mask": (_dropout_bool, "real numbers"),
    "a NumPy array": (_dropout_numpy, "should be a torch.Tensor"),
}


@pytest.mark.parametrize("mistake", list(WRONG))
def test_inverted_dropout_mistakes_get_one_readable_line(mistake: str, capsys) -> None:
    answer, says = WRONG[mistake]
    result = checks.check("inverted_dropout", answer)
    out = capsys.readouterr().out
    assert result.status == "wrong", out
    verdict = out.splitlines()[0]
    assert says in verdict and "Traceback" not in out and "checks.hint(" in out, out


def test_nan_survivors_are_named() -> None:
    x = torch.ones(10, 10)
    got = 2 * x  # survivors x / (1 − 0.5) ...
    got[:, :5] = 0  # ... and half dropped
    got[0, 7] = float("nan")
    with pytest.raises(checks.Mismatch, match="nan"):
        ex._check_dropout_output(got, x, 0.5)


def test_the_checker_leaves_the_learners_random_state_alone() -> None:
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    assert checks.check("inverted_dropout", ex.inverted_dropout)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("name", ["batch_norm_train", "running_stats_update", "clip_grad_norm"])
@pytest.mark.parametrize("answer", [lambda *a, **k: [1.0], lambda *a, **k: "text", lambda *a, **k: 1 / 0,
                                    lambda *a, **k: (torch.zeros(2), torch.zeros(2), torch.zeros(2))])
def test_the_other_exercises_never_raise(name: str, answer, capsys) -> None:
    result = checks.check(name, answer)
    out = capsys.readouterr().out
    assert result.status == "wrong" and "Traceback" not in out, out


def test_solutions_pass(capsys) -> None:
    for name, solution in [("inverted_dropout", ex.inverted_dropout), ("batch_norm_train", ex.batch_norm_train),
                           ("running_stats_update", ex.running_stats_update), ("clip_grad_norm", ex.clip_grad_norm)]:
        assert checks.check(name, solution), capsys.readouterr().out
