"""Training you can watch without a kernel: the widgets that train (chapter 09's playgrounds, 08's trainer, 07's
regularization widget) are trained at the site's build for each setting the page reaches, a few stages of each
training kept (``LivePlot.stages``, ``tools.website.precompute``), and their Play / Train button plays them.

Without a browser: a widget's stages are in epoch order and are what training the same settings directly in
``course_utils`` gives (seeded); on the built pages, each setting's stages end at the notebook's epoch and a moved
control shows a trained network, not an untrained one. In Chromium: pressing Play / Train shows the stages in
order, each picture loaded within 50 ms of its due time (timed in the page with ``performance.now()``), and a
control moved afterwards shows the new setting trained.
"""

from __future__ import annotations

import html
import json
import re

import pytest

from tools import nbtools, website

STAGE_LATE_MS = 50  # a stage's picture is loaded at most this long after it is due
TRAINED = ("playground", "cnn_trainer", "regularization_playground")
PAGES = {"09_playground": "playground", "08_cnn_mnist": "cnn_trainer",
         "07_regularization": "regularization_playground"}


def _records(builder: str) -> list:
    return [record for _page, _cell, record in nbtools.widget_records("en") if record.builder == builder]


# ------------------------------------------------------------------------------------------ without a browser
def test_playground_stages_are_its_training():
    """A playground's stages: epochs 0 to the epoch the notebook shows, in order; the last is the state that training
    the moved setting directly reaches (the same history, the same picture)."""
    from course_utils import playground as P
    from course_utils.widgets import BUILDERS

    assert {name for name, build in BUILDERS.items() if build.trains} == set(TRAINED)
    record = next(r for r in _records("playground") if r.rebuild["settings"]["epoch"] == 30)
    widget = BUILDERS["playground"](**record.rebuild)
    assert widget.training.shown() == 30 and widget.training.button == "Play"
    stages = widget.stages({**record.values, "lr": 0.03})
    assert [s.epoch for s in stages] == sorted({s.epoch for s in stages}) and stages[0].epoch == 0
    assert stages[-1].epoch == 30, "the last stage is the notebook's epoch"
    assert widget.playground.settings.lr == 0.03
    direct = P.Playground(widget.playground.settings).step(30)
    assert widget.playground.history == direct.history
    assert len(direct.history["train_loss"]) == 31 and direct.learned
    assert not website.same_picture(stages[-1].png, stages[0].png), "the trained picture is the untrained one"
    # another widget, trained by the playground's own steps, draws the same last picture
    other = BUILDERS["playground"](settings=direct.to_dict())
    other.redraw(fresh=True)
    assert website.same_picture(bytes(other.image.value), stages[-1].png)


def test_trainer_and_regularization_stages_are_their_buttons_training():
    """Chapter 08's trainer and 07's widget: the last stage is what pressing Train gives (seeded), the first is
    before any training, the stages in epoch order."""
    from course_utils.regularization import train_regularized_mlp
    from course_utils.widgets import BUILDERS

    trainer = BUILDERS["cnn_trainer"]()
    stages = trainer.stages({"model": "MLP", "epochs": 2})
    assert [s.epoch for s in stages] == [0, 1, 2]
    staged = trainer.rebuild_arguments()["last_run"]["history"]
    pressed = BUILDERS["cnn_trainer"]()
    pressed.set_values({"model": "MLP", "epochs": 2})
    pressed.press("Train")
    assert pressed.last_error is None
    assert staged["val_loss"] == pressed.rebuild_arguments()["last_run"]["history"]["val_loss"]
    assert staged["train_acc"] == pressed.rebuild_arguments()["last_run"]["history"]["train_acc"]
    assert website.same_picture(stages[-1].png, bytes(pressed.image.value))

    widget = BUILDERS["regularization_playground"]()
    values = {**widget.values(), "p": 0.2}
    stages = widget.stages(values)
    assert [s.epoch for s in stages] == [0, 25, 75, 150, 300] and widget.training.shown() == 300
    pressed = BUILDERS["regularization_playground"]()
    pressed.set_values(values)
    untrained = bytes(pressed.image.value)
    pressed.press("Train")
    assert website.same_picture(stages[-1].png, bytes(pressed.image.value))
    assert website.same_picture(stages[0].png, untrained) and not website.same_picture(stages[-1].png, untrained)
    # keeping checkpoints changes nothing in the training
    plain = train_regularized_mlp(**values, epochs=30)
    kept = train_regularized_mlp(**values, epochs=30, checkpoints=(10, 30))
    assert plain["val_loss"] == kept["val_loss"] and set(kept["checkpoints"]) == {10, 30}
    with pytest.raises(ValueError):
        BUILDERS["neuron_explorer"]().stages({})


