"""The Chinese font, bundled at install time: one TrueType file for the page and for matplotlib.

``python -m govlab.viz.assets`` (``make install``) puts the npm package
``@expo-google-fonts/noto-sans-sc``
(Noto Sans SC, SIL Open Font License) into the offline asset cache, keeping only the regular
weight's ``.ttf``. The page loads it as a web font from the app's own server (``WEB_FONT_URL``);
matplotlib registers the same file and lists it after DejaVu Sans, so every figure (live charts,
journey, results page, PNG downloads) draws Chinese with it while Latin text keeps DejaVu Sans.
No system CJK font is needed.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

FONT_PACKAGE = "@expo-google-fonts/noto-sans-sc@0.4.3"
FONT_FILE = "400Regular/NotoSansSC_400Regular.ttf"
FONT_KEEP = (FONT_FILE, "LICENSE", "LICENSE_FONT", "package.json")
FONT_FAMILY = "Noto Sans SC"
WEB_FONT_URL = f"/_solara/cdn/{FONT_PACKAGE}/{FONT_FILE}"


def font_path() -> Path:
    """Where the bundled font file is (it may be missing before ``python -m govlab.viz.assets``)."""
    from govlab.viz.assets import cache_dir

    return cache_dir() / FONT_PACKAGE / FONT_FILE


def use_bundled_font() -> bool:
    """Register the bundled CJK font with matplotlib and make it the fallback after DejaVu Sans
    (idempotent); False when the font is not installed."""
    from matplotlib import font_manager

    path = font_path()
    if not path.exists():
        return False
    if FONT_FAMILY not in {entry.name for entry in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    families = list(matplotlib.rcParams["font.sans-serif"])
    if FONT_FAMILY not in families:
        matplotlib.rcParams["font.sans-serif"] = [*families, FONT_FAMILY]
    family = matplotlib.rcParams["font.family"]
    if FONT_FAMILY not in family:
        matplotlib.rcParams["font.family"] = ["sans-serif", FONT_FAMILY]
    return True
