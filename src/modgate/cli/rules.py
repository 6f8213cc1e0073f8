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
    from modgate.domain import Effect, Item
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
    author_name: str | None = typer.Option(None, "--author", help="Author name (author_id)."),
    author_flair_class: str | None = typer.Option(None, help="Author flair CSS class."),
    contributor_quality: str | None = typer.Option(
        None, help="Author contributor quality: lowest, low, moderate, high or highest."
    ),
    reports: int | None = typer.Option(None, help="Number of reports on the item."),
    edited: bool | None = typer.Option(
        None, "--edited/--not-edited", help="Whether the item was edited."
    ),
    top_level: bool | None = typer.Option(
        None, "--top-level/--reply", help="A comment on the post itself, or a reply."
    ),
    parent_title: str | None = typer.Option(None, help="Title of the comment's post."),
    parent_flair: str | None = typer.Option(None, help="Flair text of the comment's post."),
    show_all: bool = typer.Option(False, "--all", help="Also list rules that did not fire."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """Show which rules of a rule set fire on a text, and why."""
    from modgate.domain import CONTRIBUTOR_QUALITY, AuthorInfo, Item, ItemKind, ParentPost
    from modgate.enforce.rules import RuleHit, load_ruleset, render_reason, rule_effects

    if kind not in _KINDS:
        raise ValidationError(f"--kind: {kind!r} is not one of {', '.join(_KINDS)}")
    if contributor_quality is not None and contributor_quality not in CONTRIBUTOR_QUALITY:
        raise ValidationError(
            f"--contributor-quality: {contributor_quality!r} is not one of "
            + ", ".join(CONTRIBUTOR_QUALITY)
        )
    if reports is not None and reports < 0:
        raise ValidationError(f"--reports: {reports} is negative")
    compiled = load_ruleset(resolve_ruleset(ctx, ruleset))
    author_fields = {
        "account_age_days": author_age_days, "karma": karma, "flair": flair,
        "flair_css_class": author_flair_class, "contributor_quality": contributor_quality,
    }  # fmt: skip
    author = None
    if any(v is not None for v in author_fields.values()):
        author = AuthorInfo.model_validate(author_fields)
    parent = None
    if parent_title is not None or parent_flair is not None:
        parent = ParentPost(title=parent_title, flair_text=parent_flair)
    item_kind: ItemKind = kind  # type: ignore[assignment]  # checked against _KINDS above
    item = Item(
        id="cli", kind=item_kind, body=text, title=title, community=community, url=url,
        author=author, author_id=author_name, is_edited=edited, is_top_level=top_level,
        parent_post=parent, meta={"reports": reports} if reports is not None else {},
    )  # fmt: skip
    explanations = compiled.explain(item)
    outcome = compiled.match(item)
    timeout = outcome.error
    acting = {hit.rule.id: hit for hit in outcome.hits}
    # Timed-out rules are always shown: the item goes to review, not "no rule fired"; so are
    # rules an approval overrides.
    shown = [e for e in explanations if e.fired or e.timed_out or e.overridden_by or show_all]
    if fmt is OutputFormat.TABLE:
        _print_header(compiled, item)
    by_id = {rule.id: rule for rule in compiled.ruleset.rules}
    rows = []
    for explanation in shown:
        rule = by_id[explanation.rule_id]
        action = compiled.ruleset.action_of(rule)
        reason = ""
        effects = ""
        if explanation.fired or explanation.overridden_by:
            hit = acting.get(rule.id) or RuleHit(
                rule, compiled.ruleset.policy_of(rule), action, explanation.spans
            )
            if rule.reason:
                reason = render_reason(rule.reason, hit, item)
            approving = set(outcome.approving)
            if explanation.fired or explanation.overridden_by:
                found = (
                    rule_effects([], item, undone=[hit])
                    if explanation.overridden_by
                    else rule_effects([hit], item, approving=approving)
                )
                effects = "; ".join(describe_effect(e) for e in found)
        fired = "timed out" if explanation.timed_out else "yes" if explanation.fired else "no"
        if explanation.overridden_by:
            fired = f"overridden by {explanation.overridden_by}"
        shown_action = action.value if action is not None else "(thresholds)"
        if rule.approves:
            shown_action = "approve: " + ", ".join(rule.approves)
        rows.append(
            [
                rule.id,
                fired,
                shown_action,
                rule.criterion or "",
                rule.score,
                reason,
                effects,
                explanation.reason,
            ]
        )
    columns = ["rule", "fired", "action", "criterion", "score", "reason", "effects", "why"]
    if fmt is OutputFormat.TABLE and timeout is not None:
        console().print(f"[red]verdict: review[/red] ({escape(timeout)})", highlight=False)
    if fmt is OutputFormat.TABLE and not rows:
        console().print("[dim]no rule fired[/dim]")
        return
    write_records(columns, rows, fmt, title="rules")


def describe_effect(effect: Effect) -> str:
    """One line for an effect, e.g. `comment: Removed, see rule 2 (stickied)`."""
    head = effect.kind if effect.target == "item" else f"{effect.kind} ({effect.target})"
    parts = []
    if effect.subject is not None:
        parts.append(f"[{effect.subject}]")
    if effect.text is not None:
        parts.append(effect.text if len(effect.text) <= 120 else effect.text[:119] + "…")
    if effect.css_class:
        parts.append(f"class {effect.css_class}")
    if effect.template_id:
        parts.append(f"template {effect.template_id}")
    if effect.value is not None:
        parts.append(str(effect.value).lower())
    flags = [name for name in ("stickied", "locked", "overwrite") if getattr(effect, name)]
    if flags:
        parts.append(f"({', '.join(flags)})")
    return f"{head}: {' '.join(parts)}" if parts else head


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
