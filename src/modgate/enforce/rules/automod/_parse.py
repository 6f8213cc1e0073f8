"""Read an AutoModerator configuration (YAML, `---`-separated rules) into typed records.

Faithful to how AutoModerator reads its wiki page: the text is split on lines starting with
`---`, each section is loaded on its own (so anchors and aliases work within a rule, not across
rules), sections that are not mappings (comments, blank) are ignored, keys are lower-cased, a
duplicated key keeps its last value. Unlike AutoModerator, one broken section never rejects the
whole file: it is reported with its line and the rest is read.

PyYAML's composer is used directly (instead of `safe_load`) to keep the line of every key and to
see duplicated keys, which `safe_load` silently collapses; it is `modgate.authoring`'s bounded one,
so a section whose aliases expand past the limits is reported invalid in milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from modgate.authoring import (
    BoundedSafeLoader,
    DocumentLimitError,
    FastBoundedSafeLoader,
    compose_unaliased,
)
from modgate.domain import Effect
from modgate.enforce.rules.automod._match import (
    SUBMISSION_ONLY_ACTIONS,
    automod_flags,
    automod_pattern,
)
from modgate.enforce.rules.automod._model import (
    MATCH_METHODS,
    AutomodAction,
    AutomodAuthor,
    AutomodConfig,
    AutomodDocument,
    AutomodParent,
    AutomodRule,
    AutomodSearch,
    AutomodThreshold,
    Comparison,
    MatchMethod,
    ThresholdName,
    Unsupported,
)
from modgate.enforce.rules.automod._standards import STANDARD_CONDITIONS, standard_source
from modgate.errors import ValidationError

_SECTION_START = re.compile(r"^---", re.MULTILINE)

# AutoModerator's key syntax: `~field+field#n (modifier, modifier)`; spaces around `+` are
# accepted as the current AutoModerator accepts them.
_SEARCH_KEY = re.compile(r"^(~?[^\s(+]+(?:\s*\+\s*[^\s(+]+)*)\s*(?:\((.*)\))?$")

SUBMISSION_FIELDS = frozenset(
    {
        "id",
        "title",
        "domain",
        "url",
        "body",
        "media_author",
        "media_author_url",
        "media_title",
        "media_description",
        "flair_text",
        "flair_css_class",
        "flair_template_id",
    }
)
COMMENT_FIELDS = frozenset({"id", "body"})
ACCOUNT_FIELDS = frozenset({"id", "name", "flair_text", "flair_css_class", "flair_template_id"})
_ALL_FIELDS = SUBMISSION_FIELDS | COMMENT_FIELDS | ACCOUNT_FIELDS

_FIELD_DEFAULT_METHOD: dict[str, MatchMethod] = {
    "id": "full-exact",
    "url": "includes",
    "media_author": "full-exact",
    "media_author_url": "includes",
    "flair_text": "full-exact",
    "flair_css_class": "full-exact",
    "flair_template_id": "full-exact",
}
_MODIFIERS = frozenset(MATCH_METHODS) | {"regex", "case-sensitive"}

_TYPES = {"any", "submission", "comment", "text submission", "link submission"}
_UNREPRESENTABLE_TYPES = {
    "crosspost submission",
    "poll submission",
    "gallery submission",
    "video submission",
    "image submission",
}
_ACTIONS = {"approve", "remove", "spam", "filter", "report"}

# Rule-level keys that only shape a side effect (comment, message, modmail) or flair.
_SIDE_EFFECTS = {"comment", "modmail", "message", *SUBMISSION_ONLY_ACTIONS}
_SIDE_EFFECT_OPTIONS = {
    "comment_stickied",
    "comment_locked",
    "modmail_subject",
    "message_subject",
    "overwrite_flair",
}
# Checks AutoModerator documents that a modgate item cannot answer.
_UNSUPPORTED_CHECKS: dict[str, str] = {
    "is_original_content": "modgate items do not carry Reddit's OC mark",
    "is_poll": "modgate items do not say whether a post is a poll",
    "is_gallery": "modgate items do not say whether a post is a gallery",
    "is_meta_discussion": "modgate items do not carry Reddit's meta-discussion mark",
    "crosspost_author": "checks on a crosspost's original author are not available",
    "crosspost_subreddit": "checks on a crosspost's original subreddit are not available",
    "discussion_type": "modgate items do not carry Reddit's discussion type",
}
_BOOL_EFFECTS = (
    "set_locked",
    "set_sticky",
    "set_nsfw",
    "set_spoiler",
    "set_contest_mode",
    "set_original_content",
)
_SUGGESTED_SORTS = ("confidence", "top", "new", "controversial", "old", "random", "qa", "live")
_DEFAULT_SUBJECT = "AutoModerator notification"
_QUALITY = re.compile(r"^\s*(?P<op><=|>=|==?|<|>)?\s*(?P<band>[a-z]+)\s*$")
_QUALITY_BANDS = ("lowest", "low", "moderate", "high", "highest")
_AUTHOR_UNSUPPORTED: dict[str, str] = {
    "is_gold": "modgate authors do not record Reddit Premium",
    "has_verified_email": "modgate authors do not record e-mail verification",
    "is_banned": "modgate authors do not record site-wide bans",
}
_THRESHOLDS: dict[str, ThresholdName] = {
    "account_age": "account_age",
    "comment_karma": "comment_karma",
    "post_karma": "post_karma",
    "link_karma": "post_karma",
    "combined_karma": "combined_karma",
}
_OPERATOR = r"(?P<op><=|>=|==?|<|>)?"
_INT_THRESHOLD = re.compile(rf"^\s*{_OPERATOR}\s*(?P<num>-?\d+)\s*$")
_PERIOD_THRESHOLD = re.compile(
    rf"^\s*{_OPERATOR}\s*(?P<num>\d+)\s*(?P<unit>(?:minute|hour|day|week|month|year)s?)?\s*$",
    re.IGNORECASE,
)
# Length of each unit in days (AutoModerator's interval parser: a month is 30 days, a year 365).
_UNIT_DAYS = {
    "minute": 1 / 1440,
    "hour": 1 / 24,
    "day": 1.0,
    "week": 7.0,
    "month": 30.0,
    "year": 365.0,
}
_TYPOGRAPHIC_QUOTES = "“”„‟‘’‚‛«»"


class _RuleError(Exception):
    """A section AutoModerator itself would refuse (reported, never raised to callers)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class _Entry:
    key: str
    value: Any
    line: int
    node: Node
    own: bool = True


