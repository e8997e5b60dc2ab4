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
    """Root of every error the harness raises on purpose."""


class SpecError(HarnessError, ValueError):
    """A topology spec, option or marker argument is invalid.

    Raised at the edge, before any container starts.
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
    """A container or network of a topology could not be started or did not become ready."""


class FaultError(HarnessError):
    """A fault could not be injected or healed."""


class ConvergenceTimeout(HarnessError, AssertionError):
    """Nodes did not converge before the deadline; the message carries the diff."""
