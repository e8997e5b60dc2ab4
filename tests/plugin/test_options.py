"""The plugin as another repo sees it: loaded by its entry point, in a subprocess."""

from __future__ import annotations

import pytest

USES_TOPOLOGY = """
import pytest

def test_uses(topology):
    pass
"""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--harness-registry=zk"], ["registry='zk'", "zookeeper | etcd"]),
        (["--harness-mode=cloud"], ["mode='cloud'", "memory | standalone | cluster"]),
        (["--harness-nodes=0"], ["nodes='0'", "1 to 8"]),
        (["--harness-nodes=x"], ["nodes='x'", "integer"]),
        (["--harness-image-source=internet"], ["image source='internet'", "local | official"]),
        # A release with no dialect (told by the official tag: the image is not here).
        (["--harness-proxy-image=apache/shardingsphere-proxy:5.3.2"], ["proxy version='5.3.2"]),
        # An image whose release nothing tells: the override is the fix.
        (
            ["--harness-proxy-image=my/proxy:latest"],
            ["proxy image='my/proxy:latest'", "--harness-proxy-dialect="],
        ),
        (["--harness-proxy-dialect=5.4"], ["proxy dialect='5.4'", "5.1 | 5.1.1 | 5.5"]),
        # A registry the mode cannot use, both named.
        (
            ["--harness-registry=etcd", "--harness-mode=standalone"],
            ["--harness-registry='etcd'", "--harness-mode=standalone", "--harness-mode=cluster"],
        ),
        (
            ["--harness-mode=memory", "--harness-registry=zookeeper"],
            ["--harness-registry='zookeeper'", "--harness-mode=memory"],
        ),
        (
            ["--harness-chaos-faults=cut_registry,flood"],
            ["--harness-chaos-faults='flood'", "cut_registry, slow_registry", "drop flood"],
        ),
        (
            ["--harness-chaos-converge=0"],
            ["--harness-chaos-converge (converge_s)=0.0", "--harness-chaos-converge=60"],
        ),
        (
            ["--harness-chaos-changes=set_up_sharding"],
            ["--harness-chaos-changes='set_up_sharding'", "add create_database"],
        ),
    ],
)
def test_bad_option_is_a_usage_error(
    pytester: pytest.Pytester, args: list[str], expected: list[str]
) -> None:
    pytester.makepyfile(USES_TOPOLOGY)
    result = pytester.runpytest_subprocess(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    for text in expected:
        assert text in err
    assert "Fix:" in err


def test_registry_from_ini_defaults_is_fine_in_another_mode(pytester: pytest.Pytester) -> None:
    # A CI matrix cell sets the registry in ini and the mode on the command line.
    pytester.makeini("[pytest]\nharness_registry = etcd\n")
    pytester.makepyfile(
        "def test_x(harness_settings):\n    assert harness_settings.registry is None\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--harness-mode=memory")
    result.assert_outcomes(passed=1)


def test_bad_ini_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nharness_registry = zk\n")
    pytester.makepyfile(USES_TOPOLOGY)
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "zookeeper | etcd" in result.stderr.str()


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ('registry="zk"', "zookeeper | etcd"),
        ('registry="zk"', "Fix: change this test's @pytest.mark.topology(registry=...)"),
        ("nodes=0", "1 to 8"),
        ('mode="clustr"', "Fix: change this test's @pytest.mark.topology(mode=...)"),
        ('mode="standalone", registry="etcd"', "none in standalone mode"),
        ('colour="red"', "unknown topology argument"),
        ('"cluster"', "keyword arguments only"),
    ],
)
def test_bad_marker_is_a_usage_error_at_collection(
    pytester: pytest.Pytester, marker: str, expected: str
) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.topology({marker})
        def test_uses(topology):
            pass
        """
    )
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert expected in result.stderr.str()


def test_markers_and_options_are_registered(pytester: pytest.Pytester) -> None:
    markers = pytester.runpytest_subprocess("--markers")
    out = markers.stdout.str()
    for name in (
        "@pytest.mark.cluster",
        "@pytest.mark.topology(",
        "@pytest.mark.fault",
        "@pytest.mark.known_issue(",
    ):
        assert name in out
    helptext = pytester.runpytest_subprocess("--help").stdout.str()
    for opt in ("--harness-mode", "--harness-registry", "--harness-nodes", "--harness-proxy-image"):
        assert opt in helptext
    assert "harness_registry" in helptext


def test_tests_without_topology_start_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest_subprocess(
        "--harness-image-source=official", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=1)


KNOWN = """
import pytest

@pytest.mark.known_issue("broken in 5.1.0", versions=["5.1.0"], raises=ValueError)
def test_fails_on_510_only():
    raise ValueError("the known behaviour")

@pytest.mark.known_issue("broken in 5.1.0", versions=["5.1.0"])
def test_fixed_but_still_marked():
    pass

@pytest.mark.known_issue("broken everywhere")
def test_any_release():
    assert False
"""


def test_known_issue_is_a_strict_xfail_on_the_named_releases_only(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(KNOWN)
    on_510 = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-rxX", "--harness-proxy-image=apache/shardingsphere-proxy:5.1.0"
    )
    # A marked test that passes on a named release is a strict XPASS: a failure to look at.
    on_510.assert_outcomes(xfailed=2, failed=1)
    on_510.stdout.fnmatch_lines(["*XFAIL*test_fails_on_510_only*broken in 5.1.0 [[]proxy 5.1.0]*"])
    on_511 = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--harness-proxy-image=apache/shardingsphere-proxy:5.1.1"
    )
    # On another release the behaviour must be right: the first test now fails outright.
    on_511.assert_outcomes(passed=1, failed=1, xfailed=1)
    # The default release (5.5.2) is not 5.1.0 either.
    default = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rxX")
    default.assert_outcomes(passed=1, failed=1, xfailed=1)
    default.stdout.fnmatch_lines(["*XFAIL*test_any_release*[[]proxy 5.5.2]*"])


RACY = """
import pytest

@pytest.mark.known_issue("a race", versions=["5.5.2"], raises=ValueError, strict=False)
def test_race_that_did_not_show():
    pass

@pytest.mark.known_issue("a race", versions=["5.5.2"], raises=ValueError, strict=False)
def test_race_that_showed():
    raise ValueError("lost")
"""


def test_a_racy_known_issue_may_pass_or_show(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(RACY)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    # Non-strict: a pass is not a failure to look at, and a showing is still a known issue.
    result.assert_outcomes(xpassed=1, xfailed=1)
    assert result.ret == pytest.ExitCode.OK


def test_known_issue_with_bad_arguments_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import pytest\n\n@pytest.mark.known_issue(versions=['5.1.0'])\ndef test_x():\n    pass\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*known_issue takes one reason*"])


def test_remote_engine_is_a_usage_error_only_for_topology_tests(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Refused from the address alone: nothing is contacted, no container starts.
    monkeypatch.setenv("DOCKER_HOST", "tcp://docker-ci.invalid:2375")
    monkeypatch.delenv("HARNESS_ENGINE_IS_LOCAL", raising=False)
    pytester.makepyfile(test_a=USES_TOPOLOGY, test_b="def test_plain():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "test_a.py")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "DOCKER_HOST='tcp://docker-ci.invalid:2375'" in err
    assert "run the tests on docker-ci.invalid" in err
    # A consumer's tests that need no topology run on whatever engine they like.
    plain = pytester.runpytest_subprocess("-p", "no:cacheprovider", "test_b.py")
    assert plain.ret == pytest.ExitCode.OK
