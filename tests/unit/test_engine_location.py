"""Which DOCKER_HOST values name an engine on this machine: decided from the address alone."""

from __future__ import annotations

import pytest

from harness.docker_engine import LOCAL_OVERRIDE, check_local, remote_host
from harness.errors import SpecError


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "unix:///var/run/docker.sock",
        "unix:///tmp/d2/docker.sock",
        "npipe:////./pipe/docker_engine",
        "fd://",
        "tcp://127.0.0.1:2375",
        "tcp://127.3.4.5:2376",
        "tcp://localhost:2375",
        "tcp://[::1]:2375",
        "https://localhost:2376",
        "ssh://ci@localhost",
        "ssh://127.0.0.1:2222",
        "127.0.0.1:2375",
    ],
)
def test_local_engines(value: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LOCAL_OVERRIDE, raising=False)
    assert remote_host(value) is None
    check_local(value)


@pytest.mark.parametrize(
    ("value", "host"),
    [
        ("tcp://docker:2375", "docker"),
        ("tcp://10.1.2.3:2376", "10.1.2.3"),
        ("ssh://deploy@build-box.example", "build-box.example"),
        ("https://[2001:db8::1]:2376", "2001:db8::1"),
        ("docker-ci:2375", "docker-ci"),
    ],
)
def test_remote_engines_are_refused_with_the_fix(
    value: str, host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(LOCAL_OVERRIDE, raising=False)
    assert remote_host(value) == host
    with pytest.raises(SpecError) as info:
        check_local(value)
    text = str(info.value)
    assert f"DOCKER_HOST={value!r}" in text
    assert "127.0.0.1" in text
    assert f"run the tests on {host}" in text
    assert f"{LOCAL_OVERRIDE}=1" in text


def test_override_says_the_named_host_is_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOCAL_OVERRIDE, "1")
    assert remote_host("tcp://my-own-hostname:2375") is None
