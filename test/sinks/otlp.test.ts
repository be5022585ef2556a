// The otlp-http sink (built on the OpenTelemetry JS logs exporter) against a loopback HTTP
// receiver that checks what a collector would get: POST /v1/logs, the exporter's JSON, a
// resource naming agentguard, and one log record per record of a real session's log, with the
// record's line as body and its session, seq and type as attributes.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSinkHistory } from '../../src/sinks/index.js';
import { BIN, makeWorld } from '../session/harness.js';
import { runSession, until } from './helpers.js';

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
}
interface KeyValue {
  key: string;
  value: AnyValue;
}
interface ExportRequest {
  resourceLogs: { resource: { attributes: KeyValue[] }; scopeLogs: { scope: { name: string }; logRecords: { timeUnixNano: string; severityText?: string; severityNumber?: number; body: AnyValue; attributes: KeyValue[]; eventName?: string }[] }[] }[];
}
interface Received {
  method: string;
  url: string;
  contentType: string;
  body: ExportRequest;
}

const world = makeWorld('sinks-otlp');
const received: Received[] = [];
let server: http.Server;
let port = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: JSON.parse(text) as ExportRequest });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  world.remove();
});

const attr = (kvs: KeyValue[], key: string) => {
  const v = kvs.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue !== undefined ? Number(v.intValue) : undefined);
};

describe('otlp-http sink', () => {
  it("a session's records reach an OTLP/HTTP receiver as OpenTelemetry log records", async () => {
    const { records, exit } = await runSession(world, [`otlp-http://127.0.0.1:${port}`]);
    expect(exit).toBe(0);
    expect(records.map((r) => r.type)).not.toContain('sink-loss');
    const logRecords = () => received.flatMap((r) => r.body.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((s) => s.logRecords)));
    // The session waits (bounded) for its sinks before it ends: everything is there by now.
    await until('all records received', () => logRecords().length >= records.length);
    for (const r of received) {
      expect(r.method).toBe('POST');
      expect(r.url).toBe('/v1/logs');
      expect(r.contentType).toMatch(/^application\/json/);
      for (const rl of r.body.resourceLogs) {
        expect(attr(rl.resource.attributes, 'service.name')).toBe('agentguard');
        expect(attr(rl.resource.attributes, 'service.version')).toMatch(/^\d+\.\d+/);
        for (const s of rl.scopeLogs) expect(s.scope.name).toBe('agentguard');
      }
    }
    const got = logRecords();
    expect(got).toHaveLength(records.length);
    for (const [i, rec] of records.entries()) {
      const lr = got[i];
      // The body is the log's own line: the bytes its hash chain covers.
      expect(JSON.parse(lr.body.stringValue!)).toEqual(rec);
      expect(attr(lr.attributes, 'agentguard.session')).toBe(rec.session);
      expect(attr(lr.attributes, 'agentguard.seq')).toBe(rec.seq);
      expect(attr(lr.attributes, 'agentguard.type')).toBe(rec.type);
      expect(lr.eventName).toBe(`agentguard.${rec.type}`);
      expect(BigInt(lr.timeUnixNano) / 1_000_000n).toBe(BigInt(Date.parse(rec.time)));
    }
    const decision = got.find((lr) => attr(lr.attributes, 'agentguard.type') === 'decision')!;
    expect(attr(decision.attributes, 'agentguard.verdict')).toBe('allow');
    expect(attr(decision.attributes, 'agentguard.command')).toBe('echo sink-test');
    expect(decision.severityText).toBe('INFO');
  });

  it("`agentguard check` answers and exits at once; a detached process delivers its record from config.yaml's sink", async () => {
    const config = path.join(world.base, 'xdg-config');
    const state = path.join(world.base, 'xdg-state');
    fs.mkdirSync(path.join(config, 'agentguard'), { recursive: true });
    fs.writeFileSync(path.join(config, 'agentguard', 'config.yaml'), `log:\n  sinks: ["otlp-http://127.0.0.1:${port}"]\n`);
    const before = received.length;
    const r = spawnSync(process.execPath, [BIN, 'check', '--', 'git status'], { cwd: world.ws, env: { ...process.env, HOME: world.home, XDG_CONFIG_HOME: config, XDG_STATE_HOME: state }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    await until('the delivery process sent the record', () => received.length > before);
    const lr = received[before].body.resourceLogs[0].scopeLogs[0].logRecords;
    expect(lr).toHaveLength(1);
    expect(attr(lr[0].attributes, 'agentguard.command')).toBe('git status');
    expect(attr(lr[0].attributes, 'agentguard.source')).toBe('check');
    await until('the delivery process recorded its figures', () => readSinkHistory({ XDG_STATE_HOME: state })[`otlp-http://127.0.0.1:${port}`]?.sent === 1);
    // Its spool file is gone: nothing was left undelivered.
    expect(fs.readdirSync(path.join(state, 'agentguard', 'sink-spool')).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
  });

  it('a burst of checks starts no second delivery process while one runs; the next one delivers every spooled record', async () => {
    const config = path.join(world.base, 'xdg-config-burst');
    const state = path.join(world.base, 'xdg-state-burst');
    const spool = path.join(state, 'agentguard', 'sink-spool');
    fs.mkdirSync(path.join(config, 'agentguard'), { recursive: true });
    fs.mkdirSync(spool, { recursive: true });
    fs.writeFileSync(path.join(config, 'agentguard', 'config.yaml'), `log:\n  sinks: ["otlp-http://127.0.0.1:${port}"]\n`);
    const env = { ...process.env, HOME: world.home, XDG_CONFIG_HOME: config, XDG_STATE_HOME: state };
    const check = (command: string) => spawnSync(process.execPath, [BIN, 'check', '--', command], { cwd: world.ws, env, encoding: 'utf8' });
    // A live process holds the delivery lock (this test's own pid stands in): the checks only spool.
    fs.writeFileSync(path.join(spool, 'deliver.pid'), String(process.pid));
    const before = received.length;
    for (const c of ['ls', 'pwd', 'git log -1']) expect(check(c).status).toBe(0);
    expect(fs.readdirSync(spool).filter((f) => f.endsWith('.jsonl'))).toHaveLength(3);
    expect(received.length).toBe(before);
    // The holder is gone: the next check starts one process, which takes all four files.
    fs.rmSync(path.join(spool, 'deliver.pid'));
    expect(check('git status').status).toBe(0);
    const commands = () => received.slice(before).flatMap((r) => r.body.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((s) => s.logRecords.map((lr) => attr(lr.attributes, 'agentguard.command')))));
    await until('all four records delivered', () => commands().length >= 4);
    expect(commands()).toEqual(['ls', 'pwd', 'git log -1', 'git status']);
    const pids = new Set(received.slice(before).flatMap((r) => r.body.resourceLogs.map((rl) => attr(rl.resource.attributes, 'process.pid'))));
    expect(pids.size).toBe(1);
  });
});
