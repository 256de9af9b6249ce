/* The finished draft on the page: the sources, each section in a textarea, the findings
   beside them (choosing one moves the focus to its place), and the actions: check again
   (POST /api/validate), save as a version (PUT /api/drafts/<id>), download (POST /api/export;
   an export with errors only after the clerk confirmed, then with force). */
"use strict";
window.Entwurf = (function () {
  const S = window.Seite;
  const byId = S.byId, el = S.el, title = S.title, call = S.call;
  const announce = S.announce, showError = S.showError, busy = S.busy;
  const summary = S.summary, TEXTS = S.TEXTS;
  const EDITABLE = ["beschlussvorschlag", "sachdarstellung", "finanzielle_auswirkungen"];
  const REWRITABLE = ["beschlussvorschlag", "sachdarstellung"];
  const UNSAVED = "Sie haben ungespeicherte Änderungen am Entwurf; bitte speichern Sie sie zuerst als Fassung („Neu schreiben“, Verfeinerungen und die Mitzeichnung gehen von der gespeicherten Fassung aus).";
  const state = { id: null, draft: null, shown: null };
  // page.js sets ``follow(id)``: a job of this draft (a section written again) is followed
  // like a draft.
  const hooks = { follow: null };

  // --- sources ----------------------------------------------------------------------------

  function renderSources(citations) {
    const list = byId("quellen-liste");
    list.replaceChildren();
    byId("quellen").hidden = false;
    byId("quellen-leer").hidden = citations.length > 0;
    for (const citation of citations) {
      const item = el("li", "quelle");
      item.id = "quelle-" + citation.n;
      item.tabIndex = -1;
      const head = el("p", "kopfzeile");
      head.textContent = "[" + citation.n + "] " + (citation.vorlagen_nr ? "Vorlage " + citation.vorlagen_nr + ": " : "") + (citation.betreff || "ohne Betreff");
      item.append(head);
      const facts = [citation.kommune, S.germanDate(citation.datum), "Abschnitt: " + title(citation.section)];
      if (citation.oeffentlich === false) facts.push("nichtöffentlich");
      item.append(el("p", "angaben", facts.filter(Boolean).join(" · ")));
      const quote = el("blockquote", null, citation.passage);
      quote.setAttribute("aria-label", "Stelle, die das Sprachmodell gesehen hat");
      item.append(quote);
      item.append(sourceLink(citation));
      list.append(item);
    }
  }

  // The stored Vorlage, opened in a new tab at the passage (GET /vorlage/<id>?stelle=…).
  function sourceLink(citation) {
    const line = el("p", "quelle-link");
    const link = el("a", null, "Quelle " + citation.n + " öffnen, Stelle markiert (neuer Tab)");
    link.href = "/vorlage/" + encodeURIComponent(citation.vorlage_id) + "?stelle=" + encodeURIComponent(citation.passage.slice(0, 300)) + "#stelle";
    link.target = "_blank";
    link.rel = "noopener";
    line.append(link);
    return line;
  }

  // --- the finished draft -----------------------------------------------------------------

  // Show ``draft`` (of the job ``id``) for editing; ``shown``: its version (default the latest).
  function showDraft(id, draft, shown) {
    state.id = id;
    state.draft = draft;
    const box = byId("abschnitte");
    box.replaceChildren();
    for (const section of EDITABLE) {
      const article = el("article", "abschnitt");
      const label = el("label", null, title(section));
      label.htmlFor = "feld-" + section;
      const area = el("textarea", section === "sachdarstellung" ? "lang" : null);
      area.id = "feld-" + section;
      area.value = draft[section] || "";
      const heading = el("h3");
      heading.append(label);
      const cited = el("p", "verweise");
      cited.id = "verweise-" + section;
      area.addEventListener("input", function () { renderCited(section); });
      article.append(heading, area, cited);
      if (REWRITABLE.includes(section)) article.append(rewriteButton(section));
      box.append(article);
      renderCited(section);
    }
    renderSources(draft.citations || []);
    renderFindings(draft.validation);
    window.Belege.show(draft);
    byId("aktionen").hidden = false;
    listVersions(shown);
  }

  // „Neu schreiben“: POST /api/drafts/<id>/rewrite writes the section again from the request
  // and keeps the rest as last saved; the job is followed like a draft and ends as a version.
  function rewriteButton(section) {
    const button = el("button", "neben", "Neu schreiben");
    button.type = "button";
    button.id = "neu-" + section;
    button.append(el("span", "sr-only", ": " + title(section))); // named without aria-label
    button.addEventListener("click", function () { rewrite(section, button); });
    return button;
  }

  function unsaved() {
    return EDITABLE.some(function (section) {
      return byId("feld-" + section).value !== (state.draft[section] || "");
    });
  }

  function rewrite(section, button) {
    if (unsaved()) {
      showError(UNSAVED);
      return Promise.resolve();
    }
    return busy(button, async function () {
      const url = "/api/drafts/" + encodeURIComponent(state.id) + "/rewrite";
      await call("POST", url, { abschnitt: section });
      announce(title(section) + " wird neu geschrieben …");
      hooks.follow(state.id);
      byId("lauf-titel").focus();
    });
  }

  // The sources a section cites ([n] in its text), each a link to the source and its passage.
  function renderCited(section) {
    const box = byId("verweise-" + section);
    const text = byId("feld-" + section).value;
    const known = new Map((state.draft.citations || []).map(function (c) { return [c.n, c]; }));
    const numbers = Array.from(new Set(Array.from(text.matchAll(/\[(\d+)\]/g), function (m) { return Number(m[1]); })));
    box.replaceChildren();
    const cited = numbers.filter(function (n) { return known.has(n); });
    if (!cited.length) return;
    box.append("Zitiert: ");
    cited.forEach(function (n, i) {
      const citation = known.get(n);
      const link = el("a", null, "[" + n + "]");
      link.href = "#quelle-" + n;
      link.setAttribute("aria-label", "Quelle " + n + (citation.vorlagen_nr ? ", Vorlage " + citation.vorlagen_nr : "") + " anzeigen");
      link.addEventListener("click", function (event) {
        event.preventDefault();
        const target = byId("quelle-" + n);
        target.focus();
        target.scrollIntoView({ block: "start" });
      });
      if (i) box.append(" ");
      box.append(link);
    });
  }

  // --- versions (GET /api/drafts/<id>/versions) -------------------------------------------

  function versionLine(version) {
    const label = TEXTS.sources[version.source] || version.source;
    const who = version.source === "generated" ? label : label + " von " + version.created_by;
    const checks = version.errors + " Fehler, " + version.warnings + " Hinweis(e)";
    return "Fassung " + version.number + ": " + who + ", " + S.germanTime(version.created_at) + " – " + checks;
  }

  async function listVersions(shown) {
    let versions;
    try {
      versions = await (await call("GET", "/api/drafts/" + encodeURIComponent(state.id) + "/versions")).json();
    } catch (err) {
      showError(err.message);
      return;
    }
    state.shown = shown || (versions.length ? versions[versions.length - 1].number : null);
    const list = byId("fassungen-liste");
    list.replaceChildren();
    for (const version of versions) {
      const item = el("li", null, versionLine(version));
      if (version.number === state.shown) {
        item.append(el("strong", null, " (angezeigt)"));
      } else {
        const open = el("button", "neben klein", "Fassung " + version.number + " öffnen");
        open.type = "button";
        open.addEventListener("click", function () { openVersion(version); });
        item.append(" ", open);
      }
      list.append(item);
    }
    byId("fassungen").hidden = versions.length === 0;
    window.Vergleich.versions(state.id, versions);
    window.Mitzeichnung.show(state.id, state.shown);
  }

  function openVersion(version) {
    showDraft(state.id, version.draft, version.number);
    announce("Fassung " + version.number + " geöffnet. " + summary(version.draft.validation));
    byId("feld-beschlussvorschlag").focus();
  }

  function findingItem(finding) {
    const item = el("li", "befund" + (finding.severity === "error" ? " fehler-befund" : ""));
    const parts = [
      el("span", "art", (TEXTS.severities[finding.severity] || finding.severity) + ": "),
      el("span", "nachricht", finding.message),
    ];
    if (finding.where) parts.push(el("span", "stelle", "Stelle: " + finding.where));
    const target = finding.field && byId("feld-" + finding.field);
    if (target) {
      const button = el("button");
      button.type = "button";
      button.append(...parts);
      button.addEventListener("click", function () { goTo(target, finding); });
      item.append(button);
    } else {
      item.append(...parts);
    }
    return item;
  }

  function goTo(area, finding) {
    area.focus();
    if (Number.isInteger(finding.start) && Number.isInteger(finding.end)) {
      area.setSelectionRange(finding.start, finding.end);
    }
  }

  function renderFindings(report) {
    const list = byId("befunde-liste");
    list.replaceChildren();
    byId("befunde-summe").textContent = report
      ? (report.ok && !report.warnings.length ? "Keine Befunde." : summary(report))
      : "Noch nicht geprüft.";
    if (!report) return;
    for (const finding of report.errors.concat(report.warnings)) list.append(findingItem(finding));
  }

  function editedDraft() {
    const draft = Object.assign({}, state.draft, { validation: null });
    for (const section of EDITABLE) draft[section] = byId("feld-" + section).value;
    return draft;
  }

  function recheck() {
    return busy(byId("pruefen"), async function () {
      const draft = editedDraft();
      const report = await (await call("POST", "/api/validate", draft)).json();
      state.draft = Object.assign(draft, { validation: report });
      renderFindings(report);
      window.Belege.show(state.draft);
      announce("Erneut geprüft. " + summary(report));
    });
  }

  function save() {
    return busy(byId("speichern"), async function () {
      const draft = editedDraft();
      const url = "/api/drafts/" + encodeURIComponent(state.id);
      const saved = await (await call("PUT", url, draft)).json();
      state.draft = Object.assign(draft, { validation: saved.validation });
      renderFindings(saved.validation);
      window.Belege.show(state.draft);
      await listVersions(saved.version);
      announce("Als Fassung " + saved.version + " gespeichert. " + summary(saved.validation));
    });
  }

  let pendingExport = null;
  const BUTTONS = { docx: "docx", md: "markdown", html: "kopieren" };

  function exportAs(format, force) {
    if (format === "html") return copyForWord(force);
    return busy(byId(BUTTONS[format]), async function () {
      byId("bestaetigung").hidden = true;
      let response;
      try {
        response = await requestExport(format, force);
      } catch (err) {
        if (err.status === 422 && !force) {
          askToForce(format, err.message);
          return;
        }
        throw err;
      }
      download(await response.blob(), fileName(response, format));
      announce("Die Datei wird heruntergeladen" + (force ? " (mit Prüfhinweisen)." : "."));
    });
  }

  function requestExport(format, force) {
    return call("POST", "/api/export", { draft: editedDraft(), format: format, force: Boolean(force) });
  }

  // „Kopieren für Word“: the html export on the clipboard as text/html (headings, tables and
  // lists paste into Word), the Markdown export as plain text. The clipboard is written at once, with the
  // export still on its way, so that the click still counts as the clerk's action.
  function copyForWord(force) {
    return busy(byId("kopieren"), async function () {
      byId("bestaetigung").hidden = true;
      const html = requestExport("html", force).then(function (r) { return r.text(); });
      const item = new ClipboardItem({
        "text/html": html.then(function (t) { return new Blob([t], { type: "text/html" }); }),
        "text/plain": html.then(function () { return requestExport("md", force); })
          .then(function (r) { return r.blob(); })
          .then(function (b) { return new Blob([b], { type: "text/plain" }); }),
      });
      try {
        await navigator.clipboard.write([item]);
      } catch (err) {
        const refused = await html.then(function () { return null; }, function (e) { return e; });
        if (refused && refused.status === 422 && !force) {
          askToForce("html", refused.message);
          return;
        }
        throw refused || new S.PageError("Der Entwurf konnte nicht in die Zwischenablage kopiert werden.");
      }
      announce("Der Entwurf ist in der Zwischenablage; in Word mit Strg+V einfügen" + (force ? " (mit Prüfhinweisen)." : "."));
    });
  }

  function askToForce(format, message) {
    pendingExport = format;
    byId("bestaetigung-text").textContent = message;
    byId("bestaetigung").hidden = false;
    byId("trotzdem").focus();
  }

  function fileName(response, format) {
    const header = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(header);
    return match ? match[1] : "entwurf." + (format === "docx" ? "docx" : "md");
  }

  function download(blob, name) {
    const url = URL.createObjectURL(blob);
    const link = el("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  byId("pruefen").addEventListener("click", recheck);
  byId("speichern").addEventListener("click", save);
  byId("docx").addEventListener("click", function () { exportAs("docx", false); });
  byId("markdown").addEventListener("click", function () { exportAs("md", false); });
  byId("kopieren").addEventListener("click", function () { exportAs("html", false); });
  byId("trotzdem").addEventListener("click", function () { exportAs(pendingExport, true); });
  byId("nicht-exportieren").addEventListener("click", function () {
    byId("bestaetigung").hidden = true;
    byId(BUTTONS[pendingExport]).focus();
  });

  // The draft shown for editing (the chat's refinements apply to it), or null.
  function current() {
    return state.id && !byId("aktionen").hidden ? state.id : null;
  }

  return {
    renderSources: renderSources, renderFindings: renderFindings, show: showDraft, hooks: hooks,
    current: current, unsaved: unsaved, UNSAVED: UNSAVED,
  };
})();
