"""Every user-facing string is in the Japanese catalogue, translated."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from ..support import PROJECT_DIR

TRANSLATIONS = PROJECT_DIR / "webapp" / "translations"


def extracted_ids(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=PROJECT_DIR,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        ids = {m.id for m in read_po(f) if m.id}
    assert "Log in" in ids  # the extraction itself worked
    return ids


def catalogue(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def test_every_string_in_the_code_has_a_japanese_translation(tmp_path):
    ja = catalogue("ja")
    translated = {m.id for m in ja if m.id and m.string and not m.fuzzy}
    missing = sorted(extracted_ids(tmp_path) - translated)
    assert missing == [], f"run `make messages` and translate: {missing}"


def test_the_english_catalogue_knows_every_string(tmp_path):
    known = {m.id for m in catalogue("en") if m.id}
    assert sorted(extracted_ids(tmp_path) - known) == []


def test_placeholders_survive_translation():
    import re

    for message in catalogue("ja"):
        if message.id and message.string:
            placeholders = set(re.findall(r"%\(\w+\)s", message.id))
            assert placeholders == set(re.findall(r"%\(\w+\)s", message.string)), message.id
