"""Find, read, inherit (``extends``) and validate scenario files."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from govlab.scenarios import tomlfile
from govlab.scenarios.errors import ScenarioError, describe
from govlab.scenarios.schema import Scenario

CATALOGUE = Path(__file__).with_name("catalogue")


def shipped_scenarios() -> list[str]:
    """Names of the scenario files shipped in ``scenarios/catalogue``, in ladder order."""
    ladder = ["silo", "front_desk", "data_sharing", "parallel", "seamless", "smart"]
    names = sorted(path.stem for path in CATALOGUE.glob("*.toml"))
    return [n for n in ladder if n in names] + [n for n in names if n not in ladder]


def resolve(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """Map a scenario name or a file path to an existing file, or raise ScenarioError."""
    text = str(name_or_path)
    candidates = []
    if relative_to is not None:
        candidates.append(relative_to / text)
        candidates.append(relative_to / f"{text}.toml")
    candidates += [Path(text), CATALOGUE / f"{text}.toml"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    shipped = ", ".join(shipped_scenarios())
    raise ScenarioError(f"unknown scenario {text!r}: not a file, and not one of: {shipped}")


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge two dicts: tables merge key by key, every other value is replaced."""
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_raw(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario file and everything it extends, merged, not yet validated."""
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise ScenarioError(f"{path}: extends: cycle {chain}")
    try:
        with path.open("rb") as handle:
            data = tomlfile.load(handle)
    except tomlfile.NestingError as error:
        raise ScenarioError(f"{path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {error.start}); TOML is UTF-8") from None
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read it: {error.strerror}") from None
    data.setdefault("name", path.stem)
    civic = data.get("civic")
    if isinstance(civic, dict) and isinstance(civic.get("thresholds_file"), str):
        # a thresholds file is named relative to the scenario file that names it
        civic["thresholds_file"] = str(path.parent / civic["thresholds_file"])
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: extends: expected a scenario name, got {parent!r}")
    base = read_raw(resolve(parent, path.parent), (*seen, path))
    base.pop("description", None)
    return _merge(base, data)


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a validated scenario by catalogue name (``"silo"``) or by file path."""
    path = resolve(name_or_path)
    data = read_raw(path)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise describe(error, Scenario, str(path)) from None
