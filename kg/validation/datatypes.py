"""Datatype tests on stores that keep numbers by value.

Oxigraph stores numbers by value: a literal typed with a derived integer type
(xsd:nonNegativeInteger, xsd:positiveInteger, ...) comes back as xsd:integer
(oxigraph/oxigraph#1413). On such a store (``store.integers_by_value``) a datatype test
accepts an xsd:integer in the value space of the declared type.
"""

from __future__ import annotations

INTEGER_RANGES = {
    "nonNegativeInteger": "?v >= 0", "positiveInteger": "?v > 0", "nonPositiveInteger": "?v <= 0",
    "negativeInteger": "?v < 0", "long": "true", "int": "true", "short": "true", "byte": "true",
    "unsignedLong": "?v >= 0", "unsignedInt": "?v >= 0", "unsignedShort": "?v >= 0", "unsignedByte": "?v >= 0",
}
DATATYPE_TEST = "DATATYPE(?v) != ?range"


def by_value(check_text: str) -> str:
    """The datatype test of a check query, read by value (see :data:`INTEGER_RANGES`)."""
    if DATATYPE_TEST not in check_text:
        return check_text
    cases = " || ".join(f"(?range = xsd:{name} && {cond})" for name, cond in INTEGER_RANGES.items())
    relaxed = f"({DATATYPE_TEST} && !(DATATYPE(?v) = xsd:integer && ({cases})))"
    return check_text.replace(DATATYPE_TEST, relaxed)