@dataclass
class _Notes:
    unsupported: list[Unsupported] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    own_keys: dict[int, set[int]] = field(default_factory=dict)
    """Key nodes written in each mapping (before merges), by mapping node id."""

    def record_own_keys(self, node: Node) -> None:
        """Remember every mapping's own keys before construction flattens merges in place."""
        pending = [node]
        seen: set[int] = set()
        while pending:
            current = pending.pop()
            if id(current) in seen:
                continue  # aliases can make the node graph cyclic
            seen.add(id(current))
            if isinstance(current, MappingNode):
                self.own_keys[id(current)] = {id(key) for key, _ in current.value}
                pending.extend(value for _, value in current.value)
            elif isinstance(current.value, list):
                pending.extend(child for child in current.value if isinstance(child, Node))

    def unsupported_at(self, key: str, line: int, reason: str) -> None:
        self.unsupported.append(Unsupported(key=key, line=line, reason=reason))


MAX_CONFIG_BYTES = 64 << 20
"""The largest AutoModerator config read (64 MB; a reddit wiki page holds far less). Each
section is also bounded by `modgate.authoring`'s limits (size, nodes, aliases, depth)."""


def read_automod_config(path: Path) -> AutomodConfig:
    """Read and parse an AutoModerator configuration file.

    Args:
        path: The file (UTF-8, as copied from the subreddit's `config/automoderator` wiki page).

    Returns:
        The parsed configuration; broken sections are part of it, marked `invalid`.

    Raises:
        ValidationError: The file cannot be read, is larger than `MAX_CONFIG_BYTES` or is not
            UTF-8 text.
    """
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ValidationError(
                f"{path}: the AutoModerator config is {size:,} bytes, more than the "
                f"{MAX_CONFIG_BYTES:,} this importer reads",
                hint="split it and import each part on its own",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"{path}: cannot read AutoModerator config: {exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{path}: not UTF-8 text (byte {exc.start})",
            hint="save the config from the wiki page as UTF-8",
        ) from exc
    return parse_automod_config(text, path=str(path))


_YAML_LINE_BREAKS = ("\r\n", "\r", "\x85", "\u2028", "\u2029")


