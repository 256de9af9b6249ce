/* The read view of each section with the provenance of its numbers (POST /api/belege):
   every number, date, amount, § and Vorlagen-Nr. is marked with its status as text
   („aus Ihren Angaben“, „aus Quelle [n]“, „nicht belegt“). Hovering or focusing a source's
   mark shows the passage that says it; the link [n] opens that source with the passage
   marked. entwurf.js calls show() with the draft as last checked. */
"use strict";
window.Belege = (function () {
  const S = window.Seite;
  const byId = S.byId, el = S.el;
  const state = { citations: new Map(), request: 0 };

  function readView(section) {
    let box = byId("lesen-" + section);
    if (!box) {
      box = el("details", "lesen");
      box.id = "lesen-" + section;
      box.append(el("summary"), el("p", "hilfe", "Jede Zahl, jedes Datum, jeder Betrag, jede Vorschrift und jede Vorlagen-Nummer ist gekennzeichnet: aus Ihren Angaben, aus einer Quelle (Maus darauf oder Tab zeigt die Stelle) oder nicht belegt."), el("div", "lesetext"));
      byId("feld-" + section).closest("article").append(box);
    }
    return box;
  }

  function openSource(n, beleg) {
    const item = byId("quelle-" + n);
    const citation = state.citations.get(n);
    if (!item || !citation) return;
    const quote = item.querySelector("blockquote");
    const passage = citation.passage || "";
    if (beleg && beleg.stelle_quelle === n && beleg.stelle_start !== null) {
      const place = el("mark", "stelle", passage.slice(beleg.stelle_start, beleg.stelle_end));
      quote.replaceChildren(passage.slice(0, beleg.stelle_start), place, passage.slice(beleg.stelle_end));
    } else {
      quote.replaceChildren(passage);
    }
    item.focus();
    (quote.querySelector("mark") || item).scrollIntoView({ block: "center" });
  }

  function sourceLink(n, beleg) {
    const link = el("a", null, "[" + n + "]");
    link.href = "#quelle-" + n;
    link.setAttribute("aria-label", "Quelle " + n + " an der Stelle öffnen");
    link.addEventListener("click", function (event) {
      event.preventDefault();
      openSource(n, beleg);
    });
    return link;
  }

  function mark(beleg, index) {
    const box = el("span", "beleg beleg-" + beleg.status);
    const label = el("span", "beleg-label");
    if (beleg.status === "quelle") {
      label.append(beleg.quellen.length === 1 ? "aus Quelle " : "aus Quellen ");
      beleg.quellen.forEach(function (n, i) {
        if (i) label.append(i === beleg.quellen.length - 1 ? " und " : ", ");
        label.append(sourceLink(n, beleg));
      });
    } else {
      label.append(beleg.label);
    }
    box.append(el("mark", null, beleg.text), " (", label, ")");
    if (beleg.stelle) {
      const tip = el("span", "tipp", "Quelle [" + beleg.stelle_quelle + "]: " + beleg.stelle);
      tip.id = "tipp-" + index;
      tip.setAttribute("role", "tooltip");
      box.append(tip);
      for (const link of label.querySelectorAll("a")) link.setAttribute("aria-describedby", tip.id);
    }
    return box;
  }

  function render(draft, answer) {
    let index = 0;
    for (const section of Object.keys(answer.sections)) {
      if (!byId("feld-" + section)) continue;
      const box = readView(section);
      const text = draft[section] || "";
      const here = answer.belege.filter(function (b) { return b.section === section; });
      box.querySelector("summary").textContent = "Lesefassung mit Belegen – " + answer.sections[section];
      const body = box.querySelector(".lesetext");
      body.replaceChildren();
      let at = 0;
      for (const beleg of here) {
        body.append(text.slice(at, beleg.start), mark(beleg, index++));
        at = beleg.end;
      }
      body.append(text.slice(at));
    }
  }

  // The read views for ``draft`` (as last checked); a later call wins over an earlier one.
  async function show(draft) {
    const mine = ++state.request;
    state.citations = new Map((draft.citations || []).map(function (c) { return [c.n, c]; }));
    let answer;
    try {
      answer = await (await S.call("POST", "/api/belege", draft)).json();
    } catch (err) {
      S.showError(err.message);
      return;
    }
    if (mine === state.request) render(draft, answer);
  }

  return { show: show };
})();
