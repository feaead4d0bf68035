// What a call session needs to carry one call, decided before it starts: which way it
// goes, where the B leg is sent, each side's media profile, and the headers the B leg
// carries. Inbound (carrier -> core) and outbound (core -> phone or carrier) plans
// differ only in these facts.
import type { MediaSideProfile } from '../../../media/session/media-anchor.js';

export interface CallPlan {
  direction: 'inbound' | 'outbound';
  /** Trunk name, or "phones" for agents' phones: the label in metrics and CDRs. */
  route: string;
  targetUri: string;
  /** Where to send the B leg next when targetUri fails (a trunk's other gateways, in order). */
  fallbackUris?: readonly string[];
  profiles: { caller: MediaSideProfile; callee: MediaSideProfile };
  headers: Record<string, string>;
  dialledNumber: string;
  caller: string;
  /** Gives back whatever admission the call held (a trunk slot); called once. */
  release(): void;
}
