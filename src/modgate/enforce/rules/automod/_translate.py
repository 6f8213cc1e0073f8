r"""Translate parsed AutoModerator rules into a modgate rule set, keeping their meaning.

Each translated AutoModerator rule becomes one modgate rule per kind of item it treats
differently (comments, text posts, link posts; merged when identical), with `match_on: raw`
(AutoModerator reads text as written) and these equivalences:

* a search check becomes one text check (values OR-ed, fields OR-ed, `~` → `negate`); checks
  are AND-ed. Fields an item kind lacks are dropped per kind, as AutoModerator drops them; a
  kind on which nothing would be checked gets no rule.
* literal values with `includes`, `includes-word`, `starts-with` and `full-text` use the rule
  set's literal matcher, whose word characters are Python's (`str.isalnum()` or `_`); the
  others become RE2 patterns with explicit Unicode classes (`[^\p{L}\p{N}_]` for `\W`) and
  `\n?$` for Python's `$` (which also matches before a final newline).
* `regex` values are Python regular expressions: AutoModerator's whole pattern for each value
  (template included) is rewritten by `_python_regex` with Python's classes, boundaries and
  anchors spelled out, so it means the same on RE2 or, when it needs lookarounds, on the
  `regex` module. `.` matches newlines, as in AutoModerator.
* actions: `remove`/`spam` → remove, `filter`/`report` → review; `moderators_exempt` (default:
  removal and report rules) → `moderators_exempt: true`; `action_reason` → `reason` and an
  `action_reason` effect.
* order: rules sorted by `priority`, then file order; removal rules (`remove`, `spam`,
  `filter`) share the exclusive group `automod-removal`, so only the first that fires counts,
  as AutoModerator checks removal rules by priority and stops at the first that fires.
* `action: approve` → an approval rule (`approves: [group:automod-removal, <earlier report
  rules>]`): AutoModerator checks every removal rule before any other, so an approval that
  fires restores whatever a removal rule removed, and approving clears the reports filed so
  far (by the `report` rules checked before it: higher priority, or same priority earlier in
  the file). Without a `reports` check it approves only a removed item
  (`approval_needs: [group:automod-removal]`); with one, any reported item.
* side effects (`comment`, `message`, `modmail`, `set_flair`, `set_locked`, …; the author's
  `set_flair`; `parent_submission` actions) → the rule's `effects`; a rule with effects and no
  action → an allow rule of score 0 that carries them.
* `is_edited`, `is_top_level`, `parent_submission` checks, `flair_template_id`, the author's
  `flair_css_class` / `flair_template_id` / `contributor_quality` → the rule-set conditions
  and fields of the same meaning.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from modgate.domain import Action, Effect, ItemKind
from modgate.enforce.rules._python_regex import UnconvertibleRegexError, convert_python_regex
from modgate.enforce.rules._schema import (
    AuthorConditions,
    ParentPostConditions,
    Rule,
    RuleSet,
    TextCheck,
)
from modgate.enforce.rules.automod._classify import classify_document
from modgate.enforce.rules.automod._dialect import global_flags, python3_pattern
from modgate.enforce.rules.automod._match import (
    VARIANT_FIELDS,
    automod_flags,
    automod_pattern,
)
from modgate.enforce.rules.automod._model import (
    AutomodConfig,
    AutomodDocument,
    AutomodRule,
    AutomodSearch,
    AutomodThreshold,
    Variant,
)
from modgate.enforce.rules.automod._report import (
    AutomodImportEntry,
    AutomodImportReport,
    ImportStatus,
)

ACTIONS: dict[str, Action] = {
    "remove": Action.REMOVE,
    "spam": Action.REMOVE,
    "filter": Action.REVIEW,
    "report": Action.REVIEW,
}
"""AutoModerator action → modgate action (filter holds an item for a moderator: review)."""

_ITEM_FIELD = {
    "title": "title",
    "body": "body",
    "url": "url",
    "domain": "domain",
    "id": "id",
    "flair_text": "post_flair",
    "flair_css_class": "post_flair_class",
    "flair_template_id": "post_flair_template_id",
}
_PARENT_FIELD = {
    "title": "parent_post_title",
    "body": "parent_post_body",
    "url": "parent_post_url",
    "domain": "parent_post_domain",
    "id": "parent_post_id",
    "flair_text": "parent_post_flair",
    "flair_css_class": "parent_post_flair_class",
    "flair_template_id": "parent_post_flair_template_id",
}
_AUTHOR_FIELD = {
    "name": "author",
    "flair_text": "author_flair",
    "flair_css_class": "author_flair_class",
    "flair_template_id": "author_flair_template_id",
}
_NON_WORD = r"[^\p{L}\p{N}_]"
_RE2_META = re.compile(r"([\\.^$|?*+()\[\]{}])")
_ANY_CHAR = r"[\s\S]"
_KIND: dict[Variant, ItemKind] = {
    "comment": "comment",
    "text submission": "post",
    "link submission": "post",
}
_THRESHOLD_FIELD = {
    "account_age": "account_age_days",
    "comment_karma": "comment_karma",
    "post_karma": "post_karma",
    "combined_karma": "karma",
}
REMOVAL_GROUP = "automod-removal"
"""Exclusive group of translated removal rules: AutoModerator stops at the first that fires."""
_COMPARISON = {"<": "<", ">": ">", "=": "==", "<=": "<=", ">=": ">="}


class AutomodImport(BaseModel):
    """The outcome of an import: the rule set and the report of every section."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule_set: RuleSet
    """The rule set to write (a disabled placeholder rule when nothing was translated)."""
    report: AutomodImportReport
    """What became of each section."""
    rules: tuple[Rule, ...]
    """The translated rules (also in `rule_set` when there is at least one)."""


