// Which SPECs --log-sink and config.yaml's log.sinks accept, and what a bad one does: a usage
// error (exit 3) naming the accepted forms, before any session starts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSinkSpec, SinkSpecError } from '../../src/sinks/spec.js';
import { BIN, makeWorld } from '../session/harness.js';

const world = makeWorld('sinks-spec');
afterAll(() => world.remove());

describe('sink SPECs', () => {
  it.each([
    ['file:/var/log/agentguard.jsonl', { kind: 'file', path: '/var/log/agentguard.jsonl' }],
    ['syslog', { kind: 'syslog', transport: 'local', socket: '/dev/log' }],
    ['syslog:/run/systemd/journal/syslog', { kind: 'syslog', transport: 'local', socket: '/run/systemd/journal/syslog' }],
    ['syslog+udp://logs.example.com', { kind: 'syslog', transport: 'udp', host: 'logs.example.com', port: 514 }],
    ['udp://10.0.0.5:5514', { kind: 'syslog', transport: 'udp', host: '10.0.0.5', port: 5514 }],
    ['syslog+tcp://logs.example.com', { kind: 'syslog', transport: 'tcp', host: 'logs.example.com', port: 601 }],
    ['tcp://[::1]:6514', { kind: 'syslog', transport: 'tcp', host: '::1', port: 6514 }],
    ['otlp-http://collector:4318', { kind: 'otlp', url: 'http://collector:4318/v1/logs' }],
    ['otlp-http://collector', { kind: 'otlp', url: 'http://collector:4318/v1/logs' }],
    ['otlp-http://collector:4318/v1/logs', { kind: 'otlp', url: 'http://collector:4318/v1/logs' }],
    ['otlp-https://ingest.example.com/otel', { kind: 'otlp', url: 'https://ingest.example.com:4318/otel/v1/logs' }],
  ])('%s', (spec, want) => {
    expect(parseSinkSpec(spec)).toMatchObject(want);
  });

  it.each([['file:relative.jsonl'], ['syslog+tcp://host:99999'], ['http://collector:4318'], ['kafka://broker'], ['udp://'], ['otlp-http://user:pw@host'], ['']])('%j is refused with the accepted forms', (spec) => {
    expect(() => parseSinkSpec(spec)).toThrow(SinkSpecError);
    expect(() => parseSinkSpec(spec)).toThrow(/accepted forms:[\s\S]*file:PATH[\s\S]*syslog\+tcp:\/\/[\s\S]*otlp-http:\/\//);
  });

  it('agentguard shell --log-sink with an unknown sink is a usage error (exit 3) and starts nothing', () => {
    const r = spawnSync(process.execPath, [BIN, 'shell', '--no-sandbox', '--log-sink', 'kafka://broker:9092', '--', 'true'], { cwd: world.ws, env: { ...process.env, HOME: world.home, AGENTGUARD_SESSION: '' }, encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('--log-sink "kafka://broker:9092": unknown sink; accepted forms:');
    expect(r.stdout).not.toContain('session');
    expect(fs.existsSync(path.join(world.home, '.local/state/agentguard/sessions'))).toBe(false);
  });

  it("a malformed sink in config.yaml is a config problem with its file and line, and the check's decision stands", () => {
    const config = path.join(world.base, 'xdg-config');
    fs.mkdirSync(path.join(config, 'agentguard'), { recursive: true });
    fs.writeFileSync(path.join(config, 'agentguard', 'config.yaml'), 'log:\n  sinks:\n    - kafka://broker\n');
    const r = spawnSync(process.execPath, [BIN, 'check', '--', 'ls'], { cwd: world.ws, env: { ...process.env, HOME: world.home, XDG_CONFIG_HOME: config }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/config\.yaml:3: log\.sinks\.0: a log sink: file:\/PATH, syslog/);
  });
});
