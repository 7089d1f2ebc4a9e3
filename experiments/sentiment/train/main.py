"""Train the sentiment model: load rated sentences, split, fit, validate, run the service tests.

Run as a module (``python -m experiments.sentiment.train.main --regularization_c=2``) to train
with the defaults of `Hyperparameters`, overridden by flags, and save every task's output as an
artifact. The whole run takes seconds on two cores.
"""

import numpy as np
import pandas as pd
from rich.console import Console
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_union

from experiments.sentiment.train.data import read_source
from experiments.sentiment.train.models import Corpus, DataSplit, Dataset, Hyperparameters, Metrics
from paystone.training.evaluation import evaluate_models
from paystone.training.results import TrainingTestResults
from paystone.training.runner import Experiment


def load_data() -> Corpus:
    """Movie-review sentences (about 10,600) and tweets (about 4,200), rated by people."""
    return Corpus(reviews=read_source("review"), tweets=read_source("tweet"))


def split_data(corpus: Corpus, *, hyperparameters: Hyperparameters) -> DataSplit:
    """Train / validation / hold-out sets, stratified by source and label; duplicates removed first.

    A sentence present twice would otherwise sit on both sides of a split and reward memorising it.
    """
    seed = hyperparameters.seed
    sentences = pd.concat(
        [corpus.reviews.assign(source="review"), corpus.tweets.assign(source="tweet")], ignore_index=True
    ).drop_duplicates("text")
    strata = sentences["source"] + sentences["label"].astype(str)
    rest, test = train_test_split(
        sentences, test_size=hyperparameters.test_fraction, random_state=seed, stratify=strata
    )
    validation_share = hyperparameters.validation_fraction / (1 - hyperparameters.test_fraction)
    train, validation = train_test_split(
        rest, test_size=validation_share, random_state=seed, stratify=strata.loc[rest.index]
    )

    def dataset(frame: pd.DataFrame) -> Dataset:
        frame = frame.reset_index(drop=True)
        return Dataset(X=frame[["text", "source"]], y=frame["label"].astype(int))

    return DataSplit(train=dataset(train), validation=dataset(validation), test=dataset(test))


def build_model(split: DataSplit, *, hyperparameters: Hyperparameters) -> Pipeline:
    """TF-IDF of word and character n-grams, then logistic regression: fast, and calibrated enough.

    Character n-grams carry misspellings and word endings; word pairs carry short negations
    ('not like'). The pipeline takes a list of raw texts, so serving passes the texts as they came.
    """
    words = TfidfVectorizer(
        ngram_range=(1, hyperparameters.max_word_ngram),
        min_df=hyperparameters.min_document_frequency,
        sublinear_tf=True,
        token_pattern=r"(?u)\b\w+\b|[!?]",
    )
    characters = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(hyperparameters.min_char_ngram, hyperparameters.max_char_ngram),
        min_df=hyperparameters.min_document_frequency,
        max_features=hyperparameters.max_char_features,
        sublinear_tf=True,
    )
    classifier = LogisticRegression(C=hyperparameters.regularization_c, max_iter=1_000, random_state=hyperparameters.seed)
    model = Pipeline([("features", make_union(words, characters)), ("classifier", classifier)])
    return model.fit(split.train.X["text"].tolist(), split.train.y.to_numpy())


def measure(model: Pipeline, data: Dataset, majority_label: int) -> Metrics:
    """Model metrics on ``data`` next to those of always answering ``majority_label``."""
    positive = model.predict_proba(data.X["text"].tolist())[:, 1]
    actual = data.y.to_numpy()
    return Metrics(
        n_instances=len(data),
        accuracy=accuracy_score(actual, positive >= 0.5),
        log_loss=log_loss(actual, np.column_stack([1 - positive, positive]), labels=[0, 1]),
        baseline_accuracy=float(np.mean(actual == majority_label)),
    )


def validate(split: DataSplit, model: Pipeline) -> Metrics:
    """Validation metrics, for comparing hyperparameters without touching the hold-out set."""
    metrics = measure(model, split.validation, majority_label=int(split.train.y.mean() >= 0.5))
    Console(stderr=True).print(
        f"validation: accuracy {metrics.accuracy:.3f} (majority label {metrics.baseline_accuracy:.3f}), "
        f"log loss {metrics.log_loss:.3f}, on {metrics.n_instances} sentences"
    )
    return metrics


def evaluate(split: DataSplit) -> TrainingTestResults:
    """The service's regression and data tests, run against the app loaded with this run's model."""
    return evaluate_models(split.test.X, split.test.y)


def build() -> Experiment:
    """The sentiment training graph."""
    experiment = Experiment(Hyperparameters)
    experiment.add_task(load_data)
    experiment.add_task(split_data, inbound=[load_data])
    experiment.add_task(build_model, inbound=[split_data])
    experiment.add_task(validate, inbound=[split_data, build_model])
    experiment.add_task(evaluate, inbound=[split_data], upstream=[build_model])
    return experiment


if __name__ == "__main__":
    experiment = build()
    experiment.run()
    experiment.save()