def translate_automod_config(
    config: AutomodConfig, *, name: str, community: str | None = None
) -> tuple[list[Rule], AutomodImportReport]:
    """Translate every translatable rule of a parsed configuration.

    Args:
        config: The parsed configuration.
        name: Name of the rule set (used in rule ids' descriptions and the report).
        community: Community (subreddit) the configuration belongs to; scopes the rules and
            stands in for `self.<community>`, the domain of text posts.

    Returns:
        The rules (sorted like AutoModerator sorts them: priority, then file order) and the
        report with one entry per section.
    """
    entries: list[AutomodImportEntry] = []
    rules: list[tuple[int, int, Rule]] = []
    for doc in config.documents:
        verdict = classify_document(doc)
        if verdict.status != "translated" or doc.rule is None:
            entries.append(_entry(doc, verdict.status, reason=verdict.reason))
            continue
        try:
            made = translate_rule(doc, verdict.variants, community=community)
        except UnconvertibleRegexError as exc:
            reason = f"a regex cannot be carried over faithfully: {exc}"
            entries.append(_entry(doc, "unsupported", reason=reason))
            continue
        if not made:
            reason = "no item can satisfy the rule (it checks only fields its item kinds lack)"
            entries.append(_entry(doc, "not_applicable", reason=reason))
            continue
        rules.extend((-doc.rule.priority, doc.index, rule) for rule in made)
        entries.append(_entry(doc, "translated", rule_ids=tuple(rule.id for rule in made)))
    rules.sort(key=lambda entry: (entry[0], entry[1]))
    report = AutomodImportReport(
        source=config.path, rule_set=name, community=community, entries=tuple(entries)
    )
    return _with_approvals([rule for _, _, rule in rules], config), report


def _with_approvals(rules: list[Rule], config: AutomodConfig) -> list[Rule]:
    """Point each approval rule at what AutoModerator's approve undoes (see the module doc)."""
    by_index = {doc.index: doc.rule for doc in config.documents if doc.rule is not None}
    out: list[Rule] = []
    earlier_reports: list[str] = []
    for rule in rules:
        source = by_index.get(_section_of(rule))
        if source is not None and source.action == "approve":
            # Approving clears the item's reports, AutoModerator's own earlier ones included;
            # without a `reports` check it approves only an item a removal rule removed.
            update: dict[str, Any] = {"approves": (f"group:{REMOVAL_GROUP}", *earlier_reports)}
            if not source.reports:
                update["approval_needs"] = (f"group:{REMOVAL_GROUP}",)
            rule = rule.model_copy(update=update)
        elif source is not None and source.action == "report":
            earlier_reports.append(rule.id)
        out.append(rule)
    return out


