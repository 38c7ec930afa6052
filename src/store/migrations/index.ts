/**
 * Every migration, in the order they are applied. Each area owns its own tables in its own
 * file under this folder; append new migrations at the end of the list.
 */
import type { Migration } from './migration.ts';
import { ARCHIVE_MIGRATIONS, ARCHIVE_SEARCH_MIGRATIONS } from './archive.ts';
import { CLUSTER_MIGRATIONS } from './cluster.ts';
import { EVENT_MIGRATIONS } from './events.ts';
import { FINK_MIGRATIONS } from './fink.ts';
import { JOIN_MIGRATIONS } from './join.ts';
import { SERVE_MIGRATIONS } from './serve.ts';
import { TRUST_MIGRATIONS } from './trust.ts';
import { HTTP_MIGRATIONS } from './http.ts';
import { WEBHOOK_MIGRATIONS } from './webhooks.ts';
import { OPTICAL_MIGRATIONS } from './optical.ts';

export type { Migration } from './migration.ts';

export const ALL_MIGRATIONS: readonly Migration[] = [
  ...SERVE_MIGRATIONS,
  ...EVENT_MIGRATIONS,
  ...JOIN_MIGRATIONS,
  ...TRUST_MIGRATIONS,
  ...HTTP_MIGRATIONS,
  ...WEBHOOK_MIGRATIONS,
  ...ARCHIVE_MIGRATIONS,
  ...FINK_MIGRATIONS,
  ...CLUSTER_MIGRATIONS,
  ...ARCHIVE_SEARCH_MIGRATIONS,
  ...OPTICAL_MIGRATIONS,
];
