"""The shop's database: one ``orders`` table, written by the ``shop_app`` role.

Order ids are UUIDs the database generates (``gen_random_uuid()``), not a sequence:
logical replication does not carry sequence positions, so a sequence on a DMS-style target
would hand out ids the source already used once the target takes writes.
"""

from __future__ import annotations

from typing import Final

from dataplane.server import Endpoint, PostgresServer

#: Database of the shop.
SHOP_DB: Final[str] = "shop"
#: Role the shop app connects as (superuser work is never done through the app).
APP_ROLE: Final[str] = "shop_app"

_TABLE: Final[str] = """
CREATE TABLE IF NOT EXISTS orders (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    customer     text        NOT NULL,
    amount_cents integer     NOT NULL CHECK (amount_cents >= 0),
    region       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp()
)"""


def install_shop_schema(server: PostgresServer) -> None:
    """Create the shop database, the app role and the ``orders`` table (idempotent).

    Run it on a primary (a physical standby inherits it) and on a logical-replication
    target (logical replication does not carry DDL or roles).
    """
    with server.connect() as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (SHOP_DB,)).fetchone():
            conn.execute(f"CREATE DATABASE {SHOP_DB}")
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,)).fetchone():
            conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN")
    with server.connect(SHOP_DB) as conn:
        conn.execute(_TABLE)
        conn.execute(f"GRANT SELECT, INSERT ON orders TO {APP_ROLE}")


def set_app_read_only(server: PostgresServer, read_only: bool) -> None:
    """Make the app's new sessions on ``server`` read-only (or writable again).

    This is how a logical-replication target stays closed to the app while it replicates
    (the subscription's apply worker runs as the superuser and is unaffected), and how it
    is opened for writes at failover. Sessions already open keep their setting; the shop app
    opens one per request.
    """
    with server.connect(SHOP_DB) as conn:
        change = ("SET default_transaction_read_only = on" if read_only
                  else "RESET default_transaction_read_only")
        conn.execute(f"ALTER ROLE {APP_ROLE} IN DATABASE {SHOP_DB} {change}")


def app_endpoint(server: PostgresServer) -> Endpoint:
    """Where the shop app connects on ``server`` (database ``shop``, role ``shop_app``)."""
    return server.endpoint(SHOP_DB, APP_ROLE)


def order_ids(server: PostgresServer) -> frozenset[str]:
    """Ids (UUID text) of every order ``server`` holds, read directly as the superuser.

    Works on a writer and on a hot standby.
    """
    return frozenset(str(row[0]) for row in server.query("SELECT id FROM orders", dbname=SHOP_DB))
