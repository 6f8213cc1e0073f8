"""RulesEnforcer: the `rules` kind, a keyword/regex rule set judged against one policy."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from modgate.domain import ACTION_SEVERITY, Action, Effect, Item, Verdict, VersionRef
from modgate.enforce._actions import action_for_score
from modgate.enforce._protocol import EnforcerSpec
from modgate.enforce.rules._load import load_ruleset
from modgate.enforce.rules._match import (
    _NO_HITS,
    CompiledRuleSet,
    RuleHit,
    RuleSetMatch,
    compile_ruleset,
)
from modgate.enforce.rules._placeholders import rule_match_text
from modgate.enforce.rules._schema import RuleSet
from modgate.errors import EnforcerError

_MAX_RATIONALE = 1000
_MAX_RATIONALE_RULES = 5
_MATCH_BATCH = 256
"""Items `predict` matches at once: enough for the batch scans, few results held at a time."""

_QUIET_FIELDS = ("item_id", "policy", "enforcer", "score", "label", "action", "latency_ms")
_HIT_FIELDS = (*_QUIET_FIELDS, "criteria", "rationale", "effects")
"""The fields a verdict of this enforcer sets (its `model_fields_set`), quiet or firing."""
_VERDICT_DEFAULTS: dict[str, Any] = {
    name: info.get_default(call_default_factory=True) for name, info in Verdict.model_fields.items()
}
if any(name not in _VERDICT_DEFAULTS for name in _HIT_FIELDS):  # pragma: no cover
    raise ImportError("modgate.domain.Verdict lost a field RulesEnforcer sets")
_N_FIELDS = len(_VERDICT_DEFAULTS)
_new = object.__new__
_setattr = object.__setattr__


def _trusted_verdict(values: dict[str, Any], fields_set: tuple[str, ...] | set[str]) -> Verdict:
    """`Verdict(**values)` for values this module built from validated parts, unvalidated.

    Validating a `Verdict` costs more than matching a comment against a thousand rules; every
    value here is already of its field's type and range: the item id and policy come from
    validated records, the score is a rule's validated score (or 0.0) made a float, the label
    one of the two literals, the action an `Action`, the criteria a tuple of `str`, no error
    (so `model_post_init`'s check holds). The result is the object validation would build:
    same `__dict__` (fields in declaration order, defaults filled), same `model_fields_set`
    (a test checks equality and the dump on generated values).

    A `set` for `fields_set` is shared, not copied: `Verdict` is frozen, and pydantic copies a
    model's fields set before it changes one (`model_copy`), so sharing one between quiet
    verdicts is safe and spares the garbage collector an object per verdict.
    """
    verdict: Verdict = _new(Verdict)
    _setattr(
        verdict, "__dict__", values if len(values) == _N_FIELDS else {**_VERDICT_DEFAULTS, **values}
    )
    _setattr(
        verdict,
        "__pydantic_fields_set__",
        fields_set if isinstance(fields_set, set) else set(fields_set),
    )
    _setattr(verdict, "__pydantic_extra__", None)
    _setattr(verdict, "__pydantic_private__", None)
    return verdict


def _policy_id(policy: str) -> str:
    return VersionRef.name_of(policy)


class RulesEnforcer:
    """Judges items with a rule set: the most severe firing rule decides.

    A firing rule gives its score (default 1.0), its action (or, when it has none, the action the
    enforcer's thresholds give that score) and its criterion; the rationale names each firing
    rule and the span it matched. Only rules whose policy is the enforcer's policy (or that name
    none) take part. A fallback regex that times out gives an error verdict (review).

    Spec params: `ruleset` (path of a `rules/NAME.yaml` file, relative to `base_dir` if given)
    or `rules` (the rule set inline, as a mapping).
    """

    def __init__(self, spec: EnforcerSpec, ruleset: CompiledRuleSet | None = None) -> None:
        self._spec = spec
        self._compiled = ruleset if ruleset is not None else _ruleset_from_params(spec.params)
        wanted = _policy_id(spec.policy)
        chosen = [
            rule.id
            for rule in self._compiled.ruleset.rules
            if (p := self._compiled.ruleset.policy_of(rule)) is None or _policy_id(p) == wanted
        ]
        if not chosen:
            raise EnforcerError(
                f"rule set {self._compiled.report.name!r} has no rule for policy {wanted!r}",
                hint="set `policy:` on the rule set or its rules",
            )
        self._rule_ids = frozenset(chosen)
        self._ref = spec.ref
        self._quiet: dict[str | None, dict[str, Any]] = {}
        """Fields of a verdict no rule fired on, per community (its action: thresholds at 0)."""

    @classmethod
    def from_spec(cls, spec: EnforcerSpec | Mapping[str, Any]) -> RulesEnforcer:
        """Build from a spec (the registry factory)."""
        parsed = spec if isinstance(spec, EnforcerSpec) else EnforcerSpec.model_validate(spec)
        return cls(parsed)

    @property
    def spec(self) -> EnforcerSpec:
        """The spec that re-creates this enforcer."""
        return self._spec

    @property
    def ruleset(self) -> CompiledRuleSet:
        """The compiled rule set (with its load report)."""
        return self._compiled

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        """Judge a batch of items, one verdict each, in order.

        Items are matched `_MATCH_BATCH` at a time (`CompiledRuleSet.match_many`), so each
        verdict's `latency_ms` is its share of its group's matching time plus its own
        verdict's; a group's match results are dropped once its verdicts are built (holding
        a whole large batch's results would make every garbage collection pass longer).
        Should a group's match fail, its items are judged one by one, and an item that fails
        gets an error verdict (review).
        """
        out: list[Verdict] = []
        for start in range(0, len(items), _MATCH_BATCH):
            out.extend(self._predict_group(items[start : start + _MATCH_BATCH]))
        return out

    def _predict_group(self, items: Sequence[Item]) -> list[Verdict]:
        started = time.perf_counter()
        try:
            results = self._compiled.match_many(items)
        except Exception:  # find the item at fault: judged alone, a failure is a value
            return [self._judge(item) for item in items]
        share = (time.perf_counter() - started) * 1000.0 / max(len(items), 1)
        out: list[Verdict] = []
        append = out.append
        quiet_fields = set(_QUIET_FIELDS)  # shared by this group's quiet verdicts
        for item, result in zip(items, results, strict=True):
            if result is _NO_HITS:  # most items: the quiet verdict, straight from its values
                values = self._quiet_values(item.community).copy()
                values["item_id"] = item.id
                values["latency_ms"] = share
                append(_trusted_verdict(values, quiet_fields))
            else:
                append(self._verdict(item, result, share))
        return out

    def _quiet_values(self, community: str | None) -> dict[str, Any]:
        """Fields of a verdict no rule fired on in `community` (its action: thresholds at 0)."""
        quiet = self._quiet.get(community)
        if quiet is None:
            action = action_for_score(0.0, self._spec.thresholds, community)
            quiet = self._quiet[community] = {
                **_VERDICT_DEFAULTS,
                "policy": self._spec.policy,
                "enforcer": self._ref,
                "score": 0.0,
                "label": "non_violating",
                "action": action,
            }
        return quiet

    def _judge(self, item: Item) -> Verdict:
        started = time.perf_counter()
        try:
            result = self._compiled.match(item)
        except Exception as exc:  # a per-item failure is a value, never an exception
            return Verdict.failed(
                item.id, self._spec.policy, self._ref, f"{type(exc).__name__}: {exc}"
            )
        return self._verdict(item, result, 0.0, started)

    def _verdict(
        self, item: Item, result: RuleSetMatch, spent_ms: float, started: float | None = None
    ) -> Verdict:
        """The verdict on an item from its match.

        Its latency is `spent_ms` plus the time since `started` (now, when None).
        """
        if started is None:
            started = time.perf_counter()
        if result.error is not None:
            return Verdict.failed(item.id, self._spec.policy, self._ref, result.error)
        if result.hits:
            hits = [h for h in result.hits if h.rule.id in self._rule_ids]
            overridden = [(r, a) for r, a in result.overridden if r in self._rule_ids]
            undone = [h for h in result.overridden_hits if h.rule.id in self._rule_ids]
        else:
            hits, overridden, undone = [], [], []
        elapsed = spent_ms + (time.perf_counter() - started) * 1000.0
        if not hits:
            values = self._quiet_values(item.community).copy()
            values["item_id"] = item.id
            values["latency_ms"] = elapsed
            return _trusted_verdict(values, _QUIET_FIELDS)
        score = 0.0
        action = Action.ALLOW
        criteria: dict[str, None] = {}
        for hit in hits:
            rule = hit.rule
            if rule.approves:
                continue  # an approval allows: no score, no criterion
            score = max(score, rule.score)
            rule_action = hit.action if hit.action is not None else self._action_of(hit, item)
            if ACTION_SEVERITY[rule_action] > ACTION_SEVERITY[action]:
                action = rule_action
            if rule.criterion:
                criteria[rule.criterion] = None
        effects = rule_effects(hits, item, undone=undone, approving=set(result.approving))
        score = float(score)
        return _trusted_verdict(
            {
                "item_id": item.id,
                "policy": self._spec.policy,
                "enforcer": self._ref,
                "score": score,
                "label": "violating" if score >= 0.5 else "non_violating",
                "action": action,
                "criteria": tuple(criteria),
                "rationale": _rationale(hits, item, overridden),
                "latency_ms": elapsed,
                "effects": effects,
            },
            _HIT_FIELDS,
        )

    def _action_of(self, hit: RuleHit, item: Item) -> Action:
        if hit.action is not None:
            return hit.action
        return action_for_score(hit.rule.score, self._spec.thresholds, item.community)


def render_reason(reason: str, hit: RuleHit, item: Item) -> str:
    """A rule's `reason` with its placeholders filled in; unknown ones stay as written.

    AutoModerator's placeholders (`modgate.enforce.rules._placeholders`): `{{match}}` and
    `{{match-N}}` (groups of what the rule's text checks matched, as written), `{{author}}`,
    `{{body}}`, `{{permalink}}` (`meta.permalink`), `{{subreddit}}` (the community), `{{kind}}`
    (comment or submission), `{{title}}`, `{{url}}`, `{{domain}}`.
    """
    return rule_match_text(hit.rule, hit, item, reason)


def rule_effects(
    hits: Sequence[RuleHit],
    item: Item,
    *,
    undone: Sequence[RuleHit] = (),
    approving: set[str] | frozenset[str] = frozenset(),
) -> tuple[Effect, ...]:
    """The effects of the firing rules, placeholders filled in, AutoModerator's limits applied.

    Args:
        hits: The acting hits.
        item: The item.
        undone: Hits an approval overrides: their action is undone but their effects stay, as
            AutoModerator performs a removal rule (its comment, its messages) before approving.
        approving: Approval rules that approve the item (fired, `approval_needs` met).

    Each of those adds an `approve` effect (with its reason): the integration restores the
    item and clears its reports, as AutoModerator's approve does.
    """
    out: list[Effect] = []
    for hit in undone:
        out.extend(_filled(effect, hit, item) for effect in hit.rule.effects)
    for hit in hits:
        rule = hit.rule
        if rule.approves and rule.id in approving:
            text = render_reason(rule.reason, hit, item) if rule.reason else None
            out.append(Effect(kind="approve", text=text, rule=rule.id))
        for effect in rule.effects:
            out.append(_filled(effect, hit, item))
    return tuple(dict.fromkeys(out))


def _filled(effect: Effect, hit: RuleHit, item: Item) -> Effect:
    update: dict[str, Any] = {"rule": hit.rule.id}
    for name in ("text", "subject", "css_class", "template_id"):
        value = getattr(effect, name)
        if isinstance(value, str):
            update[name] = render_reason(value, hit, item)
    # AutoModerator's limits: a subject of 100 characters, a text of 10,000; flair text of 64,
    # flair classes of word characters, spaces and dashes, at most 10 of 100 characters each.
    if isinstance(update.get("subject"), str):
        update["subject"] = update["subject"][:100]
    if effect.kind == "set_flair":
        if isinstance(update.get("text"), str):
            update["text"] = update["text"][:64]
        if isinstance(update.get("css_class"), str):
            classes = re.sub(r"[^\w -]", "", update["css_class"]).split()[:10]
            update["css_class"] = " ".join(c[:100] for c in classes)
    elif isinstance(update.get("text"), str):
        update["text"] = update["text"][:10_000]
    return effect.model_copy(update=update)


def _rationale(hits: list[RuleHit], item: Item, overridden: Sequence[tuple[str, str]] = ()) -> str:
    parts: list[str] = [f"rule {rule} overridden by approval rule {by}" for rule, by in overridden]
    size = 0
    for count, hit in enumerate(hits):
        if size > _MAX_RATIONALE or count == _MAX_RATIONALE_RULES:
            parts.append(f"and {len(hits) - count} more rule(s)")
            break
        action = hit.action.value if hit.action is not None else "thresholds"
        if hit.rule.approves:
            action = "approve"
        where = "; ".join([s.describe() for s in hit.spans[:2]]) or "conditions hold"
        if hit.rule.reason:
            where = f"{render_reason(hit.rule.reason, hit, item)} ({where})"
        part = f"rule {hit.rule.id} ({action}): {where}"
        parts.append(part)
        size += len(part) + 3
    text = " | ".join(parts)
    return text if len(text) <= _MAX_RATIONALE else text[: _MAX_RATIONALE - 1] + "…"


def _ruleset_from_params(params: Mapping[str, Any]) -> CompiledRuleSet:
    if "rules" in params:
        inline = params["rules"]
        if not isinstance(inline, Mapping):
            raise EnforcerError("params.rules must be a rule set mapping")
        return compile_ruleset(RuleSet.model_validate(dict(inline)), "<inline>")
    if "ruleset" in params:
        path = Path(str(params["ruleset"]))
        if not path.is_absolute() and params.get("base_dir"):
            path = Path(str(params["base_dir"])) / path
        return load_ruleset(path)
    raise EnforcerError(
        "a rules enforcer needs params.ruleset (a rules/NAME.yaml path) or params.rules (inline)"
    )


def create_rules_enforcer(spec: EnforcerSpec | Mapping[str, Any]) -> RulesEnforcer:
    """Registry factory of the `rules` kind."""
    return RulesEnforcer.from_spec(spec)
