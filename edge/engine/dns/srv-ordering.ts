// RFC 2782 ordering of SRV records: ascending priority, and within one priority a
// weighted random draw without replacement. The random source is injected so tests
// can make the draw deterministic.

export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/** Returns a number in [0, 1). */
export type RandomSource = () => number;

export function orderSrvRecords(records: readonly SrvRecord[], random: RandomSource = Math.random): SrvRecord[] {
  // RFC 2782: target "." means the service is decidedly not available here.
  const usable = records.filter((record) => record.name !== '' && record.name !== '.');
  const priorities = [...new Set(usable.map((record) => record.priority))].sort((a, b) => a - b);
  const ordered: SrvRecord[] = [];
  for (const priority of priorities) {
    // Zero-weight records go first so they keep a small chance of selection (RFC 2782);
    // the rest are sorted too, so the draw does not depend on the DNS answer's order.
    const group = usable
      .filter((record) => record.priority === priority)
      .sort((a, b) => a.weight - b.weight || a.name.localeCompare(b.name) || a.port - b.port);
    while (group.length > 0) {
      const total = group.reduce((sum, record) => sum + record.weight, 0);
      const draw = Math.min(total, Math.floor(random() * (total + 1)));
      let running = 0;
      let chosen = group.length - 1;
      for (let i = 0; i < group.length; i++) {
        running += group[i]!.weight;
        if (running >= draw) {
          chosen = i;
          break;
        }
      }
      ordered.push(group.splice(chosen, 1)[0]!);
    }
  }
  return ordered;
}
