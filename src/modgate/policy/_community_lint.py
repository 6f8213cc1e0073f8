"""Lint community rules at scale (pure): vague terms, checkability, site duplicates, relaxations.

Four checks, each cheap enough for hundreds of thousands of rules:

* `vague_term` (warning): words a moderator and a model will read differently ("be nice",
  "appropriate", "low effort", "common sense").
* `uncheckable` (warning): a rule no enforcer kind can check on one item. Each rule is
  classed by what could check it: `rules` (a keyword/regex rule set can: links, caps, length,
  flair, invites, account age), `model` (a classifier, few-shot or LLM judge can, given
  examples: self-promotion, insults, spoilers, off-topic) or `none` ("be nice", "have fun",
  "mods have the final say").
* `duplicate_of_site` (info): the rule restates a site policy, which applies anyway.
* `contradicts_site` (error): the rule allows what a site policy forbids. A community may only
  tighten site policies, never relax them.

The checks read words, not meaning: they are a triage for a reviewer, documented as such in
docs/community.md, and every finding names the words that triggered it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from modgate.policy._community_schema import CommunityRule, rule_key
from modgate.policy._findings import FindingSeverity
from modgate.policy._schema import Policy


class CheckableBy(enum.StrEnum):
    """Which enforcer kind could check a rule on one item."""

    RULES = "rules"
    """A keyword/regex rule set (links, caps, length, flair, invites, account age…)."""
    MODEL = "model"
    """A classifier, few-shot or LLM judge given the rule and examples."""
    NONE = "none"
    """Nothing can: the rule is an attitude, a meta rule or about behaviour off the item."""


COMMUNITY_CHECKS: tuple[str, ...] = (
    "vague_term",
    "uncheckable",
    "duplicate_of_site",
    "contradicts_site",
)
"""Names of the community-rule lint checks, in report order."""


class CommunityFinding(BaseModel):
    """One problem found in one community rule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    community: str
    """The rule's community."""
    rule_key: str
    """The rule's key in the community."""
    rule: str
    """The rule's short name."""
    check: str
    """Check that found it (one of `COMMUNITY_CHECKS`)."""
    severity: FindingSeverity
    """error, warning or info."""
    message: str
    """What is wrong, naming the words that triggered it."""
    hint: str | None = None
    """How to fix it."""
    site_policy: str | None = None
    """The site policy involved (duplicate and contradiction checks)."""

    def render(self) -> str:
        """`community:NAME/rule-key: severity [check] message` with the hint below."""
        text = (
            f"community:{self.community}/{self.rule_key}: {self.severity} [{self.check}] "
            f"{self.message}"
        )
        return text + (f"\n    hint: {self.hint}" if self.hint else "")


@dataclass(frozen=True)
class RuleLint:
    """Lint of one rule: what could check it, and the findings."""

    checkable_by: CheckableBy
    findings: tuple[CommunityFinding, ...]


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


