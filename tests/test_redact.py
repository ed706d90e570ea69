"""Redaction keeps at most a short prefix and never leaks the rest of a partly matched token."""

from __future__ import annotations

from scanner.redact import one_line, redact, redact_text, snippet


def test_redact_shows_a_short_prefix_of_long_random_values_only() -> None:
    assert redact("9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue") == "9f3K…(32 chars)"
    # Short or guessable values: no character, no exact length.
    assert redact("abcdefgh") == "…(redacted)"
    assert redact("Xk9vQ2mP7wL4nR8t") == "…(redacted)"
    assert redact("passwordpasswordpassword") == "…(redacted)"


def test_partial_detector_match_redacts_the_whole_token() -> None:
    key = "sk_live_51Hq2LmX8vRt6Wz1Yb4Nc7Hd0Js5UeAbCdEfGhIjKlMnOpQrStUvWx"
    line = f'STRIPE = "{key}"'
    out = redact_text(line, [key[:32]])
    assert out == 'STRIPE = "sk_live_…(62 chars)"'
    assert "UvWx" not in out and key[20:] not in out


def test_redaction_stops_at_assignment_and_keeps_context() -> None:
    out = redact_text("https://api.example.com/x?client_secret=Zq8LmX8vRt6Wz1Yb&y=1",
                      ["Zq8LmX8vRt6Wz1Yb"])
    assert out == "https://api.example.com/x?client_secret=…(redacted)&y=1"


def test_snippet_window_never_cuts_into_an_unredacted_secret() -> None:
    secret = "Ab3" * 20
    line = "x" * 500 + f' token = "{secret}" ' + "y" * 500
    cut = snippet(line, 505, [secret])
    assert secret not in cut and secret[:10] not in cut
    assert len(cut) <= 170


def test_one_line_escapes_controls() -> None:
    assert one_line("a\nb\x1b[31m") == "a\\x0ab\\x1b[31m"
