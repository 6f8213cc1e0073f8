"""Keyword and regex rule sets: schema, loader, matcher and the `rules` kind.

Reddit AutoModerator configurations are imported by the `automod` subpackage.
"""

from typing import TYPE_CHECKING

from modgate._lazy import attach

if TYPE_CHECKING:
    from modgate.enforce.rules._enforcer import (
        RulesEnforcer,
        create_rules_enforcer,
        render_reason,
        rule_effects,
    )
    from modgate.enforce.rules._kind import RULES_KIND
    from modgate.enforce.rules._load import RuleSetLoadError, load_ruleset, parse_ruleset
    from modgate.enforce.rules._match import (
        CompiledRuleSet,
        MatchSpan,
        RuleExplanation,
        RuleHit,
        RuleSetCompileError,
        RuleSetMatch,
        RuleSetReport,
        compile_ruleset,
    )
    from modgate.enforce.rules._schema import (
        AuthorConditions,
        Comparison,
        ParentPostConditions,
        QualityCondition,
        Rule,
        RuleSet,
        TextCheck,
    )

__getattr__, __dir__ = attach(
    __name__,
    {
        "AuthorConditions": "modgate.enforce.rules._schema",
        "Comparison": "modgate.enforce.rules._schema",
        "ParentPostConditions": "modgate.enforce.rules._schema",
        "QualityCondition": "modgate.enforce.rules._schema",
        "Rule": "modgate.enforce.rules._schema",
        "RuleSet": "modgate.enforce.rules._schema",
        "TextCheck": "modgate.enforce.rules._schema",
        "RuleSetLoadError": "modgate.enforce.rules._load",
        "load_ruleset": "modgate.enforce.rules._load",
        "parse_ruleset": "modgate.enforce.rules._load",
        "CompiledRuleSet": "modgate.enforce.rules._match",
        "MatchSpan": "modgate.enforce.rules._match",
        "RuleExplanation": "modgate.enforce.rules._match",
        "RuleHit": "modgate.enforce.rules._match",
        "RuleSetCompileError": "modgate.enforce.rules._match",
        "RuleSetMatch": "modgate.enforce.rules._match",
        "RuleSetReport": "modgate.enforce.rules._match",
        "compile_ruleset": "modgate.enforce.rules._match",
        "RulesEnforcer": "modgate.enforce.rules._enforcer",
        "create_rules_enforcer": "modgate.enforce.rules._enforcer",
        "render_reason": "modgate.enforce.rules._enforcer",
        "rule_effects": "modgate.enforce.rules._enforcer",
        "RULES_KIND": "modgate.enforce.rules._kind",
    },
)

__all__ = [
    "AuthorConditions",
    "Comparison",
    "CompiledRuleSet",
    "ParentPostConditions",
    "QualityCondition",
    "MatchSpan",
    "RULES_KIND",
    "Rule",
    "RuleExplanation",
    "RuleHit",
    "RuleSet",
    "RuleSetCompileError",
    "RuleSetLoadError",
    "RuleSetMatch",
    "RuleSetReport",
    "RulesEnforcer",
    "TextCheck",
    "compile_ruleset",
    "create_rules_enforcer",
    "render_reason",
    "rule_effects",
    "load_ruleset",
    "parse_ruleset",
]
