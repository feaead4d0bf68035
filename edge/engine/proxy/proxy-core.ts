// The stateful proxy for one request (RFC 3261 §16): the response context, its
// branches (one per target), serial or simultaneous forking, the app's provisional
// and final timeouts, Timer C, CANCEL propagation and redirects. Messages enter and
// leave only through the ports in proxy-ports.ts.

import { splitHeaderList } from '../messages/headers/header-list.js';
import { parseNameAddr } from '../messages/headers/name-addr.js';
import { parseSipUri } from '../messages/headers/sip-uri.js';
import { SipResponse, type SipRequest } from '../messages/sip-message.js';
import type { SipServerTarget } from '../dns/sip-server-target.js';
import { responseTo } from '../transactions/local-responses.js';
import type { ProxyLocalAddress } from './local-address.js';
import { BranchState, ProxyBranch } from './proxy-branch.js';
import type { ProxyOptions } from './proxy-options.js';
import type { ProxyDependencies, ProxyReporter, ProxyServerTransaction } from './proxy-ports.js';
import { prepareForwarding, stampAttempt } from './request-forwarding.js';
import {
  forwardsImmediately,
  selectBestResponse,
  upstreamFinalResponse,
  type CandidateResponse,
} from './response-selection.js';
import { nextHopUri } from './route-handling.js';
import { popTopVia } from './top-via.js';

export enum ProxyState {
  /** Branches are being tried; no final response has gone upstream. */
  Searching = 'searching',
  /** A 2xx went upstream; further 2xx from other branches still follow it (INVITE). */
  Answered = 'answered',
  /** The best non-2xx final response went upstream. */
  Completed = 'completed',
}

const DEFAULT_TIMER_C_MS = 180_000;
const DEFAULT_MAX_TARGETS = 16;
// How long a branch we CANCELled may take to send its 487 before we stop waiting (64·T1).
const CANCEL_GUARD_MS = 32_000;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  416: 'Unsupported URI Scheme',
  483: 'Too Many Hops',
  487: 'Request Terminated',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
};

const NO_REPORTS: ProxyReporter = { finalResponse: () => {}, done: () => {}, failed: () => {} };

export interface ProxyCoreParams {
  /** The request as received (our server transaction's request). */
  request: SipRequest;
  server: ProxyServerTransaction;
  options: ProxyOptions;
  deps: ProxyDependencies;
  reporter?: ProxyReporter;
  /** The listener the request arrived on; a different outbound listener gets a second Record-Route. */
  receivedOn?: ProxyLocalAddress;
}

export class ProxyCore {
  state = ProxyState.Searching;
  readonly branches: ProxyBranch[] = [];
  /** Final responses (upstream-ready: our Via removed) in arrival order. */
  private readonly candidates: CandidateResponse[] = [];
  private cancelled = false;
  /** A 6xx arrived: no new branches (§16.7 step 5). */
  private stopped = false;
  private doneReported = false;
  private readonly request: SipRequest;
  private readonly server: ProxyServerTransaction;
  private readonly options: ProxyOptions;
  private readonly deps: ProxyDependencies;
  private readonly reporter: ProxyReporter;
  private readonly receivedOn: ProxyLocalAddress | undefined;
  private readonly isInvite: boolean;

