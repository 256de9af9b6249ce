"""The Draft as JSON (docs/architecture.md, "The canonical schema"), validation included.

The output is exactly the Draft, so ``vorlagen validate``/``vorlagen export`` can read it back.
A forced export of a draft with errors shows its findings in the Draft's own ``validation``
field (``ok: false`` and the ``errors`` with rule id, message and place).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel


def render_json(draft: BaseModel | Mapping[str, Any]) -> str:
    """The draft as indented UTF-8 JSON text."""
    if isinstance(draft, BaseModel):
        return draft.model_dump_json(indent=2) + "\n"
    return json.dumps(draft, ensure_ascii=False, indent=2, default=str) + "\n"
