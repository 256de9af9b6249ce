"""Draft evaluation (``vorlagen eval drafts``): regenerate real council papers and measure the
drafts as a clerk would judge them, against a naive baseline.

One concept per module; ``assistant/draft_eval.py`` re-exports the public names and describes
the steps of one paper:

* :mod:`.papers`: which papers can be regenerated, choosing them, the request a clerk would
  have written for one (deciding body, Beratungsfolge, facts, finances);
* :mod:`.clerk_facts`: the sentences of a paper's Sachdarstellung that become the clerk's facts;
* :mod:`.baseline`: the naive baseline drafter and the splitting of its free-text answer;
* :mod:`.runs`: the systems under evaluation and one paper drafted by each;
* :mod:`.metrics`: the figures of one draft (chrF, deciding body, ungrounded tokens, rules,
  fact coverage, copied text, topic warning);
* :mod:`.summary`: the figures per system and the per-draft row of ``--json``;
* :mod:`.examples`: example drafts chosen by a fixed rule, as Markdown.

Pure apart from the drafters handed in; no settings are read. Definitions of the figures:
``docs/drafting.md``, "Evaluating drafts".
"""
