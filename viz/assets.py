"""Offline browser assets: fill a project-local Solara proxy cache with the page's npm packages.

Solara's page asks its own server for ``/_solara/cdn/<package>@<version>/<file>``; the server
answers from its proxy cache folder (``SOLARA_ASSETS_PROXY_CACHE_DIR``) and on a miss would go to a
public CDN. This module discovers the exact packages the installed Solara requests (from its
templates and components), downloads each tarball from the npm registry, checks its sha512
``integrity``, and unpacks ``package/`` into ``<cache>/<name>@<version>/`` (source maps left out).
A marker file per package makes the fill idempotent. The Chinese font (``viz.fonts``) is
fetched the same way, keeping only its one TrueType file. See ``viz/OFFLINE.md``.

Run ``python -m govlab.viz.assets`` (``make install`` does); ``--check`` only reports what is
missing.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import re
import shutil
import sys
import tarfile
import urllib.parse
import urllib.request
from pathlib import Path

from govlab.viz.fonts import FONT_KEEP, FONT_PACKAGE

# The cache lives beside this package unless GOVLAB_ASSETS_DIR says otherwise (kept out of git).
DEFAULT_CACHE = Path(__file__).with_name("cdn_cache")
REGISTRY = os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org").rstrip("/")
MARKER = ".govlab-integrity"
# What Solara 1.64.1 with ipyvue 1.x requests (see viz/OFFLINE.md); discovery adds any others.
KNOWN_PACKAGES = (
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "@widgetti/solara-vuetify-app@10.1.1",
)
# Folder names Solara uses that are not npm versions (Altair: vega@5 ...); this app has no Altair.
_SPEC = re.compile(
    r"(?:\{\{\s*cdn\s*\}\}|getCdn\(\)\}|/_solara/cdn)/((?:@[\w.-]+/)?[\w.-]+@[\w.-]+)/"
)


def cache_dir() -> Path:
    """The proxy cache folder the server is started with."""
    return Path(os.environ.get("GOVLAB_ASSETS_DIR", DEFAULT_CACHE)).resolve()


def discover_packages() -> list[str]:
    """``name@version`` of every npm package the installed Solara asks its CDN proxy for.

    Scans Solara's templates and Vue components for CDN paths, adds the Font Awesome path from
    its settings, and keeps only exact versions (``x.y.z[-tag]``) for the ipyvue major in use.
    """
    import ipyvue
    import solara
    from solara.server import settings

    root = Path(solara.__file__).parent
    found = set(KNOWN_PACKAGES)
    for path in [*root.glob("server/templates/*.j2"), *root.rglob("*.vue")]:
        found.update(_SPEC.findall(path.read_text(encoding="utf-8", errors="replace")))
    found.add(settings.assets.fontawesome_path.strip("/").split("/")[0])
    vuetify3 = int(ipyvue.__version__.split(".")[0]) >= 3
    keep = []
    for spec in sorted(found):
        name, _, version = spec.rpartition("@")
        if not re.fullmatch(r"\d+\.\d+\.\d+(-[\w.]+)?", version):
            continue  # e.g. vega@5: Altair only
        if name.endswith("solara-vuetify3-app") != vuetify3 and "solara-vuetify" in name:
            continue
        keep.append(spec)
    return keep


def _fetch(url: str, timeout: float = 60.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def _check_integrity(data: bytes, integrity: str, spec: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if digest != expected:
        raise RuntimeError(f"{spec}: tarball {algorithm} does not match the registry's integrity")


def install_package(spec: str, cache: Path, keep: tuple[str, ...] | None = None) -> int:
    """Download, verify and unpack one package into ``cache``; bytes downloaded (0 if present).
    ``keep`` limits the files kept to these paths inside the package."""
    name, _, version = spec.rpartition("@")
    target = cache / spec
    meta_url = f"{REGISTRY}/{urllib.parse.quote(name, safe='@')}/{version}"
    if (target / MARKER).exists():
        return 0
    meta = json.loads(_fetch(meta_url))
    dist = meta["dist"]
    data = _fetch(dist["tarball"])
    _check_integrity(data, dist["integrity"], spec)
    staging = cache / f".{spec.replace('/', '_')}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive.getmembers():
            parts = Path(member.name).parts
            if not member.isfile() or len(parts) < 2 or member.name.endswith(".map"):
                continue
            if keep is not None and "/".join(parts[1:]) not in keep:
                continue
            out = staging.joinpath(*parts[1:])  # drop the tarball's top folder ("package/")
            out.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            assert source is not None
            out.write_bytes(source.read())
    if name == "requirejs":  # solara.Markdown asks for require.min.js
        shutil.copyfile(staging / "require.js", staging / "require.min.js")
    (staging / MARKER).write_text(dist["integrity"] + "\n")
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging.rename(target)
    return len(data)


def echarts_package() -> str:
    """``echarts@<version>`` that Solara's ECharts component imports (its version is a variable
    in ``echarts.vue``, so the CDN-path scan above does not see it)."""
    import solara

    source = (Path(solara.__file__).parent / "components" / "echarts.vue").read_text("utf-8")
    found = re.search(r'const version = "(\d+\.\d+\.\d+)"', source)
    return f"echarts@{found.group(1) if found else '5.4.0'}"


def bundled_packages() -> dict[str, tuple[str, ...] | None]:
    """Every package the app serves: Solara's (whole), ECharts (the browser-drawn live charts;
    one file kept) and the Chinese font (one file kept)."""
    packages: dict[str, tuple[str, ...] | None] = dict.fromkeys(discover_packages())
    packages[echarts_package()] = ("dist/echarts.js", "LICENSE", "package.json")
    packages[FONT_PACKAGE] = FONT_KEEP
    return packages


def missing(cache: Path | None = None) -> list[str]:
    """Packages the page needs that are not (completely) in the cache."""
    cache = cache or cache_dir()
    return [spec for spec in bundled_packages() if not (cache / spec / MARKER).exists()]


def install(cache: Path | None = None, log=print) -> int:
    """Fill the cache with every package the page needs; bytes downloaded. Idempotent."""
    cache = cache or cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    total = 0
    for spec, keep in bundled_packages().items():
        downloaded = install_package(spec, cache, keep)
        total += downloaded
        if downloaded:
            log(f"viz.assets: {spec}: {downloaded / 1e6:.1f} MB, integrity checked")
    return total


def main(argv: list[str] | None = None) -> int:
    """Command line: fill (default) or ``--check`` the offline asset cache."""
    parser = argparse.ArgumentParser(
        prog="python -m govlab.viz.assets", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="only list missing packages")
    args = parser.parse_args(argv)
    cache = cache_dir()
    if args.check:
        absent = missing(cache)
        for spec in absent:
            print(f"missing: {spec}")
        return 1 if absent else 0
    try:
        total = install(cache)
    except OSError as error:
        print(f"viz.assets: error: cannot fill {cache}: {error}", file=sys.stderr)
        return 1
    print(f"viz.assets: {cache} complete ({total / 1e6:.1f} MB downloaded)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
