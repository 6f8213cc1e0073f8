"""What the review queue reads of policies and rule sets: severity, criteria, masking terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from modgate.domain import VersionRef
from modgate.errors import NotFoundError

if TYPE_CHECKING:
    from modgate.policy import Policy
    from modgate.store import Store


@dataclass
class PolicyCache:
    """Published policies looked up once per call (by id and version; None: the newest)."""

    store: Store
    _seen: dict[tuple[str, int | None], Policy | None] = field(default_factory=dict)

    def get(self, ref: str) -> Policy | None:
        """The policy of `id` or `id@version` (None when not published)."""
        from modgate.policy import get_policy_version

        name, _, version = ref.partition("@")
        key = (name, int(version) if version.isdigit() else None)
        if key not in self._seen:
            try:
                self._seen[key] = get_policy_version(self.store, key[0], key[1]).policy
            except NotFoundError:
                self._seen[key] = None if key[1] is None else self.get(name)
        return self._seen[key]

    def severity(self, ref: str) -> str | None:
        """The policy's severity (None when not published)."""
        policy = self.get(ref)
        return None if policy is None else str(policy.severity.value)


@dataclass(frozen=True)
class SensitiveTerms:
    """What to mask for one policy: keyword lists and regexes of its rule sets."""

    keywords: tuple[str, ...]
    patterns: tuple[str, ...]


def sensitive_terms(store: Store, policy: str) -> SensitiveTerms:
    """Keywords and regexes of every registered `rules` enforcer version of a policy.

    The rule sets are inlined in the catalog at registration (`params.rules`), so this reads
    exactly the rules the enforcers run.
    """
    from modgate.enforce import list_enforcer_versions
    from modgate.enforce.rules import RuleSet

    keywords: set[str] = set()
    patterns: set[str] = set()
    for version in list_enforcer_versions(store):
        if version.kind != "rules" or VersionRef.name_of(version.spec.policy) != policy:
            continue
        raw: Any = version.spec.params.get("rules")
        if not isinstance(raw, dict):
            continue
        try:
            ruleset = RuleSet.model_validate(raw)
        except ValueError:
            continue  # written under an older schema: nothing to mask from it
        for rule in ruleset.rules:
            own = ruleset.policy_of(rule)
            if own is not None and VersionRef.name_of(own) != policy:
                continue
            keywords.update(rule.keywords)
            patterns.update(rule.regex)
            for check in rule.checks:
                (patterns if check.regex else keywords).update(check.values)
    return SensitiveTerms(tuple(sorted(keywords)), tuple(sorted(patterns)))


def regex_spans(text: str, patterns: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the rule sets' regexes match the raw text (case-insensitive, time-bounded)."""
    import regex

    out: list[tuple[int, int]] = []
    for pattern in patterns:
        try:
            compiled = regex.compile(pattern, regex.IGNORECASE)
            out.extend(m.span() for m in compiled.finditer(text, timeout=0.05))
        except (regex.error, TimeoutError):
            continue  # a pattern this engine cannot run is left to the keyword masking
    return out
