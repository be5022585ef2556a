// The OTLP/HTTP sink: OpenTelemetry logs through the OpenTelemetry JS SDK and its OTLP/HTTP
// logs exporter (JSON to <endpoint>/v1/logs; OTEL_EXPORTER_OTLP_HEADERS and the other
// exporter variables apply, for a collector that wants a token). Loaded only when an otlp
// sink is configured: the SDK costs tens of milliseconds to load, which a plain check never pays.
// One LogRecord per agentguard record: the record's JSON line as its body (so the receiver
// holds the very bytes the hash chain covers), the fields a pipeline filters on as attributes.
import os from 'node:os';
import { createRequire } from 'node:module';
import type { SinkItem, Transport } from './queue.js';
import { severity } from './rfc5424.js';

const TIMEOUT_MS = 5_000;

export async function otlpTransport(url: string): Promise<Transport> {
  const [{ LoggerProvider }, { OTLPLogExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-logs'),
    import('@opentelemetry/exporter-logs-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  type Collected = Parameters<InstanceType<typeof OTLPLogExporter>['export']>[0];
  // The queue batches; the SDK only builds the records, which are handed to the exporter here.
  let collected: Collected = [];
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'agentguard', 'service.version': version(), 'host.name': os.hostname(), 'process.pid': process.pid }),
    processors: [{ onEmit: (r) => void collected.push(r), forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() }],
  });
  const logger = provider.getLogger('agentguard');
  const exporter = new OTLPLogExporter({ url, timeoutMillis: TIMEOUT_MS });
  return {
    send(batch: SinkItem[]) {
      collected = [];
      for (const i of batch) logger.emit({ timestamp: new Date(i.time), eventName: `agentguard.${i.type}`, ...level(i.record), body: i.line, attributes: attributes(i) });
      const records = collected;
      return new Promise<void>((resolve, reject) =>
        // ExportResultCode.SUCCESS is 0 (@opentelemetry/core, which is the exporter's dependency, not ours).
        exporter.export(records, (result) => ((result.code as number) === 0 ? resolve() : reject(result.error ?? new Error(`OTLP export to ${url} failed`)))),
      );
    },
    async end() {
      await exporter.shutdown();
    },
    destroy() {
      void exporter.shutdown().catch(() => undefined);
    },
  };
}

function level(r: Record<string, unknown>): { severityNumber: number; severityText: string } {
  // OpenTelemetry's numbers: INFO 9, INFO2 10 (an ask), WARN 13.
  const s = severity(r);
  return s === 4 ? { severityNumber: 13, severityText: 'WARN' } : s === 5 ? { severityNumber: 10, severityText: 'INFO2' } : { severityNumber: 9, severityText: 'INFO' };
}

function attributes(i: SinkItem): Record<string, string | number> {
  const r = i.record;
  const out: Record<string, string | number> = { 'agentguard.session': i.session, 'agentguard.seq': i.seq, 'agentguard.type': i.type };
  for (const k of ['action', 'verdict', 'source', 'command', 'cwd', 'hash']) if (typeof r[k] === 'string') out[`agentguard.${k}`] = r[k];
  const rules = Array.isArray(r.matches) ? (r.matches as { rule?: unknown }[]).map((m) => m.rule).filter((x) => typeof x === 'string') : [];
  if (rules.length) out['agentguard.rules'] = rules.join(',');
  return out;
}

function version(): string {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
