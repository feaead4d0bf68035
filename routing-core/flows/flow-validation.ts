// Checks a flow beyond its shape: unique activity ids, every outcome wired to an activity
// that exists, expressions that compile. Each problem names the activity id and field.
import jsonata from 'jsonata';
import type { FieldPath } from '../../platform/config/yaml-positions.js';
import { activityTargets, type Flow } from './flow-schema.js';

export interface FlowProblem {
  path: FieldPath;
  message: string;
}

export function flowProblems(flow: Flow): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const ids = new Map<string, number>();
  flow.activities.forEach((activity, index) => {
    if (ids.has(activity.id)) problems.push({ path: ['activities', index, 'id'], message: `activity id "${activity.id}" is used twice (also activities[${ids.get(activity.id)}])` });
    else ids.set(activity.id, index);
  });
  if (!ids.has(flow.start)) problems.push({ path: ['start'], message: `no activity "${flow.start}"` });
  const callerHangup = flow.events.callerHangup;
  if (callerHangup !== undefined && !ids.has(callerHangup)) problems.push({ path: ['events', 'callerHangup'], message: `no activity "${callerHangup}"` });

  flow.activities.forEach((activity, index) => {
    const at = (field: string, message: string): void => {
      problems.push({ path: ['activities', index, ...field.split('.')], message: `activity "${activity.id}": ${message}` });
    };
    for (const { field, target } of activityTargets(activity)) {
      if (!ids.has(target)) at(field, `no activity "${target}"`);
    }
    const expressions: Array<[string, string]> = [];
    if (activity.type === 'setVariable' || activity.type === 'condition') expressions.push(['expression', activity.expression]);
    if (activity.type === 'callback') expressions.push(['number', activity.number]);
    if (activity.type === 'http') {
      if (activity.body !== undefined) expressions.push(['body', activity.body]);
      for (const [name, text] of Object.entries(activity.assign)) expressions.push([`assign.${name}`, text]);
    }
    for (const [field, text] of expressions) {
      try {
        jsonata(text);
      } catch (error) {
        at(field, `expression does not compile: ${(error as Error).message}`);
      }
    }
    if (activity.type === 'transfer' && (activity.number === undefined) === (activity.entryPoint === undefined)) {
      at('number', 'give exactly one of number and entryPoint');
    }
    if (activity.type === 'goto' && activity.flow === undefined && activity.activity === undefined) at('activity', 'give flow or activity');
    if (activity.type === 'collect' && activity.minDigits > activity.maxDigits) at('minDigits', 'must not exceed maxDigits');
  });
  return problems;
}
