"""Translated prose and minified code are not credentials: a translation catalogue's example URI
with "password" in another language, and the code between two string literals of a minified
login form (`"Password:")}),name:"`), read as a quoted value."""

from __future__ import annotations

from tests.support import scan_files

PO = ('msgid "dialect+driver://username:password@host:port/database"\n'
      'msgstr ""\n'
      '"dialecto+controlador://nombredeusuario:contraseña@host:puerto/base de "\n'
      '"datos"\n\n'
      'msgid "Expected ocient://user:password@host:port/db"\n'
      'msgstr "Se esperaba «ocient://usuario:contraseña@host:puerto/base_de_datos»."\n')
FORM = ('(0,i.Y)(c.l.Item,{label:(0,i.Y)($,{children:(0,o.t)("Password:")}),name:"password",'
        'rules:[{required:!0,message:(0,o.t)("Please enter your password")}]});\n')


def _found(files: dict[str, str]) -> list[tuple[str, int, str, str]]:
    return [(f.path, f.line, f.rule, f.confidence.value if f.confidence else "")
            for f in scan_files(files, select=["SH1"]).findings]


def test_translated_placeholder_passwords_are_dummies() -> None:
    assert _found({"app/translations/es/LC_MESSAGES/messages.po": PO}) == []
    # The same placeholder in code: the word says dummy there too.
    assert _found({"app/db.py": 'URI = "postgresql://usuario:contraseña@localhost/db"\n'}) == []


def test_a_real_password_in_a_translation_catalogue_is_docs_context() -> None:
    real = 'msgid "Connect with postgresql://app:Xk29fQm7vLp3Rw@db.internal/app"\nmsgstr ""\n'
    found = _found({"app/locale/fr/LC_MESSAGES/django.po": real})
    assert [(path, line, rule) for path, line, rule, _ in found] == [
        ("app/locale/fr/LC_MESSAGES/django.po", 1, "SH109")]
    assert found[0][3] == "low"
    found = _found({"app/db.py": 'URI = "postgresql://app:Xk29fQm7vLp3Rw@db.internal/app"\n'})
    assert [(rule, confidence) for _, _, rule, confidence in found] == [("SH109", "high")]


def test_code_between_two_strings_of_a_minified_form_is_no_password() -> None:
    assert _found({"static/assets/login.3f2a9c1b.chunk.js": FORM}) == []
    real = 'const settings={label:"db",password:"Xk29fQm7vLp3Rw",host:"db.internal"};\n'
    assert [rule for _, _, rule, _ in _found({"static/assets/cfg.js": real})] == ["SH110"]
