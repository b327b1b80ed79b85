/* The sidebars' buttons, on every width.
 *
 * sphinx-book-theme 1.4 (on pydata-sphinx-theme 0.20) puts two buttons of each sidebar toggle in a page: the top
 * bar's, which the book layout hides, and the article header's, the one a reader sees and presses. Both themes
 * bind their click handlers to the first one in the page (document.querySelector), the hidden one
 * (pydata/pydata-sphinx-theme#2451), so the visible ☰ and contents buttons do nothing: below 992 px the chapter
 * list, the language switch and the page's contents could not be reached at all. A press on a visible toggle that
 * no theme handler took (they stop the click and prevent its default) is handed to the button the themes listen
 * to, so each theme does what it does there: the drawer (a dialog) on a narrow screen, the left sidebar folded
 * away on a wide one, the page's contents as a drawer. Should a theme release bind the visible button itself, its
 * handler takes the click first and this does nothing.
 */
(() => {
  "use strict";
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || !(event.target instanceof Element)) return;
    const button = event.target.closest("button.primary-toggle, button.secondary-toggle");
    if (!button) return;
    const kind = button.classList.contains("primary-toggle") ? ".primary-toggle" : ".secondary-toggle";
    const bound = document.querySelector(kind);
    if (bound && bound !== button) {
      event.preventDefault();
      bound.click();
    }
  });
})();
