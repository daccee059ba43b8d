"""Serve the built book on 127.0.0.1 the way GitHub Pages serves it: gzip, a short cache lifetime, 404.html.

    python -m pcn_evidence.tools.serve_pages                 # _build/html on http://127.0.0.1:8000
    python -m pcn_evidence.tools.serve_pages --port 0 DIR    # any free port, another folder

Why not `python -m http.server`: it sends every file uncompressed, so a page
measured through it (`make lighthouse`) pays for bytes that Pages never sends,
and the scores would not be those a reader on a phone gets. Pages compresses
text (HTML, CSS, JavaScript, SVG, JSON) with gzip when the browser asks for it,
sends ``Cache-Control: max-age=600`` and answers an unknown path with the site's
``404.html`` and status 404. Fonts, images and zip files are sent as they are.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import os
import sys
import threading
from pathlib import Path
from typing import Any

from .paths import PUBLISHED as HTML

# What Pages compresses: text formats. woff2, PNG and zip are compressed already.
COMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".txt", ".xml", ".map", ".csv", ".md"}
CACHE_CONTROL = "max-age=600"  # what Pages sends with every file


def gzip_bytes(data: bytes) -> bytes:
    """``data`` gzipped as a web server would, with no timestamp, so the same file always gives the same bytes.

    >>> import gzip
    >>> gzip.decompress(gzip_bytes(b"<p>PCN</p>")) == b"<p>PCN</p>"
    True
    >>> gzip_bytes(b"same") == gzip_bytes(b"same")
    True
    """
    return gzip.compress(data, compresslevel=6, mtime=0)


def accepts_gzip(header: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header admits gzip (``gzip;q=0`` refuses it).

    >>> accepts_gzip("gzip, deflate, br"), accepts_gzip("br"), accepts_gzip("gzip;q=0"), accepts_gzip(None)
    (True, False, False, False)
    """
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() not in ("gzip", "*"):
            continue
        quality = params.strip().replace(" ", "")
        if not quality.startswith("q="):
            return True
        try:
            return float(quality[2:]) > 0
        except ValueError:
            return False
    return False


@functools.cache
def _gzipped_file(path: str, mtime_ns: int) -> bytes:
    """A file gzipped once per version of it (its modification time is part of the key)."""
    return gzip_bytes(Path(path).read_bytes())


class PagesHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with gzip (when asked for), Pages' cache header and its 404 page."""

    # Keep-alive, as every real host has (Pages speaks HTTP/2): under the base class's HTTP/1.0
    # each file would cost Lighthouse's simulated phone a new connection, about 150 ms apiece.
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass  # one line per request would bury the score table

    def end_headers(self) -> None:
        self.send_header("Cache-Control", CACHE_CONTROL)
        super().end_headers()

    def send_head(self) -> Any:  # what the base class copies to the socket and closes, or None
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the base class redirects to the slash form
            path = path / "index.html"
        if not path.is_file():
            return self._not_found()
        if path.suffix.lower() not in COMPRESSIBLE or not accepts_gzip(self.headers.get("Accept-Encoding")):
            return super().send_head()
        body = self._gzipped(path)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", self.date_time_string(int(path.stat().st_mtime)))
        self.end_headers()
        return io.BytesIO(body)

    def _gzipped(self, path: Path) -> bytes:
        return _gzipped_file(str(path), path.stat().st_mtime_ns)

    def _not_found(self) -> io.BytesIO:
        page = Path(self.directory) / "404.html"
        body = page.read_bytes() if page.is_file() else b"<!doctype html><title>Not found</title><h1>Not found</h1>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class PagesServer(http.server.ThreadingHTTPServer):
    """A threading server that says nothing when a browser drops a connection it no longer needs."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # Chromium resets idle keep-alive sockets
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def serve(directory: Path = HTML, port: int = 0) -> http.server.ThreadingHTTPServer:
    """Start serving ``directory`` on 127.0.0.1 in a background thread; ``port`` 0 picks a free one.

    Call ``shutdown()`` on the returned server to stop it; its port is ``server.server_port``.
    """
    if not (directory / "index.html").is_file():
        raise SystemExit(f"no built book at {directory}: run `make book` first")
    handler = functools.partial(PagesHandler, directory=str(directory))
    server = PagesServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", nargs="?", type=Path, default=HTML, help="the built site (default: _build/html)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args = parser.parse_args(argv)
    server = serve(args.directory.resolve(), args.port)
    print(f"Serving {args.directory} with gzip on http://127.0.0.1:{server.server_port}/ (Ctrl-C stops)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
