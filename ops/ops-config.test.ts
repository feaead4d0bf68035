// The monitoring files in ops/: promtool accepts the rules, their unit tests and the
// example config, and every metric a rule or dashboard names is one a running POP
// exposes (a real `vpop up` scraped through its ops port), so renames cannot leave
// alerts silently watching nothing.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exposedMetricNames, metricNamesInPromQl } from './promql-metric-names.js';
import { builtCli, requireBuiltCli } from '../test/support/built-cli.js';
import { exitOf } from '../test/support/child-exit.js';
import { freePort } from '../test/support/free-port.js';
import { plainTrunkPopYaml } from '../test/support/plain-trunk-pop.js';
import { waitForValue } from '../test/support/wait-until.js';

const prometheusDir = join(import.meta.dirname, 'prometheus');
const grafanaDir = join(import.meta.dirname, 'grafana');

function promtool(...args: string[]): string {
  return execFileSync('promtool', args, { cwd: prometheusDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface RuleFile {
  groups: Array<{ name: string; rules: Array<{ alert?: string; record?: string; expr: string }> }>;
}

function ruleExpressions(): Array<{ where: string; expr: string }> {
  return readdirSync(prometheusDir).filter((file) => file.endsWith('.rules.yml')).flatMap((file) => {
    const rules = parse(readFileSync(join(prometheusDir, file), 'utf8')) as RuleFile;
    return rules.groups.flatMap((group) => group.rules.map((rule) => ({ where: `${file} ${rule.alert ?? rule.record ?? '?'}`, expr: rule.expr })));
  });
}

interface Panel { title: string; targets?: Array<{ expr: string }>; panels?: Panel[] }

function dashboardExpressions(): Array<{ where: string; expr: string }> {
  return readdirSync(grafanaDir).filter((file) => file.endsWith('.json')).flatMap((file) => {
    const dashboard = JSON.parse(readFileSync(join(grafanaDir, file), 'utf8')) as {
      panels: Panel[]; templating: { list: Array<{ name: string; query?: unknown }> };
    };
    const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
    const fromPanels = panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `${file} "${panel.title}"`, expr: target.expr })));
    const fromVariables = dashboard.templating.list.flatMap((variable) => {
      const query = (variable.query as { query?: string } | undefined)?.query;
      const inner = query ? /^label_values\((.*),\s*\w+\)$/.exec(query)?.[1] : undefined;
      return inner ? [{ where: `${file} variable ${variable.name}`, expr: inner }] : [];
    });
    return [...fromPanels, ...fromVariables];
  });
}

describe('metricNamesInPromQl', () => {
  it('finds metric names and skips functions, labels, grouping, keywords and durations', () => {
    expect(metricNamesInPromQl('sum by (pop, trunk) (rate(vpop_sbc_call_failures_total{code!~"486|487"}[10m])) / ignoring (code) group_left sum by (pop) (rate(vpop_sbc_call_attempts_total[$__rate_interval])) > 0.2 and up == 1').sort())
      .toEqual(['up', 'vpop_sbc_call_attempts_total', 'vpop_sbc_call_failures_total']);
    expect(metricNamesInPromQl('vpop_tls_certificate_expiry_timestamp_seconds - time() < 14 * 86400')).toEqual(['vpop_tls_certificate_expiry_timestamp_seconds']);
  });

  it('reads every family an exposition declares, a histogram with its series', () => {
    const names = exposedMetricNames('# HELP a_seconds x\n# TYPE a_seconds histogram\nb_total{x="1"} 3\n# TYPE c gauge\n');
    expect([...names].sort()).toEqual(['a_seconds', 'a_seconds_bucket', 'a_seconds_count', 'a_seconds_sum', 'b_total', 'c']);
  });
});

describe('promtool', () => {
  it('accepts the rule files and every alert passes its unit test', () => {
    const ruleFiles = readdirSync(prometheusDir).filter((file) => file.endsWith('.rules.yml'));
    expect(ruleFiles.length).toBeGreaterThan(0);
    expect(promtool('check', 'rules', ...ruleFiles)).toContain('SUCCESS');
    const testFiles = readdirSync(prometheusDir).filter((file) => file.endsWith('.test.yml'));
    expect(promtool('test', 'rules', ...testFiles)).toContain('SUCCESS');
  });

  it('every alert has a unit test and a section in docs/alerts.md', () => {
    const tests = readdirSync(prometheusDir).filter((file) => file.endsWith('.test.yml'))
      .map((file) => readFileSync(join(prometheusDir, file), 'utf8')).join('\n');
    const docs = readFileSync(join(import.meta.dirname, '../docs/alerts.md'), 'utf8');
    const alerts = ruleExpressions().map(({ where }) => where.split(' ')[1] as string);
    for (const alert of alerts) {
      expect(tests, alert).toMatch(new RegExp(`alertname: ${alert}\\n`));
      expect(docs, alert).toContain(`### ${alert}`);
    }
  });

  it('accepts the example Prometheus config that scrapes the nyc1 pair', () => {
    const output = promtool('check', 'config', 'prometheus.yml');
    expect(output).toContain('prometheus.yml is valid');
    expect(readFileSync(join(prometheusDir, 'prometheus.yml'), 'utf8')).toMatch(/198\.51\.100\.10:9090[\s\S]*198\.51\.100\.11:9090/);
  });
});

