"""Links into the Prefect UI: only to a server that serves one (Prefect's temporary server and test servers do not)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

PROBE_TIMEOUT = 2.0


def has_ui(ui_url: str) -> bool:
    """Whether the Prefect server at `ui_url` serves its UI (its `/ui-settings` lists the UIs it mounted)."""
    try:
        with urllib.request.urlopen(f"{ui_url.rstrip('/')}/ui-settings", timeout=PROBE_TIMEOUT) as response:
            settings = json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return False
    # Servers before Prefect 3.9 do not say which UIs they mounted; they serve one unless it was switched off.
    return bool(settings.get("available_uis", True)) if isinstance(settings, dict) else False


def ui_link(kind: str, object_id: str) -> str | None:
    """The UI page of a Prefect object (`kind` as Prefect's url_for names it: "flow-run", "deployment"), or None
    when the configured API has no UI to show it (no server configured, or a server without its UI)."""
    from prefect.settings import get_current_settings
    from prefect.utilities.urls import url_for

    settings = get_current_settings()
    if not settings.ui_url:  # no PREFECT_API_URL: Prefect's temporary server, which has no UI
        return None
    if settings.api.url and not settings.api.url.startswith(settings.cloud.api_url) and not has_ui(settings.ui_url):
        return None
    return url_for(kind, obj_id=object_id)
