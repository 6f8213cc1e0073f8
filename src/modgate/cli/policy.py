"""`modgate policy`: lint, diff, publish, compile, list and show policies; community rules."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, console, err_console, write_models, write_records
from modgate.errors import ImportRejectedError, ValidationError
from modgate.policy import DEFAULT_TOKEN_BUDGET, Severity
from modgate.store import InputFormat

if TYPE_CHECKING:
    from modgate.policy import CommunityLintSummary, Policy, PromptTemplate

app = typer.Typer(help="Policies as code: lint, diff, publish and compile policy files.")


class LintFormat(enum.StrEnum):
    """Output of `policy lint`."""

    TEXT = "text"
    JSON = "json"


class DiffFormat(enum.StrEnum):
    """Output of `policy diff`."""

    TABLE = "table"
    TEXT = "text"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"


class CompileFormat(enum.StrEnum):
    """Output of `policy compile`."""

    TEXT = "text"
    JSON = "json"


_BUDGET_HELP = "Warn when the compiled prompt has more tokens than this."
_TEMPLATE_HELP = "Jinja2 template to compile with (default: the gpt-oss-safeguard template)."


def _files(ctx: typer.Context, paths: list[Path] | None) -> list[Path]:
    from modgate.policy import policy_files

    if paths:
        found = policy_files(paths)
        if not found:
            raise ValidationError(
                f"no *.yaml policy files in {', '.join(map(str, paths))}",
                hint="pass policy files, or folders that hold them",
            )
        return found
    workspace = get_context(ctx).settings().workspace
    assert workspace is not None
    found = policy_files([workspace / "policies"])
    if not found:
        raise ValidationError(
            f"no policy files in {workspace / 'policies'}",
            hint="pass files or folders, or add policies/*.yaml to the workspace",
        )
    return found


def _template(path: Path | None) -> PromptTemplate | None:
    from modgate.policy import load_template

    return load_template(path) if path is not None else None


@app.command("lint")
def lint(
    ctx: typer.Context,
    paths: list[Path] | None = typer.Argument(
        None, help="Policy files or folders (default: the workspace's policies/)."
    ),
    token_budget: int = typer.Option(
        DEFAULT_TOKEN_BUDGET, "--token-budget", min=1, help=_BUDGET_HELP
    ),
    template: Path | None = typer.Option(None, "--template", help=_TEMPLATE_HELP),
    ignore: list[str] = typer.Option([], "--ignore", help="Skip this check (repeatable)."),
    strict: bool = typer.Option(False, "--strict", help="Fail on warnings too."),
    fmt: LintFormat = typer.Option(LintFormat.TEXT, "--format", "-f", help="Output format."),
) -> None:
    """Find what makes a policy hard for a model to follow; exit 1 on errors."""
    from modgate.policy import LintOptions, lint_policy_files, render_findings
    from modgate.registry import create_registry

    options = LintOptions(
        token_budget=token_budget, template=_template(template), ignore=frozenset(ignore)
    )
    reports = lint_policy_files(_files(ctx, paths), registry=create_registry(), options=options)
    if fmt is LintFormat.JSON:
        sys.stdout.write(
            json.dumps([r.model_dump(mode="json") for r in reports], indent=2, ensure_ascii=False)
            + "\n"
        )
    else:
        out = console()
        for report in reports:
            if report.findings:
                out.print(render_findings(report.findings), markup=False, highlight=False)
        errors = sum(r.errors for r in reports)
        warnings = sum(r.warnings for r in reports)
        clean = sum(not r.findings for r in reports)
        out.print(
            f"{len(reports)} file(s): {errors} error(s), {warnings} warning(s), {clean} clean",
            markup=False,
            highlight=False,
        )
    if any(r.failed(strict=strict) for r in reports):
        raise typer.Exit(1)


@app.command("diff")
def diff(
    ctx: typer.Context,
    before: str = typer.Argument(..., help="Old version: a policy file or ID@VERSION."),
    after: str = typer.Argument(..., help="New version: a policy file or ID@VERSION."),
    fmt: DiffFormat = typer.Option(DiffFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """Show what changed between two policy versions (criteria, contexts, examples, actions)."""
    from modgate.policy import (
        diff_policies,
        load_policy_ref,
        render_diff_markdown,
        render_diff_text,
    )
    from modgate.store import Store

    def store() -> Store:
        return get_context(ctx).store()

    result = diff_policies(
        load_policy_ref(before, store=store).policy, load_policy_ref(after, store=store).policy
    )
    if fmt in (DiffFormat.TABLE, DiffFormat.CSV):
        rows = [[c.section, c.change, c.key, c.field or "", c.detail()] for c in result.changes]
        title = render_diff_text(result).splitlines()[0]
        if fmt is DiffFormat.TABLE and output is None and not rows:
            console().print(title, markup=False, highlight=False)
            return
        write_records(
            ["section", "change", "key", "field", "detail"],
            rows,
            OutputFormat(fmt.value),
            output,
            title=title,
        )
        return
    if fmt is DiffFormat.JSON:
        text = result.model_dump_json(indent=2) + "\n"
    elif fmt is DiffFormat.MARKDOWN:
        text = render_diff_markdown(result)
    else:
        text = render_diff_text(result)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@app.command("publish")
def publish(
    ctx: typer.Context,
    paths: list[Path] | None = typer.Argument(
        None, help="Policy files or folders (default: the workspace's policies/)."
    ),
    no_lint: bool = typer.Option(False, "--no-lint", help="Publish even with lint errors."),
    token_budget: int = typer.Option(
        DEFAULT_TOKEN_BUDGET, "--token-budget", min=1, help=_BUDGET_HELP
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """Publish policy files as immutable versions (republishing the same content is a no-op)."""
    from modgate.policy import LintOptions, PublishResult, load_policy_file, publish_policy
    from modgate.registry import create_registry

    cli = get_context(ctx)
    store, actor = cli.store(), cli.settings().actor
    registry = None if no_lint else create_registry()
    options = LintOptions(token_budget=token_budget)
    results: list[PublishResult] = []
    for path in _files(ctx, paths):
        results.append(
            publish_policy(
                store, load_policy_file(path), actor=actor, registry=registry, lint_options=options
            )
        )
    write_models(results, fmt, title="published")


@app.command("compile")
def compile_(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="A policy file or ID@VERSION of a published policy."),
    template: Path | None = typer.Option(None, "--template", help=_TEMPLATE_HELP),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the prompt here."),
    token_budget: int = typer.Option(
        DEFAULT_TOKEN_BUDGET, "--token-budget", min=1, help=_BUDGET_HELP
    ),
    fmt: CompileFormat = typer.Option(CompileFormat.TEXT, "--format", "-f", help="Output format."),
) -> None:
    """Render the LLM judge prompt of a policy (gpt-oss-safeguard format by default)."""
    from modgate.policy import compile_prompt, count_tokens, load_policy_ref
    from modgate.store import Store

    def store() -> Store:
        return get_context(ctx).store()

    loaded = load_policy_ref(ref, store=store)
    prompt = compile_prompt(loaded.policy, _template(template))
    tokens = count_tokens(prompt.text)
    if fmt is CompileFormat.JSON:
        data = {**prompt.model_dump(mode="json"), "tokens": tokens.model_dump(mode="json")}
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = prompt.text
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8", newline="\n")
    err = err_console()
    err.print(
        f"{prompt.policy_ref}: prompt sha256 {prompt.prompt_hash[:16]}…, {tokens.describe()}",
        markup=False,
        highlight=False,
    )
    if tokens.tokens > token_budget:
        err.print(
            f"warning: over the token budget of {token_budget}; policy-following models do best "
            "when the policy is around 400–600 tokens",
            markup=False,
            highlight=False,
        )


@app.command("list")
def list_(
    ctx: typer.Context,
    policy_id: str | None = typer.Option(None, "--id", help="Only versions of this policy."),
    scope: str | None = typer.Option(None, help="Only this scope (site, community:NAME)."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """List published policy versions."""
    from modgate.policy import list_policy_versions

    found = list_policy_versions(get_context(ctx).store(), policy_id=policy_id, scope=scope)
    if fmt is OutputFormat.TABLE and output is None and found:
        # full hashes are in --format json/csv; a table shows a readable prefix
        columns = ["ref", "scope", "title", "content_hash", "prompt_hash", "created_at", "by"]
        rows = [
            [r.ref, r.scope, r.title, r.content_hash[:12], r.prompt_hash[:12],
             r.created_at.strftime("%Y-%m-%d %H:%M"), r.created_by]
            for r in found
        ]  # fmt: skip
        write_records(columns, rows, fmt, title="policy versions")
        return
    write_models(found, fmt, output, title="policy versions")


@app.command("show")
def show(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="ID@VERSION, or ID for the newest version."),
    yaml_source: bool = typer.Option(False, "--yaml", help="Print the YAML it was published from."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """Show a published policy version: catalogue fields and its criteria."""
    from modgate.policy import get_policy_version, parse_policy_ref

    policy_id, version = parse_policy_ref(ref)
    published = get_policy_version(get_context(ctx).store(), policy_id, version)
    if yaml_source:
        sys.stdout.write(published.source_yaml or "")
        return
    if fmt is OutputFormat.JSON:
        sys.stdout.write(published.model_dump_json(indent=2) + "\n")
        return
    write_models([published.record], fmt, title=published.record.ref)
    if fmt is OutputFormat.TABLE:
        policy = published.policy
        rows = [["violates", c.id, c.title, c.description] for c in policy.violates]
        rows += [["allowed", a.id, a.title, a.description] for a in policy.allowed]
        write_records(["section", "id", "title", "description"], rows, fmt, title="rules")
        console().print(
            f"{len(policy.examples)} examples · severity {policy.severity} · actions "
            f"{', '.join(str(a) for a in policy.actions)}",
            markup=False,
            highlight=False,
        )


# -- community policies at scale ----------------------------------------------------------------


def _site_policies(paths: list[Path]) -> list[Policy] | None:
    """Site policies from files, or None to use those published in the store."""
    from modgate.policy import load_policy_file, policy_files

    if not paths:
        return None
    found = policy_files(paths)
    if not found:
        raise ValidationError(f"no *.yaml policy files in {', '.join(map(str, paths))}")
    return [load_policy_file(path).policy for path in found]


def _print_lint_summary(summary: CommunityLintSummary) -> None:
    out = console()
    if summary.examples:
        out.print("\n".join(f.render() for f in summary.examples), markup=False, highlight=False)
    by_kind = ", ".join(f"{k} {v}" for k, v in summary.checkable_by.items())
    by_check = ", ".join(f"{k} {v}" for k, v in summary.findings.items())
    site = ", ".join(summary.site_policies) or "none (site checks skipped)"
    lines = [
        f"lint: {summary.rules} rules · checkable by: {by_kind}",
        f"findings: {by_check} ({summary.errors} error(s), {summary.warnings} warning(s))",
        f"site policies compared: {site}",
    ]
    if summary.findings_path:
        lines.append(f"every finding: {summary.findings_path}")
    out.print("\n".join(lines), markup=False, highlight=False)


@app.command("import-community")
def import_community(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., help="CSV, TSV, JSONL (optionally .gz) or Parquet: one rule a row."
    ),  # fmt: skip
    community: str | None = typer.Option(None, "--community", help="Column of the community."),
    rule: str | None = typer.Option(None, "--rule", help="Column of the rule's short name."),
    description: str | None = typer.Option(None, "--description", help="Column of the rule text."),
    applies_to: str | None = typer.Option(
        None, "--applies-to", help="Column of posts/comments/both (link/comment/all too)."
    ),
    reason: str | None = typer.Option(None, "--reason", help="Column of the violation reason."),
    examples: str | None = typer.Option(
        None, "--examples", help="Column of examples (list, JSON array, or one per line)."
    ),
    site: list[Path] = typer.Option(
        [], "--site-policies", help="Site policy files to lint against (default: published)."
    ),
    findings: Path | None = typer.Option(
        None, "--findings", help="Write every lint finding to this JSONL file."
    ),
    rejects: Path | None = typer.Option(
        None, "--rejects", help="Where to write rejected rows (default: FILE.rejects.jsonl)."
    ),
    input_format: InputFormat | None = typer.Option(
        None, "--input-format", help="Input format (default: from the file name)."
    ),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when lint finds errors."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Import community rules as versioned community policies (only changed rules get versions)."""
    from modgate.policy import CommunityRuleMapping, import_community_rules

    context = get_context(ctx)
    given = {
        "community": community,
        "name": rule,
        "description": description,
        "applies_to": applies_to,
        "reason": reason,
        "examples": examples,
    }
    mapping = CommunityRuleMapping.model_validate(
        {"columns": {k: v for k, v in given.items() if v is not None}}
    )
    result = import_community_rules(
        context.store(),
        file,
        actor=context.settings().actor,
        mapping=mapping,
        fmt=input_format,
        rejects_path=rejects,
        site_policies=_site_policies(site),
        findings_path=findings,
        batch_size=context.settings().batch_size,
    )
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        console().print(
            f"import {result.import_id}: {result.rules} rules of {result.communities} "
            f"communities · {result.added} added, {result.reworded} reworded, "
            f"{result.removed} removed, {result.unchanged} unchanged · "
            f"{result.communities_changed} new community policy version(s)",
            markup=False,
            highlight=False,
        )
        _print_lint_summary(result.lint)
    if result.rejected:
        raise ImportRejectedError(
            f"{result.rejected} of {result.rows} rows rejected; the other {result.rules} "
            "were imported",
            hint=f"each rejected row is in {result.rejects_path} with its line and reason",
        )
    if strict and result.lint.errors:
        raise typer.Exit(1)


