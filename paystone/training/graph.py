"""Task ordering: topological, stable (insertion order breaks ties), with cycles reported by name."""

from __future__ import annotations

import graphlib
import heapq
from collections.abc import Mapping, Sequence

from paystone.training.errors import TaskDefinitionError


def topological_order(dependencies: Mapping[str, Sequence[str]]) -> list[str]:
    """Order the tasks so each comes after all of its dependencies.

    `dependencies` maps each task, in insertion order, to the tasks it needs. Among tasks that are
    ready at the same time the one inserted first runs first, so the order is reproducible and
    matches how the experiment reads.
    """
    position = {name: index for index, name in enumerate(dependencies)}
    for name, needs in dependencies.items():
        for need in needs:
            if need not in position:
                raise TaskDefinitionError(f"task '{name}' depends on unknown task '{need}'")
    sorter = graphlib.TopologicalSorter(dependencies)
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        cycle = error.args[1]
        raise TaskDefinitionError(
            f"tasks form a cycle: {' -> '.join(cycle)}; expected every task to depend only on tasks "
            "that run before it"
        ) from None
    ready: list[tuple[int, str]] = []
    order: list[str] = []
    while sorter.is_active():
        for name in sorter.get_ready():
            heapq.heappush(ready, (position[name], name))
        _, name = heapq.heappop(ready)
        order.append(name)
        sorter.done(name)
    return order
