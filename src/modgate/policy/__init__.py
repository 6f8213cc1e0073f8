"""Policy as code: the policy file format, load with file:line errors, lint, diff, publish, compile.

A policy file (`policies/*.yaml`) holds the Policy contract of DESIGN.md. `load_policy_file`
validates it and reports every problem with its location; `lint_policy` runs the registered
lint checks; `diff_policies` compares versions; `publish_policy` stores an immutable version;
`compile_prompt` renders the LLM judge prompt.
"""

from modgate.policy._checks import builtin_lint_checks
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
    PolicyVersionRecord,
    PublishedPolicy,
    get_policy_version,
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
    "DEFAULT_TEMPLATE",
    "DEFAULT_TOKEN_BUDGET",
    "LINT_CHECK_KIND",
    "POLICY_ACTIONS",
    "AllowedContext",
    "CompiledPrompt",
    "Criterion",
    "DiffSegment",
    "Example",
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
    "Severity",
    "SourceMap",
    "TokenCount",
    "builtin_lint_checks",
    "compile_prompt",
    "count_tokens",
    "default_template",
    "diff_policies",
    "example_policy_files",
    "get_policy_version",
    "lint_checks",
    "lint_policy",
    "lint_policy_files",
    "list_policy_versions",
    "load_policy_file",
    "load_policy_ref",
    "load_policy_text",
    "load_template",
    "normalize_example_text",
    "parse_policy_ref",
    "policy_content_hash",
    "policy_files",
    "publish_policy",
    "render_diff_markdown",
    "render_diff_text",
    "render_findings",
    "render_word_diff",
    "sort_findings",
    "word_diff",
]
