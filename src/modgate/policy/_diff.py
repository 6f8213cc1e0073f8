"""Semantic diff between two policy versions: what a reviewer needs to approve a change.

Criteria and allowed contexts are matched by id, glossary entries by term, examples by their
normalised text (a reworded example is paired with its closest counterpart). Changed prose comes
with a word-level diff.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from modgate.policy._normalize import normalize_example_text
from modgate.policy._schema import Example, Policy, policy_content_hash

Section = Literal[
    "policy", "definition", "glossary", "violates", "allowed", "examples", "severity", "actions"
]
ChangeKind = Literal["added", "removed", "changed"]

_TOKENS = re.compile(r"\s+|[^\s]+")
_EDGES = re.compile(r"(\s*)(.*?)(\s*)$", re.DOTALL)
_REWORD_RATIO = 0.6
"""Examples at least this similar are shown as one reworded example, not removed + added."""


class DiffSegment(BaseModel):
    """A run of words that is kept, inserted or deleted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    op: Literal["equal", "insert", "delete"]
    """What happened to the run."""
    text: str
    """The words (with their spacing)."""


class PolicyChange(BaseModel):
    """One change between two policy versions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    section: Section
    """Part of the policy changed."""
    change: ChangeKind
    """added, removed or changed."""
    key: str
    """What changed within the section: an id, a term, an example's text, a field name."""
    field: str | None = None
    """The field that changed, for `changed` entries of criteria, contexts and examples."""
    before: Any = None
    """Old value (None when added)."""
    after: Any = None
    """New value (None when removed)."""
    words: list[DiffSegment] | None = None
    """Word-level diff, for changed prose."""

    def detail(self, *, markdown: bool = False) -> str:
        """One-line description: the word diff, or before → after."""
        if self.words is not None:
            return render_word_diff(self.words, markdown=markdown)
        if self.change == "added":
            return _show(self.after)
        if self.change == "removed":
            return _show(self.before)
        return f"{_show(self.before)} → {_show(self.after)}"


