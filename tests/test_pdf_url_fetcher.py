"""The renderer fetches the app's own static files and nothing else: no network, no file system."""

import pytest

from phb_readiness.reports.pdf import BASE_URL, RefusedURL, StaticFilesOnly, pdf_from_html

STATIC = BASE_URL.rstrip("/") + "/static/"


def test_serves_the_apps_static_files():
    response = StaticFilesOnly().fetch(STATIC + "reports/report.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/tracker.png",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "data:text/plain,hello",
        STATIC + "../../settings.py",
        STATIC + "%2e%2e/%2e%2e/etc/passwd",
        STATIC + "reports/report.css?x=1",
        STATIC + "no/such/file.css",
        BASE_URL + "admin/",
    ],
)
def test_refuses_everything_else(url):
    fetcher = StaticFilesOnly()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_a_render_never_fetches_what_the_content_points_at(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = (
        '<html lang="en"><head><title>Probe</title>'
        f'<link rel="stylesheet" href="file://{secret}">'
        '<link rel="stylesheet" href="https://example.org/x.css">'
        '<link rel="stylesheet" href="/static/reports/report.css"></head>'
        '<body><img src="https://example.org/pixel.png" alt="x"><img src="../../etc/passwd" alt="y"><p>Hello</p></body>'
        "</html>"
    )
    fetcher = StaticFilesOnly()
    pdf = pdf_from_html(html, fetcher=fetcher)
    assert pdf.content.startswith(b"%PDF-") and pdf.pages == 1
    assert fetcher.served == [STATIC + "reports/report.css"]
    assert set(fetcher.refused) == {
        f"file://{secret}",
        "https://example.org/x.css",
        "https://example.org/pixel.png",
        BASE_URL + "etc/passwd",
    }
