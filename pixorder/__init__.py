"""pixorder: price and order satellite imagery from a notebook."""
