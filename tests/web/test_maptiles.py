"""CASEGRID_MAP_TILE_URL and its companions (web/maptiles.py): unset means no tile server and no other
host in the map pages' policy; a URL that would not work is refused when the app starts, with a line
that says what is wrong, not at the first page that draws a map."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from engine.config import PROJECT_ROOT, load_settings
from engine.errors import InvalidInput
from web.appconfig import flask_config
from web.maptiles import map_policy, tile_layer_from

URL = "CASEGRID_MAP_TILE_URL"


def test_unset_means_no_tile_server_and_images_from_this_site_only() -> None:
    assert tile_layer_from({}) is None and tile_layer_from({URL: "  "}) is None
    policy = map_policy(None)
    assert "img-src 'self' data: blob:;" in policy and "default-src 'self'" in policy and "http" not in policy


def test_a_tile_server_is_read_with_its_attribution_zoom_and_host() -> None:
    tiles = tile_layer_from({URL: " https://tiles.example.gov.cn:8443/base/{z}/{x}/{y}.png?style=grey ",
                             "CASEGRID_MAP_TILE_ATTRIBUTION": "  底图 ©  区时空信息平台 ",
                             "CASEGRID_MAP_TILE_MAX_ZOOM": "17"})
    assert tiles is not None
    assert tiles.url == "https://tiles.example.gov.cn:8443/base/{z}/{x}/{y}.png?style=grey"
    assert tiles.attribution == "底图 © 区时空信息平台" and tiles.max_zoom == 17
    assert tiles.origin == "https://tiles.example.gov.cn:8443"
    assert tiles.payload() == {"url": tiles.url, "maxZoom": 17}
    assert "img-src 'self' data: blob: https://tiles.example.gov.cn:8443;" in map_policy(tiles)


def test_tiles_proxied_through_this_site_need_no_other_host() -> None:
    tiles = tile_layer_from({URL: "/tiles/{z}/{x}/{y}.png"})
    assert tiles is not None and tiles.origin == "" and tiles.max_zoom == 18
    assert "img-src 'self' data: blob:;" in map_policy(tiles)


@pytest.mark.parametrize(("env", "words"), [
    ({URL: "https://tiles.example.gov.cn/tiles.png"}, "must contain {z}, {x} and {y} (missing {z}, {x}, {y})"),
    ({URL: "https://tiles.example.gov.cn/{z}/{x}.png"}, "(missing {y})"),
    ({URL: "https://{s}.tiles.example.gov.cn/{z}/{x}/{y}.png"}, "{s} would be requested as written (for {s} subdomains"),
    ({URL: "https://tiles.example.gov.cn/{z}/{x}/{y}.png?key={apikey}"}, "{apikey} would be requested as written"),
    ({URL: "ftp://tiles.example.gov.cn/{z}/{x}/{y}.png"}, "must start with http:// or https://"),
    ({URL: "tiles.example.gov.cn/{z}/{x}/{y}.png"}, "must start with http:// or https://"),
    ({URL: "//tiles.example.gov.cn/{z}/{x}/{y}.png"}, "must start with http:// or https://"),
    ({URL: "https://{z}.example.gov.cn/{x}/{y}.png"}, "the host of the tile URL must be fixed"),
    ({URL: "https://tiles.example.gov.cn/{z}/{x}/{y}.png\" onerror=\"x"}, "may not contain spaces, quotes"),
    ({URL: "https://t.example/{z}/{x}/{y}.png", "CASEGRID_MAP_TILE_MAX_ZOOM": "deep"}, "from 0 to 22, not 'deep'"),
    ({URL: "https://t.example/{z}/{x}/{y}.png", "CASEGRID_MAP_TILE_MAX_ZOOM": "30"}, "from 0 to 22, not '30'"),
    ({URL: "https://t.example/{z}/{x}/{y}.png", "CASEGRID_MAP_TILE_ATTRIBUTION": "x" * 301}, "at most 300 characters"),
])
def test_a_tile_setting_that_would_not_work_is_refused_with_what_is_wrong(env, words) -> None:
    with pytest.raises(InvalidInput) as refused:
        tile_layer_from(env)
    assert words in refused.value.message
    assert refused.value.message.startswith("CASEGRID_MAP_TILE_")  # names the variable to fix
    assert "\n" not in refused.value.message


def test_the_app_configuration_carries_the_tile_server_or_none(tmp_path) -> None:
    settings = load_settings({"CASEGRID_INSTANCE_DIR": str(tmp_path)})
    assert flask_config(settings, env={}, secret_key="k")["MAP_TILES"] is None
    configured = flask_config(settings, env={URL: "https://t.example/{z}/{x}/{y}.png"}, secret_key="k")
    assert configured["MAP_TILES"].origin == "https://t.example"
    with pytest.raises(InvalidInput, match="CASEGRID_MAP_TILE_URL: the tile URL must contain"):
        flask_config(settings, env={URL: "https://t.example/tiles.png"}, secret_key="k")


def test_serve_refuses_to_start_with_a_bad_tile_url_in_one_line(tmp_path) -> None:
    env = {**os.environ, "CASEGRID_INSTANCE_DIR": str(tmp_path), URL: "https://tiles.example.gov.cn/{z}/{x}.png",
           "CASEGRID_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    # Refused before it listens: a server that started would outlive the timeout.
    done = subprocess.run([sys.executable, "-m", "engine.app.cli", "serve", "--port", "0", "--no-worker"], env=env,
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "error: CASEGRID_MAP_TILE_URL: the tile URL must contain {z}, {x} and {y} (missing {y}), "
        "e.g. https://tiles.example.gov.cn/{z}/{x}/{y}.png"], done.stderr
