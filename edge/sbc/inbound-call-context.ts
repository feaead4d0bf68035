// What the policy chain learned about an inbound INVITE (its trunk, its admission),
// kept beside the request object for the steps after it and the call session.
import type { TrunkConfig } from '../../platform/config/pop-schema.js';
import type { SbcRequest } from './srf-types.js';

export interface InboundCallContext {
  trunk: TrunkConfig;
  /** Releases the trunk's concurrent-call slot; set once the call is admitted. */
  releaseAdmission?: () => void;
}

const contexts = new WeakMap<SbcRequest, InboundCallContext>();

export function setInboundCallContext(req: SbcRequest, context: InboundCallContext): void {
  contexts.set(req, context);
}

export function inboundCallContext(req: SbcRequest): InboundCallContext {
  const context = contexts.get(req);
  // The chain orders identify-trunk first, so a missing context is a wiring error.
  if (!context) throw new Error('no trunk identified for this request: identify-trunk must run first');
  return context;
}

/** The context when the chain identified a trunk, else undefined (refused before, or from the core). */
export function findInboundCallContext(req: SbcRequest): InboundCallContext | undefined {
  return contexts.get(req);
}
