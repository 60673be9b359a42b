"""The Prefect settings rolesignal applies around scans and serve."""

from __future__ import annotations

import os
import ssl
from pathlib import Path

import pytest

from rolesignal.flows.settings import one_ca_certificate, plain_http_api_tls


def test_a_plain_http_api_trusts_one_certificate_inside_the_block(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_SSL_CERT_FILE, PREFECT_HOME, temporary_settings

    with temporary_settings(updates={PREFECT_HOME: str(tmp_path)}):
        before = PREFECT_API_SSL_CERT_FILE.value()  # Prefect's default: SSL_CERT_FILE, if set
        with plain_http_api_tls("http://127.0.0.1:4200/api"):
            path = PREFECT_API_SSL_CERT_FILE.value()
            assert os.environ["PREFECT_API_SSL_CERT_FILE"] == path, "and so in the processes started here"
            assert Path(path).parent == tmp_path
            assert ssl.create_default_context(cafile=path).cert_store_stats()["x509_ca"] == 1
            with get_client(sync_client=True) as client:  # the test harness's plain-HTTP server still answers
                assert client.hello().status_code == 200
        assert "PREFECT_API_SSL_CERT_FILE" not in os.environ and PREFECT_API_SSL_CERT_FILE.value() == before


def test_the_temporary_server_is_plain_http_too(tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_SSL_CERT_FILE, PREFECT_HOME, temporary_settings

    with temporary_settings(updates={PREFECT_HOME: str(tmp_path)}), plain_http_api_tls(None):
        assert PREFECT_API_SSL_CERT_FILE.value() == str(one_ca_certificate(tmp_path))


@pytest.mark.parametrize("url", ["https://prefect.example.org/api", "HTTPS://prefect.example.org/api"])
def test_an_https_api_keeps_the_ca_bundle(url: str) -> None:
    from prefect.settings import PREFECT_API_SSL_CERT_FILE

    before = PREFECT_API_SSL_CERT_FILE.value()
    with plain_http_api_tls(url):
        assert PREFECT_API_SSL_CERT_FILE.value() == before and "PREFECT_API_SSL_CERT_FILE" not in os.environ


def test_a_ca_file_set_for_prefect_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PREFECT_API_SSL_CERT_FILE", str(tmp_path / "company-ca.pem"))
    with plain_http_api_tls("http://127.0.0.1:4200/api"):
        assert os.environ["PREFECT_API_SSL_CERT_FILE"] == str(tmp_path / "company-ca.pem")
    assert os.environ["PREFECT_API_SSL_CERT_FILE"] == str(tmp_path / "company-ca.pem")
