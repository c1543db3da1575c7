"""A local stand-in for Crossref's /works/{doi} and DataCite's /dois/{doi}, serving answers shaped like the real
ones (trimmed recordings: the fields we read and some we ignore), plus the failures: 404, 429, invalid JSON
and an answer too slow for the client's timeout. Tests point DOI_CROSSREF_API_URL / DOI_DATACITE_API_URL here."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import pytest

CROSSREF = {
    "10.15826/recon.2025.11.3.016": {
        "indexed": {"date-parts": [[2025, 10, 2]], "timestamp": 1759400000000},
        "publisher": "Ural Federal University",
        "issue": "3",
        "DOI": "10.15826/recon.2025.11.3.016",
        "type": "journal-article",
        "page": "1-15",
        "source": "Crossref",
        "title": ["Current trends and prospects in Russia’s rare earth metals industry"],
        "volume": "11",
        "author": [
            {"given": "Lyudmila A.", "family": "Mochalova", "sequence": "first", "affiliation": []},
            {"given": "Vladimir N.", "family": "Podkorytov", "sequence": "additional", "affiliation": []},
        ],
        "member": "3993",
        "container-title": ["R-Economy"],
        "issued": {"date-parts": [[2025, 9, 30]]},
        "URL": "https://doi.org/10.15826/recon.2025.11.3.016",
    },
    "10.1016/j.oregeorev.2025.106001": {
        "publisher": "Elsevier BV",
        "DOI": "10.1016/j.oregeorev.2025.106001",
        "type": "journal-article",
        "page": "106001",
        "title": ["Gadolinium in <i>Norwegian</i> carbonatites"],
        "volume": "178",
        "author": [
            {"given": "Zoë", "family": "Ødegård", "sequence": "first", "affiliation": []},
            {"given": "José", "family": "Núñez-Ibáñez", "sequence": "additional", "affiliation": []},
        ],
        "container-title": ["Ore Geology Reviews"],
        "published": {"date-parts": [[2025, 3]]},
    },
    "10.3133/mcs2025": {
        "publisher": "US Geological Survey",
        "DOI": "10.3133/mcs2025",
        "type": "report",
        "title": ["Mineral commodity summaries 2025"],
        "author": [{"name": "U.S. Geological Survey", "sequence": "first", "affiliation": []}],
        "container-title": [],
        "issued": {"date-parts": [[2025, 1, 31]]},
    },
    "10.1007/978-3-030-12345-6_7": {
        "publisher": "Springer International Publishing",
        "DOI": "10.1007/978-3-030-12345-6_7",
        "type": "book-chapter",
        "page": "101-118",
        "title": ["Separation of heavy rare earths"],
        "author": [{"given": "Ann", "family": "Smith", "sequence": "first", "affiliation": []}],
        "container-title": ["Rare Earth Elements: Processing and Recycling"],
        "issued": {"date-parts": [[2021]]},
    },
}
DATACITE = {
    "10.5281/zenodo.1234567": {
        "id": "10.5281/zenodo.1234567",
        "type": "dois",
        "attributes": {
            "doi": "10.5281/zenodo.1234567",
            "creators": [
                {
                    "name": "王, 小明",
                    "nameType": "Personal",
                    "givenName": "小明",
                    "familyName": "王",
                    "affiliation": [],
                },
                {"name": "Geological Survey of Norway", "nameType": "Organizational", "affiliation": []},
            ],
            "titles": [{"title": "Gadolinium assays of Norwegian carbonatites"}],
            "publisher": "Zenodo",
            "publicationYear": 2024,
            "types": {"resourceTypeGeneral": "Dataset", "resourceType": "", "ris": "DATA"},
            "url": "https://zenodo.org/records/1234567",
        },
    }
}
MISSING, BUSY, GARBLED, SLOW = "10.9999/missing", "10.9999/busy", "10.9999/garbled", "10.9999/slow"
SLOW_SECONDS = 3


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status: int, body: bytes, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        parts = urlsplit(self.path)
        self.server.requests.append(
            {"path": unquote(parts.path), "query": parts.query, "ua": self.headers["User-Agent"]}
        )
        service, _, doi = unquote(parts.path).lstrip("/").partition("/")
        doi = doi.lower()
        if doi == BUSY:
            return self._send(429, b'{"status":"error","message":"Too many requests"}')
        if doi == GARBLED:
            return self._send(200, b"<html><body>Service temporarily unavailable</body></html>")
        if doi == SLOW:
            time.sleep(SLOW_SECONDS)
            return self._send(200, b"{}")
        if service == "works" and doi in CROSSREF:
            answer = {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": CROSSREF[doi]}
            return self._send(200, json.dumps(answer).encode())
        if service == "dois" and doi in DATACITE:
            return self._send(200, json.dumps({"data": DATACITE[doi]}).encode())
        if service == "works":
            return self._send(404, b"Resource not found.", "text/plain")
        return self._send(
            404, b'{"errors":[{"status":"404","title":"The resource you are looking for doesn\'t exist."}]}'
        )


@pytest.fixture
def doi_server(settings):
    """The fake services on a free loopback port; settings point the client at them."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.requests = []
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.DOI_CROSSREF_API_URL = base
    settings.DOI_DATACITE_API_URL = base
    settings.DOI_LOOKUP_TIMEOUT_SECONDS = 1
    settings.DOI_LOOKUP_MAILTO = "desk@example.org"
    yield server
    server.shutdown()
    server.server_close()
