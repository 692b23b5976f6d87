"""Discord Linked Roles: a Discord server's roles follow the 会員証. An administrator enters the
Discord application (settings.py); a member connects their Discord account once (OAuth2,
services.py); each worker round pushes what changed in their role data (sync.py) through the
HTTP client (client.py)."""
