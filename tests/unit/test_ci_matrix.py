"""The CI workflow's matrix names only what harness accepts: every cell's options are valid
and every proxy value is a release the catalog can build."""

from __future__ import annotations

from pathlib import Path

import yaml

from harness.images import catalog
from harness.spec import TopologySpec

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "ci.yml"


def test_every_matrix_cell_is_a_valid_topology_and_release() -> None:
    matrix = yaml.safe_load(WORKFLOW.read_text())["jobs"]["scenarios"]["strategy"]["matrix"]
    cells = {c["cell"]: c for c in matrix["include"]}
    assert set(cells) == set(matrix["cell"])
    for cell in cells.values():
        spec = TopologySpec.create(mode=cell["mode"], registry=cell["registry"] or None)
        assert cell["marker"] == spec.mode
    releases = {p: catalog.release_of_official(p) for p in matrix["proxy"]}
    assert None not in releases.values(), releases
    assert set(releases.values()) == set(catalog.PROXY_RELEASES)
