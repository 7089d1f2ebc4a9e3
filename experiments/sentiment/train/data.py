"""Read the human-rated sentences of Hutto & Gilbert (ICWSM 2014) from the pinned, cached archive.

The archive is fetched at set-up time (`tools/dev/bootstrap`), never here: training reads the
cache and, when the file is missing, fails with the command that fetches it. Each sentence was
rated by about 20 people from -4 (very negative) to +4 (very positive); the label is the sign of
the mean rating, and the few sentences rated exactly 0 are dropped.
"""

from __future__ import annotations

import csv
import html
import io
import tarfile

import pandas as pd

from paystone.datasets.catalog import VADER
from paystone.datasets.sdist import read_member

_ARCHIVE = "additional_resources/hutto_ICWSM_2014.tar.gz"
#: Source name -> file of the inner archive (``id <TAB> mean rating <TAB> text``).
FILES = {
    "review": "hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt",
    "tweet": "hutto_ICWSM_2014/tweets_GroundTruth.txt",
}


def parse_ratings(content: str) -> pd.DataFrame:
    """``text`` and ``label`` (1 positive, 0 negative) from a ground-truth file; neutral rows dropped.

    Read with ``QUOTE_NONE``: the sentences contain unbalanced quotes ('' for a double quote),
    which the default dialect would take as field delimiters and merge lines.
    """
    texts: list[str] = []
    labels: list[int] = []
    for number, row in enumerate(csv.reader(io.StringIO(content), delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
        if not row:
            continue
        if len(row) != 3:
            raise ValueError(f"line {number} has {len(row)} tab-separated fields; expected id, rating, text: {row!r:.200}")
        rating, text = float(row[1]), html.unescape(row[2]).strip()
        if rating == 0 or not text:
            continue
        texts.append(text)
        labels.append(int(rating > 0))
    return pd.DataFrame({"text": texts, "label": labels})


def read_source(source: str) -> pd.DataFrame:
    """The labelled sentences of one source (a key of `FILES`)."""
    if source not in FILES:
        raise KeyError(f"unknown source {source!r}; known: {sorted(FILES)}")
    inner = read_member(VADER, _ARCHIVE)
    with tarfile.open(fileobj=io.BytesIO(inner), mode="r:gz") as archive:
        member = archive.extractfile(FILES[source])
        if member is None:
            raise KeyError(f"{_ARCHIVE} has no file {FILES[source]!r}")
        content = member.read().decode("utf-8", errors="replace")
    return parse_ratings(content)