def _section_of(rule: Rule) -> int:
    return int(rule.id.split("-")[1])


def _entry(
    doc: AutomodDocument,
    status: ImportStatus,
    *,
    reason: str = "",
    rule_ids: tuple[str, ...] = (),
) -> AutomodImportEntry:
    rule = doc.rule
    notes = list(rule.warnings) if rule is not None else []
    if rule is not None and rule_ids and rule.effects:
        kinds = ", ".join(dict.fromkeys(f"`{e.kind}`" for e in rule.effects))
        notes.append(f"effects carried (returned with the decision, not performed): {kinds}")
    return AutomodImportEntry(
        index=doc.index,
        line=doc.line,
        first_line=doc.first_line,
        status=status,
        reason=reason,
        action=rule.action if rule is not None else None,
        rule_ids=rule_ids,
        notes=tuple(notes),
    )


def import_automod_config(
    config: AutomodConfig,
    *,
    name: str,
    community: str | None = None,
    policy: str | None = None,
    re2_max_memory_mb: int | None = None,
) -> AutomodImport:
    """Translate a parsed configuration into a rule set and its report.

    Args:
        config: The parsed configuration.
        name: Rule set name.
        community: Community the configuration belongs to (scopes every rule).
        policy: Default `policy_id@version` of the rule set.
        re2_max_memory_mb: Cap per RE2 program (default: the rule set's default, 256 MB).

    Returns:
        The rule set, the report and the rules. A configuration without any translatable
        rule gives a rule set with no rules: `rules` is then empty and the rule set holds a
        single disabled placeholder, since a rule set file needs at least one rule.
    """
    rules, report = translate_automod_config(config, name=name, community=community)
    description = f"Imported from AutoModerator config {config.path}"
    # Freed before compiling, where memory peaks: the sections' text and records, and the
    # Python `re` programs that checked the config's regexes (its cache holds up to 512).
    del config
    re.purge()
    if community:
        description += f" of r/{community}"
    header: dict[str, Any] = {"name": name, "description": description, "policy": policy}
    if re2_max_memory_mb is not None:
        header["re2_max_memory_mb"] = re2_max_memory_mb
    # Compile what is written: a section whose rules do not compile is reported invalid.
    # (The matcher loads re2 and regex: imported here, on use.)
    from modgate.enforce.rules._match import RuleSetCompileError, compile_ruleset

    while True:
        body: list[Rule] = rules or [_placeholder_rule()]
        rule_set = RuleSet.model_validate({**header, "rules": tuple(body)})
        try:
            compiled = compile_ruleset(rule_set)
        except RuleSetCompileError as exc:
            rules, report = _drop_uncompilable(rules, report, exc)
            continue
        break
    report = report.model_copy(
        update={
            "re2_sets": compiled.report.re2_sets,
            "re2_memory_mb": compiled.report.re2_memory_mb,
            "re2_max_memory_mb": rule_set.re2_max_memory_mb,
        }
    )
    return AutomodImport(rule_set=rule_set, report=report, rules=tuple(rules))


def _drop_uncompilable(
    rules: list[Rule], report: AutomodImportReport, exc: Any
) -> tuple[list[Rule], AutomodImportReport]:
    """Remove the sections whose rules did not compile; their entries say why."""
    reasons: dict[str, list[str]] = {}
    for problem in exc.problems:
        rule_index = problem.path[1] if len(problem.path) > 1 else None
        if isinstance(rule_index, int) and rule_index < len(rules):
            reasons.setdefault(rules[rule_index].id, []).append(problem.message)
    if not reasons:  # not tied to a rule: nothing the importer can take out
        raise exc
    entries = []
    bad_ids: set[str] = set()
    for entry in report.entries:
        messages = [m for rule_id in entry.rule_ids for m in reasons.get(rule_id, ())]
        if messages:
            bad_ids.update(entry.rule_ids)
            reason = "the translated rule does not compile: " + "; ".join(dict.fromkeys(messages))
            entry = entry.model_copy(update={"status": "invalid", "reason": reason, "rule_ids": ()})
        entries.append(entry)
    kept = [rule for rule in rules if rule.id not in bad_ids]
    return kept, report.model_copy(update={"entries": tuple(entries)})


