import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import * as engineBindings from "@prisma/schema-engine-wasm/schema_engine_bg";

type WasmSchemaEngine = {
  diff(params: unknown): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
};

let wasmReady: Promise<void> | undefined;

// The package is built for bundlers (it imports the .wasm file as an ES module, which Node cannot do), so it is
// instantiated by hand exactly as a bundler would.
function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg").replace(/\.js$/, ".wasm");
    const compiled = await WebAssembly.compile(readFileSync(wasmPath));
    const instance = await WebAssembly.instantiate(compiled, {
      "./schema_engine_bg.js": engineBindings as unknown as WebAssembly.ModuleImports,
    });
    (engineBindings as unknown as { __wbg_set_wasm(exports: unknown): void }).__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  })();
  return wasmReady;
}

/**
 * SQL that takes a database from the `from` datamodel (null = empty database) to the `to` datamodel, computed by
 * Prisma's WASM schema engine. The engine insists on a live connection even for a datamodel-to-datamodel diff, but
 * does not change that database.
 */
export async function diffDatamodels(from: string | null, to: string, connectionString: string): Promise<string> {
  await loadWasm();
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString }));
  const SchemaEngine = (engineBindings as unknown as {
    SchemaEngine: { new: (o: unknown, log: (m: string) => void, a: unknown) => Promise<WasmSchemaEngine> };
  }).SchemaEngine;
  const engine = await SchemaEngine.new({ datamodels: [["schema.prisma", to]] }, () => {}, adapter);
  try {
    const target = (content: string) => ({ tag: "schemaDatamodel", files: [{ path: "schema.prisma", content }] });
    const result = await engine.diff({
      from: from === null ? { tag: "empty" } : target(from),
      to: target(to),
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    const sql = result.stdout ?? "";
    return /^\s*(-- This is an empty migration\.)?\s*$/.test(sql) ? "" : sql;
  } finally {
    engine.free();
  }
}
