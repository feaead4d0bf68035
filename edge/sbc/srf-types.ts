// The parts of drachtio-srf's request and response the SBC uses. drachtio-srf's bundled
// typings miss several of them (source_address, protocol, has), so the SBC reads
// requests through this narrower, accurate view.

export interface SbcRequest {
  method: string;
  uri: string;
  body: string;
  /** User part of the Request-URI (srf's getter). */
  calledNumber: string;
  /** User part of P-Asserted-Identity or From (srf's getter). */
  callingNumber: string;
  /** Source of the request as the engine reports it. */
  source_address: string;
  source_port: number | string;
  /** udp, tcp or tls. */
  protocol: string;
  /** The engine's listener the request arrived on, `address:port` (drachtio's receivedOn). */
  receivedOn?: string;
  get(name: string): string | undefined;
  has(name: string): boolean;
  getParsedHeader(name: string): unknown;
  on(event: 'cancel', listener: () => void): void;
}

export interface SbcResponse {
  finalResponseSent?: boolean;
  /** drachtio-srf emits 'end' once a final response has been sent. */
  once(event: 'end', listener: (final: { status: number; reason?: string }) => void): void;
  send(status: number, reason?: string | Record<string, unknown>, opts?: Record<string, unknown>): void;
}

export type Next = (error?: unknown) => void;
export type SbcMiddleware = (req: SbcRequest, res: SbcResponse, next: Next) => void;

/** A drachtio-srf SIP dialog as the SBC drives it. */
export interface SbcDialog {
  /** The engine's id of this dialog (drachtio's stackDialogId). */
  id: string;
  sip: { callId: string; localTag: string; remoteTag: string };
  local: { sdp: string };
  remote: { sdp: string };
  /** `reason` is the Reason text of a BYE the engine generated (e.g. "Session timer expired"). */
  on(event: 'destroy', listener: (req?: SbcRequest, reason?: string) => void): SbcDialog;
  on(event: 'modify' | 'update', listener: (req: SbcRequest, res: SbcResponse) => void): SbcDialog;
  destroy(opts?: Record<string, unknown>): Promise<unknown>;
  modify(sdp: string): Promise<string>;
  request(opts: { method: string; body?: string; headers?: Record<string, string> }): Promise<{ status: number; body?: string }>;
}

export interface SbcSipResponse {
  status: number;
  body?: string;
  getParsedHeader(name: 'To'): { params?: Record<string, string> };
  get(name: string): string | undefined;
}

/** The drachtio-srf calls the SBC makes. */
export interface SbcSrf {
  createB2BUA(req: SbcRequest, res: SbcResponse, uri: string, opts: Record<string, unknown>,
    progress?: Record<string, (...args: never[]) => void>): Promise<{ uas: SbcDialog; uac: SbcDialog }>;
  createUAC(uri: string, opts: Record<string, unknown>, progress?: Record<string, (...args: never[]) => void>): Promise<SbcDialog>;
  request(uri: string, opts: Record<string, unknown>): Promise<unknown>;
}