def _widgets(page_html: str) -> list[dict]:
    return [json.loads(html.unescape(m)) for m in re.findall(r'data-widget="([^"]*)"', page_html)]


def test_the_built_pages_hold_each_settings_training(site_build):
    """On the built pages (both editions), each widget that trains has stages for every setting the page reaches,
    in epoch order, ending at the notebook's epoch; the picture of a moved control is its setting at the stage on
    display, a trained network where the notebook shows one (never the untrained picture)."""
    results = [w for w in site_build.widgets if w.builder in TRAINED]
    assert results and all(w.stages > w.pictures for w in results), [w.line() for w in results]
    for lang in ("en", "zh"):
        for page, builder in PAGES.items():
            from course_utils.editions import edition

            specs = [s for s in _widgets((site_build.site / edition(lang).site_path / f"{page}.html").read_text())
                     if "training" in s]
            records = _records(builder)
            assert len(specs) == len(records), f"{lang}/{page}: widgets that train without stages"
            for spec, record in zip(specs, records):
                training, frames = spec["training"], spec["frames"]
                assert set(training["stages"]) == set(frames), f"{lang}/{page}: settings without stages"
                for key, stages in training["stages"].items():
                    epochs = [epoch for epoch, _file in stages]
                    assert epochs == sorted(set(epochs)) and len(epochs) >= 2, (key, epochs)
                    if key:
                        assert frames[key] == stages[-1 if training["start"] == len(
                            training["stages"][_start_key(spec)]) - 1 else training["start"]][1], key
                start = training["stages"][_start_key(spec)]
                shown = {"playground": lambda r: r.rebuild["settings"]["epoch"],
                         "cnn_trainer": lambda r: len(r.rebuild["last_run"]["history"]["val_loss"]),
                         "regularization_playground": lambda r: 0}[builder](record)
                assert start[training["start"]][0] == shown, f"{lang}/{page}: the stage shown is not the notebook's"
                if builder == "playground" and shown:  # trained in the notebook: every setting's last stage
                    assert all(s[-1][0] == shown for s in training["stages"].values())
                    moved = [k for k in frames if k]
                    assert moved and all(frames[k] != training["stages"][k][0][1] for k in moved), \
                        "a moved control shows the untrained network"
                if builder == "regularization_playground":
                    assert all(s[-1][0] == 300 for s in training["stages"].values())


def _start_key(spec: dict) -> str:
    """The key of the shown setting's stages ("" in single mode; every control's start in grid mode)."""
    if spec["mode"] == "single":
        return ""
    assert len(spec["controls"]) == len(next(iter(spec["training"]["stages"])).split(",")), "a grid's dead control"
    return ",".join(str(c["start"]) for c in spec["controls"])


