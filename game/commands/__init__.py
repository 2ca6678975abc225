"""Subcommands of `persona`: each module registers its parser and runs it."""
