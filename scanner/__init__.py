"""secret-hygiene: a static scanner for OAuth/API credential hygiene.

Sources feed the engine, the engine runs the rule families, suppression filters, reporters render."""

from scanner import dataclass_code

__version__ = "0.1.0"

# Before any module of ours defines a dataclass: their generated methods are compiled once, not
# in every run (see scanner.dataclass_code).
dataclass_code.install()
