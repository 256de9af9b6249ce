"""One module per schema version (Alembic ignores this file)."""
