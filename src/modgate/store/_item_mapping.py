"""Which source column feeds which Item field: flags, a mapping file, or the column names.

A usable mapping names the columns of `id` and `text` (the body). Fields not mapped explicitly
are taken from a column of the same name (`text` also from `body`); every column that feeds no
field is kept in the item's `meta`. A file with no usable mapping fails with the columns it has
and a suggested mapping.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field

from modgate.authoring import load_yaml_model
from modgate.errors import NotFoundError, ValidationError

ItemField = Literal[
    "id",
    "text",
    "title",
    "community",
    "created_at",
    "author_id",
    "kind",
    "parent_id",
    "parent_text",
    "url",
    "language",
    "is_edited",
    "is_top_level",
    "author_flair",
    "author_flair_css_class",
    "author_flair_template_id",
    "author_contributor_quality",
    "parent_post_id",
    "parent_post_title",
    "parent_post_body",
    "parent_post_url",
    "parent_post_flair_text",
    "parent_post_flair_css_class",
    "parent_post_flair_template_id",
    "parent_post_is_edited",
    "parent_post_reports",
]
ITEM_FIELDS: tuple[str, ...] = get_args(ItemField)
REQUIRED_FIELDS = ("id", "text")

_SAME_NAME: dict[str, tuple[str, ...]] = {field: (field,) for field in ITEM_FIELDS}
_SAME_NAME["text"] = ("text", "body")

# Column names seen in real exports (Reddit/Pushshift, Twitter/X, Discord, forum dumps): used to
# suggest a mapping, never applied without the user saying so.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "item_id", "comment_id", "post_id", "message_id", "tweet_id", "name", "uuid"),
    "text": ("text", "body", "content", "comment", "message", "selftext", "comment_text", "tweet"),
    "title": ("title", "subject", "headline"),
    "community": ("community", "subreddit", "channel", "group", "forum", "guild", "board"),
    "created_at": (
        "created_at", "created_utc", "created", "timestamp", "time", "date", "datetime",
        "posted_at",
    ),
    "author_id": ("author_id", "author", "user_id", "user", "username", "author_fullname"),
    "kind": ("kind", "type", "item_type"),
    "parent_id": ("parent_id", "reply_to", "in_reply_to", "link_id"),
    "parent_text": ("parent_text", "parent_body", "context"),
    "url": ("url", "permalink", "link"),
    "language": ("language", "lang", "locale"),
    "is_edited": ("is_edited", "edited"),
    "is_top_level": ("is_top_level", "top_level"),
    "author_flair": ("author_flair", "author_flair_text"),
    "author_flair_css_class": ("author_flair_css_class",),
    "author_flair_template_id": ("author_flair_template_id",),
    "author_contributor_quality": ("author_contributor_quality", "contributor_quality"),
    "parent_post_id": ("parent_post_id", "link_id"),
    "parent_post_title": ("parent_post_title", "link_title"),
    "parent_post_body": ("parent_post_body", "link_selftext"),
    "parent_post_url": ("parent_post_url", "link_url"),
    "parent_post_flair_text": ("parent_post_flair_text", "link_flair_text"),
    "parent_post_flair_css_class": ("parent_post_flair_css_class", "link_flair_css_class"),
    "parent_post_flair_template_id": ("parent_post_flair_template_id", "link_flair_template_id"),
    "parent_post_is_edited": ("parent_post_is_edited",),
    "parent_post_reports": ("parent_post_reports",),
}  # fmt: skip


def _flag(field: str) -> str:
    return "--" + field.replace("_", "-")


class ItemMapping(BaseModel):
    """A column mapping, as written in a mapping file (YAML) or given by flags.

    Example mapping file:

        columns:
          text: body
          id: comment_id
          community: subreddit
          created_at: created_utc
        defaults:
          kind: comment
        drop: [score_hidden]
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: dict[ItemField, str] = Field(default_factory=dict)
    """Item field → source column."""
    defaults: dict[ItemField, str] = Field(default_factory=dict)
    """Item field → constant used where the field has no column or the value is empty."""
    drop: tuple[str, ...] = ()
    """Source columns to leave out of `meta`."""

    def merged(self, other: ItemMapping) -> ItemMapping:
        """This mapping with `other`'s entries winning (flags over a mapping file)."""
        return ItemMapping(
            columns={**self.columns, **other.columns},
            defaults={**self.defaults, **other.defaults},
            drop=tuple(dict.fromkeys((*self.drop, *other.drop))),
        )


@dataclass(frozen=True)
class ResolvedMapping:
    """A mapping checked against the columns of one file."""

    columns: dict[str, str]
    """Item field → source column, for every field that has one."""
    defaults: dict[str, str]
    """Item field → constant for fields whose value is missing."""
    consumed: frozenset[str]
    """Source columns that feed a field or are dropped: everything else goes to `meta`."""


