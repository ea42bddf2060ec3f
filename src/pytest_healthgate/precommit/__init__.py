"""pre-commit entries: one module per hook; hook id = console script = module name."""
