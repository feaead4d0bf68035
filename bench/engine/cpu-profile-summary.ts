import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';

/**
 * Where a process spent its CPU, from a V8 .cpuprofile (`node --cpu-prof`): self time per
 * function, heaviest first. Idle time is left out of the percentages, so they read as
 * shares of the time the process was actually busy.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

export interface FunctionSelfTime {
  /** "name (file:line)", with paths relative to the working directory. */
  function: string;
  selfMs: number;
  /** Share of busy (non-idle) time. */
  percent: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  top: FunctionSelfTime[];
  /** Self time per source file ("(native)" for V8/Node internals without a script), heaviest first. */
  topFiles: FunctionSelfTime[];
}

function frameLabel(frame: CallFrame, cwd: string): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const path = frame.url.startsWith('file://') ? relative(cwd, new URL(frame.url).pathname) : frame.url;
  // V8 line numbers are zero-based.
  return `${name} (${path}:${frame.lineNumber + 1})`;
}

function fileLabel(frame: CallFrame, cwd: string): string {
  if (!frame.url) return '(native)';
  return frame.url.startsWith('file://') ? relative(cwd, new URL(frame.url).pathname) : frame.url;
}

/** Self time per function; each sample's time delta is charged to the node it landed in. */
export function summarizeProfile(profile: CpuProfile, topCount: number, cwd = process.cwd()): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByLabel = new Map<string, number>();
  const selfByFile = new Map<string, number>();
  let idleMs = 0;
  let busyMs = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]!);
    const ms = Math.max(0, deltas[i] ?? 0) / 1000;
    if (!node) continue;
    if (node.callFrame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    const label = frameLabel(node.callFrame, cwd);
    selfByLabel.set(label, (selfByLabel.get(label) ?? 0) + ms);
    const file = fileLabel(node.callFrame, cwd);
    selfByFile.set(file, (selfByFile.get(file) ?? 0) + ms);
  }
  const heaviest = (totals: Map<string, number>): FunctionSelfTime[] => [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topCount)
    .map(([label, selfMs]) => ({ function: label, selfMs, percent: busyMs > 0 ? (selfMs / busyMs) * 100 : 0 }));
  return { busyMs, idleMs, top: heaviest(selfByLabel), topFiles: heaviest(selfByFile) };
}

export async function summarizeCpuProfile(file: string, topCount: number): Promise<ProfileSummary> {
  return summarizeProfile(JSON.parse(await readFile(file, 'utf8')) as CpuProfile, topCount);
}

export function formatProfileSummary(summary: ProfileSummary): string {
  const lines = [
    `busy ${(summary.busyMs / 1000).toFixed(1)} s, idle ${(summary.idleMs / 1000).toFixed(1)} s`,
    '| self ms | % of busy | function |',
    '| ---: | ---: | --- |',
    ...summary.top.map((entry) => `| ${entry.selfMs.toFixed(0)} | ${entry.percent.toFixed(1)} | ${entry.function} |`),
    '',
    '| self ms | % of busy | file |',
    '| ---: | ---: | --- |',
    ...summary.topFiles.map((entry) => `| ${entry.selfMs.toFixed(0)} | ${entry.percent.toFixed(1)} | ${entry.function} |`),
  ];
  return lines.join('\n');
}
