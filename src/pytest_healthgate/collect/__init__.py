"""Collectors: each measures one source of figures and returns Measurements."""
