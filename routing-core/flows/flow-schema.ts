// A flow: activities wired by named outcomes (each outcome names the next activity's id).
// Expressions (set variable, condition, HTTP mappings) are JSONata: a well-kept, side-effect
// free query language evaluated by its own interpreter, never by eval.
import { z } from 'zod';
import { entityId } from '../entities/entity-schemas.js';

const activityId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'must be 1-63 letters, digits, ".", "-" or "_"');
const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a letter or "_" followed by letters, digits or "_"');
const expression = z.string().min(1).max(2000).describe('JSONata expression over the flow variables');
const prompt = z.string().min(1).max(200).describe('Prompt name (a file under the media prompts directory)');
const timeout = z.number().positive().max(600);

const base = { id: activityId, description: z.string().max(500).optional() };

const activitySchema = z.discriminatedUnion('type', [
  z.strictObject({ ...base, type: z.literal('play'), prompt, next: activityId }),
  z.strictObject({
    ...base, type: z.literal('collect'), prompt, variable: variableName,
    minDigits: z.number().int().min(1).max(64).default(1), maxDigits: z.number().int().min(1).max(64),
    terminator: z.enum(['#', '*']).optional(), timeoutSeconds: timeout.default(5),
    sensitive: z.boolean().default(false).describe('Encrypt the digits, mask them in logs, desktop and reports'),
    next: activityId, noInput: activityId,
  }),
  z.strictObject({
    ...base, type: z.literal('menu'), prompt, options: z.record(z.string().regex(/^[0-9*#]$/, 'must be one key: 0-9, * or #'), activityId),
    timeoutSeconds: timeout.default(5), noInput: activityId, noMatch: activityId,
  }),
  z.strictObject({ ...base, type: z.literal('setVariable'), variable: variableName, expression, next: activityId, error: activityId }),
  z.strictObject({ ...base, type: z.literal('condition'), expression, then: activityId, else: activityId, error: activityId }),
  z.strictObject({
    ...base, type: z.literal('http'), method: z.enum(['GET', 'POST', 'PUT']).default('GET'),
    url: z.string().url().max(2000).describe('URL; {name} is replaced by the URL-encoded variable'),
    body: expression.optional().describe('JSONata expression whose value is sent as JSON'),
    timeoutSeconds: timeout.default(5), parse: z.enum(['json', 'xml', 'none']).default('json'),
    assign: z.record(variableName, expression).default({}).describe('Variable to JSONata expression over the parsed response ($status is the HTTP status)'),
    next: activityId, error: activityId,
  }),
  z.strictObject({
    ...base, type: z.literal('queue'), queue: entityId, priority: z.number().int().min(0).max(100).default(0),
    next: activityId.describe('After the agent conversation ends'), error: activityId,
    overflow: activityId.optional().describe('After max wait when the queue has no overflow target'),
  }),
  z.strictObject({
    ...base, type: z.literal('queueToAgent'), agent: entityId, priority: z.number().int().min(0).max(100).default(0),
    next: activityId, error: activityId,
  }),
  z.strictObject({ ...base, type: z.literal('queueInfo'), queue: entityId, next: activityId, error: activityId }),
  z.strictObject({
    ...base, type: z.literal('callback'), queue: entityId, number: expression.default('caller')
      .describe('Expression giving the number to call back (default: the caller)'),
    next: activityId, error: activityId,
  }),
  z.strictObject({
    ...base, type: z.literal('transfer'), number: z.string().regex(/^\+?[0-9]{3,20}$/).optional(), entryPoint: entityId.optional(),
    error: activityId,
  }),
  z.strictObject({ ...base, type: z.literal('disconnect') }),
  z.strictObject({ ...base, type: z.literal('goto'), flow: entityId.optional(), activity: activityId.optional() }),
]);

export const flowSchema = z
  .strictObject({
    id: entityId,
    name: z.string().min(1).max(100).optional(),
    version: z.number().int().min(1).optional().describe('Set by the store: each change makes a new version'),
    start: activityId,
    sensitive: z.array(variableName).default([]).describe('Variables that are encrypted, masked and never reported in clear'),
    errorPrompt: prompt.default('prompts/technical-difficulty').describe('Played before disconnecting on an error no branch handles'),
    events: z.strictObject({
      agentAnswered: z.strictObject({ screenPop: z.array(variableName).default([]) }).optional()
        .describe('Variables sent to the desktop when the agent answers'),
      callerHangup: activityId.optional().describe('Activity run (no media) when the caller hangs up'),
    }).default({}),
    activities: z.array(activitySchema).min(1),
  })
  .describe('An IVR flow: activities wired by named outcomes');

export type Activity = z.output<typeof activitySchema>;
export type Flow = z.output<typeof flowSchema>;
export type ActivityOf<T extends Activity['type']> = Extract<Activity, { type: T }>;

/** Field names of an activity that name another activity. */
export function activityTargets(activity: Activity): Array<{ field: string; target: string }> {
  const targets: Array<{ field: string; target: string }> = [];
  for (const field of ['next', 'noInput', 'noMatch', 'error', 'then', 'else', 'overflow'] as const) {
    const value = (activity as Record<string, unknown>)[field];
    if (typeof value === 'string') targets.push({ field, target: value });
  }
  if (activity.type === 'menu') for (const [key, target] of Object.entries(activity.options)) targets.push({ field: `options.${key}`, target });
  if (activity.type === 'goto' && activity.activity && !activity.flow) targets.push({ field: 'activity', target: activity.activity });
  return targets;
}
