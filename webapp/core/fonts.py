"""The Japanese font every generated PDF and image uses: Noto Sans CJK JP, installed as a Python
package (noto-cjk-sans-jp-regular, SIL Open Font License), never whatever a machine has."""

from __future__ import annotations

from pathlib import Path

from noto_cjk_sans_jp_regular import FONT_PATH

JAPANESE_FONT = Path(str(FONT_PATH))
