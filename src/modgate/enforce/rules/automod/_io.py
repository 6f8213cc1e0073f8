"""`import_automod`: AutoModerator config file → `rules/NAME.yaml` plus an import report."""

from __future__ import annotations

import json
import re
from pathlib import Path

from modgate.enforce.rules.automod._emit import dump_yaml
from modgate.enforce.rules.automod._parse import read_automod_config
from modgate.enforce.rules.automod._translate import AutomodImport, import_automod_config
from modgate.errors import ConflictError, ValidationError

_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.\-]+")


def rule_set_name(path: Path, community: str | None) -> str:
    """Default rule set name: the community, else the file stem, made a valid id."""
    raw = community or path.stem
    name = _NAME_CHARS.sub("-", raw).strip("-._") or "automod"
    return name if name[0].isalnum() else f"r{name}"


def render_rule_set_yaml(result: AutomodImport) -> str:
    """The rule set as a `rules/NAME.yaml` document, with a header naming its source."""
    data = result.rule_set.model_dump(mode="json", exclude_defaults=True)
    counts = result.report.counts()
    header = (
        f"# Imported from the AutoModerator config {result.report.source}\n"
        f"# by `modgate rules import-automod`: {counts['translated']} rule(s) translated, "
        f"{counts['unsupported']} unsupported, {counts['invalid']} invalid, "
        f"{counts['not_applicable']} not applicable (see the import report).\n"
    )
    # Written directly (JSON-quoted scalars, block structure): PyYAML's representer was a fifth
    # of a 10 MB config's import. NEL/LS/PS and other characters YAML would read as line breaks
    # are escaped, so every value reads back as it was (a differential test checks it).
    return header + dump_yaml(data)


def render_report(result: AutomodImport, fmt: str) -> str:
    """The import report as `markdown` or `json`."""
    if fmt == "json":
        payload = result.report.model_dump(mode="json")
        payload["counts"] = result.report.counts()
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        return result.report.to_markdown()
    raise ValidationError(f"unknown report format {fmt!r} (expected markdown or json)")


def import_automod(
    path: Path,
    *,
    output: Path | None = None,
    report: Path | None = None,
    name: str | None = None,
    community: str | None = None,
    policy: str | None = None,
    force: bool = False,
    re2_max_memory_mb: int | None = None,
) -> AutomodImport:
    """Import an AutoModerator config: write the rule set and the import report.

    Args:
        path: The AutoModerator configuration (YAML copied from the wiki page).
        output: Where to write the rule set (None: do not write it).
        report: Where to write the report; `.json` gives JSON, anything else Markdown
            (None: do not write it).
        name: Rule set name (default: the community, else the file stem).
        community: Community the config belongs to; every rule is scoped to it.
        policy: Default `policy_id@version` of the rule set.
        force: Overwrite existing output files.
        re2_max_memory_mb: Cap per RE2 program, written into the rule set (default 256).

    Returns:
        The rule set, its rules and the report.

    Raises:
        ValidationError: The file cannot be read.
        ConflictError: An output file exists and `force` is false.
    """
    result = import_automod_config(
        read_automod_config(path),  # held by no one else: freed once translated
        name=name or rule_set_name(path, community),
        community=community,
        policy=policy,
        re2_max_memory_mb=re2_max_memory_mb,
    )
    targets = [(p, text) for p, text in _outputs(result, output, report) if p is not None]
    for target, _ in targets:
        if target.exists() and not force:
            raise ConflictError(f"{target} exists", hint="pass --force to overwrite it")
    for target, text in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return result


def _outputs(
    result: AutomodImport, output: Path | None, report: Path | None
) -> list[tuple[Path | None, str]]:
    found: list[tuple[Path | None, str]] = []
    if output is not None:
        found.append((output, render_rule_set_yaml(result)))
    if report is not None:
        fmt = "json" if report.suffix.lower() == ".json" else "markdown"
        found.append((report, render_report(result, fmt)))
    return found
