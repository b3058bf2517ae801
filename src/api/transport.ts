// One GET over a keep-alive undici Agent, body read under a per-attempt deadline; failures become typed errors. Touches HTTP.
import { Agent, request } from 'undici';
import type { RefusalCircuit } from './circuit-breaker.ts';
import { NetworkError } from './errors/index.ts';
import type { RawResponse } from './interpret-response.ts';
import { networkErrorCode } from './retry-policy.ts';

export interface Transport {
  /** Sends one attempt; rejects with NetworkError, BannedError, UnreachableError, the abort reason, or an unexpected error as is. */
  send(url: URL, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<RawResponse>;
  close(): Promise<void>;
}

export function createTransport(opts: { connections: number; timeoutMs: number; circuit: RefusalCircuit }): Transport {
  // undici's request() rather than fetch(): same engine, less overhead, and no redirects followed behind our back.
  const agent = new Agent({ connections: opts.connections, keepAliveTimeout: 10_000 });

  async function send(url: URL, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<RawResponse> {
    const deadline = AbortSignal.timeout(opts.timeoutMs);
    try {
      const res = await request(url, { dispatcher: agent, method: 'GET', headers, signal: anySignal(signal, deadline) });
      // Reading the body under the same signal bounds the whole attempt, not just the headers.
      const bytes = new Uint8Array(await res.body.arrayBuffer());
      return { status: res.statusCode, headers: flattenHeaders(res.headers), bytes };
    } catch (error) {
      if (signal?.aborted) throw signal.reason; // run cancelled: not a failure to retry
      if (deadline.aborted) throw new NetworkError({ code: 'TIMEOUT', url: url.href }, { cause: error });
      const code = networkErrorCode(error);
      if (code === undefined) throw error; // a bug (bad header, closed client), not the network
      const verdict =
        code === 'ECONNREFUSED'
          ? opts.circuit.recordRefusal(error, url.href)
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? opts.circuit.recordUnresolved(code, error, url.href)
            : undefined;
      throw verdict ?? new NetworkError({ code, url: url.href }, { cause: error });
    }
  }

  return { send, close: () => agent.close() };
}

export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  return present.length <= 1 ? present[0] : AbortSignal.any(present);
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) flat[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
