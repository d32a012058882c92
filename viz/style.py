"""The page's look: readable sizes, the projector mode, the bundled Chinese web font, full screen.

The Chinese web font is served by the app's own server from the offline asset cache
(``viz.fonts.WEB_FONT_URL``); nothing is fetched from outside.
"""

from __future__ import annotations

import solara

from govlab.viz.fonts import WEB_FONT_URL

CSS = f"""
@font-face {{
  font-family: 'Noto Sans SC';
  src: url('{WEB_FONT_URL}') format('truetype');
  font-display: swap;
}}
.govlab-root, .govlab-root .v-application, .govlab-root .v-label, .govlab-root .v-btn,
.govlab-root .v-select__selection, .govlab-root input, .govlab-root .v-tab {{
  font-family: Roboto, 'Noto Sans SC', sans-serif !important;
}}
.govlab-root {{ font-size: 15px; }}
.govlab-root h2.govlab-heading {{ font-size: 20px; margin: 0; }}
.govlab-root .govlab-help {{ font-size: 13px; color: #666; line-height: 1.25; }}
.govlab-root .govlab-headline {{ font-size: 15px; }}
.govlab-root .govlab-levers .v-input {{ margin-top: 2px; padding-top: 0; }}
.govlab-diff span {{ margin-right: 14px; font-size: 15px; }}
.govlab-root .govlab-hidden, .govlab-projector .govlab-not-projector {{ display: none !important; }}
.govlab-lever-column {{ flex: 0 0 24% !important; max-width: 24%; min-width: 0; }}
.govlab-panes-column {{ flex: 1 1 0 !important; min-width: 0; }}
.govlab-comparison table {{ border-collapse: collapse; margin: 6px 0 14px; }}
.govlab-comparison th, .govlab-comparison td {{ padding: 4px 12px; border-bottom: 1px solid #ddd; }}
.govlab-projector {{ font-size: 16px; }}
.govlab-projector .govlab-headline {{ font-size: 16px; font-weight: 500; }}
.govlab-projector .v-tab {{ font-size: 15px; }}
.govlab-projector h3 {{ font-size: 18px; }}
.govlab-projector h2.govlab-heading {{ display: none; }}
.govlab-projector .v-card {{ padding: 2px !important; }}
.govlab-projector .govlab-bar .v-label {{ font-size: 15px; }}
.govlab-root .v-tabs-bar {{ height: 36px !important; }}
.govlab-root .v-card h3 {{ line-height: 1.3; }}
.govlab-root .v-btn {{ margin: 2px 0; }}
.govlab-root .v-input {{ margin-top: 4px !important; padding-top: 8px !important; }}
"""

FULL_SCREEN_JS = (
    "if (document.fullscreenElement) {document.exitFullscreen();} "
    "else {document.documentElement.requestFullscreen();}"
)


@solara.component
def FullScreenButton(label: str) -> None:
    """A button that toggles the browser's full-screen mode (runs in the browser only)."""
    solara.HTML(
        tag="button",
        unsafe_innerHTML=label,
        attributes={"onclick": FULL_SCREEN_JS, "type": "button"},
        classes=["govlab-full-screen", "v-btn", "v-btn--outlined", "primary--text"],
        style="padding: 4px 10px; border-radius: 4px; border: 1px solid",
    )
