"""Regression tests: requests whose right answer is obvious, which no promoted version may get wrong.

Each test defines its own texts and returns whether the service labelled them sensibly.
"""

from __future__ import annotations

from typing import Any


def _predictions(client: Any, *texts: str, threshold: float | None = None) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"instances": [{"text": text} for text in texts]}
    if threshold is not None:
        body["parameters"] = {"threshold": threshold}
    response = client.post("/sentiment", json=body)
    if response.status_code != 200:
        raise RuntimeError(f"POST /sentiment answered {response.status_code}: {response.text}")
    return response.json()["predictions"]


def happy_sentence_is_positive(client: Any) -> bool:
    """The founding document's example: "I am so happy right now" is positive."""
    (prediction,) = _predictions(client, "I am so happy right now")
    return prediction["label"] == "positive"


def scathing_review_is_negative(client: Any) -> bool:
    """A review calling a film the worst ever seen is negative."""
    (prediction,) = _predictions(client, "This is the worst movie I have ever seen, a boring waste of time.")
    return prediction["label"] == "negative"


def clearly_happier_text_has_higher_positive_probability(client: Any) -> bool:
    """Of an enthusiastic review and a lukewarm one, the enthusiastic one is likelier positive."""
    enthusiastic, lukewarm = _predictions(
        client, "A wonderful, moving film: I loved every minute of it.", "The film was okay, I guess."
    )
    return enthusiastic["positive_probability"] > lukewarm["positive_probability"]


def negation_flips_the_label(client: Any) -> bool:
    """Liking a film is positive; not liking it is negative."""
    liked, not_liked = _predictions(client, "I liked this movie.", "I did not like this movie.")
    return liked["label"] == "positive" and not_liked["label"] == "negative"


def threshold_moves_the_label_not_the_probability(client: Any) -> bool:
    """A stricter threshold may turn a label negative, but the text's positive probability stays put."""
    text = "The film was okay, I guess."
    (default,) = _predictions(client, text)
    (strict,) = _predictions(client, text, threshold=0.99)
    p = default["positive_probability"]
    return (
        strict["positive_probability"] == p
        and strict["label"] == ("positive" if p >= 0.99 else "negative")
        and default["label"] == ("positive" if p >= 0.5 else "negative")
    )
