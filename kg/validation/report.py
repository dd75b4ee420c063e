"""What validation finds: :class:`Violation` records, and the error a failed build raises."""

from __future__ import annotations

from dataclasses import dataclass

from kg.core.errors import KgError


@dataclass(frozen=True)
class Violation:
    check: str
    severity: str
    resource: str
    error: str


class ValidationFailed(KgError):
    def __init__(self, violations):
        self.violations = violations
        lines = [f"validation failed: {len(violations)} violation(s)"]
        for v in violations[:50]:
            lines.append(f"  [{v.severity}] {v.check}: {v.resource} — {v.error}")
        if len(violations) > 50:
            lines.append(f"  ... and {len(violations) - 50} more")
        super().__init__("\n".join(lines))
