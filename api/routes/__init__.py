"""The HTTP routes, one module per resource; each is a thin adapter over the use cases."""
