"""secret-hygiene: a static scanner for OAuth/API credential hygiene.

Sources feed the engine, the engine runs the rule families, suppression filters, reporters render."""

__version__ = "0.1.0"
