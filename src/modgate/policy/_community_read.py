"""Read a community-rules export (CSV, TSV, JSONL, Parquet) through the store's row readers.

Columns are found by the names platforms use (`subreddit` for the community, `short_name` for
the rule, `violation_reason`, `kind` = link/comment/all…) unless the caller names them. Every
row becomes a `CommunityRule` or a reject with its line and reason; nothing is dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, get_args

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from modgate.errors import ValidationError
from modgate.policy._community_schema import (
    AppliesTo,
    CommunityRule,
    parse_applies_to,
    rule_key,
)
from modgate.store import RejectReason, RejectsWriter, RowReject, RowStream, SourceRow

RuleField = Literal["community", "name", "description", "applies_to", "reason", "examples"]
RULE_FIELDS: tuple[str, ...] = get_args(RuleField)
_REQUIRED = ("community", "name")

# Column names seen in platform exports (Reddit's rules API, Discord/forum dumps).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "community": ("community", "subreddit", "community_name", "group", "channel", "server",
                  "forum", "board", "guild"),
    "name": ("name", "rule", "short_name", "rule_name", "title", "rule_title"),
    "description": ("description", "rule_text", "text", "body", "details", "rule_description"),
    "applies_to": ("applies_to", "kind", "applies", "applies_to_kind", "target"),
    "reason": ("reason", "violation_reason", "removal_reason"),
    "examples": ("examples", "example", "violating_examples"),
}  # fmt: skip


class CommunityRuleMapping(BaseModel):
    """Which source column feeds which rule field (unnamed fields: found by column name)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: dict[RuleField, str] = Field(default_factory=dict)
    """Rule field → source column."""


@dataclass(frozen=True)
class ResolvedRuleMapping:
    """A mapping checked against one file's columns: rule field → column, where there is one."""

    columns: dict[str, str]


def resolve_rule_mapping(
    mapping: CommunityRuleMapping, columns: list[str], *, complete: bool, source: str
) -> ResolvedRuleMapping:
    """Check a mapping against a file's columns, filling unnamed fields from known names.

    Raises:
        ValidationError: A named column is not in the file, or no column feeds the community
            or the rule name; the message lists the file's columns and the flags to use.
    """
    present = set(columns)
    resolved: dict[str, str] = {}
    for field, column in mapping.columns.items():
        if complete and column not in present:
            raise ValidationError(
                f"{source}: no column {column!r} for the rule's {field}; "
                f"the file has {', '.join(columns) or 'no columns'}",
                hint=f"pass --{field.replace('_', '-')} with one of the file's columns",
            )
        resolved[field] = column
    taken = set(resolved.values())
    for name_ in RULE_FIELDS:
        if name_ in resolved:
            continue
        for name in _SYNONYMS[name_]:
            if name in present and name not in taken:
                resolved[name_] = name
                taken.add(name)
                break
    missing = [f for f in _REQUIRED if f not in resolved]
    if missing:
        flags = " ".join(f"--{'rule' if f == 'name' else f} COLUMN" for f in missing)
        raise ValidationError(
            f"{source}: no column for the rule's {' and '.join(missing)}; "
            f"the file has {', '.join(columns) or 'no columns'}",
            hint=f"name the columns: {flags}",
        )
    return ResolvedRuleMapping(columns=resolved)


class _RowError(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _text(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _RowError(RejectReason.INVALID_VALUE, f"{field} is not text: {value!r}")
    text = str(value).strip()
    return text or None


def parse_examples(value: Any) -> tuple[str, ...]:
    """Examples from a list, a JSON array in text, or text with one example per line.

    Raises:
        ValueError: A JSON array holds something other than text.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped:
            return ()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError:
                return (stripped,)
        else:
            return tuple(line.strip() for line in stripped.splitlines() if line.strip())
    if not isinstance(value, list | tuple):
        raise ValueError(f"examples must be a list or text, not {type(value).__name__}")
    found: list[str] = []
    for entry in value:
        if not isinstance(entry, str):
            raise ValueError(f"an example is not text: {entry!r}")
        if entry.strip():
            found.append(entry.strip())
    return tuple(found)


def _rule(row: SourceRow, mapping: ResolvedRuleMapping, position: int) -> CommunityRule:
    get = row.values.get
    cols = mapping.columns
    community = _text(get(cols["community"]), "community")
    if community is None:
        raise _RowError(RejectReason.MISSING_ID, "the row has no community")
    name = _text(get(cols["name"]), "rule name")
    if name is None:
        raise _RowError(RejectReason.MISSING_ID, "the row has no rule name")
    description = _text(get(cols["description"]), "description") if "description" in cols else None
    reason = _text(get(cols["reason"]), "reason") if "reason" in cols else None
    applies_raw = _text(get(cols["applies_to"]), "applies-to") if "applies_to" in cols else None
    try:
        applies = parse_applies_to(applies_raw) if applies_raw else AppliesTo.BOTH
        examples = parse_examples(get(cols["examples"])) if "examples" in cols else ()
    except ValueError as exc:
        raise _RowError(RejectReason.INVALID_VALUE, str(exc)) from None
    try:
        return CommunityRule(
            community=community,
            name=name,
            description=description or "",
            applies_to=applies,
            reason=reason,
            examples=examples,
            position=position,
        )
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        raise _RowError(RejectReason.INVALID_VALUE, problems) from None


def read_community_rules(
    stream: RowStream, mapping: ResolvedRuleMapping, rejects: RejectsWriter
) -> Iterator[tuple[CommunityRule, str]]:
    """Rules of an open file with their keys, in file order; bad rows and repeats to `rejects`.

    A rule whose key (see `rule_key`) repeats within its community is rejected as
    `duplicate_id`, naming the line that holds the first one.
    """
    seen: dict[tuple[str, str], int] = {}
    positions: dict[str, int] = {}
    for result in stream:
        if isinstance(result, RowReject):
            rejects.write(result)
            continue
        try:
            community_raw = result.values.get(mapping.columns["community"])
            position = positions.get(str(community_raw), 0)
            rule = _rule(result, mapping, position)
            key = (rule.community, rule_key(rule.name))
            first = seen.get(key)
            if first is not None:
                raise _RowError(
                    RejectReason.DUPLICATE_ID,
                    f"rule {rule.name!r} of {rule.community!r} is already on line {first}",
                )
        except _RowError as exc:
            rejects.write(
                RowReject(
                    line=result.line,
                    reason=exc.reason,
                    detail=exc.detail,
                    raw=json.dumps(result.values, ensure_ascii=False, default=str),
                )
            )
            continue
        seen[key] = result.line
        positions[str(community_raw)] = position + 1
        yield rule, key[1]
