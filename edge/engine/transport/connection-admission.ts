// Admission control for inbound stream connections: a cap on the total and on
// connections from one source address, counted from accept (TLS handshakes in
// progress count too) until the socket closes.

export type AdmissionRefusal = 'max-connections' | 'max-connections-per-address';

export class ConnectionAdmission {
  private total = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerAddress: number,
  ) {}

  /** Admits and counts the connection, or says which limit refuses it. */
  admit(address: string): AdmissionRefusal | undefined {
    if (this.total >= this.maxTotal) return 'max-connections';
    const current = this.perAddress.get(address) ?? 0;
    if (current >= this.maxPerAddress) return 'max-connections-per-address';
    this.total++;
    this.perAddress.set(address, current + 1);
    return undefined;
  }

  release(address: string): void {
    const current = this.perAddress.get(address);
    if (current === undefined) return;
    this.total--;
    if (current <= 1) this.perAddress.delete(address);
    else this.perAddress.set(address, current - 1);
  }

  get count(): number {
    return this.total;
  }

  countFrom(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }
}
