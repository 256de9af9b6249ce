/* The request: the form (Betreff, Kommune, Gremium, Beratungsfolge rows, Fakten, Finanzielle
   Auswirkungen) and the chat box above it. A message goes to POST /api/chat, which reads it
   by rules: "Entwurf: …" fills the form for the clerk to confirm (nothing starts before the
   clerk presses "Entwurf schreiben"), "Suche: …" lists similar Vorlagen (suche.js), anything
   else gets the help. With a draft open, its id goes along: a refinement („kürzer“,
   „Finanzierung ergänzen: …“, „Fakt ergänzen: …“) starts a job that becomes its next version
   (event verfeinerung, then the job is followed by page.js). */
"use strict";
window.Anfrage = (function () {
  const S = window.Seite;
  const byId = S.byId, el = S.el, call = S.call, announce = S.announce;
  const ROLLEN = ["Vorberatung", "Beratung", "Entscheidung", "Kenntnisnahme", "Anhörung"];
  let rows = 0;

  function field(name) { return byId("anfrage").elements.namedItem(name); }

  function optional(value) {
    const text = (value || "").trim();
    return text ? text : null;
  }

  // --- Beratungsfolge rows ----------------------------------------------------------------

  function input(type, id, labelText, value) {
    const box = el("div", "feld");
    const label = el("label", null, labelText);
    label.htmlFor = id;
    const control = type === "select" ? el("select") : el("input");
    if (type === "select") {
      control.append(el("option", null, "(keine Angabe)"));
      control.options[0].value = "";
      for (const rolle of ROLLEN) control.append(el("option", null, rolle));
    } else {
      control.type = type;
    }
    control.id = id;
    control.value = value || "";
    box.append(label, control);
    return box;
  }

  function addRow(step) {
    rows += 1;
    const n = rows;
    const row = el("fieldset", "schritt");
    row.append(el("legend", null, "Beratungsschritt " + (byId("schritte").children.length + 1)));
    row.append(
      input("text", "schritt-gremium-" + n, "Gremium", step && step.gremium),
      input("select", "schritt-rolle-" + n, "Rolle", step && step.rolle),
      input("date", "schritt-datum-" + n, "Datum", step && step.datum),
    );
    const remove = el("button", "neben", "Schritt entfernen");
    remove.type = "button";
    remove.addEventListener("click", function () {
      row.remove();
      renumber();
      byId("schritt-neu").focus();
    });
    row.append(remove);
    byId("schritte").append(row);
    return row;
  }

  function renumber() {
    Array.from(byId("schritte").children).forEach(function (row, i) {
      row.querySelector("legend").textContent = "Beratungsschritt " + (i + 1);
    });
  }

  function readRows() {
    return Array.from(byId("schritte").children).map(function (row) {
      const [gremium, rolle, datum] = row.querySelectorAll("input, select");
      return { gremium: gremium.value.trim(), rolle: rolle.value || null, datum: datum.value || null };
    }).filter(function (step) { return step.gremium; });
  }

  // --- the form ---------------------------------------------------------------------------

  function read() {
    return {
      betreff: field("betreff").value,
      kommune: optional(field("kommune").value),
      gremium: field("gremium").value,
      beratungsfolge: readRows(),
      fakten: field("fakten").value,
      finanzielle_auswirkungen: optional(field("finanzielle_auswirkungen").value),
    };
  }

  function check() {
    for (const [name, label] of [["betreff", "den Betreff"], ["gremium", "das entscheidende Gremium"]]) {
      const control = field(name);
      if (!control.value.trim()) {
        S.showError("Bitte geben Sie " + label + " an.");
        control.setAttribute("aria-invalid", "true");
        control.focus();
        return false;
      }
      control.removeAttribute("aria-invalid");
    }
    return true;
  }

  function fill(form) {
    field("betreff").value = form.betreff || "";
    field("kommune").value = form.kommune || "";
    field("gremium").value = form.gremium || "";
    field("fakten").value = form.fakten || "";
    field("finanzielle_auswirkungen").value = form.finanzielle_auswirkungen || "";
    byId("schritte").replaceChildren();
    for (const step of form.beratungsfolge || []) addRow(step);
  }

  // --- the chat box -----------------------------------------------------------------------

  function showAnswer(lines, heading) {
    const box = byId("antwort");
    box.replaceChildren();
    if (heading) box.append(el("p", "antwort-titel", heading));
    const list = el("ul");
    for (const line of lines) list.append(el("li", null, line));
    if (lines.length) box.append(list);
    box.hidden = false;
  }

  const ANSWERS = {
    formular: function (data) {
      fill(data.form);
      const open = data.missing.map(function (m) { return m.question; });
      showAnswer(open, open.length
        ? "Ins Formular übernommen. Bitte prüfen und ergänzen Sie:"
        : "Ins Formular übernommen. Bitte prüfen Sie die Angaben und starten Sie dann den Entwurf.");
      announce("Die Nachricht wurde ins Formular übernommen.");
      field("betreff").focus();
    },
    verfeinerung: function (data) {
      showAnswer([], data.text);
      announce(data.text);
      window.Entwurf.hooks.follow(data.id);
      byId("lauf-titel").focus();
    },
    treffer: function (data) {
      byId("antwort").hidden = true;
      window.Suche.showHits(data);
    },
    antwort: function (data) {
      const lines = data.text.split("\n").filter(Boolean);
      showAnswer(lines.slice(1), (data.hint ? data.hint + " " : "") + lines[0]);
      announce("Die Hilfe wird angezeigt.");
    },
  };

  async function send(event) {
    event.preventDefault();
    S.clearError();
    const text = byId("nachricht").value.trim();
    if (!text) {
      S.showError("Bitte schreiben Sie eine Nachricht, zum Beispiel „Entwurf: …“ oder „Suche: …“.");
      byId("nachricht").focus();
      return;
    }
    const open = window.Entwurf.current();
    if (open && window.Entwurf.unsaved()) {
      S.showError(window.Entwurf.UNSAVED);
      return;
    }
    const button = byId("senden");
    button.disabled = true;
    try {
      const body = open ? { nachricht: text, entwurf: open } : { nachricht: text };
      const response = await call("POST", "/api/chat", body, "text/event-stream");
      await S.readEvents(response, function (kind, data) {
        if (ANSWERS[kind]) ANSWERS[kind](data);
        return true;
      });
    } catch (err) {
      S.showError(err.message);
    } finally {
      button.disabled = false;
    }
  }

  byId("chat").addEventListener("submit", send);
  byId("schritt-neu").addEventListener("click", function () {
    addRow(null).querySelector("input").focus();
  });

  return { read: read, check: check };
})();