def normalize_line_breaks(text: str) -> str:
    """Turn every character YAML 1.1 (PyYAML, like AutoModerator) reads as a line break into LF.

    PyYAML breaks lines at CR, NEL, LS and PS too; doing the same before splitting sections keeps
    the YAML meaning and makes every reported line number agree with YAML's own.
    """
    for line_break in _YAML_LINE_BREAKS:
        text = text.replace(line_break, "\n")
    return text


def parse_automod_config(text: str, *, path: str = "<automoderator>") -> AutomodConfig:
    """Parse AutoModerator configuration text; never raises on bad content.

    Args:
        text: The configuration (all rules, `---`-separated).
        path: Name used in messages.

    Returns:
        One `AutomodDocument` per section, in order: a rule, ignored or invalid (with reason).
    """
    text = normalize_line_breaks(text)
    starts = [0] + [match.end() for match in _SECTION_START.finditer(text)]
    bounds = [m.start() for m in _SECTION_START.finditer(text)] + [len(text)]
    documents = []
    lines_before, counted = 0, 0  # line breaks before `counted`, kept up to date (not O(n²))
    for index, (start, end) in enumerate(zip(starts, bounds, strict=True), start=1):
        lines_before += text.count("\n", counted, start)
        counted = start
        documents.append(_parse_section(text, start, end, index, lines_before))
    return AutomodConfig(path=path, documents=tuple(documents))


def _parse_section(
    text: str, start: int, end: int, index: int, lines_before: int
) -> AutomodDocument:
    raw = text[start:end]
    section = raw.strip("\n")
    offset = lines_before + (len(raw) - len(raw.lstrip("\n")))
    first_line, first_offset = _first_line(section)
    line = offset + first_offset + 1
    base = {"index": index, "line": line, "first_line": first_line, "source": section}
    if not first_line:
        return AutomodDocument(**base, status="ignored", reason="empty section")
    loader: yaml.SafeLoader | None = None
    try:
        loader, node = _compose_section(section)  # PyYAML's reading, alias bombs refused
        if not isinstance(node, MappingNode):
            what = "comments only" if node is None else "not a mapping of keys to values"
            return AutomodDocument(
                **base, status="ignored", reason=f"{what}: AutoModerator ignores it"
            )
        rule = _build_rule(loader, node, offset)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        at = offset + mark.line + 1 if mark is not None else line
        problem = getattr(exc, "problem", None) or str(exc)
        hint = ""
        if "'\\t'" in str(exc):
            hint = (
                " (PyYAML, which AutoModerator uses, accepts no tab for indentation or "
                "between a key and its value: use spaces)"
            )
        return AutomodDocument(
            **{**base, "line": at},
            status="invalid",
            reason=f"YAML error at line {at}: {problem}{hint}",
        )
    except _RuleError as exc:
        return AutomodDocument(**{**base, "line": exc.line}, status="invalid", reason=exc.message)
    except (ValueError, TypeError, RecursionError) as exc:  # pathological YAML values
        return AutomodDocument(**base, status="invalid", reason=f"unreadable rule: {exc}")
    finally:
        if loader is not None:
            loader.dispose()
    return AutomodDocument(**base, status="rule", rule=rule)


def _compose_section(section: str) -> tuple[yaml.SafeLoader, Node | None]:
    """Compose a section with libyaml; on a syntax error, PyYAML's own says why.

    A section without aliases is composed by libyaml's own composer (`compose_unaliased`,
    which checks the result against the limits); one with aliases by the bounded composer over
    libyaml's events, which prices every alias as it composes.

    libyaml and PyYAML disagree on a few edge cases and PyYAML (what AutoModerator ran) has
    the reference messages, so a section libyaml refuses is read again by PyYAML, whose
    verdict stands; so is a section with a tab (which libyaml accepts in places PyYAML does
    not). A differential test compares both paths on generated sections. Limits are the same
    composer's on both paths.
    """
    loader: yaml.SafeLoader
    if "\t" not in section:  # libyaml accepts tabs where PyYAML refuses them: PyYAML reads those
        try:
            # No alias in the section: libyaml's own composer gives the same nodes, faster.
            native = compose_unaliased(section, BoundedSafeLoader, BoundedSafeLoader.limits)
            if native is not None:
                return native
            loader = FastBoundedSafeLoader(section)
            try:
                return loader, loader.get_single_node()
            except BaseException:
                loader.dispose()
                raise
        except DocumentLimitError:
            raise
        except yaml.YAMLError:
            pass  # PyYAML's reading below says why
    loader = BoundedSafeLoader(section)
    try:
        return loader, loader.get_single_node()
    except BaseException:
        loader.dispose()
        raise


