"""Webhook facts for Python and JS/TS: the extractors and the gates that say, as data, which
files can hold them. One analysis per document (memoized), shared by every extractor here."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from scanner.code import ir
from scanner.facts.base import Extractor, Fact, Gate
from scanner.facts.webhooks import flow as flows
from scanner.facts.webhooks.gates import (
    BYPASS_CONTEXT,
    BYPASS_WORDS,
    COMPARISON_PATTERN,
    ENTRY_WORDS,
    PRESENCE_PATTERN,
    ROUTE_MARKERS,
    ROUTE_PATTERN,
    SECRET_NAME_WORDS,
    SECRET_WORDS,
    SIGNATURE_EVIDENCE,
    SIGNATURE_PREFIXES,
    SIGNATURE_WORDS,
    VERIFY_WORDS,
)
from scanner.facts.webhooks.model import (
    FunctionSummary,
    Guard,
    MiddlewareSetting,
    PresenceCheck,
    Route,
    SignatureComparison,
    SignedMessage,
    ToleranceOff,
    VerificationBypass,
)
from scanner.facts.webhooks.routes import entry_facts
from scanner.model.document import JS_KINDS, Document, FileKind, MemoKey

CODE_KINDS = frozenset({FileKind.PYTHON, *JS_KINDS})

def _verifiers(options: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(v).strip() for v in options.get("verifiers", ()) if str(v).strip())


@dataclass
class Analysis:
    """Every flow of a document: the module's own code, each function (nested ones too)."""

    module: ir.Module
    context: flows.FileContext
    module_flow: flows.Flow
    flows: dict[int, flows.Flow]  # by id() of the ir.Function
    outermost: list[ir.Function]


_ANALYSIS = MemoKey[Analysis | None]("webhook analysis")


def analysis(document: Document, verifiers: tuple[str, ...]) -> Analysis | None:
    """The document's webhook analysis, computed once whichever extractor asks first (the
    verifiers come from the configuration, the same for every extractor)."""

    def build(document: Document) -> Analysis | None:
        module = document.code
        if module is None:
            return None
        context = flows.file_context(module, document.lower, verifiers)
        # The module's own statements (class bodies hold attributes, not module variables).
        module_flow = flows.analyse("<module>", context, list(ir.walk_statements(module.body)),
                                    deep=False)
        outermost = list(flows.outermost_functions(module))
        by_id: dict[int, flows.Flow] = {}
        for function in (*ir.nested_functions(module.body), *outermost):
            if id(function) not in by_id:
                by_id[id(function)] = flows.analyse(function.qualname, context, function.body,
                                                    function.params, module_flow)
        return Analysis(module, context, module_flow, by_id, outermost)

    return document.memo(_ANALYSIS, build)


class _WebhookExtractor(Extractor):
    options_section = "webhooks"

    def analysis(self, document: Document) -> Analysis | None:
        if document.kind not in CODE_KINDS:
            return None
        return analysis(document, _verifiers(self.options))

    def units(self, found: Analysis) -> Iterator[flows.Flow]:
        """The module's own code and each outermost function (nested ones inside it)."""
        yield found.module_flow
        for function in found.outermost:
            yield found.flows[id(function)]


class WebhookEntryExtractor(_WebhookExtractor):
    """Routes, guards, Django middleware and function summaries (the project-wide verdict)."""

    name = "webhook-entries"
    produces = (Route, FunctionSummary, Guard, MiddlewareSetting)
    gate = Gate(kinds=CODE_KINDS, words=ENTRY_WORDS,
                path_words=("hook", "ipn", "notif", "event", "callback"),
                requires=(ROUTE_MARKERS,), pattern=ROUTE_PATTERN.pattern)

    def extract(self, document: Document) -> Iterator[Fact]:
        found = self.analysis(document)
        if found is None:
            return
        yield from entry_facts(document, found.module, found.context, found.flows)


