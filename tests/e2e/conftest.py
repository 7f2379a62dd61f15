"""The browser fixtures live in `tests/browser_fixtures.py`, loaded for the whole suite by
`tests/conftest.py`, so every folder shares one Chromium per session."""
