import type { MigrationSource } from "../source";
import { lagoSource } from "./lago";
import { nexacloudSource } from "./nexacloud";

/** Every source a service can migrate from, by kind. Adding an old system is adding its module here. */
const SOURCES: Record<string, MigrationSource> = {
  [nexacloudSource.kind]: nexacloudSource,
  [lagoSource.kind]: lagoSource,
};

export function migrationSource(kind: string): MigrationSource {
  const source = SOURCES[kind];
  if (!source) throw new Error(`Unknown migration source ${JSON.stringify(kind)}.`);
  return source;
}

export function migrationSourceKinds(): string[] {
  return Object.keys(SOURCES);
}
