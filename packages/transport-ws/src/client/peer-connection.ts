/**
 * The part of @thaunknown/simple-peer (lite build: data channels only) the mesh uses. simple-peer
 * ships no types; describing it here, rather than declaring its module, keeps the module's name
 * out of this package's published declarations, which a project type-checking its libraries
 * (`skipLibCheck: false`) could not resolve.
 */
export interface SimplePeerOptions {
  initiator?: boolean;
  config?: { iceServers?: readonly { urls: string | string[]; username?: string; credential?: string }[] };
  channelName?: string;
  trickle?: boolean;
  wrtc?: object;
}

export interface SimplePeer {
  readonly connected: boolean;
  readonly destroyed: boolean;
  readonly bufferSize: number;
  signal(data: unknown): void;
  send(data: Uint8Array): void;
  destroy(): void;
  on(event: 'signal', listener: (data: unknown) => void): this;
  on(event: 'connect' | 'close', listener: () => void): this;
  on(event: 'data', listener: (data: Uint8Array) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

export type SimplePeerConstructor = new (options?: SimplePeerOptions) => SimplePeer;

/**
 * Loads simple-peer on first use, so code that uses just the WebSocket transport (a Web Worker,
 * say, where its dependencies do not even load) never evaluates it.
 */
export async function loadSimplePeer(): Promise<SimplePeerConstructor> {
  return (await import('@thaunknown/simple-peer/lite.js')).default as SimplePeerConstructor;
}
