"""Acceptance (load) test of the sentiment service: the pace it must hold and what it promises meanwhile.

A request labels one to eight sentences with one TF-IDF transform and one logistic regression:
about a millisecond of CPU per sentence. The stages warm the workers, hold a steady closed-loop
load, push an open arrival rate (which exposes queueing that closed-loop users would hide), then
a short peak with more users than workers, some of them sending long texts. The SLAs are sized
for the two Gunicorn workers of hardware.py on a 2-vCPU machine, with the load generator sharing
those two cores; a VM where the generator runs elsewhere has headroom over them.
"""

from __future__ import annotations

import random

from experiments.sentiment.schema.request import Instance, Parameters
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
#: Texts per request, at most: callers label a comment thread, not a corpus.
MAX_TEXTS_PER_REQUEST = 8

_OPENINGS = ["The film", "This phone", "Our dinner", "The sequel", "My flight", "The concert", "Customer service"]
_VERDICTS = [
    "was wonderful and I loved every minute",
    "was a boring waste of time",
    "was fine, nothing special",
    "exceeded every expectation",
    "was not good at all",
    "made me so happy",
    "was slow, loud and overpriced",
]


def _text(rng: random.Random) -> str:
    sentence = f"{rng.choice(_OPENINGS)} {rng.choice(_VERDICTS)}."
    # One text in ten is a long review, to keep the cost of long inputs inside the SLA.
    return " ".join([sentence] * rng.randint(20, 60)) if rng.random() < 0.1 else sentence


def sentiment_requests() -> list[Request[Instance, Parameters]]:
    """Short opinions, 1 to 8 per request, a few long ones, some with a stricter threshold."""
    rng = random.Random(20_140_601)
    return [
        Request[Instance, Parameters](
            instances=[Instance(text=_text(rng)) for _ in range(rng.randint(1, MAX_TEXTS_PER_REQUEST))],
            parameters=Parameters(threshold=rng.choice([0.5, 0.5, 0.5, 0.8])),
        )
        for _ in range(REQUEST_COUNT)
    ]


acceptance = AcceptanceTest(
    requests=sentiment_requests,
    route="sentiment",
    stages=[
        Stage(name="warm-up", users=4, duration_seconds=5, wait_seconds=0.05),
        Stage(name="steady", users=16, duration_seconds=15, wait_seconds=0.02),
        ArrivalRateStage(name="arrivals", requests_per_second=100, duration_seconds=10, max_in_flight=100),
        Stage(name="peak", users=32, duration_seconds=10, wait_seconds=0.0),
    ],
    slas=[
        LatencySLA(percentile=50, max_ms=100),
        LatencySLA(percentile=99, max_ms=500),
        LatencySLA(percentile=99, max_ms=250, stage="arrivals"),
        ThroughputSLA(min_rps=100, stage="steady"),
        ErrorRateSLA(max_fraction=0.001),
    ],
    request_timeout_seconds=5,
)
