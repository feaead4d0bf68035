// A caller and an agent (RtpParty peers) anchored on a real rtpengine with offer/answer,
// as the edge and core would anchor them, each sending its own tone.
import { randomUUID } from 'node:crypto';
import { RtpengineAnchor } from '../session/rtpengine-anchor.js';
import type { MediaSideProfile } from '../session/media-anchor.js';
import type { MediaCall } from '../call-media/call-media.js';
import { RtpParty, type RtpPartyOptions } from './rtp-party.js';
import { rtpSdp } from './sample-sdp.js';

export interface TwoPartyCall {
  call: MediaCall;
  caller: RtpParty;
  agent: RtpParty;
  /** Deletes the call in rtpengine and closes both peers. */
  end(): Promise<void>;
}

const PLAIN: MediaSideProfile = { security: 'rtp', srtpSuites: [], codecs: ['PCMU', 'telephone-event'] };

function audioPort(sdp: string): number {
  const match = /^m=audio (\d+) /m.exec(sdp);
  if (!match) throw new Error(`no audio port in SDP:\n${sdp}`);
  return Number(match[1]);
}

export async function startTwoPartyCall(
  ng: { ngAddress: string; ngPort: number }, tones: { caller: number; agent: number }, parties: { address?: string } & RtpPartyOptions = {},
): Promise<TwoPartyCall> {
  const anchor = new RtpengineAnchor({ ngAddress: ng.ngAddress, ngPort: ng.ngPort });
  const address = parties.address ?? '127.0.0.1';
  const caller = await RtpParty.bind(address, parties);
  const agent = await RtpParty.bind(address, parties);
  const call: MediaCall = { callId: `media-test-${randomUUID()}@127.0.0.1`, tags: { caller: `c-${randomUUID().slice(0, 8)}`, agent: `a-${randomUUID().slice(0, 8)}` } };
  const offered = await anchor.offer({ callId: call.callId, fromTag: call.tags.caller!, sdp: rtpSdp(address, caller.port, '0 101'), toward: PLAIN });
  const answered = await anchor.answer({
    callId: call.callId, fromTag: call.tags.caller!, toTag: call.tags.agent!, sdp: rtpSdp(address, agent.port, '0 101'), toward: PLAIN,
  });
  // The offer rewritten for the agent names the port the agent sends to; the answer, the caller's.
  caller.start({ address: '127.0.0.1', port: audioPort(answered) }, tones.caller);
  agent.start({ address: '127.0.0.1', port: audioPort(offered) }, tones.agent);
  return {
    call, caller, agent,
    end: async () => {
      caller.stop();
      agent.stop();
      await anchor.delete({ callId: call.callId });
      anchor.close();
      await caller.close();
      await agent.close();
    },
  };
}
