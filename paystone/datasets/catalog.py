"""Every pinned source distribution the experiments read; `python -m paystone.datasets` fetches them all."""

from __future__ import annotations

from paystone.datasets.sdist import PinnedSdist

#: VADER's source distribution: `additional_resources/hutto_ICWSM_2014.tar.gz` holds human-rated
#: sentences (movie-review snippets, tweets, Amazon reviews, NYT editorials), Hutto & Gilbert (ICWSM 2014).
VADER = PinnedSdist(
    project="vaderSentiment",
    version="3.3.2",
    sha256="5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9",
)

PINNED: tuple[PinnedSdist, ...] = (VADER,)