def _first_line(section: str) -> tuple[str, int]:
    """The first non-blank line (a rule's comment or first key) and its line offset."""
    for number, line in enumerate(section.split("\n")):
        if line.strip():
            return line.strip()[:200], number
    return "", 0


def _entries(
    loader: yaml.SafeLoader, node: MappingNode, offset: int, notes: _Notes
) -> list[_Entry]:
    """Keys (lower-cased) of a mapping with values and lines; the last duplicate wins."""
    own_ids = notes.own_keys.get(id(node)) or {id(key_node) for key_node, _ in node.value}
    loader.flatten_mapping(node)  # resolves `<<: *anchor` merges
    merged_pairs = node.value
    found: dict[str, _Entry] = {}
    for key_node, value_node in merged_pairs:
        key = loader.construct_object(key_node, deep=True)
        line = offset + key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise _RuleError(f"key {key!r} at line {line} is not text", line)
        key = key.strip().lower()
        own_key = id(key_node) in own_ids
        if key in found and own_key and found[key].own:
            notes.warnings.append(
                f"line {line}: `{key}` is given twice (line {found[key].line} and here); "
                "AutoModerator keeps the last one"
            )
        value = loader.construct_object(value_node, deep=True)
        found[key] = _Entry(key=key, value=value, line=line, node=value_node, own=own_key)
    return list(found.values())


def _build_rule(loader: yaml.SafeLoader, node: MappingNode, offset: int) -> AutomodRule:
    standard = _merge_standard(node, offset)
    notes = _Notes()
    notes.record_own_keys(node)
    values: dict[str, Any] = {}
    searches: list[AutomodSearch] = []
    side_effects: list[str] = []
    other_checks: list[str] = []
    author: AutomodAuthor | None = None
    not_author: _Entry | None = None
    author_entry: _Entry | None = None
    effect_values: dict[str, tuple[Any, int]] = {}
    for entry in _entries(loader, node, offset, notes):
        key, value, line = entry.key, entry.value, entry.line
        if key == "type":
            values["type"] = _rule_type(value, line, notes)
            values["type_given"] = True
        elif key == "priority":
            values["priority"] = _typed(key, value, int, line)
        elif key == "moderators_exempt":
            values["moderators_exempt"] = _typed(key, value, bool, line)
        elif key == "action":
            if value not in _ACTIONS:
                raise _RuleError(
                    f"line {line}: invalid value for `action`: {value!r} "
                    f"(expected one of {', '.join(sorted(_ACTIONS))})",
                    line,
                )
            values["action"] = value
        elif key in ("action_reason", "report_reason"):
            if key == "report_reason" and "action_reason" in values:
                continue  # AutoModerator prefers `action_reason` over its alias
            values["action_reason"] = _text(key, value, line, notes)
        elif key in ("reports", "body_longer_than", "body_shorter_than"):
            values[key] = _typed(key, value, int, line)
        elif key == "ignore_blockquotes":
            values[key] = _typed(key, value, bool, line)
        elif key in _SIDE_EFFECTS:
            if value is not None and value != "" and value is not False:
                side_effects.append(key)
            effect_values[key] = (value, line)
        elif key in _SIDE_EFFECT_OPTIONS:
            effect_values[key] = (value, line)
        elif key == "author":
            author_entry = entry
        elif key == "~author":
            not_author = entry
        elif key == "standard" and standard is not None:
            values["standard"] = standard[0]
            notes.warnings.append(standard[1])
        elif key in ("is_edited", "is_top_level"):
            values[key] = _typed(key, value, bool, line)
            other_checks.append(key)
        elif key == "parent_submission":
            parent, from_parent = _parent(loader, entry, offset, notes)
            if parent is not None:
                values["parent"] = parent
                if parent.has_checks:
                    other_checks.append(key)
                if parent.action is not None or from_parent:
                    side_effects.append(key)
            effect_values["_parent"] = (from_parent, line)
        elif key in _UNSUPPORTED_CHECKS:
            other_checks.append(key)
            notes.unsupported_at(key, line, _UNSUPPORTED_CHECKS[key])
        else:
            search = _search(key, value, line, notes, allowed=_ALL_FIELDS - {"name"})
            if search is not None:
                searches.append(search)
    author_effects: list[Effect] = []
    if author_entry is not None or not_author is not None:
        author, author_effects = _author(loader, author_entry, not_author, offset, notes)
        if author_effects:
            side_effects.append("author: set_flair")
    parent_effects: list[Effect] = effect_values.pop("_parent", ([], 0))[0]
    effects = _effects(effect_values, "item") + author_effects + parent_effects
    return AutomodRule(
        **values,
        searches=tuple(searches),
        author=author,
        side_effects=tuple(side_effects),
        effects=tuple(effects),
        other_checks=tuple(other_checks),
        unsupported=tuple(notes.unsupported),
        warnings=tuple(notes.warnings),
    )


