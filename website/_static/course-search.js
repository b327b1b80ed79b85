/* The search page's own part of the course (tools/site_search.py tells the story):
 * - a query word the index does not hold, in a language written without spaces, is cut into the index's words,
 *   longest first (优化器与学习率调度 → 优化器 学习率 调度), so a phrase finds the pages that hold all its words;
 * - a result's snippet is the passage of the page's article that holds the word (not the page's table of contents
 *   or its buttons), with its TeX as plain text (\(\mathbf{x}_i^2\) → x_i², \frac{a}{b} → a/b).
 * - a page whose title holds the query ranks first (a chapter's title finds its chapter before the pages that
 *   mention it).
 * It changes Sphinx's Search object (searchtools.js) before Search.init runs the page's query. */
"use strict";

const CourseSearch = (() => {
  const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  const RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;

  // ------------------------------------------------------------------------------ the query, in index words
  const vocabulary = (index) => {
    if (!index._courseWords) {
      const words = new Set([...Object.keys(index.terms), ...Object.keys(index.titleterms)]);
      index._courseWords = { words, longest: Math.max(1, ...[...words].map((w) => w.length)) };
    }
    return index._courseWords;
  };

  /* The index's words in a query word: CJK runs cut longest match first, other runs stemmed as Sphinx does;
   * characters no index word starts with are dropped (的, 与). [] when nothing of it is in the index. */
  const segment = (word, index, stemmer) => {
    const { words, longest } = vocabulary(index);
    const pieces = [];
    for (const run of word.match(RUN) || []) {
      if (!CJK.test(run)) {
        const latin = stemmer.stemWord(run.toLowerCase());
        if (latin.length > 1) pieces.push(latin);
        continue;
      }
      for (let i = 0; i < run.length;) {
        let j = Math.min(run.length, i + longest);
        while (j > i && !words.has(run.slice(i, j))) j--;
        if (j > i) { pieces.push(run.slice(i, j)); i = j; } else i++;
      }
    }
    return pieces;
  };

  // ---------------------------------------------------------------------------------- TeX as plain text
  const SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", zeta: "ζ", eta: "η",
    theta: "θ", iota: "ι", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ", pi: "π", rho: "ρ", sigma: "σ",
    tau: "τ", phi: "φ", varphi: "φ", chi: "χ", psi: "ψ", omega: "ω", Gamma: "Γ", Delta: "Δ", Theta: "Θ",
    Lambda: "Λ", Pi: "Π", Sigma: "Σ", Phi: "Φ", Psi: "Ψ", Omega: "Ω",
    cdot: "·", times: "×", div: "÷", pm: "±", le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠",
    approx: "≈", sim: "∼", equiv: "≡", propto: "∝", in: "∈", notin: "∉", subset: "⊂", infty: "∞",
    to: "→", rightarrow: "→", leftarrow: "←", Rightarrow: "⇒", mapsto: "↦", partial: "∂", nabla: "∇",
    sum: "∑", prod: "∏", int: "∫", odot: "⊙", otimes: "⊗", circ: "∘", top: "ᵀ", ldots: "…", cdots: "⋯",
    dots: "…", vdots: "⋮", lVert: "‖", rVert: "‖", Vert: "‖", "|": "‖", mid: "|", lvert: "|", rvert: "|",
    langle: "⟨", rangle: "⟩", lfloor: "⌊", rfloor: "⌋", lceil: "⌈", rceil: "⌉", forall: "∀", exists: "∃",
    quad: " ", qquad: " ", ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "{": "{", "}": "}", "%": "%",
    "_": "_", "&": "&", "#": "#", "\\": "; ",
  };
  const ACCENTS = { hat: "\u0302", widehat: "\u0302", bar: "\u0304", overline: "\u0304", tilde: "\u0303",
                    widetilde: "\u0303", vec: "\u20d7", dot: "\u0307", ddot: "\u0308" };
  const DROP = new Set(["left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "displaystyle",
                        "textstyle", "limits", "nolimits", "nonumber", "notag", "label", "tag"]);
  const SUP = { 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹", "+": "⁺",
                "-": "⁻", "=": "⁼", "(": "⁽", ")": "⁾", n: "ⁿ", i: "ⁱ", T: "ᵀ", "ᵀ": "ᵀ", "*": "*", "′": "′" };
  const SUB = { 0: "₀", 1: "₁", 2: "₂", 3: "₃", 4: "₄", 5: "₅", 6: "₆", 7: "₇", 8: "₈", 9: "₉", "+": "₊",
                "-": "₋", "=": "₌", "(": "₍", ")": "₎", a: "ₐ", e: "ₑ", i: "ᵢ", j: "ⱼ", k: "ₖ", l: "ₗ", m: "ₘ",
                n: "ₙ", o: "ₒ", p: "ₚ", r: "ᵣ", s: "ₛ", t: "ₜ", u: "ᵤ", v: "ᵥ", x: "ₓ" };

  /* TeX (without its delimiters) as plain text: commands by their symbols, groups by their text, fractions as
   * a/b, scripts as Unicode super/subscripts where every character has one (else ^(…), _…). */
  const plainMath = (tex) => {
    let i = 0;
    const group = () => {  // one argument: {…} or one token
      while (tex[i] === " ") i++;
      if (tex[i] === "{") {
        i++;
        const text = sequence("}");
        i++;
        return text;
      }
      return token();
    };
    const script = (text, table, mark) => {
      const chars = [...text.replace(/\s+/g, "")];
      if (chars.length && chars.every((c) => table[c])) return chars.map((c) => table[c]).join("");
      return chars.length > 1 ? `${mark}(${text})` : mark + text;
    };
    const token = () => {
      const c = tex[i];
      if (c === undefined) return "";
      if (c === "\\") {
        const m = /^\\([A-Za-z]+|.)/.exec(tex.slice(i));
        i += m[0].length;
        const name = m[1];
        if (name === "frac" || name === "dfrac" || name === "tfrac") {
          const a = group(), b = group();
          const wrap = (s) => (/^[\w\u0370-\u03ff.]+$/u.test(s) ? s : `(${s})`);
          return `${wrap(a)}/${wrap(b)}`;
        }
        if (name === "sqrt") return `√${(() => { const g = group(); return g.length > 1 ? `(${g})` : g; })()}`;
        if (name in ACCENTS) return group() + ACCENTS[name];
        if (name === "begin" || name === "end") { group(); return " "; }
        if (name === "operatorname" || /^(math|text|bold|boldsymbol|mbox|emph)/.test(name)) return group();
        if (DROP.has(name)) return "";
        if (name in SYMBOLS) return SYMBOLS[name];
        return name;  // \log, \exp, \max, \tanh, \mathrm-less names: their name
      }
      i++;
      if (c === "{") { const text = sequence("}"); i++; return text; }
      if (c === "^") return script(group(), SUP, "^");
      if (c === "_") return script(group(), SUB, "_");
      if (c === "&") return " ";
      if (c === "~") return " ";
      return c;
    };
    const sequence = (end) => {
      let out = "";
      while (i < tex.length && tex[i] !== end) out += token();
      return out;
    };
    let text = "";
    while (i < tex.length) { text += sequence("}"); if (i < tex.length) i++; }
    return text.replace(/\s+/g, " ").trim();
  };

  const stripDelimiters = (tex) => tex.trim().replace(/^(\\\(|\\\[|\$\$?)/, "").replace(/(\\\)|\\\]|\$\$?)$/, "");

  /* The text of the page's article (or of the section `anchor` names in it), math as plain text. */
  const articleText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll(".headerlink, script, style, .cw-controls, noscript").forEach((el) => el.remove());
    doc.querySelectorAll(".math, mjx-container").forEach((el) => {
      el.replaceWith(doc.createTextNode(` ${plainMath(stripDelimiters(el.textContent))} `));
    });
    const root = doc.querySelector("article.bd-article") || doc.querySelector('[role="main"]');
    if (!root) return "";
    const part = anchor ? root.querySelector(anchor) : null;
    return (part || root).textContent.replace(/\s+/g, " ");
  };

  const install = () => {
    if (typeof Search === "undefined" || Search._course) return;
    Search._course = true;
    Search.htmlToText = articleText;
    const parseQuery = Search._parseQuery;
    Search._parseQuery = (query) => {
      const [q, searchTerms, excludedTerms, highlightTerms, objectTerms] = parseQuery(query);
      const index = Search._index;
      if (!index) return [q, searchTerms, excludedTerms, highlightTerms, objectTerms];
      const { words } = vocabulary(index);
      const stemmer = new Stemmer();
      const terms = new Set();
      for (const term of searchTerms) {
        const pieces = words.has(term) || !CJK.test(term) ? [term] : segment(term, index, stemmer);
        (pieces.length ? pieces : [term]).forEach((p) => terms.add(p));
        if (pieces.length > 1) pieces.forEach((p) => highlightTerms.add(p));
      }
      Search._courseQuery = { text: q.toLowerCase().trim(), words: [...terms] };
      return [q, terms, excludedTerms, highlightTerms, objectTerms];
    };
    // a page whose title holds the query (or every word of it) ranks above pages that only mention it
    const score = Scorer.score;
    Scorer.score = (result) => {
      const base = score ? score(result) : result[4];
      const index = Search._index, query = Search._courseQuery;
      if (!index || !query) return base;
      const title = (index.titles[index.docnames.indexOf(result[0])] || "").toLowerCase();
      const held = title.includes(query.text) || (query.words.length && query.words.every((w) => title.includes(w)));
      return held ? base + Scorer.title : base;
    };
  };

  if (typeof Search !== "undefined") install();
  else document.addEventListener("DOMContentLoaded", install);
  return { segment, plainMath, articleText };
})();
