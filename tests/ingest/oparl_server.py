"""A local OParl 1.1 server over the Karlsruhe development corpus, for the API client's tests.

``OParlServer(corpus)`` serves a subset of ``corpus/papers/*.json`` on 127.0.0.1 (a free port,
stdlib ``http.server`` in a thread) the way the specification shapes it::

    /oparl                          System (``body`` -> the body list)
    /oparl/bodies                   body list (``data``, ``links``, ``pagination``)
    /oparl/bodies/1                 Body "Stadt Karlsruhe" (``paper`` -> the paper list)
    /oparl/bodies/1/papers          paper list: ``page``, ``limit``, ``modified_since``
    /oparl/papers/<id>              Paper
    /oparl/files/<id>               File
    /oparl/files/<id>/content       the file's content (the corpus text, text/plain)

Each Paper's Vorlage file (the auxiliary file the corpus holds text for) becomes its
``mainFile``; every ``text_every``-th one also carries the text in its ``text`` field. The
corpus has no content for the other attachments: they answer 404. The list is ordered by
``modified`` (then id); ``modified_since`` keeps papers changed strictly after the given time.

``quirks=True`` reproduces what vendors serve instead:

- the Vorlage stays among the ``auxiliaryFile`` entries at its place (no ``mainFile``: as
  Karlsruhe serves it), a single auxiliary file is an object instead of an array;
- "N/A" for ``mainFile``, ``date`` and a File's ``text``; relative ``accessUrl`` values;
- the body list's ``data`` is one object instead of an array;
- every paper-list page answers 503 with ``Retry-After: 1`` the first time it is asked for;
- page 1 has no ``links`` (only a ``pagination`` block), page 2 lists papers as URL strings,
  the last page has ``links`` without ``next`` (and a ``pagination`` block);
- ``modified_since`` is ignored;
- the Vorlage file of the paper at ``unreachable_index`` points at a closed port.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

SCHEMA = "https://schema.oparl.org/1.1/"
KARLSRUHE = "https://web1.karlsruhe.de/oparl/bodies/0001"
BODY_NAME = "Stadt Karlsruhe"
CLOSED_PORT_URL = "http://127.0.0.1:9/unreachable.txt"


@dataclass
class ServedPaper:
    pid: str
    paper: dict[str, Any]
    """The corpus Paper with Karlsruhe URLs replaced by this server's."""
    vorlage_file: str
    modified: str


@dataclass
class Request:
    path: str
    user_agent: str


@dataclass
class _Content:
    data: bytes
    content_type: str


