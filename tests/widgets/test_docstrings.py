"""The widgets' docstring examples run, and the package's public names all resolve."""

from __future__ import annotations

import doctest
import importlib

import pytest

import pixorder.widgets

MODULES = ["aoi_map", "clients", "compare", "order_browser", "order_form", "pricing", "quotation_inbox",
           "render", "scheduling", "sensor_picker", "windows"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"pixorder.widgets.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_public_names_are_sorted_and_resolve():
    assert pixorder.widgets.__all__ == sorted(pixorder.widgets.__all__)
    for name in pixorder.widgets.__all__:
        assert getattr(pixorder.widgets, name).__doc__, name


def test_every_widget_class_has_an_example():
    for name in ("AOIMap", "SensorPicker", "PricingPreview", "RequestParameters", "CompareProviders",
                 "OrderForm", "OrderBrowser", "QuotationInbox", "ImagingWindowPicker"):
        assert ">>>" in getattr(pixorder.widgets, name).__doc__, name
