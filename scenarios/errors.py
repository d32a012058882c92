"""Readable one-line errors for bad scenario input: file, field path, what is allowed."""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ValidationError


class ScenarioError(ValueError):
    """A user's scenario input is wrong; the message is one line, fit to show as it is."""


def _field_for(model: type[BaseModel], loc: Sequence[str | int]):
    """Walk a pydantic model class along ``loc``; return the last FieldInfo found or None."""
    info = None
    current: object = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            if info is None:
                return None
            current = info.annotation
        else:
            origin = typing.get_origin(current)
            args = typing.get_args(current)
            if origin is dict and args:
                current = args[1]
            elif origin is tuple and args:
                current = args[0]
            else:
                return info
    return info


def allowed(model: type[BaseModel], loc: Sequence[str | int]) -> str:
    """Describe what a field accepts: its range, its choices or its keys."""
    info = _field_for(model, loc)
    if info is None:
        return ""
    annotation = info.annotation
    present = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(present) == 1:
        annotation = present[0]  # an optional field (``X | None``) accepts what X accepts
    if annotation is bool:
        return "allowed: true | false"
    if typing.get_origin(annotation) is typing.Literal:
        return "allowed: " + " | ".join(map(str, typing.get_args(annotation)))
    bounds = []
    for item in info.metadata:
        for kind, attribute, symbol in (
            (Ge, "ge", ">="),
            (Gt, "gt", ">"),
            (Le, "le", "<="),
            (Lt, "lt", "<"),
        ):
            if isinstance(item, kind):
                bounds.append(f"{symbol} {getattr(item, attribute)}")
    if bounds:
        return "allowed: " + ", ".join(bounds)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "allowed keys: " + ", ".join(annotation.model_fields)
    return ""


def describe(error: ValidationError, model: type[BaseModel], source: str) -> ScenarioError:
    """Turn the first pydantic error into a one-line ScenarioError naming source and path."""
    first = error.errors()[0]
    loc = [part for part in first["loc"] if not str(part).startswith("function-")]
    path = ".".join(map(str, loc)) or "(top level)"
    if first["type"] == "extra_forbidden":
        parent = _field_for(model, loc[:-1]) if len(loc) > 1 else None
        keys = (
            list(parent.annotation.model_fields)
            if parent is not None
            and isinstance(parent.annotation, type)
            and issubclass(parent.annotation, BaseModel)
            else list(model.model_fields)
        )
        return ScenarioError(f"{source}: {path}: unknown key; allowed keys: {', '.join(keys)}")
    if first["type"] == "value_error":
        message = str(first["msg"]).removeprefix("Value error, ")
        if loc and not message.startswith(str(loc[0])):  # name the field the check is about
            message = f"{path}: {message}"
        return ScenarioError(f"{source}: {message}")
    hint = allowed(model, loc)
    got = (
        f" (got {first['input']!r})"
        if "input" in first and not isinstance(first["input"], dict)
        else ""
    )
    more = f"; {len(error.errors()) - 1} more error(s)" if len(error.errors()) > 1 else ""
    text = f"{source}: {path}: {first['msg']}{got}"
    return ScenarioError(text + (f"; {hint}" if hint else "") + more)
