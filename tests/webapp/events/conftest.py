import pytest

from ...conftest import log_in


@pytest.fixture
def organiser_client(client, organiser):
    log_in(client, organiser.email)
    return client