def _merge_standard(node: MappingNode, offset: int) -> tuple[str, str] | None:
    """Merge the `standard:` condition the section names into it, as AutoModerator does.

    The standard's keys are defaults: each key the section writes itself (compared as keys
    are, stripped and lower-cased) replaces the standard's key of the same name. The merged
    keys are placed at the `standard:` line, so messages about them point there.

    Returns:
        The standard's name and the note for the import report, or None without `standard:`.

    Raises:
        _RuleError: The value is not one of the standard conditions AutoModerator documents
            (AutoModerator refuses such a rule).
    """
    own = {
        key.value.strip().lower(): (key, value)
        for key, value in node.value
        if isinstance(key, ScalarNode) and isinstance(key.value, str)
    }
    if "standard" not in own:
        return None
    key_node, value_node = own["standard"]
    line = offset + key_node.start_mark.line + 1
    raw = value_node.value if isinstance(value_node, ScalarNode) else None
    name = raw.strip().lower() if isinstance(raw, str) else None
    if name not in STANDARD_CONDITIONS:
        raise _RuleError(
            f"line {line}: invalid value for `standard`: "
            f"{repr(raw) if isinstance(raw, str) else f'a {value_node.id}'} "
            f"(AutoModerator's standard conditions: {', '.join(STANDARD_CONDITIONS)})",
            line,
        )
    assert name is not None
    definition = yaml.compose(standard_source(name), Loader=yaml.SafeLoader)
    assert isinstance(definition, MappingNode)
    added: list[str] = []
    replaced: list[str] = []
    for std_key, std_value in definition.value:
        key = str(std_key.value).strip().lower()
        if key in own:
            replaced.append(key)
            continue
        _place(std_key, key_node)
        _place(std_value, key_node)
        node.value.insert(len(added), (std_key, std_value))
        added.append(key)
    note = (
        f"line {line}: `standard: {name}` is modgate's definition of this standard condition "
        "(modgate's list, not Reddit's wiki page: docs/automod.md#standard-conditions); "
        f"merged as defaults: {', '.join(f'`{k}`' for k in added) or 'nothing'}"
    )
    if replaced:
        note += (
            f"; the section's own {', '.join(f'`{k}`' for k in replaced)} replace the standard's"
        )
    return name, note


def _place(node: Node, at: Node) -> None:
    """Give `node` and everything under it the marks of `at` (a standard's keys, at `standard:`)."""
    pending = [node]
    while pending:
        current = pending.pop()
        current.start_mark, current.end_mark = at.start_mark, at.end_mark
        if isinstance(current, MappingNode):
            pending.extend(part for pair in current.value for part in pair)
        elif isinstance(current, SequenceNode):
            pending.extend(current.value)


def _rule_type(value: Any, line: int, notes: _Notes) -> str:
    if isinstance(value, str) and value in _TYPES:
        return value
    if isinstance(value, str) and value in _UNREPRESENTABLE_TYPES:
        notes.unsupported_at(
            f"type: {value}", line, f"modgate items do not distinguish a {value} from other posts"
        )
        return value
    raise _RuleError(
        f"line {line}: invalid value for `type`: {value!r} "
        f"(expected one of {', '.join(sorted(_TYPES | _UNREPRESENTABLE_TYPES))})",
        line,
    )


def _typed(key: str, value: Any, kind: type, line: int) -> Any:
    ok = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
    if not ok:
        raise _RuleError(
            f"line {line}: invalid value for `{key}`: {value!r} (expected {kind.__name__})", line
        )
    return value


