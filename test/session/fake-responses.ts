// A fake model on loopback speaking OpenAI's Responses API (streaming), for driving the real
// Codex CLI: each request that offers a shell tool gets the next scripted command as a tool
// call, until the script is done; then plain text. What the tools returned is kept, so a test
// can see what reached the model.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeResponses {
  /** http://127.0.0.1:PORT/v1, for a model provider's base_url. */
  baseUrl: string;
  /** Every tool output the agent sent back, in order. */
  outputs: string[];
  close(): Promise<void>;
}

interface Item {
  type?: string;
  output?: unknown;
}

export async function startFakeResponses(commands: string[]): Promise<FakeResponses> {
  const outputs: string[] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString('utf8')));
    req.on('end', () => {
      if (!req.url?.includes('/responses')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
        return;
      }
      let body: { input?: Item[]; tools?: Array<{ name?: string; type?: string }> } = {};
      try {
        body = JSON.parse(data) as typeof body;
      } catch {
        // an empty or partial body: answer with text
      }
      const results = (Array.isArray(body.input) ? body.input : []).filter((i) => i.type === 'function_call_output' || i.type === 'custom_tool_call_output');
      const n = results.length;
      if (n) outputs.push(JSON.stringify(results[n - 1].output));
      const tools = (body.tools ?? []).map((t) => t.name ?? t.type);
      const id = `resp_${n}`;
      let item: Record<string, unknown>;
      if (n < commands.length && tools.includes('exec_command'))
        item = { type: 'function_call', id: `fc_${n}`, call_id: `call_${n}`, name: 'exec_command', arguments: JSON.stringify({ cmd: commands[n] }) };
      else if (n < commands.length && tools.includes('shell'))
        item = { type: 'function_call', id: `fc_${n}`, call_id: `call_${n}`, name: 'shell', arguments: JSON.stringify({ command: ['bash', '-lc', commands[n]] }) };
      else item = { type: 'message', id: `m_${n}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'All steps done.', annotations: [] }] };
      const usage = { input_tokens: 10, output_tokens: 5, total_tokens: 15, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } };
      const events: Array<[string, unknown]> = [
        ['response.created', { type: 'response.created', response: { id, object: 'response', status: 'in_progress', output: [] } }],
        ['response.output_item.added', { type: 'response.output_item.added', output_index: 0, item }],
        ['response.output_item.done', { type: 'response.output_item.done', output_index: 0, item }],
        ['response.completed', { type: 'response.completed', response: { id, object: 'response', status: 'completed', output: [item], usage } }],
      ];
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const [event, d] of events) res.write(`event: ${event}\ndata: ${JSON.stringify(d)}\n\n`);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    outputs,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
