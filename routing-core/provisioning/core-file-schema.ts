// The core's file (`configs/core/*.yaml`): how the core runs (API address, database, shared
// state) and the whole contact center it loads at start.
import { z } from 'zod';
import {
  capacityTeamSchema, entryPointSchema, profileSchema, queueSchema, siteSchema, teamSchema, tenantSchema, userSchema,
} from '../entities/entity-schemas.js';
import { flowSchema } from '../flows/flow-schema.js';

const ipAddress = z.union([z.ipv4(), z.ipv6()]);

const coreRuntimeSchema = z
  .strictObject({
    http: z.strictObject({
      address: ipAddress.default('127.0.0.1'),
      port: z.number().int().min(1).max(65_535).default(8080),
    }).prefault({}).describe('REST + WebSocket API (OpenAPI at /openapi.json)'),
    database: z.string().min(1).default(':memory:').describe('SQLite file for configuration, audit log and interaction events (path, relative to this file); :memory: keeps nothing'),
    redis: z.string().regex(/^redis:\/\//, 'must be a redis:// URL').optional()
      .describe('Shared real-time state for several core instances; without it state is in this process'),
    auth: z.strictObject({
      tokenSecretFile: z.string().min(1).optional().describe('File with the HMAC secret that signs access tokens (path); without it a random secret per run'),
      accessTokenSeconds: z.number().int().min(30).max(86_400).default(300),
      refreshTokenSeconds: z.number().int().min(60).max(30 * 86_400).default(8 * 3600),
      oidc: z.strictObject({
        issuer: z.string().url(),
        jwksUrl: z.string().url(),
        audience: z.string().min(1),
        loginClaim: z.string().min(1).default('preferred_username').describe('Claim that holds the user\'s login name'),
      }).optional().describe('Also accept tokens an external OpenID Connect issuer signed'),
    }).prefault({}),
    instanceId: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/).optional().describe('Name of this instance in shared state; default host name and PID'),
  })
  .describe('How this core runs');

export const coreFileSchema = z
  .strictObject({
    core: coreRuntimeSchema.prefault({}),
    tenant: tenantSchema.prefault({}),
    sites: z.array(siteSchema).default([]),
    teams: z.array(teamSchema).default([]),
    capacityTeams: z.array(capacityTeamSchema).default([]),
    profiles: z.array(profileSchema).default([]),
    users: z.array(userSchema).default([]),
    queues: z.array(queueSchema).default([]),
    flows: z.array(flowSchema).default([]),
    entryPoints: z.array(entryPointSchema).default([]),
  })
  .describe('A VPOP routing core and the contact center it serves');

export type CoreFile = z.output<typeof coreFileSchema>;
export type CoreRuntime = z.output<typeof coreRuntimeSchema>;

export function coreJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(coreFileSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, title: 'VPOP routing core configuration', ...rest };
}
