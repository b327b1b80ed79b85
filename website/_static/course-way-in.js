/* The way in: remember the edition the reader chooses in the language switch, so that the site's entry page
   (build/site/index.html, tools/website.py's ENTRY_SCRIPT) opens it next time. The switch's links lead to
   <site path>/<page>.html; the site path is what the entry page reads back. */
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a.course-lang-switch");
  if (!link) return;
  var parts = new URL(link.href, location.href).pathname.split("/");
  try { localStorage.setItem("course-edition", parts[parts.length - 2]); } catch (e) { /* storage off: no memory */ }
});
