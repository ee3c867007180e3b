"""The dashboard's charts: the 12-month trend on two axes (activities are a few,
person-times hundreds), organizations per stage as bars with 休眠 (dormant)."""

import html
import json
import re


def _charts(page: str) -> list[dict]:
    return [
        json.loads(html.unescape(found))
        for found in re.findall(r'data-chart="([^"]*)"', page)
    ]


def test_trend_on_two_axes_and_stages_as_bars_with_dormant(client, login_as):
    login_as("admin")
    page = client.get("/reports").get_data(as_text=True)
    charts = _charts(page)
    trend = next(c for c in charts if c["type"] == "line")
    axes = {s["name"]: s["axis"] for s in trend["series"]}
    assert axes == {"活动": 0, "服务人次": 1}
    stages = next(c for c in charts if "萌芽" in c["labels"])
    assert stages["type"] == "bar"
    assert stages["labels"] == ["萌芽", "孵化", "培育", "自治", "出壳", "休眠"]
    assert all(c["type"] != "funnel" for c in charts)
    # the table beside the bars lists dormant too
    assert "<td>休眠</td>" in page
