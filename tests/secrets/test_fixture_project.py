"""The acme-shop fixture: the exact SH1xx findings, and no planted secret printed whole."""

from __future__ import annotations

import io
import json
from pathlib import Path

from scanner.reporters import json as json_reporter
from tests.support import scan_dir, triples

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "secrets" / "acme-shop"

# 24 planted positives. Planted negatives (49), by file: service/settings.py 11 (env lookups x2,
# placeholder, "changeme", "", templated DSN, secrets manager, AWS example key, sha256, UUID,
# git SHA); service/oauth_client.py 5 (None default, os.environ, grant type + variables,
# f"Bearer {x}", "Bearer" type); frontend/src/auth.js 3 (import.meta.env, `Bearer ${x}`, public
# client id); frontend/src/firebase.ts 1 (public apiKey); config/app.yaml 3 (${X}, {{ vault }},
# localhost URL); config/services.json 3 (${X}, REDACTED, ********); config/settings.toml 1
# ($X); .env 3 (URL, empty, *_KEY_PREFIX); .env.example 4; Dockerfile 2 (bare ARG, ${X});
# scripts/deploy.sh 2 (${X} bearer, "$X" flag); deploy/README.md 2 (bare PEM header,
# <your-client-secret>); notebooks 2 (os.environ, f-string bearer); tests/ 6 dummies;
# frontend/package-lock.json 2 (integrity hash, lock file).
EXPECTED = {
    (".env", 3, "SH104"),
    (".env", 4, "SH104"),
    (".env", 5, "SH105"),
    ("Dockerfile", 9, "SH105"),
    ("config/app.yaml", 6, "SH101"),
    ("config/app.yaml", 17, "SH109"),
    ("config/app.yaml", 21, "SH108"),
    ("config/services.json", 3, "SH106"),
    ("config/services.json", 8, "SH103"),
    ("config/settings.toml", 4, "SH101"),
    ("deploy/signing_key.pem", 1, "SH107"),
    ("frontend/src/auth.js", 5, "SH105"),
    ("frontend/src/auth.js", 29, "SH105"),
    ("notebooks/explore_orders.ipynb", 19, "SH102"),
    ("scripts/deploy.sh", 8, "SH102"),
    ("scripts/deploy.sh", 12, "SH101"),
    ("service/oauth_client.py", 29, "SH102"),
    ("service/oauth_client.py", 36, "SH103"),
    ("service/oauth_client.py", 41, "SH101"),
    ("service/settings.py", 8, "SH101"),
    ("service/settings.py", 16, "SH110"),
    ("service/settings.py", 24, "SH110"),
    ("service/settings.py", 27, "SH109"),
    ("service/settings.py", 37, "SH106"),
}

# Every planted secret value (positives), to check that none is printed whole.
PLANTED = (
    "q8ZrT4vWm2XkP9sLb7NcY3jH", "f7Kq2Lm9Xv4Rt8Wz1Np6Bc3Hs5Dj0Ga", "Vb4-Lq9!xZ2mT7", "Hn3Kd8Wq2Zt5",
    "AKIAY3M7Q2K8P5R9T4W6", "mQ7vK2xP9zL4tR8wN3bY6cJ5", "Rt9xLm2Qv7Kp4Zw8Nb3Hc6Jd",
    "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", "Zx8Kq3Wm7Lp2Vt9Rb4Nc6Hd1", "Tn5Wq8Lx2Kv7Mz4Rb9Pc3Hj6",
    "Pm4Xz9Lq2Wv7Kt3Rn8Bc5Hj1", "Kd7Wm2Xq9Lz4",
    "https://hooks.slack.com/services/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",
    "Qw3Er8Ty2Ui7Op4As9Df6Gh1", "Hy6Tn2Qw8Lm3Xk9Vb4Rz7Pc1", "whsec_Nq4Lm8Xz2Kv7Wt3Rb9Hc5Jd",
    "Zt8-Wq3!Lm5Kx", "Bx5Nm9Lq3Wz7Kt2Rv8Hc4Pd6", "Lk7Xq2Wm9Zv4Tn8Rb3Hc5Jd1",
    "Vz2Kq8Lm4Xw9Tn3Rb7Hc5Jd1", "Wq9Lm3Xz7Kv2Tn8Rb4Hc6Jd5", "Km3Xq8Lw2Zv7Tn4Rb9Hc5Jd6",
    "MIIEowIBAAKCAQEAx7Kq2Lm9Xv4Rt8Wz1Np6Bc3Hs5Dj0GaQw3Er8Ty2Ui7Op4As9Df",
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzdmMtYmlsbGluZyIsImlzcyI6ImF1dGguYWNtZS5pbyIs"
    "ImV4cCI6MTg5MzQ1NjAwMH0.Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1zaWduYXR1cmU",
)


def test_fixture_findings_are_exact() -> None:
    result = scan_dir(PROJECT, select=["SH1"])
    assert triples(result.findings) == EXPECTED
    assert not result.summary.errors


def test_fixture_findings_span_exactly_the_value() -> None:
    result = scan_dir(PROJECT, select=["SH1"])
    for finding in result.findings:
        line = (PROJECT / finding.path).read_text().splitlines()[finding.line - 1]
        value = line[finding.column - 1:finding.end_column - 1]
        assert finding.end_line == finding.line
        if finding.rule == "SH107":
            assert value == "-----BEGIN RSA PRIVATE KEY"
        else:
            assert value in PLANTED, (finding.path, finding.line, value[:6])


def test_no_planted_secret_appears_whole_in_json_output() -> None:
    result = scan_dir(PROJECT, select=["SH1"])
    stream = io.StringIO()
    json_reporter.render(result.findings, result.summary, stream)
    text = stream.getvalue()
    document = json.loads(text)
    assert len(document["findings"]) == len(EXPECTED)
    for secret in PLANTED:
        assert secret not in text, f"{secret[:4]}… leaked into the JSON output"
    for finding in document["findings"]:
        for field in ("message", "snippet", "fingerprint"):
            assert not any(secret in finding[field] for secret in PLANTED), (finding["path"], field)
        if finding["rule"] != "SH107":  # a PEM header line holds no key material
            assert "chars)" in finding["snippet"] or "…(redacted)" in finding["snippet"], finding["snippet"]


def test_fingerprints_survive_moved_lines(tmp_path: Path) -> None:
    source = (PROJECT / "service" / "settings.py").read_text()
    (tmp_path / "service").mkdir()
    (tmp_path / "service" / "settings.py").write_text(source)
    before = {f.fingerprint for f in scan_dir(tmp_path, select=["SH1"]).findings}
    (tmp_path / "service" / "settings.py").write_text("# moved\n\n" + source)
    after = {f.fingerprint for f in scan_dir(tmp_path, select=["SH1"]).findings}
    assert before == after and len(before) == 5
