"""The examples in docstrings run and say what they show."""

import doctest

import pytest

import pixorder.errors
import pixorder.models


@pytest.mark.parametrize("module", [pixorder.models, pixorder.errors])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
