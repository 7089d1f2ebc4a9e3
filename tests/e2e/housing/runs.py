"""Quick housing runs for the end-to-end tests."""

#: A quick housing run: the seeded 2,000-sale sample and a short fit.
QUICK_HOUSING = [
    "--override",
    "load_data=experiments.housing.train.sample:load_sample",
    "--set",
    "max_iter=40",
]
