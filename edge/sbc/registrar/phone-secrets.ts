// What the registrar is given from the POP file: each phone's secret (its password, read
// through the one secret reader, or its HA1 hashes), and where its refusals are counted.
import { Counter, type Registry } from 'prom-client';
import { phonePasswords } from '../../../platform/config/pop-secrets.js';
import type { PopConfig } from '../../../platform/config/pop-schema.js';
import type { PhoneSecret } from './digest-auth.js';
import type { RegistrarObserver } from './registrar.js';

export function phoneSecrets(pop: PopConfig): Map<string, PhoneSecret> {
  const passwords = phonePasswords(pop);
  const secrets = new Map<string, PhoneSecret>();
  for (const credential of pop.phones?.credentials ?? []) {
    const password = passwords.get(credential.username);
    secrets.set(credential.username, password !== undefined ? { password, algorithms: credential.algorithms } : {
      ...(credential.ha1Sha256 !== undefined ? { ha1Sha256: credential.ha1Sha256 } : {}),
      ...(credential.ha1Md5 !== undefined ? { ha1Md5: credential.ha1Md5 } : {}),
      algorithms: credential.algorithms,
    });
  }
  return secrets;
}

/** vpop_sbc_registrar_auth_failures_total{reason} and vpop_sbc_registrar_blocks_total{kind}. */
export function registrarMetrics(registry: Registry): RegistrarObserver {
  const registers = [registry];
  const failures = new Counter({
    name: 'vpop_sbc_registrar_auth_failures_total', registers, labelNames: ['reason'],
    help: 'REGISTERs refused (403, or 401 stale for a replay) or dropped while blocked, by reason',
  });
  const blocks = new Counter({
    name: 'vpop_sbc_registrar_blocks_total', registers, labelNames: ['kind'],
    help: 'Source addresses (kind=source) and user names (kind=user) blocked after repeated failed REGISTERs',
  });
  for (const reason of ['wrong-response', 'unknown-user', 'uri-mismatch', 'replayed', 'user-mismatch', 'blocked']) failures.inc({ reason }, 0);
  for (const kind of ['source', 'user']) blocks.inc({ kind }, 0);
  return {
    refused: (reason) => failures.inc({ reason }),
    blocked: (kind) => blocks.inc({ kind }),
  };
}
