/* The course's widgets without a kernel: every control shows a picture computed when the site was built.
 *
 * tools/website.py writes each widget as a .course-widget-static element whose data-widget attribute holds
 *   {mode: "grid" | "single", controls: [{name, values: [labels…], start}], frames: {key: url},
 *    captions: {key: text}}  (captions: the widget's text line for each picture, when it has one).
 * In "grid" mode every combination was computed (key: the controls' indices joined by ","); in "single" mode the
 * values reachable by moving one control from the start (key: "name=index", "" for the start), so moving one
 * control puts the others back to their start. Controls without pictures are disabled in the page itself.
 */
(function () {
  "use strict";
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
    function show(moved) {
      var key;
      if (spec.mode === "grid") {
        key = spec.controls.map(index).join(",");
      } else {
        spec.controls.forEach(function (c) { if (c.name !== moved) setIndex(c, c.start); });
        var c = spec.controls.filter(function (c) { return c.name === moved; })[0];
        key = index(c) === c.start ? "" : moved + "=" + index(c);
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
