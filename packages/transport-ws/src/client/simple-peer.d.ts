// The subset of @thaunknown/simple-peer (lite build: data channels only) the mesh uses.
declare module '@thaunknown/simple-peer/lite.js' {
  export interface SimplePeerOptions {
    initiator?: boolean;
    config?: { iceServers?: readonly { urls: string | string[]; username?: string; credential?: string }[] };
    channelName?: string;
    trickle?: boolean;
    wrtc?: object;
  }
  export default class SimplePeer {
    constructor(options?: SimplePeerOptions);
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
}
