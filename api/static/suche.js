/* Searching earlier Vorlagen: the search form (GET /api/search with Kommune, Art and a date as
   filters) and the hit list, which the message box's „Suche: …“ fills as well. A hit's
   automatic summary (``hit.kurzfassung``, when the archive was summarised) is shown under its
   title, labelled „Kurzfassung:“. */
"use strict";
window.Suche = (function () {
  const S = window.Seite;
  const byId = S.byId, el = S.el;

  function showHits(result) {
    const list = byId("treffer-liste");
    list.replaceChildren();
    byId("treffer").hidden = false;
    byId("treffer-leer").hidden = result.hits.length > 0;
    for (const hit of result.hits) {
      const item = el("li", "quelle");
      const head = (hit.vorlagen_nr ? "Vorlage " + hit.vorlagen_nr + ": " : "") + (hit.betreff || "ohne Betreff");
      const line = el("p", "kopfzeile");
      const link = el("a", null, head);
      link.href = "/vorlage/" + encodeURIComponent(hit.id);
      link.target = "_blank";
      link.rel = "noopener";
      link.setAttribute("aria-label", head + " öffnen (neuer Tab)");
      line.append(link);
      item.append(line);
      item.append(el("p", "angaben", [hit.kommune, S.germanDate(hit.datum), hit.art].filter(Boolean).join(" · ")));
      if (hit.kurzfassung) {
        const summary = el("p", "kurzfassung");
        summary.append(el("strong", null, "Kurzfassung:"), " " + hit.kurzfassung);
        item.append(summary);
      }
      for (const passage of hit.passages || []) {
        item.append(el("blockquote", null, S.title(passage.section) + ": " + passage.excerpt));
      }
      list.append(item);
    }
    S.announce(result.hits.length
      ? result.hits.length + " ähnliche Vorlagen gefunden."
      : "Keine passenden Vorlagen gefunden.");
    byId("treffer-titel").focus();
  }

  async function search(event) {
    event.preventDefault();
    S.clearError();
    const form = byId("suche");
    const params = new URLSearchParams();
    for (const name of ["q", "kommune", "art", "seit"]) {
      const value = form.elements.namedItem(name).value.trim();
      if (value) params.set(name, value);
    }
    if (!params.has("q")) {
      S.showError("Bitte geben Sie einen Suchbegriff ein.");
      form.elements.namedItem("q").focus();
      return;
    }
    const button = byId("suchen");
    button.disabled = true;
    try {
      showHits(await (await S.call("GET", "/api/search?" + params.toString())).json());
    } catch (err) {
      S.showError(err.message);
    } finally {
      button.disabled = false;
    }
  }

  byId("suche").addEventListener("submit", search);

  return { showHits: showHits };
})();
