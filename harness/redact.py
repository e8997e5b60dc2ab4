"""Secrets out of anything the harness writes: YAML/properties lines and DistSQL clauses."""

from __future__ import annotations

import re

__all__ = ["redact"]

# Any key ending in password (5.5's registry has ``user_password``). Blanks only, never a
# newline: an empty ``password:`` must not mask the line after it.
_LINE = re.compile(r"(?im)^([ \t]*[\w.-]*(?:password|pwd)[ \t]*[:=][ \t]*).*$")
# ShardingSphere's authority rule keeps users as ``- user@host:password``.
_USER = re.compile(r"(?m)^(\s*-\s*[^@\s]+@[^:\s]*:).+$")
_DISTSQL = re.compile(r"(?i)(PASSWORD\s*=\s*)('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^,)\s]+)")


def redact(text: str) -> str:
    """``password: x`` / ``password=x`` lines, ``- user@host:x`` users and ``PASSWORD='x'``
    clauses become ``***``."""
    for pattern in (_LINE, _USER, _DISTSQL):
        text = pattern.sub(r"\g<1>***", text)
    return text
