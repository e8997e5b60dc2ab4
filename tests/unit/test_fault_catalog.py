"""The fault catalog: toxics it becomes, and bad faults rejected before anything is touched."""

from __future__ import annotations

from typing import Any

import pytest

from harness import (
    LinkFault,
    bandwidth,
    black_hole,
    cut,
    isolate,
    latency,
    limit_data,
    reset_peer,
    slicer,
    slow_close,
    split_halves,
)
from harness.errors import SpecError


def test_latency_both_ways_is_two_toxics_with_jitter() -> None:
    toxics = latency(500, 100).toxics("t1")
    assert [(t.type, t.stream) for t in toxics] == [
        ("latency", "upstream"),
        ("latency", "downstream"),
    ]
    assert toxics[0].attributes == {"latency": 500, "jitter": 100}
    assert len({t.name for t in toxics}) == 2


@pytest.mark.parametrize(
    ("fault", "kind", "attrs"),
    [
        (bandwidth(32, direction="downstream"), "bandwidth", {"rate": 32}),
        (slow_close(200, link="client"), "slow_close", {"delay": 200}),
        (black_hole(), "timeout", {"timeout": 0}),
        (reset_peer(100, link="storage-0"), "reset_peer", {"timeout": 100}),
        (slicer(16, 8, 5), "slicer", {"average_size": 16, "size_variation": 8, "delay": 5}),
        (limit_data(1024, direction="upstream"), "limit_data", {"bytes": 1024}),
    ],
)
def test_each_kind_becomes_its_toxic(fault: LinkFault, kind: str, attrs: dict[str, int]) -> None:
    toxics = fault.toxics("x")
    assert toxics
    assert all(t.type == kind and t.attributes == attrs for t in toxics)
    assert {t.stream for t in toxics} <= {"upstream", "downstream"}


def test_defaults_fill_missing_attributes() -> None:
    assert dict(LinkFault("latency").attributes) == {"latency": 500, "jitter": 0}


def test_cut_is_not_a_toxic() -> None:
    assert cut("storage-1").toxics("x") == []


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"kind": "lag"}, "fault kind"),
        ({"kind": "latency", "link": "zk"}, "fault link"),
        ({"kind": "latency", "direction": "sideways"}, "fault direction"),
        ({"kind": "latency", "toxicity": 1.5}, "fault toxicity"),
        ({"kind": "latency", "attributes": {"rate": 1}}, "latency attribute"),
        ({"kind": "bandwidth", "attributes": {"rate": -1}}, "bandwidth rate"),
    ],
)
def test_bad_faults_name_input_allowed_and_fix(kwargs: dict[str, Any], named: str) -> None:
    with pytest.raises(SpecError) as err:
        LinkFault(**kwargs)
    text = str(err.value)
    assert named in text
    assert "allowed" in text
    assert "Fix:" in text


def test_partitions() -> None:
    assert dict(isolate(2).cuts) == {2: ("registry",)}
    halves = split_halves([0, 1, 2, 3])
    assert dict(halves.cuts) == {2: ("registry",), 3: ("registry",)}
    with pytest.raises(SpecError, match="split nodes"):
        split_halves([0])
    with pytest.raises(SpecError, match="partition link"):
        isolate(0, links=["bogus"])
