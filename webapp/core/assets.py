"""The static files as phones receive them: each URL the app makes names its file's content
(`?v=<hash>`), so a phone may keep it for a year without asking again; each file is sent
compressed (brotli, else gzip) at the strongest setting, compressed once per process.

Dynamic answers (pages, JSON) are compressed by Flask-Compress instead, at a quicker setting:
they change with every request. Neither route keeps anything a request carries in a cache."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from pathlib import Path

import brotli
from flask import Flask, Response, abort, request
from werkzeug.security import safe_join

# A URL that names the content it answers never changes what it answers.
IMMUTABLE = "public, max-age=31536000, immutable"
# Any other address of a static file (a manifest's icon, an old page's link) is asked again
# each time: the file behind it may have changed since.
REVALIDATE = "no-cache"
COMPRESSIBLE = frozenset({"text/css", "text/javascript", "image/svg+xml", "text/plain"})
JAVASCRIPT = "text/javascript"  # RFC 9239; some systems' tables still say application/...
# Strongest settings: each file is compressed once per process, and the bytes saved are
# downloaded on every phone.
ENCODERS = {
    "br": lambda data: brotli.compress(data, quality=11),
    "gzip": lambda data: gzip.compress(data, compresslevel=9, mtime=0),
}


# Every app in the process shares what it has hashed and compressed (keyed by the file's path,
# size and time): a second app (a test's, a worker's) does not compress the same bytes again.
_KNOWN: dict[str, tuple[tuple[int, int], str, dict[str, bytes]]] = {}


class Assets:
    """The files of one static folder, their content hashes and their compressed bodies,
    looked up again whenever a file's size or time changes (a debug run's edits show)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._known = _KNOWN

    def _entry(self, filename: str):
        found = safe_join(str(self.folder), filename)
        if found is None or not os.path.isfile(found):  # False for a name too long, too
            return None
        path = Path(found)
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        entry = self._known.get(found)
        if entry is None or entry[0] != stamp:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            entry = self._known[found] = (stamp, digest, {})
        return path, entry

    def version(self, filename: str) -> str | None:
        """The content hash of a static file, or None if there is no such file."""
        found = self._entry(filename)
        return found[1][1] if found else None

    def body(self, filename: str, encoding: str | None) -> bytes:
        path, (_stamp, _digest, encoded) = self._entry(filename)
        if encoding is None:
            return path.read_bytes()
        if encoding not in encoded:
            encoded[encoding] = ENCODERS[encoding](path.read_bytes())
        return encoded[encoding]


def init_assets(app: Flask) -> None:
    """Binds the hashed URLs (`url_for('static', ...)`) and the static route's answers."""
    assets = Assets(Path(app.static_folder))
    app.extensions["enishi.assets"] = assets

    @app.url_defaults
    def content_hash(endpoint, values):
        if endpoint == "static" and "v" not in values:
            version = assets.version(values.get("filename", ""))
            if version:
                values["v"] = version

    def static_file(filename: str) -> Response:
        version = assets.version(filename)
        if version is None:
            abort(404)
        mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        if filename.endswith(".js"):
            mimetype = JAVASCRIPT
        encoding = _encoding(mimetype)
        response = Response(assets.body(filename, encoding), mimetype=mimetype)
        if encoding:
            response.headers["Content-Encoding"] = encoding
        response.vary.add("Accept-Encoding")
        fresh = request.args.get("v") == version
        response.headers["Cache-Control"] = IMMUTABLE if fresh else REVALIDATE
        response.set_etag(f"{version}-{encoding or 'identity'}")
        return response.make_conditional(request)

    app.view_functions["static"] = static_file


def _encoding(mimetype: str) -> str | None:
    if mimetype not in COMPRESSIBLE:
        return None
    # Brotli where the phone takes it as gladly as gzip: a third smaller on jsQR.
    return request.accept_encodings.best_match(list(ENCODERS))
