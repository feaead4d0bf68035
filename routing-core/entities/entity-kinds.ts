// The entity kinds the store and the API know, with their schemas and the references each
// entity holds to others (what makes a queue "in use" by a flow).
import type { z } from 'zod';
import { flowSchema, type Flow } from '../flows/flow-schema.js';
import type { FieldPath } from '../../platform/config/yaml-positions.js';
import {
  capacityTeamSchema, entryPointSchema, profileSchema, queueSchema, siteSchema, teamSchema, userSchema,
  type CapacityTeam, type EntryPoint, type Profile, type Queue, type Site, type Team, type User,
} from './entity-schemas.js';

export const entitySchemas = {
  sites: siteSchema,
  teams: teamSchema,
  capacityTeams: capacityTeamSchema,
  profiles: profileSchema,
  users: userSchema,
  queues: queueSchema,
  flows: flowSchema,
  entryPoints: entryPointSchema,
} as const satisfies Record<string, z.ZodType>;

export type EntityKind = keyof typeof entitySchemas;
export const entityKinds = Object.keys(entitySchemas) as EntityKind[];

export interface EntityTypes {
  sites: Site;
  teams: Team;
  capacityTeams: CapacityTeam;
  profiles: Profile;
  users: User;
  queues: Queue;
  flows: Flow;
  entryPoints: EntryPoint;
}
export type AnyEntity = EntityTypes[EntityKind];

/** A reference from one entity's field to another entity. */
export interface EntityReference {
  field: FieldPath;
  kind: EntityKind;
  id: string;
}

export function referencesOf(kind: EntityKind, entity: AnyEntity): EntityReference[] {
  const refs: EntityReference[] = [];
  const add = (field: FieldPath, target: EntityKind, id: string | undefined): void => {
    if (id !== undefined) refs.push({ field, kind: target, id });
  };
  const addAll = (field: string, target: EntityKind, ids: readonly string[]): void => ids.forEach((id, index) => add([field, index], target, id));
  switch (kind) {
    case 'teams':
      add(['site'], 'sites', (entity as Team).site);
      break;
    case 'users': {
      const user = entity as User;
      add(['site'], 'sites', user.site);
      addAll('teams', 'teams', user.teams);
      add(['profile'], 'profiles', user.profile);
      break;
    }
    case 'profiles': {
      const profile = entity as Profile;
      addAll('sites', 'sites', profile.sites);
      addAll('teams', 'teams', profile.teams);
      addAll('queues', 'queues', profile.queues);
      addAll('entryPoints', 'entryPoints', profile.entryPoints);
      break;
    }
    case 'queues': {
      const queue = entity as Queue;
      add(['site'], 'sites', queue.site);
      queue.groups.forEach((group, index) => {
        if ('teams' in group) group.teams.forEach((team, teamIndex) => add(['groups', index, 'teams', teamIndex], 'teams', team));
        else add(['groups', index, 'capacityTeam'], 'capacityTeams', group.capacityTeam);
      });
      if (queue.overflow && 'queue' in queue.overflow) add(['overflow', 'queue'], 'queues', queue.overflow.queue);
      if (queue.overflow && 'entryPoint' in queue.overflow) add(['overflow', 'entryPoint'], 'entryPoints', queue.overflow.entryPoint);
      break;
    }
    case 'entryPoints':
      add(['flow'], 'flows', (entity as EntryPoint).flow);
      break;
    case 'flows':
      (entity as Flow).activities.forEach((activity, index) => {
        if (activity.type === 'queue' || activity.type === 'queueInfo' || activity.type === 'callback') add(['activities', index, 'queue'], 'queues', activity.queue);
        if (activity.type === 'queueToAgent') add(['activities', index, 'agent'], 'users', activity.agent);
        if (activity.type === 'transfer') add(['activities', index, 'entryPoint'], 'entryPoints', activity.entryPoint);
        if (activity.type === 'goto') add(['activities', index, 'flow'], 'flows', activity.flow);
      });
      break;
    case 'sites':
    case 'capacityTeams':
      break;
  }
  return refs;
}

/** Singular, for messages: "queue sales". */
export function kindLabel(kind: EntityKind): string {
  const labels: Record<EntityKind, string> = {
    sites: 'site', teams: 'team', capacityTeams: 'capacity-based team', profiles: 'profile', users: 'user',
    queues: 'queue', flows: 'flow', entryPoints: 'entry point',
  };
  return labels[kind];
}
