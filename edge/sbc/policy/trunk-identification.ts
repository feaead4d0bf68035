// Which trunk a request comes from: the first trunk whose allow-list holds the source
// address and, on a mutual-TLS trunk, whose client certificate matches. Pure.
import { AllowList } from '../../engine/allow-list/allow-list.js';
import type { TrunkConfig } from '../../../platform/config/pop-schema.js';

/** The verified client certificate of the TLS connection a request came on. */
export interface ClientCertificateIdentity {
  /** SHA-256 fingerprint, colon-separated hex (any case). */
  fingerprintSha256?: string;
  /** Subject common name. */
  subject?: string;
}

export interface RequestSource {
  address: string;
  /** udp, tcp or tls as the engine reports it. */
  protocol: string;
  clientCertificate?: ClientCertificateIdentity;
}

export type TrunkIdentification =
  | { kind: 'trunk'; trunk: TrunkConfig }
  /** The address is a trunk's, but its certificate is missing or wrong. */
  | { kind: 'certificate-mismatch'; trunkName: string }
  | { kind: 'unknown-source' };

export class TrunkDirectory {
  private readonly entries: { trunk: TrunkConfig; allow: AllowList }[];

  constructor(trunks: readonly TrunkConfig[]) {
    this.entries = trunks.map((trunk) => ({ trunk, allow: new AllowList(trunk.allow) }));
  }

  get trunks(): TrunkConfig[] {
    return this.entries.map((entry) => entry.trunk);
  }

  byName(name: string): TrunkConfig | undefined {
    return this.entries.find((entry) => entry.trunk.name === name)?.trunk;
  }

  identify(source: RequestSource): TrunkIdentification {
    let mismatch: string | undefined;
    for (const { trunk, allow } of this.entries) {
      if (!allow.allows(source.address)) continue;
      if (trunk.clientCert === undefined) return { kind: 'trunk', trunk };
      if (certificateMatches(trunk.clientCert, source.clientCertificate)) return { kind: 'trunk', trunk };
      mismatch ??= trunk.name;
    }
    return mismatch !== undefined ? { kind: 'certificate-mismatch', trunkName: mismatch } : { kind: 'unknown-source' };
  }
}

/** Every field the trunk names must match; a trunk naming none never matches. */
export function certificateMatches(
  expected: NonNullable<TrunkConfig['clientCert']>, presented: ClientCertificateIdentity | undefined,
): boolean {
  if (presented === undefined) return false;
  if (expected.fingerprintSha256 === undefined && expected.subject === undefined) return false;
  if (expected.fingerprintSha256 !== undefined
    && expected.fingerprintSha256.toUpperCase() !== presented.fingerprintSha256?.toUpperCase()) return false;
  if (expected.subject !== undefined && expected.subject !== presented.subject) return false;
  return true;
}
