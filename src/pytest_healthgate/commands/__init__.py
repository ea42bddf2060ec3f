"""Subcommands of the `healthgate` command: one module each."""
