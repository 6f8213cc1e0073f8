"""Vague or undefined terms in criteria: words a model cannot apply consistently.

Two kinds: words from a curated list of judgement words ("inappropriate", "offensive", "harmful",
"etc."…) that say how the writer feels rather than what the content does; and terms the writer
marks as special — quoted, or Capitalised mid-sentence — that the glossary does not define.
Either is fine once the glossary defines it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from modgate.policy._findings import Finding, FindingSeverity
from modgate.policy._lint import LintOptions
from modgate.policy._load import LoadedPolicy
from modgate.policy._schema import Policy

VAGUE_TERMS: tuple[str, ...] = (
    "and so on",
    "bad",
    "disrespectful",
    "distasteful",
    "egregious",
    "etc",
    "excessive",
    "harmful",
    "hurtful",
    "improper",
    "inappropriate",
    "insensitive",
    "mean",
    "nasty",
    "objectionable",
    "offensive",
    "or the like",
    "problematic",
    "questionable",
    "rude",
    "toxic",
    "unacceptable",
    "unsavory",
    "upsetting",
)
"""Judgement words that need a definition before a model can apply them."""

_VAGUE = re.compile(
    r"\b(" + "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in VAGUE_TERMS) + r")\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“]([^\"“”\n]{2,60})[\"”]")
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+|\n+")
_WORD = re.compile(r"[\w'’-]+")
_TITLE_WORD = re.compile(r"^[A-Z][a-z][a-z'’-]*$")


def _is_defined(term: str, defined: set[str]) -> bool:
    key = term.casefold()
    return key in defined or key.rstrip("s") in defined or f"{key}s" in defined


def _defined_terms(policy: Policy) -> set[str]:
    defined: set[str] = set()
    for term in policy.glossary:
        key = term.casefold()
        defined.update({key, key.rstrip("s")})
    return defined


def _capitalised_terms(text: str) -> list[str]:
    """Runs of Title-case words that do not start a sentence (acronyms are left alone)."""
    terms: list[str] = []
    for sentence in _SENTENCE.split(text):
        words = _WORD.findall(sentence)
        run: list[str] = []
        for position, word in enumerate(words):
            if position > 0 and _TITLE_WORD.match(word):
                run.append(word)
                continue
            if run:
                terms.append(" ".join(run))
                run = []
        if run:
            terms.append(" ".join(run))
    return terms


class VagueTermsCheck:
    """Criteria must say what content does, in words the policy defines."""

    name = "vague_terms"

    def check(self, loaded: LoadedPolicy, options: LintOptions) -> Iterator[Finding]:
        """Yield a warning per vague or undefined term in a criterion."""
        defined = _defined_terms(loaded.policy)
        for i, criterion in enumerate(loaded.policy.violates):
            reported: set[str] = set()
            for field, text in (("title", criterion.title), ("description", criterion.description)):
                for match in _VAGUE.finditer(text):
                    word = " ".join(match.group(1).split())
                    if _is_defined(word, defined) or word.casefold() in reported:
                        continue
                    reported.add(word.casefold())
                    yield loaded.source.finding(
                        ("violates", i, field),
                        check=self.name,
                        severity=FindingSeverity.WARNING,
                        message=f"criterion {criterion.id!r} uses the vague word {word!r}",
                        hint="say what the content does (names, threatens, mocks…), or define "
                        f"{word!r} in `glossary`",
                    )
                marked = [m.group(1).strip() for m in _QUOTED.finditer(text)]
                if field == "description":  # titles are Title Case by habit
                    marked += _capitalised_terms(text)
                for term in marked:
                    if _is_defined(term, defined) or term.casefold() in reported:
                        continue
                    reported.add(term.casefold())
                    yield loaded.source.finding(
                        ("violates", i, field),
                        check=self.name,
                        severity=FindingSeverity.WARNING,
                        message=f"criterion {criterion.id!r} uses the term {term!r}, "
                        "which the glossary does not define",
                        hint=f"add `{term}: <definition>` under `glossary`, or use plain words",
                    )
