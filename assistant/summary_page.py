# ruff: noqa: E501
"""The page template of the summary report (:mod:`assistant.summary_report`): German, inline
CSS and a few lines of inline JavaScript for the table's filters, nothing loaded from outside.
Rendered with autoescape, so every value from a document is escaped."""

from __future__ import annotations

__all__ = ["PAGE"]

PAGE = """<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
  content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{{ title }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem;
  color: #1a1a1a; line-height: 1.45; }
h1, h2, h3 { line-height: 1.2; }
figure { margin: 1.5rem 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { border: 1px solid #bbb; padding: 0.3rem 0.45rem; vertical-align: top; text-align: left; }
th { background: #eef2f6; }
.filter { display: flex; flex-wrap: wrap; gap: 0.75rem; margin: 0.75rem 0; }
.filter label { display: flex; flex-direction: column; font-size: 0.9rem; }
.status-befunde, .status-fehlgeschlagen { color: #8a1c1c; }
.small { font-size: 0.85rem; color: #444; }
details { margin: 0.4rem 0; }
a:focus, input:focus, select:focus, summary:focus { outline: 3px solid #1f5f99; }
</style>
</head>
<body>
<header>
<h1>{{ title }}</h1>
<p>Erstellt am {{ generated }}. {{ total }} Dokumente:
{% for label, n in counts.items() %}{{ n }} {{ label }}{% if not loop.last %}, {% endif %}{% endfor %}.
{% if models %}Modell: {{ models | join(", ") }}.{% endif %}
Prompt-Version: {{ versions | join(", ") }}.</p>
<nav aria-label="Inhalt"><ul>
<li><a href="#diagramme">Diagramme</a></li>
<li><a href="#konzepte">Integrationskonzepte</a></li>
<li><a href="#tabelle">Alle Zusammenfassungen</a></li>
<li><a href="#probleme">Nicht oder nur teilweise zusammengefasst</a> ({{ problems | length }})</li>
</ul></nav>
</header>
<main>
<section id="diagramme" aria-labelledby="h-diagramme">
<h2 id="h-diagramme">Diagramme</h2>
{% for c in charts %}
<figure id="{{ c.id }}" aria-labelledby="cap-{{ c.id }}">
<figcaption id="cap-{{ c.id }}">{{ c.title }}</figcaption>
<p class="small">{{ c.description }}</p>
<div role="img" aria-label="{{ c.title }}: Diagramm, die Werte stehen in der Tabelle darunter">{{ c.svg | safe }}</div>
<details><summary>Werte als Tabelle</summary>
<table><caption>{{ c.title }}</caption>
<thead><tr><th scope="col">{{ c.columns[0] }}</th><th scope="col">{{ c.columns[1] }}</th></tr></thead>
<tbody>{% for label, value in c.rows %}<tr><td>{{ label }}</td><td>{{ value }}</td></tr>{% endfor %}</tbody>
</table></details>
</figure>
{% else %}
<p>Noch keine Zusammenfassungen, also keine Diagramme.</p>
{% endfor %}
</section>
<section id="konzepte" aria-labelledby="h-konzepte">
<h2 id="h-konzepte">Integrationskonzepte und die Vorlagen, die sich auf sie beziehen</h2>
{% for name, group in concepts.items() %}
<h3>{{ name }}</h3>
<ul>{% for r in group %}<li>{{ bezug_labels[r.integrationskonzept.bezug] }}:
{% if link(r.source) %}<a href="{{ link(r.source) }}">{{ r.betreff or r.source }}</a>{% else %}{{ r.betreff or r.source }}{% endif %}
{% if r.vorlagen_nr %}({{ r.vorlagen_nr }}{% if r.datum %}, {{ r.datum | datum }}{% endif %}){% endif %}</li>{% endfor %}</ul>
{% else %}
<p>Keine der Vorlagen ist ein Integrationskonzept oder bezieht sich auf eines.</p>
{% endfor %}
</section>
<section id="tabelle" aria-labelledby="h-tabelle">
<h2 id="h-tabelle">Alle Zusammenfassungen</h2>
<form class="filter" role="search" aria-label="Tabelle filtern">
<label>Suchen <input id="f-text" type="search" placeholder="Betreff, Gremium, Schlagwort …"></label>
<label>Jahr <select id="f-year"><option value="">alle</option>
{% for y in years %}<option>{{ y }}</option>{% endfor %}</select></label>
<label>Status <select id="f-status"><option value="">alle</option>
{% for key, label in status_labels.items() %}{% if key in ("ok", "befunde") %}<option value="{{ key }}">{{ label }}</option>{% endif %}{% endfor %}</select></label>
<p id="f-count" class="small" aria-live="polite">{{ rows | length }} Zusammenfassungen</p>
</form>
<table id="summaries">
<caption class="small">Eine Zeile je Vorlage; der Betreff führt zur Quelle.</caption>
<thead><tr><th scope="col">Datum</th><th scope="col">Vorlage</th><th scope="col">Gremium</th>
<th scope="col">Kurzfassung</th><th scope="col">Beträge</th><th scope="col">Schlagworte</th>
<th scope="col">Status</th></tr></thead>
<tbody>
{% for r in rows %}
<tr data-year="{{ r.datum.year if r.datum else '' }}" data-status="{{ r.status }}">
<td>{{ r.datum | datum }}</td>
<td>{% if link(r.source) %}<a href="{{ link(r.source) }}">{{ r.betreff or r.source }}</a>{% else %}{{ r.betreff or r.source }}{% endif %}
{% if r.vorlagen_nr %}<br><span class="small">{{ r.vorlagen_nr }}</span>{% endif %}</td>
<td>{{ r.entscheidungsgremium or "" }}</td>
<td>{{ r.kurzfassung }}{% if r.beschluss %}<br><span class="small">Beschluss: {{ r.beschluss }}</span>{% endif %}</td>
<td>{% for a in r.betraege %}{{ a.betrag }} ({{ a.zweck }}){% if not loop.last %}<br>{% endif %}{% endfor %}</td>
<td>{{ r.schlagworte | join(", ") }}</td>
<td class="status-{{ r.status }}">{{ status_labels[r.status] }}{% if r.coverage == "teilweise" %}, {{ coverage_labels[r.coverage] }}{% endif %}
{% if r.findings %}<details><summary>{{ r.findings | length }} Befunde</summary><ul>
{% for f in r.findings %}<li>{{ finding_line(f) }}</li>{% endfor %}</ul></details>{% endif %}</td>
</tr>
{% endfor %}
</tbody>
</table>
</section>
<section id="probleme" aria-labelledby="h-probleme">
<h2 id="h-probleme">Nicht oder nur teilweise zusammengefasst</h2>
{% if problems %}
<table>
<thead><tr><th scope="col">Quelle</th><th scope="col">Was geschah</th><th scope="col">Grund</th></tr></thead>
<tbody>
{% for r in problems %}
<tr><td>{% if link(r.source) %}<a href="{{ link(r.source) }}">{{ r.betreff or r.source }}</a>{% else %}{{ r.betreff or r.source }}{% endif %}</td>
<td>{{ status_labels[r.status] }}{% if r.summarised %}, {{ coverage_labels[r.coverage] }}{% endif %}</td>
<td>{{ r.reason or "" }}
{% for p in r.parts if not p.read %}<br><span class="small">Nicht gelesen: {{ p.label }} (Zeichen {{ p.start + 1 }}–{{ p.end }})</span>{% endfor %}</td></tr>
{% endfor %}
</tbody>
</table>
{% else %}
<p>Jedes Dokument wurde ganz gelesen und zusammengefasst.</p>
{% endif %}
</section>
</main>
<script>
(function () {
  var text = document.getElementById("f-text");
  var year = document.getElementById("f-year");
  var status = document.getElementById("f-status");
  var count = document.getElementById("f-count");
  var rows = document.querySelectorAll("#summaries tbody tr");
  function apply() {
    var q = text.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!q || row.textContent.toLowerCase().indexOf(q) >= 0)
        && (!year.value || row.dataset.year === year.value)
        && (!status.value || row.dataset.status === status.value);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " Zusammenfassungen";
  }
  [text, year, status].forEach(function (el) { el.addEventListener("input", apply); });
  text.form.addEventListener("submit", function (event) { event.preventDefault(); });
})();
</script>
</body>
</html>
"""
