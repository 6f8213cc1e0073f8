r"""Write plain data (a dumped rule set) as block YAML, fast: JSON-quoted scalars, no representer.

PyYAML's emitter (even over libyaml) represents every node in Python and was a fifth of a
10 MB config's import. Rule set data is only mappings, lists, text, numbers, booleans and null,
so it is written directly: mappings and lists in block style, every string double-quoted by
`json.dumps` (C), whose escapes (`\"`, `\\`, `\n`, `\t`, `\uXXXX` …) are YAML's too.
Characters YAML reads as line breaks or may not hold raw (NEL, LS, PS, C1 controls, BOM, lone
surrogates, U+FFFE/U+FFFF) are escaped as `\uXXXX`. Numbers are written so that both YAML 1.1
and modgate's loader read them back as the same number. A differential test compares the
result, read back, with the data and with PyYAML's own dump.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TYPED_WORDS = frozenset(
    {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "nan", "inf"}
)
_INDENT = "  "


def dump_yaml(data: Any) -> str:
    """`data` (dicts, lists, str, int, float, bool, None) as one block-style YAML document."""
    lines: list[str] = []
    if isinstance(data, dict) and data:
        _mapping(data, "", lines)
    elif isinstance(data, list) and data:
        _sequence(data, "", lines)
    else:
        lines.append(_scalar(data))
    return "\n".join(lines) + "\n"


def _mapping(data: dict[str, Any], pad: str, lines: list[str]) -> None:
    for key, value in data.items():
        head = f"{pad}{_key(key)}:"
        if isinstance(value, dict) and value:
            lines.append(head)
            _mapping(value, pad + _INDENT, lines)
        elif isinstance(value, list) and value:
            lines.append(head)
            _sequence(value, pad + _INDENT, lines)
        else:
            lines.append(f"{head} {_scalar(value)}")


def _sequence(data: list[Any], pad: str, lines: list[str]) -> None:
    for value in data:
        if isinstance(value, dict) and value:
            start = len(lines)
            _mapping(value, pad + _INDENT, lines)
            lines[start] = f"{pad}- {lines[start][len(pad) + len(_INDENT) :]}"
        elif isinstance(value, list) and value:
            lines.append(f"{pad}-")
            _sequence(value, pad + _INDENT, lines)
        else:
            lines.append(f"{pad}- {_scalar(value)}")


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"mapping keys must be text, got {key!r}")
    if _PLAIN_KEY.match(key) and key.lower() not in _TYPED_WORDS:
        return key
    return _quote(key)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, dict | list) and not value:
        return "{}" if isinstance(value, dict) else "[]"
    raise TypeError(f"cannot write {type(value).__name__} as YAML: {value!r}")


def _quote(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    if _UNSAFE.search(quoted):
        quoted = _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)
    return quoted


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    mantissa, _, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"  # `1e-05` is text to YAML 1.1 and to modgate's loader: `1.0e-05`
    return f"{mantissa}e{exponent}" if exponent else mantissa
