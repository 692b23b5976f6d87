"""The Content-Security-Policy works in a real browser: an inline script does not run, and the
browser tests' watcher (conftest.watch_csp) hears the refusal."""

from .conftest import PHONE, watch_csp


def test_an_inline_script_is_refused(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="ja-JP")
    refused: list[str] = []
    watch_csp(context, refused)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
        }"""
    )
    page.wait_for_timeout(300)
    ran = page.evaluate("() => window.injected === true")
    context.close()
    assert ran is False
    assert any("inline script" in text for text in refused)
