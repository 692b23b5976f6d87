"""Fixtures: an app on a fresh database and a fresh embedded chain for every test.

The database is a SQLite file, or PostgreSQL when ENISHI_TEST_DATABASE_URL names one (`make
test` runs the suite both ways). Migrating and deploying take seconds, so both happen once per
session into templates: each test copies the SQLite and chain files, or, on PostgreSQL, empties
every table and puts the template's deployment back. Under pytest-xdist (`make test` runs one
worker per core) each worker has its own template, and on PostgreSQL its own database.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text
from web3 import Web3

from chain.embedded import EmbeddedChainProvider
from chain.wallets import Keyring, PublicKeyring
from webapp import create_app
from webapp.accounts.models import Role
from webapp.accounts.services import create_user
from webapp.core.db import utcnow
from webapp.events.services import create_event
from webapp.extensions import db
from webapp.membership.services import issue_membership
from webapp.onchain.connection import get_chain_client, get_public_keyring, load_keyring
from webapp.onchain.deployments import deploy_contracts

from .support import free_port, start_anvil

TEST_MNEMONIC = "test test test test test test test test test test test junk"
PASSWORD = "correct horse battery"


def _postgres_url() -> str | None:
    """ENISHI_TEST_DATABASE_URL, or under pytest-xdist a database of the worker's own beside
    it (`test_gw0`, ...), created on first use: workers empty tables between tests."""
    url = os.environ.get("ENISHI_TEST_DATABASE_URL") or None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url is None or worker is None:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = _postgres_url()
# On PostgreSQL, where `save_instance` keeps a copy of every table.
SAVED_SCHEMA = "saved_instance"


def database_uri(instance: Path) -> str:
    return POSTGRES_URL or f"sqlite:///{instance / 'enishi.sqlite'}"


def app_config(instance: Path, provider) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_DIR": instance,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_uri(instance),
        "CHAIN_DB_PATH": instance / "chain.sqlite",
        "CHAIN_PROVIDER": provider,
        "MASTER_MNEMONIC": TEST_MNEMONIC,
        "SESSION_COOKIE_SECURE": False,
        "BASE_URL": "http://localhost",
        "DEMO": True,
    }


class IsolatedClient(FlaskClient):
    """A test client whose requests get their own app context, as in production.

    Tests hold an app context open for their own DB session; Flask would reuse it for every
    request, sharing `g` (Flask-Login's cached user) and the DB session between requests."""

    def open(self, *args, **kwargs):
        # The test's own session commits first, so the request sees its data and the test
        # afterwards reads what the request wrote (not an old SQLite snapshot).
        if _cv_app.get(None) is not None:
            db.session.commit()
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            if _cv_app.get(None) is not None:
                db.session.expire_all()


def open_app(instance: Path, provider=None):
    """An app over the instance folder's database and chain (as a restart would open them),
    or over `provider` (a node such as anvil). It plays the web process and the chain worker
    both, so it has the keyring loaded; tests/webapp/test_keys.py checks a web process's app,
    which has none."""
    if provider is None:
        operator = Keyring(TEST_MNEMONIC).operator.address
        provider = EmbeddedChainProvider(instance / "chain.sqlite", [operator])
    app = create_app(app_config(instance, provider))
    load_keyring(app)
    app.test_client_class = IsolatedClient
    return app, provider


@pytest.fixture(scope="session")
def anvil_url():
    """One anvil for the session; each test that uses it starts from a reset chain."""
    port = free_port()
    node = start_anvil(port)
    yield f"http://127.0.0.1:{port}"
    node.terminate()
    node.wait(timeout=10)


def fresh_anvil(url: str) -> Web3:
    """anvil reset to its genesis, with the test operator funded."""
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 30}))
    w3.provider.make_request("anvil_reset", [])
    w3.provider.make_request("evm_setAutomine", [True])  # a failed test may have left it off
    operator = Keyring(TEST_MNEMONIC).operator.address
    w3.provider.make_request("anvil_setBalance", [operator, hex(10**24)])
    return w3


@pytest.fixture
def chain_kind(request) -> str:
    """Which chain the app runs on: "embedded" unless a test module asks for both."""
    return getattr(request, "param", "embedded")


@pytest.fixture(scope="session")
def template_instance(tmp_path_factory) -> Path:
    instance = tmp_path_factory.mktemp("template")
    if POSTGRES_URL:
        _run_on_postgres(
            f"DROP SCHEMA IF EXISTS {SAVED_SCHEMA} CASCADE",
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public",
        )
    app, provider = open_app(instance)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        deployment, _new = deploy_contracts(
            db.session, get_chain_client(db.session), "http://localhost"
        )
        db.session.commit()
        # Without its id: restored into emptied tables, it must not take an id the table's
        # sequence would hand out again.
        row = {c.name: getattr(deployment, c.name) for c in deployment.__table__.columns}
        row.pop("id")
        (instance / "deployment.json").write_text(json.dumps(row, default=str))
        db.session.remove()
        db.engine.dispose()
    provider.close()
    return instance


@pytest.fixture
def instance(template_instance, tmp_path) -> Path:
    folder = tmp_path / "instance"
    folder.mkdir()
    copy_template(template_instance, folder)
    return folder


def copy_template(template: Path, folder: Path) -> None:
    """Makes `folder` a fresh instance: the template's chain and database (on PostgreSQL, the
    one database emptied, with the template's deployment put back)."""
    shutil.copy(template / "chain.sqlite", folder / "chain.sqlite")
    if POSTGRES_URL:
        _reset_postgres(json.loads((template / "deployment.json").read_text()))
    else:
        shutil.copy(template / "enishi.sqlite", folder / "enishi.sqlite")


