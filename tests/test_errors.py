import pytest

import pixorder.errors as E


def test_validation_error_names_field_and_rule():
    err = E.ValidationError("cloud_cover", "must be between 0 and 100", 150)
    assert err.field == "cloud_cover"
    assert "must be between 0 and 100" in str(err)
    assert "150" in str(err)
    assert isinstance(err, ValueError)


def test_api_error_keeps_status_code_and_body():
    err = E.NotFound("no such order", provider="planet", status=404, code="not_found", body={"detail": "x"})
    assert isinstance(err, E.ApiError) and isinstance(err, E.PixorderError)
    assert (err.status, err.code, err.body) == (404, "not_found", {"detail": "x"})
    assert str(err).startswith("planet HTTP 404 [not_found]")


def test_ambiguous_spend_holds_reference():
    err = E.AmbiguousSpend("pixxel", "pxo-123", ConnectionError("reset"))
    assert err.reference == "pxo-123"
    assert "reconcile('pxo-123')" in str(err)
    with pytest.raises(E.PixorderError):
        raise err
