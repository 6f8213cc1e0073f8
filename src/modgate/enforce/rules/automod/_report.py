"""The import report: what became of every section of an AutoModerator configuration."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict

ImportStatus = Literal["translated", "not_applicable", "unsupported", "invalid", "ignored"]
"""translated: rule(s) in the rule set; not_applicable: no enforcement to translate (flair,
messages, approvals, dropped by AutoModerator itself); unsupported: enforcement modgate cannot
reproduce faithfully; invalid: AutoModerator itself would refuse the section; ignored: no rule
(blank or comments)."""

STATUS_ORDER: tuple[ImportStatus, ...] = (
    "translated",
    "not_applicable",
    "unsupported",
    "invalid",
    "ignored",
)


class AutomodImportEntry(BaseModel):
    """The fate of one section of the configuration."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int
    """1-based section number."""
    line: int
    """1-based line in the imported file."""
    first_line: str
    """First non-blank line of the section."""
    status: ImportStatus
    """What became of it."""
    reason: str = ""
    """Why it is not translated (empty when translated)."""
    action: str | None = None
    """AutoModerator action of the rule, if any."""
    rule_ids: tuple[str, ...] = ()
    """Ids of the rules it became in the rule set."""
    notes: tuple[str, ...] = ()
    """Warnings and dropped side effects (comments, messages) of a translated rule."""


class AutomodImportReport(BaseModel):
    """Every section of an imported AutoModerator configuration, with its fate."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    """The imported file."""
    rule_set: str
    """Name of the rule set written."""
    community: str | None = None
    """Community the rule set is scoped to."""
    entries: tuple[AutomodImportEntry, ...] = ()
    """One entry per section, in file order."""
    re2_sets: int = 0
    """RE2 set programs the written rule set compiles to (the importer compiles it)."""
    re2_memory_mb: float = 0.0
    """Their memory budget (MB), sized to the patterns."""
    re2_max_memory_mb: int = 256
    """The cap per RE2 program (`re2_max_memory_mb` of the rule set)."""

    def counts(self) -> dict[str, int]:
        """Number of sections per status (every status present, zero included)."""
        counted = Counter(entry.status for entry in self.entries)
        return {status: counted.get(status, 0) for status in STATUS_ORDER}

    def records(self, *, include_ignored: bool = False) -> list[dict[str, object]]:
        """Entries as flat records (for table, JSON and CSV output)."""
        return [
            {
                "index": entry.index,
                "line": entry.line,
                "status": entry.status,
                "action": entry.action or "",
                "rules": ", ".join(entry.rule_ids),
                "first_line": entry.first_line,
                "reason": entry.reason,
                "notes": " | ".join(entry.notes),
            }
            for entry in self.entries
            if include_ignored or entry.status != "ignored"
        ]

    def summary(self) -> str:
        """One line: how many sections of each status."""
        counts = self.counts()
        parts = [f"{count} {status.replace('_', ' ')}" for status, count in counts.items()]
        regex = (
            f"; RE2: {self.re2_sets} set(s), {self.re2_memory_mb:g} MB budget "
            f"(cap {self.re2_max_memory_mb} MB per set)"
            if self.re2_sets
            else ""
        )
        return f"{self.source}: " + ", ".join(parts) + regex

    def to_markdown(self) -> str:
        """The report as a Markdown page (summary, then one table row per section)."""
        lines = [
            f"# AutoModerator import: `{self.source}`",
            "",
            f"Rule set `{self.rule_set}`"
            + (f" for community `{self.community}`" if self.community else "")
            + ".",
            "",
            "| status | sections |",
            "|---|---|",
        ]
        lines += [f"| {status} | {count} |" for status, count in self.counts().items()]
        if self.re2_sets:
            lines += [
                "",
                f"The written rule set compiles: {self.re2_sets} RE2 set(s), "
                f"{self.re2_memory_mb:g} MB memory budget (cap {self.re2_max_memory_mb} MB per "
                "set; `re2_max_memory_mb`).",
            ]
        lines += [
            "",
            "| # | line | status | action | rules | first line | reason / notes |",
            "|---|---|---|---|---|---|---|",
        ]
        for entry in self.entries:
            if entry.status == "ignored":
                continue
            detail = "; ".join(filter(None, [entry.reason, *entry.notes]))
            cells = [
                str(entry.index),
                str(entry.line),
                entry.status,
                entry.action or "",
                ", ".join(entry.rule_ids),
                f"`{entry.first_line}`" if entry.first_line else "",
                detail,
            ]
            lines.append("| " + " | ".join(_md_cell(cell) for cell in cells) + " |")
        return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
