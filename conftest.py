"""Test-suite wide settings: the notebooks (run by nbval) and the real-browser widget check belong to the
slow tier, so ``pytest -m "not slow"`` (``make test-fast``) runs the unit tests alone."""

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith("notebooks/") or item.nodeid.startswith("tests/test_browser.py"):
            item.add_marker(pytest.mark.slow)
