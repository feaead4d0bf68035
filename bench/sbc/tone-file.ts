import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * Writes seconds of a sine tone as raw 8 kHz mu-law (G.711 PCMU, no header) with sox: what
 * SIPp's rtp_stream plays as payload type 0, 160 bytes a 20 ms packet.
 */
export async function writePcmuTone(path: string, seconds: number, frequencyHz = 440): Promise<void> {
  await promisify(execFile)('sox', ['-n', '-r', '8000', '-c', '1', '-t', 'ul', path, 'synth', String(seconds), 'sine', String(frequencyHz), 'vol', '0.5'], {
    timeout: 30_000,
  });
}
