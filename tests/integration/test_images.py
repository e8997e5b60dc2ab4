"""Offline images: every role exists under its content-hash tag; a rebuild builds nothing."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from harness.images import catalog
from harness.images.builder import ImageBuilder


def test_second_build_builds_nothing(builder: ImageBuilder) -> None:
    results = builder.build()
    assert [r.role for r in results] == list(catalog.ROLES)
    assert [r.role for r in results if r.built] == []


def test_images_carry_official_layout(docker_client: Any, builder: ImageBuilder) -> None:
    proxy = docker_client.images.get(builder.tag("shardingsphere-proxy"))
    assert "3307/tcp" in proxy.attrs["Config"]["ExposedPorts"]
    assert proxy.attrs["Config"]["WorkingDir"] == "/opt/shardingsphere-proxy"
    out = docker_client.containers.run(
        builder.tag("shardingsphere-proxy"),
        entrypoint=[
            "sh",
            "-c",
            "ls /opt/shardingsphere-proxy/ext-lib; "
            "ls /opt/shardingsphere-proxy/lib | grep -c shardingsphere",
        ],
        remove=True,
        labels={"io.harness.managed": "true", "io.harness.role": "test"},
    ).decode()
    driver, count = out.split()
    assert driver.startswith("mysql-connector-java")
    assert int(count) > 50


def test_cli_lists_every_role_present() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "harness", "images", "list"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for name in catalog.ROLES:
        line = next(line for line in out.splitlines() if line.startswith(name + " "))
        assert " present " in line
