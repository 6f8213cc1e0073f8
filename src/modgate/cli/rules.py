"""`modgate rules`: run a keyword/regex rule set on a text and see what fires and why."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from modgate.cli._context import get_context
from modgate.cli._output import OutputFormat, console, write_records
from modgate.cli._rules_automod import import_automod_command

if TYPE_CHECKING:
    from modgate.domain import Item
    from modgate.enforce.rules import CompiledRuleSet
from modgate.errors import ModgateError, NotFoundError, ValidationError

app = typer.Typer(help="Rule sets: keyword and regex rules (rules/NAME.yaml).")
app.command("import-automod")(import_automod_command)

_KINDS: tuple[str, ...] = ("post", "comment", "message", "other")


def resolve_ruleset(ctx: typer.Context, ruleset: str) -> Path:
    """A rule set argument as a file: a path, or a name in the workspace's `rules/` folder.

    Raises:
        NotFoundError: Neither a file nor a rule set of the workspace.
    """
    path = Path(ruleset)
    if path.is_file():
        return path
    try:
        workspace = get_context(ctx).settings().workspace
    except ModgateError:
        workspace = None
    if workspace is not None:
        for candidate in (workspace / "rules" / ruleset, workspace / "rules" / f"{ruleset}.yaml"):
            if candidate.is_file():
                return candidate
    raise NotFoundError(
        f"rule set {ruleset!r} not found",
        hint="pass a rules/NAME.yaml path, or a NAME from the workspace's rules/ folder",
    )


@app.command("check")
def check(
    ctx: typer.Context,
    ruleset: str = typer.Argument(..., help="Rule set file, or NAME of rules/NAME.yaml."),
    text: str = typer.Argument(..., help="Body text to check."),
    title: str | None = typer.Option(None, help="Title of the item (posts)."),
    community: str | None = typer.Option(None, help="Community the item is in."),
    kind: str = typer.Option("comment", help="Item kind: post, comment, message or other."),
    url: str | None = typer.Option(None, help="Link of the item."),
    author_age_days: float | None = typer.Option(None, help="Author account age in days."),
    karma: int | None = typer.Option(None, help="Author karma."),
    flair: str | None = typer.Option(None, help="Author flair."),
    show_all: bool = typer.Option(False, "--all", help="Also list rules that did not fire."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """Show which rules of a rule set fire on a text, and why."""
    from modgate.domain import AuthorInfo, Item, ItemKind
    from modgate.enforce.rules import RuleHit, load_ruleset, render_reason

    if kind not in _KINDS:
        raise ValidationError(f"--kind: {kind!r} is not one of {', '.join(_KINDS)}")
    compiled = load_ruleset(resolve_ruleset(ctx, ruleset))
    author = None
    if author_age_days is not None or karma is not None or flair is not None:
        author = AuthorInfo(account_age_days=author_age_days, karma=karma, flair=flair)
    item_kind: ItemKind = kind  # type: ignore[assignment]  # checked against _KINDS above
    item = Item(
        id="cli", kind=item_kind, body=text, title=title, community=community, url=url,
        author=author,
    )  # fmt: skip
    explanations = compiled.explain(item)
    timeout = compiled.match(item).error
    # Timed-out rules are always shown: the item goes to review, not "no rule fired".
    shown = [e for e in explanations if e.fired or e.timed_out or show_all]
    if fmt is OutputFormat.TABLE:
        _print_header(compiled, item)
    by_id = {rule.id: rule for rule in compiled.ruleset.rules}
    rows = []
    for explanation in shown:
        rule = by_id[explanation.rule_id]
        action = compiled.ruleset.action_of(rule)
        reason = ""
        if explanation.fired and rule.reason:
            hit = RuleHit(rule, compiled.ruleset.policy_of(rule), action, explanation.spans)
            reason = render_reason(rule.reason, hit, item)
        fired = "timed out" if explanation.timed_out else "yes" if explanation.fired else "no"
        rows.append(
            [
                rule.id,
                fired,
                action.value if action is not None else "(thresholds)",
                rule.criterion or "",
                rule.score,
                reason,
                explanation.reason,
            ]
        )
    columns = ["rule", "fired", "action", "criterion", "score", "reason", "why"]
    if fmt is OutputFormat.TABLE and timeout is not None:
        console().print(f"[red]verdict: review[/red] ({escape(timeout)})", highlight=False)
    if fmt is OutputFormat.TABLE and not rows:
        console().print("[dim]no rule fired[/dim]")
        return
    write_records(columns, rows, fmt, title="rules")


def _print_header(compiled: CompiledRuleSet, item: Item) -> None:
    from modgate.text import normalize_text

    out = console()
    report = compiled.report
    out.print(
        f"[bold]rule set[/bold] {escape(report.name)}: {report.rules} rules, "
        f"{report.keyword_patterns} keyword patterns, {report.re2_patterns} RE2 patterns, "
        f"{report.fallback_patterns} on the fallback engine",
        highlight=False,
    )
    for detail in report.fallback_details:
        out.print(f"  [yellow]fallback[/yellow] {escape(detail)}", highlight=False)
    result = normalize_text(item.body)
    changes = result.changes
    counts = {
        name: getattr(changes, name)
        for name in (
            "invisible", "bidi", "variation_selectors", "compatibility", "marks", "confusables",
            "leet", "spacing", "repeats", "whitespace",
        )
    }  # fmt: skip
    changed = ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "nothing"
    out.print(f"[bold]normalized body[/bold]: {escape(result.text)!r}", highlight=False)
    out.print(f"[bold]changed[/bold]: {changed}", highlight=False)
