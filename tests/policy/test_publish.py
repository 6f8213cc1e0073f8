from __future__ import annotations

import pytest

from modgate.errors import ConflictError, NotFoundError, ValidationError
from modgate.policy import (
    LoadedPolicy,
    Policy,
    compile_prompt,
    example_policy_files,
    get_policy_version,
    list_policy_versions,
    load_policy_file,
    load_policy_ref,
    parse_policy_ref,
    policy_content_hash,
    publish_policy,
)
from modgate.registry import Registry
from modgate.store import Store, list_audit_events


def _loaded(index: int = 0) -> LoadedPolicy:
    return load_policy_file(example_policy_files()[index])


def test_publish_stores_an_immutable_version_with_hash_and_audit(
    store: Store, registry: Registry
) -> None:
    loaded = _loaded()
    result = publish_policy(store, loaded, actor="ana", registry=registry)
    assert result.status == "published"
    assert result.policy_ref == "harassment@1"
    assert result.content_hash == policy_content_hash(loaded.policy)
    assert result.prompt_hash == compile_prompt(loaded.policy).prompt_hash
    stored = get_policy_version(store, "harassment", 1)
    assert stored.policy == loaded.policy
    assert stored.source_yaml == loaded.text
    assert stored.record.created_by == "ana"
    assert stored.record.created_at.tzinfo is not None
    (event,) = list_audit_events(store, action="policy.publish")
    assert event.object_id == "harassment@1"
    assert event.details["content_hash"] == result.content_hash


def test_republishing_identical_content_is_a_no_op(store: Store) -> None:
    publish_policy(store, _loaded(), actor="ana")
    # reformatting the file (comments, quoting) does not change the content hash
    loaded = _loaded()
    assert loaded.text is not None
    reformatted = LoadedPolicy(
        policy=loaded.policy, source=loaded.source, text="# moved\n" + loaded.text
    )
    again = publish_policy(store, reformatted, actor="bob")
    assert again.status == "unchanged"
    assert len(list_audit_events(store, action="policy.publish")) == 1
    assert get_policy_version(store, "harassment", 1).record.created_by == "ana"


def test_changed_content_under_the_same_version_is_a_conflict(store: Store) -> None:
    publish_policy(store, _loaded(), actor="ana")
    policy = _loaded().policy
    changed = policy.model_copy(update={"definition": policy.definition + " Also spam."})
    with pytest.raises(ConflictError, match="already published with different content") as caught:
        publish_policy(store, LoadedPolicy.from_policy(changed), actor="ana")
    assert caught.value.hint is not None and "version: 2" in caught.value.hint
    assert get_policy_version(store, "harassment").policy == policy
    bumped = changed.model_copy(update={"version": 2})
    assert (
        publish_policy(store, LoadedPolicy.from_policy(bumped), actor="ana").status == "published"
    )
    assert get_policy_version(store, "harassment").record.version == 2
    assert [r.ref for r in list_policy_versions(store)] == ["harassment@1", "harassment@2"]


def test_lint_errors_block_publishing(store: Store, registry: Registry) -> None:
    data = _loaded().policy.model_dump(mode="json")
    data["examples"][0]["criteria"] = ["NOPE"]
    loaded = LoadedPolicy.from_policy(Policy.model_validate(data))
    with pytest.raises(ValidationError, match="lint error"):
        publish_policy(store, loaded, actor="ana", registry=registry)
    assert list_policy_versions(store) == []
    assert publish_policy(store, loaded, actor="ana").status == "published"  # no registry: no lint


def test_list_filters_and_refs(store: Store) -> None:
    for i in range(3):
        publish_policy(store, _loaded(i), actor="ana")
    assert [r.id for r in list_policy_versions(store)] == [
        "harassment",
        "hate_speech",
        "violent_threats",
    ]
    assert [r.id for r in list_policy_versions(store, policy_id="hate_speech")] == ["hate_speech"]
    assert list_policy_versions(store, scope="community:x") == []
    loaded = load_policy_ref("violent_threats@1", store=lambda: store)
    assert loaded.policy == _loaded(2).policy
    assert loaded.source.file == "violent_threats@1"
    assert loaded.source.position(("violates", 0, "id"))[0] is not None
    with pytest.raises(NotFoundError):
        get_policy_version(store, "violent_threats", 9)


def test_parse_policy_ref() -> None:
    assert parse_policy_ref("harassment@2") == ("harassment", 2)
    assert parse_policy_ref("harassment") == ("harassment", None)
    for bad in ("Harassment@1", "harassment@0", "harassment@x", "a b"):
        with pytest.raises(ValidationError):
            parse_policy_ref(bad)
