"""secret-hygiene: a static scanner for OAuth/API credential hygiene.

Sources feed the engine, the engine runs the rule families, suppression filters, reporters render."""

from scanner import compiled_code

__version__ = "0.1.0"

# Before any module of ours defines a dataclass or a pattern: what they compile is kept for the
# next run (see scanner.compiled_code).
compiled_code.install()
