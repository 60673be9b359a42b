"""Prefect settings rolesignal applies: defaults in the environment before `import prefect` (read once, at import),
and blocks that change a setting for a scan or for serve."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

QUIET_DEFAULTS = {
    # Telemetry makes the temporary server log a 'database is locked' traceback.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    # A cold temporary server needs ~15 s here; the default allows 20.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    # rolesignal runs offline: no SDK usage events (and Prefect's import skips its telemetry set-up).
    "DO_NOT_TRACK": "1",
}


def quiet_prefect() -> None:
    """Apply our defaults without overriding anything the user set."""
    for key, value in QUIET_DEFAULTS.items():
        os.environ.setdefault(key, value)


@contextmanager
def no_heartbeat() -> Iterator[None]:
    """Skip the ~1 s heartbeat-thread join of every flow run (PrefectHQ/prefect#21058); no env var can unset it."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


_BEGIN, _END = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"


def one_ca_certificate(home: Path) -> Path:
    """A PEM file holding one CA certificate (the first of certifi's bundle), written once under `home`."""
    path = home / "rolesignal-plain-http-ca.pem"
    if not path.exists():
        import certifi

        bundle = Path(certifi.where()).read_text(encoding="ascii")
        first = bundle[bundle.index(_BEGIN) : bundle.index(_END) + len(_END)]
        home.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(first + "\n", encoding="ascii")
        partial.replace(path)  # atomic: a concurrent scan reads either no file or the whole one
    return path


@contextmanager
def plain_http_api_tls(api_url: str | None) -> Iterator[None]:
    """When the Prefect API is plain HTTP (`api_url` None is Prefect's temporary local server), Prefect's clients
    load a one-certificate CA file instead of certifi's bundle, here and in the processes started in the block.

    Every Prefect client builds an SSL context from the CA bundle whatever the API's scheme: ~45 ms each here, five per
    flow run, a fifth of a rescan that finds nothing new, for certificates a plain-HTTP API never shows. The file
    only narrows what is trusted: a TLS connection nobody expected fails verification instead of trusting more. Left
    alone when the API is https:// or PREFECT_API_SSL_CERT_FILE is set (in the environment or the Prefect profile).
    """
    from prefect.settings import PREFECT_API_SSL_CERT_FILE, PREFECT_HOME, temporary_settings

    # Prefect's default is SSL_CERT_FILE (a system bundle, as slow to load): only a file set for Prefect is kept.
    configured = PREFECT_API_SSL_CERT_FILE.value()
    user_set = os.environ.get("PREFECT_API_SSL_CERT_FILE") or (
        configured and configured != os.environ.get("SSL_CERT_FILE")
    )
    if user_set or (api_url is not None and not api_url.startswith("http://")):
        yield
        return
    path = str(one_ca_certificate(Path(PREFECT_HOME.value()).expanduser()))
    os.environ["PREFECT_API_SSL_CERT_FILE"] = path
    try:
        with temporary_settings(updates={PREFECT_API_SSL_CERT_FILE: path}):
            yield
    finally:
        os.environ.pop("PREFECT_API_SSL_CERT_FILE", None)