def _placeholder_rule() -> Rule:
    return Rule(
        id="automod-nothing-translated",
        description="No AutoModerator rule could be translated (see the import report).",
        enabled=False,
        kinds=("other",),
    )


def translate_rule(
    doc: AutomodDocument, variants: tuple[Variant, ...], *, community: str | None
) -> list[Rule]:
    """The modgate rules of one translatable AutoModerator rule (one per distinct item kind)."""
    rule = doc.rule
    assert rule is not None
    bodies: list[tuple[Variant, tuple[TextCheck, ...]]] = []
    for variant in variants:
        checks = _variant_checks(rule, variant, community)
        if checks is not None:
            bodies.append((variant, checks))
    groups = _group_variants(bodies)
    base = f"automod-{doc.index:03d}"
    made = []
    for variants_of_group, checks in groups:
        suffix = "" if len(groups) == 1 else "-" + _suffix(variants_of_group)
        made.append(_rule(rule, doc, base + suffix, variants_of_group, checks, community))
    return made


def _group_variants(
    bodies: list[tuple[Variant, tuple[TextCheck, ...]]],
) -> list[tuple[list[Variant], tuple[TextCheck, ...]]]:
    """Merge item kinds whose checks are identical: all three, or text and link posts.

    A comment never shares a rule with only one kind of post, since telling text from link
    posts takes a check on the url that comments would fail.
    """
    checks = dict(bodies)
    if len(checks) == 3 and len(set(checks.values())) == 1:
        return [(list(checks), bodies[0][1])]
    groups: list[tuple[list[Variant], tuple[TextCheck, ...]]] = []
    if "comment" in checks:
        groups.append((["comment"], checks["comment"]))
    text, link = checks.get("text submission"), checks.get("link submission")
    if text is not None and text == link:
        groups.append((["text submission", "link submission"], text))
    else:
        groups += [([v], c) for v, c in bodies if v != "comment"]
    return groups


def _suffix(variants: list[Variant]) -> str:
    if variants == ["comment"]:
        return "comments"
    if set(variants) == {"text submission", "link submission"}:
        return "posts"
    return "-".join(v.replace(" submission", "-posts") for v in variants)


