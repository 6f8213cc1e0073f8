"""`modgate policy`: lint, diff, publish, compile, list and show policies."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path

import typer

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, console, err_console, write_models, write_records
from modgate.errors import ValidationError
from modgate.policy import (
    DEFAULT_TOKEN_BUDGET,
    LintOptions,
    PromptTemplate,
    PublishResult,
    compile_prompt,
    count_tokens,
    diff_policies,
    get_policy_version,
    lint_policy_files,
    list_policy_versions,
    load_policy_file,
    load_policy_ref,
    load_template,
    parse_policy_ref,
    policy_files,
    publish_policy,
    render_diff_markdown,
    render_diff_text,
    render_findings,
)
from modgate.registry import create_registry
from modgate.store import Store

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
