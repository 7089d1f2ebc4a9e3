"""A small sample of the housing data, for quick runs (the Bazel training smoke test).

Used as a task override, `--override=load_data=experiments.housing.train.sample:load_sample`:
same return type as `load_data`, so the rest of the graph (split, fit, `evaluate_models`) runs
unchanged on a fraction of the rows.
"""

import pandas as pd

from experiments.housing.train.main import load_data

#: Enough sales for every split to hold a few hundred houses; small enough to train in seconds.
SAMPLE_ROWS = 2_000


def load_sample() -> pd.DataFrame:
    """A fixed (seeded) random sample of `load_data()`'s sales."""
    sales = load_data()
    return sales.sample(n=min(SAMPLE_ROWS, len(sales)), random_state=0).reset_index(drop=True)
