"""An independent model of reddit's AutoModerator, the oracle of the effects/approval tests.

Written from the semantics of reddit's open-source implementation (`r2/r2/lib/automoderator.py`
in reddit-archive/reddit, 2015) and AutoModerator's current documentation, without modgate's
parser, translator or matcher: it reads each YAML section itself and applies it to a
reddit-like item the way AutoModerator's `Ruleset.apply_to_item` does:

* rules sorted by priority (stable: file order within one priority); a `type: any` rule
  becomes a comment rule and a submission rule, kept where they check something;
* removal rules (`remove`, `spam`, `filter`) first, stopping at the first that fires; then
  every other rule (approve, report, effect-only) in order;
* a rule whose action is removal or report is not applied to a moderator's item unless
  `moderators_exempt: false`;
* `approve` acts only on an item that is removed or, when the rule checks `reports`, reported:
  it restores it and clears its reports (so later rules counting reports no longer hold);
* the rule's effects (`comment`, `modmail`, `message`, `set_flair`, `set_*`, the author's
  `set_flair`, `parent_submission` actions) are performed when it fires, with placeholders
  replaced as AutoModerator's `replace_placeholders` does and its length limits applied.

A `standard:` condition reads its keys from the definition modgate ships (the lists are data;
the oracle applies AutoModerator's merge itself: the section's own keys replace the standard's).

It covers the keys the generated configs use. What it knowingly leaves out: Reddit's spam
filter (items arrive neither removed nor approved), site-wide bans, and the moderation log.
`item.reported` counts the reports users made (the automoderator file shows no change to it
when AutoModerator itself reports).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from modgate.domain import Item

QUALITY = ("lowest", "low", "moderate", "high", "highest")
_TEMPLATES = {
    "full-exact": "^{}$",
    "full-text": r"^\W*{}\W*$",
    "includes": "{}",
    "includes-word": r"(?:^|\W|\b){}(?:$|\W|\b)",
    "starts-with": "^{}",
    "ends-with": "{}$",
}
_DEFAULT_METHOD = {
    "id": "full-exact",
    "url": "includes",
    "flair_text": "full-exact",
    "flair_css_class": "full-exact",
    "flair_template_id": "full-exact",
}
_REMOVAL = ("remove", "spam", "filter")
_SUBJECT = "AutoModerator notification"
_BOOL_SETTERS = ("set_locked", "set_sticky", "set_nsfw", "set_spoiler", "set_contest_mode")


@dataclass
class Account:
    """A reddit account as a rule sees it."""

    name: str
    flair_text: str = ""
    flair_css_class: str = ""
    flair_template_id: str = ""
    is_moderator: bool = False
    contributor_quality: str | None = None


@dataclass
class Thing:
    """A reddit comment or submission (link), as a rule sees it."""

    kind: str  # "comment" or "link"
    id: str
    body: str
    author: Account
    subreddit: str
    permalink: str
    title: str = ""
    url: str = ""
    flair_text: str = ""
    flair_css_class: str = ""
    flair_template_id: str = ""
    edited: bool = False
    top_level: bool = True
    reported: int = 0
    link: Thing | None = None

    @property
    def is_self(self) -> bool:
        return self.kind == "link" and not self.url


@dataclass
class Outcome:
    """What applying the rules did to the item."""

    removal: str | None = None
    """Action of the removal rule that removed it, while it stays removed."""
    approved: bool = False
    """An approval restored it or cleared its reports."""
    reports: list[str] = field(default_factory=list)
    """Reports AutoModerator filed (reasons), while not cleared."""
    effects: list[tuple[Any, ...]] = field(default_factory=list)
    """Performed effects as (kind, target, text, subject, class, value)."""


def thing_of(item: Item) -> Thing:
    """The reddit item a modgate item stands for (the generated items carry every field)."""
    info = item.author
    author = Account(
        name=item.author_id or "",
        flair_text=(info.flair if info else None) or "",
        flair_css_class=(info.flair_css_class if info else None) or "",
        flair_template_id=(info.flair_template_id if info else None) or "",
        is_moderator=bool(info and info.is_moderator),
        contributor_quality=info.contributor_quality if info else None,
    )
    common: dict[str, Any] = {
        "id": item.id,
        "body": item.body,
        "author": author,
        "subreddit": item.community or "",
        "permalink": str(item.meta.get("permalink", "")),
        "edited": bool(item.is_edited),
        "reported": int(item.meta.get("reports", 0)),
    }
    if item.kind == "comment":
        post = item.parent_post
        assert post is not None
        link = Thing(
            kind="link",
            id=post.id or "",
            body=post.body or "",
            author=Account(name="op"),
            subreddit=common["subreddit"],
            permalink="",
            title=post.title or "",
            url=post.url or "",
            flair_text=post.flair_text or "",
            flair_css_class=post.flair_css_class or "",
            flair_template_id=post.flair_template_id or "",
            edited=bool(post.is_edited),
            reported=post.reports or 0,
        )
        return Thing(kind="comment", top_level=bool(item.is_top_level), link=link, **common)
    return Thing(
        kind="link",
        title=item.title or "",
        url=item.url or "",
        flair_text=str(item.meta.get("flair_text", "")),
        flair_css_class=str(item.meta.get("flair_css_class", "")),
        flair_template_id=str(item.meta.get("flair_template_id", "")),
        **common,
    )


def _domain(url: str) -> str:
    host = re.sub(r"^[a-z]+://", "", url.lower()).split("/")[0].split(":")[0]
    return host[4:] if host.startswith("www.") else host


def _value(thing: Thing | Account, name: str, subreddit: str) -> str:
    if isinstance(thing, Account):
        return str(getattr(thing, name, ""))
    if name == "domain":
        return f"self.{subreddit}" if thing.is_self else _domain(thing.url)
    return str(getattr(thing, name, ""))


class _Target:
    """The conditions and actions of one part of a rule (item, author or parent post)."""

    def __init__(self, values: dict[str, Any], kind: str) -> None:
        self.kind = kind  # "comment", "link" or "account"
        self.values = values
        self.searches: list[tuple[str, list[str], bool, re.Pattern[str]]] = []
        for key, raw in values.items():
            parsed = re.match(r"^(~?[^\s(]+)\s*(?:\((.+)\))?$", key)
            if parsed is None or not _is_search(parsed.group(1)):
                continue
            name = parsed.group(1)
            fields = [f.strip() for f in name.lstrip("~").partition("#")[0].split("+")]
            mods = [m.strip() for m in (parsed.group(2) or "").split(",") if m.strip()]
            items = raw if isinstance(raw, list) else [raw]
            texts = [str(v) for v in items]
            if "regex" not in mods:
                texts = [re.escape(v) for v in texts]
            group = "(" + "|".join(texts) + ")"
            method = next((m for m in mods if m in _TEMPLATES), None)
            if method is None:
                if len(fields) == 1 and fields[0] == "domain":
                    group = r"(?:.*?\.)?" + group
                method = _DEFAULT_METHOD.get(fields[0], "includes-word")
                if len(fields) > 1:
                    method = "includes-word"
            flags = re.DOTALL | re.UNICODE | (0 if "case-sensitive" in mods else re.IGNORECASE)
            pattern = re.compile(_TEMPLATES[method].format(group), flags)
            self.searches.append((name, fields, not name.startswith("~"), pattern))
        self.matches: dict[str, re.Match[str]] = {}

    def check(self, thing: Thing | Account, subreddit: str) -> bool:
        v = self.values
        if isinstance(thing, Thing):
            if v.get("reports") and thing.reported < v["reports"]:
                return False
            if "is_top_level" in v and v["is_top_level"] != thing.top_level:
                return False
            if "is_edited" in v and v["is_edited"] != thing.edited:
                return False
        else:
            if "is_moderator" in v and v["is_moderator"] != thing.is_moderator:
                return False
            if "contributor_quality" in v:
                text = str(v["contributor_quality"]).replace(" ", "")
                op = text.rstrip("abcdefghijklmnopqrstuvwxyz") or "="
                band = text[len(op) :] if op != "=" or text.startswith("=") else text
                if thing.contributor_quality is None:
                    return False
                a, b = QUALITY.index(thing.contributor_quality), QUALITY.index(band)
                holds = {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b, "=": a == b}
                if not holds["=" if op == "==" else op]:
                    return False
        self.matches = {}
        checked = False
        for name, fields, success, pattern in self.searches:
            usable = [
                f
                for f in fields
                if isinstance(thing, Account)
                or (f in _FIELDS[thing.kind] and not _discarded(thing, f))
            ]
            found = None
            for name_of_field in usable:
                checked = True
                found = pattern.search(_value(thing, name_of_field, subreddit))
                if found:
                    self.matches[name] = found
                    break
            if bool(found) != success:
                return False
        return checked or not self.searches


_FIELDS = {
    "comment": {"id", "body"},
    "link": {"id", "title", "domain", "url", "body", "flair_text", "flair_css_class",
             "flair_template_id"},
}  # fmt: skip
_NOT_SEARCHES = {
    "type", "priority", "moderators_exempt", "action", "action_reason", "report_reason",
    "comment", "comment_stickied", "comment_locked", "modmail", "modmail_subject", "message",
    "message_subject", "set_flair", "overwrite_flair", "reports", "is_top_level", "is_edited",
    "is_moderator", "contributor_quality", "author", "parent_submission", "set_suggested_sort",
    *_BOOL_SETTERS,
}  # fmt: skip


def _is_search(name: str) -> bool:
    return name not in _NOT_SEARCHES


def _discarded(thing: Thing, name: str) -> bool:
    # The 2015 code never searches a link post's body; link posts can have one today and
    # AutoModerator searches it when there is one (what the importer follows, docs/automod.md).
    return thing.kind == "link" and (
        (name == "body" and not thing.is_self and not thing.body)
        or (name == "url" and thing.is_self)
    )


@dataclass
class _Rule:
    kind: str  # "comment" or "link"
    type: str
    priority: int
    values: dict[str, Any]
    base: _Target
    author: _Target | None
    parent: _Target | None

    @property
    def action(self) -> str | None:
        return self.values.get("action")

    @property
    def removal(self) -> bool:
        return self.action in _REMOVAL

    def applies(self, thing: Thing) -> bool:
        if thing.kind != self.kind:
            return False
        if self.type == "text submission" and not thing.is_self:
            return False
        if self.type == "link submission" and thing.is_self:
            return False
        exempt = self.values.get("moderators_exempt")
        if exempt is None:
            exempt = self.removal or self.action == "report"
        return not (exempt and thing.author.is_moderator)

    def check(self, thing: Thing) -> bool:
        if not self.applies(thing):
            return False
        if not self.base.check(thing, thing.subreddit):
            return False
        if self.author is not None and not self.author.check(thing.author, thing.subreddit):
            return False
        if self.parent is not None:
            assert thing.link is not None
            if not self.parent.check(thing.link, thing.subreddit):
                return False
        return True


def load_rules(text: str) -> list[_Rule]:
    """The rules of a config, sorted as AutoModerator sorts them."""
    rules: list[_Rule] = []
    for section in yaml.safe_load_all(text):
        if not isinstance(section, dict):
            continue
        values = {str(k).lower(): v for k, v in section.items()}
        standard = values.pop("standard", None)
        if standard is not None:  # its keys are defaults the section's own keys replace
            defaults = yaml.safe_load(_standard_definition(str(standard).strip().lower()))
            values = {**{str(k).lower(): v for k, v in defaults.items()}, **values}
        kind_of = values.get("type", "any")
        kinds = ["comment", "link"] if kind_of == "any" else [
            "comment" if kind_of == "comment" else "link"
        ]  # fmt: skip
        for kind in kinds:
            rule = _make(values, kind, kind_of)
            if rule is not None:
                rules.append(rule)
    rules.sort(key=lambda r: -r.priority)
    return rules


_STANDARDS = Path(__file__).resolve().parents[2] / "src/modgate/enforce/rules/automod/standards"


def _standard_definition(name: str) -> str:
    """The shipped definition of a `standard:` condition (data: the lists modgate ships)."""
    return (_STANDARDS / f"{name.replace(' ', '_')}.yaml").read_text(encoding="utf-8")


def _make(values: dict[str, Any], kind: str, kind_of: str) -> _Rule | None:
    base_values = {k: v for k, v in values.items() if k not in ("author", "parent_submission")}
    if kind == "comment":
        if any(k.startswith("set_") for k in base_values):
            return None  # submission-only actions: AutoModerator has no comment rule here
        searches = [k for k in base_values if _is_search(k.split("(")[0].strip())]
        if any(not _search_fields(k) & _FIELDS["comment"] for k in searches):
            return None
    else:
        if "is_top_level" in base_values or "parent_submission" in values:
            return None
    author = values.get("author")
    if isinstance(author, (str, list)):
        author = {"name": author}
    parent = values.get("parent_submission")
    rule = _Rule(
        kind=kind,
        type=kind_of,
        priority=int(values.get("priority", 0)),
        values=values,
        base=_Target(base_values, kind),
        author=_Target(author, "account") if author else None,
        parent=_Target(parent, "link") if parent else None,
    )
    if kind_of == "any" and not _checks_anything(values):
        return None
    return rule


def _search_fields(key: str) -> set[str]:
    name = key.split("(")[0].strip().lstrip("~").partition("#")[0]
    return {f.strip() for f in name.split("+")}


def _checks_anything(values: dict[str, Any]) -> bool:
    return any(k not in _NOT_SEARCHES or k in ("reports", "is_edited", "is_top_level", "author")
               for k in (key.split("(")[0].strip().lstrip("~") for key in values)) or bool(
        values.get("parent_submission")
    )  # fmt: skip


def replace(text: str, thing: Thing, matches: dict[str, re.Match[str]]) -> str:
    """AutoModerator's placeholder replacement (item placeholders, then `{{match…}}`)."""
    values = {
        "{{author}}": thing.author.name,
        "{{body}}": thing.body,
        "{{permalink}}": thing.permalink,
        "{{subreddit}}": thing.subreddit,
    }
    if thing.kind == "comment":
        assert thing.link is not None
        values.update({"{{kind}}": "comment", "{{title}}": thing.link.title})
    else:
        values.update(
            {
                "{{kind}}": "submission",
                "{{domain}}": _value(thing, "domain", thing.subreddit),
                "{{title}}": thing.title,
                "{{url}}": thing.url,
            }
        )
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    if not matches:
        return text
    text = re.sub(r"\{\{(match(?:-[^\d-]+?)?)\}\}", r"{{\1-1}}", text)
    done: dict[str, str] = {}
    for found in re.finditer(r"\{\{match-(?:([^}]+?)-)?(\d+)\}\}", text):
        source = found.group(1) or next(iter(matches))
        match = matches.get(source)
        if match is None:
            continue
        try:
            done[found.group(0)] = match.group(int(found.group(2)))
        except IndexError:
            continue
    for placeholder, value in done.items():
        text = text.replace(placeholder, value)
    return text


