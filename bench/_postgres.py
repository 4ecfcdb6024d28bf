"""What the bench scripts share about PostgreSQL."""


def ensure_database(url: str) -> None:
    """Create the database of `url` if it does not exist (trust auth, as on a bench machine)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