describe('metric names in rules and dashboards, against a running POP', () => {
  let dir: string;
  let pop: ChildProcess | undefined;
  let exposed: Set<string>;

  beforeAll(async () => {
    requireBuiltCli(['cli/commands/up.js']);
    dir = mkdtempSync(join(tmpdir(), 'vpop-ops-names-'));
    const ports = {
      sip: await freePort(), control: await freePort(), ng: await freePort(), http: await freePort(), ops: await freePort(),
      core: await freePort(), coreListener: await freePort(), engineMetrics: await freePort(), sbcMetrics: await freePort(), mediaMin: 0, mediaMax: 0,
    };
    ports.mediaMin = await freePort();
    ports.mediaMax = Math.min(65535, ports.mediaMin + 10);
    const tlsPort = await freePort();
    // The loopback POP plus a TLS listener (certificate expiry series) and a trunk gateway (gateway state).
    const yaml = plainTrunkPopYaml({
      popId: 'names-a', ports, stateDir: join(dir, 'state'), maxConcurrentCalls: 5, callsPerSecond: 5, rtpengineThreads: 1, logLevel: 'warn',
    })
      .replace(/( {4}- \{ name: udp, transport: udp, address: 127\.0\.0\.1, port: \d+ \}\n)/,
        `$1    - { name: tls, transport: tls, address: 127.0.0.1, port: ${tlsPort} }\n`)
      .replace('    callsPerSecond: 5\n', '    callsPerSecond: 5\n    gateways:\n      - { uri: "sip:127.0.0.4:5060" }\n')
      .replace('rtpengine:\n', `tls: { certFile: ${join(dir, 'state/pop.crt')}, keyFile: ${join(dir, 'state/pop.key')}, generateIfMissing: true }\nrtpengine:\n`);
    const popFile = join(dir, 'names-a.yaml');
    writeFileSync(popFile, yaml);
    pop = spawn(process.execPath, [builtCli, 'up', '--pop', popFile], { stdio: ['ignore', 'ignore', 'inherit'] });
    const url = `http://127.0.0.1:${ports.ops}/metrics`;
    // The engine's and the SBC's families join the ops endpoint once those processes serve them.
    const text = await waitForValue(async () => {
      const body = await fetch(url).then((response) => response.text(), () => '');
      return ['# TYPE vpop_sbc_', '# TYPE vpop_engine_', '# TYPE rtpengine_', 'vpop_tls_certificate_expiry_timestamp_seconds{'].every((part) => body.includes(part)) ? body : undefined;
    }, 'the POP\'s /metrics to carry the supervisor, engine, SBC and rtpengine families', { timeoutMs: 45_000, intervalMs: 250 });
    exposed = exposedMetricNames(text);
  });

  afterAll(async () => {
    if (pop?.pid !== undefined && pop.exitCode === null) {
      pop.kill('SIGTERM');
      await exitOf(pop);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every alert rule names only metrics the POP exposes', () => {
    const missing = ruleExpressions().flatMap(({ where, expr }) => {
      const names = metricNamesInPromQl(expr);
      expect(names.length, where).toBeGreaterThan(0);
      return names.filter((name) => !exposed.has(name)).map((name) => `${where}: ${name}`);
    });
    expect(missing).toEqual([]);
  });

  it('every dashboard query names only metrics the POP exposes', () => {
    const expressions = dashboardExpressions();
    expect(expressions.length).toBeGreaterThan(10);
    const missing = expressions.flatMap(({ where, expr }) => {
      const names = metricNamesInPromQl(expr);
      expect(names.length, where).toBeGreaterThan(0);
      return names.filter((name) => !exposed.has(name)).map((name) => `${where}: ${name}`);
    });
    expect(missing).toEqual([]);
  });
});
