"""Secrets out of anything the harness writes: YAML/properties lines and DistSQL clauses."""

from __future__ import annotations

import re

__all__ = ["redact"]

_LINE = re.compile(r"(?im)^(\s*(?:password|pwd)\s*[:=]\s*).*$")
# ShardingSphere's authority rule keeps users as ``- user@host:password``.
_USER = re.compile(r"(?m)^(\s*-\s*[^@\s]+@[^:\s]*:).+$")
_DISTSQL = re.compile(r"(?i)(PASSWORD\s*=\s*)('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^,)\s]+)")


def redact(text: str) -> str:
    """``password: x`` / ``password=x`` lines, ``- user@host:x`` users and ``PASSWORD='x'``
    clauses become ``***``."""
    for pattern in (_LINE, _USER, _DISTSQL):
        text = pattern.sub(r"\g<1>***", text)
    return text
