"""Third-party browser code is vendored from the pinned npm packages; nothing loads from a CDN."""

import re
import subprocess

from ..support import PROJECT_DIR, require_node_modules

STATIC = PROJECT_DIR / "webapp" / "static"
TEMPLATES = PROJECT_DIR / "webapp" / "templates"


def test_vendored_files_match_the_pinned_packages():
    require_node_modules()
    result = subprocess.run(
        ["node", "tools/vendor.mjs", "--check"], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_every_vendored_library_has_its_licence_beside_it():
    for library in (STATIC / "vendor").glob("*.js"):
        assert (STATIC / "vendor" / f"{library.stem}.LICENSE.txt").exists(), library.name


def test_pages_load_nothing_from_other_hosts():
    remote = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")
    for template in TEMPLATES.rglob("*.html"):
        assert not remote.search(template.read_text(encoding="utf-8")), template.name


def test_the_service_worker_and_scanner_are_served(client):
    worker = client.get("/sw.js")
    assert worker.mimetype == "text/javascript"
    body = worker.get_data(as_text=True)
    assert "__VERSION__" not in body and '"/scan"' in body
    assert worker.headers["Cache-Control"] == "no-cache"
    with client.get("/scan") as scan:
        assert scan.status_code == 200  # open to all: a scan made logged out waits on the phone
    with client.get("/offline") as offline:
        assert "接続がありません" in offline.get_data(as_text=True)


def test_api_answers_are_never_cacheable(client):
    response = client.get("/api/v1/session")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["logged_in"] is False