# ------------------------------------------------------------------------------------------------ in Chromium
JS_PLAY = """async (root, limit) => {
  const image = root.querySelector('img.cw-image');
  const button = root.querySelector('button[data-train]');
  const stages = [], loads = [];
  const onStage = (e) => stages.push({...e.detail, src: image.getAttribute('src')});
  const onLoad = () => loads.push({at: performance.now(), src: image.getAttribute('src')});
  root.addEventListener('cw-stage', onStage);
  image.addEventListener('load', onLoad);
  button.click();
  const t0 = performance.now();
  while ((!button.disabled || stages.length === 0) && performance.now() - t0 < limit)
    await new Promise(r => setTimeout(r, 20));
  while (button.disabled && performance.now() - t0 < limit) await new Promise(r => setTimeout(r, 20));
  await new Promise(r => setTimeout(r, 100));
  root.removeEventListener('cw-stage', onStage);
  image.removeEventListener('load', onLoad);
  return {stages, loads};
}"""


def _play(widget) -> tuple[list, list]:
    """Press the widget's training button; the stages shown (in order) and how late each picture loaded (ms)."""
    out = widget.evaluate(JS_PLAY, 15_000)
    stages, loads = out["stages"], out["loads"]
    late = []
    for stage in stages:
        load = next((x for x in loads if x["src"] == stage["src"] and x["at"] >= stage["due"] - 1), None)
        late.append(None if load is None else load["at"] - stage["due"])
    return stages, late


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_play_animates_the_training_and_moves_show_it_trained(lang, built_site, browser):
    """On 09, 08 and 07: the training button is enabled and plays the stages of the shown setting in order, each
    picture loaded within STAGE_LATE_MS of its due time; a control moved afterwards shows that setting at the stage
    on display, trained, not its untrained picture."""
    from course_utils.editions import edition

    site, base = built_site
    report = []
    for page_name in PAGES:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto(f"{base}/{edition(lang).site_path}/{page_name}.html", wait_until="load")
            widgets = page.locator(".course-widget-static")
            trained = [i for i in range(widgets.count())
                       if "training" in json.loads(widgets.nth(i).get_attribute("data-widget"))]
            assert trained, f"{page_name}: no widget that trains"
            for i in trained:
                widget = widgets.nth(i)
                spec = json.loads(widget.get_attribute("data-widget"))
                widget.scroll_into_view_if_needed()
                assert widget.locator("button[data-train]").is_enabled()
                stages, late = _play(widget)
                key = _start_key(spec)
                expected = spec["training"]["stages"][key]
                assert [s["index"] for s in stages] == list(range(len(expected))), f"{page_name} #{i}: {stages}"
                assert [s["src"].rsplit("/", 1)[1] for s in stages] == [f for _e, f in expected]
                assert [s["epoch"] for s in stages] == sorted(s["epoch"] for s in stages)
                assert len({s["src"] for s in stages}) == len(stages), "the picture did not change at each stage"
                assert all(x is not None and x <= STAGE_LATE_MS for x in late), f"{page_name} #{i}: late {late}"
                report.append(max(late))
                # move the first live control: the new setting at the last stage (a finished training on display)
                control = spec["controls"][0]
                el = widget.locator(f'[data-control="{control["name"]}"]')
                new = (control["start"] + 1) % len(control["values"])
                if el.evaluate("e => e.type") == "checkbox":
                    el.click()
                elif el.evaluate("e => e.tagName") == "SELECT":
                    el.select_option(str(new))
                else:
                    el.evaluate("(e, v) => { e.value = String(v); e.dispatchEvent(new Event('input')); }", new)
                src = widget.locator("img.cw-image").get_attribute("src").rsplit("/", 1)[1]
                moved = next(k for k in spec["training"]["stages"] if k != key and src in
                             [f for _e, f in spec["training"]["stages"][k]])
                stages_moved = spec["training"]["stages"][moved]
                assert src == stages_moved[-1][1] and src != stages_moved[0][1], \
                    f"{page_name} #{i}: a moved control shows {src}, not its setting trained"
        finally:
            page.close()
    print(f"{lang}: the latest stage picture loaded {max(report):.1f} ms after it was due")