def _effects(rule: _Rule, thing: Thing) -> list[tuple[Any, ...]]:
    v, matches = rule.values, rule.base.matches
    out: list[tuple[Any, ...]] = []
    if rule.action in (*_REMOVAL, "report") and v.get("action_reason"):
        out.append(("action_reason", "item", replace(v["action_reason"], thing, matches)))
    for kind in ("comment", "modmail", "message"):
        if v.get(kind):
            body = replace(v[kind], thing, matches)[:10000]
            subject = None
            if kind != "comment":
                subject = replace(v.get(f"{kind}_subject", _SUBJECT), thing, matches)[:100]
            out.append((kind, "item", body, subject))
    out += _target_effects(v, "item", thing, matches)
    if isinstance(v.get("author"), dict):
        out += _target_effects(v["author"], "author", thing, matches)
    parent = v.get("parent_submission")
    if isinstance(parent, dict):
        if parent.get("action"):
            reason = parent.get("action_reason")
            text = replace(reason, thing, matches) if reason else None
            out.append((parent["action"], "parent_post", text))
        out += _target_effects(parent, "parent_post", thing, matches)
    return out


def _target_effects(
    v: dict[str, Any], target: str, thing: Thing, matches: dict[str, re.Match[str]]
) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    flair = v.get("set_flair")
    if flair:
        pair = [flair, ""] if isinstance(flair, str) else [*flair, "", ""][:2]
        text = replace(pair[0], thing, matches)[:64]
        cls = re.sub(r"[^\w -]", "", replace(pair[1], thing, matches))
        out.append(
            ("set_flair", target, text, " ".join(c[:100] for c in cls.split()[:10]),
             bool(v.get("overwrite_flair", False)))
        )  # fmt: skip
    for kind in _BOOL_SETTERS:
        if kind in v:
            out.append((kind, target, bool(v[kind])))
    return out


def apply(rules: list[_Rule], thing: Thing) -> Outcome:
    """Apply the rules to the item: removal rules first (first that fires), then the rest."""
    outcome = Outcome()
    removed = False
    for rule in rules:
        if rule.removal and rule.check(thing):
            outcome.removal = rule.action
            removed = True
            outcome.effects += _effects(rule, thing)
            break
    for rule in rules:
        if rule.removal or not rule.check(thing):
            continue
        if rule.action == "approve":
            if removed or (rule.values.get("reports") and thing.reported):
                removed = False
                thing.reported = 0  # approving clears the item's reports
                outcome.removal = None
                outcome.reports.clear()
                outcome.approved = True
                reason = rule.values.get("action_reason")
                text = replace(reason, thing, rule.base.matches) if reason else None
                outcome.effects.append(("approve", "item", text))
        elif rule.action == "report":
            outcome.reports.append(rule.values.get("action_reason") or "")
        outcome.effects += _effects(rule, thing)
    return outcome
