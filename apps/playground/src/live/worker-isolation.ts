/// <reference lib="webworker" />
/**
 * Side effect, first thing in the live page's store Worker: replaces the Worker's
 * BroadcastChannel with the isolating one (isolation.ts) and listens for the page's switch.
 */
import { isolatingChannel, isolationChannel, type IsolationControl } from './isolation.ts';

const scope = globalThis as unknown as DedicatedWorkerGlobalScope;
const { Channel, setIsolated } = isolatingChannel(BroadcastChannel);
const control = new BroadcastChannel(isolationChannel(scope.name));
control.onmessage = (event: MessageEvent<IsolationControl>) => setIsolated(event.data?.isolated === true);
Object.assign(scope, { BroadcastChannel: Channel });
