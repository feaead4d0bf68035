// Several processes' Prometheus text served as one /metrics (vpop up's ops port): each
// metric family appears once, with one HELP and TYPE, and the samples of every process
// under it. Plain concatenation would repeat families every Node process has
// (process_cpu_seconds_total, ...), which Prometheus rejects as a second TYPE line.

interface Family {
  comments: string[];
  samples: string[];
}

/** Family name of a sample line: the metric name, less a histogram/summary suffix when that family was declared. */
function familyOf(sampleName: string, declared: ReadonlySet<string>): string {
  if (declared.has(sampleName)) return sampleName;
  for (const suffix of ['_bucket', '_sum', '_count', '_total', '_created']) {
    if (sampleName.endsWith(suffix) && declared.has(sampleName.slice(0, -suffix.length))) return sampleName.slice(0, -suffix.length);
  }
  return sampleName;
}

function sampleName(line: string): string {
  let end = 0;
  while (end < line.length && line[end] !== '{' && line[end] !== ' ' && line[end] !== '\t') end++;
  return line.slice(0, end);
}

/** One exposition text holding every family of `texts` once, in order of first appearance. */
export function mergeExpositions(texts: readonly string[]): string {
  const families = new Map<string, Family>();
  const familyNamed = (name: string): Family => {
    let family = families.get(name);
    if (!family) {
      family = { comments: [], samples: [] };
      families.set(name, family);
    }
    return family;
  };
  for (const text of texts) {
    const declared = new Set<string>();
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const comment = /^#\s*(HELP|TYPE)\s+(\S+)/.exec(line);
      if (comment) {
        const name = comment[2]!;
        declared.add(name);
        const family = familyNamed(name);
        if (!family.comments.some((seen) => seen.startsWith(`# ${comment[1]!} `))) family.comments.push(line);
        continue;
      }
      if (line.startsWith('#')) continue;
      familyNamed(familyOf(sampleName(line), declared)).samples.push(line);
    }
  }
  let out = '';
  for (const family of families.values()) {
    for (const line of [...family.comments, ...family.samples]) out += `${line}\n`;
  }
  return out;
}