def _text(key: str, value: Any, line: int, notes: _Notes) -> str:
    if not isinstance(value, str):
        raise _RuleError(f"line {line}: invalid value for `{key}`: {value!r} (expected text)", line)
    _warn_quotes(key, [value], line, notes)
    return value


def _warn_quotes(key: str, values: list[str], line: int, notes: _Notes) -> None:
    if any(any(quote in value for quote in _TYPOGRAPHIC_QUOTES) for value in values):
        notes.warnings.append(
            f"line {line}: `{key}` has typographic quotes (“ ” ‘ ’); YAML reads them as part "
            "of the text, so AutoModerator searches for the quote characters too"
        )


def _search(
    key: str, value: Any, line: int, notes: _Notes, *, allowed: frozenset[str]
) -> AutomodSearch | None:
    """A search check, or None when the key is not one (then reported as unsupported)."""
    parsed = _SEARCH_KEY.match(key)
    if parsed is None:
        notes.unsupported_at(key, line, "not a search check or option this importer knows")
        return None
    name = parsed.group(1)
    negated = name.startswith("~")
    fields: list[str] = []
    for part in name.lstrip("~").partition("#")[0].split("+"):
        field_name = part.strip()
        if field_name and field_name not in fields:
            fields.append(field_name)
    unknown = [f for f in fields if f not in _ALL_FIELDS]
    if unknown:
        notes.unsupported_at(
            key, line, f"`{unknown[0]}` is not a field or option this importer knows"
        )
        return None
    misplaced = [f for f in fields if f not in allowed]
    if misplaced and len(misplaced) == len(fields):
        raise _RuleError(f"line {line}: can't search `{key}` here", line)
    modifiers = [m.strip() for m in (parsed.group(2) or "").split(",") if m.strip()]
    for modifier in modifiers:
        if modifier not in _MODIFIERS:
            raise _RuleError(
                f"line {line}: unknown modifier `{modifier}` in `{key}` "
                f"(expected {', '.join(sorted(_MODIFIERS))})",
                line,
            )
    methods = [m for m in modifiers if m in MATCH_METHODS]
    if len(methods) > 1:
        notes.warnings.append(
            f"line {line}: `{key}` names several search methods; AutoModerator uses the first, "
            f"`{methods[0]}`"
        )
    method: MatchMethod
    if methods:
        method = methods[0]
    elif len(fields) == 1:
        method = _FIELD_DEFAULT_METHOD.get(fields[0], "includes-word")
    else:
        method = "includes-word"
    values = _search_values(key, value, line, notes)
    search = AutomodSearch(
        key=key,
        line=line,
        fields=tuple(fields),
        negated=negated,
        method=method,
        method_given=bool(methods),
        regex="regex" in modifiers,
        case_sensitive="case-sensitive" in modifiers,
        values=values,
    )
    if values and search.regex:  # escaped literal values always compile
        try:
            re.compile(automod_pattern(search), automod_flags(search))
        except re.error as exc:
            raise _RuleError(
                f"line {line}: `{key}` has an invalid regular expression: {exc}", line
            ) from exc
    return search


def _search_values(key: str, value: Any, line: int, notes: _Notes) -> tuple[str, ...]:
    if value is None or value == [] or value == "":
        return ()
    items = value if isinstance(value, list) else [value]
    texts: list[str] = []
    for item in items:
        if isinstance(item, bool | int | float) or item is None:
            notes.warnings.append(
                f"line {line}: `{key}` value {item!r} is read by YAML as "
                f"{type(item).__name__}; AutoModerator searches for the text {str(item)!r} "
                "(quote the value to search for it as written)"
            )
        elif not isinstance(item, str):
            notes.warnings.append(
                f"line {line}: `{key}` has a nested {type(item).__name__} value; AutoModerator "
                "searches for its printed form"
            )
        texts.append(str(item))
    _warn_quotes(key, texts, line, notes)
    return tuple(texts)


