"""Language helpers shared by the rule families: Python (libcst), JS/TS (tree-sitter), config files."""
