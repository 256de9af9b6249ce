"""The diff of two draft versions (``assistant.usecases.version_diff``)."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest

from assistant.ports import DraftVersion
from assistant.schema import Draft, DraftRequest
from assistant.usecases.version_diff import DiffPart, MissingVersion, diff_texts, diff_versions

REQUEST = DraftRequest(betreff="Sanierung der Grundschule Nord", gremium="Gemeinderat")


def version(number: int, **sections: str) -> DraftVersion:
    return DraftVersion(
        draft_id="d" * 32,
        number=number,
        created_at=datetime(2026, 11, 30, tzinfo=UTC),
        created_by="alice",
        source="generated" if number == 1 else "edited",
        draft=Draft(request=REQUEST, **sections),
        validation_ok=True,
        errors=0,
        warnings=0,
    )


def joined(parts: list[DiffPart], *kinds: str) -> str:
    return "".join(p.text for p in parts if p.kind in kinds)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Der Rat beschließt.", "Der Gemeinderat beschließt die Sanierung."),
        ("", "Neu geschrieben.\n\nZweiter Absatz."),
        ("Alles weg.", ""),
        ("Kosten: 20.000 EUR.\nWeiter.", "Kosten: 25.000 EUR.\n\nWeiter."),
    ],
)
def test_the_parts_give_both_texts_again(old: str, new: str) -> None:
    parts = diff_texts(old, new)
    assert joined(parts, "equal", "delete") == old
    assert joined(parts, "equal", "insert") == new
    assert all(a.kind != b.kind for a, b in pairwise(parts))


def test_a_replaced_word_is_a_deletion_then_an_insertion() -> None:
    parts = diff_texts("Kosten: 20.000 EUR.", "Kosten: 25.000 EUR.")
    assert [(p.kind, p.text) for p in parts] == [
        ("equal", "Kosten: "),
        ("delete", "20.000"),
        ("insert", "25.000"),
        ("equal", " EUR."),
    ]


def test_two_versions_section_by_section_with_german_counts() -> None:
    first = version(1, beschlussvorschlag="Der Gemeinderat beschließt.", sachdarstellung="Alt.")
    second = version(
        2,
        beschlussvorschlag="Der Gemeinderat beschließt.",
        sachdarstellung="Neu und länger.",
        finanzielle_auswirkungen="Keine.",
    )
    diff = diff_versions([first, second], 1, 2)
    assert (diff.id, diff.von, diff.zu) == ("d" * 32, 1, 2)
    by_name = {s.section: s for s in diff.sections}
    assert list(by_name) == ["beschlussvorschlag", "sachdarstellung", "finanzielle_auswirkungen"]
    assert not by_name["beschlussvorschlag"].changed
    assert by_name["beschlussvorschlag"].summary == "unverändert"
    sach = by_name["sachdarstellung"]
    assert (sach.title, sach.inserted, sach.deleted) == ("Sachdarstellung", 3, 1)
    assert sach.summary == "3 Wörter eingefügt, 1 Wort gestrichen"
    assert by_name["finanzielle_auswirkungen"].summary == "1 Wort eingefügt"
    assert diff.summary == "4 Wörter eingefügt, 1 Wort gestrichen"
    backwards = diff_versions([first, second], 2, 1)
    assert backwards.summary == "1 Wort eingefügt, 4 Wörter gestrichen"
    same = diff_versions([first, second], 2, 2)
    assert same.summary == "unverändert" and not any(s.changed for s in same.sections)


def test_only_whitespace_changed() -> None:
    diff = diff_versions(
        [version(1, sachdarstellung="Ein Satz."), version(2, sachdarstellung="Ein  Satz.")], 1, 2
    )
    assert diff.summary == "nur Leerzeichen und Zeilen geändert"


def test_a_missing_version_is_named_in_german() -> None:
    with pytest.raises(MissingVersion) as caught:
        diff_versions([version(1), version(2)], 1, 3)
    assert str(caught.value) == "Die Fassung 3 gibt es bei diesem Entwurf nicht."
    with pytest.raises(MissingVersion, match="Fassung 7"):
        diff_versions([version(1)], 7, 1)
