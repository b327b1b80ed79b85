"""The environment report of the set-up chapter."""

from importlib import metadata

from course_utils import env


def test_report_here_has_no_problems(capsys):
    report = env.environment_report()
    assert report["problems"] == []
    assert set(report["versions"]) == set(env.PACKAGES)
    assert report["threads"] >= 1
    assert "Verdict: ✅" in capsys.readouterr().out


def test_report_flags_missing_old_and_mismatched_packages(monkeypatch, capsys):
    fake = {"torch": "1.13.0", "jupyterlab_widgets": "1.1.0", "tqdm": None}
    real_version = metadata.version

    def version(name):
        if name in fake:
            if fake[name] is None:
                raise metadata.PackageNotFoundError(name)
            return fake[name]
        return real_version(name)

    monkeypatch.setattr(env.metadata, "version", version)
    problems = env.environment_report()["problems"]
    text = " ".join(problems)
    assert "torch 1.13.0 is older than 2.2" in text
    assert "tqdm is not installed" in text
    assert "jupyterlab_widgets 3.x" in text
    assert "fix these first" in capsys.readouterr().out
