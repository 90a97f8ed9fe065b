/** Local model servers and the loopback ports they listen on by default. */
export const LOCAL_SERVERS: ReadonlyArray<{ name: string; port: number; specPrefix: (model: string, baseUrl: string) => string }> = [
  { name: 'Ollama', port: 11434, specPrefix: (m) => `ollama:${m}` },
  { name: 'LM Studio', port: 1234, specPrefix: (m, url) => `openai-compatible:${url}#${m}` },
  { name: 'vLLM', port: 8000, specPrefix: (m, url) => `openai-compatible:${url}#${m}` },
  { name: 'llama.cpp server', port: 8080, specPrefix: (m, url) => `openai-compatible:${url}#${m}` },
];

export interface LocalServer {
  name: string;
  baseUrl: string;
  /** Model specs ready for --model. */
  models: string[];
}

export interface ProbeOptions {
  host?: string;
  /** Override the servers probed (tests, unusual ports). */
  servers?: ReadonlyArray<{ name: string; port: number; specPrefix: (model: string, baseUrl: string) => string }>;
  /** Per server (default 400 ms): a closed port answers at once, a hung one must not stall the command. */
  timeoutMs?: number;
}

/** Asks each usual loopback port for its OpenAI-style model list; servers that do not answer are left out. */
export async function probeLocalServers(options: ProbeOptions = {}): Promise<LocalServer[]> {
  const host = options.host ?? '127.0.0.1';
  const found = await Promise.all(
    (options.servers ?? LOCAL_SERVERS).map(async (server): Promise<LocalServer | undefined> => {
      const baseUrl = `http://${host}:${server.port}/v1`;
      try {
        const response = await fetch(`${baseUrl}/models`, { signal: AbortSignal.timeout(options.timeoutMs ?? 400) });
        if (!response.ok) return undefined;
        const list = (await response.json()) as { data?: Array<{ id?: string }> };
        const ids = (list.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
        return { name: server.name, baseUrl, models: ids.map((id) => server.specPrefix(id, baseUrl)) };
      } catch {
        return undefined;
      }
    }),
  );
  return found.filter((s): s is LocalServer => s !== undefined);
}