def _rule(
    rule: AutomodRule,
    doc: AutomodDocument,
    rule_id: str,
    variants: list[Variant],
    checks: tuple[TextCheck, ...],
    community: str | None,
) -> Rule:
    extra = list(checks)
    posts = {v for v in variants if v != "comment"}
    if len(posts) == 1:
        # Only one of text / link posts: tell them apart by the url (AutoModerator's is_self).
        extra.append(
            TextCheck(
                values=(_ANY_CHAR,),
                fields=("url",),
                match="includes",
                regex=True,
                negate="text submission" in posts,
                fills_match=False,
            )
        )
    kinds = tuple(dict.fromkeys(_KIND[v] for v in variants))
    comment = doc.first_line.lstrip("#").strip() if doc.first_line.startswith("#") else ""
    description = (
        f"AutoModerator rule {doc.index} (line {doc.line}), action {rule.action or 'none'}"
    )
    if rule.priority:
        description += f", priority {rule.priority}"
    if comment:
        description += f": {comment}"
    values: dict[str, Any] = {
        "id": rule_id,
        "description": description,
        "match_on": "raw",
        "checks": tuple(extra),
        "kinds": kinds,
        "moderators_exempt": rule.exempts_moderators,
    }
    effects: list[Effect] = []
    if rule.action in ACTIONS:
        values["action"] = ACTIONS[rule.action]
        if rule.action_reason:
            effects.append(Effect(kind="action_reason", text=rule.action_reason))
    elif rule.action == "approve":
        values["approves"] = (f"group:{REMOVAL_GROUP}",)  # completed by `_with_approvals`
        values["score"] = 0.0
    else:  # effects only: the item itself is allowed
        values["action"] = Action.ALLOW
        values["score"] = 0.0
    effects.extend(rule.effects)
    if effects:
        values["effects"] = tuple(effects)
    if rule.is_removal:
        values["exclusive_group"] = REMOVAL_GROUP
    if community:
        values["communities"] = (community,)
    if rule.action_reason:
        values["reason"] = rule.action_reason
    if rule.is_edited is not None:
        values["is_edited"] = rule.is_edited
    if rule.is_top_level is not None:
        values["is_top_level"] = rule.is_top_level
    if rule.parent is not None:
        parent: dict[str, Any] = {}
        if rule.parent.is_edited is not None:
            parent["is_edited"] = rule.parent.is_edited
        if rule.parent.reports:
            parent["reports"] = f">= {rule.parent.reports}"
        values["parent_post"] = ParentPostConditions.model_validate(parent)
        values["checks"] = tuple(extra) + tuple(
            text_check(search, tuple(_PARENT_FIELD[f] for f in search.fields), fills_match=False)
            for search in rule.parent.searches
            if search.values
        )
    if rule.reports:
        values["reports"] = f">= {rule.reports}"
    lengths = []
    if rule.body_longer_than is not None:
        lengths.append(f"> {rule.body_longer_than}")
    if rule.body_shorter_than is not None:
        lengths.append(f"< {rule.body_shorter_than}")
    if lengths:
        values["body_length"] = tuple(lengths)
    author = _author_conditions(rule)
    if author is not None:
        values["author"] = author
    return Rule.model_validate(values)


def _author_conditions(rule: AutomodRule) -> AuthorConditions | None:
    author = rule.author
    if author is None:
        return None
    values: dict[str, Any] = {}
    for threshold in author.thresholds:
        values[_THRESHOLD_FIELD[threshold.name]] = _comparison(threshold)
    for flag in ("is_moderator", "is_contributor", "is_submitter"):
        if getattr(author, flag) is not None:
            values[flag] = getattr(author, flag)
    if author.contributor_quality is not None:
        op, band = author.contributor_quality
        values["contributor_quality"] = f"{_COMPARISON[op]} {band}"
    if not values:
        return None
    if author.satisfy_any_threshold:
        values["satisfy_any_threshold"] = True
    return AuthorConditions.model_validate(values)


def _comparison(threshold: AutomodThreshold) -> str:
    value = threshold.value
    shown = str(int(value)) if float(value).is_integer() else repr(value)
    return f"{_COMPARISON[threshold.comparison]} {shown}"


def _variant_checks(
    rule: AutomodRule, variant: Variant, community: str | None
) -> tuple[TextCheck, ...] | None:
    """The text checks of a rule on one item kind, or None when nothing can match there."""
    checks: list[TextCheck] = []
    item_searches = [s for s in rule.searches if s.values]
    checked_any = not item_searches
    body_only_negated = bool(item_searches)
    for search in item_searches:
        fields = [f for f in search.fields if f in VARIANT_FIELDS[variant]]
        if "domain" in fields and variant == "text submission":
            # A text post's domain is `self.<community>`: decide that field here.
            hit = re.search(
                automod_pattern(search), f"self.{community or ''}", automod_flags(search)
            )
            fields.remove("domain")
            if hit is not None:
                if search.negated:
                    return None
                checked_any = True
                continue
            if not fields:
                if not search.negated:
                    return None
                checked_any = True
                continue
        if not fields:
            if not search.negated:
                return None
            continue
        checked_any = True
        if fields != ["body"] or not search.negated:
            body_only_negated = False
        body_field = "body_unquoted" if rule.ignore_blockquotes else "body"
        mapped = tuple(body_field if f == "body" else _ITEM_FIELD[f] for f in fields)
        checks.append(text_check(search, mapped))
    if not checked_any:
        return None
    if variant == "link submission" and body_only_negated:
        # AutoModerator checks a link post's body only when there is one.
        checks.append(
            TextCheck(
                values=(_ANY_CHAR,),
                fields=("body",),
                match="includes",
                regex=True,
                fills_match=False,
            )
        )
    if rule.author is not None:
        for search in rule.author.searches:  # author fields are always checked
            if search.values:
                author_fields = tuple(_AUTHOR_FIELD[f] for f in search.fields)
                checks.append(text_check(search, author_fields, fills_match=False))
    return tuple(checks)