def save_instance(folder: Path) -> None:
    """Keeps the instance's database as it stands (its app closed), for `restore_instance` to
    put into later tests' instances: data that takes long to make is made once. A SQLite file
    stays where it is; PostgreSQL's tables are copied aside, as only one save is kept there."""
    if not POSTGRES_URL:
        return
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SAVED_SCHEMA} CASCADE")
            connection.exec_driver_sql(f"CREATE SCHEMA {SAVED_SCHEMA}")
            for name in _public_tables(connection):
                connection.exec_driver_sql(
                    f"CREATE TABLE {SAVED_SCHEMA}.{name} AS TABLE public.{name}"
                )
    finally:
        engine.dispose()


def restore_instance(saved: Path, folder: Path) -> None:
    """Puts what `save_instance` kept of `saved` into the instance at `folder`, its chain too."""
    shutil.copy(saved / "chain.sqlite", folder / "chain.sqlite")
    if not POSTGRES_URL:
        shutil.copy(saved / "enishi.sqlite", folder / "enishi.sqlite")
        return
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.begin() as connection:
            tables = _public_tables(connection)
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")  # any order
            connection.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            for name in tables:
                connection.exec_driver_sql(
                    f"INSERT INTO public.{name} OVERRIDING SYSTEM VALUE"
                    f" SELECT * FROM {SAVED_SCHEMA}.{name}"
                )
            serials = connection.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns"
                    " WHERE table_schema = 'public'"
                    " AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')"
                )
            )
            for table, column in list(serials):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence(:table, :column),"
                        f' coalesce(max("{column}"), 0) + 1, false) FROM public."{table}"'
                    ),
                    {"table": f'public."{table}"', "column": column},
                )
    finally:
        engine.dispose()


def _public_tables(connection) -> list[str]:
    query = (
        "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'"
        " AND tablename <> 'alembic_version' ORDER BY tablename"
    )
    return list(connection.scalars(text(query)))


def _reset_postgres(deployment: dict) -> None:
    """Empties every table (keeping the migrations' version) and restores the deployment."""
    columns = ", ".join(deployment)
    values = ", ".join(f":{name}" for name in deployment)
    _run_on_postgres(
        "DO $$ DECLARE tables text; BEGIN"
        " SELECT string_agg(quote_ident(tablename), ', ') INTO tables FROM pg_tables"
        " WHERE schemaname = 'public' AND tablename <> 'alembic_version';"
        " EXECUTE 'TRUNCATE ' || tables || ' RESTART IDENTITY CASCADE'; END $$",
        (f"INSERT INTO deployments ({columns}) VALUES ({values})", deployment),
    )


def _run_on_postgres(*statements) -> None:
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.begin() as connection:
            for statement in statements:
                sql, params = statement if isinstance(statement, tuple) else (statement, {})
                connection.execute(text(sql), params)
    finally:
        engine.dispose()


@pytest.fixture
def app(instance, chain_kind, request):
    if chain_kind == "anvil":
        app, provider = open_app(
            instance, fresh_anvil(request.getfixturevalue("anvil_url")).provider
        )
    else:
        app, provider = open_app(instance)
    try:
        with app.app_context():
            if chain_kind == "anvil":
                client = get_chain_client(db.session)
                deploy_contracts(db.session, client, "http://localhost")
                db.session.commit()
            yield app
            db.session.remove()
    finally:
        with app.app_context():
            db.engine.dispose()
        if chain_kind != "anvil":
            provider.close()


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture
def keyring(app) -> PublicKeyring:
    """What creating a member needs: addresses, no key."""
    return get_public_keyring(app)


@pytest.fixture
def chain(app, session):
    return get_chain_client(session)


@pytest.fixture
def make_user(session, keyring):
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.MEMBER, member: bool = True, email: str | None = None):
        n = next(counter)
        user = create_user(
            session,
            keyring,
            email=email or f"{role}{n}@example.org",
            password=PASSWORD,
            display_name=f"{role} {n}",
            role=role,
        )
        if member:
            issue_membership(session, user)
        session.commit()
        return user

    return make


@pytest.fixture
def organiser(make_user):
    return make_user(Role.ORGANISER, member=False)


@pytest.fixture
def member(make_user):
    return make_user(Role.MEMBER)


@pytest.fixture
def make_event(session, organiser):
    def make(**overrides):
        owner = overrides.pop("organiser", organiser)
        now = utcnow()
        fields = {
            "title": "塩尻ワイン講座",
            "venue": "えんぱーく",
            "starts_at": now - timedelta(hours=1),
            "ends_at": now + timedelta(hours=2),
            "reward": 10,
        }
        fields.update(overrides)
        event = create_event(session, owner, **fields)
        session.commit()
        return event

    return make


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert match, "the page has no csrf-token meta tag"
    return match.group(1)


def log_in(client, email: str, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def submit_event_form(client, *, title, venue, starts_at: str, ends_at: str, reward: str):
    """Posts the organiser's "create an event" form; times as typed, in Japan time."""
    fields = {"title": title, "venue": venue, "starts_at": starts_at, "ends_at": ends_at}
    fields.update(reward=reward, offline_claim_days="7")
    fields.update(csrf_token=csrf_token(client, "/events/new"))
    return client.post("/events/new", data=fields)
