/**
 * What the transport hands this node: Raft messages for the core (a leader's duplicate
 * forwarded proposals dropped on the way), founders' and members' traffic for Members,
 * refusals counted and reported, and the transport's own connection status.
 */
import type { NodeId, ProposeMessage, Rejection, Message } from '../raft/types.ts';
import type { TransportHandlers, TransportStatus } from '../transport/transport.ts';
import { toError } from './applier.ts';
import { SecretMismatchError, TransportFailedError } from './errors.ts';
import type { ForwardedProposals } from './forwarded.ts';
import { checkFoundMessage } from './founding.ts';
import type { Members } from './members.ts';
import type { ReadyLoop } from './ready-loop.ts';

/** Authentication failures in a row before the node says its peers use another secret. */
const AUTH_FAILURES_REPORTED = 8;

export class Inbox {
  readonly #loop: ReadyLoop;
  readonly #members: Members;
  readonly #forwarded: ForwardedProposals;
  /** Messages refused for authentication since the last one accepted, and some of their senders. */
  #authFailures = 0;
  readonly #authFailedFrom = new Set<NodeId>();

  constructor(loop: ReadyLoop, members: Members, forwarded: ForwardedProposals) {
    this.#loop = loop;
    this.#members = members;
    this.#forwarded = forwarded;
  }

  readonly handlers: TransportHandlers = {
    message: (message) => this.#receive(message),
    rejected: (rejection) => this.#rejected(rejection),
    status: (status) => this.#transportChanged(status),
    reachability: (peer, reachable) => {
      const loop = this.#loop;
      if (reachable || loop.state !== 'running') return;
      loop.core.reportUnreachable(peer);
      loop.schedule();
    },
  };

  #receive(message: Message): void {
    const loop = this.#loop;
    if (loop.state !== 'running') return;
    loop.metrics.messagesReceived++;
    this.#authFailures = 0;
    if (message.type === 'member' || message.type === 'memberResp') {
      const rejection = this.#members.receiveMember(message);
      if (rejection !== undefined) this.#rejected({ ...rejection, from: message.from });
      loop.schedule();
      return;
    }
    if (message.type === 'found' || message.type === 'foundResp') {
      const rejection = checkFoundMessage(message, loop.id);
      if (rejection !== undefined) {
        this.#rejected({ ...rejection, from: message.from });
        return;
      }
      this.#members.receiveFound(message);
      loop.schedule();
      return;
    }
    if (message.type === 'prop') {
      const admitted = this.#admitForwarded(message);
      if (admitted === undefined) return;
      message = admitted;
    }
    let rejection: Rejection | undefined;
    try {
      rejection = loop.core.step(message);
    } catch (error) {
      rejection = { reason: 'impossibleField', detail: `the core threw on a ${String(message.type)} message: ${toError(error).message}` };
    }
    if (rejection !== undefined) this.#rejected({ ...rejection, from: message.from });
    loop.schedule();
  }

  /**
   * A leader drops forwarded proposals it appended already in this term (a duplicated
   * message); see ForwardedProposals. Role and term are the core's as of now: a cycle still
   * pending (an election just won by a message of the same delivery) runs first.
   */
  #admitForwarded(message: ProposeMessage): ProposeMessage | undefined {
    const loop = this.#loop;
    if (loop.scheduled && !loop.cycling) loop.cycle();
    if (loop.role !== 'leader' || message.term !== loop.term) return message;
    const { entries, dropped } = this.#forwarded.admit(message, loop.term, loop.commit);
    if (dropped === 0) return message;
    loop.metrics.duplicateProposals += dropped;
    return entries.length === 0 ? undefined : { ...message, entries };
  }

  #rejected(rejection: Rejection & { readonly from?: NodeId }): void {
    const loop = this.#loop;
    const counts = loop.metrics.rejected;
    counts[rejection.reason] = (counts[rejection.reason] ?? 0) + 1;
    loop.events.emit('messageRejected', rejection, loop.listenerError);
    if (rejection.reason === 'auth') this.#authFailed(rejection.from);
  }

  /**
   * Authentication failures come in bursts when peers use another cluster secret: after
   * `AUTH_FAILURES_REPORTED` of them in a row without an authenticated message in between,
   * say so plainly (once per burst).
   */
  #authFailed(from: NodeId | undefined): void {
    this.#authFailures++;
    if (from !== undefined && this.#authFailedFrom.size < 8) this.#authFailedFrom.add(from);
    if (this.#authFailures !== AUTH_FAILURES_REPORTED) return;
    this.#loop.emitError(new SecretMismatchError(this.#authFailures, [...this.#authFailedFrom].sort()));
  }

  /** The transport's own connection changed: kept for `status()`, told as an event, and fatal once it gave up. */
  #transportChanged(status: TransportStatus): void {
    const loop = this.#loop;
    const previous = loop.transportStatus;
    loop.transportStatus = status;
    loop.events.emit('transportStatus', status, loop.listenerError);
    if (status.state === 'failed') {
      const error = status.error ?? new Error('the transport gave up');
      loop.fail(new TransportFailedError(`node ${loop.id}: the transport gave up: ${error.message}`, { cause: error }));
    } else if (status.error !== undefined && (previous?.state !== status.state || previous.error?.message !== status.error.message)) {
      loop.emitError(status.error);
    }
  }
}
