"""Tests of paystone/scaffold/naming.py: name checks and renaming every spelling of a name."""

from __future__ import annotations

import pytest

from paystone.scaffold.naming import InvalidNameError, check_name, occurrences, rename, spellings


@pytest.mark.parametrize("name", ["churn", "customer_churn", "fraud2", "a"])
def test_valid_names_pass(name: str) -> None:
    check_name(name)


@pytest.mark.parametrize(
    "name", ["", "Churn", "2churn", "churn-model", "churn model", "class", "match", "churn_", "a__b", "é", "_churn"]
)
def test_invalid_names_are_refused_naming_the_value(name: str) -> None:
    with pytest.raises(InvalidNameError, match=repr(name).replace("\\", "\\\\")[1:-1] or "''"):
        check_name(name)


def test_spellings_of_a_two_word_name() -> None:
    assert spellings("customer_churn") == {
        "snake": "customer_churn",
        "pascal": "CustomerChurn",
        "upper": "CUSTOMER_CHURN",
        "capitalized": "Customer_churn",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from experiments.housing.schema import x", "from experiments.churn.schema import x"),
        ("experiments/housing/train/main.py", "experiments/churn/train/main.py"),
        ('create_serving_app(housing=predict)', 'create_serving_app(churn=predict)'),
        ('client.post("/housing", json=body)', 'client.post("/churn", json=body)'),
        ("class HousingModel: ...", "class ChurnModel: ..."),
        ("MAX_HOUSING_ROWS = 3", "MAX_CHURN_ROWS = 3"),
        ("def housing_requests():", "def churn_requests():"),
        ("Housing prices rose. The housing service's", "Churn prices rose. The churn service's"),
        ("@pip_housing//:all", "@pip_churn//:all"),
    ],
)
def test_rename_replaces_every_spelling(text: str, expected: str) -> None:
    assert rename(text, "housing", "churn") == expected


@pytest.mark.parametrize("text", ["vaderSentiment==3.3.2", "a sentimental film", "sentiments", "Sentimentality"])
def test_rename_leaves_longer_words_that_contain_the_name(text: str) -> None:
    assert rename(text, "sentiment", "reviews") == text


def test_rename_multi_word_names_keeps_each_style() -> None:
    text = "experiments.house_prices: HousePrices, HOUSE_PRICES, House_prices"
    assert rename(text, "house_prices", "customer_churn") == (
        "experiments.customer_churn: CustomerChurn, CUSTOMER_CHURN, Customer_churn"
    )


def test_occurrences_finds_what_rename_would_replace() -> None:
    text = "Sentiment of sentiment; SENTIMENT but not vaderSentiment"
    assert sorted(occurrences(text, "sentiment")) == ["SENTIMENT", "Sentiment", "sentiment"]
    assert occurrences(rename(text, "sentiment", "tone"), "sentiment") == []
