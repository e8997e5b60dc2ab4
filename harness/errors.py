"""Exception tree: every message says what failed, where, and what to try."""

from __future__ import annotations

__all__ = [
    "ConvergenceTimeout",
    "EngineError",
    "FaultError",
    "HarnessError",
    "ImageBuildError",
    "ProvisionError",
    "SpecError",
]


class HarnessError(Exception):
    """Root of every error the harness raises on purpose.

    Example: ``except HarnessError as exc: print(exc)`` (every message carries its fix).
    """


class SpecError(HarnessError, ValueError):
    """A topology spec, option or marker argument is invalid.

    Raised at the edge, before any container starts.

    Example: ``TopologySpec.create(nodes=0)`` raises ``invalid nodes=0: allowed 1 to 8. Fix: ...``.
    """

    def __init__(self, name: str, value: object, allowed: str, fix: str) -> None:
        self.name = name
        self.value = value
        self.allowed = allowed
        self.fix = fix
        super().__init__(f"invalid {name}={value!r}: allowed {allowed}. Fix: {fix}")


class EngineError(HarnessError):
    """No Docker engine can be reached or started."""


class ImageBuildError(HarnessError):
    """A step of the offline image build failed."""

    def __init__(self, role: str, step: str, detail: str) -> None:
        self.role = role
        self.step = step
        super().__init__(f"image build failed: role {role!r}, step {step!r}\n{detail}")


class ProvisionError(HarnessError):
    """A container or network of a topology could not be started or did not become ready.

    Example: a missing image: ``could not start proxy container ... Fix: run `harness images
    build```; the topology is torn down before it is raised.
    """


class FaultError(HarnessError):
    """A fault could not be injected or healed.

    Example: ``faults.heal_all()`` raises it after trying every fault if one heal failed.
    """


class ConvergenceTimeout(HarnessError, AssertionError):
    """Nodes did not converge before the deadline; the message carries the diff.

    An AssertionError, so pytest reports it as a failure. Example:
    ``with pytest.raises(ConvergenceTimeout): assert_converged(topology, timeout=2)``.
    """
