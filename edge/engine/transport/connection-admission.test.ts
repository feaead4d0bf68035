import { describe, expect, it } from 'vitest';
import { ConnectionAdmission } from './connection-admission.js';

describe('ConnectionAdmission', () => {
  it('caps connections per address and frees a slot on release', () => {
    const admission = new ConnectionAdmission(100, 2);
    expect(admission.admit('127.0.0.2')).toBeUndefined();
    expect(admission.admit('127.0.0.2')).toBeUndefined();
    expect(admission.admit('127.0.0.2')).toBe('max-connections-per-address');
    expect(admission.admit('127.0.0.3')).toBeUndefined();
    admission.release('127.0.0.2');
    expect(admission.countFrom('127.0.0.2')).toBe(1);
    expect(admission.admit('127.0.0.2')).toBeUndefined();
    expect(admission.count).toBe(3);
  });

  it('caps the total across addresses', () => {
    const admission = new ConnectionAdmission(2, 10);
    expect(admission.admit('a')).toBeUndefined();
    expect(admission.admit('b')).toBeUndefined();
    expect(admission.admit('c')).toBe('max-connections');
    admission.release('a');
    expect(admission.admit('c')).toBeUndefined();
  });

  it('ignores a release for an address it never admitted', () => {
    const admission = new ConnectionAdmission(1, 1);
    admission.release('nobody');
    expect(admission.count).toBe(0);
    expect(admission.admit('a')).toBeUndefined();
  });
});
