"""Policy as code: the policy file format, load with file:line errors, lint, diff, publish, compile.

A policy file (`policies/*.yaml`) holds the Policy contract of DESIGN.md. `load_policy_file`
validates it and reports every problem with its location; `lint_policy` runs the registered
lint checks; `diff_policies` compares versions; `publish_policy` stores an immutable version;
`compile_prompt` renders the LLM judge prompt. Community rules at scale: `import_community_rules`
versions a platform's export of community rules and lints it, `diff_community_imports` compares
imports, `compute_rule_families` clusters near-duplicate rules, `community_policy` and
`export_community_policies` turn a community's rules into a policy.
"""

from modgate.policy._checks import builtin_lint_checks
from modgate.policy._community_diff import (
    CommunityDiff,
    CommunityRuleChange,
    diff_community_imports,
)
from modgate.policy._community_examples import example_community_rules_file
from modgate.policy._community_export import (
    CommunityPolicyOptions,
    build_community_policy,
    community_policy,
    community_policy_id,
    export_community_policies,
    iter_community_policies,
)
from modgate.policy._community_families import (
    FamiliesResult,
    FamilyOptions,
    FamilyThresholds,
    RuleFamily,
    cluster_token_sets,
    compute_rule_families,
    family_thresholds,
    list_rule_families,
    rule_tokens,
    set_family_threshold,
)
from modgate.policy._community_import import (
    CommunityImportResult,
    CommunityLintSummary,
    import_community_rules,
    lint_stored_community_rules,
    published_site_policies,
)
from modgate.policy._community_lint import (
    COMMUNITY_CHECKS,
    CheckableBy,
    CommunityFinding,
    RuleLint,
    SitePolicyIndex,
    classify_checkability,
    lint_community_rule,
)
from modgate.policy._community_read import CommunityRuleMapping, parse_examples
from modgate.policy._community_schema import (
    AppliesTo,
    CommunityRule,
    StoredCommunityRule,
    parse_applies_to,
    rule_content_hash,
    rule_key,
)
from modgate.policy._compile_prompt import (
    DEFAULT_TEMPLATE,
    CompiledPrompt,
    PromptTemplate,
    compile_prompt,
    default_template,
    load_template,
)
from modgate.policy._diff import (
    DiffSegment,
    PolicyChange,
    PolicyDiff,
    diff_policies,
    render_diff_markdown,
    render_diff_text,
    render_word_diff,
    word_diff,
)
from modgate.policy._examples import example_policy_files
from modgate.policy._findings import (
    Finding,
    FindingSeverity,
    PolicyLoadError,
    render_findings,
    sort_findings,
)
from modgate.policy._lint import (
    DEFAULT_TOKEN_BUDGET,
    LINT_CHECK_KIND,
    LintCheck,
    LintOptions,
    LintReport,
    lint_checks,
    lint_policy,
    lint_policy_files,
    policy_files,
)
from modgate.policy._load import LoadedPolicy, SourceMap, load_policy_file, load_policy_text
from modgate.policy._normalize import normalize_example_text
from modgate.policy._publish import (
    PublishResult,
    load_policy_ref,
    parse_policy_ref,
    publish_policy,
)
from modgate.policy._repo import (
    CommunityImportRecord,
    PolicyVersionRecord,
    PublishedPolicy,
    get_policy_version,
    iter_community_rules,
    list_community_imports,
    list_policy_versions,
)
from modgate.policy._schema import (
    POLICY_ACTIONS,
    AllowedContext,
    Criterion,
    Example,
    Policy,
    Severity,
    policy_content_hash,
)
from modgate.policy._tokens import TokenCount, count_tokens

__all__ = [
    "COMMUNITY_CHECKS",
    "DEFAULT_TEMPLATE",
    "DEFAULT_TOKEN_BUDGET",
    "LINT_CHECK_KIND",
    "POLICY_ACTIONS",
    "AllowedContext",
    "AppliesTo",
    "CheckableBy",
    "CommunityDiff",
    "CommunityFinding",
    "CommunityImportRecord",
    "CommunityImportResult",
    "CommunityLintSummary",
    "CommunityPolicyOptions",
    "CommunityRule",
    "CommunityRuleChange",
    "CommunityRuleMapping",
    "CompiledPrompt",
    "Criterion",
    "DiffSegment",
    "Example",
    "FamiliesResult",
    "FamilyOptions",
    "FamilyThresholds",
    "Finding",
    "FindingSeverity",
    "LintCheck",
    "LintOptions",
    "LintReport",
    "LoadedPolicy",
    "Policy",
    "PolicyChange",
    "PolicyDiff",
    "PolicyLoadError",
    "PolicyVersionRecord",
    "PromptTemplate",
    "PublishResult",
    "PublishedPolicy",
    "RuleFamily",
    "RuleLint",
    "Severity",
    "SitePolicyIndex",
    "SourceMap",
    "StoredCommunityRule",
    "TokenCount",
    "build_community_policy",
    "builtin_lint_checks",
    "classify_checkability",
    "cluster_token_sets",
    "community_policy",
    "community_policy_id",
    "compile_prompt",
    "compute_rule_families",
    "count_tokens",
    "default_template",
    "diff_community_imports",
    "diff_policies",
    "example_community_rules_file",
    "example_policy_files",
    "export_community_policies",
    "family_thresholds",
    "get_policy_version",
    "import_community_rules",
    "iter_community_policies",
    "iter_community_rules",
    "lint_checks",
    "lint_community_rule",
    "lint_policy",
    "lint_policy_files",
    "lint_stored_community_rules",
    "list_community_imports",
    "list_policy_versions",
    "list_rule_families",
    "load_policy_file",
    "load_policy_ref",
    "load_policy_text",
    "load_template",
    "normalize_example_text",
    "parse_applies_to",
    "parse_examples",
    "parse_policy_ref",
    "policy_content_hash",
    "policy_files",
    "publish_policy",
    "published_site_policies",
    "render_diff_markdown",
    "render_diff_text",
    "render_findings",
    "render_word_diff",
    "rule_content_hash",
    "rule_key",
    "rule_tokens",
    "set_family_threshold",
    "sort_findings",
    "word_diff",
]
