from __future__ import annotations

from paystone.serving.metrics import RequestMetrics


def test_render_is_cumulative_prometheus_text() -> None:
    metrics = RequestMetrics(buckets=(0.1, 1.0))
    metrics.observe("/predict", 200, 0.05)
    metrics.observe("/predict", 200, 0.5)
    metrics.observe("/predict", 503, 5.0)
    metrics.observe("/predict", 422, 0.1)
    lines = metrics.render().splitlines()
    assert 'psml_requests_total{route="/predict",code="200"} 2' in lines
    assert 'psml_request_errors_total{route="/predict",class="4xx"} 1' in lines
    assert 'psml_request_errors_total{route="/predict",class="5xx"} 1' in lines
    assert 'psml_request_duration_seconds_bucket{route="/predict",le="0.1"} 2' in lines  # le is inclusive
    assert 'psml_request_duration_seconds_bucket{route="/predict",le="1.0"} 3' in lines
    assert 'psml_request_duration_seconds_bucket{route="/predict",le="+Inf"} 4' in lines
    assert 'psml_request_duration_seconds_count{route="/predict"} 4' in lines
    assert "# TYPE psml_request_duration_seconds histogram" in lines
    assert metrics.requests("/predict") == 4 and metrics.requests("/predict", 503) == 1


def test_labels_are_escaped_and_reset_clears() -> None:
    metrics = RequestMetrics()
    metrics.observe('/a"b', 200, 0.0)
    assert 'route="/a\\"b"' in metrics.render()
    metrics.reset()
    assert metrics.requests('/a"b') == 0
