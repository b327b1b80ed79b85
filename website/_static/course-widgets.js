/* The course's widgets without a kernel: every control shows a picture computed when the site was built.
 *
 * tools/website.py writes each widget as a .course-widget-static element whose data-widget attribute holds
 *   {mode: "grid" | "single", controls: [{name, values: [labels…], start}], frames: {key: url},
 *    captions: {key: text}}  (captions: the widget's text line for each picture, when it has one).
 * In "grid" mode every combination was computed (key: the controls' indices joined by ","); in "single" mode the
 * values reachable by moving one control from the start (key: "name=index", "" for the start), so moving one
 * control puts the others back to their start. Controls without pictures are disabled in the page itself.
 *
 * A widget that trains also has training: {button, start, stages: {key: [[epoch, file], …]}, captions?: {key:
 * [text, …]}}: the stages of each setting's training, computed at the build. Its button (data-train) plays the
 * shown setting's stages in order, one every STAGE_MS, once they are all loaded; a moved control shows the new
 * setting at the stage on display (at its last stage when the last one was on display). Each stage shown sends
 * the widget a "cw-stage" event, {index, epoch, due: performance.now() when it is due} (the site's tests time it).
 */
(function () {
  "use strict";
  var STAGE_MS = 400;  // one training stage to the next, when the training button plays them
  function setUp(root) {
    var spec = JSON.parse(root.getAttribute("data-widget"));
    var image = root.querySelector("img.cw-image");
    var base = image.getAttribute("data-base");
    var caption = root.querySelector(".cw-caption");
    var inputs = {};
    spec.controls.forEach(function (c) { inputs[c.name] = root.querySelector('[data-control="' + c.name + '"]'); });
    var loaded = {};
    function preload() {  // fetch every picture of this widget (once), so that moves are instant
      Object.keys(spec.frames).forEach(function (k) {
        var url = base + spec.frames[k];
        if (!loaded[url]) { loaded[url] = new Image(); loaded[url].src = url; }
      });
    }
    function index(c) {
      var el = inputs[c.name];
      if (el.type === "checkbox") return el.checked ? 1 : 0;
      return parseInt(el.value, 10);
    }
    function setIndex(c, i) {
      var el = inputs[c.name];
      if (el.type === "checkbox") el.checked = i === 1; else el.value = String(i);
      readout(c);
    }
    function readout(c) {
      var shown = root.querySelector('[data-readout="' + c.name + '"]');
      if (shown) shown.textContent = c.values[index(c)];
    }
    // -- training (spec.training): which stage is on display, the key of the setting shown, its stage pictures
    var training = spec.training || null;
    var stage = training ? training.start : 0;
    var atEnd = false;
    function keyNow() {
      if (spec.mode === "grid") return spec.controls.map(index).join(",");
      var moved = spec.controls.filter(function (c) { return index(c) !== c.start; })[0];
      return moved ? moved.name + "=" + index(moved) : "";
    }
    function preloadStages(key) {  // fetch and decode a setting's stage pictures (once); resolves when all are
      return Promise.all(((training && training.stages[key]) || []).map(function (s) {
        var url = base + s[1];
        if (!loaded[url]) { loaded[url] = new Image(); loaded[url].src = url; }
        return loaded[url].decode ? loaded[url].decode().catch(function () {}) : Promise.resolve();
      }));
    }
    function stageOf(key) {  // the stage on display for setting key: its index in the setting's stages
      var list = training.stages[key];
      return atEnd ? list.length - 1 : Math.min(stage, list.length - 1);
    }
    function showStage(key, i) {
      var list = training.stages[key];
      stage = i;
      atEnd = i === list.length - 1;
      image.src = base + list[i][1];
      if (caption && training.captions && training.captions[key]) caption.textContent = training.captions[key][i];
    }
    function play(button) {
      button.disabled = true;
      preloadStages(keyNow()).then(function () {
        var t0 = performance.now();
        var i = 0;
        (function next() {
          var key = keyNow();
          var list = training.stages[key];
          if (!list || i >= list.length) { button.disabled = false; return; }
          showStage(key, i);
          root.dispatchEvent(new CustomEvent("cw-stage", {detail: {index: i, epoch: list[i][0], due: t0 + i * STAGE_MS}}));
          i += 1;
          if (i < list.length) setTimeout(next, Math.max(0, t0 + i * STAGE_MS - performance.now()));
          else button.disabled = false;
        })();
      });
    }
    if (training) {
      var startList = training.stages[keyNow()];
      atEnd = !!startList && training.start === startList.length - 1;
      var trainButton = root.querySelector("button[data-train]");
      if (trainButton) trainButton.addEventListener("click", function () { play(trainButton); });
    }
    function show(moved) {
      var key;
      if (spec.mode === "grid") {
        key = spec.controls.map(index).join(",");
      } else {
        spec.controls.forEach(function (c) { if (c.name !== moved) setIndex(c, c.start); });
        var c = spec.controls.filter(function (c) { return c.name === moved; })[0];
        key = index(c) === c.start ? "" : moved + "=" + index(c);
      }
      if (training && training.stages[key]) {
        showStage(key, stageOf(key));
        preloadStages(key);
        preload();
        return;
      }
      var file = spec.frames[key];
      if (file) image.src = base + file;
      if (caption && spec.captions && key in spec.captions) caption.textContent = spec.captions[key];
      preload();
    }
    // fetch this widget's pictures once it is on screen (or touched), so that a moved control answers at once
    if ("IntersectionObserver" in window) {
      var watcher = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { preload(); watcher.disconnect(); }
      });
      watcher.observe(root);
    }
    root.addEventListener("pointerenter", preload, {once: true});
    root.addEventListener("focusin", preload, {once: true});
    spec.controls.forEach(function (c) {
      var el = inputs[c.name];
      if (!el || el.disabled) return;
      readout(c);
      el.addEventListener("input", function () { readout(c); show(c.name); });
      el.addEventListener("change", function () { readout(c); show(c.name); });
    });
  }
  function init() { document.querySelectorAll(".course-widget-static").forEach(setUp); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
