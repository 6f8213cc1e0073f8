"""`RedteamReport`: what a red-team run measured, with summary lines and a Markdown section."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from modgate.redteam._perturbation import PerturbationSpec
from modgate.redteam._robustness import AttackOutcome, RateFigure, RobustnessFigures


class AttackExample(BaseModel):
    """A successful evasion shown in the report (the cheapest ones)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item_id: str
    """The golden item."""
    perturbation: str
    """Perturbation label."""
    family: str
    """Its family."""
    cost: int
    """Characters changed."""
    original: str
    """Clean text."""
    perturbed: str
    """The text that got through."""
    clean_score: float
    """Score on the clean text."""
    score: float
    """Score on the perturbed text."""

    @classmethod
    def from_outcome(cls, outcome: AttackOutcome) -> AttackExample:
        """The example of one outcome."""
        return cls(
            item_id=outcome.item_id,
            perturbation=outcome.perturbation,
            family=outcome.family,
            cost=outcome.cost,
            original=outcome.original,
            perturbed=outcome.perturbed,
            clean_score=outcome.clean_score,
            score=outcome.score,
        )


class RedteamReport(BaseModel):
    """A red-team run: enforcer version × golden version × perturbations → robustness figures."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    """Run id (`redteam-…`)."""
    enforcer: str
    """`name@version`."""
    enforcer_version_hash: str
    """Hash of the enforcer version."""
    policy: str | None = None
    """`policy@version` it enforces."""
    golden: str
    """`name@version` of the golden version."""
    golden_hash: str
    """Its content hash."""
    split: str
    """Split attacked."""
    eval_run_id: str | None = None
    """The clean eval run stored with the figures (gate files check it)."""
    perturbations: tuple[PerturbationSpec, ...]
    """What was tried (re-creatable)."""
    budget: int = Field(ge=1)
    """Attempts per item and perturbation."""
    seed: int
    """Seed of every perturbation."""
    n_items: int
    """Items of the split."""
    n_caught: int
    """Violating items caught on clean text (attack success denominator)."""
    n_passed: int
    """Non-violating items not flagged on clean text (new false-positive denominator)."""
    figures: RobustnessFigures
    """Rates with intervals."""
    examples: tuple[AttackExample, ...] = ()
    """The cheapest successful attacks."""
    created_at: datetime
    """When it ran (UTC)."""
    created_by: str
    """Who ran it."""

    def summary_lines(self) -> list[str]:
        """A few lines for terminals and the demo: the headline rates per family."""
        conf = f"{self.figures.confidence:.0%}"
        lines = [
            f"{self.id}: {self.enforcer} on {self.golden} ({self.split}), "
            f"{len(self.perturbations)} perturbation(s), budget {self.budget}, seed {self.seed}",
            f"  {self.n_caught} violating items caught clean, {self.n_passed} non-violating "
            f"passed clean; rates with {conf} Wilson intervals",
        ]
        families = sorted(
            {f.family for f in self.figures.attack_success} | {"all"},
            key=lambda f: (f != "all", f),
        )
        for family in families:
            asr = self.figures.attack_success_rate(family)
            nfp = self.figures.new_false_positive_rate(family)
            lines.append(
                f"  {family:<10} attack success {_fmt(asr)}   new false positives {_fmt(nfp)}"
            )
        if self.examples:
            best = self.examples[0]
            lines.append(
                f"  cheapest evasion: {best.perturbation} ({best.cost} chars) "
                f"{best.original[:60]!r} → {best.perturbed[:60]!r}"
            )
        return lines


def _fmt(figure: RateFigure | None) -> str:
    return "n/a" if figure is None else figure.format()


def _table(
    title: str, figures: tuple[RateFigure, ...], prefix: str, confidence: float
) -> list[str]:
    rows = [f for f in figures if f.scope == "overall" or f.scope.startswith(prefix)]
    if not rows:
        return []
    out = [
        f"#### {title}",
        "",
        f"| family | scope | rate | {confidence:.0%} interval | n |",
        "|---|---|---|---|---|",
    ]
    for f in rows:
        value = "n/a" if f.value is None else f"{f.value:.3f}"
        interval = "" if f.lower is None else f"[{f.lower:.3f}, {f.upper or 0.0:.3f}]"
        out.append(f"| {f.family} | {f.scope} | {value} | {interval} | {f.count}/{f.total} |")
    return [*out, ""]


def render_redteam_section(report: RedteamReport) -> str:
    """The red-team section of a report (Markdown), shared by `redteam run` and eval reports."""
    lines = [
        "### Adversarial robustness",
        "",
        f"{report.enforcer} on {report.golden} ({report.split}); perturbations: "
        + ", ".join(p.label for p in report.perturbations)
        + f"; budget {report.budget} attempt(s); seed {report.seed}. "
        "Attack success = share of violating items caught on clean text that a perturbation "
        "got through; new false positives = share of non-violating items passed on clean "
        "text that a perturbation got flagged.",
        "",
    ]
    conf = report.figures.confidence
    success, new_fp = report.figures.attack_success, report.figures.new_false_positives
    for prefix, what in (("policy=", "by policy"), ("community=", "by community")):
        lines += _table(f"Attack success {what}", success, prefix, conf)
    lines += _table("Attack success by perturbation", success, "perturbation=", conf)
    lines += _table("New false positives by family", new_fp, "policy=", conf)
    lines += _table("New false positives by perturbation", new_fp, "perturbation=", conf)
    if report.examples:
        lines += [
            "#### Cheapest successful attacks",
            "",
            "| perturbation | chars | original | perturbed |",
            "|---|---|---|---|",
        ]
        for ex in report.examples:
            lines.append(
                f"| {ex.perturbation} | {ex.cost} | {_cell(ex.original)} | {_cell(ex.perturbed)} |"
            )
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    short = text if len(text) <= 120 else text[:117] + "…"
    return short.replace("|", "\\|").replace("\n", " ")


__all__ = ["AttackExample", "RedteamReport", "render_redteam_section"]
