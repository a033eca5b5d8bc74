"""What the virtual desks did: each operation timed, each refusal and error counted, added up across the
desks' processes (each reports its own tally as JSON when it stops)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# Operations whose p50/p95 the summary always names (issue 17 point 4), whether or not any ran.
NAMED = ("open_case", "call", "lookup")
SAMPLES_KEPT = 5  # error messages kept for the report: enough to see what went wrong, never a flood


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0–100)."""
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


@dataclass
class Tally:
    times_ms: dict[str, list[float]] = field(default_factory=dict)
    refused: Counter[str] = field(default_factory=Counter)  # the hall's rules said no (a slot full …)
    errors: Counter[str] = field(default_factory=Counter)  # anything else: a defect or an outage
    error_samples: list[str] = field(default_factory=list)

    def timed(self, op: str, ms: float) -> None:
        self.times_ms.setdefault(op, []).append(ms)

    def refusal(self, op: str, message: str) -> None:
        self.refused[f"{op}: {message}"] += 1

    def error(self, op: str, exc: BaseException) -> None:
        self.errors[op] += 1
        if len(self.error_samples) < SAMPLES_KEPT:
            self.error_samples.append(f"{op}: {type(exc).__name__}: {str(exc)[:300]}")

    @property
    def operations(self) -> int:
        return sum(len(t) for t in self.times_ms.values())

    def to_json(self) -> dict[str, Any]:
        return {"times_ms": self.times_ms, "refused": dict(self.refused), "errors": dict(self.errors),
                "error_samples": self.error_samples}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tally:
        return cls({k: [float(x) for x in v] for k, v in data["times_ms"].items()}, Counter(data["refused"]),
                   Counter(data["errors"]), list(data["error_samples"]))

    def add(self, other: Tally) -> None:
        for op, times in other.times_ms.items():
            self.times_ms.setdefault(op, []).extend(times)
        self.refused.update(other.refused)
        self.errors.update(other.errors)
        self.error_samples.extend(other.error_samples[:max(0, SAMPLES_KEPT - len(self.error_samples))])

    def figures(self) -> dict[str, Any]:
        """Counts and p50/p95 per operation (ms), the JSON's figures."""
        out: dict[str, Any] = {"operations": self.operations, "errors": sum(self.errors.values()),
                               "refused": sum(self.refused.values())}
        for op in sorted(set(self.times_ms) | set(NAMED)):
            times = self.times_ms.get(op, [])
            out[f"{op}_count"] = len(times)
            out[f"{op}_p50_ms"] = round(percentile(times, 50), 1) if times else None
            out[f"{op}_p95_ms"] = round(percentile(times, 95), 1) if times else None
        return out