def _author(
    loader: yaml.SafeLoader,
    entry: _Entry | None,
    not_author: _Entry | None,
    offset: int,
    notes: _Notes,
) -> tuple[AutomodAuthor, list[Effect]]:
    searches: list[AutomodSearch] = []
    thresholds: list[AutomodThreshold] = []
    flags: dict[str, Any] = {}
    effect_values: dict[str, tuple[Any, int]] = {}
    if entry is not None and isinstance(entry.node, MappingNode):
        for sub in _entries(loader, entry.node, offset, notes):
            key, value, line = sub.key, sub.value, sub.line
            if key in _THRESHOLDS:
                thresholds.append(_threshold(_THRESHOLDS[key], key, value, line, notes))
            elif key == "satisfy_any_threshold":
                flags[key] = _typed(key, value, bool, line)
            elif key in ("is_contributor", "is_moderator", "is_submitter"):
                flags[key] = _typed(key, value, bool, line)
            elif key in _AUTHOR_UNSUPPORTED:
                notes.unsupported_at(f"author: {key}", line, _AUTHOR_UNSUPPORTED[key])
            elif key == "contributor_quality":
                flags[key] = _quality(value, line)
            elif key in ("set_flair", "overwrite_flair"):
                effect_values[key] = (value, line)  # the author's flair: an effect, no check
            else:
                search = _search(key, value, line, notes, allowed=ACCOUNT_FIELDS)
                if search is not None:
                    searches.append(search)
    elif entry is not None and isinstance(entry.value, str | list):
        search = _search("name", entry.value, entry.line, notes, allowed=ACCOUNT_FIELDS)
        if search is not None:
            searches.append(search)
    if not_author is not None and isinstance(not_author.value, str | list):
        search = _search("~name", not_author.value, not_author.line, notes, allowed=ACCOUNT_FIELDS)
        if search is not None:
            searches.append(search)
    author = AutomodAuthor(searches=tuple(searches), thresholds=tuple(thresholds), **flags)
    return author, _effects(effect_values, "author")


def _quality(value: Any, line: int) -> tuple[str, str]:
    parsed = _QUALITY.match(str(value).lower()) if isinstance(value, str) else None
    if parsed is None or parsed.group("band") not in _QUALITY_BANDS:
        raise _RuleError(
            f"line {line}: invalid value for `contributor_quality`: {value!r} "
            f'(expected e.g. "< moderate"; bands: {", ".join(_QUALITY_BANDS)})',
            line,
        )
    operator = parsed.group("op") or "="
    return ("=" if operator == "==" else operator, parsed.group("band"))


def _parent(
    loader: yaml.SafeLoader, entry: _Entry, offset: int, notes: _Notes
) -> tuple[AutomodParent | None, list[Effect]]:
    """The `parent_submission` sub-group: checks on the comment's post, actions on it."""
    if not isinstance(entry.node, MappingNode):
        if entry.value:
            raise _RuleError(
                f"line {entry.line}: `parent_submission` must be a group of checks and actions",
                entry.line,
            )
        return None, []
    values: dict[str, Any] = {}
    searches: list[AutomodSearch] = []
    effect_values: dict[str, tuple[Any, int]] = {}
    for sub in _entries(loader, entry.node, offset, notes):
        key, value, line = sub.key, sub.value, sub.line
        if key in ("is_edited",):
            values[key] = _typed(key, value, bool, line)
        elif key in ("reports", "body_longer_than", "body_shorter_than"):
            values[key] = _typed(key, value, int, line)
        elif key == "action":
            if value not in _ACTIONS:
                raise _RuleError(
                    f"line {line}: invalid value for `action`: {value!r} "
                    f"(expected one of {', '.join(sorted(_ACTIONS))})",
                    line,
                )
            values["action"] = value
        elif key in ("action_reason", "report_reason"):
            if key == "report_reason" and "action_reason" in values:
                continue
            values["action_reason"] = _text(key, value, line, notes)
        elif key in (*SUBMISSION_ONLY_ACTIONS, "overwrite_flair"):
            effect_values[key] = (value, line)
        elif key in ("is_top_level", "author", "parent_submission"):
            raise _RuleError(f"line {line}: can't use `{key}` in `parent_submission`", line)
        else:
            search = _search(key, value, line, notes, allowed=SUBMISSION_FIELDS)
            if search is not None:
                searches.append(search)
    parent = AutomodParent(searches=tuple(searches), **values)
    effects = _effects(effect_values, "parent_post")
    if parent.action is not None:
        action: AutomodAction = parent.action
        effects.insert(0, Effect(kind=action, target="parent_post", text=parent.action_reason))
    return parent, effects