def _phrases(words: Iterable[str]) -> re.Pattern[str]:
    alternatives = sorted(words, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


_VAGUE = _phrases(
    [
        r"be (?:nice|kind|civil|polite|respectful|decent|excellent to each other)",
        r"(?:dis)?respectful", r"civil(?:ity)?", r"nice", r"appropriate", r"inappropriate",
        r"common sense", r"good faith", r"bad faith", r"(?:low|high)[- ]effort", r"quality",
        r"excessive(?:ly)?", r"offensive", r"reasonable", r"use your (?:best )?judge?ment",
        r"(?:don'?t|do not) be (?:a|an) (?:jerk|dick|asshole|idiot)", r"reddiquette",
        r"etc", r"and so on", r"or similar", r"(?:mod|moderator)s?'? discretion",
        r"at the discretion", r"we reserve the right", r"toxic(?:ity)?", r"drama", r"behave",
        r"unnecessary", r"annoying", r"rude(?:ness)?", r"negativity", r"vibes?",
    ]
)  # fmt: skip

_RULES_CHECKABLE = _phrases(
    [
        r"links?", r"urls?", r"https?", r"websites?", r"domains?", r"shorteners?",
        r"invites?", r"invite links?", r"discord\.gg", r"(?:all[- ])?caps", r"capital letters",
        r"capitali[sz]ed", r"emojis?", r"emoticons?", r"characters", r"word count",
        r"(?:minimum|maximum|min|max) (?:length|words|characters)", r"\d+ (?:words|characters)",
        r"flairs?", r"account age", r"karma", r"(?:english|spanish|german|french) only",
        r"phone numbers?", r"e-?mail addresses?", r"images?", r"pictures?", r"videos?",
        r"gifs?", r"text posts? only", r"spoiler tags?", r"hashtags?", r"@mentions?",
        r"title (?:must|should|format)", r"(?:in|to) the title", r"\[[a-z]+\] tags?",
        r"referral codes?", r"affiliate links?", r"screenshots?", r"memes? (?:only )?on",
        r"watermarks?", r"nsfw tags?",
    ]
)  # fmt: skip

_MODEL_CHECKABLE = _phrases(
    [
        r"self[- ]?promo(?:tion|ting)?", r"promot(?:e|ion|ing)", r"advertis\w*", r"ads",
        r"spam\w*", r"harass\w*", r"bully\w*", r"insult\w*", r"personal attacks?",
        r"attack(?:s|ing)? (?:other )?(?:users|people|members)", r"name[- ]?calling",
        r"hate\w*", r"racis\w*", r"sexis\w*", r"homophob\w*", r"transphob\w*", r"bigot\w*",
        r"slurs?", r"nsfw", r"porn\w*", r"nud(?:e|ity)", r"sexual\w*", r"gore", r"violen\w*",
        r"threat\w*", r"dox\w*", r"personal (?:information|info|details)", r"off[- ]topic",
        r"on[- ]topic", r"relevant", r"irrelevant", r"politic\w*", r"religio\w*", r"memes?",
        r"reposts?", r"misinformation", r"disinformation", r"conspirac\w*", r"medical advice",
        r"legal advice", r"pira\w*", r"illegal", r"sell(?:ing)?", r"sales?", r"buy(?:ing)?",
        r"trad(?:e|ing)", r"beg(?:ging)?", r"donations?", r"surveys?", r"karma farming",
        r"troll\w*", r"brigad\w*", r"witch[- ]?hunt\w*", r"spoilers?", r"shitpost\w*",
        r"jokes?", r"swear\w*", r"profanity", r"cursing", r"gatekeep\w*", r"fake",
        r"giveaways?", r"crypto\w*", r"nft", r"scams?", r"drugs?", r"weapons?", r"gambling",
        r"suicide", r"self[- ]harm", r"minors?", r"impersonat\w*", r"plagiari\w*",
        r"low[- ]effort", r"questions?", r"rants?", r"vent\w*", r"politics", r"trump",
    ]
)  # fmt: skip

_SITE_RULES = _phrases(
    [
        r"site[- ]?wide rules?",
        r"content polic(?:y|ies)",
        r"terms of (?:service|use)",
        r"site rules",
        r"platform rules",
        r"reddit rules",
        r"reddiquette",
        r"tos",
    ]
)

_PERMISSIVE = _phrases(
    [
        r"allowed",
        r"permitted",
        r"welcome[d]?",
        r"encouraged",
        r"ok",
        r"okay",
        r"fine",
        r"acceptable",
        r"tolerated",
        r"accepted",
        r"is allowed",
        r"are allowed",
    ]
)
_NO_LIMITS = _phrases(
    [r"anything goes", r"no rules", r"no restrictions", r"no limits", r"no censorship",
     r"(?:we )?(?:don'?t|do not) moderate", r"uncensored", r"free speech zone"]
)  # fmt: skip
_NEGATION = _phrases(
    [r"not", r"no", r"never", r"n't", r"nothing", r"isn'?t", r"aren'?t", r"without", r"nor",
     r"won'?t", r"don'?t", r"doesn'?t", r"zero"]
)  # fmt: skip

# Words every rule uses; they say nothing about the rule's topic.
_GENERIC = frozenset(
    """a an the and or but if of to in on for with at by from as is are be been being was were
    it its this that these those there their them they you your we our us i me my he she his her
    no not never dont don't do does any all some every each other others only just also more most
    very such than then so can may might must should will would could please rule rules post posts
    posting comment comments content allowed allow permitted user users people person member
    members community subreddit sub group forum here thread threads reply replies removed removal
    remove ban banned bans mod mods moderator moderators keep make sure use using used about into
    out up down what which who whom when where why how one two etc speech language claims calls
    call group groups including include includes such like based because without within against
    someone something anyone anything others types kind kinds way ways""".split()
)
_STEM = 6


def _stem(word: str) -> str:
    return word[:_STEM]


def content_stems(text: str) -> frozenset[str]:
    """Stems (first six letters) of the words of `text` that are not moderation boilerplate."""
    return frozenset(_stem(w) for w in _WORD.findall(text.casefold()) if w not in _GENERIC)


@dataclass(frozen=True)
class _SiteTerms:
    policy_id: str
    words: frozenset[str]
    """Content stems of everything the policy says."""
    topic: frozenset[str]
    """Stems of its title, criteria titles and glossary terms: what it is about."""


class SitePolicyIndex:
    """The vocabulary of the site policies a community rule is compared with."""

    def __init__(self, policies: Sequence[Policy]) -> None:
        """Index site policies (policies of another scope are ignored)."""
        self.terms: list[_SiteTerms] = []
        for policy in policies:
            if policy.scope != "site":
                continue
            said = [policy.title, policy.definition, *policy.glossary]
            said += [f"{c.title} {c.description}" for c in policy.violates]
            topic = [policy.title, policy.id.replace("_", " "), *policy.glossary]
            topic += [c.title for c in policy.violates]
            self.terms.append(
                _SiteTerms(
                    policy_id=policy.id,
                    words=content_stems(" ".join(said)),
                    topic=content_stems(" ".join(topic)),
                )
            )

    @property
    def policy_ids(self) -> list[str]:
        """Ids of the indexed site policies."""
        return [t.policy_id for t in self.terms]


def _negated_before(text: str, start: int) -> bool:
    before = text[:start].split()[-4:]
    return any(_NEGATION.fullmatch(w.strip(",.!?;:()\"'")) for w in before)


def _permissive_sentences(text: str) -> list[str]:
    found: list[str] = []
    for sentence in _SENTENCE.split(text):
        for match in _PERMISSIVE.finditer(sentence):
            if not _negated_before(sentence, match.start()):
                found.append(sentence)
                break
    return found


def classify_checkability(rule: CommunityRule) -> CheckableBy:
    """Which enforcer kind could check the rule on one item (see `CheckableBy`)."""
    return _checkability(rule.text.casefold(), bool(rule.examples))


def _checkability(text: str, has_examples: bool) -> CheckableBy:
    if _RULES_CHECKABLE.search(text):
        return CheckableBy.RULES
    if has_examples or _MODEL_CHECKABLE.search(text):
        return CheckableBy.MODEL
    return CheckableBy.NONE


def lint_community_rule(
    rule: CommunityRule, site: SitePolicyIndex, *, key: str | None = None
) -> RuleLint:
    """Run every community check on one rule.

    Args:
        rule: The rule.
        site: Index of the site policies (may be empty: the site checks then find nothing).
        key: The rule's key, when the caller has it (default: computed from the name).

    Returns:
        What could check the rule, and its findings.
    """
    text = rule.text.casefold()
    key = rule_key(rule.name) if key is None else key
    findings: list[CommunityFinding] = []

    def add(
        check: str, severity: FindingSeverity, message: str, hint: str, policy: str | None = None
    ) -> None:
        findings.append(  # built from checked values: no need to validate again
            CommunityFinding.model_construct(
                community=rule.community,
                rule_key=key,
                rule=rule.name,
                check=check,
                severity=severity,
                message=message,
                hint=hint,
                site_policy=policy,
            )
        )

    vague = sorted({m.group(0) for m in _VAGUE.finditer(text)})
    if vague:
        add(
            "vague_term",
            FindingSeverity.WARNING,
            f"vague term{'s' if len(vague) > 1 else ''} {', '.join(map(repr, vague))}",
            "say what exactly is not allowed, e.g. 'no insults aimed at another user'",
        )
    checkable = _checkability(text, bool(rule.examples))
    if checkable is CheckableBy.NONE:
        add(
            "uncheckable",
            FindingSeverity.WARNING,
            "no enforcer kind can check this rule on one item (it names no content, link, "
            "format or topic)",
            "name the content it forbids, or keep it as guidance outside the enforced policy",
        )
    tokens = content_stems(text)
    contradicted: set[str] = set()
    permissive = _permissive_sentences(text) if _PERMISSIVE.search(text) else []
    no_limits = _NO_LIMITS.search(text)
    if permissive or no_limits:
        sentence_tokens = content_stems(" ".join(permissive)) if permissive else frozenset()
        for terms in site.terms:
            shared = sentence_tokens & terms.topic
            if shared:
                contradicted.add(terms.policy_id)
                add(
                    "contradicts_site",
                    FindingSeverity.ERROR,
                    f"allows what site policy {terms.policy_id!r} forbids "
                    f"({', '.join(sorted(shared))}…); a community may only tighten site policies",
                    "remove the permission; the site policy applies in every community",
                    terms.policy_id,
                )
        if not contradicted and no_limits and site.terms:
            add(
                "contradicts_site",
                FindingSeverity.ERROR,
                f"declares no limits ({no_limits.group(0)!r}); "
                "site policies apply in every community",
                "say which community rules are relaxed; site policies cannot be",
            )
    if _SITE_RULES.search(text):
        add(
            "duplicate_of_site",
            FindingSeverity.INFO,
            "restates the site rules, which apply in every community anyway",
            "drop it from the enforced community policy (keep it in the sidebar)",
        )
    elif tokens:
        for terms in site.terms:
            if terms.policy_id in contradicted:
                continue
            shared = tokens & terms.words
            if tokens & terms.topic and len(shared) / len(tokens) >= 0.5:
                add(
                    "duplicate_of_site",
                    FindingSeverity.INFO,
                    f"restates site policy {terms.policy_id!r} "
                    f"({', '.join(sorted(tokens & terms.topic))}…), which applies anyway",
                    "keep it only if the community forbids more than the site policy does",
                    terms.policy_id,
                )
                break
    return RuleLint(checkable_by=checkable, findings=tuple(findings))
