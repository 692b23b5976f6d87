"""`flask --app webapp enishi ...`: setup, deploy, reconcile, the worker, create-user, and `serve`
for `make run`. App composition: it may use every domain.

Only the commands that sign (setup and deploy, the worker, public-keyring) load the master secret
(`load_keyring`); `serve` runs them as processes of their own, so the process that serves the
web app never holds a key.
"""

from __future__ import annotations

import getpass
import logging
import os
import signal
import subprocess
import sys
import threading
import time

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from web3 import Web3
from werkzeug.serving import run_simple

from webapp.accounts.models import Role
from webapp.accounts.services import count_users, create_user
from webapp.community.summary import rebuild_summary
from webapp.core.db import mark_writing, utcnow
from webapp.core.i18n import local_zone
from webapp.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo_data
from webapp.extensions import db
from webapp.membership.services import issue_membership
from webapp.onchain.connection import (
    get_chain_client,
    get_public_keyring,
    load_keyring,
    max_fee_per_gas,
    public_keyring_file,
)
from webapp.onchain.deployments import deploy_contracts
from webapp.onchain.worker import run_once
from webapp.reports.reconcile import reconcile
from webapp.tasks import run_forever

cli = AppGroup("enishi", help="Enishi's operations.")


@cli.command("setup")
def setup_command() -> None:
    """Migrate the database, deploy the contracts if needed, load demo data on a first start."""
    setup()


def setup() -> None:
    upgrade(directory=current_app.extensions["migrate"].directory)
    deploy()
    try:
        if current_app.config["DEMO"] and count_users(db.session) == 0:
            load_demo_data(db.session, get_public_keyring(), utcnow())
            click.echo(f"Demo data loaded. Logins (password: {DEMO_PASSWORD}):")
            for email, _name, role in DEMO_LOGINS:
                click.echo(f"  {email:<24} {role}")
        db.session.commit()
    finally:
        # On SQLite every transaction holds the write lock: never leave one open.
        db.session.remove()


@cli.command("deploy")
def deploy_command() -> None:
    """Deploy the contracts on the configured chain (does nothing if they are there)."""
    deploy()


def deploy() -> None:
    load_keyring(current_app)
    client = get_chain_client(db.session)
    base = current_app.config["BASE_URL"]
    record_before = client.addresses.decision if client.addresses else None
    deployment, new = deploy_contracts(db.session, client, base)
    db.session.commit()
    if not new and deployment.decision_address != record_before:
        click.echo("Added the decision record beside the contracts deployed before it.")
    click.echo(
        f"{'Deployed' if new else 'Already deployed'} on chain {deployment.chain_id} "
        f"at block {deployment.block_number}:\n"
        f"  token {deployment.token_address}\n"
        f"  badge {deployment.badge_address}\n"
        f"  card  {deployment.card_address}\n"
        f"  decision record {deployment.decision_address}"
    )


@cli.command("reconcile")
def reconcile_command() -> None:
    """Compare the ledger with the chain; list every difference (exit 1 if there is one)."""
    differences = reconcile(db.session, get_chain_client(db.session))
    for difference in differences:
        click.echo(difference.describe())
    click.echo(f"{len(differences)} difference(s) between the ledger and the chain")
    if differences:
        raise SystemExit(1)


@cli.command("community-rebuild")
def community_rebuild_command() -> None:
    """Sum the community page's monthly summary again from scratch (the worker keeps it
    current; this is for after restoring a backup or changing how it is summed)."""
    mark_writing()
    months = rebuild_summary(db.session, utcnow(), local_zone())
    db.session.commit()
    click.echo(f"{months} month(s) summed")


@cli.command("worker")
@click.option("--once", is_flag=True, help="Run one round and exit.")
def worker_command(once: bool) -> None:
    """Run the chain job queue."""
    app = current_app._get_current_object()
    load_keyring(app)  # the worker signs: of Enishi's long-running processes, only it has keys
    if once:
        client = get_chain_client(db.session)
        batch_size, confirmations = (
            app.config["WORKER_BATCH_SIZE"],
            app.config["CHAIN_CONFIRMATIONS"],
        )
        click.echo(
            run_once(db.session, client, batch_size, confirmations, max_fee=max_fee_per_gas(app))
        )
        return
    # What each round did, for the operator's log (and for tests that watch real workers).
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    click.echo(f"worker {os.getpid()}: running (Ctrl-C stops)")
    try:
        run_forever(app, stop)
    except KeyboardInterrupt:
        pass


@cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.MEMBER.value)
@click.option("--member/--no-member", default=True, help="Issue a membership too.")
def create_user_command(email: str, display_name: str, role: str, member: bool) -> None:
    """Create a login (the password is asked for)."""
    password = getpass.getpass("Password: ")
    user = create_user(
        db.session,
        get_public_keyring(),
        email=email,
        password=password,
        display_name=display_name,
        role=Role(role),
    )
    if member:
        issue_membership(db.session, user)
    db.session.commit()
    click.echo(f"created {user.email} ({user.role}), address {user.address}")


@cli.command("public-keyring")
def public_keyring_command() -> None:
    """Write the public keyring the web app reads (the master secret is created on a first
    start); setup and the worker write it too."""
    public = load_keyring(current_app).public()
    click.echo(f"{public_keyring_file()}: operator {public.operator_address}")


@cli.command("serve")
def serve_command() -> None:
    """What `make run` runs: the embedded chain (unless ENISHI_RPC_URL), setup, the worker and
    the web server, stopped together. Setup and the worker, which sign, run as processes of
    their own: this one serves the web app with the public keyring only."""
    app = current_app._get_current_object()
    children: list[subprocess.Popen] = []
    # SIGTERM exits like Ctrl-C, so that `finally` stops the children.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        if app.config["CHAIN_EMBEDDED"]:
            _run_command("public-keyring")  # the node funds the operator, whose address it needs
            children.append(_start_chain_node(app))
        _run_command("setup")
        children.append(subprocess.Popen(FLASK_ENISHI + ["worker"]))
        click.echo(f"Enishi on http://127.0.0.1:{app.config['PORT']}")
        run_simple("127.0.0.1", app.config["PORT"], app, threaded=True)
    finally:
        for child in reversed(children):
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


FLASK_ENISHI = [sys.executable, "-m", "flask", "--app", "webapp", "enishi"]


def _run_command(name: str) -> None:
    if subprocess.run(FLASK_ENISHI + [name]).returncode != 0:
        raise click.ClickException(f"`flask --app webapp enishi {name}` failed")


def _start_chain_node(app) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "chain.node",
        "--db", str(app.config["CHAIN_DB_PATH"]),
        "--fund", get_public_keyring(app).operator_address,
        "--port", str(app.config["CHAIN_PORT"]),
    ]  # fmt: skip
    node = subprocess.Popen(command)
    w3 = Web3(Web3.HTTPProvider(app.config["CHAIN_RPC_URL"], request_kwargs={"timeout": 2}))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if node.poll() is not None:
            raise click.ClickException("the embedded chain did not start (is the port taken?)")
        try:
            w3.eth.get_block_number()
            return node
        except Exception:
            time.sleep(0.2)
    node.terminate()
    raise click.ClickException("the embedded chain did not answer within 60 seconds")
