// Adds constant labels to every sample of Prometheus text from elsewhere (rtpengine's
// /metrics), so its series carry the same pop/component labels as our own registry's.

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The exposition text with `labels` added to each sample line; comments are kept as they are. */
export function withConstantLabels(text: string, labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return text;
  const added = entries.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',');
  return text
    .split('\n')
    .map((line) => {
      if (line === '' || line.startsWith('#')) return line;
      // The metric name ends at '{' (labels follow) or at the first space (the value).
      let end = 0;
      while (end < line.length && line[end] !== '{' && line[end] !== ' ' && line[end] !== '\t') end++;
      if (end === line.length) return line; // not a sample line
      if (line[end] === '{') {
        const empty = line[end + 1] === '}';
        return `${line.slice(0, end + 1)}${added}${empty ? '' : ','}${line.slice(end + 1)}`;
      }
      return `${line.slice(0, end)}{${added}}${line.slice(end)}`;
    })
    .join('\n');
}
