"""How colours look to a viewer with red-green colour blindness, and how far apart they stay.

``simulate(hex, kind)`` gives a colour as a dichromat sees it — ``"deutan"`` (deuteranopia) or
``"protan"`` (protanopia), Machado, Oliveira & Fernandes (2009) at severity 1, applied in linear
sRGB — or unchanged (``"normal"``). ``distance`` is the CIE76 colour difference ΔE*ab in CIELAB
(D65): about 2.3 is just noticeable, and two lines or areas of a chart are told apart at a glance
from about 15. ``closest_pair`` finds the two colours of a palette a viewer confuses first; the
tests of ``results.palette`` and the trainer's chart colours require a minimum distance for
every viewer. No dependency beyond NumPy.
"""

from __future__ import annotations

import itertools

import numpy as np

MACHADO_2009 = {  # linear-RGB matrices, severity 1.0 (Machado et al. 2009, table of results)
    "normal": np.eye(3),
    "protan": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deutan": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
}
VIEWERS = tuple(MACHADO_2009)
_SRGB_TO_XYZ = np.array(
    [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
)
_WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


def linear_rgb(colour: str) -> np.ndarray:
    """``#rrggbb`` as linear-light RGB in [0, 1]."""
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"colour {colour!r}: expected #rrggbb")
    srgb = np.array([int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)])
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    """Linear RGB as CIELAB (D65)."""
    xyz = _SRGB_TO_XYZ @ np.clip(rgb_linear, 0.0, 1.0) / _WHITE_D65
    delta = 6 / 29
    f = np.where(xyz > delta**3, np.cbrt(xyz), xyz / (3 * delta**2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def simulate(colour: str, viewer: str) -> np.ndarray:
    """The CIELAB colour ``viewer`` ("normal", "deutan", "protan") sees for ``colour``."""
    return lab(MACHADO_2009[viewer] @ linear_rgb(colour))


def lightness(colour: str) -> float:
    """CIELAB L* (0 black … 100 white): a line on white needs it well below 100."""
    return float(lab(linear_rgb(colour))[0])


def distance(a: str, b: str, viewer: str = "normal") -> float:
    """ΔE*ab (CIE76) between two colours as ``viewer`` sees them."""
    return float(np.linalg.norm(simulate(a, viewer) - simulate(b, viewer)))


def closest_pair(colours, viewer: str) -> tuple[float, str, str]:
    """The smallest ΔE*ab between two of ``colours`` for ``viewer``, and that pair."""
    return min((distance(a, b, viewer), a, b) for a, b in itertools.combinations(list(colours), 2))
