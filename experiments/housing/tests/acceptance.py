"""Acceptance (load) test of the housing service: the pace it must hold and what it promises meanwhile.

The service prices a handful of houses per request with one gradient-boosting call, a few
milliseconds of CPU. The stages warm the workers (not judged), hold a steady closed-loop load, push an open
arrival rate (which exposes queueing that closed-loop users would hide), then a short peak with
four times as many users as workers. The SLAs are sized for the two Gunicorn workers of
hardware.py on a shared 2-vCPU development machine where the load generator and other jobs take
the same cores (measured there: about 60-90 requests/s at 4 users); a serving VM whose cores are
the service's alone has headroom over them.
"""

from __future__ import annotations

import random

from experiments.housing.schema.request import FIRST_SALE_DATE, LAST_SALE_DATE, Instance, Parameters
from paystone.serving.types.request import Request
from paystone.testing.acceptance import (
    AcceptanceTest,
    ArrivalRateStage,
    ErrorRateSLA,
    LatencySLA,
    Stage,
    ThroughputSLA,
)

#: Distinct request bodies sent round-robin; enough variety that no cache could answer them.
REQUEST_COUNT = 64
#: Houses per request, at most: callers price a listing or a short comparison, not a portfolio.
MAX_HOUSES_PER_REQUEST = 5


def _house(rng: random.Random) -> Instance:
    bedrooms = rng.randint(1, 6)
    return Instance(
        living_area_sqft=float(rng.randint(500, 300 + 800 * bedrooms)),
        lot_area_sqft=float(rng.randint(1_500, 20_000)),
        bedrooms=bedrooms,
        bathrooms=rng.choice([1.0, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5]),
        age_years=rng.randint(0, 110),
        building_grade=rng.randint(5, 11),
        waterfront=rng.random() < 0.02,
        latitude=round(rng.uniform(47.2, 47.75), 5),
        longitude=round(rng.uniform(-122.4, -121.8), 5),
        sale_date=FIRST_SALE_DATE + (LAST_SALE_DATE - FIRST_SALE_DATE) * rng.random(),
    )


def housing_requests() -> list[Request[Instance, Parameters]]:
    """Plausible King County houses, 1 to 5 per request, some asking for prices rounded to $1,000."""
    rng = random.Random(20_160_101)
    return [
        Request[Instance, Parameters](
            instances=[_house(rng) for _ in range(rng.randint(1, MAX_HOUSES_PER_REQUEST))],
            parameters=Parameters(round_to=rng.choice([1, 1, 1, 1_000])),
        )
        for _ in range(REQUEST_COUNT)
    ]


acceptance = AcceptanceTest(
    requests=housing_requests,
    route="housing",
    stages=[
        # Not judged: the first requests of each worker pay one-off costs (lazy imports, caches).
        Stage(name="warm-up", users=2, duration_seconds=5, wait_seconds=0.1),
        Stage(name="steady", users=4, duration_seconds=15, wait_seconds=0.02),
        # Open model: 30 new requests a second whatever the service does; at most 24 waiting, under
        # the 32 connections per worker that max_concurrent_requests=64 allows each of 2 workers.
        ArrivalRateStage(name="arrivals", requests_per_second=30, duration_seconds=10, max_in_flight=24),
        Stage(name="peak", users=8, duration_seconds=10, wait_seconds=0.0),
    ],
    slas=[
        LatencySLA(percentile=50, max_ms=150, stage="steady"),
        LatencySLA(percentile=99, max_ms=750, stage="steady"),
        LatencySLA(percentile=99, max_ms=750, stage="arrivals"),
        LatencySLA(percentile=95, max_ms=600, stage="peak"),
        ThroughputSLA(min_rps=25, stage="steady"),
        ErrorRateSLA(max_fraction=0.001),
    ],
    request_timeout_seconds=5,
)
