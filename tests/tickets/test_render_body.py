"""Message bodies: Markdown formatting, typed HTML shown as text, nothing carried from one body to the next."""

from tickets.templatetags.tickets_extras import render_body


def test_markdown_formats_and_typed_html_stays_text():
    html = render_body("**Bold** line\nnext <script>alert(1)</script>")
    assert "<strong>Bold</strong>" in html and "<br>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_link_reference_in_one_message_does_not_leak_into_the_next():
    render_body("See [the guide][g].\n\n[g]: https://example.com/guide")
    html = render_body("And [the guide][g] again.")
    assert "https://example.com/guide" not in html and "<a" not in html


def test_the_same_body_renders_the_same_every_time():
    body = "1. one\n2. two\n\n- a\n- b"
    assert render_body(body) == render_body(body) == render_body(body)


def test_a_body_shown_again_comes_back_as_safe_html():
    first, again = render_body("Hello *there*"), render_body("Hello *there*")
    assert first == again == "<p>Hello <em>there</em></p>" and hasattr(again, "__html__")