  constructor(params: ProxyCoreParams) {
    this.request = params.request;
    this.server = params.server;
    this.options = params.options;
    this.deps = params.deps;
    this.reporter = params.reporter ?? NO_REPORTS;
    this.receivedOn = params.receivedOn;
    this.isInvite = params.request.method === 'INVITE';
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Validate the request and start the first branch (serial) or all of them (simultaneous). */
  start(): void {
    const check = prepareForwarding(this.request, undefined, this.deps.locals);
    if ('reject' in check) {
      this.state = ProxyState.Completed;
      this.server.respond(this.localResponse(check.reject.status, check.reject.reason));
      this.reporter.failed(`Rejected with ${check.reject.status} ${check.reject.reason}`);
      return;
    }
    this.deps.metrics?.started();
    const targets = this.options.destinations.length > 0 ? this.options.destinations : [undefined];
    for (const target of targets.slice(0, this.maxTargets())) {
      this.branches.push(new ProxyBranch(this.branches.length, target));
    }
    this.advance();
  }

  /** CANCEL from upstream (§16.10): cancel every pending branch and start no new ones. */
  cancel(): void {
    if (!this.isInvite || this.state !== ProxyState.Searching || this.cancelled) return;
    this.cancelled = true;
    this.deps.logger.debug({ branches: this.branches.length }, 'proxy: upstream CANCEL');
    for (const branch of this.branches) {
      if (branch.state === BranchState.Pending) branch.state = BranchState.Completed;
      else if (branch.active) this.cancelBranch(branch);
    }
    this.advance();
  }

  // --- branch lifecycle -------------------------------------------------------

  private maxTargets(): number {
    return this.deps.maxTargets ?? DEFAULT_MAX_TARGETS;
  }

  /** Start what should run next, or send the best response when nothing is left. */
  private advance(): void {
    if (this.state !== ProxyState.Searching) return;
    const mayStart = !this.cancelled && !this.stopped;
    if (mayStart) {
      const pending = this.branches.filter((branch) => branch.state === BranchState.Pending);
      if (this.options.forking === 'simultaneous') {
        for (const branch of pending) this.startBranch(branch);
      } else if (!this.branches.some((branch) => branch.active) && pending[0]) {
        this.startBranch(pending[0]);
      }
    }
    if (this.state !== ProxyState.Searching) return;
    if (this.branches.some((branch) => branch.active)) return;
    if (mayStart && this.branches.some((branch) => branch.state === BranchState.Pending)) return;
    this.finish();
  }

  private startBranch(branch: ProxyBranch): void {
    if (branch.target !== undefined) {
      const uri = parseSipUri(branch.target);
      if (!uri || uri.scheme === 'tel') {
        this.completeBranch(branch, this.synthesized(uri ? 416 : 400));
        return;
      }
    }
    const prepared = prepareForwarding(this.request, branch.target, this.deps.locals, this.options.extraHeaders);
    if ('reject' in prepared) {
      this.completeBranch(branch, this.synthesized(prepared.reject.status));
      return;
    }
    branch.prepared = prepared.request;
    branch.state = BranchState.Resolving;
    const hop = nextHopUri(prepared.request);
    const attempt = ++branch.attempt;
    this.deps.locator.locate(hop).then(
      (destinations) => this.resolved(branch, attempt, destinations),
      () => this.resolved(branch, attempt, []),
    );
  }

  private resolved(branch: ProxyBranch, attempt: number, destinations: SipServerTarget[]): void {
    if (branch.state !== BranchState.Resolving || branch.attempt !== attempt) return;
    branch.destinations = destinations;
    branch.nextDestination = 0;
    branch.lastFailure = 'transport';
    this.tryNextDestination(branch);
  }

  /** RFC 3263 §4.3: next resolved destination, or the branch fails (503 / 408). */
  private tryNextDestination(branch: ProxyBranch): void {
    this.clearTimers(branch);
    while (branch.nextDestination < branch.destinations.length) {
      const destination = branch.destinations[branch.nextDestination++]!;
      const outbound = this.deps.localAddressFor(destination);
      if (!outbound) continue;
      const stamp = {
        outbound,
        branch: this.deps.newBranch(),
        recordRoute: this.options.recordRoute && this.request.method !== 'ACK' && this.request.method !== 'CANCEL',
        ...(this.receivedOn ? { inbound: this.receivedOn } : {}),
      };
      const request = stampAttempt(branch.prepared!, stamp);
      const attempt = ++branch.attempt;
      this.deps.metrics?.attempted();
      branch.destination = destination;
      branch.state = BranchState.Calling;
      this.armTimers(branch);
      const listener = {
        onResponse: (response: SipResponse) => this.onBranchResponse(branch, attempt, destination, response),
        onTimeout: () => this.onBranchFailure(branch, attempt, 'timeout'),
        onTransportError: () => this.onBranchFailure(branch, attempt, 'transport'),
      };
      try {
        const transaction = this.deps.transactions.sendRequest(request, destination, listener);
        if (branch.attempt === attempt) branch.transaction = transaction;
      } catch (error) {
        this.deps.logger.warn({ err: error, host: destination.address }, 'proxy: send failed');
        this.onBranchFailure(branch, attempt, 'transport');
      }
      return;
    }
    this.completeBranch(branch, this.synthesized(branch.lastFailure === 'timeout' ? 408 : 503));
  }

  private onBranchFailure(branch: ProxyBranch, attempt: number, failure: 'timeout' | 'transport'): void {
    if (branch.attempt !== attempt || !branch.active) return;
    this.deps.metrics?.moved(failure);
    branch.lastFailure = failure;
    branch.transaction = undefined;
    if (branch.state === BranchState.Cancelling || this.cancelled || this.state !== ProxyState.Searching) {
      this.completeBranch(branch, this.synthesized(failure === 'timeout' ? 408 : 503));
      return;
    }
    this.tryNextDestination(branch);
  }

  private onBranchResponse(branch: ProxyBranch, attempt: number, source: SipServerTarget, response: SipResponse): void {
    const status = response.status;
    if (status >= 200 && status < 300) {
      this.onSuccess(branch, source, response);
      return;
    }
    if (branch.attempt !== attempt || !branch.active) return;
    if (status < 200) {
      this.onProvisional(branch, response);
      return;
    }
    // RFC 3263 §4.3: a 503 from one resolved destination means "try the next one".
    if (status === 503 && branch.state !== BranchState.Cancelling && !this.cancelled &&
        branch.nextDestination < branch.destinations.length && this.state === ProxyState.Searching) {
      this.reporter.finalResponse(response, source);
      this.deps.metrics?.moved('503');
      this.tryNextDestination(branch);
      return;
    }
    this.reporter.finalResponse(response, source);
    const upstream = this.upstreamCopy(response);
    if (status >= 300 && status < 400 && this.options.followRedirects && !this.cancelled && !this.stopped) {
      this.addRedirectTargets(branch, response);
    }
    if (status >= 600) {
      // §16.7 step 5: a 6xx ends the search; CANCEL the rest, send the best (the 6xx) when they finish.
      this.stopped = true;
      for (const other of this.branches) {
        if (other === branch) continue;
        if (other.state === BranchState.Pending) other.state = BranchState.Completed;
        else if (other.active) this.cancelBranch(other);
      }
    }
    this.completeBranch(branch, { response: upstream, synthesized: false });
  }

  private onProvisional(branch: ProxyBranch, response: SipResponse): void {
    if (branch.provisionalTimer) branch.provisionalTimer = this.clearTimer(branch.provisionalTimer);
    if (branch.state === BranchState.Calling) branch.state = BranchState.Proceeding;
    if (response.status === 100) return;
    // §16.7 step 2: a provisional resets Timer C.
    if (branch.timerC) {
      this.clearTimer(branch.timerC);
      branch.timerC = this.deps.clock.setTimer(this.timerCMs(), (b: ProxyBranch) => this.onTimerC(b), branch);
    }
    if (this.state === ProxyState.Searching && forwardsImmediately(response.status)) {
      this.server.respond(this.upstreamCopy(response));
    }
  }

  /**
   * §16.7 step 5: every 2xx to an INVITE goes upstream at once, even after a final
   * response was sent (the transaction layer passes it on per RFC 6026); the first
   * 2xx ends the search and CANCELs the other branches.
   */
  private onSuccess(branch: ProxyBranch, source: SipServerTarget, response: SipResponse): void {
    if (!branch.answered) {
      branch.answered = true;
      this.clearTimers(branch);
      branch.finalResponse = response;
      branch.state = BranchState.Completed;
      this.reporter.finalResponse(response, source);
    }
    // A non-INVITE gets exactly one final response.
    if (!this.isInvite && this.state !== ProxyState.Searching) return;
    this.server.respond(this.upstreamCopy(response));
    if (this.state !== ProxyState.Searching) return;
    this.state = ProxyState.Answered;
    this.deps.metrics?.finalSent(response.status);
    for (const other of this.branches) {
      if (other === branch) continue;
      if (other.state === BranchState.Pending) other.state = BranchState.Completed;
      else if (other.active && this.isInvite) this.cancelBranch(other);
    }
    this.reportDone();
  }

  /** §16.5: 3xx Contacts become new targets, highest q first, right after the redirected one. */
  private addRedirectTargets(branch: ProxyBranch, response: SipResponse): void {
    const contacts = response.headers
      .getAll('Contact')
      .flatMap((value) => splitHeaderList(value))
      .map((value) => parseNameAddr(value))
      .filter((contact) => contact !== undefined)
      .map((contact) => ({ uri: contact.uri, q: Number(contact.params.get('q') ?? '1') }))
      .filter((contact) => /^sips?:/i.test(contact.uri) && Number.isFinite(contact.q))
      .sort((a, b) => b.q - a.q);
    const known = new Set(this.branches.map((b) => b.target));
    let insertAt = this.branches.indexOf(branch) + 1;
    for (const contact of contacts) {
      if (known.has(contact.uri) || this.branches.length >= this.maxTargets()) continue;
      known.add(contact.uri);
      this.branches.splice(insertAt++, 0, new ProxyBranch(this.branches.length, contact.uri));
    }
  }

  private cancelBranch(branch: ProxyBranch): void {
    this.clearTimers(branch);
    if (branch.state === BranchState.Resolving) {
      branch.attempt++;
      branch.state = BranchState.Completed;
      return;
    }
    if (branch.state !== BranchState.Calling && branch.state !== BranchState.Proceeding) return;
    branch.state = BranchState.Cancelling;
    branch.transaction?.cancel();
    branch.finalTimer = this.deps.clock.setTimer(CANCEL_GUARD_MS, (b: ProxyBranch) => this.onCancelGuard(b), branch);
  }

  private completeBranch(branch: ProxyBranch, candidate: CandidateResponse): void {
    this.clearTimers(branch);
    branch.state = BranchState.Completed;
    branch.finalResponse ??= candidate.response;
    this.candidates.push(candidate);
    this.deps.logger.debug({ branch: branch.index, status: candidate.response.status, synthesized: candidate.synthesized }, 'proxy: branch completed');
    this.advance();
  }

  /** §16.7 step 6–9: send the best final response upstream. */
  private finish(): void {
    this.state = ProxyState.Completed;
    const best = selectBestResponse(this.candidates);
    let response: SipResponse;
    // A cancelled request whose branches only timed out still ends in 487 for the caller (§9.2).
    if (this.cancelled && (!best || best.synthesized)) response = this.localResponse(487, REASONS[487]!);
    else if (best) response = upstreamFinalResponse(best.response, this.candidates);
    else response = this.localResponse(408, REASONS[408]!);
    this.server.respond(response);
    this.deps.metrics?.finalSent(response.status);
    this.reportDone();
  }

  private reportDone(): void {
    if (this.doneReported) return;
    this.doneReported = true;
    this.reporter.done();
  }

  // --- timers -----------------------------------------------------------------

  private timerCMs(): number {
    return this.deps.timerCMs ?? DEFAULT_TIMER_C_MS;
  }

  private armTimers(branch: ProxyBranch): void {
    const { clock } = this.deps;
    if (this.options.provisionalTimeoutMs !== undefined) {
      branch.provisionalTimer = clock.setTimer(this.options.provisionalTimeoutMs, (b: ProxyBranch) => this.onAppTimeout(b, 'provisional'), branch);
    }
    if (this.options.finalTimeoutMs !== undefined) {
      branch.finalTimer = clock.setTimer(this.options.finalTimeoutMs, (b: ProxyBranch) => this.onAppTimeout(b, 'final'), branch);
    }
    if (this.isInvite) branch.timerC = clock.setTimer(this.timerCMs(), (b: ProxyBranch) => this.onTimerC(b), branch);
  }

  private clearTimer(handle: object): undefined {
    this.deps.clock.clearTimer(handle);
    return undefined;
  }

  private clearTimers(branch: ProxyBranch): void {
    if (branch.provisionalTimer) branch.provisionalTimer = this.clearTimer(branch.provisionalTimer);
    if (branch.finalTimer) branch.finalTimer = this.clearTimer(branch.finalTimer);
    if (branch.timerC) branch.timerC = this.clearTimer(branch.timerC);
  }

  /** The app's provisional/final timeout: give up on this target (CANCEL it) and move on. */
  private onAppTimeout(branch: ProxyBranch, which: 'provisional' | 'final'): void {
    if (which === 'provisional') branch.provisionalTimer = undefined;
    else branch.finalTimer = undefined;
    if (branch.state !== BranchState.Calling && branch.state !== BranchState.Proceeding) return;
    this.deps.logger.debug({ branch: branch.index, which }, 'proxy: target timed out');
    this.deps.metrics?.moved(which === 'provisional' ? 'provisional-timeout' : 'final-timeout');
    this.abandonBranch(branch);
  }

  /** §16.8 Timer C: CANCEL a branch that has sent provisionals but no final, or treat it as a 408. */
  private onTimerC(branch: ProxyBranch): void {
    branch.timerC = undefined;
    if (branch.state !== BranchState.Calling && branch.state !== BranchState.Proceeding) return;
    this.deps.logger.debug({ branch: branch.index }, 'proxy: Timer C fired');
    this.deps.metrics?.moved('timer-c');
    this.abandonBranch(branch);
  }

  private onCancelGuard(branch: ProxyBranch): void {
    branch.finalTimer = undefined;
    if (branch.state === BranchState.Cancelling) this.completeBranch(branch, this.synthesized(408));
  }

  /** Stop waiting for a branch: CANCEL it (sent once it has a provisional) and count it as a 408. */
  private abandonBranch(branch: ProxyBranch): void {
    if (this.isInvite) branch.transaction?.cancel();
    branch.attempt++;
    this.completeBranch(branch, this.synthesized(408));
  }

  // --- responses --------------------------------------------------------------

  /**
   * The response as it goes upstream: our Via removed (§16.7 step 3). A correct
   * downstream leaves exactly the Vias of the request we received; one that dropped
   * them (some UAs answer a CANCELled INVITE with the CANCEL's single Via) gets them
   * restored from that request, so the caller can still match the response.
   */
  private upstreamCopy(response: SipResponse): SipResponse {
    const copy = new SipResponse(response.status, response.reason, response.headers.clone(), response.body, response.version);
    popTopVia(copy.headers);
    if (!copy.headers.has('Via')) {
      for (const via of this.request.headers.getAll('Via')) copy.headers.append('Via', via);
    }
    return copy;
  }

  private localResponse(status: number, reason: string): SipResponse {
    return responseTo(this.request, status, reason, this.deps.newTag());
  }

  private synthesized(status: number): CandidateResponse {
    return { response: this.localResponse(status, REASONS[status] ?? 'Error'), synthesized: true };
  }
}