@dataclass
class OParlServer:
    corpus: Path
    papers: int | Sequence[str] = 40
    page_size: int = 10
    quirks: bool = False
    text_every: int = 3
    unreachable_index: int = 4
    fail_files: dict[str, int] = field(default_factory=dict)
    """Paper id -> HTTP status its Vorlage file answers with, permanently."""

    requests: list[Request] = field(default_factory=list, init=False)
    served: dict[str, ServedPaper] = field(default_factory=dict, init=False)
    _contents: dict[str, _Content] = field(default_factory=dict, init=False)
    _first_seen: set[str] = field(default_factory=set, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _httpd: ThreadingHTTPServer | None = field(default=None, init=False)

    # -- lifecycle ----------------------------------------------------------------------------

    def __enter__(self) -> OParlServer:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        self._load()
        server = self

        class Handler(_Handler):
            owner = server

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def root(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        """The System's URL: what a client is given."""
        return f"{self.root}/oparl"

    # -- test controls ------------------------------------------------------------------------

    @property
    def paper_ids(self) -> list[str]:
        return list(self.served)

    def paper_url(self, pid: str) -> str:
        return f"{self.url}/papers/{pid}"

    def touch(self, pids: Sequence[str], when: datetime | None = None) -> None:
        """Mark papers as changed (``modified`` = now, or ``when``)."""
        stamp = (when or datetime.now(UTC)).isoformat()
        with self._lock:
            for pid in pids:
                self.served[pid].modified = stamp

    def set_content(self, pid: str, data: bytes, content_type: str) -> None:
        """Serve other bytes as the paper's Vorlage file (and drop its ``text`` field)."""
        with self._lock:
            served = self.served[pid]
            self._contents[served.vorlage_file] = _Content(data, content_type)
            served.paper["_no_text"] = True

    def count(self, fragment: str) -> int:
        return sum(fragment in r.path for r in self.requests)

    # -- data -----------------------------------------------------------------------------------

    def _load(self) -> None:
        names = sorted(p.stem for p in (self.corpus / "papers").glob("*.json"))
        texts = self.corpus / "file-contents"
        candidates = [n for n in names if self._vorlage_file(n, texts) is not None]
        if isinstance(self.papers, int):
            step = max(1, len(candidates) // max(1, self.papers))
            chosen = candidates[::step][: self.papers]
        else:
            chosen = list(self.papers)
        for pid in chosen:
            raw = (self.corpus / "papers" / f"{pid}.json").read_text("utf-8")
            paper = json.loads(raw.replace(KARLSRUHE, "{BASE}/bodies/1"))
            file_id = self._vorlage_file(pid, texts)
            assert file_id is not None, pid
            text = (texts / f"{file_id}.txt").read_bytes()
            self._contents[file_id] = _Content(text, "text/plain; charset=utf-8")
            self.served[pid] = ServedPaper(pid, paper, file_id, str(paper["modified"]))

    def _vorlage_file(self, pid: str, texts: Path) -> str | None:
        paper = json.loads((self.corpus / "papers" / f"{pid}.json").read_text("utf-8"))
        for file in paper.get("auxiliaryFile", []):
            fid = str(file["id"]).rsplit("/", 1)[-1]
            if (texts / f"{fid}.txt").is_file():
                return fid
        return None

    # -- OParl objects ----------------------------------------------------------------------------

    def system(self) -> dict[str, Any]:
        return {
            "id": self.url,
            "type": SCHEMA + "System",
            "oparlVersion": "https://schema.oparl.org/1.1/",
            "name": "Test-OParl-System (Karlsruhe-Korpus)",
            "body": f"{self.url}/bodies",
            "created": "2016-10-12T09:00:00+02:00",
            "modified": "2025-03-03T14:30:00+01:00",
        }

    def body(self) -> dict[str, Any]:
        base = f"{self.url}/bodies/1"
        return {
            "id": base,
            "type": SCHEMA + "Body",
            "system": self.url,
            "name": BODY_NAME,
            "shortName": "Karlsruhe",
            "organization": f"{base}/organizations",
            "person": f"{base}/persons",
            "meeting": f"{base}/meetings",
            "paper": f"{base}/papers",
            "legislativeTerm": [],
            "agendaItem": f"{base}/agendaitems",
            "consultation": f"{base}/consultations",
            "file": f"{base}/files",
            "locationList": f"{base}/locations",
            "legislativeTermList": f"{base}/legislativeterms",
            "membership": f"{base}/memberships",
            "created": "2016-10-12T09:00:00+02:00",
            "modified": "2025-03-03T14:30:00+01:00",
        }

    def body_list(self) -> dict[str, Any]:
        url = f"{self.url}/bodies"
        data: object = self.body() if self.quirks else [self.body()]
        return {
            "data": data,
            "pagination": {
                "totalElements": 1,
                "elementsPerPage": 1,
                "currentPage": 1,
                "totalPages": 1,
            },
            "links": {"first": url, "last": url},
        }

    def paper(self, pid: str) -> dict[str, Any]:
        with self._lock:
            served = self.served[pid]
            index = list(self.served).index(pid)
            paper: dict[str, Any] = json.loads(json.dumps(served.paper).replace("{BASE}", self.url))
            modified = served.modified
        no_text = bool(paper.pop("_no_text", False))
        paper["id"] = self.paper_url(pid)
        paper["body"] = f"{self.url}/bodies/1"
        paper["modified"] = modified
        files = [
            self._file(f, index, served.vorlage_file, no_text) for f in paper.pop("auxiliaryFile")
        ]
        if not self.quirks:
            main = next(f for f in files if f["id"].endswith(f"/files/{served.vorlage_file}"))
            paper["mainFile"] = main
            files.remove(main)
            if files:
                paper["auxiliaryFile"] = files
            return paper
        paper["auxiliaryFile"] = files[0] if len(files) == 1 else files
        if index % 4 == 1:
            paper["mainFile"] = "N/A"
            paper["date"] = "N/A"
        return paper

    def _file(self, raw: dict[str, Any], index: int, vorlage: str, no_text: bool) -> dict[str, Any]:
        fid = str(raw["id"]).rsplit("/", 1)[-1]
        url = f"{self.url}/files/{fid}"
        file = {
            **raw,
            "id": url,
            "type": SCHEMA + "File",
            "accessUrl": f"{url}/content",
            "downloadUrl": f"{url}/content",
        }
        if fid != vorlage:
            return file
        content = self._contents[fid]
        file["fileName"] = f"{fid}.txt"
        file["mimeType"] = content.content_type.split(";")[0]
        file["size"] = len(content.data)
        if not no_text and index % self.text_every == 0:
            file["text"] = content.data.decode("utf-8")
        if self.quirks:
            del file["downloadUrl"]
            if index % 3 == 1:
                file["text"] = "N/A"
            if index % 2 == 1:
                file["accessUrl"] = f"/oparl/files/{fid}/content"
            if index == self.unreachable_index:
                file.pop("text", None)
                file["accessUrl"] = CLOSED_PORT_URL
        return file

    def paper_list(self, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        since_raw = query.get("modified_since", [None])[0]
        try:
            page = int(query.get("page", ["1"])[0])
            limit = int(query.get("limit", [str(self.page_size)])[0])
            since = datetime.fromisoformat(since_raw) if since_raw else None
        except ValueError:
            return 400, {"error": "invalid parameter"}
        with self._lock:
            rows = [(datetime.fromisoformat(s.modified), s.pid) for s in self.served.values()]
        if since is not None and not self.quirks:
            rows = [r for r in rows if r[0] > since]
        rows.sort()
        total = len(rows)
        pages = max(1, -(-total // limit))
        chunk = [pid for _, pid in rows[(page - 1) * limit : page * limit]]
        base = f"{self.url}/bodies/1/papers"

        def link(n: int) -> str:
            params: dict[str, str] = {}
            if since_raw:
                params["modified_since"] = since_raw
            if "limit" in query:
                params["limit"] = str(limit)
            params["page"] = str(n)
            return f"{base}?{urlencode(params)}"

        links = {"first": link(1), "last": link(pages), "self": link(page)}
        if page > 1:
            links["prev"] = link(page - 1)
        if page < pages:
            links["next"] = link(page + 1)
        data: list[object] = [self.paper(pid) for pid in chunk]
        body: dict[str, Any] = {
            "data": data,
            "pagination": {
                "totalElements": total,
                "elementsPerPage": limit,
                "currentPage": page,
                "totalPages": pages,
            },
            "links": links,
        }
        if self.quirks:
            if page == 1 and pages > 1:
                del body["links"]
            elif page == 2:
                body["data"] = [self.paper_url(pid) for pid in chunk]
                if "next" in links:  # a relative link
                    links["next"] = links["next"].replace(self.root, "")
        return 200, body


class _QuietServer(ThreadingHTTPServer):
    """Clients closing kept-alive connections (after a 503, at the end) are no errors."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    owner: OParlServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        server = self.owner
        with server._lock:
            server.requests.append(Request(self.path, self.headers.get("User-Agent", "")))
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        segments = [s for s in parts.path.split("/") if s]
        try:
            self._route(server, segments, query)
        except KeyError:
            self._json(404, {"error": "not found"})

    def _route(self, server: OParlServer, seg: list[str], query: dict[str, list[str]]) -> None:
        match seg:
            case ["oparl"]:
                self._json(200, server.system())
            case ["oparl", "bodies"]:
                self._json(200, server.body_list())
            case ["oparl", "bodies", "1"]:
                self._json(200, server.body())
            case ["oparl", "bodies", "1", "papers"]:
                if server.quirks and self._first_time(self.path):
                    self._json(503, {"error": "busy"}, {"Retry-After": "1"})
                    return
                status, body = server.paper_list(query)
                self._json(status, body)
            case ["oparl", "bodies", "1", _]:
                self._json(200, {"data": [], "links": {}})
            case ["oparl", "papers", pid]:
                self._json(200, server.paper(pid))
            case ["oparl", "files", fid]:
                self._json(200, self._file_object(server, fid))
            case ["oparl", "files", fid, "content"]:
                self._content(server, fid)
            case _:
                self._json(404, {"error": "not found"})

    def _first_time(self, key: str) -> bool:
        with self.owner._lock:
            if key in self.owner._first_seen:
                return False
            self.owner._first_seen.add(key)
            return True

    def _file_object(self, server: OParlServer, fid: str) -> dict[str, Any]:
        for served in server.served.values():
            for file in _files(server.paper(served.pid)):
                if str(file.get("id", "")).endswith(f"/files/{fid}"):
                    return file
        raise KeyError(fid)

    def _content(self, server: OParlServer, fid: str) -> None:
        for pid, status in server.fail_files.items():
            if server.served[pid].vorlage_file == fid:
                self._json(status, {"error": "failing on purpose"})
                return
        content = server._contents.get(fid)
        if content is None:
            self._json(404, {"error": "no content for this attachment in the corpus"})
            return
        self._send(200, content.data, content.content_type)

    def _json(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self._send(status, data, "application/json; charset=utf-8", headers)

    def _send(
        self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def _files(paper: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in ("mainFile", "auxiliaryFile"):
        value = paper.get(key)
        values = value if isinstance(value, list) else [value]
        yield from (v for v in values if isinstance(v, dict))