class SignatureComparisonExtractor(_WebhookExtractor):
    name = "webhook-comparisons"
    produces = (SignatureComparison,)
    gate = Gate(kinds=CODE_KINDS, words=SIGNATURE_WORDS,
                requires=(SECRET_WORDS, SIGNATURE_EVIDENCE, SIGNATURE_PREFIXES),
                pattern=COMPARISON_PATTERN.pattern)

    def extract(self, document: Document) -> Iterator[Fact]:
        found = self.analysis(document)
        if found is None:
            return
        seen: set[tuple[int, int]] = set()
        for flow in self.units(found):
            for compare in flow.comparisons:
                if (compare.start, compare.end) in seen:
                    continue  # one finding for a Python chain `a == b == c`
                seen.add((compare.start, compare.end))
                left, right = compare.left, compare.right
                yield SignatureComparison(
                    document.node_span(compare), flow.name, compare.op,
                    " ".join(document.source(compare).split()), found.module.language,
                    document.char_offset(compare.start), document.char_offset(compare.end),
                    (document.char_offset(left.start), document.char_offset(left.end)),
                    (document.char_offset(right.start), document.char_offset(right.end)),
                    flow.is_nullable(left), flow.is_nullable(right),
                    (compare.start, compare.end) in flow.chained)


class SignedMessageExtractor(_WebhookExtractor):
    name = "webhook-signed-messages"
    produces = (SignedMessage, ToleranceOff)
    gate = Gate(kinds=CODE_KINDS, words=("hmac", "construct_event", "constructevent",
                                         "verify_header"))

    def extract(self, document: Document) -> Iterator[Fact]:
        found = self.analysis(document)
        if found is None:
            return
        for flow in self.units(found):
            for call, message in flow.messages:
                yield SignedMessage(document.node_span(call), flow.name,
                                    flow.is_reserialized(message), flow.has_timestamp(message),
                                    found.context.clock_in_file)
            for call in flow.tolerance_off:
                yield ToleranceOff(document.node_span(call), flow.name, call.callee or call.method)


class PresenceCheckExtractor(_WebhookExtractor):
    name = "webhook-presence-checks"
    produces = (PresenceCheck,)
    gate = Gate(kinds=CODE_KINDS, words=(*SIGNATURE_WORDS, "secret", "signing"),
                requires=((*SIGNATURE_WORDS, *VERIFY_WORDS),
                          (*SIGNATURE_EVIDENCE, *SECRET_NAME_WORDS),
                          (*SIGNATURE_PREFIXES, *SECRET_NAME_WORDS)),
                pattern=PRESENCE_PATTERN.pattern)

    def extract(self, document: Document) -> Iterator[Fact]:
        found = self.analysis(document)
        if found is None:
            return
        for flow in self.units(found):
            if not flows.handles_signatures(flow):
                continue
            for statement in flow.ifs:
                presence = flows.presence(flow, statement.test)
                if presence is None:
                    continue
                positive, about_secret = presence
                yield PresenceCheck(
                    document.node_span(statement), flow.name, about_secret, positive,
                    " ".join(document.source(statement.test).split()),
                    flows.verifies_in(flow, statement.body), flows.rejects(statement.body),
                    flows.returns(statement.body), flows.rejects(statement.orelse))


class VerificationBypassExtractor(_WebhookExtractor):
    name = "webhook-bypasses"
    produces = (VerificationBypass,)
    gate = Gate(kinds=CODE_KINDS, words=BYPASS_WORDS, requires=(BYPASS_CONTEXT,))

    def extract(self, document: Document) -> Iterator[Fact]:
        found = self.analysis(document)
        if found is None:
            return
        for flow in self.units(found):
            for call, reason in flow.bypasses:
                yield VerificationBypass(document.node_span(call), flow.name, reason)


EXTRACTORS: tuple[type[Extractor], ...] = (
    WebhookEntryExtractor, SignatureComparisonExtractor, SignedMessageExtractor,
    PresenceCheckExtractor, VerificationBypassExtractor)
