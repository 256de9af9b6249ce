/* „Meine Entwürfe“: the caller's own drafts (GET /api/drafts), newest first, each a link to
   its page /entwurf/<id> with Betreff, status, date and how many versions. Loaded after
   seite.js; page.js calls refresh() when a draft starts or ends. */
"use strict";
window.MeineEntwuerfe = (function () {
  const S = window.Seite;
  const byId = S.byId, el = S.el;

  function entry(draft) {
    const item = el("li");
    const link = el("a", null, draft.betreff);
    link.href = "/entwurf/" + encodeURIComponent(draft.id);
    if (window.location.pathname === link.pathname) link.setAttribute("aria-current", "page");
    const versions = draft.versions === 1 ? "1 Fassung" : draft.versions + " Fassungen";
    const facts = [draft.status_text, S.germanTime(draft.created_at), versions];
    item.append(link, el("span", "angaben", " – " + facts.join(", ")));
    return item;
  }

  async function refresh() {
    let drafts;
    try {
      drafts = await (await S.call("GET", "/api/drafts?limit=20")).json();
    } catch (err) {
      S.showError(err.message);
      return;
    }
    const list = byId("meine-liste");
    list.replaceChildren(...drafts.map(entry));
    byId("meine-leer").hidden = drafts.length > 0;
  }

  refresh();
  return { refresh: refresh };
})();
