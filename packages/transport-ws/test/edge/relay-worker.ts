// The Worker the Durable Object relay tests serve with workerd: the relay as its README shows
// it, with its options from the environment (WEBRAFT_RELAY_* bindings).
import { createRelay } from '../../src/durable-object/index.ts';

const relay = createRelay();
export const RelayRoom = relay.RoomObject;
export default relay.worker;
