import { describe, expect, it } from 'vitest';
import { SipHeaders, SipRequest, SipResponse } from '../messages/sip-message.js';
import { Dialog, DialogState, drachtioDialogId } from './dialog.js';
import { DialogTable } from './dialog-table.js';
import { uacDialogFields, uacDialogSeed, uasDialogFields } from './dialog-state-from-messages.js';

const request = new SipRequest('INVITE', 'sip:bob@127.0.0.1', new SipHeaders([
  { name: 'Via', value: 'SIP/2.0/UDP 127.0.0.2;branch=z9hG4bK1' },
  { name: 'Record-Route', value: '<sip:p1.example;lr>, <sip:p2.example;lr>' },
  { name: 'Record-Route', value: '<sip:p3.example;lr>' },
  { name: 'From', value: '"Alice" <sip:alice@127.0.0.2>;tag=a1' },
  { name: 'To', value: '<sip:bob@127.0.0.1>' },
  { name: 'Call-ID', value: 'c1' },
  { name: 'CSeq', value: '42 INVITE' },
  { name: 'Contact', value: '<sip:alice@127.0.0.2:5070;transport=tcp>' },
]));

function response(extra: [string, string][] = []): SipResponse {
  const headers = new SipHeaders([
    { name: 'From', value: '"Alice" <sip:alice@127.0.0.2>;tag=a1' },
    { name: 'To', value: '<sip:bob@127.0.0.1>;tag=b2' },
    { name: 'Call-ID', value: 'c1' },
    { name: 'CSeq', value: '42 INVITE' },
  ]);
  for (const [name, value] of extra) headers.append(name, value);
  return new SipResponse(200, 'OK', headers);
}

describe('dialog state from messages (RFC 3261 §12.1)', () => {
  it('UAS: remote target from the request Contact, route set in Record-Route order, remote CSeq', () => {
    const fields = uasDialogFields(request, response())!;
    expect(fields).toMatchObject({
      callId: 'c1', localTag: 'b2', remoteTag: 'a1', remoteTarget: 'sip:alice@127.0.0.2:5070;transport=tcp',
      routeSet: ['<sip:p1.example;lr>', '<sip:p2.example;lr>', '<sip:p3.example;lr>'], remoteSeq: 42,
    });
  });

  it('UAC: remote target from the response Contact, route set reversed, local CSeq', () => {
    const fields = uacDialogFields(request, response([
      ['Record-Route', '<sip:p3.example;lr>, <sip:p2.example;lr>'], ['Record-Route', '<sip:p1.example;lr>'], ['Contact', '<sip:bob@127.0.0.9>'],
    ]))!;
    expect(fields).toMatchObject({
      localTag: 'a1', remoteTag: 'b2', remoteTarget: 'sip:bob@127.0.0.9', localSeq: 42,
      routeSet: ['<sip:p1.example;lr>', '<sip:p2.example;lr>', '<sip:p3.example;lr>'],
    });
  });

  it('needs tags on both sides', () => {
    const noTag = new SipResponse(180, 'Ringing', new SipHeaders([{ name: 'To', value: '<sip:bob@127.0.0.1>' }]));
    expect(uacDialogFields(request, noTag)).toBeUndefined();
  });
});

function dialog(role: 'uac' | 'uas', localTag: string, remoteTag: string): Dialog<string> {
  return new Dialog<string>({
    role, state: DialogState.Early, callId: 'c1', localTag, remoteTag, localUri: '', remoteUri: '', localSeq: 1, remoteSeq: undefined,
    remoteTarget: 'sip:x@127.0.0.1', routeSet: [], localContact: '', flow: { transport: 'udp', address: '127.0.0.1', port: 5060 }, owner: 'app',
  });
}

describe('dialogs and the dialog table', () => {
  it('names dialogs as drachtio-server does: Call-ID;from-tag=<tag of the From header>', () => {
    expect(dialog('uas', 'ours', 'theirs').id).toBe(drachtioDialogId('c1', 'theirs'));
    expect(dialog('uac', 'ours', 'theirs').id).toBe('c1;from-tag=ours');
  });

  it('rejects out-of-order remote CSeq and counts local CSeq up', () => {
    const d = dialog('uas', 'l', 'r');
    expect(d.acceptRemoteSeq(5)).toBe(true);
    expect(d.acceptRemoteSeq(5)).toBe(false);
    expect(d.acceptRemoteSeq(6)).toBe(true);
    expect(d.nextLocalSeq()).toBe(2);
  });

  it('keeps forked early dialogs under one drachtio id and falls back when one ends', () => {
    const table = new DialogTable<string>();
    const sizes: number[] = [];
    table.onSizeChange = (size) => sizes.push(size);
    const first = dialog('uac', 'l', 'r1');
    const second = dialog('uac', 'l', 'r2');
    table.add(first);
    table.add(second);
    expect(table.findById(first.id)).toBe(second);
    expect(table.allWithId(first.id)).toHaveLength(2);
    expect(table.find('c1', 'l', 'r1')).toBe(first);
    table.remove(second);
    expect(table.findById(first.id)).toBe(first);
    table.remove(first);
    table.remove(first);
    expect(table.size).toBe(0);
    expect(table.findById(first.id)).toBeUndefined();
    expect(first.state).toBe(DialogState.Terminated);
    expect(sizes).toEqual([1, 2, 1, 0, 0]);
  });
});

describe('uacDialogSeed', () => {
  it('keeps the headers a UAC dialog is built from and drops the rest and the body', () => {
    const headers = new SipHeaders();
    headers.append('Via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKseed');
    headers.append('From', '<sip:alice@127.0.0.1>;tag=a1');
    headers.append('To', '<sip:bob@127.0.0.1>');
    headers.append('Call-ID', 'seed-1');
    headers.append('CSeq', '7 INVITE');
    headers.append('Contact', '<sip:alice@127.0.0.1:5060>');
    headers.append('Content-Type', 'application/sdp');
    const invite = new SipRequest('INVITE', 'sip:bob@127.0.0.1', headers, Buffer.from('v=0\r\n'));
    const seed = uacDialogSeed(invite);
    expect([...seed.headers].map((field) => field.name)).toEqual(['Call-ID', 'From', 'To', 'CSeq', 'Contact']);
    expect(seed.body.length).toBe(0);
    const okHeaders = new SipHeaders();
    okHeaders.append('From', '<sip:alice@127.0.0.1>;tag=a1');
    okHeaders.append('To', '<sip:bob@127.0.0.1>;tag=b2');
    okHeaders.append('Call-ID', 'seed-1');
    okHeaders.append('CSeq', '7 INVITE');
    okHeaders.append('Contact', '<sip:bob@127.0.0.1:5070>');
    const ok = new SipResponse(200, 'OK', okHeaders);
    expect(uacDialogFields(seed, ok)).toEqual(uacDialogFields(invite, ok));
  });
});
