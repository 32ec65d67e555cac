"""What a person types as a target: the forms we accept and the words we use to refuse."""

from __future__ import annotations

import socket

import pytest

from tcptui.net.target import Target, TargetError, parse_port, parse_target

GOOD = [
    # (text, second word, tls flag) -> (host, port, tls, str())
    (("example.com", "80", False), ("example.com", 80, False, "example.com:80")),
    (("example.com:8080", None, False), ("example.com", 8080, False, "example.com:8080")),
    (("  example.com:8080  ", None, False), ("example.com", 8080, False, "example.com:8080")),
    (("127.0.0.1", "7", False), ("127.0.0.1", 7, False, "127.0.0.1:7")),
    (("127.0.0.1:65535", None, False), ("127.0.0.1", 65535, False, "127.0.0.1:65535")),
    (("[::1]:8080", None, False), ("::1", 8080, False, "[::1]:8080")),
    (("::1", "8080", False), ("::1", 8080, False, "[::1]:8080")),
    (("[::1]", "8080", False), ("::1", 8080, False, "[::1]:8080")),
    (("fe80::1%lo", "22", False), ("fe80::1%lo", 22, False, "[fe80::1%lo]:22")),
    (("tcp://example.com:23", None, False), ("example.com", 23, False, "example.com:23")),
    (("TCP://example.com:23/", None, False), ("example.com", 23, False, "example.com:23")),
    (("tcp://[::1]:23", None, False), ("::1", 23, False, "[::1]:23")),
    (("tls://example.com", None, False), ("example.com", 443, True, "tls://example.com:443")),
    (
        ("tls://example.com:8443", None, False),
        ("example.com", 8443, True, "tls://example.com:8443"),
    ),
    (("tls://[::1]", None, False), ("::1", 443, True, "tls://[::1]:443")),
    (("example.com", None, True), ("example.com", 443, True, "tls://example.com:443")),
    (("example.com.", "80", False), ("example.com", 80, False, "example.com.:80")),
    (("bücher.example", "80", False), ("xn--bcher-kva.example", 80, False, "bücher.example:80")),
    (
        ("tls://bücher.example", None, False),
        ("xn--bcher-kva.example", 443, True, "tls://bücher.example:443"),
    ),
]


@pytest.mark.parametrize(("given", "expected"), GOOD, ids=[repr(g[0]) for g, _ in GOOD])
def test_accepted_forms_parse_to_the_same_target(
    given: tuple[str, str | None, bool], expected: tuple[str, int, bool, str]
) -> None:
    text, port, tls = given
    host, expected_port, expected_tls, shown = expected

    target = parse_target(text, port, tls=tls)

    assert (target.host, target.port, target.tls) == (host, expected_port, expected_tls)
    assert str(target) == shown
    assert target.host.isascii(), "the host we connect to is always ASCII"


BAD = [
    # (text, second word) -> a word the message must contain, so the user knows what to fix
    (("example.com", "0"), "out of range"),
    (("example.com:0", None), "out of range"),
    (("example.com", "65536"), "out of range"),
    (("example.com:99999", None), "out of range"),
    (("example.com", "-1"), "port"),
    (("example.com:nosuchservice", None), "service"),
    (("example.com", ""), "port is missing"),
    (("example.com", None), "no port"),
    (("example.com:", None), "port is missing"),
    (("ftp://example.com:21", None), "scheme"),
    (("http://example.com", None), "tcp://"),
    (("example.com:80", "81"), "two ports"),
    (("[::1]:80", "81"), "two ports"),
    ((":80", None), "host is missing"),
    (("", "80"), "host is missing"),
    (("tls://", None), "host is missing"),
    (("[]:80", None), "host is missing"),
    (("exa mple.com", "80"), "host name"),
    (("exa\tmple.com:80", None), "host name"),
    (("user@example.com:80", None), "host name"),
    (("example..com", "80"), "host name"),
    (("a" * 64 + ".example", "80"), "host name"),
    ((".".join(["a" * 63] * 4), "80"), "length"),
    (("[::1", None), "]"),
    (("[::1]80", None), "':PORT'"),
    (("[::g]:80", None), "IPv6"),
    (("1:2:3:4:5:6:7:8:9", "80"), "IPv6"),
    (("example.com:80:90", "80"), "IPv6"),
    (("::1:80", None), "no port"),
]


@pytest.mark.parametrize(("given", "word"), BAD, ids=[repr(g) for g, _ in BAD])
def test_bad_targets_are_refused_with_a_helpful_word(
    given: tuple[str, str | None], word: str
) -> None:
    text, port = given

    with pytest.raises(TargetError) as raised:
        parse_target(text, port)

    assert word.lower() in str(raised.value).lower()


def test_target_errors_are_value_errors_for_callers_that_catch_broadly() -> None:
    assert issubclass(TargetError, ValueError)


def test_service_names_resolve_through_the_system_database() -> None:
    try:
        http = socket.getservbyname("http", "tcp")
    except OSError:
        pytest.skip("this system's services database does not know 'http'")

    assert http == 80
    assert parse_port("http") == 80
    assert parse_target("example.com", "http") == Target("example.com", 80, False, "example.com")
    assert parse_target("example.com:http").port == 80


@pytest.mark.parametrize("text", ["1", "80", " 443 ", "65535"])
def test_port_numbers_in_range_are_accepted(text: str) -> None:
    assert parse_port(text) == int(text)