@app.command("lint-community")
def lint_community(
    ctx: typer.Context,
    community: str | None = typer.Option(None, "--community", help="Only this community."),
    site: list[Path] = typer.Option(
        [], "--site-policies", help="Site policy files to lint against (default: published)."
    ),
    findings: Path | None = typer.Option(
        None, "--findings", help="Write every lint finding to this JSONL file."
    ),
    fmt: LintFormat = typer.Option(LintFormat.TEXT, "--format", "-f", help="Output format."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 on warnings too."),
) -> None:
    """Lint the imported community rules again (e.g. after a site policy changed)."""
    from modgate.policy import lint_stored_community_rules

    summary = lint_stored_community_rules(
        get_context(ctx).store(),
        community=community,
        site_policies=_site_policies(site),
        findings_path=findings,
    )
    if fmt is LintFormat.JSON:
        sys.stdout.write(summary.model_dump_json(indent=2) + "\n")
    else:
        _print_lint_summary(summary)
    if summary.errors or (strict and summary.warnings):
        raise typer.Exit(1)


@app.command("diff-community")
def diff_community(
    ctx: typer.Context,
    before: int | None = typer.Option(
        None, "--before", help="Older import id (default: previous)."
    ),  # fmt: skip
    after: int | None = typer.Option(None, "--after", help="Newer import id (default: latest)."),
    community: str | None = typer.Option(None, "--community", help="Only this community."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """Show community rules added, removed and reworded between two imports."""
    from modgate.policy import diff_community_imports

    result = diff_community_imports(get_context(ctx).store(), before, after, community=community)
    title = (
        f"import {result.before_import} → {result.after_import}: {result.added} added, "
        f"{result.removed} removed, {result.reworded} reworded in {result.communities} "
        "communities"
    )
    if fmt is OutputFormat.JSON and output is None:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    if fmt is OutputFormat.TABLE and output is None and not result.changes:
        console().print(title, markup=False, highlight=False)
        return
    columns = ["community", "rule", "change", "version_before", "version_after", "detail"]
    rows = [
        [c.community, c.rule, c.change, c.version_before, c.version_after, c.detail]
        for c in result.changes
    ]
    write_records(columns, rows, fmt, output, title=title)


@app.command("families")
def families(
    ctx: typer.Context,
    recompute: bool = typer.Option(
        False, "--recompute", help="Cluster the current rules again (done anyway if none stored)."
    ),
    threshold: float = typer.Option(
        0.5, "--threshold", min=0.01, max=1.0, help="Jaccard similarity that joins two rules."
    ),
    min_size: int = typer.Option(2, "--min-size", min=1, help="Smallest family stored."),
    limit: int = typer.Option(20, "--limit", min=1, help="Families listed."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """List families of near-duplicate community rules, largest first, with examples."""
    from modgate.policy import FamilyOptions, compute_rule_families, list_rule_families

    store = get_context(ctx).store()
    found = list_rule_families(store, limit=limit)
    if recompute or not found:
        result = compute_rule_families(
            store, options=FamilyOptions(threshold=threshold, min_size=min_size)
        )
        err_console().print(
            f"{result.rules} rules → {result.families} families of ≥ {min_size} "
            f"({result.rules_in_families} rules in them)",
            markup=False,
            highlight=False,
        )
        found = list_rule_families(store, limit=limit)
    columns = ["id", "name", "size", "communities", "threshold", "variants", "example"]
    rows = [
        [f.id, f.name, f.size, f.communities, f.threshold, "; ".join(f.variants), f.example]
        for f in found
    ]
    write_records(columns, rows, fmt, output, title="rule families")


@app.command("export-community")
def export_community(
    ctx: typer.Context,
    folder: Path = typer.Argument(..., help="Folder to write the policy files to."),
    community: str | None = typer.Option(None, "--community", help="Only this community."),
    severity: Severity = typer.Option(Severity.MEDIUM, "--severity", help="Policy severity."),
) -> None:
    """Write each community's current rules as a policy file (scope community:NAME)."""
    from modgate.policy import CommunityPolicyOptions, export_community_policies

    written = export_community_policies(
        get_context(ctx).store(),
        folder,
        community=community,
        options=CommunityPolicyOptions(severity=severity),
    )
    console().print(
        f"{len(written)} community policy file(s) in {folder}", markup=False, highlight=False
    )
