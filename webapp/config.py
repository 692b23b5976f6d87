"""Settings, read from ENISHI_* environment variables with embedded defaults.

With nothing set, Enishi runs from one instance folder: a SQLite database, the embedded chain's
state, the master secret and its public keyring all live in it.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _minutes(name: str, default: int) -> int:
    value = int(os.environ.get(name, str(default)))
    if value < 1:
        raise ValueError(f"{name} must be at least 1 (minutes), not {value}")
    return value


def load_secrets() -> dict:
    """The master secret and the minter's key when the environment gives them. Read only by
    the processes that sign (`onchain.connection.load_keyring`), and never put in an app's
    config, where a web process would hold them."""
    return {
        "MASTER_MNEMONIC": os.environ.get("ENISHI_MASTER_MNEMONIC") or None,
        "MINTER_KEY": os.environ.get("ENISHI_MINTER_KEY") or None,
    }


def load_config() -> dict:
    """The configuration for this process's environment."""
    instance = Path(os.environ.get("ENISHI_INSTANCE", PROJECT_DIR / "instance")).resolve()
    port = int(os.environ.get("ENISHI_PORT", "5000"))
    chain_port = int(os.environ.get("ENISHI_CHAIN_PORT", "8545"))
    debug = _flag("ENISHI_DEBUG", False)
    rpc_url = os.environ.get("ENISHI_RPC_URL") or None
    return {
        "INSTANCE_DIR": instance,
        "PORT": port,
        "BASE_URL": os.environ.get("ENISHI_BASE_URL", f"http://127.0.0.1:{port}").rstrip("/"),
        # Unset, the codes and links a page writes out for phones take the address the page was
        # opened at instead (core.http.site_url): a local run may be reached by another name.
        "BASE_URL_FIXED": bool(os.environ.get("ENISHI_BASE_URL")),
        # Named in the tokens' public metadata and drawn on their images.
        "COMMUNITY_NAME": os.environ.get("ENISHI_COMMUNITY_NAME") or "塩尻DAO",
        "DEBUG": debug,
        # Served over https (everywhere but a local debug run): browsers are told to keep to it
        # (HSTS). Not app.debug, which the flask command resets unless FLASK_DEBUG is set.
        "HTTPS_ONLY": not debug,
        "DEMO": _flag("ENISHI_DEMO", False),  # `make run` turns it on
        "SECRET_KEY": os.environ.get("ENISHI_SECRET_KEY"),  # None: kept in the instance folder
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "ENISHI_DATABASE_URL", f"sqlite:///{instance / 'enishi.sqlite'}"
        ),
        # The embedded chain runs as its own small node process (see chain/node.py) unless an
        # RPC URL points elsewhere; the web app and the worker both talk JSON-RPC to it.
        "CHAIN_EMBEDDED": rpc_url is None,
        "CHAIN_RPC_URL": rpc_url or f"http://127.0.0.1:{chain_port}",
        "CHAIN_PORT": chain_port,
        # When set, the node must be this chain: a wrong RPC URL must not mint on another one.
        "CHAIN_ID": int(os.environ["ENISHI_CHAIN_ID"])
        if os.environ.get("ENISHI_CHAIN_ID")
        else None,
        "CHAIN_DB_PATH": instance / "chain.sqlite",
        "CHAIN_PROVIDER": None,  # a ready web3 provider (tests); else one for CHAIN_RPC_URL
        "MASTER_SECRET_FILE": Path(
            os.environ.get("ENISHI_MASTER_SECRET_FILE", instance / "master-secret.txt")
        ),
        # ENISHI_MASTER_MNEMONIC and ENISHI_MINTER_KEY are not here: see load_secrets.
        # What a web process knows of the wallets (the operator's address and the members'
        # extended public key, no key): the JSON itself, or the file the worker and setup
        # write from the master secret.
        "PUBLIC_KEYRING": os.environ.get("ENISHI_PUBLIC_KEYRING") or None,
        # None: public-keyring.json in INSTANCE_DIR (which a test's config may change).
        "PUBLIC_KEYRING_FILE": Path(os.environ["ENISHI_PUBLIC_KEYRING_FILE"])
        if os.environ.get("ENISHI_PUBLIC_KEYRING_FILE")
        else None,
        "MINTER_KEYSTORE": os.environ.get("ENISHI_MINTER_KEYSTORE") or None,
        "MINTER_KEYSTORE_PASSWORD_FILE": os.environ.get("ENISHI_MINTER_KEYSTORE_PASSWORD_FILE"),
        # A block explorer's transaction page, "{hash}" standing for the hash (e.g.
        # "https://explorer.example/tx/{hash}"); chain items link there when it is set.
        "EXPLORER_TX_URL": os.environ.get("ENISHI_EXPLORER_TX_URL") or None,
        "MINTER_LOW_BALANCE_ETH": os.environ.get("ENISHI_MINTER_LOW_BALANCE_ETH", "0.05"),
        # The most a transaction may offer per gas (max fee), replacements of stuck ones
        # included: past it they wait, and the chain page says so. Set it for the network.
        "MAX_FEE_GWEI": float(os.environ.get("ENISHI_MAX_FEE_GWEI", "200")),
        # Blocks on top of a transaction's before its jobs count as on chain (1 suits L2s).
        "CHAIN_CONFIRMATIONS": int(os.environ.get("ENISHI_CONFIRMATIONS", "1")),
        "WORKER_INTERVAL": float(os.environ.get("ENISHI_WORKER_INTERVAL", "2")),
        "WORKER_BATCH_SIZE": int(os.environ.get("ENISHI_WORKER_BATCH_SIZE", "100")),
        # How long a worker holds the jobs it took (see onchain.jobs.LEASE).
        "WORKER_LEASE_SECONDS": float(os.environ.get("ENISHI_WORKER_LEASE_SECONDS", "60")),
        "CHECKIN_BATCH_LIMIT": 50,
        # Discord's API (Linked Roles, webapp/discord): its OAuth2 pages are under it too.
        "DISCORD_API_URL": os.environ.get(
            "ENISHI_DISCORD_API_URL", "https://discord.com/api/v10"
        ).rstrip("/"),
        # Rate limits (failed logins): in this process's memory, or in Redis, shared by every
        # web process, when ENISHI_REDIS_URL is set.
        "REDIS_URL": os.environ.get("ENISHI_REDIS_URL") or None,
        "RATELIMIT_STORAGE_URI": os.environ.get("ENISHI_REDIS_URL") or "memory://",
        "RATELIMIT_KEY_PREFIX": os.environ.get("ENISHI_RATELIMIT_PREFIX", "enishi"),
        "LOGIN_FAILURES_PER_ACCOUNT": os.environ.get(
            "ENISHI_LOGIN_FAILURES_PER_ACCOUNT", "10 per 15 minutes"
        ),
        "LOGIN_FAILURES_PER_ADDRESS": os.environ.get(
            "ENISHI_LOGIN_FAILURES_PER_ADDRESS", "30 per 15 minutes"
        ),
        # Community settings: a reward per participant, or an event's budget, above these is
        # paid only once an administrator approved it (tokens buy real goods at the shops).
        "REWARD_APPROVAL_ABOVE": int(os.environ.get("ENISHI_REWARD_APPROVAL_ABOVE", "100")),
        # A proposal's rule (copied into each when it opens): MORE than this share of the
        # members must vote for it to count; then the option with more than half the votes wins.
        # Checked (an integer 0-99) when the app starts: decisions.results.check_min_turnout.
        "VOTE_MIN_TURNOUT_PERCENT": os.environ.get("ENISHI_VOTE_MIN_TURNOUT_PERCENT", "10").strip(),
        "BUDGET_APPROVAL_ABOVE": int(os.environ.get("ENISHI_BUDGET_APPROVAL_ABOVE", "3000")),
        # What members call the community's token, in each language: member pages never say
        # "token". 塩尻DAO's is えんコイン (縁 + coin).
        "COIN_NAME": {
            "ja": os.environ.get("ENISHI_COIN_NAME", "えんコイン"),
            "en": os.environ.get("ENISHI_COIN_NAME_EN", "En coins"),
        },
        # A membership's term (webapp/membership/terms.py): "" none, "<N>d" days from issue or
        # renewal, "YYYY-MM-DD" a fixed last day, "MM-DD" a season's last day. Past it, a card
        # gives no rights until it is renewed (it stays on chain).
        "MEMBERSHIP_TERM": os.environ.get("ENISHI_MEMBERSHIP_TERM", "").strip(),
        # How long a perk's ticket can be shown at the shop before its tokens come back.
        "TICKET_MINUTES": _minutes("ENISHI_TICKET_MINUTES", 15),
        # How a proposed project becomes active (webapp/projects): "admin", an administrator
        # approves it on /admin/projects; "proposal", its proposal passes a members' vote.
        "PROJECT_APPROVAL": os.environ.get("ENISHI_PROJECT_APPROVAL", "admin").strip(),
        # An invitation's link works this many days (accounts.invitations).
        "INVITATION_DAYS": float(os.environ.get("ENISHI_INVITATION_DAYS", "30")),
        # The mail server invitations are sent through (core.mail): smtp://user:pass@host:587
        # (STARTTLS when the server offers it), smtps://user:pass@host:465 (TLS from the start),
        # smtp+plain://host:25 (no TLS: a local relay only). Unset: nothing is sent by e-mail,
        # and the e-mail buttons are not shown.
        "SMTP_URL": os.environ.get("ENISHI_SMTP_URL") or None,
        "MAIL_FROM": os.environ.get("ENISHI_MAIL_FROM") or "enishi@localhost",
        # A device session ends after this long unused, or this long after its login.
        "SESSION_IDLE_DAYS": float(os.environ.get("ENISHI_SESSION_IDLE_DAYS", "30")),
        "SESSION_MAX_DAYS": float(os.environ.get("ENISHI_SESSION_MAX_DAYS", "90")),
        "REMEMBER_COOKIE_DURATION": timedelta(
            days=float(os.environ.get("ENISHI_SESSION_MAX_DAYS", "90"))
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not debug,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": not debug,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Pages whose address holds a secret send no Referer (Referrer-Policy: no-referrer),
        # so the forms on them cannot pass Flask-WTF's https-only Referer check. Cross-site
        # posts are stopped by the form's CSRF token and by the SameSite=Lax cookies.
        "WTF_CSRF_SSL_STRICT": False,
        "WTF_CSRF_TIME_LIMIT": None,  # a phone left open on the wallet page must still post
        "BABEL_DEFAULT_LOCALE": "ja",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
        "LANGUAGES": ("ja", "en"),
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # Pages and JSON are compressed as they are made (Flask-Compress; static files are
        # compressed once, at the strongest setting, by core.assets). Brotli before gzip; not
        # zstd, which Chromium asks for but which gains less here than gzip. Quick settings:
        # a page is compressed on every request. BREACH reads a secret (the CSRF token) from
        # the sizes of compressed pages that also echo text from the URL, over thousands of
        # requests made with the member's cookie; with SameSite=Lax cookies another site can
        # make those only as top-level navigations, each one on the member's screen.
        "COMPRESS_REGISTER": False,  # core.http.compress_answer decides which answers
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
        "COMPRESS_BR_LEVEL": 5,
        "COMPRESS_LEVEL": 6,
        "COMPRESS_MIMETYPES": [
            "text/html",
            "application/json",
            "application/manifest+json",
            "text/javascript",
            "text/css",
            "image/svg+xml",
            "text/csv",
        ],
    }
