"""The pricing desk as a Voila app: ``desk.ipynb`` (package data) shows a :class:`pixorder.widgets.PricingDesk`.

``pixorder desk`` (and ``make desk``) serve it with Voila on 127.0.0.1; :func:`notebook_path` is where
the packaged notebook lies.
"""

from __future__ import annotations

from pathlib import Path

NOTEBOOK = "desk.ipynb"


def notebook_path() -> Path:
    """The packaged desk notebook (``pixorder/desk/desk.ipynb``).

    >>> notebook_path().name
    'desk.ipynb'
    >>> notebook_path().is_file()
    True
    """
    return Path(__file__).with_name(NOTEBOOK)