def text_check(
    search: AutomodSearch, fields: tuple[str, ...], *, fills_match: bool = True
) -> TextCheck:
    """The rule-set text check equivalent to one AutoModerator search check.

    `fills_match` is false for the author's and the parent post's searches, whose matches
    AutoModerator does not use for `{{match}}`.
    """
    common: dict[str, Any] = {
        "fields": fields,
        "negate": search.negated,
        "case_sensitive": search.case_sensitive,
        "name": search_name(search),
    }
    if not fills_match:
        common["fills_match"] = False
    if search.regex:
        return _regex_check(search, common)
    values = search.values
    literal_ok = search.method in ("includes", "includes-word", "starts-with") or (
        search.method == "full-text" and all(_word_ends(v) for v in values)
    )
    if literal_ok and all(values):
        return TextCheck.model_validate({**common, "values": values, "match": search.method})
    # Case-insensitive regex checks read the lower-cased text, so the literal is lower-cased.
    pieces = tuple(
        _literal_piece(v if search.case_sensitive else v.lower(), search.method) for v in values
    )
    return TextCheck.model_validate(
        {**common, "values": pieces, "match": "includes", "regex": True}
    )


def search_name(search: AutomodSearch) -> str:
    """The search check's name as `{{match-NAME-N}}` spells it: the key without modifiers."""
    return re.sub(r"\s+", "", search.key.partition("(")[0])


def _word_ends(value: str) -> bool:
    return bool(value) and _is_word(value[0]) and _is_word(value[-1])


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def re2_escape(text: str) -> str:
    """Escape a literal for RE2 and the `regex` module alike (metacharacters only)."""
    return _RE2_META.sub(r"\\\1", text)


def _literal_piece(value: str, method: str) -> str:
    """A portable (RE2 / `regex`) pattern meaning AutoModerator's template around a literal."""
    # The value is group 1, as in AutoModerator's pattern (what `{{match-1}}` shows).
    escaped = f"({re2_escape(value)})"
    if method == "includes-word":
        left = f"(?:^|{_NON_WORD})" if value and _is_word(value[0]) else ""
        right = f"(?:{_NON_WORD}|$)" if value and _is_word(value[-1]) else ""
        return f"{left}{escaped}{right}"
    if method == "starts-with":
        return f"^{escaped}"
    if method == "ends-with":
        return rf"{escaped}\n?$"
    if method == "full-exact":
        return rf"^{escaped}\n?$"
    if method == "full-text":
        return f"^{_NON_WORD}*{escaped}{_NON_WORD}*$"
    return escaped


def _regex_check(search: AutomodSearch, common: dict[str, Any]) -> TextCheck:
    """AutoModerator's own pattern per value, rewritten to keep Python's meaning on RE2/`regex`."""
    pieces = []
    # A global inline flag in one value applies to every value (they are one pattern there).
    shared_flags, _ = global_flags("|".join(search.values))
    for value in search.values:
        single = search.model_copy(update={"values": (value,)})
        pattern = automod_pattern(single)
        if shared_flags:
            pattern = python3_pattern(f"(?{shared_flags})" + pattern)
        if search.method == "includes-word":
            # Same matches, but the boundary characters stay outside the match (`{{match}}`).
            pattern = pattern.replace(r"(?:^|\W|\b)", r"(?:^|(?<=\W)|\b)", 1)
            pattern = pattern.replace(r"(?:$|\W|\b)", r"(?:$|(?=\W)|\b)")
        pieces.append(convert_python_regex(pattern, dotall=True))
    return TextCheck.model_validate(
        {**common, "values": tuple(pieces), "match": "includes", "regex": True}
    )
