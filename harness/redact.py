"""Secrets out of anything the harness writes: YAML/properties lines and DistSQL clauses."""

from __future__ import annotations

import re

__all__ = ["redact"]

_LINE = re.compile(r"(?im)^(\s*(?:password|pwd)\s*[:=]\s*).*$")
_DISTSQL = re.compile(r"(?i)(PASSWORD\s*=\s*)('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^,)\s]+)")


def redact(text: str) -> str:
    """``password: x`` / ``password=x`` lines and ``PASSWORD='x'`` clauses become ``***``."""
    return _DISTSQL.sub(r"\g<1>***", _LINE.sub(r"\g<1>***", text))
