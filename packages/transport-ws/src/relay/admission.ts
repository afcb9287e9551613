/**
 * Admission on the Node relay: the upgrade request as `rooms/admission.ts` reads it, on every
 * runtime (the URL, the Origin header, the client's address).
 */
import type { IncomingMessage } from 'node:http';
import { admit as admitAttempt, type Admission, type AdmissionPolicy, type AdmissionRequestOf } from '../rooms/admission.ts';

export { requestPath, requestUrl, type Admission } from '../rooms/admission.ts';

/** What the `authorize` hook is shown about a connection attempt. */
export type AdmissionRequest = AdmissionRequestOf<IncomingMessage>;

export function admit(request: IncomingMessage, policy: AdmissionPolicy<IncomingMessage>): Promise<Admission> {
  return admitAttempt({ target: request.url, origin: request.headers.origin, remoteAddress: request.socket.remoteAddress, request }, policy);
}
