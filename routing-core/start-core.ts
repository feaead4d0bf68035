// Starts one routing core from its file: the database (migrated), the contact center
// provisioned from the file, shared state (in process, or Redis), the router and the API.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../platform/logging/logger.js';
import { createProcessRegistry } from '../platform/metrics/process-registry.js';
import { buildApi } from './api/api-server.js';
import { tokenSecret, TokenService } from './api/auth/token-service.js';
import { CoreRuntime } from './core-runtime.js';
import { ConfigStore } from './entities/config-store.js';
import type { CoreFile } from './provisioning/core-file-schema.js';
import { coreMetrics } from './reporting/core-metrics.js';
import { MemoryState } from './state/memory-state.js';
import { RedisState } from './state/redis-state.js';
import type { SharedState } from './state/shared-state.js';

export interface RunningCore {
  runtime: CoreRuntime;
  api: FastifyInstance;
  metrics: Registry;
  /** The API's address, e.g. http://127.0.0.1:8080. */
  url: string;
  stop(): Promise<void>;
}

export interface StartCoreOptions {
  logger?: Logger;
  /** Listen on this port instead of the file's (tests: 0 for a free one). */
  port?: number;
  /** Label of this core's metrics (the POP or region it serves). */
  metricsLabel?: string;
}

export async function startCore(config: CoreFile, options: StartCoreOptions = {}): Promise<RunningCore> {
  const { core } = config;
  if (core.database !== ':memory:') mkdirSync(dirname(core.database), { recursive: true });
  const store = new ConfigStore(core.database);
  let state: SharedState | undefined;
  try {
    store.replaceAll(config, 'provisioning');
    state = core.redis ? await RedisState.connect(core.redis) : new MemoryState();
    const runtime = new CoreRuntime(store, state, { instanceId: core.instanceId ?? `${hostname()}-${process.pid}` });
    const metrics = createProcessRegistry({ pop: options.metricsLabel ?? 'core', component: 'routing-core' });
    coreMetrics(state, runtime.log, metrics);
    const tokens = new TokenService({
      secret: tokenSecret(core.auth.tokenSecretFile),
      accessTokenSeconds: core.auth.accessTokenSeconds,
      refreshTokenSeconds: core.auth.refreshTokenSeconds,
      ...(core.auth.oidc ? { oidc: core.auth.oidc } : {}),
    });
    const api = await buildApi({ runtime, tokens, metrics }, options.logger);
    const url = await api.listen({ host: core.http.address, port: options.port ?? core.http.port });
    const sharedState = state;
    return {
      runtime, api, metrics, url,
      async stop() {
        await api.close();
        await runtime.stop();
        await sharedState.close();
        store.close();
      },
    };
  } catch (error) {
    await state?.close();
    store.close();
    throw error;
  }
}
