// Schema of status.conditions: metav1.Condition, as a list-map keyed by type.

import type { Condition } from './conditions.ts';
import { conditionStatuses } from './conditions.ts';
import type { Schema } from './schema.ts';
import { array, dateTime, enumeration, integer, object, optional, required, string } from './schema.ts';

const condition = object<Condition>(
  { description: 'One aspect of the current state of the resource (metav1.Condition).' },
  {
    type: required(
      string({
        description: 'Type of the condition, in CamelCase (e.g. Ready).',
        minLength: 1,
        maxLength: 316,
        pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
      }),
    ),
    status: required(enumeration(conditionStatuses, { description: 'True, False or Unknown.' })),
    observedGeneration: optional(
      integer({
        description: 'The metadata.generation the condition was computed from.',
        format: 'int64',
        minimum: 0,
      }),
    ),
    lastTransitionTime: required(dateTime({ description: 'When status last changed.' })),
    reason: required(
      string({
        description: 'Why the condition has its status: a CamelCase identifier.',
        minLength: 1,
        maxLength: 1024,
        pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
      }),
    ),
    message: required(
      string({ description: 'A sentence for a person: what is the case and what to do next.', maxLength: 32768 }),
    ),
  },
);

export function conditionsSchema(description: string): Schema<Condition[]> {
  return array(condition, { description, listType: 'map', listMapKeys: ['type'] });
}
