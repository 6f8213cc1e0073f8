"""modgate: policy-to-production quality loop for AI-driven content-safety enforcement.

The names below are the Python API: the verbs of the loop (load a policy, register or train an
enforcer, load it, score and decide items, evaluate, check gates). They load on first use, so
`import modgate` stays cheap; type checkers see the real definitions.
"""

from typing import TYPE_CHECKING

from modgate._lazy import attach

__version__ = "0.2.0.dev0"
"""The one version source (pyproject.toml reads it from here)."""

if TYPE_CHECKING:
    from modgate.config import (
        Settings,
        load_settings,
    )
    from modgate.domain import (
        Action,
        AuthorInfo,
        Decision,
        Item,
        Verdict,
    )
    from modgate.enforce import (
        Enforcer,
        EnforcerKind,
        EnforcerSpec,
        create_enforcer,
        decide_items,
        load_enforcer,
        load_enforcer_spec,
        register_enforcer,
        score_items,
        train_enforcer,
    )
    from modgate.enforce.rules import (
        RulesEnforcer,
        load_ruleset,
    )
    from modgate.enforce.rules.automod import (
        import_automod,
    )
    from modgate.errors import (
        ModgateError,
    )
    from modgate.evaluate import (
        compare_runs,
        compute_eval_figures,
        eval_sources,
        run_eval,
        run_eval_from_sources,
        train_enforcer_from_sources,
    )
    from modgate.golden import (
        adjudication_queue,
        auto_adjudicate,
        check_golden_set,
        freeze_golden_set,
        golden_agreement,
        golden_coverage,
        golden_version_rows,
        import_golden_file,
        set_gold_label,
    )
    from modgate.policy import (
        Policy,
        compile_prompt,
        diff_policies,
        lint_policy,
        load_policy_file,
        publish_policy,
    )
    from modgate.redteam import (
        run_redteam,
    )
    from modgate.registry import (
        Spec,
        create_registry,
    )
    from modgate.release import (
        check_gates,
        decide,
        decide_with_deployments,
        deploy,
        deployment_impact,
        load_deployment_snapshot,
        reverse_deployment,
        rollback,
        verify_report,
    )
    from modgate.store import (
        ItemMapping,
        Store,
        get_item,
        import_items,
        init_workspace,
        list_audit_events,
        list_items,
        open_store,
        run_readonly_query,
        save_items,
        upgrade_database,
    )
    from modgate.text import (
        identify_language,
        normalize_text,
    )

__getattr__, __dir__ = attach(
    __name__,
    {
        "Action": "modgate.domain",
        "AuthorInfo": "modgate.domain",
        "Decision": "modgate.domain",
        "Item": "modgate.domain",
        "Verdict": "modgate.domain",
        "ModgateError": "modgate.errors",
        "Settings": "modgate.config",
        "load_settings": "modgate.config",
        "ItemMapping": "modgate.store",
        "Store": "modgate.store",
        "get_item": "modgate.store",
        "import_items": "modgate.store",
        "init_workspace": "modgate.store",
        "list_audit_events": "modgate.store",
        "list_items": "modgate.store",
        "open_store": "modgate.store",
        "run_readonly_query": "modgate.store",
        "save_items": "modgate.store",
        "upgrade_database": "modgate.store",
        "Enforcer": "modgate.enforce",
        "EnforcerKind": "modgate.enforce",
        "EnforcerSpec": "modgate.enforce",
        "create_enforcer": "modgate.enforce",
        "decide_items": "modgate.enforce",
        "load_enforcer": "modgate.enforce",
        "load_enforcer_spec": "modgate.enforce",
        "register_enforcer": "modgate.enforce",
        "score_items": "modgate.enforce",
        "train_enforcer": "modgate.enforce",
        "RulesEnforcer": "modgate.enforce.rules",
        "load_ruleset": "modgate.enforce.rules",
        "import_automod": "modgate.enforce.rules.automod",
        "identify_language": "modgate.text",
        "normalize_text": "modgate.text",
        "compare_runs": "modgate.evaluate",
        "compute_eval_figures": "modgate.evaluate",
        "eval_sources": "modgate.evaluate",
        "run_eval": "modgate.evaluate",
        "run_eval_from_sources": "modgate.evaluate",
        "train_enforcer_from_sources": "modgate.evaluate",
        "check_gates": "modgate.release",
        "verify_report": "modgate.release",
        "run_redteam": "modgate.redteam",
        "decide": "modgate.release",
        "decide_with_deployments": "modgate.release",
        "deploy": "modgate.release",
        "deployment_impact": "modgate.release",
        "load_deployment_snapshot": "modgate.release",
        "reverse_deployment": "modgate.release",
        "rollback": "modgate.release",
        "Spec": "modgate.registry",
        "create_registry": "modgate.registry",
        "Policy": "modgate.policy",
        "compile_prompt": "modgate.policy",
        "diff_policies": "modgate.policy",
        "lint_policy": "modgate.policy",
        "load_policy_file": "modgate.policy",
        "publish_policy": "modgate.policy",
        "adjudication_queue": "modgate.golden",
        "auto_adjudicate": "modgate.golden",
        "check_golden_set": "modgate.golden",
        "freeze_golden_set": "modgate.golden",
        "golden_agreement": "modgate.golden",
        "golden_coverage": "modgate.golden",
        "golden_version_rows": "modgate.golden",
        "import_golden_file": "modgate.golden",
        "set_gold_label": "modgate.golden",
    },
)

__all__ = [
    "__version__",
    "Action",
    "AuthorInfo",
    "Decision",
    "Enforcer",
    "EnforcerKind",
    "EnforcerSpec",
    "Item",
    "ItemMapping",
    "ModgateError",
    "Policy",
    "RulesEnforcer",
    "Settings",
    "Spec",
    "Store",
    "Verdict",
    "adjudication_queue",
    "auto_adjudicate",
    "check_gates",
    "decide",
    "decide_with_deployments",
    "deploy",
    "deployment_impact",
    "load_deployment_snapshot",
    "reverse_deployment",
    "rollback",
    "check_golden_set",
    "compare_runs",
    "compile_prompt",
    "compute_eval_figures",
    "create_enforcer",
    "create_registry",
    "decide_items",
    "diff_policies",
    "eval_sources",
    "freeze_golden_set",
    "get_item",
    "golden_agreement",
    "golden_coverage",
    "golden_version_rows",
    "identify_language",
    "import_automod",
    "import_golden_file",
    "import_items",
    "init_workspace",
    "lint_policy",
    "list_audit_events",
    "list_items",
    "load_enforcer",
    "load_enforcer_spec",
    "load_policy_file",
    "load_ruleset",
    "load_settings",
    "normalize_text",
    "open_store",
    "publish_policy",
    "register_enforcer",
    "run_eval",
    "run_eval_from_sources",
    "run_readonly_query",
    "run_redteam",
    "save_items",
    "score_items",
    "set_gold_label",
    "train_enforcer",
    "train_enforcer_from_sources",
    "upgrade_database",
    "verify_report",
]
