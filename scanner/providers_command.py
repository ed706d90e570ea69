"""`secret-hygiene providers`: the provider catalogue SH106 (and SH101-SH103) find tokens by,
one line per format with its provider, kind of credential and where to revoke it."""

from __future__ import annotations

import json

import click

from scanner.facts.providers import catalogue


@click.command(name="providers", short_help="List the token formats found by their shape.")
@click.argument("provider", required=False)
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text")
def providers_command(provider: str | None, format_: str) -> int:
    """List the token formats found by their shape (optionally of one PROVIDER)."""
    wanted = provider.lower() if provider else None
    formats = [f for f in sorted(catalogue().formats, key=lambda f: (f.provider.lower(), f.id))
               if wanted is None or wanted in f.provider.lower()]
    if format_ == "json":
        click.echo(json.dumps([{"id": f.id, "provider": f.provider, "kind": f.kind,
                                "distinctive": f.distinctive, "revoke": f.revoke, "docs": f.docs}
                               for f in formats], indent=1))
        return 0
    for item in formats:
        found_by = "prefix" if item.distinctive else "shape + context" if item.context_words else "shape"
        click.echo(f"{item.provider:<22} {item.kind:<23} {item.id:<44} {found_by:<15} {item.revoke}")
    click.echo(f"{len(formats)} formats of {len({f.provider for f in formats})} providers")
    return 0