class PolicyDiff(BaseModel):
    """All changes from one policy version to another."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    before_ref: str
    """`id@version` of the old policy."""
    after_ref: str
    """`id@version` of the new policy."""
    before_hash: str
    """Content hash of the old policy."""
    after_hash: str
    """Content hash of the new policy."""
    changes: list[PolicyChange]
    """Changes, in policy order (metadata, definition, glossary, criteria, contexts, examples)."""

    @property
    def identical(self) -> bool:
        """Whether the two versions have the same content."""
        return self.before_hash == self.after_hash


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def word_diff(before: str, after: str) -> list[DiffSegment]:
    """Word-level diff of two texts (whitespace runs count as words, so spacing survives).

    Args:
        before: Old text.
        after: New text.

    Returns:
        Segments that, joined by op, rebuild both texts: equal+delete gives `before`,
        equal+insert gives `after`.
    """
    a, b = _TOKENS.findall(before), _TOKENS.findall(after)
    segments: list[DiffSegment] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(DiffSegment(op="equal", text="".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(DiffSegment(op="delete", text="".join(a[i1:i2])))
        if j2 > j1:
            segments.append(DiffSegment(op="insert", text="".join(b[j1:j2])))
    return segments


def render_word_diff(segments: Sequence[DiffSegment], *, markdown: bool = False) -> str:
    """Render segments as `[-old-]{+new+}` (git's word-diff), or `~~old~~ **new**` in Markdown."""
    out: list[str] = []
    for seg in segments:
        if seg.op == "equal":
            out.append(" ".join(seg.text.split("\n")))
            continue
        match = _EDGES.match(seg.text)
        assert match is not None  # the pattern matches any text
        lead, core, trail = match.group(1), " ".join(match.group(2).split()), match.group(3)
        if not core:  # a change of spacing only: keep the new spacing
            out.append(" " if seg.op == "insert" else "")
            continue
        if markdown:
            marked = f"~~{core}~~" if seg.op == "delete" else f"**{core}**"
        else:
            marked = f"[-{core}-]" if seg.op == "delete" else f"{{+{core}+}}"
        out.append((" " if lead else "") + marked + (" " if trail else ""))
    return "".join(out)


def diff_policies(before: Policy, after: Policy) -> PolicyDiff:
    """Compare two versions of a policy.

    Args:
        before: The old version.
        after: The new version.

    Returns:
        Every change, in policy order.
    """
    changes: list[PolicyChange] = []
    for name in ("id", "version", "scope", "title"):
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changes.append(
                PolicyChange(section="policy", change="changed", key=name, before=old, after=new)
            )
    if before.definition != after.definition:
        changes.append(
            _prose("definition", "definition", None, before.definition, after.definition)
        )
    changes += _diff_glossary(before.glossary, after.glossary)
    changes += _diff_rules("violates", before.violates, after.violates)
    changes += _diff_rules("allowed", before.allowed, after.allowed)
    changes += _diff_examples(before.examples, after.examples)
    if before.severity != after.severity:
        changes.append(
            PolicyChange(
                section="severity",
                change="changed",
                key="severity",
                before=str(before.severity),
                after=str(after.severity),
            )
        )
    old_actions, new_actions = [str(a) for a in before.actions], [str(a) for a in after.actions]
    for action in old_actions:
        if action not in new_actions:
            changes.append(
                PolicyChange(section="actions", change="removed", key=action, before=action)
            )
    for action in new_actions:
        if action not in old_actions:
            changes.append(
                PolicyChange(section="actions", change="added", key=action, after=action)
            )
    return PolicyDiff(
        before_ref=before.ref,
        after_ref=after.ref,
        before_hash=policy_content_hash(before),
        after_hash=policy_content_hash(after),
        changes=changes,
    )


def _prose(section: Section, key: str, field: str | None, old: str, new: str) -> PolicyChange:
    return PolicyChange(
        section=section,
        change="changed",
        key=key,
        field=field,
        before=old,
        after=new,
        words=word_diff(old, new),
    )


def _diff_glossary(old: dict[str, str], new: dict[str, str]) -> list[PolicyChange]:
    changes: list[PolicyChange] = []
    for term, meaning in old.items():
        if term not in new:
            changes.append(
                PolicyChange(section="glossary", change="removed", key=term, before=meaning)
            )
        elif new[term] != meaning:
            changes.append(_prose("glossary", term, None, meaning, new[term]))
    for term, meaning in new.items():
        if term not in old:
            changes.append(
                PolicyChange(section="glossary", change="added", key=term, after=meaning)
            )
    return changes


def _diff_rules(section: Section, old: Sequence[Any], new: Sequence[Any]) -> list[PolicyChange]:
    """Criteria or allowed contexts, matched by id."""
    changes: list[PolicyChange] = []
    new_by_id = {rule.id: rule for rule in new}
    old_ids = {rule.id for rule in old}
    for rule in old:
        if rule.id not in new_by_id:
            changes.append(
                PolicyChange(
                    section=section,
                    change="removed",
                    key=rule.id,
                    before=f"{rule.title}: {rule.description}",
                )
            )
            continue
        other = new_by_id[rule.id]
        for field in ("title", "description"):
            if getattr(rule, field) != getattr(other, field):
                changes.append(
                    _prose(section, rule.id, field, getattr(rule, field), getattr(other, field))
                )
    for rule in new:
        if rule.id not in old_ids:
            changes.append(
                PolicyChange(
                    section=section,
                    change="added",
                    key=rule.id,
                    after=f"{rule.title}: {rule.description}",
                )
            )
    return changes


def _example_key(example: Example) -> str:
    text = " ".join(example.text.split())
    return text if len(text) <= 60 else text[:57] + "…"


def _example_summary(example: Example) -> str:
    cited = example.criteria if example.label == "violates" else example.allowed
    suffix = f" [{', '.join(cited)}]" if cited else ""
    return f"{example.label}{suffix}: {example.text}"


def _diff_examples(old: Sequence[Example], new: Sequence[Example]) -> list[PolicyChange]:
    old_keys = [normalize_example_text(e.text) for e in old]
    new_keys = [normalize_example_text(e.text) for e in new]
    pairs: list[tuple[int, int]] = []
    unmatched_new = set(range(len(new)))
    unmatched_old: list[int] = []
    for i, key in enumerate(old_keys):
        j = next((j for j in sorted(unmatched_new) if new_keys[j] == key), None)
        if j is None:
            unmatched_old.append(i)
        else:
            pairs.append((i, j))
            unmatched_new.discard(j)
    # pair reworded examples: the most similar remaining counterpart above the ratio
    still_old: list[int] = []
    for i in unmatched_old:
        scored = [
            (difflib.SequenceMatcher(a=old_keys[i], b=new_keys[j], autojunk=False).ratio(), -j)
            for j in unmatched_new
        ]
        best = max(scored, default=None)
        if best is not None and best[0] >= _REWORD_RATIO:
            pairs.append((i, -best[1]))
            unmatched_new.discard(-best[1])
        else:
            still_old.append(i)
    changes: list[PolicyChange] = []
    for i in still_old:
        changes.append(
            PolicyChange(
                section="examples",
                change="removed",
                key=_example_key(old[i]),
                before=_example_summary(old[i]),
            )
        )
    for i, j in sorted(pairs, key=lambda p: p[1]):
        a, b = old[i], new[j]
        key = _example_key(b)
        if a.text != b.text:
            changes.append(_prose("examples", key, "text", a.text, b.text))
        for field in ("label", "criteria", "allowed", "tags", "note"):
            va, vb = getattr(a, field), getattr(b, field)
            if va == vb:
                continue
            if field == "note" and va and vb:
                changes.append(_prose("examples", key, "note", va, vb))
            else:
                changes.append(
                    PolicyChange(
                        section="examples",
                        change="changed",
                        key=key,
                        field=field,
                        before=va,
                        after=vb,
                    )
                )
    for j in sorted(unmatched_new):
        changes.append(
            PolicyChange(
                section="examples",
                change="added",
                key=_example_key(new[j]),
                after=_example_summary(new[j]),
            )
        )
    return changes


def render_diff_text(diff: PolicyDiff) -> str:
    """The diff as plain text, one change a line (word diffs as `[-old-]{+new+}`)."""
    lines = [_headline(diff)]
    for c in diff.changes:
        where = f"{c.key}.{c.field}" if c.field else c.key
        lines.append(f"  {c.section:<10} {c.change:<8} {where}: {c.detail()}")
    return "\n".join(lines) + "\n"


def render_diff_markdown(diff: PolicyDiff) -> str:
    """The diff as Markdown for a review: one table per section."""
    lines = [f"## Policy diff: `{diff.before_ref}` → `{diff.after_ref}`", "", _headline(diff), ""]
    sections: dict[str, list[PolicyChange]] = {}
    for c in diff.changes:
        sections.setdefault(c.section, []).append(c)
    for section, changes in sections.items():
        lines += [f"### {section}", "", "| change | what | detail |", "|---|---|---|"]
        for c in changes:
            where = (f"`{c.key}`" + (f" ({c.field})" if c.field else "")).replace("|", "\\|")
            detail = c.detail(markdown=True).replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {c.change} | {where} | {detail} |")
        lines.append("")
    return "\n".join(lines)


def _headline(diff: PolicyDiff) -> str:
    if diff.identical:
        return f"{diff.before_ref} → {diff.after_ref}: same content ({diff.after_hash[:12]})"
    counts: dict[str, int] = {}
    for c in diff.changes:
        counts[c.change] = counts.get(c.change, 0) + 1
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    return (
        f"{diff.before_ref} ({diff.before_hash[:12]}) → {diff.after_ref} ({diff.after_hash[:12]}): "
        f"{len(diff.changes)} change{'s' if len(diff.changes) != 1 else ''} ({summary})"
    )
