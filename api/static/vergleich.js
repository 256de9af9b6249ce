/* „Fassungen vergleichen“: two versions of the draft side by side in one text
   (GET /api/drafts/<id>/diff?von=&zu=), section by section. Deleted words are <del>,
   inserted ones <ins>, each also struck through or underlined and preceded by a text for
   screen readers („gestrichen:“, „eingefügt:“), so that nothing depends on colour. entwurf.js
   calls versions() whenever it lists the versions. */
"use strict";
window.Vergleich = (function () {
  const S = window.Seite;
  const byId = S.byId, el = S.el;
  const state = { id: null };

  function fill(select, versions, chosen) {
    select.replaceChildren(...versions.map(function (version) {
      const option = el("option", null, "Fassung " + version.number);
      option.value = String(version.number);
      option.selected = version.number === chosen;
      return option;
    }));
  }

  // The versions of draft ``id`` (oldest first): the form offers the last two by default.
  function versions(id, list) {
    state.id = id;
    byId("vergleich").hidden = true;
    byId("vergleich-form").hidden = list.length < 2;
    if (list.length < 2) return;
    fill(byId("vergleich-von"), list, list[list.length - 2].number);
    fill(byId("vergleich-zu"), list, list[list.length - 1].number);
  }

  function marked(tag, label, text) {
    const node = el(tag);
    node.append(el("span", "sr-only", label + " "), text);
    return node;
  }

  function sectionBox(section) {
    const box = el("article", "vergleich-abschnitt");
    box.append(el("h5", null, section.title), el("p", "hilfe", section.summary));
    if (!section.changed) return box;
    const text = el("div", "vergleich-text");
    for (const part of section.parts) {
      if (part.kind === "insert") text.append(marked("ins", "eingefügt:", part.text));
      else if (part.kind === "delete") text.append(marked("del", "gestrichen:", part.text));
      else text.append(part.text);
    }
    box.append(text);
    return box;
  }

  async function compare(event) {
    event.preventDefault();
    S.clearError();
    const von = byId("vergleich-von").value, zu = byId("vergleich-zu").value;
    const url = "/api/drafts/" + encodeURIComponent(state.id) + "/diff?von=" + encodeURIComponent(von) + "&zu=" + encodeURIComponent(zu);
    let diff;
    try {
      diff = await (await S.call("GET", url)).json();
    } catch (err) {
      S.showError(err.message);
      return;
    }
    const said = "Fassung " + diff.von + " und Fassung " + diff.zu + " verglichen: " + diff.summary + ".";
    byId("vergleich-titel").textContent = "Fassung " + diff.von + " → Fassung " + diff.zu;
    byId("vergleich-summe").textContent = said;
    byId("vergleich-abschnitte").replaceChildren(...diff.sections.map(sectionBox));
    byId("vergleich").hidden = false;
    byId("vergleich-titel").focus();
    S.announce(said);
  }

  byId("vergleich-form").addEventListener("submit", compare);
  return { versions: versions };
})();
