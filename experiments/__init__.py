"""The experiment packages: ``experiments.<service>``, one folder each.

The package extends itself over every ``experiments/`` folder on ``sys.path``
(`pkgutil.extend_path`), this repository's first: a folder of experiment packages kept elsewhere
(the platform's test fixture in ``tests/fixtures``, a team's private experiments) joins by being
put on ``PYTHONPATH``. Discovery (``paystone.discovery``) lists all of them; a name found twice is
served from the first folder.
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
