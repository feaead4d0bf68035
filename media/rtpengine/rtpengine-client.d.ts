// Types for the parts of npm rtpengine-client 0.4 that VPOP uses (the package ships none).
declare module 'rtpengine-client' {
  import type { EventEmitter } from 'node:events';

  export interface ClientOptions {
    localAddress?: string;
    localPort?: number;
    /** Per-command timeout in ms; the promise rejects with RtpEngineError on expiry. */
    timeout?: number;
    rejectOnError?: boolean;
  }

  export interface Destination {
    host: string;
    port: number;
  }

  export type NgResponse = Record<string, unknown> & { result?: string; 'error-reason'?: string };

  /** ng protocol over UDP; one method per ng command, e.g. ping, offer, answer, delete. */
  export class Client extends EventEmitter {
    constructor(options?: ClientOptions);
    ping(destination: Destination, options?: Record<string, unknown>): Promise<NgResponse>;
    offer(destination: Destination, options: Record<string, unknown>): Promise<NgResponse>;
    answer(destination: Destination, options: Record<string, unknown>): Promise<NgResponse>;
    delete(destination: Destination, options: Record<string, unknown>): Promise<NgResponse>;
    query(destination: Destination, options: Record<string, unknown>): Promise<NgResponse>;
    list(destination: Destination, options?: Record<string, unknown>): Promise<NgResponse>;
    statistics(destination: Destination, options?: Record<string, unknown>): Promise<NgResponse>;
    playMedia(destination: Destination, options: Record<string, unknown>): Promise<NgResponse>;
    stopMedia(destination: Destination, options: Record<string, unknown>): Promise<NgResponse>;
    blockMedia(destination: Destination, options: Record<string, unknown>): Promise<NgResponse>;
    unblockMedia(destination: Destination, options: Record<string, unknown>): Promise<NgResponse>;
    blockDTMF(destination: Destination, options: Record<string, unknown>): Promise<NgResponse>;
    unblockDTMF(destination: Destination, options: Record<string, unknown>): Promise<NgResponse>;
    startRecording(destination: Destination, options: Record<string, unknown>): Promise<NgResponse>;
    stopRecording(destination: Destination, options: Record<string, unknown>): Promise<NgResponse>;
    close(): void;
  }

  export class RtpEngineError extends Error {}
}
