// The ng commands the IVR and recorder send to rtpengine (play/stop media, block/unblock
// media and DTMF, start/stop recording, query), each resent when rtpengine does not answer
// in time, as the anchor does: every one of them is safe to repeat.
import { Client, type NgResponse } from 'rtpengine-client';

export type NgMediaCommand =
  | 'playMedia' | 'stopMedia' | 'blockMedia' | 'unblockMedia' | 'blockDTMF' | 'unblockDTMF' | 'startRecording' | 'stopRecording' | 'query';

export class NgCommandError extends Error {
  constructor(readonly command: string, readonly reason: string) {
    super(`rtpengine ${command} failed: ${reason}`);
    this.name = 'NgCommandError';
  }
}

const ATTEMPTS = 3;

export class NgMediaCommands {
  private readonly client: Client;
  private readonly target: { host: string; port: number };

  constructor(options: { ngAddress: string; ngPort: number; timeoutMs?: number }) {
    this.client = new Client({
      timeout: Math.ceil((options.timeoutMs ?? 1500) / ATTEMPTS),
      ...(options.ngAddress.startsWith('127.') ? { localAddress: '127.0.0.1' } : {}),
    });
    this.client.on('error', () => {});
    this.target = { host: options.ngAddress, port: options.ngPort };
  }

  async send(command: NgMediaCommand, params: Record<string, unknown>): Promise<NgResponse> {
    let response: NgResponse | undefined;
    for (let attempt = 1; response === undefined; attempt++) {
      try {
        response = await this.client[command](this.target, params);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (!/timeout/i.test(reason) || attempt >= ATTEMPTS) throw new NgCommandError(command, reason);
      }
    }
    if (response.result !== 'ok') throw new NgCommandError(command, response['error-reason'] ?? `result ${String(response.result)}`);
    return response;
  }

  close(): void {
    this.client.close();
  }
}