def load_mapping_file(path: Path) -> ItemMapping:
    """Read a YAML mapping file; an empty file maps nothing explicitly.

    Raises:
        ValidationError: The file cannot be read.
        AuthoringError: The file is not YAML or not a valid mapping (a `ValidationError`);
            every problem as `file:line:col: field: message`.
    """
    try:
        return load_yaml_model(
            path,
            ItemMapping,
            what="mapping file",
            empty_as={},
            hints={
                "columns": f"map item fields ({', '.join(ITEM_FIELDS)}) to source columns",
                "defaults": f"give item fields ({', '.join(ITEM_FIELDS)}) a constant value",
            },
        )
    except NotFoundError as exc:
        raise ValidationError(f"{path}: cannot read the mapping file ({exc})") from exc


def suggest_mapping(columns: list[str]) -> dict[str, str]:
    """Guess field → column from the column names (exact synonyms first, then close spellings).

    Args:
        columns: Column names found in a file.

    Returns:
        Item field → column, one column per field at most, each column used once.
    """
    normal = {_normalize(c): c for c in reversed(columns)}
    taken: set[str] = set()
    found: dict[str, str] = {}
    for field in ITEM_FIELDS:
        for synonym in _SYNONYMS[field]:
            column = normal.get(synonym)
            if column is not None and column not in taken:
                found[field] = column
                taken.add(column)
                break
    for field in ITEM_FIELDS:
        if field in found:
            continue
        free = [c for c in normal if normal[c] not in taken]
        close = difflib.get_close_matches(field, free, n=1, cutoff=0.8)
        if close:
            found[field] = normal[close[0]]
            taken.add(normal[close[0]])
    return found


def _normalize(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def render_suggestion(suggestion: dict[str, str]) -> str:
    """A suggested mapping as command-line flags and as a mapping file."""
    flags = " ".join(f"{_flag(f)} {_quote(c)}" for f, c in suggestion.items())
    yaml_text = yaml.safe_dump({"columns": suggestion}, sort_keys=False, allow_unicode=True)
    return f"flags: {flags}\nmapping file:\n{yaml_text}".rstrip()


def _quote(column: str) -> str:
    return column if re.fullmatch(r"[\w.-]+", column) else repr(column)


def resolve_mapping(
    columns: list[str], mapping: ItemMapping, *, source: str, columns_complete: bool = True
) -> ResolvedMapping:
    """Check a mapping against a file's columns and fill in same-named fields.

    Args:
        columns: Column names found in the file (empty when none could be read).
        mapping: Explicit mapping (flags and/or file).
        source: File name for messages.
        columns_complete: False when `columns` is a sample (JSONL records may add keys later):
            explicitly mapped columns not seen yet are then trusted, and rows without them are
            rejected row by row like any row missing a field.

    Returns:
        The resolved mapping.

    Raises:
        ValidationError: A mapped column is not in the file, or `id` or `text` has no column
            and no default; the message lists the columns found and suggests a mapping.
    """
    present = set(columns)
    resolved: dict[str, str] = {}
    unknown = {
        f: c
        for f, c in mapping.columns.items()
        if columns and columns_complete and c not in present
    }
    for field in ITEM_FIELDS:
        if field in mapping.columns:
            resolved[field] = mapping.columns[field]
            continue
        for candidate in _SAME_NAME[field]:
            if candidate in present or (not columns and candidate == field):
                resolved[field] = candidate
                break
    missing = [f for f in REQUIRED_FIELDS if f not in resolved and f not in mapping.defaults]
    if unknown or missing:
        problems = [
            f"{_flag(f)} {c!r}: no such column"
            + (
                f" (did you mean {close[0]!r}?)"
                if (close := difflib.get_close_matches(c, columns, n=1, cutoff=0.6))
                else ""
            )
            for f, c in unknown.items()
        ]
        problems += [f"no column for the item {field!r} (use {_flag(field)})" for field in missing]
        found = ", ".join(repr(c) for c in columns) or "(none)"
        suggestion = suggest_mapping(columns)
        hint = (
            "suggested mapping\n" + render_suggestion(suggestion)
            if suggestion
            else "pass the columns with --id and --text"
        )
        raise ValidationError(
            f"{source}: no usable column mapping: {'; '.join(problems)}. Columns found: {found}",
            hint=hint,
        )
    consumed = frozenset(resolved.values()) | frozenset(mapping.drop)
    defaults: dict[str, str] = {str(k): v for k, v in mapping.defaults.items()}
    return ResolvedMapping(columns=resolved, defaults=defaults, consumed=consumed)
