"""modgate: policy-to-production quality loop for AI-driven content-safety enforcement.

The names below are the Python API; they load lazily so `import modgate` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Action": "modgate.domain",
    "AuthorInfo": "modgate.domain",
    "Decision": "modgate.domain",
    "Item": "modgate.domain",
    "Verdict": "modgate.domain",
    "ModgateError": "modgate.errors",
    "Settings": "modgate.config",
    "load_settings": "modgate.config",
    "Store": "modgate.store",
    "open_store": "modgate.store",
    "init_workspace": "modgate.store",
    "upgrade_database": "modgate.store",
    "run_readonly_query": "modgate.store",
    "save_items": "modgate.store",
    "import_items": "modgate.store",
    "ItemMapping": "modgate.store",
    "list_items": "modgate.store",
    "get_item": "modgate.store",
    "list_audit_events": "modgate.store",
    "Enforcer": "modgate.enforce",
    "import_automod": "modgate.enforce",
    "EnforcerSpec": "modgate.enforce",
    "RulesEnforcer": "modgate.enforce",
    "load_ruleset": "modgate.enforce",
    "normalize_text": "modgate.text",
    "identify_language": "modgate.text",
    "run_eval": "modgate.evaluate",
    "compare_runs": "modgate.evaluate",
    "compute_eval_figures": "modgate.evaluate",
    "check_gates": "modgate.release",
    "run_redteam": "modgate.redteam",
    "verify_report": "modgate.release",
    "create_registry": "modgate.registry",
    "Policy": "modgate.policy",
    "load_policy_file": "modgate.policy",
    "lint_policy": "modgate.policy",
    "diff_policies": "modgate.policy",
    "publish_policy": "modgate.policy",
    "compile_prompt": "modgate.policy",
    "Spec": "modgate.registry",
    "import_golden_file": "modgate.golden",
    "golden_agreement": "modgate.golden",
    "adjudication_queue": "modgate.golden",
    "set_gold_label": "modgate.golden",
    "auto_adjudicate": "modgate.golden",
    "golden_coverage": "modgate.golden",
    "check_golden_set": "modgate.golden",
    "freeze_golden_set": "modgate.golden",
    "golden_version_rows": "modgate.golden",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'modgate' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return __all__
