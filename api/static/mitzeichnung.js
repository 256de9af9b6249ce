/* The Mitzeichnung on the page (docs/api.md, "Mitzeichnung"):

   Send:    under a finished draft, „Zur Mitzeichnung senden“ asks the named approver
            (POST /api/drafts/<id>/mitzeichnung with the version shown as ``fassung``), and
            the draft's requests are listed with their decisions
            (GET /api/drafts/<id>/mitzeichnungen). entwurf.js calls show() whenever it lists
            the versions.
   Decide:  for a caller with the right ``mitzeichnen`` (the page shows #bitten only then),
            „Bitten um Mitzeichnung“ lists the open requests addressed to them
            (GET /api/mitzeichnungen), each with the stored text it concerns, notes and
            „Freigeben“ / „Zurückgeben“ (POST /api/mitzeichnungen/<id>/entscheidung).

   The API decides everything (who may be asked, notes required to return, a newer version);
   its German sentence is shown in the alert region. Names, texts and notes are inserted
   with textContent. Loaded after seite.js and entwurf.js. */
"use strict";
window.Mitzeichnung = (function () {
  const S = window.Seite;
  const byId = S.byId, el = S.el, call = S.call, busy = S.busy;
  const DECISIONS = S.TEXTS.decisions;
  const state = { id: null, shown: null };

  function draftUrl(id) { return "/api/drafts/" + encodeURIComponent(id); }

  // --- the clerk: send the draft and see its requests -------------------------------------

  // „Fassung 2 an bruno.keller (erbeten von anna am 30.11.2026, 16:20): zurückgegeben von
  // bruno.keller am 30.11.2026, 16:25 mit Anmerkungen: „…““
  function requestLine(approval) {
    const asked = "Fassung " + approval.version + " an " + approval.approver + " (erbeten von "
      + approval.requested_by + " am " + S.germanTime(approval.requested_at) + "): ";
    const item = el("li", null, asked);
    if (!approval.decision) {
      item.append(el("strong", null, "offen"));
      return item;
    }
    const decided = (DECISIONS[approval.decision] || approval.decision) + " von "
      + approval.decided_by + " am " + S.germanTime(approval.decided_at);
    item.append(el("strong", null, decided));
    if (approval.notes) {
      item.append(" mit Anmerkungen: ", el("q", "anmerkungen", approval.notes));
    }
    return item;
  }

  async function listRequests() {
    let approvals;
    try {
      approvals = await (await call("GET", draftUrl(state.id) + "/mitzeichnungen")).json();
    } catch (err) {
      S.showError(err.message);
      return;
    }
    byId("mitzeichnungen-liste").replaceChildren(...approvals.map(requestLine));
    byId("mitzeichnungen-leer").hidden = approvals.length > 0;
  }

  // The draft ``id`` is shown in version ``shown``: its requests are listed.
  function show(id, shown) {
    state.id = id;
    state.shown = shown;
    listRequests();
  }

  function send(event) {
    event.preventDefault();
    if (window.Entwurf.unsaved()) {
      S.showError(window.Entwurf.UNSAVED);
      return Promise.resolve();
    }
    const input = byId("mitzeichner");
    return busy(byId("mitzeichnung-senden"), async function () {
      const body = { mitzeichner: input.value.trim(), fassung: state.shown };
      const approval = await (await call("POST", draftUrl(state.id) + "/mitzeichnung", body)).json();
      input.value = "";
      S.announce("Fassung " + approval.version + " ist an " + approval.approver + " zur Mitzeichnung gesendet.");
      await listRequests();
    });
  }

  byId("mitzeichnung-form").addEventListener("submit", send);

  // --- the approver: open requests addressed to them --------------------------------------

  function textBlock(heading, text) {
    const box = el("div", "bitte-text");
    box.append(el("h4", null, heading), el("p", "lesetext", text || "—"));
    return box;
  }

  function caseEntry(ask) {
    const approval = ask.approval, draft = ask.draft;
    const item = el("li", "bitte");
    item.id = "bitte-" + approval.id;
    const heading = el("h3", null, ask.betreff);
    const facts = el("p", "angaben", approval.requested_by + " bittet um Mitzeichnung von Fassung "
      + approval.version + " (" + S.germanTime(approval.requested_at) + "). " + S.summary(draft.validation) + " ");
    const link = el("a", null, "Entwurf öffnen");
    link.href = "/entwurf/" + encodeURIComponent(approval.draft_id);
    link.append(el("span", "sr-only", ": " + ask.betreff));
    facts.append(link);
    item.append(heading, facts);
    if (!ask.is_current) {
      item.append(el("p", "hilfe", "Inzwischen gibt es Fassung " + ask.current_version
        + " dieses Entwurfs; entschieden werden kann nur über eine neu gesendete Fassung."));
    }
    item.append(textBlock(S.title("beschlussvorschlag"), draft.beschlussvorschlag));
    const more = el("details", "lesen");
    more.append(el("summary", null, S.title("sachdarstellung") + " und " + S.title("finanzielle_auswirkungen")));
    more.append(textBlock(S.title("sachdarstellung"), draft.sachdarstellung));
    more.append(textBlock(S.title("finanzielle_auswirkungen"), draft.finanzielle_auswirkungen));
    item.append(more, decisionForm(ask));
    return item;
  }

  function decisionForm(ask) {
    const id = ask.approval.id;
    const form = el("form", "formular");
    form.noValidate = true;
    const field = el("div", "feld");
    const label = el("label", null, "Anmerkungen");
    label.htmlFor = "anmerkungen-" + id;
    const notes = el("textarea");
    notes.id = "anmerkungen-" + id;
    notes.rows = 3;
    notes.maxLength = 2000;
    notes.setAttribute("aria-describedby", "anmerkungen-hilfe-" + id);
    const help = el("p", "hilfe", "Beim Zurückgeben erforderlich: was soll geändert werden?");
    help.id = "anmerkungen-hilfe-" + id;
    field.append(label, notes, help);
    const buttons = el("div", "knoepfe");
    buttons.append(
      decisionButton("Freigeben", "primaer", ask, notes, "freigegeben"),
      decisionButton("Zurückgeben", "neben", ask, notes, "zurueckgegeben"),
    );
    form.append(field, buttons);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    return form;
  }

  function decisionButton(text, className, ask, notes, decision) {
    const button = el("button", className, text);
    button.type = "button";
    button.append(el("span", "sr-only", ": " + ask.betreff)); // named without aria-label
    button.addEventListener("click", function () { decide(button, ask, notes, decision); });
    return button;
  }

  function decide(button, ask, notes, decision) {
    return busy(button, async function () {
      const url = "/api/mitzeichnungen/" + encodeURIComponent(ask.approval.id) + "/entscheidung";
      const body = { entscheidung: decision, anmerkungen: notes.value.trim() || null };
      let decided;
      try {
        decided = await (await call("POST", url, body)).json();
      } catch (err) {
        if (err.status === 422) notes.focus();
        throw err;
      }
      decidedEntry(ask, decided);
    });
  }

  // The decided request leaves the list; a line says what was decided.
  function decidedEntry(ask, approval) {
    byId("bitte-" + approval.id).remove();
    const said = "„" + ask.betreff + "“ (Fassung " + approval.version + ") "
      + (DECISIONS[approval.decision] || approval.decision) + ".";
    const done = byId("bitten-entschieden");
    done.append(el("li", null, said));
    done.hidden = false;
    byId("bitten-leer").hidden = byId("bitten-liste").children.length > 0;
    byId("bitten-titel").focus(); // the pressed button is gone
    S.announce(said);
  }

  async function listCases() {
    let cases;
    try {
      cases = await (await call("GET", "/api/mitzeichnungen")).json();
    } catch (err) {
      S.showError(err.message);
      return;
    }
    byId("bitten-liste").replaceChildren(...cases.map(caseEntry));
    byId("bitten-leer").hidden = cases.length > 0;
  }

  if (byId("bitten")) listCases();
  return { show: show };
})();
