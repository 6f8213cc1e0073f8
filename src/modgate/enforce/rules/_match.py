"""Compile a `RuleSet` for fast matching and match items against it.

Every literal value of every rule goes into **one** Aho–Corasick automaton (`pyahocorasick`);
word boundaries, starts-with and ends-with are checked on the match positions it reports.
Whole-field values (`full-exact`, `full-text`) are hash lookups. Regexes that RE2 accepts are
compiled into **one** RE2 set, so a field is scanned once for all of them in linear time; only
the patterns the set reports are run again, one by one, to find their spans. Patterns RE2 cannot
compile (lookarounds, backreferences) fall back to the `regex` module with a per-match timeout;
the report lists them. A timeout makes the item's result an error (the enforcer turns it into a
review verdict), never a silent "no match".

Fields are read once per item per view: `normalized` runs free text (title, body, flair, parent
text) through `modgate.text.normalize_text` and case-folds URLs and domains; `raw` reads the
text as written (case-folded unless the check is case-sensitive). Case folding is Unicode's
full folding (`modgate.text.casefold_text`: `ſ → s`, `ß → ss`), applied to the text and to the
literal values alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast
from urllib.parse import urlsplit

import regex
from pydantic import BaseModel, ConfigDict

from modgate.domain import Action, Item
from modgate.enforce.rules._approve import active_approvers, apply_approvals
from modgate.enforce.rules._batch import (
    automaton_marks,
    batch_eligible,
    re2_marks,
)
from modgate.enforce.rules._conditions import failed_context_condition
from modgate.enforce.rules._fallback import (
    LOOKAROUNDS,
    FallbackUnavailable,
    LazyPattern,
    deferrable,
)
from modgate.enforce.rules._schema import FREE_TEXT_FIELDS, MatchMode, Rule, RuleSet, TextCheck
from modgate.errors import ValidationError
from modgate.text import casefold_text, normalize_text

HayKey = tuple[str, str]
"""(field, view) with view `norm`, `lower` or `raw`."""
Path = tuple[str | int, ...]
RawSpan = tuple[HayKey, int, int]
"""(field view, start, end): a match before it is turned into a `MatchSpan`."""
_Pending = dict[int, list[tuple[int, HayKey, str]]]
"""Check index → (RE2 entry, field view, text) of fallback regexes whose prefilter matched."""
_MAX_SPANS = 5


_RE2_DEFAULT_MEMORY = 8 << 20
_RE2_BYTES_PER_CHAR = 512
"""Budget per pattern character: RE2 programs of long alternations need ~200-250 bytes/char."""
_RE2_SET_MAX_CHARS = 128 << 10
"""Pattern text per RE2 set: a field view's patterns beyond it go to further sets. Compiling
one set costs more than linear time and memory in its size (a 10 MB AutoModerator config's
2.9 M characters of `body` patterns: 336 MB peak RSS as one set, 75 MB in sets of ~250 kB,
and 128 kB sets brought that config's whole import under 500 MB); one more set is one more
linear scan of the field, paid only by rule sets this big."""


def _chunks_by_size(
    pending: list[tuple[str, int, Path]], max_chars: int
) -> list[list[tuple[str, int, Path]]]:
    """Consecutive runs of `pending` of at most `max_chars` of pattern text (one at least)."""
    chunks: list[list[tuple[str, int, Path]]] = [[]]
    size = 0
    for entry in pending:
        if chunks[-1] and size + len(entry[0]) > max_chars:
            chunks.append([])
            size = 0
        chunks[-1].append(entry)
        size += len(entry[0])
    return chunks


@cache
def _re2_options(max_mem: int = _RE2_DEFAULT_MEMORY) -> Any:
    # re2 (and pyahocorasick) load when the first rule set compiles, not when modgate starts.
    import re2

    options = re2.Options()
    options.log_errors = False
    options.max_mem = max_mem
    return options


def re2_budget(pattern_chars: int, cap_mb: int) -> int:
    """The memory budget (bytes) of one RE2 program for patterns of this total length.

    Args:
        pattern_chars: Total length of the patterns the program holds.
        cap_mb: The rule set's `re2_max_memory_mb`.

    Returns:
        At least RE2's default (8 MB), about twice what such patterns need, at most the cap.
    """
    wanted = max(_RE2_DEFAULT_MEMORY, _RE2_BYTES_PER_CHAR * pattern_chars)
    return min(wanted, cap_mb << 20)


_BOUNDED_MODES = ("includes", "includes-word", "starts-with", "ends-with")
_VIEW_NAMES = {
    "norm": "normalized",
    "lower": "raw",
    "raw": "raw",
    "rx_norm": "normalized",
    "rx_lower": "raw",
}
_REGEX_VIEW = {"norm": "rx_norm", "lower": "rx_lower"}
"""Views regexes read: lower-cased, not case-folded, so `(?i)ß` keeps its meaning (RE2 and
Python fold case one character at a time, `ſ` with `s` included); literals read the folded view."""


@dataclass(frozen=True, slots=True)
class MatchSpan:
    """Where a value matched."""

    field: str
    """Item field (`title`, `body`…)."""
    view: str
    """`normalized` or `raw`: offsets are into that view of the field."""
    start: int
    """Start offset (characters)."""
    end: int
    """End offset (exclusive)."""
    matched: str
    """The matched text, as it reads in that view."""

    def describe(self) -> str:
        """One-line description, e.g. `'kill' at 3-7 of normalized body`."""
        return f"{self.matched!r} at {self.start}-{self.end} of {self.view} {self.field}"


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A rule that fired on an item."""

    rule: Rule
    """The rule."""
    policy: str | None
    """Policy the rule enforces."""
    action: Action | None
    """Action the rule takes (None: the enforcer's thresholds decide)."""
    spans: tuple[MatchSpan, ...] = ()
    """Where its text checks matched (empty for condition-only rules)."""


@dataclass(frozen=True, slots=True)
class RuleSetMatch:
    """The outcome of matching one item: the rules that fired, or an error."""

    hits: tuple[RuleHit, ...] = ()
    """Rules that fired, in rule-set order."""
    error: str | None = None
    """Set when a fallback regex timed out; the item must then go to review."""
    overridden: tuple[tuple[str, str], ...] = ()
    """(rule id, approval rule id) of rules that fired but an approval rule overrides."""
    approving: tuple[str, ...] = ()
    """Approval rules that fired with their `approval_needs` met (they approve the item)."""
    overridden_hits: tuple[RuleHit, ...] = ()
    """Those rules' hits (they do not act; their effects happened before the approval, as in
    AutoModerator, which performs a removal rule before it checks approvals)."""


_NO_HITS = RuleSetMatch()


@dataclass(frozen=True, slots=True)
class RuleExplanation:
    """Why a rule fired or did not, for `modgate rules check`."""

    rule_id: str
    """The rule."""
    fired: bool
    """Whether it fired."""
    reason: str
    """What matched, or the first condition that failed."""
    spans: tuple[MatchSpan, ...] = ()
    """Where its text checks matched."""
    timed_out: bool = False
    """A fallback regex of the rule timed out (the item goes to review)."""
    overridden_by: str | None = None
    """The approval rule that overrides this rule's hit (it then does not act)."""


class RuleSetReport(BaseModel):
    """What compiling a rule set produced, including which rules run on the fallback engine."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """Rule set name."""
    rules: int
    """Rules in the set."""
    enabled_rules: int
    """Rules that can fire."""
    keyword_patterns: int
    """Distinct literal patterns in the Aho–Corasick automaton."""
    exact_patterns: int
    """Whole-field literal patterns (hash lookups)."""
    re2_patterns: int
    """Regex patterns in the RE2 set."""
    fallback_patterns: int
    """Regex patterns RE2 rejected, run by the `regex` module with a timeout."""
    fallback_rules: tuple[str, ...]
    """Ids of rules with at least one fallback pattern."""
    fallback_details: tuple[str, ...]
    """`rule: pattern (RE2: reason)` for each fallback pattern."""
    re2_sets: int = 0
    """RE2 set programs (one per field view, more where a field's regexes are split)."""
    re2_memory_mb: float = 0.0
    """Sum of the RE2 sets' memory budgets (MB), each sized to its patterns."""


@dataclass(frozen=True, slots=True)
class CompileProblem:
    """A value of the rule set that cannot be compiled."""

    path: Path
    """Location in the document, e.g. `("rules", 3, "regex", 0)`."""
    message: str
    """What is wrong."""


class RuleSetCompileError(ValidationError):
    """Some values of a rule set cannot be compiled; `problems` lists every one."""

    def __init__(self, problems: list[CompileProblem]) -> None:
        lines = [f"{_dotted(p.path)}: {p.message}" for p in problems]
        super().__init__("rule set does not compile:\n  " + "\n  ".join(lines))
        self.problems = problems


def _dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@dataclass(slots=True)
class _Check:
    """A compiled text check."""

    index: int
    rule_index: int
    spec: TextCheck
    path: Path
    hay_keys: tuple[HayKey, ...]
    fallbacks: list[tuple[HayKey, Any, str]] = field(default_factory=list)


@dataclass(slots=True)
class _CompiledRule:
    rule: Rule
    policy: str | None
    action: Action | None
    checks: list[_Check]
    gate: tuple[int, ...]
    """Positive checks decided by the automaton, exact lookups and the RE2 set alone."""
    has_conditions: bool
    """Whether the rule has item or author conditions."""
    simple: bool
    """The gate decides alone: no conditions, no negated or fallback checks."""


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


_WORD_RUN = re.compile(r"\w+")
r"""A run of word characters: Python's `\w` on `str` is `isalnum()` or `_`, as `_is_word`."""
_NON_WORD_BYTES = bytes(
    b if (chr(b).isascii() and (chr(b).isalnum() or chr(b) == "_")) else 0x20 for b in range(256)
)
"""`bytes.translate` table: ASCII word bytes kept, every other byte a space."""


def _first_word(value: str) -> str:
    """The first run of word characters in `value` (empty when it has none)."""
    found = _WORD_RUN.search(value)
    return found.group() if found is not None else ""


@dataclass(frozen=True, slots=True)
class _TokenGate:
    """Proves, from the words of a text, that no literal of a field view can match it.

    Built only for a view whose every literal is `includes-word` with a word character. Every
    word run `w` of such a value is bounded on both sides where the value matches: by a
    non-word character of the value itself, or, at the value's edge, by the boundary check
    (a value starting or ending with a word character needs a non-word character, or the
    text's edge, next to it). So each run, the first one included, is a whole word of the
    text. When no word of the text is some value's first run, the automaton has nothing to
    find and is not run; otherwise it runs as always.
    """

    words: frozenset[str]
    """Every value's first word run."""
    ascii_words: frozenset[bytes]
    """The ASCII ones, encoded (an ASCII text's words are ASCII)."""

    def may_match(self, text: str) -> bool:
        """False only when no literal of the view can match `text`."""
        if text.isascii():
            return not self.ascii_words.isdisjoint(
                text.encode("ascii").translate(_NON_WORD_BYTES).split()
            )
        return not self.words.isdisjoint(_WORD_RUN.findall(text))


def _strip_non_word(text: str) -> tuple[int, int]:
    start, end = 0, len(text)
    while start < end and not _is_word(text[start]):
        start += 1
    while end > start and not _is_word(text[end - 1]):
        end -= 1
    return start, end


def field_value(item: Item, name: str) -> str | None:
    """The text of an item field as written (None when the item has no such field)."""
    if name == "body":
        return item.body
    if name == "title":
        return item.title
    if name == "url":
        return item.url
    if name == "domain":
        return _host(item.url) if item.url else None
    if name == "author_flair":
        return item.author.flair if item.author is not None else None
    if name == "parent_text":
        return item.parent_text
    if name == "author":
        return item.author_id
    if name == "id":
        return item.id
    if name in ("post_flair", "post_flair_class"):
        value = item.meta.get("flair_text" if name == "post_flair" else "flair_css_class")
        return value if isinstance(value, str) else None
    if name == "body_unquoted":
        lines = item.body.splitlines()
        return "\n".join(line for line in lines if line and not line.startswith(">"))
    return extra_field_value(item, name)


def extra_field_value(item: Item, name: str) -> str | None:
    """Fields of flair templates, author flair class and the parent post (`field_value`)."""
    if name == "post_flair_template_id":
        value = item.meta.get("flair_template_id")
        return value if isinstance(value, str) else None
    if name in ("author_flair_class", "author_flair_template_id"):
        if item.author is None:
            return None
        return (
            item.author.flair_css_class
            if name == "author_flair_class"
            else (item.author.flair_template_id)
        )
    if name.startswith("parent_post_"):
        post = item.parent_post
        if post is None:
            return None
        part = name.removeprefix("parent_post_")
        if part == "domain":
            return _host(post.url) if post.url else None
        attribute = {"flair": "flair_text", "flair_class": "flair_css_class"}.get(part, part)
        value = getattr(post, attribute)
        return value if isinstance(value, str) else None
    raise AssertionError(f"unknown field {name}")  # the schema's Literal rules this out


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    except ValueError:
        return None
    return host[4:] if host.startswith("www.") else host


def _prepare_value(value: str, field_name: str, view: str) -> str:
    if view == "raw":
        return value
    if view == "lower" or field_name not in FREE_TEXT_FIELDS:
        return casefold_text(value)
    return casefold_text(normalize_text(value).text)


def _hay_key(check: TextCheck, field_name: str) -> HayKey:
    if check.match_on == "raw":
        view = "raw" if check.case_sensitive else "lower"
    else:
        view = "norm"
    return (field_name, _REGEX_VIEW.get(view, view) if check.regex else view)


def _wrap_regex(pattern: str, mode: MatchMode, case_sensitive: bool) -> str:
    # No capturing group of ours: it would renumber the user's groups (`(\w)\1`).
    flags = "" if case_sensitive else "(?i)"
    if mode == "includes":
        body = f"(?:{pattern})"
    elif mode == "includes-word":
        body = rf"(?:^|\W|\b)(?:{pattern})(?:$|\W|\b)"
    elif mode == "starts-with":
        body = f"^(?:{pattern})"
    elif mode == "ends-with":
        body = f"(?:{pattern})$"
    elif mode == "full-exact":
        body = f"^(?:{pattern})$"
    else:
        body = rf"^\W*(?:{pattern})\W*$"
    return flags + body


def _regex_span(key: HayKey, mode: str, text: str, start: int, end: int) -> RawSpan:
    if mode in ("includes-word", "full-text"):  # the wrapper's boundary characters
        inner_start, inner_end = _strip_non_word(text[start:end])
        if inner_end > inner_start:
            start, end = start + inner_start, start + inner_end
    return (key, start, end)


def _compiled_set(patterns: Sequence[str], budget: int) -> Any | None:
    """An RE2 search set of `patterns` within a memory `budget` (bytes), or None if it won't fit."""
    import re2

    built = re2.Set.SearchSet(_re2_options(budget))
    for pattern in patterns:
        built.Add(pattern)
    try:
        built.Compile()
    except re2.error:
        return None
    return built


class CompiledRuleSet:
    """A rule set ready to match items; build it with `compile_ruleset`."""

    def __init__(self, ruleset: RuleSet, source: str | None = None) -> None:
        self.ruleset = ruleset
        self.source = source
        import ahocorasick
        import re2  # noqa: F401  (loaded with the rule set, not on first regex match)

        self._timeout = ruleset.regex_timeout_ms / 1000.0
        self._checks: list[_Check] = []
        self._rules: list[_CompiledRule] = []
        self._automaton: Any = ahocorasick.Automaton()
        self._ac_payloads: dict[str, list[tuple[HayKey, int, str, int, bool, bool]]] = {}
        """Keyword → (field view, check index, mode, length, word start, word end) entries."""
        self._ac_keys: set[HayKey] = set()
        self._ac_gates: dict[HayKey, _TokenGate | None] = {}
        """Per field view: the token gate, or None where some literal needs the automaton."""
        self._exact: dict[tuple[HayKey, str], dict[str, list[int]]] = {}
        self._re2: list[tuple[int, HayKey, Any]] = []
        self._re2_text: list[str] = []
        """Per `_re2` entry, the pattern its RE2 set holds (rebuilds the sets on unpickling)."""
        self._re2_pending: dict[HayKey, list[tuple[str, int, Path]]] = {}
        self._re2_sets: dict[HayKey, list[tuple[Any, list[int]]]] = {}
        self._re2_budget = 0
        self._re2_cap = ruleset.re2_max_memory_mb
        self._always: list[int] = []
        self._fallback_rule_ids: set[str] = set()
        self._prefiltered: dict[int, tuple[int, HayKey, Any]] = {}
        self._check_rule: list[int] = []
        problems: list[CompileProblem] = []
        fallback_details: list[str] = []
        fallback_rules: list[str] = []
        for rule_index, rule in enumerate(ruleset.rules):
            compiled = self._compile_rule(rule_index, rule, problems, fallback_details)
            self._rules.append(compiled)
            if rule.id in self._fallback_rule_ids:
                fallback_rules.append(rule.id)
        self._build_re2_sets(problems)
        if problems:
            raise RuleSetCompileError(problems)
        self._batch_sets = {
            key: self._batch_set(pending) for key, pending in self._re2_pending.items()
        }
        """Per field view: its RE2 patterns under `(?m)` in one set (`_batch`), or None."""
        self._re2_pending.clear()  # compiled into the sets
        self._ac_gates = self._token_gates()
        keyword_patterns = len(self._ac_payloads)
        # Each pattern's payload is handed to the automaton and dropped as it goes, so the
        # two copies of a big rule set's keywords never coexist.
        add_word = self._automaton.add_word
        while self._ac_payloads:
            pattern, entries = self._ac_payloads.popitem()
            add_word(pattern, tuple(entries))
        if keyword_patterns:
            self._automaton.make_automaton()
        scanned = [*self._ac_gates, *(key for key, _ in self._exact), *self._re2_sets]
        by_field: dict[str, dict[str, None]] = {}
        for name, view in scanned:
            by_field.setdefault(name, {})[view] = None
        self._scan_fields = tuple((name, tuple(views)) for name, views in by_field.items())
        """Each field the scan reads, with the views of it that it reads."""
        self._check_rule = [c.rule_index for c in self._checks]
        self._has_approvals = any(rule.approves and rule.enabled for rule in ruleset.rules)
        self.report = RuleSetReport(
            name=ruleset.name or "rules",
            rules=len(ruleset.rules),
            enabled_rules=sum(1 for r in ruleset.rules if r.enabled),
            keyword_patterns=keyword_patterns,
            exact_patterns=sum(len(v) for v in self._exact.values()),
            re2_patterns=sum(1 for check_index, _, _ in self._re2 if check_index >= 0),
            fallback_patterns=len(fallback_details),
            fallback_rules=tuple(fallback_rules),
            fallback_details=tuple(fallback_details),
            re2_sets=sum(len(sets) for sets in self._re2_sets.values()),
            re2_memory_mb=round(self._re2_budget / (1 << 20), 1),
        )

    # -- pickling (the load cache, `_cache.py`) --------------------------------------------------
    # RE2 programs do not pickle: the state keeps the pattern text of each, and unpickling
    # compiles the same sets, in the same chunks, as the first compile did.

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_re2"] = [(check, key, None) for check, key, _ in self._re2]
        state["_re2_sets"] = {}
        state["_batch_sets"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        import re2

        self.__dict__.update(state)
        for index, ((_, key, _), text) in enumerate(zip(self._re2, self._re2_text, strict=True)):
            self._re2_pending.setdefault(key, []).append((text, index, ()))
        problems: list[CompileProblem] = []
        self._re2_budget = 0
        self._build_re2_sets(problems)
        if problems:  # the same patterns compiled within the same caps before they were pickled
            raise RuleSetCompileError(problems)
        self._batch_sets = {
            key: self._batch_set(pending) for key, pending in self._re2_pending.items()
        }
        self._re2_pending.clear()
        cap = self._re2_cap
        self._re2 = [
            (
                check,
                key,
                None if check < 0 else re2.compile(text, _re2_options(re2_budget(len(text), cap))),
            )
            for (check, key, _), text in zip(self._re2, self._re2_text, strict=True)
        ]

    # -- compilation ---------------------------------------------------------------------------

    def _compile_rule(
        self,
        rule_index: int,
        rule: Rule,
        problems: list[CompileProblem],
        fallback_details: list[str],
    ) -> _CompiledRule:
        base: Path = ("rules", rule_index)
        checks: list[_Check] = []
        for spec, path in zip(rule.text_checks(), self._check_paths(rule, base), strict=True):
            hay_keys = tuple(dict.fromkeys(_hay_key(spec, f) for f in spec.fields))
            check = _Check(len(self._checks), rule_index, spec, path, hay_keys)
            self._checks.append(check)
            checks.append(check)
            if spec.regex:
                for value_index, value in enumerate(spec.values):
                    value_path = (*path, value_index)
                    self._compile_regex(check, value, value_path, problems, fallback_details)
            else:
                self._compile_literals(check, path, problems)
        gate = tuple(c.index for c in checks if not c.spec.negate and not c.fallbacks)
        if not gate and rule.enabled:
            self._always.append(rule_index)
        has_conditions = bool(
            rule.communities
            or rule.exclude_communities
            or rule.kinds
            or rule.exclude_kinds
            or rule.text_length is not None
            or rule.author is not None
            or rule.moderators_exempt
            or rule.reports is not None
            or bool(rule.body_length)
            or rule.is_edited is not None
            or rule.is_top_level is not None
            or rule.parent_post is not None
        )
        return _CompiledRule(
            rule=rule,
            policy=self.ruleset.policy_of(rule),
            action=self.ruleset.action_of(rule),
            checks=checks,
            gate=gate,
            has_conditions=has_conditions,
            simple=bool(gate) and not has_conditions and len(gate) == len(checks),
        )

    def _token_gates(self) -> dict[HayKey, _TokenGate | None]:
        first_words: dict[HayKey, set[str] | None] = {key: set() for key in self._ac_keys}
        for pattern, entries in self._ac_payloads.items():
            first = _first_word(pattern)
            for key, _, mode, _, _, _ in entries:
                words = first_words[key]
                if words is None:
                    continue
                if first and mode == "includes-word":
                    words.add(first)
                else:
                    first_words[key] = None
        gates: dict[HayKey, _TokenGate | None] = {}
        for key, words in first_words.items():
            if words is None:
                gates[key] = None
            else:
                ascii_words = frozenset(w.encode("ascii") for w in words if w.isascii())
                gates[key] = _TokenGate(frozenset(words), ascii_words)
        return gates

    @staticmethod
    def _check_paths(rule: Rule, base: Path) -> list[Path]:
        paths: list[Path] = []
        if rule.keywords:
            paths.append((*base, "keywords"))
        if rule.regex:
            paths.append((*base, "regex"))
        paths.extend((*base, "checks", i, "values") for i in range(len(rule.checks)))
        return paths

    def _compile_literals(self, check: _Check, path: Path, problems: list[CompileProblem]) -> None:
        """Enter a literal check's values in the automaton or the exact-match tables."""
        mode = check.spec.match
        bounded = mode in _BOUNDED_MODES
        payloads = self._ac_payloads
        for key in check.hay_keys:
            field_name, view = key
            table = None if bounded else self._exact.setdefault((key, mode), {})
            for value_index, value in enumerate(check.spec.values):
                prepared = _prepare_value(value, field_name, view)
                if mode == "full-text":
                    start, end = _strip_non_word(prepared)
                    prepared = prepared[start:end]
                if not prepared:
                    problem = CompileProblem(
                        (*path, value_index), f"value {value!r} is empty once normalized"
                    )
                    if problem not in problems:
                        problems.append(problem)
                    continue
                if table is not None:
                    table.setdefault(prepared, []).append(check.index)
                    continue
                entry = (
                    key,
                    check.index,
                    mode,
                    len(prepared),
                    _is_word(prepared[0]),
                    _is_word(prepared[-1]),
                )
                entries = payloads.get(prepared)
                if entries is None:
                    payloads[prepared] = [entry]
                else:
                    entries.append(entry)
            if bounded:
                self._ac_keys.add(key)

    def _compile_regex(
        self,
        check: _Check,
        value: str,
        path: Path,
        problems: list[CompileProblem],
        fallback_details: list[str],
    ) -> None:
        import re2

        wrapped = _wrap_regex(value, check.spec.match, check.spec.case_sensitive)
        budget = re2_budget(len(wrapped), self._re2_cap)
        removed: list[str] = []
        relaxed = relax_for_re2(wrapped, removed)
        compiled: Any = None
        if removed:  # no need to ask RE2: it has no lookarounds or backreferences
            reason = f"no lookarounds or backreferences, {removed[0][:24]!r}"
        else:
            try:
                compiled = re2.compile(wrapped, _re2_options(budget))
            except re2.error as re2_error:
                reason = _re2_reason(re2_error)
        if compiled is None:
            prefilter = relaxed is not None and _re2_compiles(relaxed, budget)
            fallback: Any
            if prefilter and deferrable(wrapped, removed):
                fallback = LazyPattern(wrapped)  # valid; compiled when its prefilter fires
            else:
                try:
                    fallback = regex.compile(wrapped, regex.V0)
                except regex.error:
                    try:  # name the error in the user's pattern, not in our wrapper
                        regex.compile(value, regex.V0)
                    except regex.error as own:
                        exc = own
                    problems.append(CompileProblem(path, f"invalid regex {value!r}: {exc}"))
                    return
            rule_id = self.ruleset.rules[check.rule_index].id
            self._fallback_rule_ids.add(rule_id)
            for key in check.hay_keys:
                if prefilter:
                    assert relaxed is not None
                    index = len(self._re2)
                    self._re2.append((-1, key, None))
                    self._re2_text.append(relaxed)
                    self._re2_pending.setdefault(key, []).append((relaxed, index, path))
                    self._prefiltered[index] = (check.index, key, fallback)
                else:
                    check.fallbacks.append((key, fallback, value))
            how = (
                "prefiltered by RE2 without its lookarounds/backreferences"
                if prefilter
                else ("runs on every item")
            )
            fallback_details.append(f"{rule_id}: {value!r} (RE2: {reason}; {how})")
            return
        for key in check.hay_keys:
            self._re2_pending.setdefault(key, []).append((wrapped, len(self._re2), path))
            self._re2.append((check.index, key, compiled))
            self._re2_text.append(wrapped)

    def _build_re2_sets(self, problems: list[CompileProblem]) -> None:
        """RE2 sets per field view, split in halves while a set exceeds its memory cap.

        Each holds at most `_RE2_SET_MAX_CHARS` of pattern text (one pattern at least).
        """
        for key, pending in self._re2_pending.items():
            parts: list[tuple[Any, list[int]]] = []
            for chunk in _chunks_by_size(pending, _RE2_SET_MAX_CHARS):
                parts.extend(self._re2_set_parts(chunk, problems))
            self._re2_sets[key] = parts

    def _re2_set_parts(
        self, pending: list[tuple[str, int, Path]], problems: list[CompileProblem]
    ) -> list[tuple[Any, list[int]]]:
        budget = re2_budget(sum(len(p) for p, _, _ in pending), self._re2_cap)
        built = _compiled_set([pattern for pattern, _, _ in pending], budget)
        if built is None:
            if len(pending) == 1:
                problem = CompileProblem(
                    pending[0][2],
                    f"regex too large for RE2 (needs more than re2_max_memory_mb: "
                    f"{self._re2_cap} MB)",
                )
                if problem not in problems:
                    problems.append(problem)
                return []
            half = len(pending) // 2
            return self._re2_set_parts(pending[:half], problems) + self._re2_set_parts(
                pending[half:], problems
            )
        self._re2_budget += budget
        return [(built, [index for _, index, _ in pending])]

    def _batch_set(self, pending: list[tuple[str, int, Path]]) -> Any:
        """One RE2 set of a view's patterns under `(?m)`, for `_batch.re2_marks`; or None.

        None when some pattern is not `batch_eligible`, the view's patterns exceed one set's
        `_RE2_SET_MAX_CHARS`, or the set does not compile within the memory cap: that view is
        then scanned item by item, as `match` does.
        """
        if not all(batch_eligible(pattern) for pattern, _, _ in pending):
            return None
        if sum(len(pattern) for pattern, _, _ in pending) > _RE2_SET_MAX_CHARS:
            return None  # a big config's views: a second copy would double their memory
        patterns = [f"(?m){pattern}" for pattern, _, _ in pending]
        return _compiled_set(patterns, re2_budget(sum(map(len, patterns)), self._re2_cap))

    # -- matching -------------------------------------------------------------------------------

    def match_many(self, items: Sequence[Item]) -> list[RuleSetMatch]:
        """`[self.match(item) for item in items]`, with each field view scanned batch-wide.

        The views are computed for the whole batch; the token gate (or, for a view that has
        none, the automaton over the batch's texts joined into one) and each view's RE2 set,
        over chunks of joined texts (`_batch`), mark the items a text check may match; only
        those are matched one by one, the others provably match no text check. A rule set
        with rules that fire without a text check (conditions only, negated checks,
        unfiltered fallback regexes) matches every item one by one.

        Args:
            items: The items.

        Returns:
            One result per item, in order, each equal to `match(item)`.
        """
        columns = self._batch_views(items)
        if self._always:
            marked: set[int] | range = range(len(items))
        else:
            marked = self._batch_marks(columns, len(items))
        out = [_NO_HITS] * len(items)
        keys = tuple(columns)
        for i in marked:
            views = {key: columns[key][i] for key in keys}
            out[i] = self._match(items[i], views)
        return out

    def _batch_views(self, items: Sequence[Item]) -> dict[HayKey, list[str | None]]:
        """Each scanned field view of every item: `_derive_view`, a batch at a time."""
        columns: dict[HayKey, list[str | None]] = {}
        for name, wanted in self._scan_fields:
            raws = [field_value(item, name) for item in items]
            columns[(name, "raw")] = raws
            for view in wanted:
                _batch_view(name, view, columns)
        return columns

    def _batch_marks(self, columns: dict[HayKey, list[str | None]], size: int) -> set[int]:
        """The items some text check may match: the automaton, exact lookups, RE2 sets."""
        marked: set[int] = set()
        for key in self._ac_gates:
            gate = self._ac_gates[key]
            if gate is not None:  # the token gate, item by item: cheaper than the automaton
                may_match = gate.may_match
                marked.update(i for i, text in enumerate(columns[key]) if text and may_match(text))
            else:
                texts = [text or "" for text in columns[key]]
                automaton_marks(self._automaton, texts, _payload_of(key), marked)
        for (key, mode), table in self._exact.items():
            for i, text in enumerate(columns[key]):
                if text is None:
                    continue
                start, end = (0, len(text)) if mode == "full-exact" else _strip_non_word(text)
                if text[start:end] in table:
                    marked.add(i)
        for key in self._re2_sets:
            texts = [text or "" for text in columns[key]]
            batch_set = self._batch_sets.get(key)
            if batch_set is None:
                marked.update(i for i, text in enumerate(texts) if text)
            else:
                re2_marks(batch_set, texts, marked)
        return marked

    def match(self, item: Item) -> RuleSetMatch:
        """The rules that fire on an item.

        Args:
            item: The item.

        Returns:
            The rules that fired (in rule-set order), or an error when a fallback regex timed out.
        """
        return self._match(item, {})

    def _match(self, item: Item, views: dict[HayKey, str | None]) -> RuleSetMatch:
        """`match`, with `views` holding the field views computed so far."""
        pending: _Pending = {}
        found = self._scan(item, views, pending)
        if not found and not pending and not self._always:
            return _NO_HITS  # the common case: nothing matched at all
        check_rule = self._check_rule
        candidates = {check_rule[c] for c in found}
        candidates.update(check_rule[c] for c in pending)
        candidates.update(self._always)
        hits: list[RuleHit] = []
        groups_fired: set[str] = set()
        for rule_index in sorted(candidates):
            compiled = self._rules[rule_index]
            if not compiled.rule.enabled:
                continue
            gate_hit = True
            for check_index in compiled.gate:
                if check_index not in found and check_index not in pending:
                    gate_hit = False
                    break
            if not gate_hit:
                continue
            if compiled.simple and not any(
                c in pending for c in compiled.gate
            ):  # nothing to check beyond the gate
                raw = [span for c in compiled.gate for span in found[c]]
            else:
                try:
                    fired, _, raw = self._evaluate(
                        compiled, item, views, found, pending, explain=False
                    )
                except TimeoutError as exc:
                    return RuleSetMatch(error=self._timeout_message(compiled.rule, exc))
                if not fired:
                    continue
            group = compiled.rule.exclusive_group
            if group is not None:
                if group in groups_fired:
                    continue  # an earlier rule of its exclusive group fired
                groups_fired.add(group)
            spans = _spans(raw, views)
            hits.append(RuleHit(compiled.rule, compiled.policy, compiled.action, spans))
        if self._has_approvals:
            acting, overridden = apply_approvals(hits)
            return RuleSetMatch(
                hits=tuple(acting),
                overridden=tuple(overridden.items()),
                approving=tuple(rule.id for rule in active_approvers(hits)),
                overridden_hits=tuple(h for h in hits if h.rule.id in overridden),
            )
        return RuleSetMatch(hits=tuple(hits))

    def explain(self, item: Item) -> list[RuleExplanation]:
        """Evaluate every rule on an item and say why each fired or did not.

        Args:
            item: The item.

        Returns:
            One explanation per rule, in rule-set order.
        """
        views: dict[HayKey, str | None] = {}
        pending: _Pending = {}
        found = self._scan(item, views, pending)
        out: list[RuleExplanation] = []
        first_of_group: dict[str, str] = {}
        for compiled in self._rules:
            rule = compiled.rule
            try:
                fired, reason, raw = self._evaluate(
                    compiled, item, views, found, pending, explain=True
                )
            except TimeoutError as exc:
                message = self._timeout_message(rule, exc)
                out.append(RuleExplanation(rule.id, False, message, timed_out=True))
                continue
            spans = _spans(raw, views)
            if fired:
                reason = "matched " + "; ".join(s.describe() for s in spans) if spans else reason
            if not rule.enabled:
                fired, reason = False, "disabled"
            group = rule.exclusive_group
            if fired and group is not None:
                if group in first_of_group:
                    fired = False
                    reason = (
                        f"would fire, but {first_of_group[group]} of exclusive group "
                        f"{group!r} fired first ({reason})"
                    )
                else:
                    first_of_group[group] = rule.id
            out.append(RuleExplanation(rule.id, fired, reason, spans))
        if self._has_approvals:
            out = _explain_approvals(out, self.ruleset)
        return out

    def view(self, item: Item, field_name: str, normalized: bool = True) -> str | None:
        """A field as the rules read it (normalized, or lower-cased raw)."""
        return self._view(item, (field_name, "norm" if normalized else "lower"), {})

    def _timeout_message(self, rule: Rule, exc: TimeoutError) -> str:
        if isinstance(exc, FallbackUnavailable):
            return f"rule {rule.id!r}: {exc}"
        limit = self.ruleset.regex_timeout_ms
        return f"rule {rule.id!r}: fallback regex timed out after {limit:g} ms"

    def _view(self, item: Item, key: HayKey, views: dict[HayKey, str | None]) -> str | None:
        if key in views:
            return views[key]
        raw = field_value(item, key[0])
        value = None if raw is None else _derive_view(raw, key, views)
        views[key] = value
        return value

    def _scan(
        self, item: Item, views: dict[HayKey, str | None], pending: _Pending
    ) -> dict[int, list[RawSpan]]:
        """Run the automaton, exact lookups and the RE2 sets; raw spans by check index.

        Fallback regexes whose RE2 prefilter matched are not run here: they go to `pending`,
        and run only for a rule whose item conditions and other checks hold.
        """
        found: dict[int, list[RawSpan]] = {}
        for name, wanted in self._scan_fields:
            raw = field_value(item, name)
            for view in wanted:
                key = (name, view)
                if key not in views:
                    views[key] = None if raw is None else _derive_view(raw, key, views)
        for key, gate in self._ac_gates.items():
            text = views[key]
            if text and (gate is None or gate.may_match(text)):
                self._scan_literals(text, key, found)
        for (key, mode), table in self._exact.items():
            text = views[key]
            if text is None:
                continue
            start, end = (0, len(text)) if mode == "full-exact" else _strip_non_word(text)
            for check_index in table.get(text[start:end], ()):
                found.setdefault(check_index, []).append((key, start, end))
        for key, sets in self._re2_sets.items():
            text = views[key]
            if text is None:
                continue
            for re2_set, indexes in sets:
                for local in cast(list[int], re2_set.Match(text) or ()):
                    index = indexes[local]
                    check_index, _, compiled = self._re2[index]
                    if check_index < 0:  # a fallback pattern whose relaxed form matched
                        # Confirmed only once the rule's cheap checks hold (`_evaluate`).
                        real_check = self._prefiltered[index][0]
                        pending.setdefault(real_check, []).append((index, key, text))
                        continue
                    m = compiled.search(text)
                    if m is not None:
                        mode = self._checks[check_index].spec.match
                        found.setdefault(check_index, []).append(
                            _regex_span(key, mode, text, *m.span())
                        )
        return found

    def _scan_literals(self, text: str, key: HayKey, found: dict[int, list[RawSpan]]) -> None:
        size = len(text)
        for end_index, payload in self._automaton.iter(text):
            for payload_key, check_index, mode, length, word_start, word_end in payload:
                if payload_key != key:
                    continue
                start = end_index - length + 1
                end = end_index + 1
                if mode == "includes-word":
                    if (
                        word_start
                        and start
                        and (text[start - 1].isalnum() or text[start - 1] == "_")
                    ):
                        continue
                    if word_end and end < size and (text[end].isalnum() or text[end] == "_"):
                        continue
                elif mode == "starts-with":
                    if start != 0:
                        continue
                elif mode == "ends-with" and end != size:
                    continue
                spans = found.get(check_index)
                if spans is None:
                    found[check_index] = [(key, start, end)]
                elif len(spans) < _MAX_SPANS:
                    spans.append((key, start, end))

    def _evaluate(
        self,
        compiled: _CompiledRule,
        item: Item,
        views: dict[HayKey, str | None],
        found: dict[int, list[RawSpan]],
        pending: _Pending,
        *,
        explain: bool,
    ) -> tuple[bool, str, list[RawSpan]]:
        """Cheap checks first, then fallback regexes (which may time out).

        Item and author conditions, then the checks RE2 and the automaton decided, and only
        then the fallback engine, so a timeout can only touch items the rule applies to.
        """
        rule = compiled.rule
        if compiled.has_conditions:
            failed = _failed_item_condition(rule, item)
            if failed:
                return False, failed, []
        spans: list[RawSpan] = []
        for check in sorted(compiled.checks, key=lambda c: bool(c.fallbacks) or c.index in pending):
            matched = found.get(check.index)
            if matched is None and check.index in pending:
                for index, key, text in pending[check.index]:
                    self._confirm_fallback(index, key, text, found)
                matched = found.get(check.index)
            if matched is None and check.fallbacks:
                matched = self._run_fallbacks(check, item, views)
            if check.spec.negate:
                if matched:
                    where = _spans(matched[:1], views)[0].describe() if explain else ""
                    return (
                        False,
                        f"negated check matched: {_describe_check(check.spec)} ({where})",
                        [],
                    )
            elif not matched:
                return False, f"no match: {_describe_check(check.spec)}" if explain else "", []
            else:
                spans.extend(matched)
        return True, "conditions hold", spans

    def _confirm_fallback(
        self, index: int, key: HayKey, text: str, found: dict[int, list[RawSpan]]
    ) -> None:
        check_index, _, pattern = self._prefiltered[index]
        m = pattern.search(text, timeout=self._timeout)
        if m is not None:
            mode = self._checks[check_index].spec.match
            found.setdefault(check_index, []).append(_regex_span(key, mode, text, *m.span()))

    def _run_fallbacks(
        self, check: _Check, item: Item, views: dict[HayKey, str | None]
    ) -> list[RawSpan] | None:
        for key, pattern, _ in check.fallbacks:
            text = self._view(item, key, views)
            if text is None:
                continue
            m = pattern.search(text, timeout=self._timeout)
            if m is not None:
                return [_regex_span(key, check.spec.match, text, *m.span())]
        return None


def _explain_approvals(out: list[RuleExplanation], ruleset: RuleSet) -> list[RuleExplanation]:
    rules = {rule.id: rule for rule in ruleset.rules}
    fired = [(e, rules[e.rule_id]) for e in out if e.fired]
    _, overridden = apply_approvals([_Fired(rule) for _, rule in fired])
    if not overridden:
        return out
    return [
        RuleExplanation(
            e.rule_id,
            False,
            f"fired, but approval rule {overridden[e.rule_id]} overrides it ({e.reason})",
            e.spans,
            overridden_by=overridden[e.rule_id],
        )
        if e.rule_id in overridden
        else e
        for e in out
    ]


@dataclass(frozen=True, slots=True)
class _Fired:
    rule: Rule


def _derive_view(raw: str, key: HayKey, views: dict[HayKey, str | None]) -> str:
    """A view of a field's text `raw` (recording the regexes' view a literal view derives from).

    `raw`: as written; `rx_lower`: lower-cased; `rx_norm`: normalized (free text) or
    lower-cased (other fields); `norm` and `lower`: the case-folded form of `rx_norm` and
    `rx_lower`.
    """
    name, view = key
    if view == "raw":
        return raw
    if view in ("norm", "lower"):
        source = (name, _REGEX_VIEW[view])
        unfolded = views.get(source)
        if unfolded is None:
            unfolded = _derive_view(raw, source, views)
            views[source] = unfolded
        # Already lower-cased: folding an ASCII text changes nothing.
        return unfolded if unfolded.isascii() else casefold_text(unfolded)
    if view == "rx_lower" or name not in FREE_TEXT_FIELDS:
        return raw.lower()
    return normalize_text(raw).text


def _payload_of(key: HayKey) -> Callable[[tuple[Any, ...]], bool]:
    """Whether an automaton payload has an entry for the field view `key`."""

    def wanted(payload: tuple[Any, ...]) -> bool:
        return any(entry[0] == key for entry in payload)

    return wanted


def _batch_view(name: str, view: str, columns: dict[HayKey, list[str | None]]) -> None:
    """`_derive_view` for every item of a batch at once; `columns` holds `(name, "raw")`."""
    key = (name, view)
    if key in columns:
        return
    raws = columns[(name, "raw")]
    if view in ("norm", "lower"):
        source = _REGEX_VIEW[view]
        _batch_view(name, source, columns)
        columns[key] = [
            t if t is None or t.isascii() else casefold_text(t) for t in columns[(name, source)]
        ]
    elif view == "rx_lower" or name not in FREE_TEXT_FIELDS:
        columns[key] = [None if r is None else r.lower() for r in raws]
    else:
        columns[key] = [None if r is None else normalize_text(r).text for r in raws]


def _spans(raw: list[RawSpan], views: dict[HayKey, str | None]) -> tuple[MatchSpan, ...]:
    out: list[MatchSpan] = []
    for key, start, end in raw:
        text = views.get(key) or ""
        out.append(MatchSpan(key[0], _VIEW_NAMES[key[1]], start, end, text[start:end]))
    return tuple(out)


def _re2_compiles(pattern: str, budget: int = _RE2_DEFAULT_MEMORY) -> bool:
    import re2

    try:
        re2.compile(pattern, _re2_options(budget))
    except re2.error:
        return False
    return True


_PLAIN_RUN = re.compile(r"[^\\\[(]+")
"""Characters `relax_for_re2` copies as they are: all but `\\`, `[` and `(`."""


def relax_for_re2(pattern: str, removed: list[str] | None = None) -> str | None:
    """A pattern that matches wherever `pattern` does, with the constructs RE2 lacks removed.

    Lookarounds are dropped and backreferences become `(?s:.*)`; both only loosen the pattern,
    so the result matches a superset and serves as an RE2 prefilter: the fallback engine then
    runs only on fields the relaxed pattern matched.

    Args:
        pattern: A regex in Python `regex` syntax.
        removed: Where given, each lookaround and backreference taken out is appended to it.

    Returns:
        The relaxed pattern, or None when the pattern cannot be taken apart safely.
    """
    out: list[str] = []
    i, size = 0, len(pattern)
    while i < size:
        plain = _PLAIN_RUN.match(pattern, i)
        if plain is not None:  # a run of characters kept as they are, in one step
            out.append(plain.group())
            i = plain.end()
            continue
        char = pattern[i]
        if char == "\\":
            following = pattern[i + 1 : i + 2]
            if following.isdigit() and following != "0":
                j = i + 1
                while j < size and pattern[j].isdigit():
                    j += 1
                if removed is not None:
                    removed.append(pattern[i:j])
                out.append("(?s:.*)")
                i = j
                continue
            if following in ("g", "k") and pattern[i + 2 : i + 3] in ("<", "{"):
                close = pattern.find(">" if pattern[i + 2] == "<" else "}", i + 3)
                if close < 0:
                    return None
                if removed is not None:
                    removed.append(pattern[i : close + 1])
                out.append("(?s:.*)")
                i = close + 1
                continue
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "[":
            end = _class_end(pattern, i)
            if end < 0:
                return None
            out.append(pattern[i : end + 1])
            i = end + 1
            continue
        if pattern.startswith(LOOKAROUNDS, i):
            end = _group_end(pattern, i)
            if end < 0:
                return None
            if removed is not None:
                removed.append(pattern[i : end + 1])
            i = end + 1
            continue
        if pattern.startswith("(?P=", i):
            close = pattern.find(")", i)
            if close < 0:
                return None
            if removed is not None:
                removed.append(pattern[i : close + 1])
            out.append("(?s:.*)")
            i = close + 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _class_end(pattern: str, start: int) -> int:
    i = start + 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":
        i += 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "]":
            return i
        i += 1
    return -1


def _group_end(pattern: str, start: int) -> int:
    depth = 0
    i = start
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(pattern, i)
            if i < 0:
                return -1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _re2_reason(exc: Exception) -> str:
    message = exc.args[0] if exc.args else exc
    if isinstance(message, bytes):
        return message.decode("utf-8", "replace")
    return str(message)


def _describe_check(check: TextCheck) -> str:
    kind = "regex" if check.regex else check.match
    values = ", ".join(repr(v) for v in check.values[:3])
    more = f" (+{len(check.values) - 3})" if len(check.values) > 3 else ""
    return f"{kind} [{values}{more}] in {'/'.join(check.fields)} ({check.match_on})"


def _failed_item_condition(rule: Rule, item: Item) -> str | None:
    """The first item or author condition that fails, or None when all hold."""
    if rule.communities and item.community not in rule.communities:
        return f"community {item.community!r} not in {list(rule.communities)}"
    if rule.exclude_communities and item.community in rule.exclude_communities:
        return f"community {item.community!r} is excluded"
    if rule.kinds and item.kind not in rule.kinds:
        return f"kind {item.kind!r} not in {list(rule.kinds)}"
    if rule.exclude_kinds and item.kind in rule.exclude_kinds:
        return f"kind {item.kind!r} is excluded"
    if rule.text_length is not None:
        length = len(item.text)
        if not rule.text_length.holds(length):
            return f"text length {length} is not {rule.text_length}"
    if rule.moderators_exempt and item.author is not None and item.author.is_moderator:
        return "the author is a moderator (moderators are exempt)"
    if rule.reports is not None:
        reports = item.meta.get("reports")
        if not isinstance(reports, int) or isinstance(reports, bool):
            return "number of reports unknown"
        if not rule.reports.holds(reports):
            return f"{reports} reports is not {rule.reports}"
    if rule.body_length:
        start, end = _strip_non_word(item.body)
        for comparison in rule.body_length:
            if not comparison.holds(end - start):
                return f"body length {end - start} is not {comparison}"
    if rule.is_edited is not None or rule.is_top_level is not None or rule.parent_post is not None:
        failed = failed_context_condition(rule, item)
        if failed:
            return failed
    if rule.author is not None:
        return _failed_author_condition(rule, item)
    return None


def _failed_author_condition(rule: Rule, item: Item) -> str | None:
    conditions = rule.author
    assert conditions is not None
    author = item.author
    results: list[tuple[str, bool]] = []
    thresholds: list[tuple[str, bool]] = []
    for name, comparison in conditions.thresholds().items():
        observed = getattr(author, name, None) if author is not None else None
        ok = observed is not None and comparison.holds(float(observed))
        thresholds.append((f"author {name} {observed!r} {comparison}", ok))
    if thresholds:
        if conditions.satisfy_any_threshold:
            ok = any(r for _, r in thresholds)
            results.append(("; ".join(d for d, _ in thresholds) + " (any)", ok))
        else:
            results.extend(thresholds)
    if conditions.is_submitter is not None:
        submitter = True if item.kind == "post" else item.meta.get("is_submitter")
        observed_submitter = submitter if isinstance(submitter, bool) else None
        results.append(
            (
                f"author is_submitter is {observed_submitter!r}, wanted {conditions.is_submitter}",
                observed_submitter is conditions.is_submitter,
            )
        )
    for name in ("is_moderator", "is_contributor"):
        wanted = getattr(conditions, name)
        if wanted is not None:
            observed = getattr(author, name, None) if author is not None else None
            results.append((f"author {name} is {observed!r}, wanted {wanted}", observed is wanted))
    if conditions.contributor_quality is not None:
        quality = author.contributor_quality if author is not None else None
        wanted_quality = conditions.contributor_quality
        results.append(
            (
                f"author contributor_quality {quality!r} {wanted_quality}",
                quality is not None and wanted_quality.holds(quality),
            )
        )
    if conditions.flair:
        flair = (author.flair or "") if author is not None else ""
        wanted_flairs = {f.lower() for f in conditions.flair}
        results.append((f"author flair {flair!r}", flair.lower() in wanted_flairs))
    holds = all(ok for _, ok in results)
    if conditions.negate:
        return "negated author conditions hold" if holds else None
    if holds:
        return None
    return next(f"{description}: no" for description, ok in results if not ok)


def compile_ruleset(ruleset: RuleSet, source: str | None = None) -> CompiledRuleSet:
    """Compile a rule set for matching.

    Args:
        ruleset: A validated rule set.
        source: Where it came from (a file path), for messages.

    Returns:
        The compiled rule set, with its `report`.

    Raises:
        RuleSetCompileError: Some values cannot be compiled (every problem is listed).
    """
    return CompiledRuleSet(ruleset, source)
