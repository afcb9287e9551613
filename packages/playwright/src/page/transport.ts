/**
 * Faults on a transport whose messages name their nodes (the WebSocket relay, WebRTC): the
 * sender's tab is looked up from the node id (the runner learns which tab carries which node
 * from the tabs' reports and hands the map out with the faults).
 */
import type { Message, Transport, TransportHandlers } from '@webraft/core';
import type { HookContext } from './context.ts';

export function faultTransport(inner: Transport, context: HookContext): Transport {
  context.announce(inner.id);
  return {
    get id() {
      return inner.id;
    },
    start(handlers: TransportHandlers) {
      return inner.start({
        ...handlers,
        message: (message: Message) => context.receive(context.tabOfNode(message.from), () => handlers.message(message)),
      });
    },
    // The receiving tab judges every message, one-way cuts included.
    send: (message: Message) => inner.send(message),
    close: () => inner.close(),
  };
}
