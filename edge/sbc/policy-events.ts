// What the policy chain reports to metrics and logs: one event per refused request.
export interface PolicyRejection {
  step: string;
  /** SIP status sent, or 'dropped' when nothing was sent. */
  outcome: number | 'dropped';
  trunk?: string;
  /** Source address and transport of the refused request. */
  source?: string;
  reason: string;
}

export type PolicyObserver = (rejection: PolicyRejection) => void;
