"""The real Secret Service (gnome-keyring in dbus-run-session, started by tests/with_keyring.sh)."""

from __future__ import annotations

import os
import uuid

import pytest

from desktop_app.storage.secrets import SERVICE_NAME, SPEECH_SERVICE_NAME, KeyStore, KeyStoreError
from tests.conftest import KEY_A, KEY_B

pytestmark = pytest.mark.needs_keyring_daemon


@pytest.fixture
def real_store() -> KeyStore:
    if not os.environ.get("VBD_TEST_SECRET_SERVICE"):
        pytest.fail("no Secret Service: run the tests with ./dev test (dbus-run-session + gnome-keyring)")
    return KeyStore()


def test_store_read_rename_and_delete_through_the_secret_service(real_store):
    info = real_store.info()
    assert info.secure and info.name == "GNOME Keyring / Secret Service"
    account = f"pytest-{uuid.uuid4().hex[:8]}"
    real_store.set(account, KEY_A.upper())
    assert real_store.get(account) == KEY_A.upper()  # kept as typed (issue 23)
    assert real_store.backend.get_password(SERVICE_NAME, account) == KEY_A.upper()  # really in the daemon
    real_store.set(account, KEY_B)
    assert real_store.get(account) == KEY_B
    real_store.set(account, KEY_A, SPEECH_SERVICE_NAME)  # a speech key goes with its account
    renamed = account + "-renamed"
    real_store.rename(account, renamed)
    assert real_store.backend.get_password(SERVICE_NAME, account) is None
    assert real_store.backend.get_password(SPEECH_SERVICE_NAME, account) is None
    assert real_store.get(renamed, SPEECH_SERVICE_NAME) == KEY_A
    real_store.delete_account(renamed)
    assert real_store.backend.get_password(SPEECH_SERVICE_NAME, renamed) is None
    real_store.delete(renamed)  # already gone counts as deleted
    with pytest.raises(KeyStoreError, match="no license key saved"):
        real_store.get(renamed)
