"""Shared test set-up: a non-interactive matplotlib backend and a fixed seed for every test."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

import course_utils  # noqa: E402


@pytest.fixture(autouse=True)
def _seed():
    course_utils.set_seed(0)
