"""Known upstream behaviour of the pinned engine, as data the scenarios parametrise with.

A scenario asserts the correct behaviour; where the engine does not, it is marked
``xfail(strict=True)`` with the reason, so a fixed engine turns it into a failure to look at.
"""

from __future__ import annotations

import pytest

from harness import ConvergenceTimeout

ETCD_NO_WATCH = (
    "ShardingSphere 5.1.0 etcd repository: metadata changes are written to etcd (keys without "
    "a leading '/') but peers never receive them at run time; a node sees them only when it "
    "starts and loads the registry"
)

# Cluster scenarios that need run-time propagation run on both registries.
REGISTRIES = [
    pytest.param("zookeeper", marks=pytest.mark.topology(registry="zookeeper"), id="zookeeper"),
    pytest.param(
        "etcd",
        marks=[
            pytest.mark.topology(registry="etcd"),
            pytest.mark.xfail(strict=True, raises=ConvergenceTimeout, reason=ETCD_NO_WATCH),
        ],
        id="etcd",
    ),
]
