"""A small sample of the rated sentences, for quick runs (the Bazel training smoke test).

Used as a task override, `--override=load_data=experiments.sentiment.train.sample:load_sample`:
same return type as `load_data`, so the rest of the graph (split, fit, `evaluate_models`) runs
unchanged on a fraction of the sentences.
"""

from experiments.sentiment.train.main import load_data
from experiments.sentiment.train.models import Corpus

#: Sentences kept per source: enough for every split to hold both labels; trains in a second or two.
SAMPLE_ROWS = 1_000


def load_sample() -> Corpus:
    """A fixed (seeded) random sample of each source of `load_data()`."""
    corpus = load_data()
    return Corpus(
        reviews=corpus.reviews.sample(n=min(SAMPLE_ROWS, len(corpus.reviews)), random_state=0).reset_index(drop=True),
        tweets=corpus.tweets.sample(n=min(SAMPLE_ROWS, len(corpus.tweets)), random_state=0).reset_index(drop=True),
    )
