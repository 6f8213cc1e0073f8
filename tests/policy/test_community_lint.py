from __future__ import annotations

import pytest

from modgate.policy import (
    CheckableBy,
    CommunityRule,
    SitePolicyIndex,
    example_policy_files,
    lint_community_rule,
    load_policy_file,
)


@pytest.fixture(scope="module")
def site() -> SitePolicyIndex:
    return SitePolicyIndex([load_policy_file(p).policy for p in example_policy_files()])


def _lint(site: SitePolicyIndex, name: str, description: str = "") -> tuple[str, dict[str, str]]:
    result = lint_community_rule(
        CommunityRule(community="c", name=name, description=description), site
    )
    return result.checkable_by, {f.check: f.message for f in result.findings}


def test_be_nice_is_vague_and_uncheckable_no_links_is_checkable_by_rules(
    site: SitePolicyIndex,
) -> None:
    kind, found = _lint(site, "Be nice")
    assert kind is CheckableBy.NONE
    assert set(found) == {"vague_term", "uncheckable"}
    assert "'be nice'" in found["vague_term"]
    kind, found = _lint(site, "No links", "Posts with links to other sites are removed.")
    assert (kind, found) == (CheckableBy.RULES, {})


@pytest.mark.parametrize(
    ("name", "description", "kind"),
    [
        ("No self-promotion", "Don't advertise your channel.", CheckableBy.MODEL),
        ("No spoilers", "", CheckableBy.MODEL),
        ("Titles must be at least 10 words", "", CheckableBy.RULES),
        ("English only", "", CheckableBy.RULES),
        ("Use common sense", "Mods have the final say.", CheckableBy.NONE),
        ("Have fun", "", CheckableBy.NONE),
    ],
)
def test_checkability_classes(
    site: SitePolicyIndex, name: str, description: str, kind: CheckableBy
) -> None:
    assert _lint(site, name, description)[0] is kind


def test_a_permission_for_what_a_site_policy_forbids_is_an_error(site: SitePolicyIndex) -> None:
    _, found = _lint(site, "Edgy humour", "Slurs are fine here, we are adults.")
    assert "hate_speech" in found["contradicts_site"]
    _, found = _lint(site, "Anything goes")
    assert "no limits" in found["contradicts_site"]


def test_a_negated_permission_or_an_unrelated_one_is_no_contradiction(
    site: SitePolicyIndex,
) -> None:
    assert "contradicts_site" not in _lint(site, "No slurs", "Slurs are not allowed.")[1]
    assert "contradicts_site" not in _lint(site, "Memes", "Memes are allowed on Fridays.")[1]
    assert "contradicts_site" not in _lint(site, "Swearing", "Swearing is fine.")[1]


def test_restating_a_site_policy_is_flagged_as_a_duplicate(site: SitePolicyIndex) -> None:
    _, found = _lint(site, "No harassment", "Harassment of other users is removed.")
    assert "'harassment'" in found["duplicate_of_site"]
    _, found = _lint(site, "Follow the sitewide rules")
    assert "site rules" in found["duplicate_of_site"]
    assert "duplicate_of_site" not in _lint(site, "No self-promotion")[1]


def test_without_site_policies_the_site_checks_find_nothing() -> None:
    empty = SitePolicyIndex([])
    _, found = _lint(empty, "Edgy humour", "Slurs are fine here.")
    assert "contradicts_site" not in found and "duplicate_of_site" not in found
