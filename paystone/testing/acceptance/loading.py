"""Find an experiment's acceptance test and the path it calls."""

from __future__ import annotations

import importlib

from paystone.discovery import get_experiment
from paystone.testing.acceptance.types import AcceptanceTest

#: Name of the `AcceptanceTest` an experiment's `tests/acceptance.py` exposes.
ATTRIBUTE = "acceptance"


def load_acceptance(name: str, reference: str | None = None) -> AcceptanceTest:
    """`experiments.<name>.tests.acceptance:acceptance`, or `reference` given as `module:attribute`."""
    if reference is None:
        module = get_experiment(name).module("tests.acceptance")
        where, attribute = f"experiments/{name}/tests/acceptance.py", ATTRIBUTE
    else:
        module_name, sep, attribute = reference.partition(":")
        if not sep or not module_name or not attribute:
            raise ValueError(f"expected module:attribute, got {reference!r}")
        module, where = importlib.import_module(module_name), module_name
    test = getattr(module, attribute, None)
    if not isinstance(test, AcceptanceTest):
        raise TypeError(f"{where} must define `{attribute}` as an AcceptanceTest, found {type(test).__name__}")
    return test


def route_path(name: str, test: AcceptanceTest) -> str:
    """`/<route>` for the test's route, checked against the experiment's `schema.service.Route`."""
    routes = [member.value for member in get_experiment(name).module("schema.service").Route]
    route = test.route
    if route is None:
        if len(routes) != 1:
            raise ValueError(f"experiment {name!r} has routes {', '.join(routes)}: set `route` in its AcceptanceTest")
        route = routes[0]
    if route not in routes:
        raise ValueError(f"route {route!r} is not a route of {name!r} (routes: {', '.join(routes)})")
    return f"/{route}"
