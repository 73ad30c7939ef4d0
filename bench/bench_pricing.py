"""The pure pricing engine pricing a 1,000-line quote of mixed models, on one core.

Goal: 1,000 lines in under 50 ms. No database: it needs no DATABASE_URL. Prints one JSON line.
"""

import random
import sys
import time
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import emit  # noqa: E402
from catalog.pricing import (  # noqa: E402
    BillingPeriod,
    DocumentLine,
    LineInput,
    PriceModel,
    PriceSpec,
    Tier,
    price_document,
)

LINES = 1_000
RUNS = 15
SUB = frozenset({"kind:subscription"})


def specs(currency: str) -> list[tuple[PriceSpec, frozenset[str]]]:
    monthly, annual = BillingPeriod.MONTHLY, BillingPeriod.ANNUAL
    return [
        (PriceSpec(PriceModel.PER_UNIT, currency, monthly, unit_amount=D("30")), SUB),
        (PriceSpec(PriceModel.FLAT, currency, annual, unit_amount=D("16200")), SUB),
        (PriceSpec(PriceModel.GRADUATED, currency, monthly, tiers=(
            Tier(D(100000), D("0.0010")), Tier(D(1000000), D("0.0008")),
            Tier(None, D("0.0005"), D(50)))), frozenset({"kind:usage"})),
        (PriceSpec(PriceModel.VOLUME, currency, monthly, tiers=(
            Tier(D(100), D("0.25")), Tier(D(1000), D("0.20")), Tier(None, D("0.15")))),
         frozenset({"kind:usage"})),
        (PriceSpec(PriceModel.PACKAGE, currency, monthly, unit_amount=D(8),
                   package_size=D(1000), minimum_amount=D(20)), frozenset({"kind:usage"})),
        (PriceSpec(PriceModel.FLAT, currency, unit_amount=D(5000)), frozenset({"kind:service"})),
    ]


def quote(seed: int = 7, currency: str = "USD") -> list[DocumentLine]:
    rng = random.Random(seed)
    choices = specs(currency)
    support = PriceSpec(PriceModel.PERCENT, currency, BillingPeriod.ANNUAL, percent=D(20),
                        percent_basis=SUB, minimum_amount=D(1000))
    lines = []
    for i in range(LINES):
        if i % 50 == 49:
            lines.append(DocumentLine(f"l{i}", LineInput(support, D(1), term_months=12)))
            continue
        spec, tags = rng.choice(choices)
        discount = D(rng.choice(["0", "0", "5", "10", "12.5"]))
        included = f"l{i - 1}" if i % 25 == 24 else None
        lines.append(DocumentLine(f"l{i}", LineInput(
            spec, D(rng.randint(1, 2_000_000 if "kind:usage" in tags else 500)),
            term_months=rng.choice([12, 24, 36]), discount_percent=discount),
            tags=tags, included_in=included))
    return lines


if __name__ == "__main__":
    lines = quote()
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        price_document(lines, "USD")
        timings.append(time.perf_counter() - started)
    timings.sort()
    median = timings[len(timings) // 2]
    emit("pricing_1000_line_quote", lines=LINES, median_ms=round(median * 1000, 2),
         best_ms=round(timings[0] * 1000, 2), lines_per_second=round(LINES / median),
         goal_ms=50, meets_goal=median < 0.050)
