/**
 * Node flags of the app's processes (scripts/run-app.ts; the tests' and benches' servers; bench/invoice-run, which runs
 * the period close in its own process as the app's job worker does).
 *
 * A larger young generation: the period close keeps each chunk's rows and invoices alive across its statements, and with
 * V8's default 16 MB semi-space they are copied several times before they are promoted. Measured on 100k subscriptions:
 * scavenges took 4.5 s of the close's CPU, 3.0 s with 64 MB. It costs the process about 100 MB more memory at most.
 */
export const APP_NODE_FLAGS = ["--max-semi-space-size=64"];
