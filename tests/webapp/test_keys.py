"""Keys live only in the chain worker: a web process's app reads the public keyring and holds
no key, no master secret, and a chain client that cannot sign."""

from __future__ import annotations

from types import ModuleType

import pytest
from eth_account.signers.local import LocalAccount

from chain.client import ChainError
from chain.embedded import EmbeddedChainProvider
from chain.wallets import Keyring
from webapp import create_app
from webapp.accounts.models import Role
from webapp.accounts.services import create_user
from webapp.extensions import db
from webapp.onchain.connection import (
    get_chain_client,
    get_keyring,
    get_public_keyring,
    load_keyring,
)

from ..conftest import PASSWORD, TEST_MNEMONIC, app_config, log_in

SECRET_SETTINGS = ("MASTER_MNEMONIC", "MINTER_KEY")


@pytest.fixture
def worker_config(instance, monkeypatch):
    """The instance's settings as the processes read them: the master secret in its file (the
    `make run` default), nothing secret in the environment."""
    for name in ("ENISHI_MASTER_MNEMONIC", "ENISHI_MINTER_KEY", "ENISHI_PUBLIC_KEYRING"):
        monkeypatch.delenv(name, raising=False)
    (instance / "master-secret.txt").write_text(TEST_MNEMONIC + "\n")
    provider = EmbeddedChainProvider(instance / "chain.sqlite", [])
    config = app_config(instance, provider)
    for name in SECRET_SETTINGS:
        config.pop(name, None)
    config["MASTER_SECRET_FILE"] = instance / "master-secret.txt"
    yield config
    provider.close()


@pytest.fixture
def web_app(worker_config, instance):
    """A web process's app, started after the worker wrote the public keyring. Where the
    master secret was is now a directory: any read of it fails (chmod would not stop root)."""
    worker = create_app(worker_config)
    load_keyring(worker)
    (instance / "master-secret.txt").unlink()
    (instance / "master-secret.txt").mkdir()
    app = create_app(worker_config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def walk(value, seen=None):
    """Every value reachable from `value` through containers and objects' attributes."""
    seen = set() if seen is None else seen
    if id(value) in seen or isinstance(value, type | ModuleType):  # not the code: the data
        return
    seen.add(id(value))
    yield value
    if isinstance(value, dict):
        children = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple | set | frozenset):
        children = list(value)
    else:
        try:  # an object's own attributes; a proxy (Flask's `request`, say) has none to give
            children = list(object.__getattribute__(value, "__dict__").values())
        except Exception:
            children = []
    for child in children:
        yield from walk(child, seen)


def test_the_web_app_holds_no_key_and_no_master_secret(web_app):
    keyring = Keyring(TEST_MNEMONIC)
    secrets = [TEST_MNEMONIC, keyring.operator.key.hex().removeprefix("0x")]
    secrets += [keyring.member_account(i).key.hex().removeprefix("0x") for i in range(1, 4)]
    held = list(walk(dict(web_app.config))) + list(walk(web_app.extensions))
    assert not [v for v in held if isinstance(v, Keyring | LocalAccount)]
    texts = [v.hex() if isinstance(v, bytes) else v for v in held if isinstance(v, str | bytes)]
    assert not [text for text in texts if any(secret in text for secret in secrets)]
    assert all(web_app.config.get(name) is None for name in SECRET_SETTINGS)
    with pytest.raises(RuntimeError, match="holds no keys"):
        get_keyring(web_app)


def test_the_web_app_creates_members_with_the_secrets_addresses(web_app, instance):
    session = db.session
    users = [
        create_user(
            session, get_public_keyring(), email=f"m{n}@example.org", password=PASSWORD,
            display_name=f"m{n}",
        )
        for n in range(3)
    ]  # fmt: skip
    session.commit()
    keyring = Keyring(TEST_MNEMONIC)
    for user in users:
        assert user.address == keyring.member_account(user.wallet_index).address
    assert (instance / "master-secret.txt").is_dir()  # never read, never made again


def test_the_web_apps_chain_client_reads_and_refuses_to_sign(web_app):
    client = get_chain_client(db.session)
    assert client.can_sign is False
    assert client.operator_address == Keyring(TEST_MNEMONIC).operator.address
    assert client.addresses is not None and client.operator_balance() > 0
    with pytest.raises(ChainError, match="cannot sign"):
        client.sign(client.card_transaction(client.operator_address), client.next_nonce())


def test_the_web_apps_chain_page_shows_the_minter_without_its_key(web_app):
    admin = create_user(
        db.session, get_public_keyring(), email="admin@example.org", password=PASSWORD,
        display_name="admin", role=Role.ADMIN,
    )  # fmt: skip
    db.session.commit()
    client = web_app.test_client()
    log_in(client, admin.email)
    page = client.get("/admin/chain")
    assert page.status_code == 200
    assert Keyring(TEST_MNEMONIC).operator.address in page.get_data(as_text=True)
    assert client.get("/healthz").get_json()["chain"]["ok"] is True


def test_a_web_app_with_no_public_keyring_says_what_writes_it(worker_config):
    app = create_app(worker_config)  # a first start: nobody has written the public keyring
    with pytest.raises(RuntimeError, match="enishi setup"):
        get_public_keyring(app)
    # It did not make one itself, from the secret beside it.
    assert not (worker_config["INSTANCE_DIR"] / "public-keyring.json").exists()


def test_the_public_keyring_can_come_from_the_environment(worker_config, monkeypatch):
    public = Keyring(TEST_MNEMONIC).public()
    monkeypatch.setenv("ENISHI_PUBLIC_KEYRING", public.to_json())
    monkeypatch.setenv("ENISHI_PUBLIC_KEYRING_FILE", str(worker_config["INSTANCE_DIR"] / "none"))
    app = create_app(worker_config)
    assert get_public_keyring(app) == public and app.extensions.get("enishi.keyring") is None
    # The worker checks that it is its secret's: another would give members foreign addresses.
    load_keyring(app)
    other = Keyring("legal winner thank year wave sausage worth useful legal winner thank yellow")
    monkeypatch.setenv("ENISHI_PUBLIC_KEYRING", other.public().to_json())
    with pytest.raises(RuntimeError, match="not the master secret's"):
        load_keyring(create_app(worker_config))
