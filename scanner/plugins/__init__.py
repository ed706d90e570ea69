"""Rule families, one module each. Modules import only the standard library at top level;
libcst, tree-sitter and detect-secrets are imported inside the checks that need them."""
