"""Reading TOML with its nesting bounded: every TOML file and ``--set`` value govlab reads.

``tomllib`` parses nested arrays and inline tables by recursion, so a file of 5,000 nested
arrays ends in a RecursionError deep inside it. ``loads`` and ``load`` refuse, before parsing,
text whose arrays and tables nest more than ``MAX_DEPTH`` deep (brackets and braces counted
outside strings and comments), and, after parsing, data nested more than ``MAX_DEPTH`` deep
(dotted keys nest tables without brackets). The shipped files nest at most 6 deep (a service's
step's documents). Refusals raise ``NestingError``, a ``tomllib.TOMLDecodeError`` whose message is
one line naming the line and the key.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any, BinaryIO

MAX_DEPTH = 20  # arrays and tables nested in one another, the document itself counting as one

# What changes the bracket depth or hides brackets: brackets, braces, comments, strings.
_SPECIAL = re.compile(r"""[\[\]{}#"']""")
_STRINGS = {
    '"""': re.compile(r'"""(?:[^\\]|\\.)*?"{3,5}', re.DOTALL),
    "'''": re.compile(r"'''.*?'{3,5}", re.DOTALL),
    '"': re.compile(r'"(?:[^"\\\n]|\\.)*"'),
    "'": re.compile(r"'[^'\n]*'"),
}
_HEADER = re.compile(r"\[\[?\s*([^\]]*?)\s*\]")
_KEY = re.compile(r"\s*([^=\[\]{}#]+?)\s*=")


class NestingError(tomllib.TOMLDecodeError):
    """TOML nested deeper than ``MAX_DEPTH``; the message is one line."""

    def __init__(self, message: str) -> None:
        ValueError.__init__(self, message)  # not TOMLDecodeError's (msg, doc, pos) signature


def _where(text: str, at: int, table: str) -> str:
    """``line N (key)``: the line of position ``at`` and the key assigned on it, if any."""
    line = text.count("\n", 0, at) + 1
    start = text.rfind("\n", 0, at) + 1
    key = _KEY.match(text, start, at)
    name = key.group(1).strip() if key else ""
    path = ".".join(part for part in (table, name) if part)
    return f"line {line}" + (f" ({path})" if path else "")


def check_brackets(text: str, limit: int = MAX_DEPTH) -> None:
    """Refuse ``text`` whose arrays and tables nest more than ``limit`` deep (the document is 1).

    Raises:
        NestingError: naming the line (and key) where the outermost such bracket opens.
    """
    depth, at, opened, table = 1, 0, 0, ""
    while True:
        found = _SPECIAL.search(text, at)
        if found is None:
            return
        char, at = found.group(), found.start()
        if char in "[{":
            if depth == 1:
                opened = at
                line_start = text.rfind("\n", 0, at) + 1
                if char == "[" and not text[line_start:at].strip():  # a [table] header
                    header = _HEADER.match(text, at)
                    table = header.group(1) if header else table
            depth += 1
            if depth > limit:
                raise NestingError(
                    f"{_where(text, opened, table)}: arrays and tables nested more than {limit} "
                    f"deep; at most {limit}"
                )
            at += 1
        elif char in "]}":
            depth = max(depth - 1, 1)
            at += 1
        elif char == "#":
            end = text.find("\n", at)
            if end < 0:
                return
            at = end + 1
        else:
            quote = char * 3 if text.startswith(char * 3, at) else char
            string = _STRINGS[quote].match(text, at)
            if string is None:  # unterminated: tomllib says where
                return
            at = string.end()


def check_depth(data: Any, limit: int = MAX_DEPTH) -> None:
    """Refuse parsed data nested more than ``limit`` deep (iteratively: no recursion).

    Raises:
        NestingError: naming the dotted path where the nesting passes the limit.
    """
    stack: list[tuple[Any, int, tuple[str, ...]]] = [(data, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, dict):
            items = [(str(k), v) for k, v in node.items()]
        elif isinstance(node, list):
            items = [(str(i), v) for i, v in enumerate(node)]
        else:
            continue
        for key, value in items:
            if isinstance(value, dict | list):
                if depth + 1 > limit:
                    where = ".".join(path[:3] + (("...",) if len(path) > 3 else ()))
                    raise NestingError(
                        f"{where or key}: tables and arrays nested more than {limit} deep; "
                        f"at most {limit}"
                    )
                stack.append((value, depth + 1, (*path, key)))


def loads(text: str) -> dict[str, Any]:
    """``tomllib.loads`` with the nesting bounded (``NestingError``, a TOMLDecodeError)."""
    check_brackets(text)
    try:
        data = tomllib.loads(text)
    except RecursionError:  # pragma: no cover - the bracket check comes first
        raise NestingError(f"arrays and tables nested too deep; at most {MAX_DEPTH}") from None
    check_depth(data)
    return data


def load(handle: BinaryIO) -> dict[str, Any]:
    """``tomllib.load`` with the nesting bounded; UnicodeDecodeError for text that is not UTF-8."""
    return loads(handle.read().decode())
