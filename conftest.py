"""Root conftest: the harness plugin is loaded through its pytest11 entry point, as in any
other repo; nothing repo-specific is configured here."""
