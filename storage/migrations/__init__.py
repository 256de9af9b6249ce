"""The Alembic migrations of the draft database; applied by :func:`storage.open_archive`."""
