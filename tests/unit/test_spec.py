"""Validation at the edge: every bad input names itself, the allowed values and the fix."""

from __future__ import annotations

from typing import Any

import pytest

from harness.errors import SpecError
from harness.spec import DEFAULT_ETCD_PROPS, DEFAULT_ZOOKEEPER_PROPS, TopologySpec

BAD: list[tuple[dict[str, Any], str, str]] = [
    ({"registry": "zk"}, "registry='zk'", "zookeeper | etcd"),
    ({"mode": "Clustered"}, "mode='Clustered'", "memory | standalone | cluster"),
    ({"mode": ""}, "mode=''", "memory | standalone | cluster"),
    ({"nodes": 0}, "nodes=0", "1 to 8"),
    ({"nodes": 9}, "nodes=9", "1 to 8"),
    ({"nodes": "three"}, "nodes='three'", "integer"),
    ({"storage_nodes": 0}, "storage_nodes=0", "1 to 4"),
    ({"mode": "standalone", "registry": "zookeeper"}, "registry='zookeeper'", "none in"),
    ({"mode": "memory", "registry": "etcd"}, "registry='etcd'", "none in memory mode"),
    ({"props": {"timeToLiveSeconds": -1}}, "timeToLiveSeconds", "positive integer"),
    ({"props": {"timeToLiveSeconds": 0}}, "timeToLiveSeconds", "positive integer"),
    ({"props": {"maxRetries": "many"}}, "maxRetries", "non-negative integer"),
    ({"props": {"maxRetries": True}}, "maxRetries", "non-negative integer"),
    ({"props": {"sessionTimeout": 5}}, "sessionTimeout", "retryIntervalMilliseconds"),
    ({"registry": "etcd", "props": {"maxRetries": 3}}, "maxRetries", "connectionTimeout"),
    ({"mode": "memory", "props": {"maxRetries": 3}}, "props", "outside cluster mode"),
    ({"namespace": "bad/ns"}, "namespace='bad/ns'", "letters, digits"),
    ({"namespace": ""}, "namespace=''", "letters, digits"),
    ({"proxy_image": "  "}, "proxy_image", "repo:tag"),
]


@pytest.mark.parametrize(("kwargs", "names", "allowed"), BAD, ids=[repr(b[0]) for b in BAD])
def test_bad_spec_is_rejected_with_name_allowed_values_and_fix(
    kwargs: dict[str, Any], names: str, allowed: str
) -> None:
    with pytest.raises(SpecError) as err:
        TopologySpec.create(**kwargs)
    message = str(err.value)
    assert names in message
    assert allowed in message
    assert "Fix:" in message


def test_defaults_are_the_seeds_values() -> None:
    spec = TopologySpec.create()
    assert (spec.mode, spec.registry, spec.nodes, spec.namespace) == (
        "cluster",
        "zookeeper",
        3,
        "governance_ds",
    )
    assert dict(spec.props) == dict(DEFAULT_ZOOKEEPER_PROPS)
    assert spec.props["retryIntervalMilliseconds"] == 500
    assert spec.props["operationTimeoutMilliseconds"] == 500


def test_etcd_props_and_overrides() -> None:
    spec = TopologySpec.create(registry="ETCD", props={"timeToLiveSeconds": 5})
    assert spec.registry == "etcd"
    assert spec.props == {**DEFAULT_ETCD_PROPS, "timeToLiveSeconds": 5}


def test_non_cluster_modes_have_no_registry() -> None:
    assert TopologySpec.create(mode="memory").registry is None
    assert TopologySpec.create(mode="standalone", nodes="2").nodes == 2


def test_equal_specs_share_a_key_and_different_ones_do_not() -> None:
    assert TopologySpec.create().key == TopologySpec.create(nodes=3).key
    assert TopologySpec.create().key != TopologySpec.create(nodes=2).key
    assert TopologySpec.create().key != TopologySpec.create(namespace="other").key
