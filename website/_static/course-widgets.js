/* The course's widgets without a kernel: every control shows a picture computed when the site was built.
 *
 * tools/website.py writes each widget as a .course-widget-static element whose data-widget attribute holds
 *   {mode: "grid" | "single", controls: [{name, values: [labels…], start}], frames: {key: url},
 *    captions: {key: text}}  (captions: the widget's text line for each picture, when it has one).
 * In "grid" mode every combination was computed (key: the controls' indices joined by ","); in "single" mode the
 * values reachable by moving one control from the start (key: "name=index", "" for the start), so moving one
 * control puts the others back to their start. Controls without pictures are disabled in the page itself.
 *
 * Pictures are fetched when the reader is about to use them, not all at once (a chapter's widgets hold up to 9 MB of
 * them): when a widget comes near the screen, the pictures one step away from the state shown (a slider or a
 * dropdown one step either side, a checkbox's other state); when the pointer moves onto a control or a control gets
 * the focus or a touch, a dropdown's every option first, then the widget's other pictures, nearest first; after
 * each move, the pictures one step away from the new state. `pictures.want(urls, priority)` queues them for every
 * widget; inside a widget, `want(keys, priority)` takes keys of its frames.
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
  // Fetch pictures ahead of the reader, each once, at most SLOTS at a time, so that a picture the reader asks for
  // never queues behind hundreds of others (the browser opens six connections to a server: two stay free for the
  // page's own requests). Priority 0 (the next move's pictures) goes before 1 (the rest); the newest wants of a
  // priority go first, since they are nearest to what the reader does now. A priority-0 picture is decoded too,
  // so that showing it costs no decode.
  var NEAR_ON_VIEW = 16;  // pictures fetched for a widget that comes near the screen, before the reader reaches it
  var pictures = (function () {
    var SLOTS = 4;
    var state = {};        // url -> [priority, "queued" | "loading" | "done"]
    var queues = [[], []];
    var kept = {};         // url -> its Image, so that the fetched (and decoded) picture stays in memory
    var busy = 0;
    function next() {
      for (var p = 0; p < queues.length; p++) {
        while (queues[p].length) {
          var url = queues[p].shift();
          if (state[url][1] === "queued" && state[url][0] === p) return url;
        }
      }
      return null;
    }
    function pump() {
      var url;
      while (busy < SLOTS && (url = next()) !== null) {
        busy++;
        state[url][1] = "loading";
        var img = new Image();
        kept[url] = img;
        if (state[url][0] === 0) img.fetchPriority = "high"; else img.fetchPriority = "low";
        img.onload = img.onerror = finished(url, img);
        img.src = url;
      }
    }
    function finished(url, img) {
      return function (event) {
        function done() { state[url][1] = "done"; busy--; pump(); }
        if (event.type === "load" && state[url][0] === 0 && img.decode) img.decode().then(done, done); else done();
      };
    }
    function want(urls, priority) {
      var fresh = urls.filter(function (url) {
        var s = state[url];
        if (s && (s[1] !== "queued" || s[0] <= priority)) return false;
        state[url] = [priority, "queued"];
        return true;
      });
      queues[priority] = fresh.concat(queues[priority]);
      pump();
    }
    return {want: want};
  })();
  // the rest of a widget's pictures waits until the page is idle: a move right after the reader reaches a control
  // then finds the main thread free to show its picture
  function idle(f) {
    if ("requestIdleCallback" in window) window.requestIdleCallback(f, {timeout: 1000}); else setTimeout(f, 300);
  }
  function setUp(root) {
    var spec = JSON.parse(root.getAttribute("data-widget"));
    var image = root.querySelector("img.cw-image");
    var base = image.getAttribute("data-base");
    var caption = root.querySelector(".cw-caption");
    var inputs = {};
    spec.controls.forEach(function (c) { inputs[c.name] = root.querySelector('[data-control="' + c.name + '"]'); });
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
    var stageImages = {};  // url -> its Image: a setting's stages are fetched and decoded before they play
    function keyNow() {
      if (spec.mode === "grid") return spec.controls.map(index).join(",");
      var moved = spec.controls.filter(function (c) { return index(c) !== c.start; })[0];
      return moved ? moved.name + "=" + index(moved) : "";
    }
    function preloadStages(key) {  // fetch and decode a setting's stage pictures (once); resolves when all are
      return Promise.all(((training && training.stages[key]) || []).map(function (s) {
        var url = base + s[1];
        if (!stageImages[url]) { stageImages[url] = new Image(); stageImages[url].src = url; }
        return stageImages[url].decode ? stageImages[url].decode().catch(function () {}) : Promise.resolve();
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
        preloadStages(key);  // the new setting's stages, ready for its training button
      } else {
        var file = spec.frames[key];
        if (file) image.src = base + file;
        if (caption && spec.captions && key in spec.captions) caption.textContent = spec.captions[key];
      }
      want(near(), 0);  // the reader is using this widget: the pictures one step from here, then the rest
      reached = null;
      if (!engaged) { engaged = true; idle(wantRest); }
    }

    // ---- which pictures to fetch ahead (see the top of this file): keys of spec.frames, given to pictures.want
    function want(keys, priority, limit) {  // limit: at most this many pictures, the first keys' (default: all)
      var urls = [];
      keys.forEach(function (k) {
        var url = spec.frames[k] && base + spec.frames[k];
        if (url && urls.indexOf(url) < 0) urls.push(url);
      });
      pictures.want(limit === undefined ? urls : urls.slice(0, limit), priority);
    }
    function keyAt(values) {  // the key of the picture for these control indices (one per live control)
      if (spec.mode === "grid") return values.join(",");
      var moved = spec.controls.filter(function (c, k) { return values[k] !== c.start; });
      return moved.length ? moved[0].name + "=" + values[spec.controls.indexOf(moved[0])] : "";
    }
    function step(k, to) {  // the key when control k goes to index `to` from the state shown
      var values = spec.controls.map(function (c, q) {
        return q === k ? to : spec.mode === "grid" ? index(c) : c.start;
      });
      return keyAt(values);
    }
    function options(k, all) {  // the indices control k can go to next: one step either side (every option of a
      var c = spec.controls[k], at = index(c), n = c.values.length, out = [];  // dropdown, when `all`)
      all = all && inputs[c.name].tagName === "SELECT";
      for (var i = 0; i < n; i++) if (i !== at && (all || Math.abs(i - at) === 1 || n === 2)) out.push(i);
      return out.sort(function (a, b) { return Math.abs(a - at) - Math.abs(b - at); });
    }
    function near(k) {  // one step away from the state shown, the first controls first (every option of control k,
      var keys = [];    // a dropdown, when given, before the others)
      if (k >= 0) options(k, true).forEach(function (i) { keys.push(step(k, i)); });
      spec.controls.forEach(function (c, q) {
        options(q, false).forEach(function (i) { keys.push(step(q, i)); });
      });
      return keys;
    }
    function wantRest() {  // every other picture of this widget, nearest to the state shown first
      var at = spec.controls.map(index);
      var names = spec.controls.map(function (c) { return c.name; });
      function distance(key) {
        if (spec.mode === "grid") {
          return key.split(",").reduce(function (d, v, k) { return d + Math.abs(parseInt(v, 10) - at[k]); }, 0);
        }
        var values = spec.controls.map(function (c) { return c.start; });
        if (key) {
          var k = names.indexOf(key.split("=")[0]);
          if (k < 0) return Infinity;  // a control that is not live: never shown
          values[k] = parseInt(key.split("=")[1], 10);
        }
        return values.reduce(function (d, v, q) { return d + Math.abs(v - at[q]); }, 0);
      }
      var keys = Object.keys(spec.frames).filter(function (key) { return distance(key) < Infinity; });
      want(keys.sort(function (a, b) { return distance(a) - distance(b); }), 1);
    }
    var engaged = false, reached = null;
    function engage(k) {  // the reader reaches for control k (or the widget, k < 0): its options, then the rest
      if (k === reached) return;  // wanted already, for the state shown
      reached = k;
      want(near(k), 0);
      if (!engaged) { engaged = true; idle(wantRest); }
    }
    function controlOf(target) {
      var label = target && target.closest && target.closest("label");
      var el = label ? label.querySelector("[data-control]") : null;
      for (var k = 0; k < spec.controls.length; k++) if (inputs[spec.controls[k].name] === el) return k;
      return -1;
    }
    // Near the screen: the next move's pictures, at most NEAR_ON_VIEW of them (a playground has twenty controls:
    // the others' come when the pointer reaches them). A page scrolling under a resting pointer is no reach for a
    // control, so the pointer engages only when it moves over a control; focus and touch engage at once.
    if ("IntersectionObserver" in window) {
      var watcher = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) {
          want(near(), 0, NEAR_ON_VIEW);
          watcher.disconnect();
        }
      }, {rootMargin: "50% 0px"});
      watcher.observe(root);
    } else {
      want(near(), 0, NEAR_ON_VIEW);
    }
    root.addEventListener("pointermove", function (e) {
      if (e.movementX || e.movementY) { var k = controlOf(e.target); if (k >= 0) engage(k); }
    });
    ["focusin", "pointerdown"].forEach(function (type) {
      root.addEventListener(type, function (e) { engage(controlOf(e.target)); });
    });
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
