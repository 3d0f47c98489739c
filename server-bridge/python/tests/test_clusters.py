"""Clusters from Python: ``client.clusters`` and ``%emkit cluster`` against a real bridge.

An added cluster at an address where nothing listens is checked at once (UNREACHABLE, with
the reason); a local one (``up``) needs Ray beside the bridge's Python and is skipped, saying
so, where it isn't there.
"""

from __future__ import annotations

import http.cookiejar
import os
import shutil
import urllib.request

import pytest

from magics import run

NOWHERE = "http://127.0.0.2:9"


def _bridge_has_ray() -> bool:
    python = shutil.which("python3")  # what the test bridge runs (`serve` with no --python)
    return python is not None and os.path.exists(os.path.join(os.path.dirname(python), "ray"))


def test_client_adds_checks_defaults_and_removes_a_cluster(client, unique_name):
    from emkit import ApiError

    name = unique_name("c")
    cluster = client.clusters.add(name, NOWHERE + "/")
    assert cluster["state"] == "UNREACHABLE"
    assert "not reachable (ECONNREFUSED)" in cluster["stateReason"]
    assert (cluster["address"], cluster["hasToken"], cluster["local"]) == (NOWHERE, False, None)
    assert "token" not in cluster
    assert name in [c["name"] for c in client.clusters.list()]

    # this machine is the default target until a cluster is made it, and again after
    assert client.clusters.default() is None or client.clusters.default()["name"] != name
    assert client.clusters.set_default(name)["isDefault"] is True
    assert client.clusters.default()["name"] == name
    assert client.clusters.set_default(None) is None
    assert client.clusters.default() is None

    # its dashboard: refused at once while it can't be reached, saying why
    with pytest.raises(ApiError) as no_dashboard:
        client.clusters.dashboard_url(name)
    assert (no_dashboard.value.status, no_dashboard.value.code) == (503, "not_ready")
    assert "UNREACHABLE" in str(no_dashboard.value)

    with pytest.raises(ApiError) as refused:
        client.clusters.down(name)
    assert (refused.value.status, refused.value.code) == (409, "conflict")
    with pytest.raises(ApiError) as duplicate:
        client.clusters.add(name, NOWHERE)
    assert duplicate.value.status == 409
    with pytest.raises(ApiError) as bad:
        client.clusters.add(unique_name("c"), "ftp://127.0.0.2:8265")
    assert (bad.value.status, bad.value.field) == (400, "address")

    client.clusters.remove(name)
    with pytest.raises(ApiError) as gone:
        client.clusters.get(name)
    assert gone.value.status == 404


def test_magics_add_list_get_default_and_remove(shell, bridge_env, unique_name):
    name = unique_name("c")
    added = run(shell, f"%emkit cluster add {name} --ray {NOWHERE}")
    assert added.error is None, added.text
    assert added.value["state"] == "UNREACHABLE"
    assert "ECONNREFUSED" in added.value._repr_html_()

    listed = run(shell, "%emkit cluster list").value
    assert name in [c["name"] for c in listed]
    assert "UNREACHABLE" in listed._repr_html_()
    assert name in [c["name"] for c in run(shell, "%emkit list clusters").value]
    assert run(shell, f"%emkit cluster get {name}").value["address"] == NOWHERE

    assert run(shell, f"%emkit cluster default {name}").value["isDefault"] is True
    assert "(default)" in run(shell, "%emkit cluster list").value._repr_html_()
    local = run(shell, "%emkit cluster default --local")
    assert local.error is None and "this machine" in local.stdout

    assert "its dashboard can't be reached" in run(shell, f"%emkit cluster dashboard {name}").one_line_error()
    shown = run(shell, f"%emkit cluster down {name}").one_line_error()
    assert "added by its address" in shown
    assert "doesn't exist" in run(shell, "%emkit cluster get nope-nope").one_line_error()
    assert "--ray" in run(shell, f"%emkit cluster add {name}").one_line_error()

    removed = run(shell, f"%emkit cluster remove {name}")
    assert removed.error is None and f"cluster {name} removed" in removed.stdout


@pytest.mark.skipif(not _bridge_has_ray(), reason="ray is not installed beside the bridge's python3")
def test_magics_bring_a_local_cluster_up_and_down(shell, bridge_env, unique_name):
    name = unique_name("c")
    try:
        up = run(shell, f"%emkit cluster up {name} --nodes 1 --memory-mb 512")
        assert up.error is None, up.text
        assert up.value["state"] == "REACHABLE"
        assert [(n["address"], n["state"], n["cpus"]) for n in up.value["nodes"]] == [("127.0.0.2", "ALIVE", 1)]
        assert any("STARTING" in html for html in up.html()), "no progress was shown while it started"
        # its dashboard in the output, through the bridge: a one-time ticket in the frame, no token
        shown = run(shell, f"%emkit cluster dashboard {name} --height 400")
        assert shown.error is None, shown.text
        frame = next(html for html in shown.html() if "<iframe" in html)
        page = f"{bridge_env.url}/clusters/{up.value['id']}/dashboard/"
        assert f'src="{page}?ticket=' in frame and 'height="400"' in frame
        assert bridge_env.token not in frame
        ticketed = frame.split('src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with browser.open(ticketed, timeout=30) as answer:
            assert answer.geturl() == page
            assert "<title>Ray Dashboard</title>" in answer.read().decode()
        down = run(shell, f"%emkit cluster down {name}")
        assert down.error is None, down.text
        assert down.value["state"] == "STOPPED"
    finally:
        run(shell, f"%emkit cluster remove {name}")
