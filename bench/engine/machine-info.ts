import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

/** What docs/benchmarks.md records next to every figure. */
export interface MachineInfo {
  date: string;
  cores: number;
  cpuModel: string;
  ramGiB: number;
  node: string;
  /** 1, 5 and 15 minute load averages when the figure was taken (the machine is shared). */
  loadAverage: [number, number, number];
}

export function machineInfo(): MachineInfo {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return {
    date: new Date().toISOString(),
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAverage: [one, five, fifteen].map((value) => Math.round(value * 100) / 100) as [number, number, number],
  };
}

export function describeMachine(info: MachineInfo): string {
  return `${info.date}: ${info.cores} cores, ${info.cpuModel}, ${info.ramGiB} GiB RAM, Node ${info.node}, load average ${info.loadAverage.join(' ')}`;
}
