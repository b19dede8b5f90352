import type { MigrationSource } from "../source";
import { nexacloudSource } from "./nexacloud";

/** Every source a service can migrate from, by kind. Adding an old system is adding its module here. */
const SOURCES: Record<string, MigrationSource> = {
  [nexacloudSource.kind]: nexacloudSource,
};

export function migrationSource(kind: string): MigrationSource {
  const source = SOURCES[kind];
  if (!source) throw new Error(`Unknown migration source ${JSON.stringify(kind)}.`);
  return source;
}

export function migrationSourceKinds(): string[] {
  return Object.keys(SOURCES);
}
