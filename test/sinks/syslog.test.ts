// The syslog sinks against a real rsyslogd (Debian package rsyslog), started here with its own
// configuration: imtcp and imudp on loopback ports, imuxsock on a socket in a temp directory
// (standing in for /dev/log), omfile writing what it parsed. A real session ships its records
// through `--log-sink syslog+tcp://…`, `udp://…` and `syslog:SOCKET`; each must arrive parsed
// as RFC 5424: version 1, APP-NAME agentguard, the record's session, seq and type in the
// structured data, and the record's own line as MSG.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld } from '../session/harness.js';
import { freeTcpPort, freeUdpPort, runSession, until, waitForFile } from './helpers.js';

const rsyslogd = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => fs.existsSync(p));
const world = makeWorld('sinks-syslog');
let daemon: ChildProcess | null = null;
let out = '';
let tcpPort = 0;
let udpPort = 0;
let socket = '';

beforeAll(async () => {
  if (!rsyslogd) return;
  const dir = path.join(world.base, 'rsyslog');
  fs.mkdirSync(dir);
  out = path.join(dir, 'received.log');
  socket = path.join(dir, 'log.sock');
  [tcpPort, udpPort] = [await freeTcpPort(), await freeUdpPort()];
  const conf = path.join(dir, 'rsyslog.conf');
  fs.writeFileSync(
    conf,
    `global(workDirectory="${dir}" maxMessageSize="64k")
module(load="imuxsock" SysSock.Use="off")
module(load="imtcp")
module(load="imudp")
input(type="imtcp" address="127.0.0.1" port="${tcpPort}")
input(type="imudp" address="127.0.0.1" port="${udpPort}")
input(type="imuxsock" Socket="${socket}" useSpecialParser="off" parseHostname="on")
template(name="parsed" type="list") {
  property(name="inputname") constant(value="\\t")
  property(name="protocol-version") constant(value="\\t")
  property(name="syslogseverity") constant(value="\\t")
  property(name="app-name") constant(value="\\t")
  property(name="msgid") constant(value="\\t")
  property(name="structured-data") constant(value="\\t")
  property(name="msg" droplastlf="on") constant(value="\\n")
}
action(type="omfile" file="${out}" template="parsed" flushOnTXEnd="on" asyncWriting="off")
`,
  );
  const check = spawnSync(rsyslogd, ['-N1', '-f', conf], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`rsyslog rejects the test's config: ${check.stderr}`);
  daemon = spawn(rsyslogd, ['-n', '-f', conf, '-i', path.join(dir, 'rsyslogd.pid')], { stdio: 'ignore' });
  // Ready when its unix socket exists (it opens the TCP and UDP inputs before that one).
  await until('rsyslogd opened its unix socket', () => fs.existsSync(socket));
});

afterAll(() => {
  daemon?.kill();
  world.remove();
});

interface Received {
  input: string;
  version: string;
  severity: number;
  app: string;
  msgid: string;
  sd: string;
  msg: string;
}
const parse = (text: string): Received[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [input, version, severity, app, msgid, sd, ...msg] = l.split('\t');
      return { input, version, severity: Number(severity), app, msgid, sd, msg: msg.join('\t') };
    });

describe.skipIf(!rsyslogd)('syslog sinks into a real rsyslogd', () => {
  it('a session ships every record over TCP (octet-counted), UDP and the local socket, each parsed as RFC 5424', async () => {
    const { records, exit } = await runSession(world, [`syslog+tcp://127.0.0.1:${tcpPort}`, `udp://127.0.0.1:${udpPort}`, `syslog:${socket}`]);
    expect(exit).toBe(0);
    const types = records.map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['session-start', 'decision', 'session-end']));
    expect(types).not.toContain('sink-loss');
    const lines = fs.readFileSync(path.join(world.home, '.local/state/agentguard/sessions', `${records[0].session}.jsonl`), 'utf8').trim().split('\n');
    const text = await waitForFile(out, (t) => ['imtcp', 'imudp', 'imuxsock'].every((i) => parse(t).filter((r) => r.input === i).length >= records.length));
    const got = parse(text);
    for (const input of ['imtcp', 'imudp', 'imuxsock']) {
      const mine = got.filter((r) => r.input === input);
      // One message per record, each carrying the record's exact line.
      expect(mine.map((r) => r.msg), input).toEqual(lines);
      for (const [i, r] of mine.entries()) {
        const rec = records[i];
        expect(r.version, input).toBe('1');
        expect(r.app, input).toBe('agentguard');
        expect(r.sd, input).toContain(`[agentguard@32473 session="${rec.session}"`);
        if (input !== 'imuxsock') {
          // logger (the local sink) sets the structured data once per writer: the session.
          expect(r.msgid, input).toBe(rec.type);
          expect(r.sd, input).toContain(`seq="${rec.seq}" type="${rec.type}"`);
        }
        expect(r.severity, input).toBe(rec.type === 'decision' && rec.verdict === 'deny' ? 4 : 6);
      }
    }
  });

  it('a refusal arrives as a warning with the rule that asked in the structured data', async () => {
    // The workspace has no remote: the push could not go anywhere even if it ran.
    const { records } = await runSession(world, [`syslog+tcp://127.0.0.1:${tcpPort}`], 'git push --force origin main', { answer: 'n' });
    const denied = records.find((r) => r.type === 'decision' && r.verdict === 'deny');
    expect(denied, JSON.stringify(records)).toBeDefined();
    const rules = (denied!.matches as { rule: string }[]).map((m) => m.rule).join(',');
    const text = await waitForFile(out, (t) => parse(t).some((r) => r.input === 'imtcp' && r.sd.includes(`session="${denied!.session}" seq="${denied!.seq}"`)));
    const r = parse(text).find((x) => x.input === 'imtcp' && x.sd.includes(`session="${denied!.session}" seq="${denied!.seq}"`))!;
    expect(r.severity).toBe(4);
    expect(r.sd).toContain(`verdict="deny"`);
    expect(r.sd).toContain(`rules="${rules}"`);
  });
});
