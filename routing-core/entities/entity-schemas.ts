// The contact center's configuration entities (seed 004 "Configuration Entities"), one zod
// schema each. The same schemas validate the provisioning file, the REST API's bodies and
// generate the OpenAPI document, so the three cannot disagree.
import { z } from 'zod';

export const entityId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be 1-63 characters: lowercase letters, digits, "-" or "_", starting with a letter or digit')
  .describe('Identifier, unique within its kind');

const seconds = (max: number) => z.number().int().min(0).max(max);
const dialNumber = z.string().regex(/^\+?[0-9]{3,20}$/, 'must be 3-20 digits, optionally starting with "+"');

export const tenantSchema = z
  .strictObject({
    recording: z.boolean().default(true).describe('Record calls; off means agents cannot pause recording'),
    maskCallerNumbers: z.boolean().default(true).describe("Mask the caller's number on the desktop"),
    desktopAllowedDomains: z.array(z.string().regex(/^(\*\.)?[a-z0-9.-]+(:[0-9]+)?$/i, 'must be a host name, optionally *.-prefixed')).default([])
      .describe('Domains the desktop may load content from (its content security policy)'),
    idleReasons: z.array(z.string().min(1).max(40)).default(['break', 'lunch', 'training'])
      .describe('Idle reason codes an agent can choose ("RONA" is added by the core)'),
    wrapUpCodes: z.array(z.string().min(1).max(40)).default(['resolved', 'follow-up'])
      .describe('Wrap-up codes an agent can choose at the end of an interaction'),
  })
  .describe('Tenant-wide settings');

export const siteSchema = z.strictObject({ id: entityId, name: z.string().min(1).max(100) }).describe('A contact-center site');

export const teamSchema = z
  .strictObject({ id: entityId, name: z.string().min(1).max(100), site: entityId.describe('The site the team belongs to') })
  .describe('A team of agents at one site');

const skillValue = z.union([z.number().int().min(1).max(10), z.boolean()]);

export const userSchema = z
  .strictObject({
    id: entityId,
    name: z.string().min(1).max(100),
    login: z.string().min(1).max(100).describe('Login name'),
    passwordHash: z.string().regex(/^scrypt\$/, 'must be a scrypt hash made by `vpop core hash-password`').optional()
      .describe('scrypt hash of the password; without it the user cannot sign in with a password'),
    site: entityId,
    teams: z.array(entityId).default([]),
    skills: z.record(z.string().min(1).max(40), skillValue).default({}).describe('Skill name to proficiency 1-10 or true'),
    profile: entityId.describe('User profile: role and what the user may see'),
    dialNumbers: z.array(z.string().min(1).max(100)).default([])
      .describe('Numbers the agent may log in with: a SIP phone user at the edge registrar or a PSTN number'),
  })
  .describe('A person who signs in: agent, supervisor or admin (by profile)');

const queueGroupSchema = z.union([
  z.strictObject({ afterSeconds: seconds(86_400).default(0), teams: z.array(entityId).min(1) }),
  z.strictObject({ afterSeconds: seconds(86_400).default(0), capacityTeam: entityId }),
]);

const overflowSchema = z.union([
  z.strictObject({ queue: entityId }),
  z.strictObject({ number: dialNumber }),
  z.strictObject({ entryPoint: entityId }),
]);

export const queueSchema = z
  .strictObject({
    id: entityId,
    name: z.string().min(1).max(100),
    site: entityId.optional(),
    algorithm: z.enum(['longest-available', 'best-available']).default('longest-available')
      .describe('longest-available: the agent available longest; best-available: highest proficiency in the required skills, ties by longest available'),
    skills: z.record(z.string().min(1).max(40), skillValue).default({})
      .describe('Required skills: name to minimum proficiency, or true'),
    groups: z.array(queueGroupSchema).min(1).describe('Call-distribution groups, each added after its wait; a capacity-based team last'),
    ronaSeconds: seconds(600).default(15).describe('Ring time before redirect on no answer'),
    wrapUpSeconds: seconds(3600).default(10),
    maxWaitSeconds: seconds(86_400).optional(),
    overflow: overflowSchema.optional().describe('Where a call goes after maxWaitSeconds'),
    music: z.string().min(1).default('music/default').describe('Prompt played while waiting'),
    serviceLevelSeconds: seconds(3600).default(20).describe('Answered within this many seconds counts toward service level'),
    defaultHandleSeconds: seconds(86_400).default(180).describe('Handle time assumed for the wait estimate until calls were handled'),
  })
  .describe('A queue (call-distribution groups, selection, timers, overflow)');

export const entryPointSchema = z
  .strictObject({ id: entityId, name: z.string().min(1).max(100), number: dialNumber.describe('Dialled number'), flow: entityId })
  .describe('A dialled number and the flow it runs');

export const capacityTeamSchema = z
  .strictObject({ id: entityId, name: z.string().min(1).max(100), number: dialNumber, capacity: z.number().int().min(1).max(10_000) })
  .describe('An external team reached on a number, with a number of concurrent calls it takes');

export const profileSchema = z
  .strictObject({
    id: entityId,
    role: z.enum(['admin', 'supervisor', 'agent']),
    sites: z.array(entityId).default([]).describe('Sites the user may see; empty means all (admins only)'),
    teams: z.array(entityId).default([]),
    queues: z.array(entityId).default([]),
    entryPoints: z.array(entityId).default([]),
  })
  .describe('A role and the sites, teams, queues and entry points it may see');

export type Tenant = z.output<typeof tenantSchema>;
export type Site = z.output<typeof siteSchema>;
export type Team = z.output<typeof teamSchema>;
export type User = z.output<typeof userSchema>;
export type Queue = z.output<typeof queueSchema>;
export type QueueGroup = z.output<typeof queueGroupSchema>;
export type Overflow = z.output<typeof overflowSchema>;
export type EntryPoint = z.output<typeof entryPointSchema>;
export type CapacityTeam = z.output<typeof capacityTeamSchema>;
export type Profile = z.output<typeof profileSchema>;
