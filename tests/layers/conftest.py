import pytest


@pytest.fixture(autouse=True)
def fresh_catalogue():
    """Each test sees its own (transaction's) registry, not a snapshot of an earlier test."""
    from layers.selectors import forget_catalogue

    forget_catalogue()
    yield
    forget_catalogue()
