"""Community rules as platforms export them, and the records modgate keeps of them (pure).

A platform's export has one row per rule: the community, the rule's short name, its
description, whether it applies to posts, comments or both, the violation reason shown to the
user, and optional examples. Each community's rules form its community policy (scope
`community:NAME`). A rule is identified within its community by its key (the short name,
case-folded, punctuation as `-`); its content hash covers every field after whitespace is
collapsed, so re-exporting the same text is no change, and any rewording is a new version.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

CommunityName = Annotated[str, StringConstraints(pattern=r"^[^\s:]{1,200}$")]
"""A community name: 1–200 characters, no whitespace or `:` (it goes into `community:NAME`)."""

_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+")
RULE_KEY_CHARS = 128
"""Longest rule key (longer short names are cut, with a hash suffix to keep keys apart)."""


class AppliesTo(enum.StrEnum):
    """What a community rule governs."""

    POSTS = "posts"
    COMMENTS = "comments"
    BOTH = "both"


_APPLIES_TO = {
    "posts": AppliesTo.POSTS,
    "post": AppliesTo.POSTS,
    "link": AppliesTo.POSTS,
    "links": AppliesTo.POSTS,
    "submission": AppliesTo.POSTS,
    "submissions": AppliesTo.POSTS,
    "comments": AppliesTo.COMMENTS,
    "comment": AppliesTo.COMMENTS,
    "both": AppliesTo.BOTH,
    "all": AppliesTo.BOTH,
    "any": AppliesTo.BOTH,
    "posts and comments": AppliesTo.BOTH,
    "posts, comments": AppliesTo.BOTH,
    "posts_and_comments": AppliesTo.BOTH,
}


def parse_applies_to(value: str) -> AppliesTo:
    """Read an `applies to` value as platforms write it (`link`/`comment`/`all` too).

    Raises:
        ValueError: The value is none of the known spellings.
    """
    found = _APPLIES_TO.get(_SPACES.sub(" ", value.strip().casefold()))
    if found is None:
        raise ValueError(
            f"applies-to {value!r} is not posts, comments or both (link, comment, all also read)"
        )
    return found


def collapse_spaces(text: str) -> str:
    """Text with runs of whitespace as one space and no surrounding whitespace."""
    return _SPACES.sub(" ", text).strip()


def rule_key(name: str) -> str:
    """The key of a rule in its community: the short name case-folded, punctuation as `-`.

    Example:
        >>> rule_key("No Self-Promotion!")
        'no-self-promotion'
    """
    key = _NOT_WORD.sub("-", name.casefold()).strip("-")
    if not key:  # a name of punctuation only: keep it apart from other such names
        key = "rule-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    if len(key) > RULE_KEY_CHARS:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
        key = key[: RULE_KEY_CHARS - 13] + "-" + digest
    return key


class CommunityRule(BaseModel):
    """One rule of one community, as imported."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    community: CommunityName
    """The community the rule belongs to."""
    name: _Text
    """The rule's short name, e.g. `No self-promotion`."""
    description: str = ""
    """The rule's text as the community wrote it (may be empty: some rules are a name only)."""
    applies_to: AppliesTo = AppliesTo.BOTH
    """Whether it governs posts, comments or both."""
    reason: str | None = None
    """The violation reason shown to the user when content is removed under the rule."""
    examples: tuple[str, ...] = ()
    """Examples of violating content the community gave, if any."""
    position: int = Field(default=0, ge=0)
    """Order of the rule in its community's list (0 = first)."""

    @property
    def key(self) -> str:
        """The rule's key within its community (see `rule_key`)."""
        return rule_key(self.name)

    @property
    def text(self) -> str:
        """Short name and description together: what lint and families read."""
        return f"{self.name}. {self.description}" if self.description else self.name


def rule_content_hash(rule: CommunityRule) -> str:
    """sha256 of what the rule says (name, description, applies-to, reason, examples).

    Whitespace is collapsed first and the position is left out: reflowing text or reordering
    the list is not a change of the rule.
    """
    # each field length-prefixed, so no two different rules can give the same string
    fields = [
        collapse_spaces(rule.name),
        collapse_spaces(rule.description),
        str(rule.applies_to),
        "-" if rule.reason is None else "+" + collapse_spaces(rule.reason),
        *(collapse_spaces(e) for e in rule.examples),
    ]
    canonical = "".join(f"{len(f)}:{f}" for f in fields)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def community_content_hash(rule_hashes: dict[str, str]) -> str:
    """sha256 of a community's rules: (key, content hash) pairs in key order."""
    canonical = json.dumps(sorted(rule_hashes.items()), separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class StoredCommunityRule(BaseModel):
    """One stored version of a community rule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: CommunityRule
    """What the rule says."""
    key: str
    """Its key in the community."""
    version: int
    """Version of this rule (1 on first import; +1 for each rewording)."""
    content_hash: str
    """sha256 of the rule's content (see `rule_content_hash`)."""
    imported_in: int
    """Import that made this version."""
    retired_in: int | None
    """Import that replaced or removed it (None: current)."""
