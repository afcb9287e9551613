/**
 * WebRTC outside browsers. simple-peer writes to `offer.sdp` before sending it; the
 * node-datachannel polyfill returns read-only session descriptions, so its peer connection
 * is wrapped to hand out plain `{ type, sdp }` objects instead.
 */

/** The globals simple-peer needs from a WebRTC implementation. */
export interface WrtcLike {
  readonly RTCPeerConnection: new (...args: never[]) => object;
  readonly RTCSessionDescription: unknown;
  readonly RTCIceCandidate: unknown;
}

type Describing = { createOffer(...a: unknown[]): Promise<Description>; createAnswer(...a: unknown[]): Promise<Description> };
type Description = { type: string; sdp?: string };

/** Adapts `node-datachannel/polyfill` (or a similar module) for the `wrtc` option: `adaptWrtc(await import('node-datachannel/polyfill'))`. */
export function adaptWrtc(polyfill: WrtcLike): WrtcLike {
  const Base = polyfill.RTCPeerConnection as unknown as new (...args: unknown[]) => Describing;
  class PlainDescriptionPeerConnection extends Base {
    override async createOffer(...args: unknown[]): Promise<Description> {
      const { type, sdp } = await super.createOffer(...args);
      return { type, sdp };
    }
    override async createAnswer(...args: unknown[]): Promise<Description> {
      const { type, sdp } = await super.createAnswer(...args);
      return { type, sdp };
    }
  }
  return {
    RTCPeerConnection: PlainDescriptionPeerConnection as unknown as WrtcLike['RTCPeerConnection'],
    RTCSessionDescription: polyfill.RTCSessionDescription,
    RTCIceCandidate: polyfill.RTCIceCandidate,
  };
}
