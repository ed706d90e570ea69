"""JS/TS import aliases from `tsconfig.json`/`jsconfig.json` (`"@/lib/*": ["lib/*"]`): the project
index follows `import { verify } from "@/lib/verify"` to the project's file, as TypeScript does
(held-out dub, 2026-12-08: Next.js receivers that verify in an aliased helper were reported)."""

from __future__ import annotations

from collections.abc import Mapping

from scanner.project.aliases import PathAliases
from tests.support import scan_files


def _aliases(files: Mapping[str, str]) -> PathAliases:
    return PathAliases(files.get, lambda path: path in files)


def test_the_nearest_config_decides_relative_to_its_base_url() -> None:
    files = {
        "tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["src/*"]}}}',
        "apps/web/tsconfig.json": '''{
            // JSON with comments and trailing commas, as tsc reads it
            "extends": "tsconfig/nextjs.json",
            "compilerOptions": {"baseUrl": ".", "paths": {"@/lib/*": ["lib/*"], "@/*": ["./*"],},},
        }''',
    }
    aliases = _aliases(files)
    assert list(aliases.candidates("@/lib/cron/verify", "apps/web/app/api/route.ts")) == [
        "apps/web/lib/cron/verify"]  # the longest prefix wins
    assert list(aliases.candidates("@/ui/button", "apps/web/app/page.tsx")) == ["apps/web/ui/button"]
    assert list(aliases.candidates("@/lib/x", "packages/cli/index.ts")) == ["src/lib/x"]
    assert list(aliases.candidates("express", "apps/web/app/page.tsx")) == []


def test_paths_without_base_url_are_relative_to_the_config_and_extends_is_followed() -> None:
    files = {
        "web/tsconfig.base.json": '{"compilerOptions": {"paths": {"~/*": ["./app/*"], "#env": ["./env.ts"]}}}',
        "web/tsconfig.json": '{"extends": "./tsconfig.base.json", "compilerOptions": {"strict": true}}',
    }
    aliases = _aliases(files)
    assert list(aliases.candidates("~/server/verify", "web/app/routes/hook.ts")) == [
        "web/app/server/verify"]
    assert list(aliases.candidates("#env", "web/app/routes/hook.ts")) == ["web/env.ts"]


def test_a_config_that_does_not_parse_gives_no_aliases() -> None:
    files = {"tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["src/*"]'}
    assert list(_aliases(files).candidates("@/lib/x", "src/app.ts")) == []
    # A hostile repository's huge or deeply nested config is not read (json5 is pure Python).
    huge = '{"compilerOptions": {"paths": {"@/*": ["src/*"]}}, "x": "' + "a" * 300_000 + '"}'
    nested = '{"compilerOptions": {"paths": {"@/*": ["src/*"]}}, "x": ' + "[" * 5000 + "]" * 5000 + "}"
    for text in (huge, nested):
        assert list(_aliases({"tsconfig.json": text}).candidates("@/lib/x", "src/app.ts")) == []


TSCONFIG = '''{
  "extends": "tsconfig/nextjs.json",
  "compilerOptions": {
    "baseUrl": ".",
    "paths": {
      "@/lib/*": ["lib/*"],
    },
  },
}
'''
VERIFY = '''import { Receiver } from "@upstash/qstash";

const receiver = new Receiver();

export const verifyQueueSignature = async ({ req, rawBody }) => {
  const signature = req.headers.get("Upstash-Signature");
  if (!signature) {
    throw new Error("Upstash-Signature header is required.");
  }
  const isValid = await receiver.verify({ signature, body: rawBody });
  if (!isValid) {
    throw new Error("Invalid request signature");
  }
};
'''
UNCHECKED = '''export const verifyQueueSignature = async ({ req, rawBody }) => {
  console.log("delivery", req.headers.get("Upstash-Message-Id"), rawBody.length);
};
'''
ROUTE = '''import { verifyQueueSignature } from "@/lib/cron/verify-queue";
import { prisma } from "@/lib/prisma";

// POST /api/webhooks/callback – delivery results from the message queue
export const POST = async (req: Request) => {
  const rawBody = await req.text();
  await verifyQueueSignature({ req, rawBody });
  const { webhookId } = JSON.parse(rawBody);
  await prisma.webhook.update({ where: { id: webhookId }, data: { failed: false } });
  return new Response("OK");
};
'''


def test_a_nextjs_receiver_verified_in_an_aliased_helper() -> None:
    files = {"apps/web/tsconfig.json": TSCONFIG, "apps/web/lib/cron/verify-queue.ts": VERIFY,
             "apps/web/app/api/webhooks/callback/route.ts": ROUTE}
    assert scan_files(files, select=["SH301"]).findings == []
    files["apps/web/lib/cron/verify-queue.ts"] = UNCHECKED
    found = [(f.path, f.line) for f in scan_files(files, select=["SH301"]).findings]
    assert found == [("apps/web/app/api/webhooks/callback/route.ts", 5)]