def _effects(found: dict[str, tuple[Any, int]], target: str) -> list[Effect]:
    """Declared effects from a rule's (or sub-group's) action keys.

    AutoModerator's defaults (subjects) and value types apply.
    """
    effects: list[Effect] = []
    for kind in ("comment", "modmail", "message"):
        if kind not in found:
            continue
        value, line = found[kind]
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise _RuleError(
                f"line {line}: invalid value for `{kind}`: {value!r} (expected text)", line
            )
        params: dict[str, Any] = {"kind": kind, "text": value}
        if kind == "comment":
            for option, name in (("comment_stickied", "stickied"), ("comment_locked", "locked")):
                if option in found:
                    params[name] = _typed(option, found[option][0], bool, found[option][1])
        else:
            subject_key = f"{kind}_subject"
            subject = found.get(subject_key, (_DEFAULT_SUBJECT, line))
            params["subject"] = _typed(subject_key, subject[0], str, subject[1])
        effects.append(Effect.model_validate(params))
    if "set_flair" in found:
        value, line = found["set_flair"]
        flair = _flair(value, line)
        if flair is not None:
            if "overwrite_flair" in found:
                overwrite, at = found["overwrite_flair"]
                flair["overwrite"] = _typed("overwrite_flair", overwrite, bool, at)
            effects.append(Effect.model_validate({**flair, "target": target}))
    for kind in _BOOL_EFFECTS:
        if kind in found:
            value, line = found[kind]
            if isinstance(value, int) and not isinstance(value, bool) and kind == "set_sticky":
                value = value > 0  # a sticky slot (1 or 2): the slot is not carried
            effects.append(
                Effect.model_validate(
                    {"kind": kind, "target": target, "value": _typed(kind, value, bool, line)}
                )
            )
    if "set_suggested_sort" in found:
        value, line = found["set_suggested_sort"]
        sort = "confidence" if value == "best" else value
        if sort not in _SUGGESTED_SORTS:
            raise _RuleError(
                f"line {line}: invalid value for `set_suggested_sort`: {value!r} "
                f"(expected one of best, {', '.join(_SUGGESTED_SORTS)})",
                line,
            )
        effects.append(
            Effect.model_validate({"kind": "set_suggested_sort", "target": target, "value": sort})
        )
    return effects


def _flair(value: Any, line: int) -> dict[str, Any] | None:
    """`set_flair`: text, `[text, class]` or `{text, css_class, template_id}`."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, str):
        return {"kind": "set_flair", "text": value, "css_class": ""}
    if isinstance(value, list) and len(value) <= 2 and all(isinstance(v, str) for v in value):
        padded = [*value, "", ""][:2]
        return {"kind": "set_flair", "text": padded[0], "css_class": padded[1]}
    if isinstance(value, dict) and value and set(value) <= {"text", "css_class", "template_id"}:
        if all(isinstance(v, str) for v in value.values()):
            return {"kind": "set_flair", **value}
    raise _RuleError(
        f"line {line}: invalid value for `set_flair`: {value!r} (expected text, "
        "[text, css class] or a group of text, css_class, template_id)",
        line,
    )


def _threshold(
    name: ThresholdName, key: str, value: Any, line: int, notes: _Notes
) -> AutomodThreshold:
    text = str(value).strip()
    pattern = _PERIOD_THRESHOLD if name == "account_age" else _INT_THRESHOLD
    parsed = pattern.match(text) if not isinstance(value, bool) else None
    if parsed is None:
        expected = (
            '"< 7 days" (units: minutes, hours, days, weeks, months, years)'
            if name == "account_age"
            else '"> 100"'
        )
        raise _RuleError(
            f"line {line}: invalid value for `{key}`: {value!r} (expected e.g. {expected})", line
        )
    operator = parsed.group("op") or "="
    comparison: Comparison = "=" if operator == "==" else operator  # type: ignore[assignment]
    if parsed.group("op") is None:
        notes.warnings.append(
            f"line {line}: `{key}: {text}` has no comparison operator; AutoModerator then "
            "tests for equality"
        )
    number = float(parsed.group("num"))
    if name == "account_age":
        unit = (parsed.group("unit") or "days").lower().rstrip("s")
        number *= _UNIT_DAYS[unit]
    return AutomodThreshold(name=name, comparison=comparison, value=number, text=text, line=line)
