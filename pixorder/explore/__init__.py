"""Exploratory pricing: what fits a need, how a price moves, what monitoring costs, and keeping it.

* :mod:`.needs`: each sensor's capabilities (GSD, band classes, hyperspectral) and ``Needs``;
* :mod:`.sweep`: the price as a function of one or two request parameters, priced in bulk;
* :mod:`.budget`: the cost of monitoring AOIs on a recurrence over a horizon, per provider and month;
* :mod:`.provenance`: frames written to GeoParquet, GeoPackage or CSV and read back with their
  dtypes and where their prices came from;
* :mod:`.plots`: ``plot_*`` functions behind the frames' charts (plotly).

``pixorder.compare`` (in :mod:`pixorder.client.compare`) uses :mod:`.needs` for ``sensors="all"``
and ``needs=``. Nothing here talks HTTP itself: everything prices through the clients' bulk forms.
"""
