"""The client room: transport, pagination, Client and AsyncClient facades, compare()."""

from pixorder.client.core import AsyncClient
from pixorder.client.results import Listing, Results
from pixorder.client.sync import Client, connect

__all__ = ["AsyncClient", "Client", "Listing", "Results", "connect"]
