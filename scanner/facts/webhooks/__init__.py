"""Webhook facts for Python and JS/TS: the extractors and the gates that say, as data, which
files can hold them. One analysis per document (memoized), shared by every extractor here."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any

from scanner.code import ir
from scanner.facts.base import Extractor, Fact, Gate, Keyed
from scanner.facts.webhooks import flow as flows
from scanner.facts.webhooks.gates import (
    ACCEPT_WORDS,
    BYPASS_CONTEXT,
    BYPASS_PATTERN,
    BYPASS_WORDS,
    COMPARISON_PATTERN,
    CONSTANT_TIME_WORDS,
    ENTRY_WORDS,
    HASH_WORDS,
    PRESENCE_PATTERN,
    PUBLIC_KEY_PATTERN,
    PUBLIC_KEY_WORDS,
    ROUTE_MARKERS,
    ROUTE_PATTERN,
    SECRET_NAME_WORDS,
    SECRET_WORDS,
    SIGNATURE_EVIDENCE,
    SIGNATURE_PREFIXES,
    SIGNATURE_WORDS,
    SWITCH_PATTERN,
    SWITCH_WORDS,
    UNVERIFIED_TOKEN_WORDS,
    VERIFY_WORDS,
)
from scanner.facts.webhooks.model import (
    FunctionSummary,
    Guard,
    MarkedView,
    MiddlewareSetting,
    PresenceCheck,
    PublicKeySignedMessage,
    RequestKey,
    Route,
    SignatureComparison,
    SignedMessage,
    ToleranceOff,
    VerificationBypass,
    VerificationSwitch,
)
from scanner.facts.webhooks.routes import (
    entry_facts,
    summary_facts,
    summary_table,
    wants_summaries,
)
from scanner.model.document import JS_KINDS, Document, FileKind, MemoKey

CODE_KINDS = frozenset({FileKind.PYTHON, *JS_KINDS})
# A presence check of a value compared in constant time or of a token's unverified field.
CHECKED_WORDS = (*CONSTANT_TIME_WORDS, *UNVERIFIED_TOKEN_WORDS)

def _verifiers(options: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(v).strip() for v in options.get("verifiers", ()) if str(v).strip())


class Analysis:
    """A document's webhook analysis: the module's own code, and each function's flow (nested
    functions in it), built when an extractor first asks for that function."""

    def __init__(self, module: ir.Module, context: flows.FileContext) -> None:
        self.module = module
        self.context = context
        self.bodies = flows.Bodies()
        self.module_flow = flows.module_flow("<module>", context, self.bodies.own(module.body))
        self._flows: dict[int, flows.Flow] = {}  # by id() of the ir.Function

    def flow(self, function: ir.Function) -> flows.Flow:
        found = self._flows.get(id(function))
        if found is None:
            statements, exprs = self.bodies.deep(function.body)
            found = self._flows[id(function)] = flows.Flow(
                function.qualname, self.context, statements, exprs, function.params,
                self.module_flow)
        return found

    @cached_property
    def outermost(self) -> list[ir.Function]:
        return list(flows.outermost_functions(self.module))


_ANALYSIS = MemoKey[Analysis | None]("webhook analysis")


def analysis(document: Document, verifiers: tuple[str, ...]) -> Analysis | None:
    """The document's webhook analysis, computed once whichever extractor asks first (the
    verifiers come from the configuration, the same for every extractor)."""

    def build(document: Document) -> Analysis | None:
        module = document.code
        if module is None:
            return None
        return Analysis(module, flows.file_context(module, document.lower, verifiers))

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
            yield found.flow(function)

    def all_units(self, document: Document) -> list[flows.Flow]:
        """Every unit of the document (none when it is no code), for facts that look across
        the functions of the file (who calls whom, who reads the clock)."""
        found = self.analysis(document)
        return [] if found is None else list(self.units(found))


class WebhookEntryExtractor(_WebhookExtractor):
    """Routes, guards, Django middleware and views marked by their decorators: where the
    project-wide verdict starts. A file holding a route, guard or marked view gets its function
    summaries here too, from the content scanned (a staged blob, a notebook's cells); any other
    file only when the verdict is led to it (`FunctionSummaryExtractor`)."""

    name = "webhook-entries"
    produces = (Route, Guard, MiddlewareSetting, MarkedView)
    gate = Gate(kinds=CODE_KINDS, words=ENTRY_WORDS,
                path_words=("hook", "ipn", "notif", "event", "callback"),
                requires=(ROUTE_MARKERS,), pattern=ROUTE_PATTERN,
                vendored=False, code_only=True)

    def extract(self, document: Document) -> Iterator[Fact]:
        found = self.analysis(document)
        if found is None:
            return
        entries = list(entry_facts(document, found.module, found.bodies, found.context))
        yield from entries
        if wants_summaries(document, entries):
            yield from summary_facts(document, found.module, found.flow)


class FunctionSummaryExtractor(_WebhookExtractor):
    """A summary of every function of a file, built only when the verdict follows a name into
    that file (most files a scan admits hold no handler and no helper a handler calls)."""

    name = "webhook-summaries"
    produces = (FunctionSummary,)
    gate = Gate(kinds=CODE_KINDS, on_demand=True)

    def extract(self, document: Document) -> Iterator[Fact]:
        found = self.analysis(document)
        if found is None:
            return
        yield from summary_facts(document, found.module, found.flow)

    def keyed(self, document: Document) -> Keyed[ir.Function, FunctionSummary] | None:
        """The summaries by qualname, each built when the verdict asks for it: of a module it is
        led to, it asks for a third of the functions (sentry's wheel: 797 summaries built for
        110 modules before)."""
        found = self.analysis(document)
        return None if found is None else summary_table(document, found.module, found.flow)


class SignatureComparisonExtractor(_WebhookExtractor):
    name = "webhook-comparisons"
    produces = (SignatureComparison,)
    gate = Gate(kinds=CODE_KINDS, words=(*SIGNATURE_WORDS, *HASH_WORDS),
                requires=(SECRET_WORDS, (*SIGNATURE_EVIDENCE, *HASH_WORDS),
                          (*SIGNATURE_PREFIXES, *HASH_WORDS)),
                pattern=COMPARISON_PATTERN, vendored=False, code_only=True)

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
                                         "verify_header"), vendored=False)

    def extract(self, document: Document) -> Iterator[Fact]:
        units = self.all_units(document)
        for flow in units:
            for call, message in flow.messages:
                yield SignedMessage(document.node_span(call), flow.name,
                                    flow.is_reserialized(message), flow.has_timestamp(message),
                                    _clock_nearby(flow, units))
            for call in flow.tolerance_off:
                yield ToleranceOff(document.node_span(call), flow.name, call.callee or call.method)


def _clock_nearby(flow: flows.Flow, units: list[flows.Flow]) -> bool:
    """Whether the replay window may be checked around this verification: the function reads
    the clock, or a function of the file it calls does, or one that calls it does (itself or
    through another function it calls). A clock read anywhere else (a test helper) does not.
    A signing helper that compares nothing is judged by the callers that verify with it, when
    the file has any: a caller that only signs (stamping the time to send) is no window."""
    if flow.reads_clock:
        return True
    by_name = {unit.name.rsplit(".", 1)[-1]: unit for unit in units}

    def clocked(unit: flows.Flow) -> bool:
        return unit.reads_clock or any(
            (callee := by_name.get(call.rsplit(".", 1)[-1])) is not None and callee.reads_clock
            for call in unit.calls)

    callers = _callers(flow, units)
    if flow.verification is None:
        verifiers = [unit for unit in callers if unit.verification is not None]
        if verifiers:
            return clocked(flow) or any(
                clocked(unit) or any(clocked(outer) for outer in _callers(unit, units))
                for unit in verifiers)
    return clocked(flow) or any(clocked(unit) for unit in callers)


def _callers(flow: flows.Flow, units: list[flows.Flow]) -> list[flows.Flow]:
    """The other functions of the file that call this one (by its name)."""
    name = flow.name.rsplit(".", 1)[-1]
    return [unit for unit in units
            if unit is not flow and any(call.rsplit(".", 1)[-1] == name for call in unit.calls)]


class PublicKeySignatureExtractor(_WebhookExtractor):
    name = "webhook-public-key-signatures"
    produces = (PublicKeySignedMessage,)
    gate = Gate(kinds=CODE_KINDS, words=("verify",),
                requires=(PUBLIC_KEY_WORDS, SIGNATURE_EVIDENCE, SIGNATURE_PREFIXES),
                pattern=PUBLIC_KEY_PATTERN, vendored=False, bundles=False, code_only=True)

    def extract(self, document: Document) -> Iterator[Fact]:
        units = self.all_units(document)
        for flow in units:
            for call, message in flow.public_key_messages:
                yield PublicKeySignedMessage(document.node_span(call), flow.name,
                                             flow.has_timestamp(message), _clock_nearby(flow, units))


class PresenceCheckExtractor(_WebhookExtractor):
    name = "webhook-presence-checks"
    produces = (PresenceCheck,)
    gate = Gate(kinds=CODE_KINDS, words=(*SIGNATURE_WORDS, "secret", "signing", *CHECKED_WORDS),
                requires=((*SIGNATURE_WORDS, *VERIFY_WORDS, *CHECKED_WORDS),
                          (*SIGNATURE_EVIDENCE, *SECRET_NAME_WORDS, *CHECKED_WORDS),
                          (*SIGNATURE_PREFIXES, *SECRET_NAME_WORDS, *CHECKED_WORDS)),
                pattern=PRESENCE_PATTERN, vendored=False, code_only=True)

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
                positive, about_secret, guessed = presence
                if positive and flows.signs_outgoing(statement.body):
                    # `if target.secret:` before signing an outgoing delivery: a sender's
                    # option, nothing received is let in.
                    continue
                if guessed and not about_secret and flow.browser_return:
                    # `if token:` on a query value in a view that never reads a body: an
                    # optional credential that unlocks more of a page, not a delivery let in.
                    continue
                yield PresenceCheck(
                    document.node_span(statement), flow.name, about_secret, positive,
                    " ".join(document.source(statement.test).split()),
                    flows.verifies_in(flow, statement.body) or (
                        not positive and flows.returns_secret_check(flow, statement.body)),
                    flows.rejects(statement.body),
                    flows.returns(statement.body), flows.rejects(statement.orelse),
                    guessed=guessed)
            for handler in flows.swallowed_header_errors(flow):
                caught = ir.dotted(handler.types) if handler.types is not None else None
                yield PresenceCheck(
                    document.span(handler.start, handler.end), flow.name, False, False,
                    f"except {caught or ''}".strip(), False, False, False, False, kind="except")


class VerificationBypassExtractor(_WebhookExtractor):
    name = "webhook-bypasses"
    produces = (VerificationBypass,)
    gate = Gate(kinds=CODE_KINDS, words=BYPASS_WORDS, requires=(BYPASS_CONTEXT,),
                pattern=BYPASS_PATTERN, vendored=False, code_only=True)

    def extract(self, document: Document) -> Iterator[Fact]:
        found = self.analysis(document)
        if found is None:
            return
        # A library that defines the "without verification" API (an SDK) is not bypassing:
        # code inside such a definition, and calls of a function this module defines.
        defined = {function.name for function in found.module.functions}
        for flow in self.units(found):
            if flows.BYPASS_CALL().search(flow.name):
                continue
            for call, reason in flow.bypasses:
                if (call.method or call.callee.rsplit(".", 1)[-1]) not in defined:
                    yield VerificationBypass(document.node_span(call), flow.name, reason)


class VerificationSwitchExtractor(_WebhookExtractor):
    """Verifying functions that accept the request unverified when a setting says so."""

    name = "webhook-switches"
    produces = (VerificationSwitch,)
    # An accepting return (flow.accepts_unverified), a switch (flow.verification_switch) and what
    # a verifying function holds (flow.handles_signatures).
    gate = Gate(kinds=CODE_KINDS, words=ACCEPT_WORDS, requires=(SWITCH_WORDS,),
                pattern=SWITCH_PATTERN, vendored=False, code_only=True)

    def extract(self, document: Document) -> Iterator[Fact]:
        found = self.analysis(document)
        if found is None:
            return
        for flow in self.units(found):
            for statement, how in flows.switched_off(flow):
                yield VerificationSwitch(document.node_span(statement), flow.name,
                                         " ".join(document.source(statement.test).split()), how)


class RequestKeyExtractor(_WebhookExtractor):
    """Verification keys read from the request they verify (a header, the query, the body)."""

    name = "webhook-request-keys"
    produces = (RequestKey,)
    # The verifications that take a key (flow.Flow.key_arguments); the key read from a request.
    gate = Gate(kinds=CODE_KINDS, words=("hmac", "construct_event", "constructevent",
                                         "verify_header"),
                requires=(("request", "req", "header", "meta"),), vendored=False)

    def extract(self, document: Document) -> Iterator[Fact]:
        found = self.analysis(document)
        if found is None:
            return
        keyed = {}
        for function in found.module.functions:
            parameters = flows.key_parameters(found.flow(function))
            if parameters and function.name:
                keyed[function.name] = parameters
        for flow in self.units(found):
            for call, key in [*flow.key_arguments, *flow.passed_keys(keyed)]:
                made = flows.request_key(flow, key)
                if made is None:
                    continue
                source, statement = made
                where = document.node_span(statement) if statement is not None \
                    else document.node_span(call)
                read = " ".join(document.source(source).split())
                yield RequestKey(where, flow.name, read if len(read) <= 80 else read[:77] + "...")


EXTRACTORS: tuple[type[Extractor], ...] = (
    WebhookEntryExtractor, FunctionSummaryExtractor, SignatureComparisonExtractor,
    SignedMessageExtractor,
    PublicKeySignatureExtractor, PresenceCheckExtractor, VerificationBypassExtractor,
    VerificationSwitchExtractor, RequestKeyExtractor)
