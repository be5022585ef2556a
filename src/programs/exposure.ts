// Tunnel clients that publish a local port (ngrok, cloudflared, localtunnel, tailscale, bore):
// their global options, so that `ngrok --config x.yml http 3000` is read as `http`. What they
// expose is in the rules (rules/exposure).
import { cli } from './cli.js';

export const ngrok = cli(['ngrok'], ['--config', '--log', '--log-format', '--log-level', '--authtoken', '--api-key', '--region', '--domain', '--url', '--basic-auth', '--oauth', '--host-header', '--traffic-policy-file', '--label'], {
  takesValue: ['--config', '--log', '--log-format', '--log-level', '--authtoken', '--api-key', '--region'],
});
const CLOUDFLARED = ['--config', '--loglevel', '--transport-loglevel', '--logfile', '--log-directory', '--origincert', '--metrics', '--pidfile', '--credentials-file', '--cred-file', '--url', '--hostname', '--protocol', '--edge-ip-version', '--region', '--token', '--name', '--listener', '--tunnel-token'];
export const cloudflared = cli(['cloudflared'], CLOUDFLARED, { takesValue: CLOUDFLARED });
export const localtunnel = cli(['lt', 'localtunnel'], ['-p', '--port', '-h', '--host', '-s', '--subdomain', '-l', '--local-host', '--local-cert', '--local-key', '--local-ca']);
export const tailscale = cli(['tailscale'], ['--socket', '--https', '--http', '--tcp', '--tls-terminated-tcp', '--set-path'], { takesValue: ['--socket'] });
export const bore = cli(['bore'], ['-t', '--to', '-p', '--port', '-s', '--secret', '-l', '--local-host']);

export const programs = [ngrok, cloudflared, localtunnel, tailscale, bore];
